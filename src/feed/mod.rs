//! Calendar feeds: one iCalendar file (RFC 5545) per caseworker and one per
//! supervisor's team, so deadlines sit in the calendars caseworkers live in.
//!
//! Every unresolved deadline of the next [`HORIZON_DAYS`] days is an
//! all-day event on its act-by date, with the deadline, the kind (its
//! label in the feed owner's language), the case reference and the line to
//! write in which file. An overdue one sits on the day the feed is made
//! for, its summary marked overdue and its act-by date in the description:
//! on its own past date a week or day view would never show it, and an
//! unresolved overdue deadline is the one thing a caseworker must see. It
//! moves a day each day, so its `SEQUENCE` goes up each day (its UID
//! stays). Bill stages and reviews go to their owners.
//!
//! A subscribed calendar is only useful if it is stable: each event's UID
//! comes from the item alone (a hash of its case reference and item key:
//! never random, never a name), and its `DTSTAMP` and `SEQUENCE` change
//! only when the event does. That needs memory across passes: the
//! [`Revision`] of each event, kept in the ledger database. Building the
//! events ([`feeds`]), revising them ([`revise`]) and rendering
//! ([`render`], [`render_to`]: `render.rs`) are pure; only `files.rs`
//! ([`prepare_dir`], [`render_into_file`], [`remove_others`]) touches the
//! disk.
//!
//! Privacy: person names and event titles only with `names_in_email`,
//! document numbers only with `numbers_in_email`, as in mail bodies.

use crate::config::model::{Config, Language};
use crate::engine::{Cadence, Item, ItemType, Source, Step};
pub use crate::ledger::Revision;
use crate::mail::labels;
use crate::mail::texts::{texts, Texts};
use chrono::{DateTime, Days, NaiveDate, Utc};
use std::collections::HashMap;

mod files;
mod render;
pub use files::{prepare_dir, remove_others, render_into_file};
pub use render::{render, render_plan_to, render_to, LINE_OCTETS};

/// How far ahead a feed looks.
pub const HORIZON_DAYS: u64 = 400;

/// How often a subscribed client should fetch the feed again (hours).
pub const REFRESH_HOURS: i64 = 1;

/// What a feed's file starts with, to tell our feeds from other files.
pub const PRODID: &str = concat!("-//docket//docket ", env!("CARGO_PKG_VERSION"), "//EN");

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// From the item's identity; the UID is `docket-<hex>@docket`.
    pub id: u64,
    /// The act-by date; today's for an overdue deadline.
    pub date: NaiveDate,
    pub summary: String,
    pub description: String,
    /// The edit page of the item's file (`[service] edit_url`): the
    /// event's `URL`, and the description's last line.
    pub url: Option<String>,
}

impl FeedEvent {
    pub fn uid(&self) -> String {
        format!("docket-{:016x}@docket", self.id)
    }

    /// What changes when the event does.
    pub fn content_hash(&self) -> u64 {
        let mut h = Fnv::default();
        h.feed(self.date.to_string().as_bytes());
        h.feed(b"\x1f");
        h.feed(self.summary.as_bytes());
        h.feed(b"\x1f");
        h.feed(self.description.as_bytes());
        // Only when there is one: without `edit_url` the hashes (and so
        // the revisions) stay what they were.
        if let Some(u) = &self.url {
            h.feed(b"\x1f");
            h.feed(u.as_bytes());
        }
        h.0
    }
}

/// One feed: a caseworker's own, or a supervisor's team's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// The file name without `.ics`: the caseworker id, or `<id>-team`.
    pub name: String,
    /// The calendar's display name.
    pub title: String,
    pub events: Vec<FeedEvent>,
}

/// FNV-1a, 64 bit: a stable hash (the standard library's is not stable
/// across releases, and the ids end up in people's calendars).
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The identity of an item across passes: its case (or bill) and item key.
/// The daemon also reads it back from the feed revisions to tell whether
/// it had seen an item before (`daemon::compose`: new, not late).
pub fn event_id(it: &Item<'_>) -> u64 {
    let mut h = Fnv::default();
    h.feed(it.reference.as_bytes());
    h.feed(b"|");
    let mut key = String::new();
    it.write_key(&mut key);
    h.feed(key.as_bytes());
    h.0
}

/// Does this item belong in a feed on `today`?
fn in_feed(it: &Item<'_>, today: NaiveDate) -> bool {
    let horizon = today
        .checked_add_days(Days::new(HORIZON_DAYS))
        .unwrap_or(NaiveDate::MAX);
    it.is_deadline() && !it.resolved_on(today) && it.act_by <= horizon
}

/// A feed before its events are made: its name, title, and the items it
/// holds (with, in a team feed, whose each is). The daemon makes one
/// event at a time from these ([`FeedPlan::order`],
/// [`FeedPlan::each_event`]); [`FeedPlan::build`] makes the whole feed.
/// At 100,000 cases all the events at once are ~200,000 pairs of strings,
/// tens of MB, which the daemon's peak would otherwise carry beside the
/// items.
pub struct FeedPlan<'a, 'c> {
    /// The file name without `.ics`: the caseworker id, or `<id>-team`.
    pub name: String,
    /// The calendar's display name.
    pub title: String,
    lang: Language,
    members: Vec<(&'a Item<'c>, Option<usize>)>,
}

impl FeedPlan<'_, '_> {
    /// The feed's events, sorted by date (then id), each item once.
    pub fn build(&self, cfg: &Config, today: NaiveDate) -> Feed {
        let order = self.order(today);
        let mut events = Vec::with_capacity(order.len());
        self.each_event(cfg, today, &order, |e| events.push(e));
        Feed {
            name: self.name.clone(),
            title: self.title.clone(),
            events,
        }
    }

    /// Where each event goes, without its texts: (date, id, member), by
    /// date then id (members in their order when both are equal), each
    /// id once (its first). The daemon makes the events from this one at
    /// a time, twice when the file is rewritten (to revise, then to
    /// render): a team feed at 100,000 cases is ~180,000 events, ~60 MB
    /// with their texts.
    pub fn order(&self, today: NaiveDate) -> Vec<(NaiveDate, u64, u32)> {
        let mut order: Vec<(NaiveDate, u64, u32)> = self
            .members
            .iter()
            .enumerate()
            .map(|(i, (it, _))| (event_date(it, today), event_id(it), i as u32))
            .collect();
        order.sort_by_key(|&(date, id, _)| (date, id));
        order.dedup_by_key(|&mut (_, id, _)| id);
        order
    }

    /// Each event of `order` (from [`FeedPlan::order`]), made in turn.
    pub fn each_event(
        &self,
        cfg: &Config,
        today: NaiveDate,
        order: &[(NaiveDate, u64, u32)],
        mut f: impl FnMut(FeedEvent),
    ) {
        let t = texts(self.lang);
        for &(_, _, i) in order {
            let (it, whose) = self.members[i as usize];
            f(event(cfg, t, self.lang, it, whose, today));
        }
    }
}

/// An event's day: its act-by date, or today for an overdue one.
fn event_date(it: &Item<'_>, today: NaiveDate) -> NaiveDate {
    if it.act_by < today {
        today
    } else {
        it.act_by
    }
}

/// Every caseworker's feed, and a team feed for each supervisor, as plans:
/// the items each holds, in the order [`feeds`] lists them.
pub fn plan<'a, 'c>(
    cfg: &Config,
    items: &'a [Item<'c>],
    today: NaiveDate,
) -> Vec<FeedPlan<'a, 'c>> {
    let n = cfg.caseworkers.len();
    // Items by caseworker index, and by supervisor for the team feeds.
    let mut own: Vec<Vec<(&Item<'_>, Option<usize>)>> = vec![Vec::new(); n];
    let mut team: Vec<Vec<(&Item<'_>, Option<usize>)>> = vec![Vec::new(); n];
    for it in items.iter().filter(|it| in_feed(it, today)) {
        for &c in it.to.iter() {
            own[c].push((it, None));
            if let Some(s) = cfg.caseworkers[c].supervisor {
                team[s].push((it, Some(c)));
            }
        }
    }
    let mut out = Vec::new();
    for ((cw, own), team) in cfg.caseworkers.iter().zip(own).zip(team) {
        let lang = cw.language;
        let t = texts(lang);
        out.push(FeedPlan {
            name: file_stem(&cw.id),
            title: t.feed.own.replace("{name}", cw.name.expose()),
            lang,
            members: own,
        });
        if !team.is_empty() {
            out.push(FeedPlan {
                name: team_stem(&cw.id),
                title: t.feed.team.replace("{name}", cw.name.expose()),
                lang,
                members: team,
            });
        }
    }
    out
}

/// Every caseworker's feed, and a team feed for each supervisor, whole
/// (the tests' reference for what [`plan`] makes one event at a time).
#[cfg(test)]
pub fn feeds(cfg: &Config, items: &[Item<'_>], today: NaiveDate) -> Vec<Feed> {
    plan(cfg, items, today)
        .iter()
        .map(|p| p.build(cfg, today))
        .collect()
}

// The feeds' file names are made where ids are checked (config's ids
// rule), so that `docket check` can refuse ids whose feeds would collide
// without importing this module (an arrow up).
pub use crate::config::validate::ids::{file_stem, team_stem};

/// The event of one item, in `lang`; `whose`: in a team feed, the
/// caseworker it is for. An overdue one goes on `today`, marked.
fn event(
    cfg: &Config,
    t: &Texts,
    lang: Language,
    it: &Item<'_>,
    whose: Option<usize>,
    today: NaiveDate,
) -> FeedEvent {
    let overdue = it.act_by < today;
    let label = match (it.item, it.cadence) {
        (ItemType::Bill, Cadence::Review(_)) => t.bill_review.to_string(),
        (ItemType::Bill, _) => t
            .expected_stage
            .replace("{stage}", &labels::stage(it.kind, lang)),
        _ => labels::kind(cfg, it.kind, lang),
    };
    let mut summary = if overdue {
        // The digest's tag, in the owner's language: "ПРОСРОЧЕНО: …".
        format!("{}: {} · {label}", t.tag_overdue, it.reference)
    } else {
        format!("{} · {label}", it.reference)
    };
    let mut lines = Vec::new();
    lines.push(when_line(t, it, today, overdue));
    source_lines(cfg, t, it, &mut lines);
    if it.item != ItemType::Bill {
        // The kind's label, as the digest names it ("Судебное заседание",
        // not `court_hearing`). A bill's "kind" is its stage, which the
        // summary already names.
        lines.push(format!(
            "{}: {}",
            t.feed.kind,
            labels::kind(cfg, it.kind, lang)
        ));
    }
    let step = match it.cadence {
        Cadence::Review(_) => Step::Review(0),
        _ => Step::Lead(0),
    };
    if let Some(r) = crate::mail::view::record(cfg, t, it, step, None) {
        lines.push(format!("{}: {}", t.feed.write, r.text));
    }
    if let Some(c) = whose {
        let cw = &cfg.caseworkers[c];
        summary.push_str(&format!(" ({})", cw.name.expose()));
        lines.push(format!(
            "{}: {} ({})",
            t.feed.caseworker,
            cw.name.expose(),
            cw.id
        ));
    }
    let url = crate::mail::entry::item_edit_link(cfg, it);
    if let Some(u) = &url {
        lines.push(format!("{}: {u}", t.edit));
    }
    FeedEvent {
        id: event_id(it),
        date: event_date(it, today),
        summary,
        description: lines.join("\n"),
        url,
    }
}

/// The event's first line: act by (and the deadline, when it differs),
/// and how long ago for an overdue one ("33 days overdue": the real date
/// is in the line before it, the event itself sits on today).
fn when_line(t: &Texts, it: &Item<'_>, today: NaiveDate, overdue: bool) -> String {
    let mut when = t.act_by.replace("{date}", &it.act_by.to_string());
    if it.deadline != it.act_by {
        when.push_str(" · ");
        when.push_str(&t.deadline.replace("{date}", &it.deadline.to_string()));
    }
    if overdue {
        when.push_str(" · ");
        when.push_str(&t.when((it.act_by - today).num_days()));
    }
    when
}

/// The lines that say what the event is about: the bill and its title, or
/// the case (with the person's name and the document's number only where
/// `[privacy]` lets mail show them, SPEC 9), and an event's title.
fn source_lines(cfg: &Config, t: &Texts, it: &Item<'_>, lines: &mut Vec<String>) {
    let p = cfg.privacy;
    match it.source {
        Source::Bill { bill } => {
            let b = cfg.bill(bill);
            let title = if b.title.is_empty() {
                String::new()
            } else {
                format!(" — {}", b.title)
            };
            lines.push(format!("{}: {}{title}", t.bill, it.reference));
        }
        Source::Document { case, index } => {
            let c = cfg.case(case);
            lines.push(case_line(
                t,
                it.reference,
                c.person.as_ref(),
                p.names_in_email,
            ));
            if let Some(n) = c.documents[index]
                .number
                .as_ref()
                .filter(|_| p.numbers_in_email)
            {
                lines.push(format!("{}: {}", t.number, n.expose()));
            }
        }
        Source::Request { case, index } => {
            let c = cfg.case(case);
            lines.push(case_line(
                t,
                it.reference,
                c.person.as_ref(),
                p.names_in_email,
            ));
            if let Some(n) = c.requests[index]
                .number
                .as_ref()
                .filter(|_| p.numbers_in_email)
            {
                lines.push(format!("{}: {}", t.number, n.expose()));
            }
        }
        Source::Event { case, index } => {
            let c = cfg.case(case);
            lines.push(case_line(
                t,
                it.reference,
                c.person.as_ref(),
                p.names_in_email,
            ));
            let title = &c.events[index].title;
            if p.names_in_email && !title.expose().is_empty() {
                lines.push(format!("{}: {}", t.title, title.expose()));
            }
        }
    }
}

fn case_line(
    t: &Texts,
    reference: &str,
    person: Option<&crate::config::model::Sensitive>,
    names: bool,
) -> String {
    match person.filter(|_| names) {
        Some(p) => format!("{}: {reference} · {}", t.feed.case, p.expose()),
        None => format!("{}: {reference}", t.feed.case),
    }
}

/// Each event's revision given what was known: the same content keeps its
/// `SEQUENCE` and `DTSTAMP`; a changed one gets the next sequence and
/// `now`; a new one sequence 0 and `now`.
pub fn revise(feed: &Feed, known: &HashMap<u64, Revision>, now: DateTime<Utc>) -> Vec<Revision> {
    feed.events
        .iter()
        .map(|e| revision(e, known.get(&e.id), now))
        .collect()
}

/// One event's revision given the one known (see [`revise`]).
pub fn revision(e: &FeedEvent, known: Option<&Revision>, now: DateTime<Utc>) -> Revision {
    let now = now.with_timezone(&Utc);
    // DTSTAMP has whole seconds.
    let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let hash = e.content_hash();
    match known {
        Some(r) if r.hash == hash => *r,
        Some(r) => Revision {
            hash,
            sequence: r.sequence + 1,
            stamp: now,
        },
        None => Revision {
            hash,
            sequence: 0,
            stamp: now,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::render::{fold_line, refold};
    use super::*;

    fn ev(id: u64, summary: &str) -> FeedEvent {
        FeedEvent {
            id,
            date: NaiveDate::from_ymd_opt(2026, 12, 17).unwrap(),
            summary: summary.into(),
            description: "act by 2026-12-17".into(),
            url: None,
        }
    }

    #[test]
    fn revisions_change_only_with_the_event() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let t1 = t0 + chrono::Duration::days(1);
        let feed = Feed {
            name: "aigerim".into(),
            title: "docket: Aigerim Example".into(),
            events: vec![ev(1, "KZ-0042 · Refugee certificate")],
        };
        let r0 = revise(&feed, &HashMap::new(), t0);
        assert_eq!((r0[0].sequence, r0[0].stamp), (0, t0));
        let known: HashMap<u64, Revision> = [(1, r0[0])].into();
        assert_eq!(revise(&feed, &known, t1), r0, "unchanged: same revision");
        let mut moved = feed.clone();
        moved.events[0].date = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
        let r1 = revise(&moved, &known, t1);
        assert_eq!((r1[0].sequence, r1[0].stamp), (1, t1));
    }

    #[test]
    fn rendered_feed_has_fixed_uids_dates_and_refresh() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let feed = Feed {
            name: "aigerim".into(),
            title: "docket: Aigerim Example".into(),
            events: vec![ev(0xabc, "KZ-0042 · Refugee certificate")],
        };
        let text = render(&feed, &revise(&feed, &HashMap::new(), t0));
        for want in [
            "BEGIN:VCALENDAR\r\n",
            "PRODID:-//docket//docket ",
            "UID:docket-0000000000000abc@docket\r\n",
            "DTSTART;VALUE=DATE:20261217\r\n",
            "DTEND;VALUE=DATE:20261218\r\n",
            "SEQUENCE:0\r\n",
            "DTSTAMP:20270115T080000Z\r\n",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n",
            "X-PUBLISHED-TTL:PT1H\r\n",
            "X-WR-CALNAME:docket: Aigerim Example\r\n",
        ] {
            assert!(text.contains(want), "{want:?} in:\n{text}");
        }
        assert_eq!(text, render(&feed, &revise(&feed, &HashMap::new(), t0)));
    }

    /// Issue 18, item 9: the crate let a line's tail after a fold run to
    /// 75 octets plus the space (76). Every length and offset, ASCII and
    /// two- and three-octet letters: at most 75 octets a line, whole
    /// characters, and unfolding gives the line back.
    #[test]
    fn item9_folds_keep_every_line_within_75_octets_on_character_boundaries() {
        for unit in ["a", "ы", "ә", "€", "a ", "ы "] {
            for pad in 0..4 {
                for n in 0..120 {
                    let line = format!("DESCRIPTION:{}{}", "x".repeat(pad), unit.repeat(n));
                    let mut out = String::new();
                    fold_line(&line, &mut out);
                    let phys: Vec<&str> = out.split_terminator("\r\n").collect();
                    for (i, p) in phys.iter().enumerate() {
                        assert!(p.len() <= LINE_OCTETS, "{} octets: {p:?}", p.len());
                        assert_eq!(i > 0, p.starts_with(' '), "{out:?}");
                        assert!(!p.starts_with("  "), "a fold before a space: {out:?}");
                    }
                    assert_eq!(out.replace("\r\n ", ""), format!("{line}\r\n"));
                }
            }
        }
        // The crate's folds are undone first, then made again.
        let crate_folded = format!(
            "SUMMARY:{}\r\n {}\r\nEND:VEVENT\r\n",
            "я".repeat(33),
            "я".repeat(37)
        );
        let again = refold(&crate_folded);
        assert_eq!(
            again.replace("\r\n ", ""),
            format!("SUMMARY:{}\r\nEND:VEVENT\r\n", "я".repeat(70))
        );
        assert!(
            again.split("\r\n").all(|l| l.len() <= LINE_OCTETS),
            "{again:?}"
        );
    }

    /// A CR (or any other control character) in a name or a title, which
    /// `docket check` accepts, never reaches a feed raw: it would end the
    /// content line it is on.
    #[test]
    fn item9_control_characters_in_values_become_spaces() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut e = ev(1, "KZ-0042 · Gulnar\rFictional\u{7}");
        e.description = "Case: KZ-0042 · Gulnar\rFictional\nKind: x\ty".into();
        let feed = Feed {
            name: "aigerim".into(),
            title: "docket: Aigerim\rExample".into(),
            events: vec![e],
        };
        let text = render(&feed, &revise(&feed, &HashMap::new(), t0));
        for line in text.split_terminator("\r\n") {
            assert!(!line.chars().any(char::is_control), "{line:?}");
        }
        assert!(
            text.contains("SUMMARY:KZ-0042 · Gulnar Fictional \r\n"),
            "{text}"
        );
        assert!(text.contains("Gulnar Fictional\\nKind: x y"), "{text}");
        assert!(
            text.contains("X-WR-CALNAME:docket: Aigerim Example\r\n"),
            "{text}"
        );
    }

    /// SPEC 7: an event with an edit page carries it as `URL` (a URI,
    /// not escaped, folded as any line) and in its description; an
    /// event without one is rendered and revised as before.
    #[test]
    fn edit_url_is_the_events_url() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let link = "https://git.ngo.example/ngo/cases/_edit/main/cases/%D0%B4%D0%B5%D0%BB%D0%BE,kz-0042.toml";
        let plain = ev(1, "KZ-0042 · Refugee certificate");
        let mut linked = plain.clone();
        linked.url = Some(link.into());
        linked.description.push_str(&format!("\nEdit: {link}"));
        assert_ne!(plain.content_hash(), linked.content_hash());
        let feed = |e: &FeedEvent| Feed {
            name: "aigerim".into(),
            title: "docket: Aigerim Example".into(),
            events: vec![e.clone()],
        };
        let text = render(&feed(&linked), &revise(&feed(&linked), &HashMap::new(), t0));
        assert!(text.split("\r\n").all(|l| l.len() <= LINE_OCTETS), "{text}");
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("\r\nURL:{link}\r\n")), "{text}");
        // In the description a TEXT value: its comma escaped.
        assert!(
            unfolded.contains(&format!("\\nEdit: {}", link.replace(',', "\\,"))),
            "{text}"
        );
        let text = render(&feed(&plain), &revise(&feed(&plain), &HashMap::new(), t0));
        assert!(!text.contains("URL"), "{text}");
        assert_eq!(plain.content_hash(), {
            let mut h = Fnv::default();
            h.feed(plain.date.to_string().as_bytes());
            h.feed(b"\x1f");
            h.feed(plain.summary.as_bytes());
            h.feed(b"\x1f");
            h.feed(plain.description.as_bytes());
            h.0
        });
    }

    /// What the daemon writes, one event at a time from a plan, is what
    /// the whole feed renders to: the same events in the same order, the
    /// same revisions, the same text, for every feed of the example
    /// (teams included) on days with overdue and upcoming items.
    #[test]
    fn a_plan_rendered_event_by_event_is_the_whole_feed() {
        let (_dir, cfg) = crate::test_support::example();
        let items = crate::engine::items(&cfg);
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut events = 0;
        for day in [(2026, 11, 16), (2027, 3, 1)] {
            let today = NaiveDate::from_ymd_opt(day.0, day.1, day.2).unwrap();
            let plans = plan(&cfg, &items, today);
            assert!(plans.iter().any(|p| p.name.ends_with("-team")));
            for (p, whole) in plans.iter().zip(feeds(&cfg, &items, today)) {
                assert_eq!(p.name, whole.name);
                let order = p.order(today);
                let mut revs = Vec::new();
                p.each_event(&cfg, today, &order, |e| {
                    revs.push(revision(&e, None, t0));
                });
                assert_eq!(revs, revise(&whole, &HashMap::new(), t0), "{}", p.name);
                let mut text = Vec::new();
                render_plan_to(&cfg, p, today, &order, &revs, &mut text).unwrap();
                assert_eq!(String::from_utf8(text).unwrap(), render(&whole, &revs));
                events += whole.events.len();
            }
        }
        assert!(events > 0, "the example has feed events");
    }
}
