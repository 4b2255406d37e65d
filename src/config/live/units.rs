//! Step 3 of a load: each include read and checked on its own (in
//! parallel), reusing what did not change, and the matches the includes
//! refused.

use super::super::changed::Changed;
use super::super::diag::Diagnostics;
use super::super::files::CaseFiles;
use super::super::includes::Refused;
use super::super::store::content_hash;
use super::super::unit::{
    check_hashed, check_include, par_map, read_include, threads_for, Perms, Problems,
    FILE_BYTES_PER_THREAD,
};
use super::super::validate::Context;
use super::reuse::Look;
use super::{Live, Meta, Options, Unit};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl Live {
    /// Step 3: each include read and checked on its own, in parallel, with
    /// its last good copy when the disk version is not that one. A file
    /// that `changed` does not name, or whose metadata did not change since
    /// `prev` (loaded with the same settings), is reused as it was: that is what makes a one-file edit
    /// cheap in a config of 100,000 cases.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn read_units(
        source: &dyn CaseFiles,
        files: &[PathBuf],
        reals: &[PathBuf],
        rels: &[String],
        prev: Option<&Live>,
        changed: &Changed,
        reread: bool,
        ctx: &Context<'_>,
        opts: Options<'_>,
    ) -> Vec<Unit> {
        let env = opts.env;
        let prev_units: HashMap<&Path, &Unit> = prev
            .map(|p| p.units.iter().map(|u| (u.path.as_path(), u)).collect())
            .unwrap_or_default();
        type Work<'u> = (
            (PathBuf, &'u Path, &'u String),
            Option<Meta>,
            Option<&'u Unit>,
            bool,
            Option<&'u Unit>,
        );
        debug_assert_eq!((files.len(), reals.len()), (rels.len(), rels.len()));
        let work: Vec<Work<'_>> = files
            .iter()
            .zip(reals)
            .zip(rels)
            .map(|((p, real), rel)| {
                let real = real.as_path();
                let was = prev_units.get(p.as_path()).copied().filter(|u| !u.refused);
                // A file the events do not name is reused without a look.
                if let Some(u) = was.filter(|u| u.meta.is_some() && !changed.covers(p) && !reread) {
                    return ((p.clone(), real, rel), u.meta, Some(u), false, was);
                }
                // A file not read before: what tells whether it changed is
                // taken from the open file as it is read (one `stat` less
                // per file, on this thread, before the workers start).
                if was.is_none() && !reread && source.on_disk() {
                    return ((p.clone(), real, rel), None, None, false, None);
                }
                let meta = source.meta(p);
                if reread {
                    // Looked at below, by its bytes and mode.
                    return (
                        (p.clone(), real, rel),
                        meta,
                        was.filter(|u| u.disk_hash.is_some()),
                        true,
                        was,
                    );
                }
                let old = was.filter(|u| u.meta.is_some() && u.meta == meta);
                ((p.clone(), real, rel), meta, old, false, was)
            })
            .collect();
        // Small files go on this thread: below 512 KiB to read, a second
        // thread cost more than it saved (FILE_BYTES_PER_THREAD).
        let to_read = work.iter().filter(|w| w.2.is_none() || w.3);
        let bytes = bytes_to_read(source, to_read.map(|((p, ..), m, ..)| (p.as_path(), *m)));
        let read = |((p, real, rel), meta, old, verify, was): &Work<'_>| -> Unit {
            if let (Some(u), false) = (old, verify) {
                return (*u).clone();
            }
            let rel = (*rel).clone();
            let (disk, disk_hash, read_meta) = match old {
                Some(u) => match Self::same_bytes(source, p, real, u, ctx, env) {
                    Look::Same => {
                        return Unit {
                            meta: *meta,
                            ..(*u).clone()
                        }
                    }
                    Look::Read(text, stat) => {
                        let hash = content_hash(text.as_bytes());
                        let perms = Perms::of_read(source, stat.as_ref());
                        let checked = check_hashed(p, text, hash.clone(), ctx, env, perms);
                        (checked, Some(hash), None)
                    }
                    Look::Unreadable => read_include(source, p, real, ctx, env),
                },
                None => read_include(source, p, real, ctx, env),
            };
            let meta = &meta_after(source, p, real, *meta, read_meta, disk_hash.is_some());
            // The good copy, when the disk version is not the good one.
            let stored_meta = opts.store.and_then(|s| s.meta(&rel));
            let good = match (&disk, opts.store) {
                (Ok(c), _) if stored_meta.as_ref().is_some_and(|m| m.hash == c.hash) => None,
                // The stored copy is most often the version the load before
                // had checked (an edit of a good file): that, not the same
                // bytes read and parsed again, which doubled the time of a
                // one-file edit.
                (_, Some(s)) => stored_meta
                    .as_ref()
                    .and_then(|m| was.and_then(|u| checked_as(u, &m.hash)))
                    .or_else(|| {
                        s.read(&rel)
                            .and_then(|t| check_include(p, t, ctx, env, false).ok())
                    }),
                _ => None,
            };
            let mut disk = disk;
            if let (false, true, Ok(c)) = (opts.keep_texts, source.on_disk(), &mut disk) {
                c.text = None;
            }
            Unit {
                rel,
                path: p.clone(),
                meta: *meta,
                disk,
                disk_hash,
                good,
                good_since: stored_meta.as_ref().map(|m| m.since.clone()),
                stored_hash: stored_meta.map(|m| m.hash),
                dir_problem: None,
                refused: false,
            }
        };
        par_map(&work, threads_for(bytes, FILE_BYTES_PER_THREAD), read)
    }

    /// Step 3, for matches the includes refuse (unsafe ownership, not a
    /// regular file, …): not read, an error each, and their good copies,
    /// if any, stay in effect.
    pub(super) fn refused_units(
        source: &dyn CaseFiles,
        refused: &[Refused],
        root: &Path,
        ctx: &Context<'_>,
        opts: Options<'_>,
    ) -> Vec<Unit> {
        let env = opts.env;
        refused
            .iter()
            .map(|r| {
                let (p, why) = (&r.path, &r.why);
                let rel = source.rel(root, p);
                let mut d = Diagnostics::default();
                let f = d.add_source(p, String::new());
                d.error(f, 0..0, format!("{} is not read: {why}", p.display()));
                let good = opts
                    .store
                    .and_then(|s| s.read(&rel))
                    .and_then(|t| check_include(p, t, ctx, env, false).ok());
                Unit {
                    rel: rel.clone(),
                    path: p.clone(),
                    meta: source.meta(p),
                    disk: Err(Problems {
                        diags: Arc::new(d),
                        cases: Vec::new().into(),
                        echo: false,
                    }),
                    disk_hash: None,
                    good,
                    good_since: opts.store.and_then(|s| s.meta(&rel)).map(|m| m.since),
                    stored_hash: None,
                    dir_problem: r.dir.clone(),
                    refused: true,
                }
            })
            .collect()
    }
}

/// What tells whether the file at `p` changed, after this load's look:
/// the metadata taken before the read, else the read's own. Neither (a
/// file not read before, and the read did not take it: it could not be
/// read): a look at the path, as before, so that an unreadable file is
/// not "changed" at every look. Unless the path no longer leads to `real`,
/// where admission found the file (it, or a directory above it, was
/// swapped for a link during the load, which the reader refuses): then
/// none, so that the next look reads it again after judging the link,
/// instead of keeping this refusal while the link's target stays as it is.
fn meta_after(
    source: &dyn CaseFiles,
    p: &Path,
    real: &Path,
    before: Option<Meta>,
    read_meta: Option<Meta>,
    read: bool,
) -> Option<Meta> {
    let moved = !read && source.on_disk() && std::fs::canonicalize(p).ok().as_deref() != Some(real);
    if moved {
        return None;
    }
    before.or(read_meta).or_else(|| source.meta(p))
}

/// The version `u` had checked whose bytes hash to `hash` (its disk
/// version when good, or its good copy), if either. Checked with the same
/// settings (reuse is only across loads with the same settings), so the
/// same as checking the stored bytes again.
fn checked_as(u: &Unit, hash: &str) -> Option<super::super::unit::Checked> {
    u.disk
        .as_ref()
        .ok()
        .filter(|c| c.hash == hash)
        .or(u.good.as_ref().filter(|c| c.hash == hash))
        .cloned()
}

/// About how many bytes the files to read hold, to know whether they are
/// worth a second thread: the size each one's metadata gives; for those
/// read for the first time (whose metadata comes from the open file, as
/// it is read) the mean size of the first, middle and last of them times
/// their number, at most three `stat`s (files of one team are alike in
/// size; a small index file first and large ones after would otherwise
/// count as small). Unknown (a git tree's blobs, a file gone): as much as
/// could be.
fn bytes_to_read<'p>(
    source: &dyn CaseFiles,
    files: impl Iterator<Item = (&'p Path, Option<Meta>)>,
) -> u64 {
    let mut bytes = 0u64;
    let mut unknown: Vec<&Path> = Vec::new();
    for (p, meta) in files {
        match meta.and_then(|m| m.size()) {
            Some(size) => bytes = bytes.saturating_add(size),
            None => unknown.push(p),
        }
    }
    let Some(last) = unknown.len().checked_sub(1) else {
        return bytes;
    };
    let mut picks = vec![0, last / 2, last];
    picks.dedup();
    let mut sampled = 0u64;
    for &i in &picks {
        match source.meta(unknown[i]).and_then(|m| m.size()) {
            Some(size) => sampled = sampled.saturating_add(size),
            None => return u64::MAX,
        }
    }
    let mean = sampled / picks.len() as u64;
    bytes.saturating_add(mean.saturating_mul(unknown.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::super::super::store::Store;
    use super::super::super::unit::{threads_for, FILE_BYTES_PER_THREAD};
    use super::super::*;
    use super::bytes_to_read;

    /// A command's options: no store, no tree, texts dropped.
    fn plain(env: &Env) -> Options<'_> {
        Options {
            env,
            store: None,
            tree: None,
            keep_texts: false,
        }
    }

    /// A fresh load takes what tells whether a file changed from the file
    /// it read (no `stat` of the path first): the same as a look at the
    /// path, so that a reload after no change rereads nothing; a file
    /// that cannot be read is known by its path's metadata, as before.
    #[test]
    fn a_fresh_load_knows_each_file_as_a_look_at_its_path_would() {
        use std::os::unix::fs::PermissionsExt;
        let d = TestDir::new();
        d.write("cases.d/a.toml", &TestDir::case("KZ-1", "active"));
        d.write("cases.d/b.toml", &TestDir::case("KZ-2", "active"));
        let env = Env::from_process();
        let opts = plain(&env);
        d.write("cases.d/c.toml", &TestDir::case("KZ-3", "active"));
        let c = d.0.path().join("cases.d/c.toml");
        std::fs::set_permissions(&c, std::fs::Permissions::from_mode(0o000)).unwrap();
        let unreadable = std::fs::File::open(&c).is_err(); // not as root
        let live = Live::load(&d.main(), opts).unwrap();
        assert_eq!(live.units.len(), 3);
        assert_eq!(live.units[2].disk.is_err(), unreadable);
        for u in &live.units {
            assert!(u.meta.is_some());
            assert_eq!(u.meta, Meta::of(&u.path), "{}", u.path.display());
        }
        let again = live.reload(opts, &Changed::Anything).unwrap();
        for (a, b) in again.units.iter().zip(&live.units).take(2) {
            let (a, b) = (a.disk.as_ref().unwrap(), b.disk.as_ref().unwrap());
            assert!(Arc::ptr_eq(&a.file, &b.file), "reused, not read again");
        }
    }

    /// What a load has to read, for how many threads: the sizes the
    /// metadata gives; files not looked at yet counted as the mean of the
    /// first, middle and last of them (three `stat`s at most); a git
    /// tree's blobs, whose sizes are not known, looked at the same way; a
    /// file gone, as everything.
    #[test]
    fn the_bytes_to_read_are_the_sizes_known_or_a_sampled_mean_for_the_rest() {
        let d = TestDir::new();
        d.write("cases.d/a.toml", &"x".repeat(1000));
        d.write("cases.d/b.toml", &"y".repeat(300));
        let a = d.0.path().join("cases.d/a.toml");
        let b = d.0.path().join("cases.d/b.toml");
        let (a, b) = (a.as_path(), b.as_path());
        let disk = super::super::super::files::Disk;
        let bytes = |files: &[(&Path, Option<Meta>)]| bytes_to_read(&disk, files.iter().copied());
        let (ma, mb) = (Meta::of(a), Meta::of(b));
        assert_eq!(bytes(&[(a, ma), (b, mb)]), 1300);
        assert_eq!(bytes(&[(a, None), (b, None)]), 1300);
        assert_eq!(bytes(&[(b, mb), (a, None)]), 1300);
        assert_eq!(bytes(&[(a, None)]), 1000);
        // A small file first, large ones after: first, middle and last.
        let five = [(b, None), (a, None), (a, None), (a, None), (a, None)];
        assert_eq!(bytes(&five), (300 + 1000 + 1000) / 3 * 5);
        assert_eq!(bytes(&[]), 0);
        let gone = d.0.path().join("cases.d/gone.toml");
        assert_eq!(bytes(&[(a, None), (gone.as_path(), None)]), u64::MAX);
        let blob = Meta::of_blob(git2::Oid::ZERO_SHA1);
        assert_eq!(blob.size(), None);
        assert_eq!(bytes(&[(a, Some(blob))]), 1000);
    }

    /// Files worth two threads (over 512 KiB to read) are read on them and
    /// come back as read on one: in their order, each with its own cases.
    /// The test configs elsewhere are small and read on one thread.
    #[test]
    fn files_worth_two_threads_load_as_on_one() {
        let d = TestDir::new();
        let mut sizes = Vec::new();
        const FILES: [(&str, usize); 3] = [("a", 2000), ("b", 3), ("c", 2000)];
        for (f, n) in FILES {
            let text: String = (0..n)
                .map(|i| TestDir::case(&format!("KZ-{f}{i}"), "active"))
                .collect();
            sizes.push(text.len());
            d.write(&format!("cases.d/{f}.toml"), &text);
        }
        let total: usize = sizes.iter().sum();
        let threads = threads_for(total as u64, FILE_BYTES_PER_THREAD);
        assert!(total >= 2 * FILE_BYTES_PER_THREAD, "{total} bytes");
        assert_eq!(threads, super::super::super::unit::cores().min(2));
        let env = Env::from_process();
        let opts = plain(&env);
        let live = Live::load(&d.main(), opts).unwrap();
        let names: Vec<_> = live
            .units
            .iter()
            .map(|u| u.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.toml", "b.toml", "c.toml"]);
        for (u, (f, n)) in live.units.iter().zip(FILES) {
            let c = u.disk.as_ref().unwrap();
            let ids: Vec<&str> = c.file.cases.iter().map(|c| c.id.as_ref()).collect();
            assert_eq!(ids.len(), n, "{f}");
            assert_eq!(ids[0], format!("KZ-{f}0"));
            assert_eq!(ids[n - 1], format!("KZ-{f}{}", n - 1));
        }
        assert_eq!(live.config.cases().count(), 4003);
    }

    /// A file swapped for a link between admission and its read (the
    /// reader opens the real path admission found, and refuses the link
    /// there) keeps no metadata: the next look reads it again after
    /// judging the link, instead of keeping the refusal for as long as the
    /// link's target does not change.
    #[test]
    fn a_file_swapped_for_a_link_mid_load_is_read_again_at_the_next_look() {
        let d = TestDir::new();
        d.write("cases.d/a.toml", &TestDir::case("KZ-1", "active"));
        let env = Env::from_process();
        let opts = plain(&env);
        let live = Live::load(&d.main(), opts).unwrap();
        let root = std::fs::canonicalize(d.0.path()).unwrap();
        let real = root.join("cases.d/a.toml");
        let (path, rel) = (live.units[0].path.clone(), live.units[0].rel.clone());
        // Admitted as a regular file; now a link to the same text moved
        // beside it (inside the config directory: a link admission takes).
        std::fs::create_dir_all(root.join("shared")).unwrap();
        std::fs::rename(&real, root.join("shared/a.toml")).unwrap();
        std::os::unix::fs::symlink("../shared/a.toml", &real).unwrap();
        let ctx = Context::new(&live.settings, &env);
        let source = super::super::super::files::Disk;
        let units = Live::read_units(
            &source,
            std::slice::from_ref(&path),
            std::slice::from_ref(&real),
            std::slice::from_ref(&rel),
            None,
            &Changed::Anything,
            false,
            &ctx,
            opts,
        );
        let shown = format!("{:?}", units[0].disk.as_ref().err().map(|p| &p.diags.items));
        assert!(shown.contains("became a symbolic link"), "{shown}");
        assert_eq!(units[0].meta, None);
        // The next load takes the link and reads the case through it.
        let again = Live::load(&d.main(), opts).unwrap();
        assert!(again.units[0].disk.is_ok());
        assert!(again.units[0].meta.is_some());
    }

    /// A good file edited: the copy it replaces is the version the load
    /// before had checked (the same `Arc`, not the stored bytes parsed
    /// again), and it is what stays in effect when the next edit breaks
    /// the file; a fresh load with the same store agrees.
    #[test]
    fn an_edit_keeps_the_version_checked_before_as_its_good_copy() {
        let d = TestDir::new();
        let w = |rel: &str, text: &str| d.write(rel, text);
        let case = |status: &str| TestDir::case("KZ-1", status);
        w("cases.d/a.toml", &case("active"));
        let env = Env::from_process();
        let main = d.main();
        let store = Store::new(&d.0.path().join("state"), &main);
        let opts = Options {
            env: &env,
            store: Some(&store),
            tree: None,
            keep_texts: true,
        };
        let mut live = Live::load(&main, opts).unwrap();
        live.commit(&store, "2026-12-01T09:00:00Z").unwrap();
        let first = Arc::clone(&live.units[0].disk.as_ref().unwrap().file);
        w("cases.d/a.toml", &case("renewal_filed"));
        let mut live = live.reload(opts, &Changed::Anything).unwrap();
        let good = live.units[0].good.as_ref().expect("the version before");
        assert!(Arc::ptr_eq(&good.file, &first), "not parsed again");
        live.commit(&store, "2026-12-02T09:00:00Z").unwrap();
        let second = Arc::clone(&live.units[0].disk.as_ref().unwrap().file);
        w(
            "cases.d/a.toml",
            &case("renewal_filed").replace("2027-01-10", "10.01.2027"),
        );
        let live = live.reload(opts, &Changed::Anything).unwrap();
        assert_eq!(live.files[0].state, State::Held);
        let good = live.units[0].good.as_ref().expect("the good copy");
        assert!(Arc::ptr_eq(&good.file, &second));
        let fresh = Live::load(&main, opts).unwrap();
        assert_eq!(fresh.files[0].state, State::Held);
        assert_eq!(*fresh.units[0].good.as_ref().unwrap().file, *second);
        assert_eq!(fresh.config.files, live.config.files);
    }

    /// A command drops each case file's text once it is checked; the
    /// message of a conflict reads the file again and is located in it,
    /// as when the text is kept. A file changed since it was checked is
    /// not read for it (the spans are of the version checked).
    #[test]
    fn a_dropped_text_is_read_again_for_a_conflict() {
        let d = TestDir::new();
        d.write("cases.d/a.toml", &TestDir::case("KZ-1", "active"));
        d.write("cases.d/b.toml", &TestDir::case("KZ-1", "active"));
        let env = Env::from_process();
        let main = d.main();
        let load = |keep_texts| {
            let opts = Options {
                env: &env,
                store: None,
                tree: None,
                keep_texts,
            };
            Live::load(&main, opts).unwrap()
        };
        let (kept, dropped) = (load(true), load(false));
        let texts = |l: &Live| {
            l.units
                .iter()
                .filter(|u| u.disk.as_ref().is_ok_and(|c| c.text.is_some()))
                .count()
        };
        assert_eq!((texts(&kept), texts(&dropped)), (2, 0));
        let shown = |l: &Live| l.diagnostics.render_all(crate::privacy::Quoting::Full);
        assert_eq!(shown(&kept), shown(&dropped));
        assert!(
            shown(&dropped).contains("cases.d/b.toml:2:6: error: duplicate case id"),
            "{}",
            shown(&dropped)
        );
        let b = d.0.path().join("cases.d/b.toml");
        let hash = content_hash(std::fs::read(&b).unwrap().as_slice());
        assert!(super::super::read_again(&b, &hash).is_some());
        d.write("cases.d/b.toml", &TestDir::case("KZ-2", "active"));
        assert_eq!(super::super::read_again(&b, &hash), None);
    }
}
