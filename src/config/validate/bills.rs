//! `[[bill]]`: the laws cases wait on, with stages configured per bill.

use super::checker::{Checker, Context, Refs, DEFAULT_STAGES};
use super::people::caseworker_ref;
use crate::config::model::Bill;
use crate::config::raw::{self, S};
use crate::config::suggest;
use crate::config::tr::{tr, M};
use crate::privacy::value;
use chrono::Datelike;
use std::collections::{BTreeMap, BTreeSet};

/// The bills of one file. Ids are checked for uniqueness across files by
/// [`super::cross_file`], from `refs`.
pub(super) fn bills(
    c: &mut Checker<'_>,
    list: &[S<raw::RawBill>],
    ctx: &Context<'_>,
    refs: &mut Refs,
) -> Vec<Bill> {
    list.iter().map(|b| bill(c, b, ctx, refs)).collect()
}

fn bill(c: &mut Checker<'_>, item: &S<raw::RawBill>, ctx: &Context<'_>, refs: &mut Refs) -> Bill {
    let span = item.span();
    let b = item.get_ref();
    let id = c.required(&b.id, &span, "id", tr(M::GiveBillId));
    if let Some(id) = id {
        super::ids::id_ok(c, id, tr(M::WBillId));
        refs.bills.push((id.get_ref().clone(), id.span()));
    }
    let owner = c
        .required(&b.owner, &span, "owner", tr(M::NameOwner))
        .map(|o| caseworker_ref(c, o, &ctx.caseworkers, "owner"))
        .unwrap_or(usize::MAX);
    let stages = stages(c, b.stages.as_ref());
    let stage_index = |c: &mut Checker<'_>, s: &S<String>| -> Option<usize> {
        let i = stages.iter().position(|x| x == s.get_ref());
        if i.is_none() {
            let all = stages.join(", ");
            let hint =
                match suggest::did_you_mean_tr(s.get_ref(), stages.iter().map(String::as_str)) {
                    Some(d) => tr(M::StagesDidYouMean).t("d", d).s("all", all),
                    None => tr(M::UseOneOf).s("all", all),
                };
            c.err(
                s.span(),
                tr(M::UnknownStage).s("v", value(s.get_ref())),
                hint,
            );
        }
        i
    };
    let stage = c
        .required(&b.stage, &span, "stage", tr(M::GiveStage))
        .and_then(|s| stage_index(c, s))
        .unwrap_or(0);
    let mut expected = BTreeMap::new();
    for (k, d) in b.expected.iter().flatten() {
        let date = c.date(d);
        if let Some(i) = stage_index(c, k) {
            expected.insert(i, date);
            if i > stage {
                c.note_deadline(date.year());
            }
        }
    }
    let stage_since = b.stage_since.as_ref().map(|d| c.date(d));
    let last_checked = b.last_checked.as_ref().map(|d| c.date(d));
    let check_every_days = b
        .check_every_days
        .as_ref()
        .map(|n| c.days(n, "check_every_days", 1));
    if let (Some(n), None) = (&b.check_every_days, &b.last_checked) {
        c.err(n.span(), tr(M::CheckEveryNeedsLast), tr(M::AddLastChecked));
    }
    if let (Some(lc), Some(n)) = (last_checked, check_every_days) {
        if let Some(d) = lc.checked_add_days(chrono::Days::new(n.into())) {
            let at = b.last_checked.as_ref().map_or(span.clone(), |x| x.span());
            c.in_range(at, d, || tr(M::ReviewDate));
            c.note_deadline(d.year());
        }
    }
    let rules = c.rules(ctx.defaults, b.lead_days.as_ref());
    Bill {
        id: id.map(|i| i.get_ref().clone()).unwrap_or_default(),
        title: b
            .title
            .as_ref()
            .map(|t| t.get_ref().clone())
            .unwrap_or_default(),
        owner,
        stages,
        stage,
        stage_since,
        expected,
        last_checked,
        check_every_days,
        rules,
    }
}

/// The bill's stages: as listed (non-empty, no repeats), else the default.
fn stages(c: &mut Checker<'_>, list: Option<&S<Vec<S<String>>>>) -> Vec<String> {
    let Some(s) = list else {
        return DEFAULT_STAGES.iter().map(|s| s.to_string()).collect();
    };
    if s.get_ref().is_empty() {
        c.err(s.span(), tr(M::StagesEmpty), tr(M::StagesEmptyHelp));
    }
    let mut uniq = BTreeSet::new();
    for st in s.get_ref() {
        if !uniq.insert(st.get_ref().as_str()) {
            c.err(st.span(), tr(M::StageTwice).s("s", st.get_ref()), "");
        }
    }
    s.get_ref().iter().map(|x| x.get_ref().clone()).collect()
}
