//! `[[caseworker]]`: ids, addresses, languages, supervisors (no cycles).

use super::checker::Checker;
use super::service::email_ok;
use crate::config::model::{Caseworker, Language, Sensitive};
use crate::config::raw::{self, S};
use crate::config::suggest;
use crate::privacy::value;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

/// `[[caseworker]]` validated: each on its own, then what only the list
/// together can tell (supervisors named by id, no cycle, a feed file each).
pub(super) fn caseworkers(c: &mut Checker<'_>, list: &[S<raw::RawCaseworker>]) -> Vec<Caseworker> {
    let mut out: Vec<Caseworker> = Vec::new();
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut sup_refs: Vec<Option<S<String>>> = Vec::new();
    // Each caseworker's id span, in `out`'s order.
    let mut spans: Vec<Range<usize>> = Vec::new();
    for cw in list {
        out.push(caseworker(c, cw, &mut seen, &mut spans));
        sup_refs.push(cw.get_ref().supervisor.clone());
    }
    link_supervisors(c, &mut out, &sup_refs);
    supervisor_cycles(c, &out, &sup_refs);
    feed_names_distinct(c, &out, &spans);
    out
}

/// One caseworker on its own: an id (unique: `seen` holds those so far,
/// and its span goes to `spans`), an address, a language; the supervisor
/// is linked once all are known.
fn caseworker(
    c: &mut Checker<'_>,
    cw: &S<raw::RawCaseworker>,
    seen: &mut HashMap<String, Range<usize>>,
    spans: &mut Vec<Range<usize>>,
) -> Caseworker {
    let span = cw.span();
    let raw = cw.get_ref();
    let id = match c.required(
        &raw.id,
        &span,
        "id",
        "give each caseworker an id, e.g. id = \"aigerim\"",
    ) {
        Some(id) => {
            super::ids::id_ok(
                c,
                id,
                crate::config::tr::tr(crate::config::tr::M::WCaseworkerId),
            );
            spans.push(id.span());
            if seen.insert(id.get_ref().clone(), id.span()).is_some() {
                c.err(
                    id.span(),
                    format!("duplicate caseworker id \"{}\"", id.get_ref()),
                    "caseworker ids must be unique",
                );
            }
            id.get_ref().clone()
        }
        None => {
            spans.push(span.clone());
            String::new()
        }
    };
    let email = match c.required(
        &raw.email,
        &span,
        "email",
        "add email = \"name@ngo.example\"",
    ) {
        Some(e) => {
            email_ok(c, e, "email");
            e.get_ref().clone()
        }
        None => String::new(),
    };
    let language = raw
        .language
        .as_ref()
        .and_then(|l| {
            c.choice(
                l,
                "language",
                &[
                    ("en", Language::En),
                    ("ru", Language::Ru),
                    ("kk", Language::Kk),
                ],
                "use \"en\", \"ru\" or \"kk\"",
            )
        })
        .unwrap_or(Language::En);
    Caseworker {
        id,
        name: Sensitive::new(
            raw.name
                .as_ref()
                .map(|n| n.get_ref().clone())
                .unwrap_or_default(),
        ),
        email,
        supervisor: None,
        language,
    }
}

/// Each `supervisor` names a caseworker: linked by index, or an error with
/// the nearest id.
fn link_supervisors(c: &mut Checker<'_>, out: &mut [Caseworker], sup_refs: &[Option<S<String>>]) {
    let index: HashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for (i, s) in sup_refs.iter().enumerate() {
        let Some(s) = s else { continue };
        match index.get(s.get_ref()) {
            Some(&j) => out[i].supervisor = Some(j),
            None => {
                let hint = suggest::did_you_mean(s.get_ref(), index.keys().map(String::as_str))
                    .unwrap_or_else(|| "name another caseworker's id".into());
                c.err(
                    s.span(),
                    format!("unknown supervisor {}", value(s.get_ref())),
                    hint,
                );
            }
        }
    }
}

/// Supervisor cycles: an escalation must end with someone who has no
/// supervisor.
fn supervisor_cycles(c: &mut Checker<'_>, out: &[Caseworker], sup_refs: &[Option<S<String>>]) {
    // Supervisor cycles: follow each chain; a chain that comes back to its
    // start is reported once, at its first member.
    let mut reported = BTreeSet::new();
    for start in 0..out.len() {
        let mut chain = vec![start];
        let mut cur = out[start].supervisor;
        while let Some(n) = cur {
            if n == start {
                let min = *chain.iter().min().expect("non-empty");
                if min == start && reported.insert(start) {
                    let names: Vec<&str> = chain
                        .iter()
                        .chain(std::iter::once(&start))
                        .map(|&i| out[i].id.as_str())
                        .collect();
                    let span = sup_refs[start].as_ref().map(|s| s.span()).unwrap_or(0..0);
                    c.err(
                        span,
                        format!("supervisor cycle: {}", names.join(" → ")),
                        "an escalation must end with someone who has no supervisor",
                    );
                }
                break;
            }
            if chain.contains(&n) || chain.len() > out.len() {
                break;
            }
            chain.push(n);
            cur = out[n].supervisor;
        }
    }
}

/// Every feed file a caseworker gets (`<id>.ics`, and `<id>-team.ics` for
/// a supervisor) must be a file of its own: a caseworker "dana-team" beside
/// a supervisor "dana" would share a file with dana's team feed and receive
/// other caseworkers' cases. Names are compared case-folded, as a
/// case-insensitive file system (a Samba or macOS share) would.
fn feed_names_distinct(c: &mut Checker<'_>, out: &[Caseworker], spans: &[Range<usize>]) {
    let supervises: BTreeSet<usize> = out.iter().filter_map(|cw| cw.supervisor).collect();
    let mut names: Vec<(String, String, usize, bool)> = Vec::new();
    for (i, cw) in out.iter().enumerate() {
        if cw.id.is_empty() {
            continue;
        }
        names.push((super::ids::file_stem(&cw.id), cw.id.clone(), i, false));
        if supervises.contains(&i) {
            names.push((super::ids::team_stem(&cw.id), cw.id.clone(), i, true));
        }
    }
    let mut first: HashMap<String, (String, usize, bool)> = HashMap::new();
    for (name, id, i, team) in names {
        let key = super::ids::fold(&name);
        match first.get(&key) {
            None => {
                first.insert(key, (id, i, team));
            }
            // The same id twice is already reported as a duplicate.
            Some((other, _, _)) if *other == id && !team => {}
            Some((other, j, other_team)) => {
                let whose = |id: &str, team: bool| {
                    if team {
                        format!("the team feed of \"{id}\"")
                    } else {
                        format!("the feed of \"{id}\"")
                    }
                };
                let span = if spans[i].start >= spans[*j].start {
                    spans[i].clone()
                } else {
                    spans[*j].clone()
                };
                c.err(
                    span,
                    format!(
                        "{} and {} would both be written to {name}.ics{}",
                        whose(other, *other_team),
                        whose(&id, team),
                        if super::ids::fold(&name) == name || name == super::ids::file_stem(other) { "" } else { " (file names compared ignoring case)" }
                    ),
                    "give one of them another id: each feed must be a file of its own, or one caseworker would be sent another's cases",
                );
            }
        }
    }
}

pub(super) fn caseworker_ref(
    c: &mut Checker<'_>,
    r: &S<String>,
    index: &crate::config::admit::FastMap<&str, usize>,
    what: &str,
) -> usize {
    match index.get(r.get_ref().as_str()) {
        Some(&i) => i,
        None => {
            use crate::config::tr::{tr, M};
            let hint = suggest::did_you_mean_tr(r.get_ref(), index.keys().copied())
                .unwrap_or_else(|| tr(M::AddCaseworker));
            let unknown = match what {
                "owner" => M::UnknownOwner,
                "supervisor" => M::UnknownSupervisor,
                _ => M::UnknownCaseworker,
            };
            c.err(r.span(), tr(unknown).s("v", value(r.get_ref())), hint);
            usize::MAX
        }
    }
}
