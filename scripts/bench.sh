#!/usr/bin/env bash
# Benchmarks docket against Remind at 1k/10k/100k cases and writes
# BENCHMARKS.md. Installs hyperfine and remind from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v hyperfine >/dev/null || ! command -v remind >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine remind >/dev/null
  else
    echo "bench: install hyperfine and remind first (apt-get install hyperfine remind)" >&2
    exit 2
  fi
fi
cargo build --release --quiet
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
exec "$PY" scripts/bench.py "$@"
