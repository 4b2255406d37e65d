#!/usr/bin/env python3
"""1,000 digests through the loopback Postfix over STARTTLS: docket against a
plain Python smtplib client sending the same messages, side by side.

usage: scripts/bench-smtp.py [N] [RUNS]      (default 1000 digests, 3 runs)

Needs the test mail server (scripts/test-mail-server.sh start, as root) and
a release build (cargo build --release). For each run:

- docket: a config with N caseworkers, each with one certificate whose
  30-day lead reminder falls on the day; `docket run --once --today D` with
  transport smtp, tls starttls, AUTH, the test CA; timed from start to exit
  (loading, composing, rendering, the ledger's writes and the sends);
- smtplib: the same N messages (docket's own, written by a file-transport
  run of the same config), sent over one reused STARTTLS connection with
  AUTH, as a plain client would: connect, starttls, login, N × sendmail,
  quit.

Prints one JSON object: medians in seconds and the ratio.
"""
import email
import json
import os
import shutil
import smtplib
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "docket")
TODAY = "2026-11-21"


def env_file():
    d = os.environ.get("DOCKET_TEST_MAIL_DIR", "/var/tmp/docket-test-mail")
    out = {}
    with open(os.path.join(d, "env")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("export ") and "=" in line:
                k, v = line[len("export "):].split("=", 1)
                out[k] = v.strip('"')
    return out


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def config(dir, n, mail, tag):
    lines = ['[service]', 'timezone = "Asia/Almaty"', 'state_dir = "state"', '',
             mail, f'from = "Docket <bench-{tag}@ngo.example>"', '',
             '[kinds.refugee_certificate]', 'lead_days = [30]', '']
    for i in range(n):
        lines += ['[[caseworker]]', f'id = "cw{i}"', f'name = "Caseworker {i}"',
                  f'email = "cw{i}-{tag}@ngo.example"', '']
    # One case each; expiry 2026-12-21: act by 12-21 (a Monday), lead 30 d on 11-21.
    cases = []
    for i in range(n):
        cases += ['[[case]]', f'id = "KZ-{tag}-{i:05d}"', f'caseworker = "cw{i}"',
                  '  [[case.document]]', '  kind = "refugee_certificate"',
                  '  expires = 2026-12-21', '']
    write(os.path.join(dir, "docket.toml"), "\n".join(lines + cases))
    return os.path.join(dir, "docket.toml")


def smtp_mail(e, connections=None):
    extra = f"\nconnections = {connections}" if connections else ""
    return (f'[mail]\ntransport = "smtp"\nhost = "{e["DOCKET_TEST_SMTP_TLS_NAME"]}"\n'
            f'port = {e["DOCKET_TEST_SMTP_PORT_STARTTLS"]}\ntls = "starttls"\n'
            f'username = "{e["DOCKET_TEST_SMTP_USER"]}"\n'
            f'password_file = "{e["DOCKET_TEST_SMTP_PASSWORD_FILE"]}"\n'
            f'ca_file = "{e["DOCKET_TEST_CA"]}"\ntimeout_secs = 30{extra}')


def run_docket(n, e, tag, connections):
    d = tempfile.mkdtemp(prefix="docket-bench-smtp-")
    cfg = config(d, n, smtp_mail(e, connections), tag)
    env = dict(os.environ, DOCKET_LOG="warn")
    env.pop("DOCKET_CONFIG", None)
    env.pop("STATE_DIRECTORY", None)
    t = time.perf_counter()
    r = subprocess.run([BIN, "-c", cfg, "run", "--once", "--today", TODAY], env=env,
                       capture_output=True, text=True)
    took = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"docket failed ({r.returncode}): {r.stderr[-2000:]}")
    shutil.rmtree(d, ignore_errors=True)
    return took


def messages(n, tag):
    """docket's own N digests, from a file-transport run."""
    d = tempfile.mkdtemp(prefix="docket-bench-smtp-msgs-")
    cfg = config(d, n, '[mail]\ntransport = "file"\ndir = "out"', tag)
    env = dict(os.environ, DOCKET_LOG="warn")
    env.pop("DOCKET_CONFIG", None)
    env.pop("STATE_DIRECTORY", None)
    subprocess.run([BIN, "-c", cfg, "run", "--once", "--today", TODAY], env=env, check=True,
                   capture_output=True)
    out = []
    for name in sorted(os.listdir(os.path.join(d, "out"))):
        with open(os.path.join(d, "out", name), "rb") as f:
            raw = f.read()
        msg = email.message_from_bytes(raw)
        out.append((msg["From"], [msg["To"]], raw))
    shutil.rmtree(d, ignore_errors=True)
    return out


def run_smtplib(msgs, e):
    ctx = ssl.create_default_context(cafile=e["DOCKET_TEST_CA"])
    with open(e["DOCKET_TEST_SMTP_PASSWORD_FILE"]) as f:
        pw = f.read().strip()
    t = time.perf_counter()
    s = smtplib.SMTP(e["DOCKET_TEST_SMTP_TLS_NAME"], int(e["DOCKET_TEST_SMTP_PORT_STARTTLS"]))
    s.starttls(context=ctx)
    s.login(e["DOCKET_TEST_SMTP_USER"], pw)
    for frm, to, raw in msgs:
        s.sendmail(frm, to, raw)
    s.quit()
    return time.perf_counter() - t


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    connections = os.environ.get("BENCH_CONNECTIONS")
    e = env_file()
    d_times, p_times = [], []
    for r in range(runs):
        tag = f"b{os.getpid()}r{r}"
        msgs = messages(n, tag + "p")
        p_times.append(run_smtplib(msgs, e))
        d_times.append(run_docket(n, e, tag + "d", connections))
    size = statistics.median(len(m[2]) for m in msgs)
    d, p = statistics.median(d_times), statistics.median(p_times)
    print(json.dumps({"digests": n, "runs": runs, "message_bytes_median": size,
                      "docket_s": round(d, 3), "smtplib_s": round(p, 3),
                      "ratio": round(d / p, 2), "docket_runs": [round(x, 3) for x in d_times],
                      "smtplib_runs": [round(x, 3) for x in p_times]}))


if __name__ == "__main__":
    main()
