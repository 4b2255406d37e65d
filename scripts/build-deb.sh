#!/usr/bin/env bash
# Build the Debian package: release binary + target/debian/docket_*.deb.
#
#   scripts/build-deb.sh [extra cargo-deb options]
#
# Installs cargo-deb with `cargo install --locked --debug cargo-deb` if missing
# (a few minutes once; it stays in ~/.cargo/bin).  Prints the path of the
# built .deb as the last line of output.  Packaging metadata:
# [package.metadata.deb] in Cargo.toml; files in packaging/, doc/, systemd/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo deb --version >/dev/null 2>&1; then
    echo "cargo-deb not found; installing it (cargo install --locked --debug cargo-deb)" >&2
    cargo install --locked --debug cargo-deb
fi

# The man page names the version; keep it in step with Cargo.toml.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
if ! grep -q "^\.TH DOCKET 8 .*\"docket $version\"" doc/docket.8; then
    echo "warning: doc/docket.8's .TH line does not say \"docket $version\"" >&2
fi

# The conffile is installed as shipped: it must pass `docket check`.  (Mode
# 0640 as in the package, in a private copy: the loader refuses loose modes.)
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT

# cargo deb builds the release binary itself (cargo build --release) and
# prints the .deb path on stdout.
cargo deb "$@" >"$tmp/out"
deb=$(tail -n 1 "$tmp/out")
if [[ ! -f $deb ]]; then
    cat "$tmp/out" >&2
    echo "error: cargo deb did not report a .deb file" >&2
    exit 1
fi

install -m 0640 packaging/docket.toml "$tmp/docket.toml"
if getent group docket-editors >/dev/null; then
    # As postinst creates /etc/docket/cases.d, for [service] editors.
    install -d -m 2770 -g docket-editors "$tmp/cases.d"
else
    # The group comes with the package (sysusers); on a build machine
    # without it, check the rest of the file, without the editors line.
    echo "note: no group docket-editors here: checking packaging/docket.toml without its editors line" >&2
    sed -i '/^editors = "docket-editors"$/d' "$tmp/docket.toml"
    install -d -m 0750 "$tmp/cases.d"
fi
bin=$(cargo metadata --format-version 1 --no-deps |
      sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/docket
if ! STATE_DIRECTORY=$tmp "$bin" check --strict -c "$tmp/docket.toml" >&2; then
    echo "error: packaging/docket.toml does not pass 'docket check --strict'" >&2
    exit 1
fi

echo "$deb"
