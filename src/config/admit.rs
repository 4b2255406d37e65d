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

/// Who holds an id: the main file, or include `i` (an index of the
/// candidates; u32, so that an entry of [`Cases`] is 16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder {
    Main,
    Include(u32),
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

/// The case ids admitted so far in a round, each by its folded form's key
/// ([`id_key`]), so "kz-0042" and "KZ-0042" (or a Cyrillic К for the Latin
/// K) are one case. An entry is the key, who holds the id and which of its
/// cases it is: 16 bytes, the id itself read from its file only when keys
/// match (to tell a duplicate from two ids that share a key). A map from
/// the folded id to its holder and the id as written took 64 bytes an id,
/// and at 100,000 cases its 8 MB of fresh memory and the ids read again
/// were most of the time of admission (`perf`: ~15 ms, on one core).
type Cases = hashbrown::HashTable<Held>;

/// One admitted case id (see [`Cases`]).
#[derive(Debug, Clone, Copy)]
struct Held {
    key: u32,
    holder: Holder,
    case: u32,
}

/// The key of a case id for the cross-file check: 32 bits of XXH3 of its
/// folded form ([`fold`]). Two ids may share a key (at 100,000 ids about
/// one pair does): they are told apart by comparing them.
pub(super) fn id_key(id: &str) -> u32 {
    xxhash_rust::xxh3::xxh3_64(fold(id).as_bytes()) as u32
}

/// A key as the table hashes it: spread over all 64 bits (the table picks
/// a bucket by the low bits and tags entries by the top seven), by the
/// hasher the other maps here use.
fn spread(key: u32) -> u64 {
    use std::hash::Hasher;
    let mut h = Fx::default();
    h.write_u32(key);
    h.finish()
}

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
            Holder::Include(j) => self.cands[j as usize].rel.to_string(),
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
            .map(|c| c.refs.case_keys.len())
            .sum();
        let mut cases = Cases::with_capacity(ids + main.refs.case_keys.len());
        let mut bills: Bills<'a> = FastMap::default();
        let mut losers: Losers = BTreeMap::new();
        let mut admitted: Vec<(Holder, &'a Checked)> = Vec::new();
        for (holder, c) in std::iter::once((Holder::Main, main)).chain(
            order
                .iter()
                .map(|&i| (Holder::Include(i as u32), self.version(i).expect("ordered"))),
        ) {
            let mut problems = Vec::new();
            self.case_problems(main, holder, c, &mut cases, &bills, &mut problems);
            let own_bills = self.bill_problems(main, c, &cases, &bills, &mut problems);
            match holder {
                Holder::Include(i) if !problems.is_empty() => {
                    // Take out the ids this file put in (those it holds:
                    // each holder is added once a round).
                    for (k, &key) in c.refs.case_keys.iter().enumerate() {
                        let mine = |e: &Held| e.holder == holder && e.case as usize == k;
                        if let Ok(e) = cases.find_entry(spread(key), mine) {
                            e.remove();
                        }
                    }
                    losers.entry(i as usize).or_default().extend(problems);
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

    /// The case id an entry of [`Cases`] stands for, as written.
    fn id_of(&self, main: &'a Checked, e: &Held) -> &'a str {
        let c = match e.holder {
            Holder::Main => main,
            Holder::Include(i) => self.version(i as usize).expect("admitted"),
        };
        &c.file.cases[e.case as usize].id
    }

    /// The entry of `cases` for `id` (whose key is `key`), if any: the
    /// same key and the same folded id.
    fn find<'t>(
        &self,
        main: &'a Checked,
        cases: &'t Cases,
        key: u32,
        id: &str,
    ) -> Option<&'t Held> {
        let folded = std::cell::OnceCell::new();
        cases.find(spread(key), |e| {
            e.key == key && fold(self.id_of(main, e)) == *folded.get_or_init(|| fold(id))
        })
    }

    /// The case ids of `c` (held by `holder`) against those admitted:
    /// a duplicate, a look-alike, or a bill's id is a problem. Each id is
    /// inserted as we go (one lookup per id), held by `holder`, which is
    /// how they are found again if the file loses. Only the keys are read
    /// (in file order, from `c.refs`); a case's id only when its key is
    /// found.
    fn case_problems(
        &self,
        main: &'a Checked,
        holder: Holder,
        c: &'a Checked,
        cases: &mut Cases,
        bills: &Bills<'a>,
        problems: &mut Vec<Conflict>,
    ) {
        for (k, &key) in c.refs.case_keys.iter().enumerate() {
            let id = || &*c.file.cases[k].id;
            let span = || {
                let s = &c.refs.case_spans[k];
                s.start as usize..s.end as usize
            };
            match self.find(main, cases, key, id()).copied() {
                Some(other) => {
                    let (id, written) = (id(), self.id_of(main, &other));
                    let place = |t: Tr| {
                        if other.holder == holder {
                            t.s("place", "")
                        } else {
                            t.t("place", tr(M::AlsoIn).s("file", self.name(other.holder)))
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
                    problems.push((span(), msg.into(), help.into()));
                }
                None => {
                    let held = Held {
                        key,
                        holder,
                        case: k as u32,
                    };
                    cases.insert_unique(spread(key), held, |e| spread(e.key));
                }
            }
            if !bills.is_empty() && bills.contains_key(id()) {
                problems.push((
                    span(),
                    tr(M::CaseIsBill).s("id", id()).into(),
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
        main: &'a Checked,
        c: &'a Checked,
        cases: &Cases,
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
            if self.find(main, cases, id_key(id), id).is_some() {
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
                    Holder::Include(i) if self.changed(i as usize) || remover.is_none() => {
                        losers.entry(i as usize).or_default().push(unknown());
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
    use super::super::live::{Live, Options, State, TestDir};
    use super::*;

    /// Two ids whose keys are the same 32 bits (found by search: about one
    /// pair in 100,000 ids shares a key).
    fn two_ids_sharing_a_key() -> (String, String) {
        let mut seen: HashMap<u32, String> = HashMap::new();
        for n in 0u32.. {
            let id = format!("KZ-{n:07}");
            if let Some(other) = seen.insert(id_key(&id), id.clone()) {
                return (other, id);
            }
        }
        unreachable!()
    }

    /// Across files: two ids that share a key but differ are both
    /// admitted; the same id, in other letter case or with a Cyrillic
    /// look-alike, or a bill's id used for a case, puts the file written
    /// last out (not tracked: it never had a good version).
    #[test]
    fn ids_are_compared_across_files_not_just_their_keys() {
        let (a, b) = two_ids_sharing_a_key();
        assert_ne!(a, b);
        assert_eq!(id_key(&a), id_key(&b));
        let d = TestDir::new();
        let env = super::super::env::Env::from_process();
        let opts = Options {
            env: &env,
            store: None,
            tree: None,
            keep_texts: false,
        };
        // Each file dated, so that which is newest is certain.
        const T0: u64 = 1_767_225_600; // 2026-01-01
        d.write_dated("cases.d/a.toml", &TestDir::case(&a, "active"), T0);
        d.write_dated("cases.d/b.toml", &TestDir::case(&b, "active"), T0);
        let live = Live::load(&d.main(), opts).unwrap();
        assert!(live.files.iter().all(|f| f.state == State::InEffect));
        assert_eq!(live.config.case_count(), 2);
        let problem = |live: &Live, rel: &str| {
            let f = live.files.iter().find(|f| f.rel == rel).unwrap();
            assert_eq!(f.state, State::NotTracked, "{rel}");
            let d = f.problems.as_ref().unwrap();
            let e = d.errors().next().unwrap();
            d.headline(e, crate::privacy::Quoting::Full)
        };
        // The newest file's id against the two in effect: how the message
        // says they differ, and which file holds the other.
        let clashes = [
            (a.to_lowercase(), "in other letter case", "cases.d/a.toml"),
            (b.replace('K', "К"), "Cyrillic", "cases.d/b.toml"),
            (a.clone(), "duplicate case id", "cases.d/a.toml"),
        ];
        for (n, (id, how, other)) in clashes.iter().enumerate() {
            let newer = T0 + 10 * (n as u64 + 1);
            d.write_dated("cases.d/c.toml", &TestDir::case(id, "active"), newer);
            let live = Live::load(&d.main(), opts).unwrap();
            let h = problem(&live, "cases.d/c.toml");
            assert!(h.contains(how) && h.contains(other), "{h}");
            assert_eq!(live.config.case_count(), 2);
        }
    }

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
