#!/usr/bin/env bash
# The whole test suite: lint, unit, property, integration (with a real
# Postfix on loopback), and the unit-file security score.
# Run as root on Debian: it installs and starts Postfix through
# scripts/test-mail-server.sh, and some tests mount a tmpfs or give files
# away. Without root, DOCKET_SKIP_SMTP_TESTS=1 leaves out, by name, the
# tests that need the mail server (smtp::, reliability::, *starttls*),
# root (*as_root*), Debian's chromium (browser::) or Debian's khal,
# python3-icalendar and prometheus (the feed and metrics tests in
# never_silent::), a second real user (hostile::files, inotify_exhaustion) or
# the sqlite3 shell (reader_on_the_ledger), or real users, a group and a real
# smbd (team::, scripts/test-samba.sh); cargo's summary counts them as
# filtered out.
set -euo pipefail
cd "$(dirname "$0")/.."

skip=()
if [ "${DOCKET_SKIP_SMTP_TESTS:-0}" = 1 ]; then
  skip=(--skip smtp:: --skip reliability:: --skip starttls --skip as_root --skip browser::
        --skip never_silent::feeds --skip never_silent::uids --skip never_silent::the_metrics
        --skip hostile::files --skip inotify_exhaustion --skip reader_on_the_ledger
        --skip team::)
  echo "test.sh: DOCKET_SKIP_SMTP_TESTS=1: leaving out ${skip[*]}" >&2
else
  scripts/test-mail-server.sh start
  scripts/test-samba.sh
fi

cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test --all-targets -- "${skip[@]}"
if [ -x scripts/check-unit-security.sh ]; then
  scripts/check-unit-security.sh
fi
