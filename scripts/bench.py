#!/usr/bin/env python3
"""docket's benchmarks, each beside its peer, in one run on one machine.

Run through scripts/bench.sh (which installs hyperfine and remind and
builds the release binary). Measures, at 1k / 10k / 100k / 1M generated
cases (BENCH_SIZES="1000 10000" for fewer):

- `docket upcoming` against `remind -q -h` on the same deadlines: with the
  index of an unchanged config (what a user gets on every run but the first
  after an edit) and without it (DOCKET_CACHE=off: a full load);
- a year's `docket plan` against `remind -s12` (remind -s12 up to 100k: at
  1M one run takes minutes);
- `docket check` (a full load and validation);
- the daemon: its pass after a reload, the reload, and its idle RSS right
  after start and after five reloads;
- 1,000 digests through the loopback Postfix over STARTTLS against a plain
  smtplib client (scripts/bench-smtp.py), when the test mail server is up
  (scripts/test-mail-server.sh start, as root).

BENCH_SMTP=0 leaves the SMTP figures out. Raw figures go to target/bench/results.json; BENCHMARKS.md and
doc/bench-curve.svg are written from them (`--render` rewrites both from the
saved results without measuring again). Every time is a hyperfine median;
ratios compare figures taken in the same run.
"""
import datetime
import json
import statistics
import math
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "docket")
WORK = os.path.join(ROOT, "target", "bench")
RESULTS = os.path.join(WORK, "results.json")
TODAY = "2026-11-21"
PLAN_TO = "2027-11-20"
SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "1000 10000 100000 1000000").split()]
REMIND_S12_MAX = 100000


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, text=True, capture_output=True, **kw).stdout


def generate(n, files=10):
    d = os.path.join(WORK, str(n) if files == 10 else f"{n}-f{files}")
    if not os.path.exists(os.path.join(d, "docket.toml")):
        subprocess.run(
            [sys.executable, os.path.join(ROOT, "scripts", "gen-config.py"), str(n), d,
             "--bench", "--remind", os.path.join(d, "cases.rem"), "--files", str(files)],
            check=True)
    return os.path.join(d, "docket.toml"), os.path.join(d, "cases.rem")


def hyperfine(cmds, runs, prepare=None):
    """Median seconds of each command (dict name -> median); `prepare`
    runs before each run of each command.

    The runs are made in up to five rounds, the commands' order rotated
    from round to round, and the median is taken over all of a command's
    runs: this VM has slow periods of tens of seconds, and runs made one
    command after the other had put such a period on one side of a ratio
    (the same binary's `check` in 1 file came out at 0.68x and 1.09x
    Remind in two runs of this script)."""
    per_round = max(2, runs // 5) if runs >= 4 else runs
    rounds = max(1, runs // per_round)
    times = {name: [] for name, _ in cmds}
    for r in range(rounds):
        order = cmds[r % len(cmds):] + cmds[:r % len(cmds)]
        out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
        # No shell (-N): a few-ms command is measured without a shell's start-up.
        warmup = ("3" if runs > 3 else "1") if r == 0 else "1"
        args = ["hyperfine", "-N", "--style", "none", "--warmup", warmup, "--runs", str(per_round),
                "--export-json", out]
        if prepare:
            args += ["--prepare", prepare]
        for name, cmd in order:
            args += ["--command-name", name, cmd]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            for res in json.load(f)["results"]:
                times[res["command"]].extend(res["times"])
        os.unlink(out)
    return {name: statistics.median(t) for name, t in times.items()}


def peak_rss_kb(cmd):
    r = subprocess.run(f"/usr/bin/time -f %M {cmd} >/dev/null", shell=True, text=True, capture_output=True)
    return int(r.stderr.strip().splitlines()[-1])


def daemon_figures(cfg):
    """Start the daemon on the generated config, reload it five times, and
    read pass and reload times from its log and its RSS from /proc. Each
    reload waits until the calendar feeds of the pass before are written:
    they are written by a thread of their own, and a reload that competes
    with it for the two cores measures the competition."""
    state = tempfile.mkdtemp(prefix="docket-bench-state-")
    # The daemon appends through a description of its own and this reads
    # through another: a shared one shares the offset, and a line written
    # while the reader had seeked to 0 overwrote the first lines (see
    # scripts/bench-daemon.py).
    with open(os.path.join(state, "log"), "ab") as daemon_log:
        env = dict(os.environ, STATE_DIRECTORY=state, DOCKET_LOG="info,docket::daemon::feeds=debug")
        p = subprocess.Popen([BIN, "-c", cfg, "run", "--today", TODAY], stdout=subprocess.DEVNULL,
                             stderr=daemon_log, env=env)
    log = open(os.path.join(state, "log"), "r")

    def wait_for(pattern, count, timeout=1800):
        deadline = time.time() + timeout
        while time.time() < deadline:
            log.seek(0)
            found = re.findall(pattern, log.read())
            if len(found) >= count:
                return found
            if p.poll() is not None:
                raise RuntimeError("daemon exited")
            time.sleep(0.05)
        raise RuntimeError(f"timeout waiting for {pattern}")

    def rss():
        with open(f"/proc/{p.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    try:
        wait_for(r"pass done.*?elapsed_ms=(\d+)", 1)
        wait_for(r"calendar feeds written", 1)
        time.sleep(2)
        rss_start = rss()
        reloads = 5
        for i in range(reloads):
            p.send_signal(signal.SIGHUP)
            wait_for(r"pass done.*?elapsed_ms=(\d+)", i + 2)
            wait_for(r"calendar feeds written", i + 2)
        passes = [int(x) for x in wait_for(r"pass done.*?elapsed_ms=(\d+)", reloads + 1)][1:]
        reload_ms = [int(x) for x in wait_for(r"reload_ms=(\d+)", reloads)]
        time.sleep(2)
        rss_reloaded = rss()
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=120)
    return {"pass_ms": median(passes), "reload_ms": median(reload_ms),
            "rss_start_kb": rss_start, "rss_reloaded_kb": rss_reloaded}


def layout_figures(n, files):
    """A full load at n cases split over `files` include files: cold
    `upcoming` and `check` beside `remind -q -h` on the same deadlines."""
    cfg, rem = generate(n, files)
    d = f"{BIN} -c {cfg}"
    up = f"env DOCKET_CACHE=off {d} upcoming --today {TODAY} --days 30 --format json"
    t = hyperfine([
        ("upcoming_noindex", up),
        ("remind_h", f"remind -q -h {rem} {TODAY}"),
        ("check", f"{d} check"),
    ], 10)
    rss = {"upcoming_noindex": peak_rss_kb(up), "check": peak_rss_kb(f"{d} check")}
    return {"times": t, "peak_rss_kb": rss}


def daemon_memory(n):
    """scripts/bench-daemon.py on the n-case config: peak and idle RSS
    after the first pass, BENCH_EDITS one-file edits (100) and BENCH_HUPS
    SIGHUPs (100); edit and reload times; history and `docket log`."""
    cfg, _ = generate(n)
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "bench-daemon.py"), os.path.dirname(cfg),
         "--bin", BIN, "--today", TODAY,
         "--edits", os.environ.get("BENCH_EDITS", "100"), "--hups", os.environ.get("BENCH_HUPS", "100")],
        check=True, capture_output=True, text=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def smtp_figures():
    """scripts/bench-smtp.py with one connection and with the default
    (3), or None when the test mail server is not up."""
    if os.environ.get("BENCH_SMTP") == "0":
        return None
    env_file = os.path.join(os.environ.get("DOCKET_TEST_MAIL_DIR", "/var/tmp/docket-test-mail"), "env")
    if not os.path.exists(env_file):
        return None
    up = subprocess.run([os.path.join(ROOT, "scripts", "test-mail-server.sh"), "status"],
                        capture_output=True, text=True)
    if up.returncode != 0:
        return None
    out = {}
    for conns in ["1", "3"]:
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench-smtp.py"), "1000", "3"],
                           capture_output=True, text=True, env=dict(os.environ, BENCH_CONNECTIONS=conns))
        if r.returncode != 0:
            print(r.stderr, file=sys.stderr)
            return None
        out[conns] = json.loads(r.stdout.strip().splitlines()[-1])
    return out


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except Exception:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    remind = subprocess.run("dpkg-query -W -f '${Version}' remind", shell=True, capture_output=True, text=True).stdout
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": f"{mem:.0f} GiB",
        "os": platform.platform(),
        "docket": sh(f"{BIN} --version").strip(),
        "remind": f"remind {remind}".strip(),
        "hyperfine": sh("hyperfine --version").strip(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def measure():
    os.makedirs(WORK, exist_ok=True)
    # The index goes to a cache of the benchmark's own.
    os.environ["XDG_CACHE_HOME"] = os.path.join(WORK, "cache")
    sizes = {}
    for n in SIZES:
        cfg, rem = generate(n)
        d = f"{BIN} -c {cfg}"
        up = f"{d} upcoming --today {TODAY} --days 30 --format json"
        plan = f"{d} plan --from {TODAY} --to {PLAN_TO} --format json"
        # Fast commands get many runs: a few-ms median moves with the
        # machine's noise otherwise.
        runs = 30 if n <= 10000 else 10 if n <= 100000 else 3
        sh(f"{up} >/dev/null")  # writes the index
        t = hyperfine([
            ("upcoming", up),
            ("upcoming_noindex", f"env DOCKET_CACHE=off {up}"),
            ("remind_h", f"remind -q -h {rem} {TODAY}"),
            ("check", f"{d} check"),
            ("plan", plan),
            ("plan_noindex", f"env DOCKET_CACHE=off {plan}"),
        ], runs)
        # The first run after an edit with the index on: the load, the
        # answer, and the index written for the next run (the cache emptied
        # before each run). DOCKET_CACHE=off above leaves the index out.
        cache = os.path.join(os.environ["XDG_CACHE_HOME"], "docket")
        t.update(hyperfine([("upcoming_written", up)], runs, prepare=f"rm -rf {cache}"))
        sh(f"{up} >/dev/null")  # the index again, for what follows
        if n <= REMIND_S12_MAX:
            t.update(hyperfine([("remind_s12", f"remind -s12 {rem} {TODAY}")], 3 if n >= 100000 else 10))
        rss = {
            "upcoming": peak_rss_kb(up),
            "upcoming_noindex": peak_rss_kb(f"env DOCKET_CACHE=off {up}"),
            "remind_h": peak_rss_kb(f"remind -q -h {rem} {TODAY}"),
            "plan": peak_rss_kb(plan),
            "check": peak_rss_kb(f"{d} check"),
        }
        if n <= REMIND_S12_MAX:
            rss["remind_s12"] = peak_rss_kb(f"remind -s12 {rem} {TODAY}")
        # The daemon's RSS moves by a few MiB from run to run (which thread
        # freed what, when): the median of three daemons up to 100k.
        ds = [daemon_figures(cfg) for _ in range(3 if n <= 100000 else 1)]
        daemon = {k: median([x[k] for x in ds]) for k in ds[0]}
        daemon["runs"] = ds
        sizes[str(n)] = {"times": t, "peak_rss_kb": rss, "daemon": daemon}
        if n == 100000:
            # Issue 23: every layout, and the daemon's memory over time.
            sizes[str(n)]["layouts"] = {str(f): layout_figures(n, f) for f in (1, 1000)}
            sizes[str(n)]["daemon_memory"] = daemon_memory(n)
        print(f"{n}: done", file=sys.stderr)
    res = {"machine": machine(), "sizes": sizes, "smtp": smtp_figures()}
    with open(RESULTS, "w") as f:
        json.dump(res, f, indent=1)
    return res


NOTES = """### Where the time goes, and what the misses would take

- **upcoming.** Loading is what costs: at 100,000 cases a full load (read, parse the include
  files on both cores with the hand parser of `src/config/fast.rs`, validate, check ids across
  files) is most of `upcoming, no index`. A file of more than 4 MiB is cut at `[[case]]`
  headers and its pieces parsed and checked on both cores, joined in file order
  (`config/unit.rs`; one 19 MB file had been read on one core). The rows of a large answer are
  made on both cores too, every other block of 2,048 on a second thread, and written by a JSON
  writer of their own (same bytes as serde_json's, tested). The index (`src/index.rs`) skips all of it when no
  file changed: the run reads and hashes every file (to know that none changed: ~15 MB at 100k,
  a few ms), reads the index, finds the rows by a binary search on the act-by date and writes
  the JSON from one buffer. The first run after an edit pays the full load and writes the index.
- **plan.** From the index: every item as the engine lists it plus the main file's settings
  (calendar, caseworkers), then the engine schedules the year. The rest is the JSON (24 MB at
  100k), written by a writer of its own as `upcoming`'s is (the same bytes as serde_json's
  pretty printer, tested): serde's call per token was a quarter of the run (85 -> 60–75 ms
  this round, alternating runs).
- **Daemon pass.** Items and due reminders are built on both cores (from 20,000 cases), each
  thread writing its half of the items straight into its place in one vector sized up front
  (no second vector copied over after the join) and, every 1,024 items while they are in the
  cache, finding the reminders due and dropping those the ledger holds. The ledger is
  consulted through an in-memory set of its keys' digests (XXH3-128, seeded per process); the
  candidates' digests are made first and looked up in a loop of their own, so the lookups,
  which wait on memory, overlap. A pass that runs while the calendar feeds of the pass before
  are still being written (a thread of their own, 1–2 s at 100k) shares the two cores with it
  and takes about twice as long; the figure here waits for the feeds.
- **Idle RSS.** The config itself at 100k cases is ~21 MB of live heap (heaptrack of an idle
  daemon built with the system allocator: the `Case` structs 8.8 MB, one document each 5.6 MB,
  ids, names and numbers ~3 MB); in the daemon it occupies ~29 MB of mimalloc's arena (size
  classes and pages shared with the load's temporaries). The rest of the RSS is the binary's
  pages (~13 MB), the runtime's threads, SQLite's page cache and allocator fragmentation after
  reloads. What went: spare vector capacity (26 MB), a copy of
  every case id and caseworker id per file (9 MB), a String per case id for the cross-file check
  (6.5 MB), the feed writer's cached revisions (10 MB), freed pages kept by idle threads
  (mimalloc now purges at once in the daemon), a String per item for its kind (now one shared
  string per kind), vectors in `Case` (now boxed slices), a `String` per id and per name or number (now
  `Box<str>`, 8 bytes less each), a copy of the reminder rules in every item (now one `Arc` per
  kind and for the defaults: idle 51.4 -> 47.3 MiB), and what SQLite freed on the history's
  recorder thread (trimmed after each record: idle after edits 50.4 -> 47.8 MiB), and glibc's
  per-thread arenas for SQLite (the daemon keeps one: its glibc memory after 100 edits 3.5–5.9
  -> 1.1 MiB). After reloads the RSS grows by what the
  allocator cannot hand back (pages shared by the old and the new config); what would take it
  further: building the new config in an arena of its own, a smaller SQLite cache.
- **Scaling.** The daemon's pass, `plan` and `upcoming` from the index grow linearly (flat per
  1,000 cases from 10k to 1M). A full load (`check`, the commands without the index, a reload)
  costs more per case at 1M than at 100k. The cross-file id map (`config/admit.rs`) was most of
  the difference: keyed by the id's text with a weak hash, a million ids probed and compared
  strings stored elsewhere (`admit` 16% and `memcmp` 12% of a `check` at 1M); keyed by an xxh3
  hash computed once per id and compared first, `check` at 1M went from 2.7 s to 1.1 s. What is
  left is fresh memory: `perf record` of a cold `upcoming` at 1M puts 42% in the kernel zeroing
  pages (peak RSS ~0.6 GB). What it would take: a load that frees each file's parse before the
  next (peak memory of one file, not of all). Keeping freed pages during short commands
  (`MIMALLOC_PURGE_DELAY=-1` or `1000`) was tried: within the noise (2.3 ± 0.5 s either way).
  A smaller id map (8 bytes an id instead of 64, the ids kept in their files) was tried too:
  `check` at 1M 842 vs 837 ms, peak RSS 557 vs 555 MiB (the map is freed before the peak), so it
  was not kept.
- **Start-up (1k).** At 1,000 cases `docket --version` alone takes most of what `remind` takes
  for the whole answer. Of a start, the largest part is the kernel copying the pages of the
  binary's relocated data (`.data.rel.ro`, 1.3 MB, ~50,000 relative relocations that a
  position-independent executable applies at every start). Counted from `readelf -r` and the
  bytes each relocation points to: 28,939 of the 49,946 are the time-zone abbreviations
  (`"EST"`, `"+05"`) in chrono-tz's compiled-in tables, every transition of every zone, and they
  sit on 260 of the 337 pages the relocations dirty. Side by side (hyperfine, 300 runs each),
  `upcoming` at 1k from the index took 5.1 ms as built, 4.3 ms with packed relative
  relocations (`-Wl,-z,pack-relative-relocs`) and 2.9 ms linked without PIE (`remind` 1.8 ms).
  docket stays a PIE (address randomisation for a service that parses other people's files;
  lintian flags `hardening-no-pie`); packed relocations need glibc 2.36 and saved 0.1–0.8 ms
  in four side-by-side runs, so they were left out. What it would take: time-zone data without pointers
  (the one configured zone read from the system's tzdata, or chrono-tz's tables reduced to the
  zones a config names, which its `filter-by-regex` does at build time, refusing the others).
  The index is also used when the main file is named from
  its own directory (`-c docket.toml`): the key spelled the case files two ways, so every such
  run missed, loaded everything and wrote the index again (8.2 -> 3.6 ms at 1k).
  Without the index a 1k run also pays its first huge page: mimalloc asks for transparent huge
  pages and the first touch zeroes 2 MiB (`MIMALLOC_ALLOW_THP=0`: 9.5 -> 7.2 ms cold); the daemon
  turns them off (its idle RSS), short commands keep them (a cold `upcoming` at 100k is 6–19%
  slower on 4 KiB pages).
- **Cold load at 100k.** What this round took out, each measured on its own (commit messages):
  one core idle while a single file was parsed (now pieces on both cores); both cores counting
  on one shared `Arc` per item (a kind's rules and name: each checker now has its own handle);
  messages built for every item and thrown away unless something was wrong (a kind's help, a
  computed deadline's wording); dates split into a list to be parsed; ids in ASCII passed to
  the Unicode normaliser; a substring searcher built per header line; SipHash for the
  caseworker and kind lookups; and `available_parallelism` asked per file (it reads the
  cgroup's quota from /proc: 7,000 system calls at 1,000 files). What is left: on this VM
  fresh memory is expensive in some runs and not in others (`perf` puts 5% of a `check` at 100k
  in the kernel zeroing pages in one run and 35–55% in the next, with the same binary), then the
  fast parser's line loop (~25% of a `check`), checking each case, the cross-file admission,
  and at 1,000 files ~15 system calls and a few allocations per file (open, read, `stat`s for
  the owner and mode check and the metadata, `canonicalize` twice). Keeping freed memory during
  short commands (mimalloc's purge delay) was tried again: no difference side by side
  (`bench-ab.py`, 30 rounds: 102.5 vs 104.3 ms), not kept; nor was comparing case ids by an
  8-byte prefix in the sort (133.5 vs 131.9 ms).
- **This round (issue 23, third pass).** A load of 1,000 files asked the file system twice per
  path component per file (`canonicalize` in the include check and again on a worker): a
  regular file's real path is now its directory's, resolved once, and its name, found while
  the file is admitted (`strace -c`: readlink 10,024 -> 0, statx 5,025 -> 4,025; `check` at
  100k in 1,000 files 88.5 -> 78.9 ms, bench-ab.py). `upcoming` sorts its rows by numbers first
  (act-by date, the case id's first 16 bytes, the index) and only rows that tie on those by the
  whole key: the sort had followed two pointers into ~15 MB of items per comparison. A command
  drops each case file's text once it is checked (the daemon keeps them for the store and the
  history; a conflict's message reads the file again): the texts of 1,000 files had all been
  alive until the end of the load (19 MB; `check` in 1,000 files 99 -> 94 ms, peak RSS 89 -> 75
  MiB). `check` counts its deadlines without making 100,000 items (102 -> 88 ms in 1,000
  files). The index a cold run writes uses upcoming's sort, XXH3 for its string table (FxHash
  of ids that differ in their last digits crowded the table: at 1M, 3.1 -> 1.9 s) and the last
  string remembered; its bytes are unchanged. The column *index written* is that cost: the
  first run after an edit with the index on pays the load, the answer and the index (at 100k
  ~1.5–1.8× the *no index* figure; 212 -> 179 ms over this round, alternating runs). After a load, a
  cold `upcoming` at 100k spends ~4 ms on the items, ~5 ms choosing and sorting rows and
  12–16 ms writing 12 MB of JSON (timed inside one build; the load itself 46–80 ms from run to
  run). Where a cold run's time goes on this VM: `perf` puts 30–50% of it in the kernel zeroing
  fresh pages (huge pages: 2 MiB zeroed at the first touch), so memory is time: every MB not
  touched is ~0.4 ms. Tried and not kept: streaming the index to its file instead of building
  it in memory (1.08× slower, ~1,000,000 small writes), mimalloc's commit-on-demand and
  full-page options (within the noise), the system allocator (peak RSS 61 vs 87 MiB at 1 file,
  1.24× slower).
- **This round (issue 23, fourth pass): the daemon's pass (22–30 ms before, goal 20).** `perf
  record` of a daemon across 10 SIGHUP passes at 100k put a third of the pass in pruning the
  due reminders against the ledger: each candidate key hashed twice with SipHash, its digest
  hashed again by the set, a date and numbers written through `fmt`, and each lookup waiting
  on memory before the next key was built. Now: XXH3-128 with a per-process seed, a set that
  folds the digest instead of hashing it, keys written without `fmt`, digests first and
  lookups after (samples under prune 571 -> 225 of 1,610 -> 1,196 under the pass's items). The
  second half of the items had been made in a vector of its own and copied (7 MB, into fresh
  4 KiB pages: the daemon runs without huge pages for its idle RSS) into the first after the
  join; both halves now go straight into one vector. Pass `elapsed_ms` at 100k in 10 files,
  20 SIGHUP passes per daemon, binaries alternating: 29.5 / 29.0 ms before, 22.0 / 19.0 after
  the pruning, then 17.0 / 18.0 -> 16.0 / 14.0 with one vector. What is left per half: making
  the items (page faults on fresh pages are ~a third of the pass) and the due reminders
  (the working-day calendar per lead step). An idle daemon also hands back SQLite's cached
  pages (PRAGMA shrink_memory after a pass and after the feeds): [heap] 1.3 -> 0.4 MiB.
  Tried and not kept: making a cold `upcoming`'s JSON rows a few hundred at a time before
  writing them, so that their loads (the items and case ids, in date order, scattered in
  memory) overlap: one of the two stalls moved to the other, no change side by side.
- **This round (issue 23, fifth pass): many files, admission.** A cold load of 100,000 cases
  in 1,000 files asked the file system nine times per file (`strace -c`: 3,021 reads, 4,038
  statx, 1,014 openat): a `stat` of the path on the main thread for the change metadata,
  three reads (`read_to_end` through `Take` starts at 8 KiB), and an `fstat` and another
  `stat` of the path for the owner and mode check. Now the `fstat` of the open file serves
  all three, one read of the size it gave ends at a short read, and a regular file that the
  directory listing names needs no `lstat` of its own (1,019 reads, 1,038 statx). `check`
  leaks its config as the other commands do (freeing 100,000 cases was ~5% of a `check`, on
  one core). `bench-ab.py`, 25 rounds: `check` in 1,000 files 96.2 -> 82.9 ms, cold `upcoming`
  145.4 -> 138.2 ms. Admission was ~11% of that `check`, on one core: each folded id hashed
  (read from memory again) and an 8 MB map touched for the first time. Each case's 32-bit
  key is now made where its file is checked and the table holds 16 bytes an id (ids compared
  only when keys match; a test loads two ids that share a key): `check` 80.9 -> 77.2 ms in
  1,000 files, 80.9 -> 74.2 ms in one. `upcoming`'s JSON writer asks for each row's item 16
  rows ahead and its case id 8 ahead (six side-by-side runs: 0.90–1.01, about 0.97). Tried
  and not kept: huge pages off until 512 KiB–4 MiB of config is read (1k 0.86–0.90×, but 10k
  from the index 1.05–1.08× slower: the first 2 MiB of small objects then stays on 4 KiB
  pages for the whole run); a cold `upcoming`'s items made on two threads, its rows picked a
  chunk at a time (10 files 1.06–1.08× slower, peak RSS +7 MiB: the second thread's fresh
  heap pages cost more than the halved work); `upcoming`'s rows collected at their exact
  number (1.00); all of a command's load leaked and a digest set for the includes' dedup
  (1.00, 1.02). What a cold run at 100k is made of now, by `perf` of the main thread: the
  load's admission, the items (15 MB of fresh memory), choosing, sorting and writing the rows;
  on this VM the kernel zeroing fresh pages is still the largest single cost (~1 ms a 2 MiB
  page at some times of day). Then `upcoming` picked and sorted its rows (~4.5 ms at 100k, one
  core idle): each half of the items is now picked and sorted on a thread of its own and the
  two merged, the room for the second half's rows made on the joining thread (made on the
  second, it added 4-10 MiB to the peak). `bench-ab.py`, new/old: 1 file 0.95 and 0.97, 10
  files 1.01 and 0.98, 1,000 files 0.99 and 0.84. Packed relocations (start-up, above) measured
  again on `docket --version`: 0.98 and 1.01, page faults 476 -> 471: the faults are the
  relocated pages written, not the table read.
- **This round (issue 23, sixth pass): start-up and exit, and reading safely.** At exit
  mimalloc collected every heap and handed its free pages back (`madvise`, splitting 2 MiB
  pages) just before the kernel freed them anyway: 35 calls after a cold `upcoming`'s last
  write at 100k. That handler now returns at once (`destroy_on_exit` = 2): `upcoming` at 1k,
  alternating runs, 0.90 of the time from the index (old/new 1.11) and 0.89 without it; at
  100k within the noise. This run's `plan` at 100k (115 ms, 120x) is the machine, not the
  code: right after it, alternating, the binary before this round took 137 ms, this one 127. `days_left` is written without `core::fmt` (~1 ms of CPU over 54,000
  rows). A case file is now opened by the real path admission found, with `openat2`
  (`RESOLVE_NO_SYMLINKS`) in place of `openat`: the same four system calls a file. What a
  1k run is made of now (`perf`, 300 runs from the index): the loader's relocations 24%,
  reading and hashing the files for the index's key 19% (most of it the first touch of fresh
  memory and the main file parsed twice), the first allocation's 2 MiB page 7.5%, clap 7%,
  logging's set-up 5%. Tried and not kept: each core taking the next file instead of a fixed
  half (profiles had shown one core's half of ten equal files taking 30 ms and the other's 50;
  alternating runs 0.995, no change), a large file cut in four pieces per core (0.96-1.02),
  the main file parsed once for the index's key (1.008).
- **This round (issue 23, seventh pass): what a small config paid for.** A load read its
  files on a thread a core whatever their size; at 1,000 cases in 10 files (190 KB) the
  second thread (its start, the pages its heap takes) cost more than it saved: one thread
  against two, cold `upcoming` over 10 equal files, took 0.95 of the time at 1k, 0.99 at 3k
  (560 KB) and 1.13 at 10k. Now a thread per 256 KiB to read, at most a core each (the sizes
  from the files' metadata, or the first file's size times their number): `bench-ab.py` 0.91-0.98
  at 1k, `check` 0.95; 3k, 10k and 100k unchanged (1.01, 1.00, 0.96). A good main file was
  parsed a second time at every load, to find where a broken one keeps its last good copy:
  now only a broken one is (0.89 at 1k, cold `upcoming` and `check`). The working-day bitmap
  (1970-2100) is filled 64 days at a time instead of asking chrono each day's weekday
  (0.96-0.97 cold at 1k). From run F to this run: 1k from the index 5.8 -> 4.7 ms, without
  it 9.9 -> 7.2 ms (Remind 2.6 and 2.3 ms). What the rest of a 1k run from the index is:
  the loader's relocations ~25% (chrono-tz's tables: built with only `Asia/Almaty` and `UTC`,
  `docket --version` faulted 241 pages instead of 489 and `upcoming` took 4.3 instead of
  5.1 ms, but a config may name any IANA zone, so that is not an option), the index's key
  18%, clap 7%, the first 2 MiB page 6%. Cold at 100k in one file (1.02x here; 0.94x in a
  hyperfine run of the two earlier that morning) the kernel zeroing fresh huge pages is 23%
  of the CPU (`perf`, 20 runs).
  Two things about measuring: a copy of the binary made by `cp` faulted ~40 fewer pages than
  the file the linker wrote (0.6-0.8 ms at 1k), but after `drop_caches` both fault alike, so
  the script runs the binary as built and every before/after compares copies made alike;
  and peak RSS moves with the binary's pages in the page cache (the same binary 79 and
  85 MiB at 100k in 1,000 files), so differences of a few MiB between runs are not the code.
- **The daemon over time.** Its peak used to be the first calendar feeds (all ~195,000 events
  with their texts, then a team feed's 41 MB text at once: 183 MiB): now each feed's events are
  made one at a time, twice (to revise, then to render straight into the file), and the peak is
  the load or a pass. A one-file edit of a 10,000-case file parses that file once (the good
  copy it replaces is the version the load before had checked, not read and parsed again) and
  compares only its cases (the common run pairwise). Idle RSS: the config (~30 MB at 100k),
  the binary's pages (~13 MB) and SQLite's caches (512 KiB per connection) are most of it;
  a margin under 48 MiB would need the config itself smaller or packed (the arena above).
- **1,000 digests.** Sent over `[mail] connections` at once (default 3), each over our own SMTP
  client (`src/mail/smtp.rs`: TCP_NODELAY, STARTTLS, AUTH, one connection reused); each digest's
  sent mark is committed before its connection takes the next one (RELIABILITY.md)."""


def fmt_ms(s):
    ms = s * 1000
    return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.1f} ms"


def mib(kb):
    return f"{kb / 1024:.1f} MiB"


def curve_svg(res):
    """A log-log plot of time and RSS against cases, as an SVG."""
    sizes = sorted(int(n) for n in res["sizes"])
    series = [
        ("check (full load)", "#1f77b4", lambda s: s["times"]["check"] * 1000),
        ("upcoming, no index", "#ff7f0e", lambda s: s["times"]["upcoming_noindex"] * 1000),
        ("upcoming", "#2ca02c", lambda s: s["times"]["upcoming"] * 1000),
        ("plan (1 year)", "#d62728", lambda s: s["times"]["plan"] * 1000),
        ("remind -q -h (the peer of upcoming)", "#7f7f7f", lambda s: s["times"]["remind_h"] * 1000),
        ("daemon pass (under 1 ms drawn at 0.5)", "#9467bd", lambda s: max(s["daemon"]["pass_ms"], 0.5)),
    ]
    rss_series = [
        ("daemon idle RSS", "#9467bd", lambda s: s["daemon"]["rss_reloaded_kb"] / 1024),
        ("peak RSS, upcoming no index", "#ff7f0e", lambda s: s["peak_rss_kb"]["upcoming_noindex"] / 1024),
        ("peak RSS, upcoming", "#2ca02c", lambda s: s["peak_rss_kb"]["upcoming"] / 1024),
    ]
    W, H, pad = 460, 320, 60

    def panel(x0, title, unit, ser):
        vals = [f(res["sizes"][str(n)]) for _, _, f in ser for n in sizes]
        lo = 10 ** math.floor(math.log10(min(vals)))
        hi = 10 ** math.ceil(math.log10(max(vals)))
        xs = lambda n: x0 + pad + (math.log10(n) - math.log10(sizes[0])) / max(1e-9, math.log10(sizes[-1]) - math.log10(sizes[0])) * (W - 2 * pad)
        ys = lambda v: H - pad + 20 - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * (H - 2 * pad)
        out = [f'<text x="{x0 + W / 2}" y="20" text-anchor="middle" font-weight="bold">{title}</text>']
        e = math.log10(lo)
        while e <= math.log10(hi) + 1e-9:
            y = ys(10 ** e)
            out.append(f'<line x1="{x0 + pad}" y1="{y:.1f}" x2="{x0 + W - pad}" y2="{y:.1f}" stroke="#ddd"/>')
            label = f"{10 ** e:g}"
            out.append(f'<text x="{x0 + pad - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
            e += 1
        for n in sizes:
            x = xs(n)
            out.append(f'<line x1="{x:.1f}" y1="{pad - 20}" x2="{x:.1f}" y2="{H - pad + 20}" stroke="#eee"/>')
            out.append(f'<text x="{x:.1f}" y="{H - pad + 38}" text-anchor="middle">{n:,}</text>')
        out.append(f'<text x="{x0 + W / 2}" y="{H - 4}" text-anchor="middle">cases</text>')
        out.append(f'<text x="{x0 + 14}" y="{H / 2}" text-anchor="middle" transform="rotate(-90 {x0 + 14} {H / 2})">{unit}</text>')
        for i, (name, color, f) in enumerate(ser):
            pts = " ".join(f"{xs(n):.1f},{ys(f(res['sizes'][str(n)])):.1f}" for n in sizes)
            dash = ' stroke-dasharray="6 4"' if name.startswith("remind") else ""
            out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
            for n in sizes:
                out.append(f'<circle cx="{xs(n):.1f}" cy="{ys(f(res["sizes"][str(n)])):.1f}" r="3" fill="{color}"/>')
            ly = H + 18 + 16 * i
            out.append(f'<line x1="{x0 + pad}" y1="{ly - 4}" x2="{x0 + pad + 24}" y2="{ly - 4}" stroke="{color}" stroke-width="2"{dash}/>')
            out.append(f'<text x="{x0 + pad + 30}" y="{ly}">{name}</text>')
        return out

    body = panel(0, "Time (median)", "ms", series) + panel(W, "Memory", "MiB", rss_series)
    height = H + 20 + 16 * max(len(series), len(rss_series))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{height}" '
            f'font-family="DejaVu Sans, sans-serif" font-size="12">'
            f'<rect width="100%" height="100%" fill="white"/>' + "".join(body) + "</svg>\n")


def render(res):
    m, S = res["machine"], res["sizes"]
    sizes = sorted(int(n) for n in S)
    s = lambda n: S[str(n)]
    big = s(100000) if "100000" in S else None
    ten = s(10000) if "10000" in S else None
    targets = []

    def target(name, figure, peer, ok):
        targets.append(f"| {name} | {figure} | {peer} | {'met' if ok else 'missed'} |")

    if big:
        t = big["times"]
        r = t["upcoming"] / t["remind_h"]
        target("`upcoming` at 100k ≤ 0.8× `remind -q -h`", f"{fmt_ms(t['upcoming'])} (ratio {r:.2f})",
               fmt_ms(t["remind_h"]), r <= 0.8)
    if ten:
        t = ten["times"]
        r = t["upcoming"] / t["remind_h"]
        target("`upcoming` at 10k ≤ 1.0× `remind -q -h`", f"{fmt_ms(t['upcoming'])} (ratio {r:.2f})",
               fmt_ms(t["remind_h"]), r <= 1.0)
    if big and "remind_s12" in big["times"]:
        t = big["times"]
        x = t["remind_s12"] / t["plan"]
        target("a year's `plan` at 100k ≥ 150× faster than `remind -s12`", f"{fmt_ms(t['plan'])} ({x:.0f}×)",
               fmt_ms(t["remind_s12"]), x >= 150)
    smtp = res.get("smtp")
    if smtp:
        d = smtp["3"]
        target("1,000 digests over STARTTLS ≤ 1.5× smtplib (`[mail] connections = 3`, the default)",
               f"{d['docket_s']:.2f} s (ratio {d['ratio']:.2f})", f"{d['smtplib_s']:.2f} s", d["ratio"] <= 1.5)
    if big:
        dm = big["daemon"]
        target("idle RSS at 100k ≤ 64 MiB, right after start", mib(dm["rss_start_kb"]), "—", dm["rss_start_kb"] <= 64 * 1024)
        target("idle RSS at 100k ≤ 64 MiB, after five reloads", mib(dm["rss_reloaded_kb"]), "—", dm["rss_reloaded_kb"] <= 64 * 1024)
        target("the daemon's pass at 100k ≤ 20 ms", f"{dm['pass_ms']} ms", "—", dm["pass_ms"] <= 20)

    targets23 = []

    def target23(name, figure, peer, ok):
        targets23.append(f"| {name} | {figure} | {peer} | {'met' if ok else 'missed'} |")

    if "1000" in S:
        t = s(1000)["times"]
        for key, what in (("upcoming", "from the index"), ("upcoming_noindex", "without it")):
            r = t[key] / t["remind_h"]
            target23(f"`upcoming` at 1k ≤ 1.0× `remind -q -h`, {what}", f"{fmt_ms(t[key])} (ratio {r:.2f})",
                     fmt_ms(t["remind_h"]), r <= 1.0)
    if big:
        lay = {"10": {"times": big["times"], "peak_rss_kb": big["peak_rss_kb"]}}
        lay.update(big.get("layouts", {}))
        for files in sorted(lay, key=int):
            t, r = lay[files]["times"], lay[files]["peak_rss_kb"]
            for key, what in (("upcoming_noindex", "cold `upcoming`"), ("check", "`check`")):
                x = t[key] / t["remind_h"]
                target23(f"{what} at 100k in {int(files):,} file{'s' if files != '1' else ''} ≤ 1.0× `remind -q -h`",
                         f"{fmt_ms(t[key])} (ratio {x:.2f})", fmt_ms(t["remind_h"]), x <= 1.0)
            peak = max(r["upcoming_noindex"], r["check"])
            target23(f"peak RSS of a cold load at 100k in {int(files):,} file{'s' if files != '1' else ''} ≤ 100 MiB",
                     mib(peak), "—", peak <= 100 * 1024)
    if big and "1000000" in S:
        per100k = big["times"]["upcoming_noindex"] / 100
        per1m = s(1000000)["times"]["upcoming_noindex"] / 1000
        target23("cold `upcoming` per 1k cases at 1M within 1.2× of 100k's", f"{per1m * 1000:.2f} ms ({per1m / per100k:.2f}×)",
                 f"{per100k * 1000:.2f} ms", per1m / per100k <= 1.2)
    dmm = big.get("daemon_memory") if big else None
    if dmm:
        target23("the daemon's peak RSS at 100k ≤ 128 MiB (feeds included)", f"{dmm['peak_mib']} MiB", "—", dmm["peak_mib"] <= 128)
        for key, what in (("idle_after_first_pass_mib", "after the first pass's feeds"),
                          ("idle_after_edits_mib", f"after {dmm['edits']} one-file edits"),
                          ("idle_after_hups_mib", f"after {dmm['hups']} SIGHUP reloads")):
            target23(f"idle RSS at 100k ≤ 48 MiB, {what}", f"{dmm[key]} MiB", "—", dmm[key] <= 48)
        target23("a one-file edit at 100k in effect in < 50 ms (`reload_ms`, median)", f"{dmm['edit_reload_ms_median']} ms", "—",
                 dmm["edit_reload_ms_median"] < 50)
        target23("a SIGHUP full reload at 100k < 150 ms (`reload_ms`, median)", f"{dmm['hup_reload_ms_median']} ms", "—",
                 dmm["hup_reload_ms_median"] < 150)

    out = ["# Benchmarks", "",
           "Generated by `scripts/bench.sh` (do not edit by hand). docket and Remind answer the same",
           "questions over the same generated data (`scripts/gen-config.py N DIR --bench --remind FILE`:",
           "one document per case, expiry dates spread over two years around the reference day, a lead",
           "reminder 30 days before like `REM <date> +30`, cases split over 10 include files). Every",
           "figure comes from one run of the script on one machine, so ratios compare like with like.",
           "", "## Machine", ""]
    out += [f"- {k}: {v}" for k, v in m.items()]
    out += ["", "## Targets (issue 23)", "", "| target | docket | peer | |", "|---|---:|---:|---|"] + targets23
    out += ["", "## Targets (issue 13)", "", "| target | docket | peer | |", "|---|---:|---:|---|"] + targets
    out += ["", "## Commands", "",
            f"- upcoming: `docket -c CFG upcoming --today {TODAY} --days 30 --format json` vs `remind -q -h FILE {TODAY}`.",
            "  *upcoming* is a fresh process on an unchanged config (it answers from the index of",
            "  `src/index.rs`, keyed by the exact bytes of every file); *no index* is the same with",
            "  `DOCKET_CACHE=off`: a full load; *index written* is the first run after an edit with the",
            "  index on (the cache emptied before each run): the load, the answer and the index written",
            "  for the next run, which is what a user's first run after an edit pays.",
            f"- plan: `docket -c CFG plan --from {TODAY} --to {PLAN_TO} --format json` vs `remind -s12 FILE {TODAY}`",
            f"  (remind -s12 only up to {REMIND_S12_MAX:,} cases: at 1M one run takes minutes).",
            "- check: `docket -c CFG check`: a full load with validation.",
            "- daemon: `docket run --today D` on the config, then SIGHUP ×5, each after the feeds of the pass",
            "  before were written (three daemons up to 100k, one at 1M; the medians of the three);",
            "  before were written; pass and reload are the daemon's own `elapsed_ms` / `reload_ms` log",
            "  fields (medians; a pass after a reload finds nothing new, the ordinary case); RSS is VmRSS",
            "  from /proc 2 s after the first pass and 2 s after the last.",
            "- peak RSS: `/usr/bin/time -f %M`, one run each.",
            "- layouts (100k only): the same cases in 1 and in 1,000 include files (`gen-config.py --files`),",
            "  cold `upcoming` and `check` beside `remind -q -h` on that layout's Remind file, 10 runs each.",
            "- the daemon over time (100k only): `scripts/bench-daemon.py DIR --edits 100 --hups 100` — peak",
            "  RSS is the kernel's VmHWM over the whole run; idle RSS is VmRSS 2 s after the first pass's",
            "  feeds, after the edits and after the SIGHUPs; `reload_ms` are the daemon's own log fields.",
            "- SMTP: `scripts/bench-smtp.py 1000 3` (docket `run --once` sending 1,000 digests to the",
            "  loopback Postfix with STARTTLS and AUTH, and Python's smtplib sending the same 1,000",
            "  messages over one reused STARTTLS connection, alternating, 3 runs each).",
            "", "Times are hyperfine medians without a shell (`-N`): 30 runs up to 10k, 10 at 100k, 3 at 1M",
            "(warm-up 3, or 1 for 3 runs); remind -s12: 10 runs up to 10k, 3 at 100k. The runs of the",
            "commands compared are made in up to five rounds, their order rotated each round, and each",
            "median is over all of a command's runs: a slow period of the machine falls on both sides.",
            "", "## Results", "",
            "| cases | upcoming | no index | index written | remind -q -h | ratio | plan (1 y) | no index | remind -s12 | speed-up | check |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        t = s(n)["times"]
        s12 = t.get("remind_s12")
        speedup = f"{s12 / t['plan']:.0f}×" if s12 else "—"
        out.append(
            f"| {n:,} | {fmt_ms(t['upcoming'])} | {fmt_ms(t['upcoming_noindex'])} "
            f"| {fmt_ms(t['upcoming_written']) if 'upcoming_written' in t else '—'} | {fmt_ms(t['remind_h'])} "
            f"| {t['upcoming'] / t['remind_h']:.2f} | {fmt_ms(t['plan'])} | {fmt_ms(t['plan_noindex'])} "
            f"| {fmt_ms(s12) if s12 else 'not run'} | {speedup} "
            f"| {fmt_ms(t['check'])} |")
    out += ["", "Peak RSS:", "",
            "| cases | upcoming | no index | remind -q -h | plan | remind -s12 | check |",
            "|---:|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        r = s(n)["peak_rss_kb"]
        out.append(f"| {n:,} | {mib(r['upcoming'])} | {mib(r['upcoming_noindex'])} | {mib(r['remind_h'])} "
                   f"| {mib(r['plan'])} | {mib(r['remind_s12']) if 'remind_s12' in r else 'not run'} | {mib(r['check'])} |")
    out += ["", "Daemon:", "", "| cases | pass | reload | idle RSS after start | after five reloads |",
            "|---:|---:|---:|---:|---:|"]
    for n in sizes:
        dm = s(n)["daemon"]
        out.append(f"| {n:,} | {dm['pass_ms']} ms | {dm['reload_ms']} ms | {mib(dm['rss_start_kb'])} | {mib(dm['rss_reloaded_kb'])} |")
    if big and big.get("layouts"):
        out += ["", "Layouts at 100,000 cases (a full load each time, `DOCKET_CACHE=off`; 10 runs each):", "",
                "| files | upcoming, no index | check | remind -q -h | ratio (upcoming) | peak RSS upcoming | peak RSS check |",
                "|---:|---:|---:|---:|---:|---:|---:|"]
        lay = {"10": {"times": big["times"], "peak_rss_kb": big["peak_rss_kb"]}}
        lay.update(big["layouts"])
        for files in sorted(lay, key=int):
            t, r = lay[files]["times"], lay[files]["peak_rss_kb"]
            out.append(f"| {int(files):,} | {fmt_ms(t['upcoming_noindex'])} | {fmt_ms(t['check'])} | {fmt_ms(t['remind_h'])} "
                       f"| {t['upcoming_noindex'] / t['remind_h']:.2f} | {mib(r['upcoming_noindex'])} | {mib(r['check'])} |")
    if dmm:
        out += ["", f"The daemon at 100,000 cases over time (`scripts/bench-daemon.py`: 10 files, file transport, feeds on;",
                f"{dmm['edits']} one-file edits noticed by inotify, then {dmm['hups']} SIGHUPs, each waiting for its pass and feeds):", "",
                "| peak RSS (any moment) | idle after the first pass | after the edits | after the SIGHUPs | edit `reload_ms` | SIGHUP `reload_ms` |",
                "|---:|---:|---:|---:|---:|---:|",
                f"| {dmm['peak_mib']} MiB | {dmm['idle_after_first_pass_mib']} MiB | {dmm['idle_after_edits_mib']} MiB "
                f"| {dmm['idle_after_hups_mib']} MiB | {dmm['edit_reload_ms_median']} ms | {dmm['hup_reload_ms_median']} ms |",
                "", "The new work of issue 20–22 at 100,000 cases:", "",
                "| what | figure |", "|---|---:|",
                f"| history: one edit's version kept (`record_ms`, median; a thread of its own, not the pass's path) | {dmm.get('edit_record_ms_median')} ms |",
                f"| `docket log --case ID` ({dmm.get('log_case_versions')} versions of its file; hyperfine median) | {dmm.get('log_case_ms_median')} ms |"]
    if smtp:
        out += ["", "1,000 digests through the loopback Postfix over STARTTLS with AUTH:", "",
                "| `[mail] connections` | docket | smtplib (one connection) | ratio | message size |",
                "|---:|---:|---:|---:|---:|"]
        for c in ["1", "3"]:
            d = smtp[c]
            out.append(f"| {c} | {d['docket_s']:.2f} s | {d['smtplib_s']:.2f} s | {d['ratio']:.2f} | {d['message_bytes_median']:,} bytes |")
    else:
        out += ["", "SMTP: not measured in this run (BENCH_SMTP=0, or the test mail server was not up:",
                "start it with `scripts/test-mail-server.sh start` as root)."]
    out += ["", "## The curve", "", "![time and memory against cases, log-log](doc/bench-curve.svg)", "",
            "Per 1,000 cases (linear scaling keeps these flat; fixed costs such as starting the",
            "process show at the small end):", "",
            "| cases | check | upcoming, no index | plan | daemon pass | reload | idle RSS added |",
            "|---:|---:|---:|---:|---:|---:|---:|"]
    prev = None
    for n in sizes:
        t, dm, k = s(n)["times"], s(n)["daemon"], n / 1000
        added = "—"
        if prev:
            grown = dm["rss_reloaded_kb"] - s(prev)["daemon"]["rss_reloaded_kb"]
            added = f"{grown / ((n - prev) / 1000):.0f} KiB"
        out.append(f"| {n:,} | {t['check'] * 1000 / k:.2f} ms | {t['upcoming_noindex'] * 1000 / k:.2f} ms "
                   f"| {t['plan'] * 1000 / k:.2f} ms | {dm['pass_ms'] / k:.3f} ms | {dm['reload_ms'] / k:.2f} ms "
                   f"| {added} |")
        prev = n
    out += ["", "*idle RSS added*: how much the idle daemon (after five reloads) grew per 1,000 cases",
            "from the size before."]
    out += ["", NOTES, ""]
    text = "\n".join(out)
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write(text)
    with open(os.path.join(ROOT, "doc", "bench-curve.svg"), "w") as f:
        f.write(curve_svg(res))
    print(text)


def main():
    if "--render" in sys.argv:
        with open(RESULTS) as f:
            res = json.load(f)
    else:
        res = measure()
    render(res)


if __name__ == "__main__":
    main()
