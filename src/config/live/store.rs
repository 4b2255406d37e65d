//! What `Live` keeps in the store (`state_dir/good/`): the versions in
//! effect written as the last good ones, and the stored files no pattern
//! matches any more.

use super::super::store::{Store, Stored};
use super::{Live, State, Unit};
use std::collections::BTreeSet;

impl Live {
    /// Keep every version now in effect from disk as the last good one.
    /// Returns the files stored.
    pub fn commit(&mut self, store: &Store, now: &str) -> std::io::Result<usize> {
        let mut written = 0;
        if self.main.state == State::InEffect {
            if let Some(text) = self.own.text.take() {
                if store.meta(&self.main.rel).map(|m| m.hash) != Some(self.own.hash.clone()) {
                    let meta = Stored {
                        hash: self.own.hash.clone(),
                        since: now.to_string(),
                        cases: self.main.cases.to_vec(),
                    };
                    store.put(&self.main.rel, &text, &meta)?;
                    written += 1;
                }
            }
        }
        for (u, st) in self.units.iter_mut().zip(&self.files) {
            if st.state != State::InEffect {
                continue;
            }
            let Ok(c) = &mut u.disk else { continue };
            let Some(text) = c.text.take() else { continue };
            if u.stored_hash.as_ref() == Some(&c.hash) {
                continue;
            }
            let meta = Stored {
                hash: c.hash.clone(),
                since: now.to_string(),
                cases: st.cases.to_vec(),
            };
            store.put(&u.rel, &text, &meta)?;
            u.good = None;
            u.stored_hash = Some(c.hash.clone());
            u.good_since = Some(now.to_string());
            written += 1;
        }
        // The copies of vanished files stay: they are what says which
        // cases were in them, and they are removed only once their people
        // were told (`Daemon::tell_about_files`), so a deletion while docket
        // was stopped is told at the next start (issue 17, item 6).
        Ok(written)
    }
}

/// Step 6 of [`Live::build`]: files the store keeps that no pattern matches
/// any more (the main file aside), with their cases as last stored, so
/// that `status` can say they are gone.
pub(super) fn vanished(
    store: Option<&Store>,
    units: &[Unit],
    main_rel: &str,
) -> Vec<(String, Vec<(String, String)>)> {
    let Some(s) = store else {
        return Vec::new();
    };
    let matched: BTreeSet<&str> = units.iter().map(|u| u.rel.as_str()).collect();
    s.list()
        .into_iter()
        .filter(|r| *r != main_rel && !matched.contains(r.as_str()))
        .map(|r| {
            let cases = s.meta(&r).map(|m| m.cases).unwrap_or_default();
            (r, cases)
        })
        .collect()
}
