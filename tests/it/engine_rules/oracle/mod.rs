//! Property tests: random configs against an oracle written from SPEC §3.

use super::*;

mod model;
use model::*;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MODES: [&str; 3] = ["before", "after", "keep"];
const VALID_FOR: [&str; 6] = ["1y", "6m", "90d", "2y", "1m", "3m"];
const WITHIN: [&str; 7] = ["15wd", "30d", "2m", "1y", "5wd", "1wd", "10d"];
const DOC_STATUS: [&str; 6] = [
    "active",
    "active",
    "expired",
    "renewal_filed",
    "renewed",
    "withdrawn",
];
const REQ_STATUS: [&str; 6] = [
    "pending",
    "pending",
    "pending",
    "answered",
    "refused",
    "withdrawn",
];
const STAGES: [&str; 5] = ["drafted", "mazhilis", "senate", "signed", "in_force"];
/// w0 and w2 report to w1, w3 to w0, w1 to nobody.
const SUPERVISOR: [Option<usize>; 4] = [Some(1), None, Some(1), Some(0)];

#[derive(Debug, Clone)]
struct GDoc {
    issued: NaiveDate,
    expires_in: Option<u32>,
    status: &'static str,
    lead: Option<Vec<u32>>,
}

#[derive(Debug, Clone)]
struct GReq {
    filed: NaiveDate,
    within: Option<&'static str>,
    extended_in: Option<u32>,
    status: &'static str,
    waiting: Option<usize>,
}

#[derive(Debug, Clone)]
struct GEvent {
    date: NaiveDate,
    lead: Vec<u32>,
}

#[derive(Debug, Clone)]
struct GCase {
    cw: usize,
    docs: Vec<GDoc>,
    reqs: Vec<GReq>,
    event: Option<GEvent>,
}

#[derive(Debug, Clone)]
struct GBill {
    owner: usize,
    stage: usize,
    since: Option<NaiveDate>,
    expected: [Option<NaiveDate>; 5],
    review: Option<(NaiveDate, u32)>,
    lead: Option<Vec<u32>>,
}

/// A kind: its duration and optional (overdue_every_days, escalate_within_days).
#[derive(Debug, Clone)]
struct GKind {
    dur: &'static str,
    rules: Option<(u32, u32)>,
}

#[derive(Debug, Clone)]
struct World {
    weekend: Vec<usize>,
    kz: bool,
    extra_h: Vec<NaiveDate>,
    extra_w: Vec<NaiveDate>,
    mode: usize,
    lead: Vec<u32>,
    overdue: u32,
    escalate: u32,
    doc_kinds: Vec<GKind>,
    req_kinds: Vec<GKind>,
    cases: Vec<GCase>,
    bills: Vec<GBill>,
}

fn date_s() -> impl Strategy<Value = NaiveDate> {
    (0u64..4383).prop_map(|n| d("2015-01-01") + Days::new(n))
}

/// A lead day: mostly small, so that steps collide on one working day and
/// meet the escalation window's edge often.
fn lead_day_s() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..3, 0u32..12, 0u32..120]
}

fn lead_s() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(lead_day_s(), 0..6)
}

fn doc_s() -> impl Strategy<Value = GDoc> {
    (
        date_s(),
        prop::option::of(0u32..900),
        prop::sample::select(DOC_STATUS.to_vec()),
        prop::option::of(lead_s()),
    )
        .prop_map(|(issued, expires_in, status, lead)| GDoc {
            issued,
            expires_in,
            status,
            lead,
        })
}

fn req_s() -> impl Strategy<Value = GReq> {
    (
        date_s(),
        prop::option::of(prop::sample::select(WITHIN.to_vec())),
        prop::option::of(0u32..400),
        prop::sample::select(REQ_STATUS.to_vec()),
        prop::option::of(0usize..2),
    )
        .prop_map(|(filed, within, extended_in, status, waiting)| GReq {
            filed,
            within,
            extended_in,
            status,
            waiting,
        })
}

fn case_s() -> impl Strategy<Value = GCase> {
    (
        0usize..4,
        prop::collection::vec(doc_s(), 0..=2),
        prop::collection::vec(req_s(), 0..=2),
        prop::option::of(
            (date_s(), prop::collection::vec(lead_day_s(), 1..4))
                .prop_map(|(date, lead)| GEvent { date, lead }),
        ),
    )
        .prop_map(|(cw, docs, reqs, event)| GCase {
            cw,
            docs,
            reqs,
            event,
        })
}

fn bill_s() -> impl Strategy<Value = GBill> {
    (
        0usize..4,
        0usize..5,
        prop::option::of(date_s()),
        prop::array::uniform5(prop::option::of(date_s())),
        prop::option::of((date_s(), 1u32..90)),
        prop::option::of(lead_s()),
    )
        .prop_map(|(owner, stage, since, expected, review, lead)| GBill {
            owner,
            stage,
            since,
            expected,
            review,
            lead,
        })
}

fn kind_s(durs: &'static [&'static str]) -> impl Strategy<Value = GKind> {
    (
        prop::sample::select(durs.to_vec()),
        prop::option::of((0u32..30, 0u32..12)),
    )
        .prop_map(|(dur, rules)| GKind { dur, rules })
}

fn world_s() -> impl Strategy<Value = World> {
    let cal = (
        prop::sample::subsequence((0usize..7).collect::<Vec<_>>(), 0..=3),
        prop::bool::weighted(0.8),
        prop::collection::vec(date_s(), 0..4),
        prop::collection::vec(date_s(), 0..4),
        0usize..3,
    );
    let rules = (lead_s(), 0u32..30, 0u32..12);
    let kinds = (
        prop::collection::vec(kind_s(&VALID_FOR), 2),
        prop::collection::vec(kind_s(&WITHIN), 2),
    );
    let people = (
        prop::collection::vec(case_s(), 1..=5),
        prop::collection::vec(bill_s(), 0..=2),
    );
    (cal, rules, kinds, people).prop_map(
        |(
            (weekend, kz, extra_h, extra_w, mode),
            (lead, overdue, escalate),
            (doc_kinds, req_kinds),
            (mut cases, bills),
        )| {
            let extra_w: Vec<NaiveDate> = extra_w
                .into_iter()
                .filter(|x| !extra_h.contains(x))
                .collect();
            for c in &mut cases {
                for r in &mut c.reqs {
                    r.waiting = r.waiting.filter(|&w| w < bills.len());
                }
            }
            World {
                weekend,
                kz,
                extra_h,
                extra_w,
                mode,
                lead,
                overdue,
                escalate,
                doc_kinds,
                req_kinds,
                cases,
                bills,
            }
        },
    )
}

fn toml_dates(v: &[NaiveDate]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn toml_nums(v: &[u32]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn render(w: &World) -> String {
    use std::fmt::Write;
    let mut s = String::from(HEADER);
    let weekend: Vec<String> = w
        .weekend
        .iter()
        .map(|&i| format!("\"{}\"", WEEKDAYS[i]))
        .collect();
    let _ = writeln!(s, "\n[calendar]\nweekend = [{}]", weekend.join(", "));
    let _ = writeln!(s, "holidays = \"{}\"", if w.kz { "kz" } else { "none" });
    let _ = writeln!(s, "extra_holidays = [{}]", toml_dates(&w.extra_h));
    let _ = writeln!(s, "extra_working_days = [{}]", toml_dates(&w.extra_w));
    let _ = writeln!(s, "day_off_deadline = \"{}\"", MODES[w.mode]);
    let _ = writeln!(s, "\n[reminders]\nlead_days = [{}]", toml_nums(&w.lead));
    let _ = writeln!(
        s,
        "overdue_every_days = {}\nescalate_within_days = {}",
        w.overdue, w.escalate
    );
    for (prefix, key, kinds) in [
        ("doc", "valid_for", &w.doc_kinds),
        ("req", "answer_within", &w.req_kinds),
    ] {
        for (i, k) in kinds.iter().enumerate() {
            let _ = writeln!(s, "\n[kinds.{prefix}_{i}]\n{key} = \"{}\"", k.dur);
            if let Some((o, e)) = k.rules {
                let _ = writeln!(s, "overdue_every_days = {o}\nescalate_within_days = {e}");
            }
        }
    }
    for (i, sup) in SUPERVISOR.iter().enumerate() {
        let _ = writeln!(
            s,
            "\n[[caseworker]]\nid = \"w{i}\"\nemail = \"w{i}@ngo.example\""
        );
        if let Some(sup) = sup {
            let _ = writeln!(s, "supervisor = \"w{sup}\"");
        }
    }
    for (ci, c) in w.cases.iter().enumerate() {
        let _ = writeln!(s, "\n[[case]]\nid = \"C{ci}\"\ncaseworker = \"w{}\"", c.cw);
        for (i, doc) in c.docs.iter().enumerate() {
            let _ = writeln!(
                s,
                "  [[case.document]]\n  kind = \"doc_{i}\"\n  issued = {}\n  status = \"{}\"",
                doc.issued, doc.status
            );
            if let Some(n) = doc.expires_in {
                let _ = writeln!(s, "  expires = {}", doc.issued + Days::new(n.into()));
            }
            if let Some(l) = &doc.lead {
                let _ = writeln!(s, "  lead_days = [{}]", toml_nums(l));
            }
        }
        for (i, r) in c.reqs.iter().enumerate() {
            let _ = writeln!(
                s,
                "  [[case.request]]\n  kind = \"req_{i}\"\n  filed = {}\n  status = \"{}\"",
                r.filed, r.status
            );
            if let Some(a) = r.within {
                let _ = writeln!(s, "  answer_within = \"{a}\"");
            }
            if let Some(n) = r.extended_in {
                let _ = writeln!(s, "  extended_to = {}", r.filed + Days::new(n.into()));
            }
            if let Some(b) = r.waiting {
                let _ = writeln!(s, "  waiting_for = \"bill-{b}\"");
            }
        }
        if let Some(e) = &c.event {
            let _ = writeln!(
                s,
                "  [[case.event]]\n  title = \"Hearing\"\n  date = {}\n  lead_days = [{}]",
                e.date,
                toml_nums(&e.lead)
            );
        }
    }
    for (bi, b) in w.bills.iter().enumerate() {
        let _ = writeln!(s, "\n[[bill]]\nid = \"bill-{bi}\"\ntitle = \"Bill {bi}\"\nowner = \"w{}\"\nstage = \"{}\"", b.owner, STAGES[b.stage]);
        if let Some(x) = b.since {
            let _ = writeln!(s, "stage_since = {x}");
        }
        let exp: Vec<String> = b
            .expected
            .iter()
            .enumerate()
            .filter_map(|(i, x)| x.map(|x| format!("{} = {x}", STAGES[i])))
            .collect();
        let _ = writeln!(s, "expected = {{ {} }}", exp.join(", "));
        if let Some((lc, n)) = b.review {
            let _ = writeln!(s, "last_checked = {lc}\ncheck_every_days = {n}");
        }
        if let Some(l) = &b.lead {
            let _ = writeln!(s, "lead_days = [{}]", toml_nums(l));
        }
    }
    s
}

/// A plan row rendered like `Oracle::rows`.
fn line_of(e: &PlanEntry) -> String {
    let ab = if e.step == "stage" || e.step == "unblocked" {
        ""
    } else {
        e.act_by.as_str()
    };
    format!(
        "{} {} {} ab={ab} to={} cc={}",
        e.date,
        row_key(e),
        e.step,
        e.to.join(","),
        e.cc.join(",")
    )
}

fn is_lead(step: &str) -> bool {
    step.strip_suffix('d')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn base_day(off: u32) -> NaiveDate {
    d("2014-01-01") + Days::new(off.into())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// plan = the SPEC §3 oracle, row for row (dates, steps, deadlines,
    /// act-by dates, recipients and escalation).
    #[test]
    fn plan_matches_the_spec_oracle(w in world_s(), from_off in 0u32..5800, span in 0u32..900) {
        let cfg = load_text(&render(&w));
        let o = Oracle { cal: &cfg.calendar, mode: w.mode };
        let items = o.items(&w);
        // Every reminder there is, then a random window.
        for (from, to) in [(d("2014-01-01"), d("2030-12-31")), (base_day(from_off), base_day(from_off + span))] {
            let mut want: Vec<String> = items.iter().flat_map(|it| o.rows(it, from, to)).collect();
            want.sort();
            let rows = report::plan(&cfg, from, to);
            let got = sorted(rows.iter().map(line_of).collect());
            prop_assert_eq!(got, want, "plan {} .. {}", from, to);
        }
    }

    /// The invariants of SPEC §3 and §5, checked on the plan itself.
    #[test]
    fn plan_invariants(w in world_s(), from_off in 0u32..5800, span in 0u32..900, full_range in any::<bool>()) {
        let cfg = load_text(&render(&w));
        let (from, to) = if full_range {
            (d("2014-01-01"), d("2030-12-31"))
        } else {
            (base_day(from_off), base_day(from_off + span))
        };
        let rows = report::plan(&cfg, from, to);
        let o = Oracle { cal: &cfg.calendar, mode: w.mode };
        let starts: BTreeMap<String, Option<NaiveDate>> = o.items(&w).into_iter().map(|it| (it.key(), it.start)).collect();
        let mut seen = BTreeSet::new();
        for (i, r) in rows.iter().enumerate() {
            let (date, ab, dl) = (d(&r.date), d(&r.act_by), d(&r.deadline));
            prop_assert!(date >= from && date <= to, "out of range: {}", full(r));
            prop_assert!(!cfg.calendar.is_day_off(date), "on a day off: {}", full(r));
            if is_lead(&r.step) {
                prop_assert!(date <= ab, "lead after act-by: {}", full(r));
                let start = starts.get(&row_key(r)).copied().flatten();
                prop_assert!(start.is_none_or(|s| date >= s), "lead before issued/filed {:?}: {}", start, full(r));
            } else if r.step == "overdue" {
                prop_assert!(date > ab, "overdue not after act-by: {}", full(r));
            } else {
                prop_assert!(["review", "stage", "unblocked"].contains(&r.step.as_str()), "unknown step: {}", full(r));
                prop_assert!(date >= dl, "{} before its date: {}", r.step, full(r));
            }
            if r.item == "event" {
                prop_assert!(is_lead(&r.step) && date <= dl, "event reminder after its date: {}", full(r));
            }
            match w.mode {
                0 => prop_assert!(ab <= dl && !cfg.calendar.is_day_off(ab), "before: {}", full(r)),
                // Events never move past their day: the working day before.
                1 if r.item == "event" && cfg.calendar.is_day_off(dl) => {
                    prop_assert!(ab < dl && !cfg.calendar.is_day_off(ab), "after (event): {}", full(r))
                }
                1 => prop_assert!(ab >= dl && !cfg.calendar.is_day_off(ab), "after: {}", full(r)),
                _ => prop_assert_eq!(ab, dl),
            }
            if i > 0 {
                let p = &rows[i - 1];
                prop_assert!((&p.date, &p.case) <= (&r.date, &r.case), "unsorted: {} / {}", full(p), full(r));
            }
            prop_assert!(r.to.windows(2).all(|x| x[0] < x[1]), "to unsorted: {}", full(r));
            prop_assert!(r.cc.windows(2).all(|x| x[0] < x[1]), "cc unsorted: {}", full(r));
            prop_assert!(r.cc.iter().all(|c| !r.to.contains(c)), "cc repeats to: {}", full(r));
            prop_assert!(seen.insert((r.date.clone(), row_key(r))), "two reminders of one item on one day: {}", full(r));
        }
    }

    /// plan over [a, c] = plan over [a, b] ++ plan over [b + 1, c].
    #[test]
    fn plan_ranges_split_consistently(w in world_s(), a_off in 0u32..5800, x in 0u32..500, y in 1u32..500) {
        let cfg = load_text(&render(&w));
        let (a, b, c) = (base_day(a_off), base_day(a_off + x), base_day(a_off + x + y));
        let whole = report::plan(&cfg, a, c);
        let mut parts = report::plan(&cfg, a, b);
        parts.extend(report::plan(&cfg, b.succ_opt().unwrap(), c));
        prop_assert_eq!(whole, parts);
    }

    /// `latest_due` (the catch-up step) is the last reminder a daemon running
    /// every day would have sent by `today`, except for events already past
    /// (settled: SPEC "events after their date" get nothing).
    #[test]
    fn latest_due_is_the_last_planned_reminder(w in world_s(), today_off in 365u32..5500) {
        let cfg = load_text(&render(&w));
        let today = base_day(today_off);
        let rows = report::plan(&cfg, d("2000-01-01"), today);
        let mut last: BTreeMap<String, (String, String)> = BTreeMap::new();
        for r in &rows {
            last.insert(row_key(r), (r.date.clone(), r.step.clone()));
        }
        let items = engine::items(&cfg);
        let due: BTreeMap<usize, (String, String)> =
            engine::due(&cfg, &items, today).into_iter().map(|r| (r.item, (r.date.to_string(), r.step.label()))).collect();
        let mut keys = BTreeSet::new();
        for (i, it) in items.iter().enumerate() {
            let notice = if let Cadence::Notice(s) = it.cadence { s.label() } else { String::new() };
            let key = format!("{} {}:{} dl={} {notice}", it.reference, it.item.as_str(), it.kind, it.deadline);
            prop_assert!(keys.insert(key.clone()), "items not unique: {}", key);
            let got = due.get(&i).cloned();
            if it.item == engine::ItemType::Event && today > it.deadline {
                prop_assert_eq!(got, None, "past event {}", key);
            } else {
                prop_assert_eq!(got, last.get(&key).cloned(), "item {}", key);
            }
        }
    }

    /// upcoming = every unresolved deadline with act-by within N days,
    /// overdue ones included, sorted by act-by date then case id.
    #[test]
    fn upcoming_matches_the_spec_oracle(w in world_s(), today_off in 0u32..5800, days in 0u32..400) {
        let cfg = load_text(&render(&w));
        let today = base_day(today_off);
        let horizon = today + Days::new(days.into());
        let o = Oracle { cal: &cfg.calendar, mode: w.mode };
        let mut want = Vec::new();
        for it in o.items(&w) {
            let settled = it.resolved || (it.cadence == OCad::Event && today > it.deadline);
            let ab = o.item_act_by(&it);
            if matches!(it.cadence, OCad::Notice(_)) || settled || ab > horizon {
                continue;
            }
            want.push(format!(
                "{} w{} {}:{} dl={} ab={ab} left={} {}",
                it.case, it.to[0], it.item, it.kind, it.deadline, (ab - today).num_days(), it.status.unwrap_or("-")
            ));
        }
        want.sort();
        let rows = report::upcoming(&cfg, today, days, &UpcomingFilter::default());
        for p in rows.windows(2) {
            prop_assert!((&p[0].act_by, &p[0].case) <= (&p[1].act_by, &p[1].case), "unsorted: {} / {}", uline(&p[0]), uline(&p[1]));
        }
        let got = sorted(rows.iter().map(|u| {
            let status = if u.item == "document" || u.item == "request" { u.status.as_str() } else { "-" };
            format!("{} {} {}:{} dl={} ab={} left={} {status}", u.case, u.caseworker, u.item, u.kind, u.deadline, u.act_by, u.days_left)
        }).collect());
        prop_assert_eq!(got, want);
    }
}
