#!/usr/bin/env bash
# Supply-chain check: `cargo audit` of Cargo.lock against the offline RustSec
# advisory database in shared/advisory-db (beside the repository: /work/shared
# next to /work/main here, shared/ next to the fresh clone in CI).
#
#   scripts/audit.sh                 # uses ../shared/advisory-db
#   DOCKET_ADVISORY_DB=/path scripts/audit.sh
#
# Installs cargo-audit with `cargo install --locked --debug cargo-audit` if missing (a
# few minutes once).  Exits non-zero when an advisory (vulnerability, or an
# unmaintained/unsound/yanked warning) matches a dependency in Cargo.lock: fix
# it with `cargo update -p CRATE` (or a newer version in Cargo.toml), never by
# ignoring it here without a reason and a guard written next to the --ignore.
set -euo pipefail
cd "$(dirname "$0")/.."

db=${DOCKET_ADVISORY_DB:-../shared/advisory-db}
if [[ ! -d $db/crates ]]; then
    echo "error: advisory database not found at $(realpath -m -- "$db")" >&2
    echo "       (expected shared/advisory-db beside the repository; or set DOCKET_ADVISORY_DB)" >&2
    exit 2
fi
db=$(realpath -- "$db")

if ! cargo audit --version >/dev/null 2>&1; then
    echo "cargo-audit not found; installing it (cargo install --locked --debug cargo-audit)" >&2
    cargo install --locked --debug cargo-audit
fi

if [[ -f $db/ABOUT.md ]]; then
    # Which snapshot: "commit <sha>, <date>".
    snapshot=$(tr '\n' ' ' <"$db/ABOUT.md" | grep -o 'commit [0-9a-f]\{40\}, [0-9-]*' || true)
    echo "advisory database: $db${snapshot:+ ($snapshot)}"
fi
# Ignored advisories, each with its reason, and a guard that the reason holds.
ignore=()
# RUSTSEC-2025-0052 (async-std unmaintained, informational): async-std is in
# Cargo.lock only as the optional dependency of lettre's "async-std1" feature,
# which docket does not enable: it is never compiled (lettre 0.11.23 is the
# newest release; no `cargo update` removes the lock entry).  The guard fails
# the moment anything really builds it.
built=$(cargo tree --target all -e normal,build,dev --prefix none --format '{p}')
if grep -q '^async-std ' <<<"$built"; then
    echo "error: async-std is now part of the build (cargo tree -i async-std);" >&2
    echo "       RUSTSEC-2025-0052 may no longer be ignored in $0" >&2
    exit 1
fi
ignore+=(--ignore RUSTSEC-2025-0052)

echo "cargo audit --db $db --no-fetch --deny warnings ${ignore[*]}"
# --deny warnings: unmaintained, unsound and yanked crates fail the check too.
cargo audit --db "$db" --no-fetch --deny warnings "${ignore[@]}"
