//! One file's `[[case]]` tables, with their documents, requests and events,
//! and its `[[bill]]` tables. What documents and requests share (a kind,
//! its rules, a deadline written or computed from a start date and a
//! duration) is checked once, in [`deadline_item`].

use super::bills;
use super::checker::{Checker, Context, Refs};
use super::people::caseworker_ref;
use crate::calendar::Duration;
use crate::config::model::*;
use crate::config::raw::{self, RawDate, S};
use crate::config::suggest;
use crate::config::tr::{tr, M};
use chrono::{Datelike, NaiveDate};
use std::ops::Range;
use std::path::Path;

/// The cases and bills of one file, and where their ids are.
pub(super) fn file(
    c: &mut Checker<'_>,
    path: &Path,
    cases: &[S<raw::RawCase>],
    bill_list: &[S<raw::RawBill>],
    ctx: &Context<'_>,
) -> (CaseFile, Refs) {
    let mut refs = Refs::default();
    let bills = bills::bills(c, bill_list, ctx, &mut refs);
    refs.case_spans.reserve_exact(cases.len());
    refs.case_keys.reserve_exact(cases.len());
    let cases = cases.iter().map(|k| case(c, k, ctx, &mut refs)).collect();
    (
        CaseFile {
            path: path.to_path_buf(),
            cases,
            bills,
        },
        refs,
    )
}

/// [`file`] for a file without bills whose cases `feed` hands over one
/// at a time, in file order (the fast parser's): each is checked and
/// dropped, so no list of raw cases is held. `hint`: how many to expect.
/// `None` when `feed` gives up.
pub(super) fn file_streamed(
    c: &mut Checker<'_>,
    path: &Path,
    hint: usize,
    ctx: &Context<'_>,
    feed: impl FnOnce(&mut dyn FnMut(S<raw::RawCase>)) -> Option<()>,
) -> Option<(CaseFile, Refs)> {
    let mut refs = Refs::default();
    let bills = bills::bills(c, &[], ctx, &mut refs);
    refs.case_spans.reserve_exact(hint);
    refs.case_keys.reserve_exact(hint);
    let mut cases = Vec::with_capacity(hint);
    feed(&mut |k| cases.push(case(c, &k, ctx, &mut refs)))?;
    Some((
        CaseFile {
            path: path.to_path_buf(),
            cases,
            bills,
        },
        refs,
    ))
}

fn case(c: &mut Checker<'_>, item: &S<raw::RawCase>, ctx: &Context<'_>, refs: &mut Refs) -> Case {
    let span = item.span();
    let k = item.get_ref();
    let id = c.required(&k.id, &span, "id", tr(M::GiveCaseId));
    if let Some(id) = id {
        super::ids::id_ok(c, id, tr(M::WCaseId));
        if id.get_ref().trim().is_empty() {
            c.err(id.span(), tr(M::CaseIdEmpty), tr(M::UseCaseRef));
        }
        if let Some(mixed) = mixed_script(id.get_ref()) {
            c.warn(
                id.span(),
                tr(M::MixedScript).s("letters", mixed),
                tr(M::MixedScriptHelp),
            );
        }
    }
    // One span per case, so the spans stay aligned with the cases (a case
    // without an id is an error: its file is never admitted).
    let id_span = id.map_or(span.clone(), |i| i.span());
    refs.case_spans
        .push(id_span.start as u32..id_span.end as u32);
    refs.case_keys
        .push(id.map_or(0, |i| crate::config::admit::id_key(i.get_ref())));
    renewed_without_newer(c, k.document.as_deref().unwrap_or(&[]));
    let caseworker = c
        .required(&k.caseworker, &span, "caseworker", tr(M::NameCaseworker))
        .map(|r| caseworker_ref(c, r, &ctx.caseworkers, "caseworker"))
        .unwrap_or(usize::MAX);
    Case {
        id: id
            .map(|i| Box::from(i.get_ref().as_str()))
            .unwrap_or_default(),
        caseworker,
        person: k
            .person
            .as_ref()
            .map(|p| Sensitive::new(p.get_ref().as_str())),
        documents: exact(&k.document, |d| document(c, d, ctx)),
        requests: exact(&k.request, |r| request(c, r, ctx, refs)),
        events: exact(&k.event, |e| event(c, e, ctx)),
    }
}

/// The items of a list checked, in a slice allocated once at its size
/// (collecting a `filter_map` allocated room for four, then moved the
/// items into one of the right size: twice per case at 100,000 cases).
fn exact<R, T>(list: &Option<Vec<R>>, check: impl FnMut(&R) -> Option<T>) -> Box<[T]> {
    let list = list.as_deref().unwrap_or(&[]);
    let mut out = Vec::with_capacity(list.len());
    out.extend(list.iter().filter_map(check));
    out.into_boxed_slice()
}

/// The keys a deadline item names its dates with.
struct Wording {
    item_tr: M,
    /// The computed deadline, `{start} + {within}` in words.
    computed_tr: M,
    /// The written deadline: `expires`, `extended_to`.
    explicit: &'static str,
    /// The start: `issued`, `filed`.
    start: &'static str,
    /// The duration: `valid_for`, `answer_within`.
    within: &'static str,
    /// May the item itself carry the duration (not only its kind)?
    within_on_item: bool,
    example_within: &'static str,
    example_kind: &'static str,
}

const DOCUMENT: Wording = Wording {
    item_tr: M::ItemDocument,
    computed_tr: M::ComputedExpiry,
    explicit: "expires",
    start: "issued",
    within: "valid_for",
    within_on_item: false,
    example_within: "1y",
    example_kind: "refugee_certificate",
};

const REQUEST: Wording = Wording {
    item_tr: M::ItemRequest,
    computed_tr: M::ComputedAnswer,
    explicit: "extended_to",
    start: "filed",
    within: "answer_within",
    within_on_item: true,
    example_within: "15wd",
    example_kind: "travel_document",
};

/// What a document or a request has once checked.
struct DeadlineItem {
    kind: std::sync::Arc<str>,
    start: Option<NaiveDate>,
    deadline: NaiveDate,
    rules: std::sync::Arc<ReminderRules>,
}

/// The shared part of a document and a request: the kind (required, looked
/// up), the start date, the deadline (written, or start + duration) checked
/// to be real and after the start, and the reminder rules. `None` when the
/// item has no deadline (the problem is reported).
#[allow(clippy::too_many_arguments)]
fn deadline_item(
    c: &mut Checker<'_>,
    w: &Wording,
    span: &Range<usize>,
    kind: &Option<S<String>>,
    start: Option<&S<RawDate>>,
    explicit: Option<&S<RawDate>>,
    item_within: Option<&S<String>>,
    kind_within: impl Fn(&Kind) -> Option<Duration>,
    lead_days: Option<&S<Vec<S<i64>>>>,
    ctx: &Context<'_>,
) -> Option<DeadlineItem> {
    // The help is made only when the kind is missing (for every item of
    // a large file it was three allocations for nothing).
    let Some(kind_name) = kind.as_ref() else {
        c.required(
            kind,
            span,
            "kind",
            tr(M::SayKind)
                .t("item", tr(w.item_tr))
                .s("example", w.example_kind),
        );
        return None;
    };
    let kind = kind_of(c, kind_name, ctx);
    let start_date = start.map(|x| c.date(x));
    let within = match item_within {
        Some(a) => c.duration(a),
        None => kind.and_then(kind_within),
    };
    let k = kind_name.get_ref();
    let deadline = match (explicit, start_date, within) {
        (Some(e), _, _) => c.date(e),
        (None, Some(s), Some(d)) => match ctx.calendar.add(s, d) {
            Some(dl) => {
                let what = || tr(w.computed_tr).s("start", w.start).s("within", w.within);
                if !c.in_range(span.clone(), dl, what) {
                    return None;
                }
                dl
            }
            None => {
                c.err(
                    span.clone(),
                    tr(M::SumOutOfRange)
                        .s("start", w.start)
                        .s("within", w.within),
                    "",
                );
                return None;
            }
        },
        (None, None, Some(d)) => {
            c.err(
                kind_name.span(),
                tr(M::NeedsStart)
                    .t("item", tr(w.item_tr))
                    .s("start", w.start)
                    .s("within", w.within)
                    .s("d", d)
                    .s("explicit", w.explicit),
                tr(M::AddStartOrExplicit)
                    .s("start", w.start)
                    .s("explicit", w.explicit),
            );
            return None;
        }
        (None, _, None) => {
            // A duration that failed to parse was reported already.
            if item_within.is_none() {
                let mut help = tr(M::AddExplicitOrWithin)
                    .s("explicit", w.explicit)
                    .s("within", w.within)
                    .s("example", w.example_within)
                    .s("k", k);
                help = if w.within_on_item {
                    help.t("here", tr(M::HereOr))
                } else {
                    help.s("here", "")
                };
                c.err(
                    kind_name.span(),
                    tr(M::NoDeadline)
                        .t("item", tr(w.item_tr))
                        .s("k", k)
                        .s("explicit", w.explicit)
                        .s("within", w.within),
                    help,
                );
            }
            return None;
        }
    };
    if let (Some(s), Some(e)) = (start_date, explicit) {
        if e.get_ref().0 < s {
            c.err(
                e.span(),
                tr(M::Before)
                    .s("explicit", w.explicit)
                    .s("e", e.get_ref().0)
                    .s("start", w.start)
                    .s("s", s),
                tr(M::CheckDates),
            );
        }
    }
    let base = kind.map(|k| &k.rules).unwrap_or(ctx.defaults);
    let rules = c.rules(base, lead_days);
    Some(DeadlineItem {
        kind: c.kind_name(ctx, k),
        start: start_date,
        deadline,
        rules,
    })
}

fn kind_of<'k>(c: &mut Checker<'_>, k: &S<String>, ctx: &Context<'k>) -> Option<&'k Kind> {
    let kind = ctx.kinds.get(k.get_ref());
    if kind.is_none() {
        let name = k.get_ref();
        let hint = match suggest::did_you_mean_tr(name, ctx.kinds.keys().map(String::as_str)) {
            Some(d) => tr(M::KindDidYouMean).t("d", d).s("name", name),
            None => tr(M::KindDefine).s("name", name),
        };
        c.warn(k.span(), tr(M::KindUndefined).s("name", name), hint);
    }
    kind
}

fn sensitive(v: &Option<S<String>>) -> Option<Sensitive> {
    v.as_ref().map(|n| Sensitive::new(n.get_ref().as_str()))
}

fn document(c: &mut Checker<'_>, d: &S<raw::RawDocument>, ctx: &Context<'_>) -> Option<Document> {
    let span = d.span();
    let d = d.get_ref();
    let status = d.status.as_ref().and_then(|s| {
        c.choice(
            s,
            "document status",
            &[
                ("active", DocumentStatus::Active),
                ("renewal_filed", DocumentStatus::RenewalFiled),
                ("renewed", DocumentStatus::Renewed),
                ("expired", DocumentStatus::Expired),
                ("withdrawn", DocumentStatus::Withdrawn),
            ],
            tr(M::UseDocumentStatus),
        )
    });
    let status = status.unwrap_or(DocumentStatus::Active);
    let it = deadline_item(
        c,
        &DOCUMENT,
        &span,
        &d.kind,
        d.issued.as_ref(),
        d.expires.as_ref(),
        None,
        |k| k.valid_for,
        d.lead_days.as_ref(),
        ctx,
    )?;
    let filed = d.filed.as_ref().map(|x| c.date(x));
    if !status.resolved() {
        c.note_deadline(it.deadline.year());
    }
    if let Some(today) = ctx.today {
        not_in_future(c, today, d.issued.as_ref(), "issued", tr(M::IssuedFuture));
        not_in_future(c, today, d.filed.as_ref(), "filed", tr(M::RenewalFuture));
        if !status.resolved() {
            not_too_far(
                c,
                today,
                it.deadline,
                &d.expires.as_ref().map_or(span.clone(), |e| e.span()),
                tr(M::FarExpires),
            );
        }
    }
    Some(Document {
        kind: it.kind,
        number: sensitive(&d.number),
        issued: it.start,
        expires: it.deadline,
        status,
        filed,
        rules: it.rules,
    })
}

fn request(
    c: &mut Checker<'_>,
    r: &S<raw::RawRequest>,
    ctx: &Context<'_>,
    refs: &mut Refs,
) -> Option<Request> {
    let span = r.span();
    let r = r.get_ref();
    let status = r.status.as_ref().and_then(|s| {
        c.choice(
            s,
            "request status",
            &[
                ("pending", RequestStatus::Pending),
                ("answered", RequestStatus::Answered),
                ("refused", RequestStatus::Refused),
                ("withdrawn", RequestStatus::Withdrawn),
            ],
            tr(M::UseRequestStatus),
        )
    });
    let status = status.unwrap_or(RequestStatus::Pending);
    if let Some(w) = &r.waiting_for {
        refs.waiting_for.push((w.get_ref().clone(), w.span()));
    }
    let it = deadline_item(
        c,
        &REQUEST,
        &span,
        &r.kind,
        r.filed.as_ref(),
        r.extended_to.as_ref(),
        r.answer_within.as_ref(),
        |k| k.answer_within,
        r.lead_days.as_ref(),
        ctx,
    )?;
    if !status.resolved() {
        c.note_deadline(it.deadline.year());
    }
    if let Some(today) = ctx.today {
        not_in_future(c, today, r.filed.as_ref(), "filed", tr(M::RequestFuture));
        if !status.resolved() {
            not_too_far(
                c,
                today,
                it.deadline,
                &r.extended_to.as_ref().map_or(span.clone(), |e| e.span()),
                tr(M::FarAnswer),
            );
        }
    }
    Some(Request {
        kind: it.kind,
        number: sensitive(&r.number),
        filed: it.start,
        due: it.deadline,
        extended: r.extended_to.is_some(),
        status,
        waiting_for: r
            .waiting_for
            .as_ref()
            .map(|w| Box::from(w.get_ref().as_str())),
        rules: it.rules,
    })
}

fn event(c: &mut Checker<'_>, e: &S<raw::RawEvent>, ctx: &Context<'_>) -> Option<Event> {
    let span = e.span();
    let e = e.get_ref();
    let date = c.required(&e.date, &span, "date", tr(M::AddDate))?;
    let date = c.date(date);
    let kind = match &e.kind {
        Some(k) => {
            kind_of(c, k, ctx);
            c.kind_name(ctx, k.get_ref())
        }
        None => c.kind_name(ctx, "event"),
    };
    let base = ctx
        .kinds
        .get(&*kind)
        .map(|k| &k.rules)
        .unwrap_or(ctx.defaults);
    let rules = c.rules(base, e.lead_days.as_ref());
    if rules.lead_days.is_empty() {
        let at = e.lead_days.as_ref().map_or(span.clone(), |l| l.span());
        c.err(at, tr(M::NeverReminded), tr(M::GiveLeadDays));
    }
    c.note_deadline(date.year());
    if let (Some(today), Some(at)) = (ctx.today, e.date.as_ref()) {
        if date < today {
            c.warn(
                at.span(),
                tr(M::EventPast).s("d", date),
                tr(M::EventPastHelp),
            );
        }
        not_too_far(c, today, date, &at.span(), tr(M::FarEvent));
    }
    Some(Event {
        title: Sensitive::new(
            e.title
                .as_ref()
                .map(|t| t.get_ref().clone())
                .unwrap_or_default(),
        ),
        kind,
        date,
        rules,
    })
}

/// A deadline more than this many days away is probably a typed year.
const FAR_DAYS: i64 = 3653;

/// `key = date` must not be after today.
fn not_in_future(
    c: &mut Checker<'_>,
    today: NaiveDate,
    v: Option<&S<RawDate>>,
    key: &str,
    why: crate::config::tr::Tr,
) {
    if let Some(v) = v {
        let d = v.get_ref().0;
        if d > today {
            c.warn(
                v.span(),
                tr(M::InFuture).s("key", key).s("d", d).s("today", today),
                tr(M::CheckYearMonth).t("why", why),
            );
        }
    }
}

/// An unresolved deadline ten years or more away is probably a typo.
fn not_too_far(
    c: &mut Checker<'_>,
    today: NaiveDate,
    d: NaiveDate,
    at: &Range<usize>,
    what: crate::config::tr::Tr,
) {
    let days = (d - today).num_days();
    if days > FAR_DAYS {
        c.warn(
            at.clone(),
            tr(M::TooFar)
                .t("what", what)
                .s("d", d)
                .s("years", days / 365),
            tr(M::TooFarHelp),
        );
    }
}

/// A document marked `renewed` stops being tracked: its renewal must be in
/// the file as a newer document of the same kind, or the person drops out.
fn renewed_without_newer(c: &mut Checker<'_>, docs: &[S<raw::RawDocument>]) {
    let when = |d: &raw::RawDocument| {
        d.expires
            .as_ref()
            .or(d.issued.as_ref())
            .map(|x| x.get_ref().0)
    };
    for d in docs {
        let raw = d.get_ref();
        let Some(status) = raw.status.as_ref().filter(|s| s.get_ref() == "renewed") else {
            continue;
        };
        let Some(kind) = raw.kind.as_ref().map(|k| k.get_ref()) else {
            continue;
        };
        let mine = when(raw);
        let newer = docs.iter().any(|o| {
            let o = o.get_ref();
            !std::ptr::eq(o, raw)
                && o.kind.as_ref().is_some_and(|k| k.get_ref() == kind)
                && match (when(o), mine) {
                    (Some(a), Some(b)) => a > b,
                    _ => true,
                }
        });
        if !newer {
            c.warn(
                status.span(),
                tr(M::RenewedNoNewer).s("kind", kind),
                tr(M::RenewedHelp).s("kind", kind),
            );
        }
    }
}

/// The Cyrillic letters in an id that also has Latin ones ("К" in "КZ-0042").
fn mixed_script(id: &str) -> Option<String> {
    if id.is_ascii() {
        return None;
    }
    let latin = id.chars().any(|ch| ch.is_ascii_alphabetic());
    let cyrillic: String = id
        .chars()
        .filter(|ch| ('\u{0400}'..='\u{04FF}').contains(ch))
        .collect();
    (latin && !cyrillic.is_empty()).then_some(cyrillic)
}
