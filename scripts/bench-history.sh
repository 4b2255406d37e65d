#!/usr/bin/env bash
# Figures for issue 20, item 4 (the history of config files), release build:
#  1. the history's size on disk per 1,000 edits of a 100-line case file
#     (each edit changes one field; each is seen by a `docket run --once`);
#  2. `docket log --case ID` with 100,000 cases and 10 versions of each
#     (scripts/gen-config.py 100000 DIR --bench --files 10, every file
#     edited 9 times, each version recorded by `docket run --once`), timed
#     by hyperfine (median).
# usage: scripts/bench-history.sh [WORKDIR]   (default: a new temporary dir)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench-history: install hyperfine" >&2; exit 2; }
cargo build --release --quiet
D=$PWD/target/release/docket
W=${1:-$(mktemp -d)}
mkdir -p "$W"
PY=python3

# 1. Size per 1,000 edits of a 100-line case file.
S=$W/size
rm -rf "$S"; mkdir -p "$S/cases.d"
cat > "$S/docket.toml" <<'TOML'
[service]
timezone = "Asia/Almaty"
state_dir = "state"
include = ["cases.d/*.toml"]

[mail]
transport = "file"
dir = "outbox"

[[caseworker]]
id = "aigerim"
email = "aigerim@ngo.example"
TOML
chmod 600 "$S/docket.toml"
# 100 lines: one case (4), 13 documents of 7 lines, an event and the
# edit's own comment (5).
$PY - "$S/cases.d/kz-0042.toml" <<'PY'
import sys
lines = ['[[case]]', 'id = "KZ-0042"', 'caseworker = "aigerim"', 'person = "Dana Example"']
for d in range(13):
    lines += ['', '  [[case.document]]', f'  kind = "kind_{d}"', f'  number = "RC-{d:06d}"',
              f'  issued = 2026-{d % 12 + 1:02d}-01', f'  expires = 2027-{d % 12 + 1:02d}-01',
              '  status = "active"']
lines += ['', '  [[case.event]]', '  title = "Hearing"', '  date = 2027-01-10', '# edit 0']
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
echo "bench-history: case file of $(wc -l < "$S/cases.d/kz-0042.toml") lines" >&2
start=$(date -u -d 2026-12-06T00:00:00Z +%s)
for i in $(seq 1 1000); do
  # One field changes per edit: the status of document i % 13.
  $PY - "$S/cases.d/kz-0042.toml" "$i" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
lines = open(path).read().split("\n")
status = [k for k, l in enumerate(lines) if l.startswith("  status = ")]
k = status[n % len(status)]
lines[k] = '  status = "renewal_filed"' if 'active' in lines[k] else '  status = "active"'
lines = [("# edit %d" % n) if l.startswith("# edit") else l for l in lines]
open(path, "w").write("\n".join(lines))
PY
  now=$(date -u -d "@$((start + i * 60))" +%Y-%m-%dT%H:%M:%SZ)
  (cd "$S" && "$D" -c docket.toml --now "$now" run --once --today 2026-12-06 >/dev/null 2>&1) || true
done
versions=$("$D" -c "$S/docket.toml" log cases.d/kz-0042.toml --format json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')
bytes=$(stat -c %s "$S/state/history/history.sqlite")
echo "size: $versions versions of a $(wc -l < "$S/cases.d/kz-0042.toml")-line file ($(stat -c %s "$S/cases.d/kz-0042.toml") bytes): history.sqlite $bytes bytes"

# 2. `log --case` with 100,000 cases, 10 versions each.
B=$W/big
rm -rf "$B"
$PY scripts/gen-config.py 100000 "$B" --bench --files 10 >/dev/null
sed -i 's|^\[service\]|[service]\nstate_dir = "state"|' "$B/docket.toml"
sed -i 's|^transport = "file"|transport = "file"\ndir = "outbox"|' "$B/docket.toml"
for v in $(seq 1 10); do
  if [ "$v" -gt 1 ]; then
    # Every file changes: one case's expiry per file moves a day, and a
    # comment says which version this is.
    $PY - "$B/cases.d" "$v" <<'PY'
import os, re, sys
d, v = sys.argv[1], int(sys.argv[2])
for name in sorted(os.listdir(d)):
    p = os.path.join(d, name)
    t = open(p).read()
    t = re.sub(r"\n# version \d+\n$", "\n", t)
    # The first case's expiry: the case `log --case` is asked about.
    t = re.sub(r"(  expires = \d{4}-\d{2}-)(\d{2})", lambda m: m.group(1) + "%02d" % (v + 1), t, count=1)
    open(p, "w").write(t + "\n# version %d\n" % v)
PY
  fi
  now=$(date -u -d "@$((start + v * 3600))" +%Y-%m-%dT%H:%M:%SZ)
  (cd "$B" && "$D" -c docket.toml --now "$now" run --once --today 2026-12-06 >/dev/null 2>&1) || true
done
echo "big: history.sqlite $(stat -c %s "$B/state/history/history.sqlite") bytes" >&2
"$D" -c "$B/docket.toml" log --case KZ-000000 --format json | $PY -c 'import json,sys; r=json.load(sys.stdin); print("log --case KZ-000000:", len(r), "versions")'
hyperfine --warmup 2 --runs 20 --export-json "$W/log-case.json" \
  "$D -c $B/docket.toml log --case KZ-000000 --format json" \
  "$D -c $B/docket.toml log --case KZ-000000"
$PY -c 'import json,sys; [print("median", r["command"], "%.1f ms" % (r["median"]*1000)) for r in json.load(open(sys.argv[1]))["results"]]' "$W/log-case.json"
