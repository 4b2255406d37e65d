#!/bin/sh
# Build the symlink-loop include reproducer in DIR (see README.md), then
#   timeout 30 target/release/docket -c DIR/docket.toml check
# Expected: an answer (exit 0 or 78) within seconds. Symlinks are made
# here rather than checked in, so no tool walking the repository loops.
set -eu
dir=${1:?usage: include_symlink_loop.sh DIR}
umask 077
mkdir -p "$dir/cases.d"
cat >"$dir/docket.toml" <<'TOML'
[service]
timezone = "Asia/Almaty"
include = ["cases.d/**/*.toml"]

[mail]
transport = "file"

[[caseworker]]
id = "cw"
email = "cw@ngo.example"
TOML
cat >"$dir/cases.d/kz-1.toml" <<'TOML'
[[case]]
id = "KZ-1"
caseworker = "cw"
TOML
ln -sfn .. "$dir/cases.d/up"
ln -sfn .. "$dir/cases.d/up2"
echo "$dir/docket.toml"
