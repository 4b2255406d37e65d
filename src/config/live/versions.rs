//! The versions on disk this load read, for the history
//! (`crate::history::record`): a read-only view of [`Live`].

use super::{FileStatus, Live, State};
use std::path::Path;

impl Live {
    /// Every file as read from disk this time, for the history
    /// (`crate::history::record`): read only, called before
    /// [`Live::commit`] takes the texts. A file whose text is gone (reused
    /// unchanged from the previous load, whose commit took it) or could
    /// not be read is left out: its version was recorded when it was read.
    pub fn versions(&self) -> impl Iterator<Item = FileVersion<'_>> {
        let main_text = match &self.own.text {
            Some(t) if self.main.state == State::InEffect => Some(t.as_str()),
            _ => problem_text(&self.main),
        };
        let main = FileVersion::of(&self.main, main_text, &[]);
        // Only files with a text left cost anything: after the first
        // commit, a reload of one changed file gives one version.
        // Case files in a git repository: the repository keeps their
        // versions, with their authors (`docket log` reads it).
        let from_disk = self.tree.is_none();
        let units = self
            .units
            .iter()
            .zip(&self.files)
            .filter(move |_| from_disk)
            .filter_map(|(u, st)| {
                let (text, cases) = match &u.disk {
                    Ok(c) => (c.text.as_deref().map(String::as_str)?, &c.cases),
                    Err(p) => (problem_text(st)?, &p.cases),
                };
                Some(FileVersion::of(st, Some(text), &cases.to_vec()))
            });
        std::iter::once(main)
            .chain(units)
            .filter(|v| v.text.is_some() && v.hash.is_some())
    }
}

/// One file's version on disk, as [`Live::versions`] gives it.
#[derive(Debug, Clone)]
pub struct FileVersion<'a> {
    pub rel: &'a str,
    pub path: &'a Path,
    pub text: Option<&'a str>,
    pub hash: Option<&'a str>,
    /// In effect (applied), or held back / not tracked.
    pub applied: bool,
    /// The case ids the text names (salvaged when it is broken).
    pub cases: Vec<String>,
}

impl<'a> FileVersion<'a> {
    fn of(st: &'a FileStatus, text: Option<&'a str>, cases: &[(String, String)]) -> Self {
        let cases = if cases.is_empty() {
            st.cases.iter().map(|(c, _)| c.to_string()).collect()
        } else {
            cases.iter().map(|(c, _)| c.clone()).collect()
        };
        FileVersion {
            rel: &st.rel,
            path: &st.path,
            text,
            hash: st.disk_hash.as_deref(),
            applied: st.state == State::InEffect,
            cases,
        }
    }
}

/// The text on disk of a file left out: kept with its problems.
fn problem_text(st: &FileStatus) -> Option<&str> {
    st.disk_hash.as_ref()?;
    st.problems
        .as_deref()
        .and_then(|d| d.sources.first())
        .map(|s| s.text.as_str())
}
