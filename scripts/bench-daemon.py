#!/usr/bin/env python3
"""The daemon's memory at 100,000 cases, as issue 23 asks for it: its peak
at any moment (the kernel's high-water mark, VmHWM, feeds included) and its
RSS when idle after the first pass's feeds are written, after E one-file
edits and after H SIGHUP reloads; with the time each edit and reload took,
the time the history took to keep each edit's version (on a thread of its
own, `record_ms`), and `docket log --case ID` (hyperfine, median) on the
history the edits left (the edited case: E+1 versions of its file).

usage: scripts/bench-daemon.py CONFIG_DIR [--bin PATH] [--edits 100]
                               [--hups 100] [--today 2026-12-20]

CONFIG_DIR is made by `scripts/gen-config.py N DIR --bench --files F`; it is
copied to a temporary directory first (the edits change a copy). Mail goes
to the file transport; the state (ledger, feeds) to a temporary directory.
Prints one JSON object. Edits wait for the daemon's `reload_ms` line (a
one-file edit is noticed by inotify); SIGHUPs wait for the pass after the
reload and for its feeds, so each reading is of a daemon at rest.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

p = argparse.ArgumentParser()
p.add_argument("config_dir")
p.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "docket"))
p.add_argument("--edits", type=int, default=100)
p.add_argument("--hups", type=int, default=100)
p.add_argument("--today", default="2026-12-20")
a = p.parse_args()

work = tempfile.mkdtemp(prefix="docket-bench-daemon-")
cfg_dir = os.path.join(work, "config")
shutil.copytree(a.config_dir, cfg_dir)
state = os.path.join(work, "state")
os.makedirs(state, mode=0o700)
# The daemon writes the log through a description of its own, opened to
# append; the script reads it through another. One shared description (as
# this script had) shares the file offset: a line the daemon wrote while
# the script had seeked to 0 to read landed at the start of the file, over
# the first lines, and a wait for it timed out (~1 run in 2, at a random
# SIGHUP, "timeout waiting for calendar feeds written"; the daemon had
# written the feeds).
log_path = os.path.join(work, "log")
daemon_log = open(log_path, "ab")
log = open(log_path, "r")
env = dict(os.environ, STATE_DIRECTORY=state, DOCKET_LOG="info,docket::daemon::feeds=debug")
proc = subprocess.Popen([a.bin, "-c", os.path.join(cfg_dir, "docket.toml"), "run", "--today", a.today],
                        stdout=subprocess.DEVNULL, stderr=daemon_log, env=env)
daemon_log.close()


def count(pattern, timeout=1800, at_least=1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        log.seek(0)
        found = re.findall(pattern, log.read())
        if len(found) >= at_least:
            return found
        if proc.poll() is not None:
            raise RuntimeError("the daemon exited; its log: " + os.path.join(work, "log"))
        time.sleep(0.02)
    raise RuntimeError(f"timeout waiting for {pattern}")


def after(start, pattern, timeout):
    """The first match of `pattern` in the log from character `start` on."""
    deadline = time.time() + timeout
    rx = re.compile(pattern)
    while time.time() < deadline:
        log.seek(0)
        m = rx.search(log.read(), start)
        if m:
            return m
        if proc.poll() is not None:
            raise RuntimeError("the daemon exited; its log: " + os.path.join(work, "log"))
        time.sleep(0.02)
    raise RuntimeError(f"timeout waiting for {pattern}")


def status(field):
    with open(f"/proc/{proc.pid}/status") as f:
        return int(re.search(field + r":\s+(\d+)", f.read()).group(1))


def mib(kb):
    return round(kb / 1024, 1)


PASS = r"pass done"
FEEDS = r"calendar feeds written"
RELOAD = r"reload_ms=(\d+)"
out = {}
try:
    count(PASS)
    count(FEEDS)
    time.sleep(2)
    out["first_pass_peak_mib"] = mib(status("VmHWM"))
    out["idle_after_first_pass_mib"] = mib(status("VmRSS"))

    files = sorted(os.listdir(os.path.join(cfg_dir, "cases.d")))
    target = os.path.join(cfg_dir, "cases.d", files[len(files) // 2])
    with open(target) as f:
        original = f.read()
    reloads_before = len(count(RELOAD, at_least=0))
    for i in range(a.edits):
        # A person's name changed in one case: a real edit, nothing else.
        text = original.replace('person = "Person ', f'person = "Edited{i} Person ', 1)
        tmp = target + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o600)
        os.rename(tmp, target)
        count(RELOAD, at_least=reloads_before + i + 1, timeout=60)
    edit_ms = [int(x) for x in count(RELOAD)[reloads_before:]]
    record_ms = [int(x) for x in count(r"versions kept.*?record_ms=(\d+)")[1:]]
    time.sleep(2)
    out["edits"] = a.edits
    out["edit_reload_ms_median"] = statistics.median(edit_ms) if edit_ms else None
    out["edit_record_ms_median"] = statistics.median(record_ms) if record_ms else None
    out["idle_after_edits_mib"] = mib(status("VmRSS"))

    # Each SIGHUP waits for a reload, a pass and the feeds logged after it
    # was sent, not for a count of them: a reload the daemon makes on its
    # own (the watch; no change, so no pass; seen once in 100, before the
    # log was read through a description of its own) would put the counts
    # one ahead, and the next signal would be sent while this one is
    # handled (two SIGHUPs then make one reload, as signals do).
    hup_ms = []
    for i in range(a.hups):
        log.seek(0)
        start = len(log.read())
        proc.send_signal(signal.SIGHUP)
        m = after(start, RELOAD, timeout=120)
        hup_ms.append(int(m.group(1)))
        m = after(m.end(), PASS, timeout=120)
        after(m.end(), FEEDS, timeout=300)
    time.sleep(2)
    out["hups"] = a.hups
    out["hup_reload_ms_median"] = statistics.median(hup_ms) if hup_ms else None
    out["idle_after_hups_mib"] = mib(status("VmRSS"))
    out["peak_mib"] = mib(status("VmHWM"))
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
if a.edits and shutil.which("hyperfine"):
    case = re.search(r'id = "([^"]+)"', original).group(1)
    res = os.path.join(work, "log.json")
    cmd = f"env STATE_DIRECTORY={state} {a.bin} -c {os.path.join(cfg_dir, 'docket.toml')} log --case {case}"
    subprocess.run(["hyperfine", "-N", "--style", "none", "--warmup", "2", "--runs", "10",
                    "--export-json", res, cmd], check=True, stdout=subprocess.DEVNULL)
    with open(res) as f:
        out["log_case_ms_median"] = round(json.load(f)["results"][0]["median"] * 1000, 1)
    out["log_case_versions"] = a.edits + 1
print(json.dumps(out))
shutil.rmtree(work, ignore_errors=True)
