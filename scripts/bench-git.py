#!/usr/bin/env python3
"""Figures for cases in a git repository (SPEC section 7, issue 22).

usage: scripts/bench-git.py [--cases 10000] [--files 1000] [--touch 10]
                            [--pushes 20] [--runs 20] [--keep DIR] [--bin PATH]

Builds the release binary, writes N fictional cases (scripts/gen-config.py
--bench) into F files under cases/ of a bare repository (the main config
names it as cases_git, with `docket git-hook` installed as its
pre-receive hook), and measures:

1. `docket git-hook` for a push that changes --touch files: the pushed
   commit's objects are put in the repository under another ref first, then
   the hook is run in the bare repository with `<old> <new> refs/heads/main`
   on stdin, as git runs it (hyperfine when installed, else --runs runs and
   their median);
2. a push's own time without the hook (for comparison), then, with the
   daemon running (`run --today`), the time from `git push`
   returning to the daemon having the push in effect (its "config
   reloaded" log line), over --pushes pushes of --touch files each, with
   the daemon's own reload_ms and the push's own time (hook included).

Prints medians. Everything lives in a temporary directory, removed after
unless --keep names one. git runs with its own HOME and without the
machine's config.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TODAY = "2026-11-21"  # gen-config.py's default day

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--cases", type=int, default=10000)
p.add_argument("--files", type=int, default=1000)
p.add_argument("--touch", type=int, default=10, help="files changed per push")
p.add_argument("--pushes", type=int, default=20)
p.add_argument("--runs", type=int, default=20, help="hook runs without hyperfine")
p.add_argument("--keep", help="work in this directory and keep it")
p.add_argument("--bin", help="this docket binary, not a fresh release build")
a = p.parse_args()


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


if a.bin:
    DOCKET = os.path.abspath(a.bin)
else:
    sh(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
    DOCKET = os.path.join(ROOT, "target", "release", "docket")

if a.keep:
    work = os.path.abspath(a.keep)
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
else:
    work = tempfile.mkdtemp(prefix="docket-bench-git.")
os.chmod(work, 0o700)
home = os.path.join(work, "home")
os.makedirs(home)
etc = os.path.join(work, "etc")
bare = os.path.join(work, "cases.git")
clone = os.path.join(work, "w")
cfg = os.path.join(etc, "docket.toml")

ENV = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
for k in ("DOCKET_CONFIG", "STATE_DIRECTORY", "NOTIFY_SOCKET", "WATCHDOG_USEC",
          "WATCHDOG_PID", "JOURNAL_STREAM"):
    ENV.pop(k, None)
ENV.update({
    "HOME": home,
    "XDG_CACHE_HOME": os.path.join(home, ".cache"),
    "GIT_CONFIG_NOSYSTEM": "1",
    "LC_ALL": "C",
    "GIT_AUTHOR_NAME": "Aigerim Testova",
    "GIT_AUTHOR_EMAIL": "aigerim.testova@ngo.example",
    "GIT_COMMITTER_NAME": "Aigerim Testova",
    "GIT_COMMITTER_EMAIL": "aigerim.testova@ngo.example",
})


def git(*args, cwd=clone, capture=True):
    r = subprocess.run(["git", *args], cwd=cwd, env=ENV, text=True,
                       capture_output=capture)
    if r.returncode != 0:
        sys.exit(f"git {' '.join(args)}: {r.stderr}")
    return (r.stdout or "").strip()


# The cases, and a main config that reads them from the repository.
gen = os.path.join(work, "gen")
sh([sys.executable, os.path.join(ROOT, "scripts", "gen-config.py"), str(a.cases), gen,
    "--bench", "--files", str(a.files), "--today", TODAY], stdout=subprocess.DEVNULL)
os.makedirs(etc)
text = open(os.path.join(gen, "docket.toml")).read()
text = text.replace(
    'include = ["cases.d/*.toml"]',
    'include = ["cases/*.toml"]\n'
    f'cases_git = "{bare}"\n'
    'state_dir = "state"\n'
    'schedule = "0 0 9 1 1 *"\n'
    'admin = "it@ngo.example"',
)
text = text.replace('transport = "file"', 'transport = "file"\nfrom = "Docket <docket@ngo.example>"')
with open(cfg, "w") as f:
    f.write(text)
os.chmod(cfg, 0o600)

git("init", "-q", "--bare", "-b", "main", bare, cwd=work)
git("init", "-q", "-b", "main", clone, cwd=work)
shutil.copytree(os.path.join(gen, "cases.d"), os.path.join(clone, "cases"))
git("remote", "add", "origin", bare)
git("add", "-A")
git("commit", "-q", "-m", f"{a.cases} cases in {a.files} files")
git("push", "-q", "origin", "HEAD:refs/heads/main")
hook = os.path.join(bare, "hooks", "pre-receive")
with open(hook, "w") as f:
    f.write(f"#!/bin/sh\nexec '{DOCKET}' -c '{cfg}' git-hook --today {TODAY}\n")
os.chmod(hook, 0o755)

parts = sorted(os.listdir(os.path.join(clone, "cases")))
version = 0


def touch_files():
    """Change one case's person in each of --touch files (spread over the
    repository), and commit: a change to --touch blobs."""
    global version
    version += 1
    step = max(1, len(parts) // a.touch)
    for name in parts[::step][: a.touch]:
        path = os.path.join(clone, "cases", name)
        t = open(path).read()
        t = re.sub(r'person = "Person (\d+)[^"]*"', rf'person = "Person \1 v{version}"', t, count=1)
        with open(path, "w") as f:
            f.write(t)
    git("commit", "-q", "-a", "-m", f"bench v{version}")
    return git("rev-parse", "HEAD")


def median_ms(xs):
    return statistics.median(xs) * 1000


# 1. The hook, run as git runs it, on a commit changing --touch files.
old = git("rev-parse", "refs/heads/main", cwd=bare)
new = touch_files()
git("push", "-q", "origin", "HEAD:refs/bench/pending")  # the objects, not the branch
stdin_file = os.path.join(work, "hook-stdin")
with open(stdin_file, "w") as f:
    f.write(f"{old} {new} refs/heads/main\n")
hook_cmd = f"'{DOCKET}' -c '{cfg}' git-hook --today {TODAY} < '{stdin_file}'"
r = subprocess.run(["sh", "-c", hook_cmd], cwd=bare, env={**ENV, "GIT_DIR": "."},
                   capture_output=True, text=True)
if r.returncode != 0:
    sys.exit(f"the hook refused the benchmark's push ({r.returncode}): {r.stderr}")
print(f"# {a.cases} cases in {a.files} files; a push changing {a.touch} files")
hook_median = None
if shutil.which("hyperfine"):
    export = os.path.join(work, "hook.json")
    sh(["hyperfine", "--warmup", "3", "--min-runs", str(a.runs), "--export-json", export,
        "--command-name", f"docket git-hook ({a.touch} files changed)", hook_cmd],
       cwd=bare, env={**ENV, "GIT_DIR": "."})
    import json
    hook_median = json.load(open(export))["results"][0]["median"] * 1000
else:
    times = []
    for _ in range(a.runs):
        t0 = time.monotonic()
        subprocess.run(["sh", "-c", hook_cmd], cwd=bare, env={**ENV, "GIT_DIR": "."},
                       capture_output=True, check=True)
        times.append(time.monotonic() - t0)
    hook_median = median_ms(times)
git("push", "-q", "origin", "HEAD:refs/heads/main")  # the branch at the benchmark's commit

# 1b. What a push costs without the hook, for comparison (no daemon yet).
os.rename(hook, hook + ".off")
bare_push = []
for _ in range(a.pushes):
    touch_files()
    t0 = time.monotonic()
    git("push", "-q", "origin", "HEAD:refs/heads/main")
    bare_push.append(time.monotonic() - t0)
os.rename(hook + ".off", hook)

# 2. The daemon: from `git push` returning to the push in effect.
log_path = os.path.join(work, "daemon.log")
log = open(log_path, "w")
daemon = subprocess.Popen([DOCKET, "-c", cfg, "run", "--today", TODAY], env=ENV,
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def log_text():
    return ANSI.sub("", open(log_path, errors="replace").read())


def wait_for(pred, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        if daemon.poll() is not None:
            sys.exit(f"the daemon exited ({daemon.returncode}):\n{log_text()[-3000:]}")
        time.sleep(0.002)
    sys.exit(f"timed out; log:\n{log_text()[-3000:]}")


try:
    wait_for(lambda: "pass done" in log_text())
    lags, reload_ms, push_ms = [], [], []
    for i in range(a.pushes):
        seen = log_text().count("config reloaded")
        touch_files()
        t0 = time.monotonic()
        git("push", "-q", "origin", "HEAD:refs/heads/main")
        t1 = time.monotonic()

        def reloaded():
            lines = [l for l in log_text().splitlines() if "config reloaded" in l]
            return lines[seen] if len(lines) > seen else None

        line = wait_for(reloaded)
        t2 = time.monotonic()
        push_ms.append(t1 - t0)
        lags.append(t2 - t1)
        m = re.search(r"reload_ms=(\d+)", line)
        if m:
            reload_ms.append(int(m.group(1)) / 1000)
        # Let the pass that follows the reload finish before the next push.
        wait_for(lambda: log_text().count("pass done") >= i + 2 or None)
finally:
    daemon.terminate()
    daemon.wait(timeout=30)
    log.close()

print()
print(f"docket git-hook, {a.touch} files changed, {a.cases} cases:  median {hook_median:.1f} ms")
print(f"git push (hook included), {len(push_ms)} pushes:              median {median_ms(push_ms):.1f} ms")
print(f"git push without the hook, {len(bare_push)} pushes:          median {median_ms(bare_push):.1f} ms")
print(f"push returned -> daemon 'config reloaded', {len(lags)} pushes: median {median_ms(lags):.1f} ms"
      f" (min {min(lags) * 1000:.1f}, max {max(lags) * 1000:.1f})")
if reload_ms:
    print(f"daemon's own reload_ms:                          median {median_ms(reload_ms):.1f} ms")
if not a.keep:
    shutil.rmtree(work, ignore_errors=True)
else:
    print(f"kept {work} (daemon log: {log_path})")
