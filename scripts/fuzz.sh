#!/usr/bin/env bash
# Fuzz the config loader and the duration and date parsers with cargo-fuzz
# (libFuzzer + AddressSanitizer, debug assertions on) for a bounded time.
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  per target, default 30
#   TARGET   config_load (main file), include_load (include files, and
#            the fast include parser against the full one), duration,
#            date (default: all four)
#
# Needs the nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz --locked
# The working corpus (fuzz/corpus/<target>/, git-ignored) is seeded from
# fuzz/seeds/, config/ and tests/data/, and grows from run to run. Exits
# non-zero when a target crashes, panics, times out on an input (10 s) or
# exceeds 2 GB; the input is saved under fuzz/artifacts/<target>/ and can
# be replayed with `cargo +nightly fuzz run <target> <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config_load include_load duration date)

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: needs cargo-fuzz on nightly: cargo install cargo-fuzz --locked" >&2
  exit 2
fi

cd fuzz
cargo +nightly fuzz build -O -a

failed=()
for t in "${targets[@]}"; do
  corpus=corpus/$t
  mkdir -p "$corpus"
  cp -n seeds/"$t"/* "$corpus"/ 2>/dev/null || true
  extra=()
  if [ "$t" = config_load ]; then
    # Every config in the repository is a seed.
    find ../config ../tests/data -name '*.toml' | while read -r f; do
      cp -n "$f" "$corpus/$(echo "${f#../}" | tr / _)"
    done
    extra=(-dict=toml.dict)
  fi
  if [ "$t" = include_load ]; then extra=(-dict=toml.dict); fi
  log=$(mktemp)
  scratch=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")" docket-fuzz.XXXXXX)
  echo "== $t: ${secs}s"
  set +e
  DOCKET_FUZZ_DIR=$scratch cargo +nightly fuzz run -O -a "$t" "$corpus" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    "${extra[@]}" >"$log" 2>&1
  rc=$?
  set -e
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' "$log" || true
  if [ $rc -ne 0 ]; then
    echo "!! $t failed (exit $rc):"
    grep -E 'panicked|ERROR: |SUMMARY|Test unit written|artifact_prefix|timeout' "$log" | head -20
    failed+=("$t")
  fi
  rm -rf "$log" "$scratch"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failures in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: no crash in ${targets[*]} (${secs}s each)"
