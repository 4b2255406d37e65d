//! The relay unreachable for several compressed days (`--today`), then
//! back: every digest once, queued ones as they were, missed steps caught
//! up; what the admin is told.

use super::{
    accepted_queue_ids, dead_relay, digests, key_to_mid, outage_config, run_once, settled_delivery,
    OUT_D,
};
use crate::util::{
    entries, field, file_len, history, test_mail_env, unique_tag, Mail, MaildirScan,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// (case, step, recipient, due_date, late, state, attempts) rows, sorted.
type Brief = (String, String, String, String, bool, String, u64);

fn brief(rows: &[Value]) -> Vec<Brief> {
    let mut v: Vec<Brief> = rows
        .iter()
        .map(|r| {
            (
                field(r, "case").to_string(),
                field(r, "step").to_string(),
                field(r, "recipient").to_string(),
                field(r, "due_date").to_string(),
                r["late"].as_bool().unwrap(),
                field(r, "state").to_string(),
                r["attempts"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A `Brief` of case `which` of the test tagged `tag`:
/// `(step, recipient, due_date)`, late, `(state, attempts)`.
fn b(tag: &str, which: &str, what: (&str, &str, &str), late: bool, st: (&str, u64)) -> Brief {
    let (step, to, due) = what;
    (
        format!("KZ-{tag}-{which}"),
        step.into(),
        to.into(),
        due.into(),
        late,
        st.0.into(),
        st.1,
    )
}

#[test]
fn outage_relay_down_for_days_then_every_digest_arrives_once_with_its_message_id() {
    let env = test_mail_env();
    let t0 = Instant::now();
    let tag = unique_tag();
    let from = format!("docket-outage-{tag}@ngo.example");
    let admin = format!("it-{tag}@ngo.example");
    let tmp = tempfile::tempdir().unwrap();
    let log_offset = file_len(&env.log());
    let mut scan = MaildirScan::new(&env.maildir(), &from);

    // Days D..D+3: the relay is down. Each pass exits 1 and keeps its
    // digests queued; new steps are recorded as they fall due.
    let cfg = outage_config(tmp.path(), &tag, &dead_relay(&from), "");
    let mut failed_per_pass = Vec::new();
    for day in &OUT_D[..4] {
        let log = run_once(&cfg, day, 1);
        assert!(log.contains("permanent=false"), "{log}");
        failed_per_pass.push(log.matches("send failed; kept queued").count());
    }
    assert_eq!(failed_per_pass, vec![2, 3, 5, 5], "digests tried per pass");
    let t = &tag;
    let queued = history(&cfg);
    assert_eq!(
        brief(&queued),
        {
            let mut v = vec![
                b(t, "A", ("4d", "aigerim", "2026-06-03"), false, ("due", 2)),
                b(t, "A", ("6d", "aigerim", "2026-06-01"), false, ("due", 4)),
                b(t, "C", ("1d", "bolat", "2026-06-03"), false, ("due", 2)),
                b(t, "C", ("2d", "bolat", "2026-06-02"), false, ("due", 3)),
                // Caught up on D, docket's first day: its 6d step (05-29)
                // was never sent; new to docket, not late (issue 18).
                b(t, "C", ("4d", "bolat", "2026-05-31"), false, ("due", 4)),
            ];
            v.sort();
            v
        },
        "the ledger after four days of outage"
    );
    let queued_mids = key_to_mid(&queued);
    assert_eq!(digests(&queued).len(), 5, "five queued digests");

    // D+4 and D+5: docket itself is off too. D+6: the relay is back.
    let cfg = outage_config(
        tmp.path(),
        &tag,
        &env.relay(&from, "DOCKET_TEST_SMTP_PORT_STARTTLS"),
        "",
    );
    let log = run_once(&cfg, OUT_D[6], 0);
    assert!(log.contains("digests_sent=7"), "{log}");
    let rows = history(&cfg);
    let mut want: Vec<Brief> = brief(&queued)
        .into_iter()
        .map(|mut r| {
            r.5 = "sent".into();
            r
        })
        .collect();
    // Only the latest missed step of items never recorded meanwhile:
    // A's 1d (not its 2d), B's 4d due today (not its 6d), C's overdue-0.
    want.push(b(
        t,
        "A",
        ("1d", "aigerim", "2026-06-06"),
        true,
        ("sent", 0),
    ));
    want.push(b(
        t,
        "B",
        ("4d", "aigerim", "2026-06-07"),
        false,
        ("sent", 0),
    ));
    want.push(b(
        t,
        "C",
        ("overdue-0", "bolat", "2026-06-05"),
        true,
        ("sent", 0),
    ));
    want.sort();
    assert_eq!(brief(&rows), want, "the ledger after the relay came back");
    // Queued digests went out as they were: same rows, same Message-IDs.
    let now_mids = key_to_mid(&rows);
    for (k, mid) in &queued_mids {
        assert_eq!(now_mids.get(k), Some(mid), "{k:?}: the Message-ID changed");
    }
    let ledger = digests(&rows);
    assert_eq!(ledger.len(), 7, "{ledger:?}");
    let mids: BTreeSet<String> = ledger.keys().cloned().collect();

    let mails = settled_delivery(&env, &mut scan, log_offset, &from, &mids);
    let (to_admin, digests_in): (Vec<&Mail>, Vec<&Mail>) = mails
        .iter()
        .partition(|m| m.header("To") == Some(admin.as_str()));
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &digests_in {
        *seen.entry(m.header("Message-ID").unwrap()).or_default() += 1;
    }
    assert_eq!(
        seen.keys().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
        mids,
        "the Message-IDs delivered"
    );
    assert!(
        seen.values().all(|&n| n == 1),
        "a digest arrived more than once: {seen:?}"
    );
    for m in &digests_in {
        let mid = m.header("Message-ID").unwrap();
        let rows = &ledger[mid];
        let to = format!("{}-{tag}@ngo.example", field(&rows[0], "recipient"));
        assert_eq!(m.header("To"), Some(to.as_str()));
        let text = m.text();
        let es = entries(text);
        assert_eq!(es.len(), rows.len(), "{text}");
        // Everything scheduled before D+6 is marked late, with its day,
        // but for C's first step: new on D, docket's first day.
        let (new, late): (Vec<&Value>, Vec<&Value>) = rows
            .iter()
            .filter(|r| field(r, "due_date") < OUT_D[6])
            .partition(|r| r["new"] == Value::Bool(true));
        assert_eq!(text.matches("[LATE]").count(), late.len(), "{text}");
        assert_eq!(text.matches("[NEW]").count(), new.len(), "{text}");
        for r in late {
            let note = format!("planned for {}", field(r, "due_date"));
            assert!(text.contains(&note), "{note:?} not in:\n{text}");
        }
    }

    // A second pass the same day: nothing more.
    let accepted = accepted_queue_ids(&env, log_offset, &from).len();
    let log = run_once(&cfg, OUT_D[6], 0);
    assert!(log.contains("digests_sent=0"), "{log}");
    assert_eq!(history(&cfg), rows, "the ledger changed");
    // docket has exited: whatever it handed the relay was accepted (and
    // logged) before its send returned.
    assert_eq!(
        accepted_queue_ids(&env, log_offset, &from).len(),
        accepted,
        "the server got more mail"
    );
    println!(
        "outage: 4 failing passes tried {:?} digests; after the relay came back: {} digests \
         ({} resent under their queued Message-IDs), each delivered once; admin mails {}; {:.1}s",
        failed_per_pass,
        ledger.len(),
        queued_mids.values().collect::<BTreeSet<_>>().len(),
        to_admin.len(),
        t0.elapsed().as_secs_f64()
    );
}

/// SPEC §4: "a message that still fails is kept and the operator is
/// told". With the relay down, the alert cannot go through it, so it must
/// at least be logged once a digest has been unsent for longer than
/// `alert_after_hours` — here on the passes of D+1 and D+2, one and two
/// days after the digest was recorded (time compressed with `--today`).
#[test]
fn outage_the_admin_is_told_once_a_digest_is_unsent_past_alert_after_hours() {
    let tag = unique_tag();
    let from = format!("docket-stale-{tag}@ngo.example");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = outage_config(
        tmp.path(),
        &tag,
        &dead_relay(&from),
        "alert_after_hours = 24",
    );

    run_once(&cfg, OUT_D[0], 1);
    // The two digests recorded on D (A's 6d, C's 4d).
    let on_d: BTreeSet<String> = digests(&history(&cfg)).into_keys().collect();
    assert_eq!(on_d.len(), 2, "{on_d:?}");
    let later = [run_once(&cfg, OUT_D[1], 1), run_once(&cfg, OUT_D[2], 1)].concat();
    let rows = history(&cfg);
    assert!(rows.iter().all(|r| field(r, "state") == "due"), "{rows:?}");
    for mid in &on_d {
        assert!(
            later
                .lines()
                .any(|l| l.contains("a digest is still unsent") && l.contains(mid.as_str())),
            "no alert for {mid}, unsent since {} (passes on {} and {} with \
             alert_after_hours = 24):\n{later}",
            OUT_D[0],
            OUT_D[1],
            OUT_D[2]
        );
    }
    // The relay is the one that is down: mailing the admin fails, and says so.
    assert!(later.contains("cannot mail the admin"), "{later}");
}
