//! The oracle: SPEC §3's date rules written down a second time, on top of
//! `Calendar::is_day_off` only, for the property tests in `mod.rs`.

use super::*;

/// How an oracle item repeats after its act-by date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum OCad {
    /// Documents and requests: overdue every n days (0: once).
    Deadline(u32),
    /// Events: lead reminders only, none after the date.
    Event,
    /// A bill's expected stage: one overdue reminder.
    Once,
    /// A bill review every n days.
    Review(u32),
    /// A bill's stage notice.
    Notice(&'static str),
}

#[derive(Debug, Clone)]
pub(super) struct OItem {
    pub(super) case: String,
    pub(super) item: &'static str,
    pub(super) kind: String,
    pub(super) deadline: NaiveDate,
    pub(super) start: Option<NaiveDate>,
    pub(super) resolved: bool,
    pub(super) lead: Vec<u32>,
    pub(super) cadence: OCad,
    pub(super) escalate: u32,
    pub(super) to: Vec<usize>,
    /// Status as `upcoming` shows it, where SPEC says what it is.
    pub(super) status: Option<&'static str>,
}

impl OItem {
    /// The identity of the item's rows in a plan.
    pub(super) fn key(&self) -> String {
        let notice = if let OCad::Notice(s) = self.cadence {
            s
        } else {
            ""
        };
        format!(
            "{} {}:{} dl={} {notice}",
            self.case, self.item, self.kind, self.deadline
        )
    }
}

pub(super) fn row_key(e: &PlanEntry) -> String {
    let notice = if e.step == "stage" || e.step == "unblocked" {
        e.step.as_str()
    } else {
        ""
    };
    format!(
        "{} {}:{} dl={} {notice}",
        e.case, e.item, e.kind, e.deadline
    )
}

/// SPEC §3 written down again, on top of `is_day_off` only.
pub(super) struct Oracle<'a> {
    pub(super) cal: &'a Calendar,
    pub(super) mode: usize,
}

impl Oracle<'_> {
    pub(super) fn off(&self, x: NaiveDate) -> bool {
        self.cal.is_day_off(x)
    }
    pub(super) fn prev_wd(&self, mut x: NaiveDate) -> NaiveDate {
        while self.off(x) {
            x = x.pred_opt().unwrap();
        }
        x
    }
    pub(super) fn next_wd(&self, mut x: NaiveDate) -> NaiveDate {
        while self.off(x) {
            x = x.succ_opt().unwrap();
        }
        x
    }
    /// An event does not move: its act-by is never after its date (with
    /// "after", a Saturday hearing is prepared by Friday).
    pub(super) fn item_act_by(&self, it: &OItem) -> NaiveDate {
        let ab = self.act_by(it.deadline);
        if it.cadence == OCad::Event && ab > it.deadline {
            self.prev_wd(it.deadline)
        } else {
            ab
        }
    }
    pub(super) fn act_by(&self, deadline: NaiveDate) -> NaiveDate {
        match self.mode {
            0 => self.prev_wd(deadline),
            1 => self.next_wd(deadline),
            _ => deadline,
        }
    }
    pub(super) fn add(&self, start: NaiveDate, dur: &str) -> NaiveDate {
        let (n, unit) = dur.split_at(dur.find(|c: char| !c.is_ascii_digit()).unwrap());
        let n: u32 = n.parse().unwrap();
        match unit {
            "d" => start + Days::new(n.into()),
            "m" => start.checked_add_months(Months::new(n)).unwrap(),
            "y" => start.checked_add_months(Months::new(12 * n)).unwrap(),
            "wd" => {
                let mut x = start;
                let mut left = n;
                while left > 0 {
                    x = x.succ_opt().unwrap();
                    if !self.off(x) {
                        left -= 1;
                    }
                }
                x
            }
            other => panic!("unit {other}"),
        }
    }

    /// Every item of the world, from SPEC §3.
    pub(super) fn items(&self, w: &World) -> Vec<OItem> {
        let mut out = Vec::new();
        let kind_rules = |k: &GKind| k.rules.unwrap_or((w.overdue, w.escalate));
        for (ci, c) in w.cases.iter().enumerate() {
            for (i, doc) in c.docs.iter().enumerate() {
                let k = &w.doc_kinds[i];
                let (overdue, escalate) = kind_rules(k);
                let deadline = match doc.expires_in {
                    Some(n) => doc.issued + Days::new(n.into()),
                    None => self.add(doc.issued, k.dur),
                };
                out.push(OItem {
                    case: format!("C{ci}"),
                    item: "document",
                    kind: format!("doc_{i}"),
                    deadline,
                    start: Some(doc.issued),
                    resolved: ["renewal_filed", "renewed", "withdrawn"].contains(&doc.status),
                    lead: doc.lead.clone().unwrap_or_else(|| w.lead.clone()),
                    cadence: OCad::Deadline(overdue),
                    escalate,
                    to: vec![c.cw],
                    status: Some(doc.status),
                });
            }
            for (i, r) in c.reqs.iter().enumerate() {
                let k = &w.req_kinds[i];
                let (overdue, escalate) = kind_rules(k);
                let deadline = match r.extended_in {
                    Some(n) => r.filed + Days::new(n.into()),
                    None => self.add(r.filed, r.within.unwrap_or(k.dur)),
                };
                out.push(OItem {
                    case: format!("C{ci}"),
                    item: "request",
                    kind: format!("req_{i}"),
                    deadline,
                    start: Some(r.filed),
                    resolved: r.status != "pending",
                    lead: w.lead.clone(),
                    cadence: OCad::Deadline(overdue),
                    escalate,
                    to: vec![c.cw],
                    status: Some(r.status),
                });
            }
            if let Some(e) = &c.event {
                out.push(OItem {
                    case: format!("C{ci}"),
                    item: "event",
                    kind: "event".into(),
                    deadline: e.date,
                    start: None,
                    resolved: false,
                    lead: e.lead.clone(),
                    cadence: OCad::Event,
                    escalate: w.escalate,
                    to: vec![c.cw],
                    status: None,
                });
            }
        }
        for (bi, b) in w.bills.iter().enumerate() {
            let bill = |kind: String, deadline: NaiveDate, cadence: OCad, to: Vec<usize>| OItem {
                case: format!("bill-{bi}"),
                item: "bill",
                kind,
                deadline,
                start: None,
                resolved: false,
                lead: b.lead.clone().unwrap_or_else(|| w.lead.clone()),
                cadence,
                escalate: w.escalate,
                to,
                status: None,
            };
            for (si, x) in b.expected.iter().enumerate() {
                if let Some(x) = x {
                    if si > b.stage {
                        out.push(bill(STAGES[si].to_string(), *x, OCad::Once, vec![b.owner]));
                    }
                }
            }
            if let Some((lc, n)) = b.review {
                out.push(bill(
                    "review".into(),
                    lc + Days::new(n.into()),
                    OCad::Review(n),
                    vec![b.owner],
                ));
            }
            if let Some(since) = b.since {
                // The caseworkers of cases with a request waiting for this
                // bill that is neither withdrawn nor answered.
                let waiting: BTreeSet<usize> = w
                    .cases
                    .iter()
                    .filter(|c| {
                        c.reqs.iter().any(|r| {
                            r.waiting == Some(bi)
                                && r.status != "withdrawn"
                                && r.status != "answered"
                        })
                    })
                    .map(|c| c.cw)
                    .collect();
                let kind = STAGES[b.stage].to_string();
                if b.stage == STAGES.len() - 1 && !waiting.is_empty() {
                    out.push(bill(
                        kind.clone(),
                        since,
                        OCad::Notice("stage"),
                        vec![b.owner],
                    ));
                    out.push(bill(
                        kind,
                        since,
                        OCad::Notice("unblocked"),
                        waiting.into_iter().collect(),
                    ));
                } else {
                    let mut to = waiting;
                    to.insert(b.owner);
                    out.push(bill(
                        kind,
                        since,
                        OCad::Notice("stage"),
                        to.into_iter().collect(),
                    ));
                }
            }
        }
        out
    }

    /// The item's reminders within `from..=to`: (date, step).
    pub(super) fn schedule(
        &self,
        it: &OItem,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<(NaiveDate, String)> {
        let mut out = Vec::new();
        if it.resolved {
            return out;
        }
        let ab = self.item_act_by(it);
        if !matches!(it.cadence, OCad::Review(_) | OCad::Notice(_)) {
            // One reminder a day: the most urgent lead step.
            let mut by_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
            for &l in &it.lead {
                let x = self.prev_wd(ab - Days::new(l.into()));
                if it.start.is_some_and(|s| x < s) || (it.cadence == OCad::Event && x > it.deadline)
                {
                    continue;
                }
                by_day
                    .entry(x)
                    .and_modify(|m| *m = (*m).min(l))
                    .or_insert(l);
            }
            out.extend(by_day.into_iter().map(|(x, l)| (x, format!("{l}d"))));
        }
        let mut repeats = |first: NaiveDate, every: u32, step: &str| {
            let mut seen = BTreeSet::new();
            let mut raw = first;
            loop {
                if raw > to {
                    break;
                }
                let x = self.next_wd(raw);
                if seen.insert(x) {
                    out.push((x, step.to_string()));
                }
                if every == 0 {
                    break;
                }
                raw = raw.checked_add_days(Days::new(every.into())).unwrap();
            }
        };
        match it.cadence {
            OCad::Deadline(every) => repeats(ab + Days::new(1), every, "overdue"),
            OCad::Once => repeats(ab + Days::new(1), 0, "overdue"),
            OCad::Review(n) => repeats(it.deadline, n, "review"),
            OCad::Notice(step) => repeats(it.deadline, 0, step),
            OCad::Event => {}
        }
        out.retain(|(x, _)| *x >= from && *x <= to);
        out
    }

    /// Plan rows of one item, rendered like `line_of`.
    pub(super) fn rows(&self, it: &OItem, from: NaiveDate, to: NaiveDate) -> Vec<String> {
        let ab = self.item_act_by(it);
        let ids = |v: &[usize]| {
            v.iter()
                .map(|i| format!("w{i}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        self.schedule(it, from, to)
            .into_iter()
            .map(|(x, step)| {
                let cc: BTreeSet<usize> = if (ab - x).num_days() <= i64::from(it.escalate) {
                    it.to
                        .iter()
                        .filter_map(|&c| SUPERVISOR[c])
                        .filter(|s| !it.to.contains(s))
                        .collect()
                } else {
                    BTreeSet::new()
                };
                let ab = if matches!(it.cadence, OCad::Notice(_)) {
                    String::new()
                } else {
                    ab.to_string()
                };
                format!(
                    "{x} {} {step} ab={ab} to={} cc={}",
                    it.key(),
                    ids(&it.to),
                    ids(&cc.into_iter().collect::<Vec<_>>())
                )
            })
            .collect()
    }
}
