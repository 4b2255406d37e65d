//! `docket calendar` and `docket notify-admin`: the feed of one caseworker
//! on stdout, and one message to the admin (for the `OnFailure=` unit).

use crate::clock::Clock;
use crate::config::model::Config;
use crate::failure::Failure;
use crate::feed;
use anyhow::Context as _;
use std::io::Read;

/// A caseworker's feed (or their team's) as of the clock's today (in
/// `service.timezone`), with the revisions the daemon keeps, when it has
/// run; an event changed since is stamped with the clock's now, as a pass
/// would stamp it.
pub fn calendar(cfg: &Config, id: &str, team: bool, clock: Clock) -> Result<String, Failure> {
    let today = clock.today();
    let name = if team {
        feed::team_stem(id)
    } else {
        feed::file_stem(id)
    };
    let items = crate::engine::items(cfg);
    // Only this feed's events and revisions, not every feed's.
    let Some(f) = feed::plan(cfg, &items, today)
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.build(cfg, today))
    else {
        return Err(Failure::Usage(format!(
            "{id} has no team: no caseworker names them as supervisor"
        )));
    };
    let known = crate::ledger::Ledger::open_read_only(&cfg.service.state_dir)
        .ok()
        .flatten()
        .and_then(|l| l.feed_revisions_of(&name).ok())
        .unwrap_or_default();
    let revs = feed::revise(&f, &known, clock.now());
    Ok(feed::render(&f, &revs))
}

/// The most of stdin a notice takes.
const MAX_BODY: u64 = 64 * 1024;

/// Mail `service.admin` once: subject `[docket] admin: SUBJECT`, the body
/// from stdin (when it is not a terminal). `clock` names an outbox file.
pub async fn notify_admin(cfg: &Config, subject: &str, clock: Clock) -> Result<(), Failure> {
    let Some(admin) = cfg.service.admin.as_deref() else {
        return Err(Failure::Config(format!(
            "{}: no [service] admin to tell: set admin = \"it@ngo.example\"",
            cfg.path.display()
        )));
    };
    let mut body = String::new();
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        std::io::stdin()
            .take(MAX_BODY)
            .read_to_string(&mut body)
            .context("cannot read the message from stdin")?;
    }
    if body.trim().is_empty() {
        body = format!("{subject}\n\n(sent by docket notify-admin)\n");
    } else if crate::mail::message::subject_line(subject).1 {
        // The subject is cut on the header line: the whole of it leads the
        // body, so nothing the caller said is lost.
        body = format!("Subject: {subject}\n\n{body}");
    }
    let mail = cfg.service.admin_mail.as_deref().unwrap_or(&cfg.mail);
    let mailer = crate::mail::Mailer::new(mail, clock)
        .context("the admin's mail transport is not usable")?;
    let msg = crate::mail::message::plain(
        &mail.from,
        admin,
        &format!("[docket] admin: {subject}"),
        &body,
    )
    .context("cannot build the message")?;
    let sent = mailer.send(&msg, "admin").await;
    mailer.close_idle().await;
    let answer = sent.map_err(|e| anyhow::anyhow!("send failed: {e}"))?;
    println!("sent: {answer}");
    Ok(())
}
