#!/usr/bin/env bash
# The whole test suite: lint, unit, property, integration (with a real
# Postfix on loopback), and the unit-file security score.
# Run as root on Debian: it installs and starts Postfix through
# scripts/test-mail-server.sh. Without root, set DOCKET_SKIP_SMTP_TESTS=1
# to skip the tests that need the mail server.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${DOCKET_SKIP_SMTP_TESTS:-0}" != 1 ]; then
  scripts/test-mail-server.sh start
fi

cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test --all-targets
if [ -x scripts/check-unit-security.sh ]; then
  scripts/check-unit-security.sh
fi
