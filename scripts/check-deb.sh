#!/usr/bin/env bash
# Check the built Debian package's contents and control data.
#
#   scripts/check-deb.sh [PATH.deb]
#
# Default: the newest target/debian/docket_*.deb (build it with
# scripts/build-deb.sh).  Prints `dpkg-deb -I` and `dpkg-deb -c`, then checks
# that every expected file is in the package with the expected mode, that
# /etc/docket/docket.toml is a conffile, and that the maintainer scripts are
# there.  Exits 1 listing every missing or wrong entry.
set -euo pipefail
cd "$(dirname "$0")/.."

deb=${1:-}
if [[ -z $deb ]]; then
    target=$(cargo metadata --format-version 1 --no-deps |
             sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    # shellcheck disable=SC2012  # newest by mtime; names are ours
    deb=$(ls -t "$target"/debian/docket_*.deb 2>/dev/null | head -n 1 || true)
fi
if [[ -z $deb || ! -f $deb ]]; then
    echo "error: no .deb found (run scripts/build-deb.sh first, or pass its path)" >&2
    exit 2
fi
command -v dpkg-deb >/dev/null || { echo "error: dpkg-deb not found" >&2; exit 2; }

echo "== dpkg-deb -I $deb"
info=$(dpkg-deb -I "$deb")
printf '%s\n' "$info"
echo
echo "== dpkg-deb -c $deb"
contents=$(dpkg-deb -c "$deb")
printf '%s\n' "$contents"
echo

fail=0
problem() { echo "MISSING/WRONG: $*"; fail=1; }

# "mode path" for every regular file: dpkg-deb -c prints
# "-rw-r--r-- root/root  1234 2026-01-01 00:00 ./usr/bin/docket".
files=$(awk '$1 ~ /^-/ { p = $6; sub(/^\./, "", p); print $1, p }' <<<"$contents")

expect() {  # expect PERMS PATH
    local got
    got=$(awk -v p="$2" '$2 == p { print $1 }' <<<"$files")
    if [[ -z $got ]]; then
        problem "$2 is not in the package"
    elif [[ $got != "$1" ]]; then
        problem "$2 has mode $got, expected $1"
    else
        echo "ok: $1 $2"
    fi
}
expect -rwxr-xr-x /usr/bin/docket
expect -rw-r----- /etc/docket/docket.toml
expect -rw-r--r-- /lib/systemd/system/docket.service
expect -rw-r--r-- /lib/systemd/system/docket-failed@.service
expect -rw-r--r-- /usr/lib/sysusers.d/docket.conf
expect -rw-r--r-- /usr/lib/tmpfiles.d/docket.conf
expect -rw-r--r-- /usr/share/man/man8/docket.8.gz
expect -rw-r--r-- /usr/share/man/man5/docket.toml.5.gz
expect -rw-r--r-- /usr/share/doc/docket/reference.md
expect -rw-r--r-- /usr/share/doc/docket/guide.en.md
expect -rw-r--r-- /usr/share/doc/docket/guide.ru.md
expect -rw-r--r-- /usr/share/doc/docket/guide.kk.md
expect -rw-r--r-- /usr/share/doc/docket/README.md
expect -rw-r--r-- /usr/share/doc/docket/ARCHITECTURE.md
expect -rw-r--r-- /usr/share/doc/docket/copyright
expect -rw-r--r-- /usr/share/doc/docket/changelog.Debian.gz
expect -rw-r--r-- /usr/share/lintian/overrides/docket

# Every file in the package belongs to root.
if awk '$2 != "root/root" && $2 != "0/0" { bad = 1 } END { exit !bad }' <<<"$contents"; then
    problem "files not owned by root/root in the archive"
fi

# Control data: conffiles and maintainer scripts.
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
dpkg-deb -e "$deb" "$tmp/DEBIAN"
if grep -qx '/etc/docket/docket.toml' "$tmp/DEBIAN/conffiles" 2>/dev/null; then
    echo "ok: /etc/docket/docket.toml is a conffile"
else
    problem "/etc/docket/docket.toml is not listed in conffiles"
fi
for s in postinst prerm postrm; do
    if [[ -x $tmp/DEBIAN/$s ]]; then
        echo "ok: maintainer script $s"
    else
        problem "maintainer script $s"
    fi
done
# Not enabled or started on install (the admin does that after editing).
# (Comments and the heredoc between <<'MSG' and MSG tell the admin to.)
if sed -e "/<<'MSG'/,/^MSG\$/d" -e '/^[[:space:]]*#/d' "$tmp/DEBIAN/postinst" |
        grep -Eq 'systemctl (--[a-z-]+ )*(enable|start|restart)|deb-systemd-(helper enable|invoke (start|restart))'; then
    problem "postinst enables or starts docket.service"
fi
for field in Package Version Architecture Maintainer Section Priority Depends Description; do
    if grep -q "^ *$field:" <<<"$info"; then
        echo "ok: control field $field"
    else
        problem "control field $field"
    fi
done
if ! grep -Eq '^ *Section: admin$' <<<"$info"; then
    problem "Section is not admin"
fi

# The man page renders without warnings.
if command -v groff >/dev/null && grep -q ' /usr/share/man/man8/docket.8.gz$' <<<"$files"; then
    dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/man/man8/docket.8.gz |
        gzip -dc >"$tmp/docket.8"
    if warnings=$(groff -man -ww -z "$tmp/docket.8" 2>&1) && [[ -z $warnings ]]; then
        echo "ok: man page renders without warnings"
    else
        problem "groff warnings on docket.8: $warnings"
    fi
fi

# Debian's own checker: no error and no warning it has not been told, with
# a reason, to accept (packaging/lintian-overrides).
if command -v lintian >/dev/null; then
    if report=$(lintian --fail-on error,warning "$deb" 2>&1); then
        echo "ok: lintian${report:+ (notes below)}"
        [[ -z $report ]] || printf '%s\n' "$report"
    else
        problem "lintian: $report"
    fi
else
    echo "note: lintian is not installed; not run"
fi

echo
if (( fail )); then
    echo "FAIL: $deb is missing expected entries (see above)"
    exit 1
fi
echo "OK: $deb"
