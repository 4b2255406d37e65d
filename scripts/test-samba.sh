#!/usr/bin/env bash
#
# test-samba.sh - what the Samba tests (tests/it/team.rs) need: smbd,
# smbpasswd and smbclient from Debian's samba and smbclient packages.
#
# Usage (as root):
#   scripts/test-samba.sh          install them if missing, then check them
#
# Nothing is configured or started here: each test writes its own smb.conf
# in a temporary directory (its own port on 127.0.0.1, its own private,
# lock, state and cache directories, its own passdb), runs smbd in the
# foreground and kills it at the end. The machine's /etc/samba and a
# running smbd are left alone. Debian's postinst may start the packaged
# smbd on port 445; the tests do not use it.
#
# Without root, scripts/test.sh (DOCKET_SKIP_SMTP_TESTS=1) leaves the
# team:: tests out instead.

set -euo pipefail
# smbd and smbpasswd live in sbin, which a CI PATH may lack.
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

if ! command -v smbd >/dev/null || ! command -v smbclient >/dev/null ||
   ! command -v smbpasswd >/dev/null; then
    if (( EUID != 0 )); then
        echo "test-samba.sh: samba and smbclient are missing; run me as root to install them" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends samba smbclient passwd util-linux >/dev/null
fi

for tool in smbd smbclient smbpasswd setpriv useradd groupadd; do
    command -v "$tool" >/dev/null || { echo "test-samba.sh: $tool not found" >&2; exit 1; }
done
echo "test-samba.sh: $(smbd --version), $(smbclient --version)"
