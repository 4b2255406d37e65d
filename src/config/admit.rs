//! Which version of each file is in effect, given what only all files
//! together can tell: case ids and bill ids must be unique across files, a
//! bill id must not be a case id, and every `waiting_for` must name a bill.
//!
//! The rule: the file whose change introduced a conflict is the one left
//! out. Files are admitted unchanged ones first (what is in effect already,
//! or a last good copy), then changed ones, least recently written first
//! (include order among equals), so a changed
//! file that collides with one already admitted loses; a loser falls back
//! to its last good copy, and without one is not tracked. Pure.

use super::tr::{tr, Text, Tr, M};
use super::unit::Checked;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

/// Which version of a file is in effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    Disk,
    Good,
}

/// One include, as [`admit`] sees it.
pub(super) struct Candidate<'a> {
    pub rel: &'a str,
    /// The version on disk, if it is good on its own.
    pub disk: Option<&'a Checked>,
    /// The last good version, if there is one.
    pub good: Option<&'a Checked>,
    /// Does the disk version differ from the last good one (or is there none)?
    pub changed: bool,
    /// When the file on disk was last written (ns since the epoch).
    pub mtime_ns: i128,
}

/// A problem found across files: span (in the file), message, hint.
pub(super) type Conflict = (Range<usize>, Text, Text);

pub(super) struct Outcome {
    /// Per candidate: the version in effect, or None (not tracked).
    pub chosen: Vec<Option<Which>>,
    /// Conflicts that put a disk version out, by candidate.
    pub conflicts: HashMap<usize, Vec<Conflict>>,
    /// Problems of the main file's own cases that no file can be blamed
    /// for (a request waiting for a bill no file has).
    pub main_conflicts: Vec<Conflict>,
}

/// A fast hash for the id maps, the checker's lookups of caseworkers and
/// kinds (one per item) and the index's string table: the maps are rebuilt
/// on every reload, over every case id, and SipHash's resistance to chosen
/// keys buys nothing for ids from our own config. Numbers (the ids' own
/// XXH3 hashes, dates) get FxHash's multiply-rotate; text gets XXH3, well
/// mixed in every bit: FxHash of ids that differ only in their last digits
/// put a million of them in few groups of a table, and probing compared
/// strings (half of the index's time at 1,000,000 cases).
#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

impl Fx {
    fn mix(&mut self, x: u64) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(K);
    }
}

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }
    fn write_u8(&mut self, b: u8) {
        // Also the end marker `str` hashes after its bytes.
        self.mix(u64::from(b));
    }
    fn write_u32(&mut self, x: u32) {
        self.mix(u64::from(x));
    }
    fn write_i32(&mut self, x: i32) {
        self.mix(x as u32 as u64);
    }
    fn write_u64(&mut self, x: u64) {
        self.mix(x);
    }
    fn write_usize(&mut self, x: usize) {
        self.mix(x as u64);
    }
    fn write_u128(&mut self, x: u128) {
        // Both halves: the ledger's key digests (`ledger::Digests`) are
        // seeded XXH3 digests, already evenly spread.
        self.mix(x as u64);
        self.mix((x >> 64) as u64);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;
pub(crate) type FastSet<K> = HashSet<K, std::hash::BuildHasherDefault<Fx>>;

/// Who holds an id: the main file, or include `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder {
    Main,
    Include(usize),
}

/// Decide which version of each include is in effect. Admission runs in
/// rounds: each admits the files in [`Round::order`], checking ids as it
/// goes ([`Round::admit_ids`]) and then `waiting_for`
/// ([`Round::check_waiting_for`]); every file that loses falls back to
/// its last good copy (or is not tracked), and the next round starts over
/// with the versions left, until a round has no loser.
pub(super) fn admit(main: &Checked, cands: &[Candidate<'_>]) -> Outcome {
    let mut chosen: Vec<Option<Which>> = cands
        .iter()
        .map(|c| match (c.disk, c.good) {
            (Some(_), _) => Some(Which::Disk),
            (None, Some(_)) => Some(Which::Good),
            (None, None) => None,
        })
        .collect();
    let mut conflicts: HashMap<usize, Vec<Conflict>> = HashMap::new();
    let mut main_conflicts: Vec<Conflict> = Vec::new();
    // Each round drops at least one version, so this ends.
    for _ in 0..=2 * cands.len() + 1 {
        let round = Round {
            cands,
            chosen: &chosen,
        };
        main_conflicts.clear();
        let (bills, admitted, mut losers) = round.admit_ids(main, &mut main_conflicts);
        if losers.is_empty() {
            round.check_waiting_for(&admitted, &bills, &mut losers, &mut main_conflicts);
        }
        if losers.is_empty() {
            break;
        }
        for (i, problems) in losers {
            if chosen[i] == Some(Which::Disk) {
                conflicts.entry(i).or_default().extend(problems);
                chosen[i] = cands[i].good.map(|_| Which::Good);
            } else {
                chosen[i] = None;
            }
        }
    }
    Outcome {
        chosen,
        conflicts,
        main_conflicts,
    }
}

/// Who holds each bill id admitted so far in a round.
type Bills<'a> = FastMap<&'a str, Holder>;

/// The ids admitted so far in a round, keyed by their folded form, so
/// "kz-0042" and "KZ-0042" (or a Cyrillic К for the Latin K) are one case;
/// the id as written is kept to say how the two differ.
type Cases<'a> = FastMap<Key<'a>, (Holder, &'a str)>;

/// A folded case id with its hash, computed once (xxh3: well mixed in
/// every bit). A lookup compares the hashes before the strings: at
/// 1,000,000 cases the map no longer fits in cache, and probing by the
/// id's text spent ~12% of a load in `memcmp` on ids stored elsewhere.
#[derive(Debug, Clone)]
struct Key<'a> {
    hash: u64,
    id: Cow<'a, str>,
}

impl<'a> Key<'a> {
    fn of(id: &'a str) -> Key<'a> {
        let id = fold(id);
        Key {
            hash: xxhash_rust::xxh3::xxh3_64(id.as_bytes()),
            id,
        }
    }
}

impl std::hash::Hash for Key<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.id == other.id
    }
}

impl Eq for Key<'_> {}

/// Files that lose a round, by candidate, with why.
type Losers = BTreeMap<usize, Vec<Conflict>>;

/// One round of [`admit`]: the versions chosen when it starts.
struct Round<'r, 'a> {
    cands: &'r [Candidate<'a>],
    chosen: &'r [Option<Which>],
}

impl<'r, 'a> Round<'r, 'a> {
    /// The version of include `i` in effect this round, if any.
    fn version(&self, i: usize) -> Option<&'a Checked> {
        match self.chosen[i] {
            Some(Which::Disk) => self.cands[i].disk,
            Some(Which::Good) => self.cands[i].good,
            None => None,
        }
    }

    /// Is include `i` in this round as a disk version that changed?
    fn changed(&self, i: usize) -> bool {
        self.chosen[i] == Some(Which::Disk) && self.cands[i].changed
    }

    /// How a message names the holder of an id.
    fn name(&self, h: Holder) -> String {
        match h {
            Holder::Main => "the main config".to_string(),
            Holder::Include(j) => self.cands[j].rel.to_string(),
        }
    }

    /// The includes with a version, in admission order: unchanged ones in
    /// include order, then changed ones oldest first: of two that collide,
    /// the one written last (a copy of a file, say) is the one whose
    /// change did it.
    fn order(&self) -> Vec<usize> {
        let cands = self.cands;
        let mut order: Vec<usize> = (0..cands.len())
            .filter(|&i| self.version(i).is_some() && !self.changed(i))
            .collect();
        let mut newer: Vec<usize> = (0..cands.len())
            .filter(|&i| self.version(i).is_some() && self.changed(i))
            .collect();
        newer.sort_by_key(|&i| cands[i].mtime_ns);
        order.extend(newer);
        order
    }

    /// The main file, then each include in [`Round::order`], admitted when
    /// its case and bill ids collide with none admitted before it. The
    /// main file is never left out here (a broken main keeps its last good
    /// copy before admission starts): its collisions go to
    /// `main_conflicts`. Returns the bills admitted, the files admitted,
    /// and the losers.
    #[allow(clippy::type_complexity)]
    fn admit_ids(
        &self,
        main: &'a Checked,
        main_conflicts: &mut Vec<Conflict>,
    ) -> (Bills<'a>, Vec<(Holder, &'a Checked)>, Losers) {
        let order = self.order();
        let ids: usize = order
            .iter()
            .filter_map(|&i| self.version(i))
            .map(|c| c.refs.case_spans.len())
            .sum();
        let mut cases: Cases<'a> = FastMap::default();
        cases.reserve(ids + main.refs.case_spans.len());
        let mut bills: Bills<'a> = FastMap::default();
        let mut losers: Losers = BTreeMap::new();
        let mut admitted: Vec<(Holder, &'a Checked)> = Vec::new();
        for (holder, c) in std::iter::once((Holder::Main, main)).chain(
            order
                .iter()
                .map(|&i| (Holder::Include(i), self.version(i).expect("ordered"))),
        ) {
            let mut problems = Vec::new();
            self.case_problems(holder, c, &mut cases, &bills, &mut problems);
            let own_bills = self.bill_problems(c, &cases, &bills, &mut problems);
            match holder {
                Holder::Include(i) if !problems.is_empty() => {
                    // Take out the ids this file put in (those it holds:
                    // each holder is added once a round).
                    for case in &c.file.cases {
                        let key = Key::of(&case.id);
                        if cases.get(&key).is_some_and(|&(h, _)| h == holder) {
                            cases.remove(&key);
                        }
                    }
                    losers.entry(i).or_default().extend(problems);
                }
                _ => {
                    main_conflicts.extend(problems);
                    for id in own_bills {
                        bills.insert(id, holder);
                    }
                    admitted.push((holder, c));
                }
            }
        }
        (bills, admitted, losers)
    }

    /// The case ids of `c` (held by `holder`) against those admitted:
    /// a duplicate, a look-alike, or a bill's id is a problem. Each id is
    /// inserted as we go (one hash lookup per id), held by `holder`, which
    /// is how they are found again if the file loses (a list of the keys
    /// inserted cost 2.4 MB at 100,000 cases, and a second fold per id).
    fn case_problems(
        &self,
        holder: Holder,
        c: &'a Checked,
        cases: &mut Cases<'a>,
        bills: &Bills<'a>,
        problems: &mut Vec<Conflict>,
    ) {
        for (case, span) in c.file.cases.iter().zip(&c.refs.case_spans) {
            let (id, span) = (&*case.id, span.start as usize..span.end as usize);
            let key = Key::of(id);
            match cases.entry(key) {
                std::collections::hash_map::Entry::Occupied(o) => {
                    let (other, written) = *o.get();
                    let place = |t: Tr| {
                        if other == holder {
                            t.s("place", "")
                        } else {
                            t.t("place", tr(M::AlsoIn).s("file", self.name(other)))
                        }
                    };
                    let (msg, help) = if written == id {
                        (
                            place(tr(M::DuplicateCase).s("id", id)),
                            tr(M::DuplicateCaseHelp),
                        )
                    } else {
                        (
                            place(
                                tr(M::CaseIdLookalike)
                                    .s("id", id)
                                    .s("written", written)
                                    .t("how", how_they_differ(id, written)),
                            ),
                            tr(M::LookalikeHelp).s("written", written),
                        )
                    };
                    problems.push((span.clone(), msg.into(), help.into()));
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert((holder, id));
                }
            }
            if !bills.is_empty() && bills.contains_key(id) {
                problems.push((
                    span.clone(),
                    tr(M::CaseIsBill).s("id", id).into(),
                    tr(M::RenameBillOrCase).into(),
                ));
            }
        }
    }

    /// The bill ids of `c` against those admitted, against each other, and
    /// against the case ids: each clash is a problem. Returns the file's
    /// own bills, to be admitted with it.
    fn bill_problems(
        &self,
        c: &'a Checked,
        cases: &Cases<'a>,
        bills: &Bills<'a>,
        problems: &mut Vec<Conflict>,
    ) -> FastSet<&'a str> {
        let mut own_bills: FastSet<&'a str> = FastSet::default();
        for (id, span) in &c.refs.bills {
            if let Some(&other) = bills.get(id.as_str()) {
                problems.push((
                    span.clone(),
                    tr(M::DuplicateBill)
                        .s("id", id)
                        .t("place", tr(M::AlsoIn).s("file", self.name(other)))
                        .into(),
                    tr(M::DuplicateBillHelp).into(),
                ));
            } else if !own_bills.insert(id.as_str()) {
                problems.push((
                    span.clone(),
                    tr(M::DuplicateBill).s("id", id).s("place", "").into(),
                    tr(M::DuplicateBillHelp).into(),
                ));
            }
            if cases.contains_key(&Key::of(id)) {
                problems.push((
                    span.clone(),
                    tr(M::BillIsCase).s("id", id).into(),
                    tr(M::RenameBillOrCase).into(),
                ));
            }
        }
        own_bills
    }

    /// Every `waiting_for` must name an admitted bill. Blame the referring
    /// file if it changed; else a changed file whose last good version had
    /// the bill (its change removed it); else, for the main file, no one.
    fn check_waiting_for(
        &self,
        admitted: &[(Holder, &'a Checked)],
        bills: &Bills<'a>,
        losers: &mut Losers,
        main_conflicts: &mut Vec<Conflict>,
    ) {
        let cands = self.cands;
        for &(holder, c) in admitted {
            for (id, span) in &c.refs.waiting_for {
                if bills.contains_key(id.as_str()) {
                    continue;
                }
                let remover = (0..cands.len()).find(|&j| {
                    self.changed(j)
                        && cands[j]
                            .good
                            .is_some_and(|g| g.refs.bills.iter().any(|(b, _)| b == id))
                });
                let unknown = || {
                    let hint = super::suggest::did_you_mean_tr(id, bills.keys().copied())
                        .unwrap_or_else(|| tr(M::AddBill));
                    (
                        span.clone(),
                        tr(M::UnknownBill).s("v", crate::privacy::value(id)).into(),
                        hint.into(),
                    )
                };
                match holder {
                    Holder::Include(i) if self.changed(i) || remover.is_none() => {
                        losers.entry(i).or_default().push(unknown());
                    }
                    _ => match remover {
                        Some(j) => {
                            let span = 0..0;
                            let why = tr(M::RemovesBill).s("id", id).s("file", self.name(holder));
                            losers.entry(j).or_default().push((
                                span,
                                why.into(),
                                tr(M::KeepBill).into(),
                            ));
                        }
                        // The main file waits for a bill no file has.
                        None => main_conflicts.push(unknown()),
                    },
                }
            }
        }
    }
}

/// Cyrillic letters that look like Latin ones, and the Latin capital each
/// is mistaken for (a keyboard switched to Russian or Kazakh mid-word).
const LOOK_ALIKES: &[(char, char)] = &[
    ('А', 'A'),
    ('а', 'A'),
    ('В', 'B'),
    ('в', 'B'),
    ('Е', 'E'),
    ('е', 'E'),
    ('К', 'K'),
    ('к', 'K'),
    ('М', 'M'),
    ('м', 'M'),
    ('Н', 'H'),
    ('н', 'H'),
    ('О', 'O'),
    ('о', 'O'),
    ('Р', 'P'),
    ('р', 'P'),
    ('С', 'C'),
    ('с', 'C'),
    ('Т', 'T'),
    ('т', 'T'),
    ('Х', 'X'),
    ('х', 'X'),
    ('У', 'Y'),
    ('у', 'Y'),
    ('І', 'I'),
    ('і', 'I'),
    ('Ј', 'J'),
    ('ј', 'J'),
    ('Ѕ', 'S'),
    ('ѕ', 'S'),
];

/// An id as it is compared: letter case and look-alike letters folded
/// away. Allocates only for ids that are not already folded (an id such
/// as "KZ-0042" is borrowed: reloads compare 100,000 of them).
pub(super) fn fold(id: &str) -> Cow<'_, str> {
    if id.bytes().all(|b| b.is_ascii() && !b.is_ascii_lowercase()) {
        return Cow::Borrowed(id);
    }
    Cow::Owned(
        id.chars()
            .flat_map(|c| match LOOK_ALIKES.iter().find(|(k, _)| *k == c) {
                Some(&(_, latin)) => vec![latin],
                None => c.to_uppercase().collect(),
            })
            .collect(),
    )
}

/// "in other letter case" or "with Cyrillic К", for two ids that fold alike.
fn how_they_differ(a: &str, b: &str) -> Tr {
    let cyrillic: String = a
        .chars()
        .chain(b.chars())
        .filter(|c| LOOK_ALIKES.iter().any(|(k, _)| k == c))
        .collect();
    if cyrillic.is_empty() {
        tr(M::OtherCase)
    } else {
        tr(M::Homoglyphs).s("letters", cyrillic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fold_case_and_look_alikes() {
        assert!(matches!(fold("KZ-0042"), Cow::Borrowed(_)));
        assert_eq!(fold("kz-0042"), "KZ-0042");
        assert_eq!(fold("КZ-0042"), "KZ-0042");
        assert_eq!(fold("кз-0042"), "KЗ-0042");
        assert_ne!(fold("KZ-0042"), fold("KZ-0043"));
        assert_eq!(how_they_differ("kz-1", "KZ-1").en(), "in other letter case");
        assert!(how_they_differ("КZ-1", "KZ-1").en().contains("(К)"));
    }
}
