#!/usr/bin/env bash
# Check the hardening of systemd/docket.service.
#
#   scripts/check-unit-security.sh [THRESHOLD]
#
# Runs `systemd-analyze security --offline=yes` on the unit, prints the
# table and the overall exposure score, and exits 1 if the score is above
# THRESHOLD (default 1.5; lower is better).  Also runs
# `systemd-analyze verify` on the unit and checks that docket.sysusers and
# docket.tmpfiles apply cleanly.
#
# Works without systemd as PID 1 (CI containers): everything runs offline
# against a throw-away root directory (--root=) that holds the unit, stub
# executables for its Exec*= commands (verify insists they exist, and
# /usr/bin/docket is not installed on a CI box) and a copy of the distro's
# unit directory (verify needs sysinit.target & co).  Using --root= also keeps
# drop-ins on the machine running the check (/etc/systemd/system/docket.service.d)
# out of the result: the score is that of the file in the repository.
#
# If systemd-analyze is missing it installs the Debian "systemd" package with
# apt-get (needs root; CI runs as root on Debian 12).  Needs systemd >= 250
# for --offline=.
set -euo pipefail

threshold=${1:-1.5}
if ! [[ $threshold =~ ^[0-9]+([.][0-9]+)?$ ]]; then
    echo "usage: $0 [THRESHOLD]   (THRESHOLD: a number such as 1.5)" >&2
    exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
unit_name=docket.service
unit=$repo/systemd/$unit_name
# The OnFailure= unit that mails the admin, checked as the instance
# docket.service starts.
failed_tpl=$repo/systemd/docket-failed@.service
failed_name=docket-failed@docket.service.service
sysusers=$repo/systemd/docket.sysusers
tmpfiles=$repo/systemd/docket.tmpfiles
for f in "$unit" "$failed_tpl" "$sysusers" "$tmpfiles"; do
    [[ -f $f ]] || { echo "error: $f not found" >&2; exit 2; }
done

# No colours, no pager, plain output we can parse.
export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat LC_ALL=C.UTF-8

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "systemd-analyze not found; installing the systemd package" >&2
    if (( EUID != 0 )); then
        echo "error: need root to apt-get install systemd" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends systemd
fi

version=$(systemd-analyze --version | awk 'NR == 1 { print $2 }')
echo "systemd-analyze version: $version"
if ! [[ $version =~ ^[0-9]+$ ]] || (( version < 250 )); then
    echo "error: systemd >= 250 needed for 'systemd-analyze security --offline=yes'" >&2
    exit 2
fi

# --- Throw-away root ---------------------------------------------------------
root=$(mktemp -d "${TMPDIR:-/tmp}/docket-unit-check.XXXXXX")
trap 'rm -rf -- "$root"' EXIT

mkdir -p "$root/etc/systemd/system" "$root/usr/lib/systemd" \
         "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d"
cp "$unit" "$root/etc/systemd/system/$unit_name"
cp "$failed_tpl" "$root/etc/systemd/system/docket-failed@.service"
cp "$sysusers" "$root/usr/lib/sysusers.d/docket.conf"
cp "$tmpfiles" "$root/usr/lib/tmpfiles.d/docket.conf"

# Distro units (sysinit.target, multi-user.target, network-online.target, ...).
for d in /usr/lib/systemd/system /lib/systemd/system; do
    if [[ -d $d ]]; then
        cp -a "$d" "$root/usr/lib/systemd/"
        break
    fi
done

# Stub executables for every Exec*= command (first word, minus the special
# prefixes @ - : + !), so verify does not fail on a machine without docket.
sed -n 's/^[[:space:]]*Exec[A-Za-z]*=[[:space:]]*[-@:+!]*\([^[:space:]]*\).*/\1/p' "$unit" "$failed_tpl" |
    sort -u |
    while read -r exe; do
        [[ $exe == /* ]] || continue
        mkdir -p "$root$(dirname "$exe")"
        printf '#!/bin/sh\nexit 0\n' > "$root$exe"
        chmod 755 "$root$exe"
    done

status=0

# --- systemd-analyze security --------------------------------------------------
echo
echo "== systemd-analyze security --offline=yes --root=<tmp> $unit_name (from $unit)"
out=$(systemd-analyze security --offline=yes --root="$root" --no-pager "$unit_name" 2>&1) || {
    printf '%s\n' "$out"
    echo "error: systemd-analyze security failed" >&2
    exit 1
}
printf '%s\n' "$out"

score=$(printf '%s\n' "$out" |
    sed -n 's/.*Overall exposure level for [^:]*:[[:space:]]*\([0-9][0-9]*\(\.[0-9]*\)\{0,1\}\).*/\1/p' |
    tail -n 1)
if [[ -z $score ]]; then
    echo "error: could not find the overall exposure level in the output" >&2
    exit 1
fi

echo
if awk -v s="$score" -v t="$threshold" 'BEGIN { exit !(s + 0 > t + 0) }'; then
    echo "FAIL: exposure score $score is above the threshold $threshold"
    status=1
else
    echo "OK: exposure score $score (threshold $threshold)"
fi

# --- systemd-analyze verify ----------------------------------------------------
# Works offline.  It exits 0 on mere warnings (e.g. "Unknown key"), so any
# message about our unit counts as a failure; messages about distro units are
# shown but ignored.
echo
echo "== systemd-analyze verify --root=<tmp> $unit_name"
verify_rc=0
verify_out=$(systemd-analyze verify --root="$root" --man=no "$unit_name" 2>&1) || verify_rc=$?
[[ -n $verify_out ]] && printf '%s\n' "$verify_out"
if (( verify_rc != 0 )) || grep -q 'docket' <<<"$verify_out"; then
    echo "FAIL: systemd-analyze verify reported problems with $unit_name (rc=$verify_rc)"
    status=1
else
    echo "OK: verify clean"
fi

# --- the OnFailure= unit ---------------------------------------------------------
echo
echo "== systemd-analyze verify + security --root=<tmp> $failed_name"
fverify_rc=0
fverify_out=$(systemd-analyze verify --root="$root" --man=no "$failed_name" 2>&1) || fverify_rc=$?
[[ -n $fverify_out ]] && printf '%s\n' "$fverify_out"
if (( fverify_rc != 0 )) || grep -q 'docket' <<<"$fverify_out"; then
    echo "FAIL: systemd-analyze verify reported problems with $failed_name (rc=$fverify_rc)"
    status=1
else
    echo "OK: verify clean"
fi
if ! grep -q '^OnFailure=docket-failed@%n.service$' "$unit"; then
    echo "FAIL: $unit_name does not name docket-failed@%n.service in OnFailure="
    status=1
fi
fout=$(systemd-analyze security --offline=yes --root="$root" --no-pager "$failed_name" 2>&1) || true
fscore=$(printf '%s\n' "$fout" |
    sed -n 's/.*Overall exposure level for [^:]*:[[:space:]]*\([0-9][0-9]*\(\.[0-9]*\)\{0,1\}\).*/\1/p' |
    tail -n 1)
if [[ -z $fscore ]] || awk -v s="$fscore" -v t="$threshold" 'BEGIN { exit !(s + 0 > t + 0) }'; then
    printf '%s\n' "$fout"
    echo "FAIL: $failed_name exposure score ${fscore:-?} is above the threshold $threshold"
    status=1
else
    echo "OK: $failed_name exposure score $fscore (threshold $threshold)"
fi

# --- watching the config needs no extra permission ------------------------------
# The daemon watches /etc/docket with inotify (epoll underneath): those system
# calls must be in the unit's allow-list and in none of its deny-lists.
echo
echo "== inotify under SystemCallFilter="
allow=$(sed -n 's/^SystemCallFilter=\([^~].*\)/\1/p' "$unit")
deny=$(sed -n 's/^SystemCallFilter=~\(.*\)/\1/p' "$unit")
# The system calls of a set of filter groups, groups inside groups included.
expand() {
    local g
    for g in $1; do
        systemd-analyze syscall-filter "$g" 2>/dev/null | sed -n 's/^ \{4\}\([@a-z0-9_-]*\)$/\1/p' |
            while read -r item; do
                if [[ $item == @* ]]; then expand "$item"; else echo "$item"; fi
            done
    done
}
allowed=$(expand "$allow")
denied=$(expand "$deny")
watch_ok=1
for call in inotify_init1 inotify_add_watch inotify_rm_watch epoll_wait; do
    if ! grep -qx "$call" <<<"$allowed" || grep -qx "$call" <<<"$denied"; then
        echo "FAIL: $call is not allowed by the unit's SystemCallFilter="
        watch_ok=0
        status=1
    fi
done
(( watch_ok )) && echo "OK: inotify_init1, inotify_add_watch, inotify_rm_watch, epoll_wait allowed"

# --- sysusers.d / tmpfiles.d ---------------------------------------------------
echo
echo "== systemd-sysusers + systemd-tmpfiles --create --root=<tmp>"
if systemd-sysusers --root="$root" docket.conf &&
   systemd-tmpfiles --root="$root" --create docket.conf; then
    # Compare numerically: stat would resolve names through the host's passwd.
    uid=$(awk -F: '$1 == "docket" { print $3 }' "$root/etc/passwd")
    gid=$(awk -F: '$1 == "docket" { print $3 }' "$root/etc/group")
    egid=$(awk -F: '$1 == "docket-editors" { print $3 }' "$root/etc/group")
    members=$(awk -F: '$1 == "docket-editors" { print $4 }' "$root/etc/group")
    got=$(stat -c '%n %a %u:%g' "$root/etc/docket" "$root/etc/docket/cases.d" "$root/var/lib/docket" | sed "s|^$root||")
    printf '%s\n' "$got"
    want="/etc/docket 750 0:$egid"$'\n'"/etc/docket/cases.d 2770 0:$egid"$'\n'"/var/lib/docket 700 $uid:$gid"
    if [[ -n $uid && -n $gid && -n $egid && $got == "$want" && ,$members, == *,docket,* ]]; then
        echo "OK: /etc/docket 0750 root:docket-editors, cases.d 2770 root:docket-editors, /var/lib/docket 0700 docket:docket (docket = $uid:$gid, docket-editors = $egid, members: $members)"
    else
        echo "FAIL: unexpected modes/owners (uid=$uid gid=$gid editors=$egid members=$members): ${got//$'\n'/, }"
        status=1
    fi
else
    echo "FAIL: systemd-sysusers/systemd-tmpfiles failed"
    status=1
fi

echo
echo "exposure score: $score (docket-failed@: ${fscore:-?})"
exit "$status"
