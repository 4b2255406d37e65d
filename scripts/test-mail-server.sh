#!/usr/bin/env bash
#
# test-mail-server.sh - a real Postfix SMTP server on 127.0.0.1 for docket's
# integration tests.
#
# Usage (as root):
#   scripts/test-mail-server.sh start    install if missing, (re)configure, (re)start
#   scripts/test-mail-server.sh stop     stop Postfix
#   scripts/test-mail-server.sh status   exit 0 if Postfix is up and port 2525 answers
#   scripts/test-mail-server.sh env      print the test environment (after start)
#
# After `start`, `. "$DOCKET_TEST_MAIL_DIR/env"` (default
# /var/tmp/docket-test-mail/env) exports the variables the tests read.
#
# Listeners (all on 127.0.0.1 only; the certificates name "localhost"):
#   2525  STARTTLS offered, cert from the test CA, AUTH only after STARTTLS
#   2465  implicit TLS (wrapper mode), cert from the test CA, AUTH offered
#   2526  plain text, no STARTTLS and no AUTH offered at all
#   2527  STARTTLS with a self-signed cert (not from the test CA)
#   2528  STARTTLS with a test-CA cert for the wrong host (wrong.example)
# Every recipient at every domain is accepted and delivered into the single
# Maildir $DIR/Maildir; nothing can leave the machine.
#
# Written for Debian 12 in a container: no systemd, no syslog, no network but
# the Debian mirrors. It takes over the machine's /etc/postfix (the originals
# are kept once as *.docket-orig), so do not run it on a host whose Postfix
# carries real mail.

set -euo pipefail
# postfix, saslpasswd2 and runuser live in sbin, which a CI PATH may lack.
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

DIR="${DOCKET_TEST_MAIL_DIR:-/var/tmp/docket-test-mail}"

PORT_STARTTLS=2525
PORT_IMPLICIT_TLS=2465
PORT_PLAIN=2526
PORT_SELF_SIGNED=2527
PORT_WRONG_HOST=2528
ALL_PORTS="$PORT_STARTTLS $PORT_IMPLICIT_TLS $PORT_PLAIN $PORT_SELF_SIGNED $PORT_WRONG_HOST"

SMTP_USER=docket@ngo.example
START_TIMEOUT=30

# Debian packages we rely on. sasl2-bin brings saslpasswd2; libsasl2-modules
# brings the PLAIN and LOGIN mechanisms (the sasldb plugin comes with libsasl2).
PACKAGES="postfix openssl sasl2-bin libsasl2-modules"

PF=/etc/postfix

say() { printf 'test-mail-server: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

check_dir() {
    # The path ends up inside main.cf and master.cf values, where blanks and
    # commas are separators, so only allow a plain absolute path.
    [[ "$DIR" =~ ^/[A-Za-z0-9._/-]+$ ]] ||
        die "DOCKET_TEST_MAIL_DIR must be an absolute path of [A-Za-z0-9._/-], got '$DIR'"
}

need_root() {
    [[ $(id -u) -eq 0 ]] || die "must run as root (it installs packages and runs Postfix)"
}

pkg_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

install_packages() {
    local missing=() p
    for p in $PACKAGES; do
        pkg_installed "$p" || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0

    say "installing ${missing[*]} (apt-get update first)"
    # "No configuration" keeps postinst from writing its own main.cf or asking
    # questions; we write the whole configuration ourselves below.
    debconf-set-selections <<'EOF'
postfix postfix/main_mailer_type select No configuration
postfix postfix/mailname string localhost
EOF
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    # --no-install-recommends: postfix recommends python3 and friends, which we
    # do not need and which would only slow a fresh CI machine down.
    apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

# --- certificates -----------------------------------------------------------

openssl_conf() {
    cat <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[good_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost,IP:127.0.0.1
[self_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost,IP:127.0.0.1
[wrong_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong.example
EOF
}

certs_usable() {
    local f
    for f in ca server selfsigned wronghost; do
        [[ -s "$DIR/$f.pem" && -s "$DIR/$f.key" ]] || return 1
        # Regenerate a day before expiry rather than fail a CI run mysteriously.
        openssl x509 -in "$DIR/$f.pem" -noout -checkend 86400 >/dev/null 2>&1 || return 1
    done
    openssl verify -CAfile "$DIR/ca.pem" "$DIR/server.pem" >/dev/null 2>&1
}

serial() { echo "0x$(openssl rand -hex 15)"; }

make_certs() {
    if certs_usable; then
        return 0
    fi
    say "generating test CA and certificates in $DIR"
    local cnf="$DIR/openssl.cnf"
    openssl_conf >"$cnf"
    (
        cd "$DIR" || exit 1
        umask 077
        rm -f ca.* server.* selfsigned.* wronghost.*
        openssl req -x509 -new -config "$cnf" -extensions ca_ext \
            -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
            -days 3650 -set_serial "$(serial)" -subj "/CN=docket test CA" 2>/dev/null
        # The three leaf certs each differ from a good one in exactly one way, so
        # a failing handshake can only fail for the reason the test is about:
        #   server     = test CA, localhost          (good)
        #   selfsigned = its own issuer, localhost   (untrusted issuer only)
        #   wronghost  = test CA, wrong.example      (wrong name only)
        local name cn ext
        for name in server:localhost:good_ext wronghost:wrong.example:wrong_ext; do
            IFS=: read -r name cn ext <<<"$name"
            openssl req -new -config "$cnf" -newkey rsa:2048 -nodes \
                -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn" 2>/dev/null
            openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key \
                -set_serial "$(serial)" -days 3650 -extfile "$cnf" -extensions "$ext" \
                -out "$name.pem" 2>/dev/null
            rm -f "$name.csr"
        done
        openssl req -x509 -new -config "$cnf" -extensions self_ext \
            -newkey rsa:2048 -nodes -keyout selfsigned.key -out selfsigned.pem \
            -days 3650 -set_serial "$(serial)" -subj "/CN=localhost" 2>/dev/null
        chmod 644 ./*.pem
    ) || die "certificate generation failed"
    certs_usable || die "generated certificates do not verify"
}

# --- SMTP AUTH (Cyrus SASL, sasldb) -------------------------------------------

setup_sasl() {
    if [[ ! -s "$DIR/smtp-password" ]]; then
        # No trailing newline, so a test can use the file's bytes as they are.
        (umask 077; printf '%s' "$(openssl rand -hex 16)" >"$DIR/smtp-password")
    fi
    # Debian's Postfix reads the Cyrus config only from /etc/postfix/sasl
    # (its cyrus_sasl_config_path is ignored), so the config lives there and
    # points at the password db under $DIR.
    mkdir -p "$DIR/sasl" "$PF/sasl"
    cat >"$PF/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $DIR/sasl/sasldb2
EOF
    # Rebuild the db every time so it always matches smtp-password.
    rm -f "$DIR/sasl/sasldb2"*
    saslpasswd2 -f "$DIR/sasl/sasldb2" -p -c -u "${SMTP_USER#*@}" "${SMTP_USER%@*}" \
        <"$DIR/smtp-password" || die "saslpasswd2 failed"
    # smtpd looks the password up after dropping root, as user postfix
    # (the Berkeley DB is only read, so no write access is needed).
    chown -R root:postfix "$DIR/sasl"
    chmod 750 "$DIR/sasl"
    chmod 640 "$DIR/sasl/"*
}

# --- Postfix configuration -----------------------------------------------------

write_main_cf() {
    cat <<EOF
# Written by scripts/test-mail-server.sh (docket integration tests). Every
# start rewrites this file; edit the script instead.
compatibility_level = 3.6
myhostname = localhost
mydomain = localdomain
myorigin = \$myhostname
biff = no
append_dot_mydomain = no
readme_directory = no

# Loopback only, IPv4 only (the listeners bind 127.0.0.1 explicitly).
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8

# Nothing leaves the machine: no relay host, and anything that is not
# delivered into the Maildir bounces via the error transport instead.
relayhost =
default_transport = error:docket test mail server never sends mail out
relay_transport = error:docket test mail server never sends mail out

# Every domain is a virtual mailbox domain (static: matches any key), and
# every address maps to the one Maildir (trailing slash = Maildir format).
# No local(8) delivery, so no aliases and no /etc/aliases.db needed.
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
virtual_mailbox_domains = static:all
virtual_mailbox_base = $DIR
virtual_mailbox_maps = static:Maildir/
virtual_uid_maps = static:$MAIL_UID
virtual_gid_maps = static:$MAIL_GID
virtual_mailbox_limit = 0
message_size_limit = 52428800

smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
# Deliver what the client sent: by default Postfix adds a missing Date:,
# Message-ID: or From: and qualifies bare addresses for clients on the
# machine's own interfaces, which would hide a client that forgets them.
local_header_rewrite_clients =
# Tests hit error paths on purpose; do not make them wait, and do not wait on
# a reverse-DNS lookup of 127.0.0.1 in a network-less container.
smtpd_error_sleep_time = 0
smtpd_peername_lookup = no

# TLS (per-listener overrides live in master.cf).
smtpd_tls_cert_file = $DIR/server.pem
smtpd_tls_key_file = $DIR/server.key
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_loglevel = 1
# Lets a test see in the delivered message whether it went over TLS.
smtpd_tls_received_header = yes
smtpd_tls_session_cache_database =

# SMTP AUTH: off by default, switched on per listener in master.cf, and never
# offered before TLS.
smtpd_sasl_auth_enable = no
smtpd_tls_auth_only = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
broken_sasl_auth_clients = no

# No syslog in the container: log through postlogd into a file the tests can
# read. The file must sit under one of maillog_file_prefixes.
maillog_file = $DIR/postfix.log
maillog_file_prefixes = /var, /dev/stdout, $DIR
EOF
}

write_master_cf() {
    # chroot is "n" everywhere: Debian's chroot needs files copied in by its
    # init script, which we do not run. There is no port 25 listener and no
    # smtp/lmtp client service at all, so even a mis-routed message can only
    # sit in the queue, never leave.
    cat <<EOF
# Written by scripts/test-mail-server.sh (docket integration tests).
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PORT_STARTTLS inet n - n - - smtpd
  -o syslog_name=postfix/port$PORT_STARTTLS
  -o smtpd_tls_security_level=may
  -o smtpd_sasl_auth_enable=yes
127.0.0.1:$PORT_IMPLICIT_TLS inet n - n - - smtpd
  -o syslog_name=postfix/port$PORT_IMPLICIT_TLS
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
127.0.0.1:$PORT_PLAIN inet n - n - - smtpd
  -o syslog_name=postfix/port$PORT_PLAIN
  -o smtpd_tls_security_level=none
  -o smtpd_sasl_auth_enable=no
127.0.0.1:$PORT_SELF_SIGNED inet n - n - - smtpd
  -o syslog_name=postfix/port$PORT_SELF_SIGNED
  -o smtpd_tls_security_level=may
  -o smtpd_sasl_auth_enable=no
  -o smtpd_tls_cert_file=$DIR/selfsigned.pem
  -o smtpd_tls_key_file=$DIR/selfsigned.key
127.0.0.1:$PORT_WRONG_HOST inet n - n - - smtpd
  -o syslog_name=postfix/port$PORT_WRONG_HOST
  -o smtpd_tls_security_level=may
  -o smtpd_sasl_auth_enable=no
  -o smtpd_tls_cert_file=$DIR/wronghost.pem
  -o smtpd_tls_key_file=$DIR/wronghost.key
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

configure() {
    mkdir -p "$DIR"
    # $DIR is traversed by the delivery user (Maildir) and by postfix (SASL);
    # the private keys inside stay 0600 root.
    chmod 755 "$DIR"

    MAIL_UID=$(id -u nobody) || die "no user 'nobody'"
    MAIL_GID=$(getent group nogroup | cut -d: -f3) || die "no group 'nogroup'"
    # virtual(8) will not deliver as root (virtual_minimum_uid), and cannot
    # create the Maildir itself in a root-owned $DIR, so the Maildir is made
    # here and handed to nobody.
    mkdir -p "$DIR/Maildir/new" "$DIR/Maildir/cur" "$DIR/Maildir/tmp"
    chown -R "$MAIL_UID:$MAIL_GID" "$DIR/Maildir"
    chmod 700 "$DIR/Maildir" "$DIR/Maildir/new" "$DIR/Maildir/cur" "$DIR/Maildir/tmp"

    make_certs
    setup_sasl

    local f
    for f in main.cf master.cf; do
        if [[ -f "$PF/$f" && ! -f "$PF/$f.docket-orig" ]] &&
            ! grep -q 'scripts/test-mail-server.sh' "$PF/$f"; then
            cp -p "$PF/$f" "$PF/$f.docket-orig"
        fi
    done
    write_main_cf >"$PF/main.cf"
    write_master_cf >"$PF/master.cf"
    echo localhost >/etc/mailname

    # Every parent of $DIR must be searchable by the unprivileged users (a
    # DOCKET_TEST_MAIL_DIR under /root, mode 700, is not): say so now rather
    # than let AUTH or delivery fail later with a vague error.
    runuser -u postfix -- test -r "$DIR/sasl/sasldb2" ||
        die "user postfix cannot read $DIR/sasl/sasldb2; make $DIR's parents world-searchable (o+x)"
    runuser -u nobody -- test -w "$DIR/Maildir/new" ||
        die "user nobody cannot write $DIR/Maildir; make $DIR's parents world-searchable (o+x)"

    touch "$DIR/postfix.log"
    # Container images sometimes get the spool's owners wrong (uids differ
    # from the image the package was built in); fix them only when needed.
    if ! postfix check >/dev/null 2>&1; then
        postfix set-permissions >/dev/null 2>&1 || true
        postfix check || die "postfix check failed (see above)"
    fi
}

# --- run state ----------------------------------------------------------------

postfix_running() { postfix status >/dev/null 2>&1; }

# True when the port greets with an SMTP 220 banner, i.e. smtpd really starts
# (a bare TCP connect would succeed on master alone, even if smtpd dies on a
# bad key).
smtp_banner_ok() {
    # The inner script is single-quoted on purpose: it gets the port as $1.
    # shellcheck disable=SC2016
    timeout 5 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        IFS= read -r line <&3 || exit 1
        printf "QUIT\r\n" >&3
        [[ $line == 220* ]]' _ "$1" 2>/dev/null
}

tls_banner_ok() {
    # -quiet implies -ign_eof: s_client sends QUIT and then waits for the
    # server to close, so the banner is read before it exits.
    printf 'QUIT\r\n' | timeout 5 openssl s_client -quiet \
        -connect "127.0.0.1:$1" -servername localhost \
        -CAfile "$DIR/ca.pem" -verify_hostname localhost -verify_return_error \
        2>/dev/null | grep -q '^220'
}

wait_up() {
    local deadline=$((SECONDS + START_TIMEOUT)) port pending
    while :; do
        pending=""
        for port in $PORT_STARTTLS $PORT_PLAIN $PORT_SELF_SIGNED $PORT_WRONG_HOST; do
            smtp_banner_ok "$port" || pending+=" $port"
        done
        tls_banner_ok "$PORT_IMPLICIT_TLS" || pending+=" $PORT_IMPLICIT_TLS"
        [[ -z "$pending" ]] && return 0
        if ((SECONDS >= deadline)); then
            say "ERROR: Postfix did not answer on port(s)$pending within ${START_TIMEOUT}s"
            say "last lines of $DIR/postfix.log:"
            tail -n 20 "$DIR/postfix.log" >&2 || true
            return 1
        fi
        sleep 0.5
    done
}

stop_postfix() {
    if postfix_running; then
        say "stopping Postfix"
        # postfix stop waits up to 5 s and then kills the master with force.
        postfix stop >/dev/null 2>&1 || true
    fi
    local deadline=$((SECONDS + 15))
    while postfix_running; do
        ((SECONDS < deadline)) || die "Postfix did not stop"
        sleep 0.2
    done
}

write_env() {
    cat >"$DIR/env.tmp" <<EOF
# Written by scripts/test-mail-server.sh; source it: . $DIR/env
# Connect to DOCKET_TEST_SMTP_HOST, but verify the certificate for the name
# DOCKET_TEST_SMTP_TLS_NAME (the certs are for "localhost" and 127.0.0.1).
export DOCKET_TEST_MAIL_DIR=$DIR
export DOCKET_TEST_SMTP_HOST=127.0.0.1
export DOCKET_TEST_SMTP_TLS_NAME=localhost
export DOCKET_TEST_SMTP_PORT_STARTTLS=$PORT_STARTTLS
export DOCKET_TEST_SMTP_PORT_IMPLICIT_TLS=$PORT_IMPLICIT_TLS
export DOCKET_TEST_SMTP_PORT_PLAIN=$PORT_PLAIN
export DOCKET_TEST_SMTP_PORT_SELF_SIGNED=$PORT_SELF_SIGNED
export DOCKET_TEST_SMTP_PORT_WRONG_HOST=$PORT_WRONG_HOST
export DOCKET_TEST_CA=$DIR/ca.pem
export DOCKET_TEST_MAILDIR=$DIR/Maildir
export DOCKET_TEST_SMTP_USER=$SMTP_USER
export DOCKET_TEST_SMTP_PASSWORD_FILE=$DIR/smtp-password
export DOCKET_TEST_SMTP_LOG=$DIR/postfix.log
EOF
    mv "$DIR/env.tmp" "$DIR/env"
}

cmd_start() {
    need_root
    install_packages
    configure
    # A full restart, not a reload: inet_interfaces and the listener set only
    # change on restart, and it costs about a second.
    stop_postfix
    say "starting Postfix"
    postfix start >/dev/null 2>&1 || {
        tail -n 20 "$DIR/postfix.log" >&2 || true
        die "postfix start failed"
    }
    wait_up || die "Postfix is not answering; see $DIR/postfix.log"
    write_env
    say "Postfix is up on 127.0.0.1 ports $ALL_PORTS; environment (also in $DIR/env):"
    grep '^export ' "$DIR/env"
}

cmd_stop() {
    need_root
    command -v postfix >/dev/null || { say "Postfix is not installed"; return 0; }
    stop_postfix
    say "Postfix stopped"
}

cmd_status() {
    if command -v postfix >/dev/null && postfix_running && smtp_banner_ok "$PORT_STARTTLS"; then
        say "up: Postfix is running and answering on 127.0.0.1:$PORT_STARTTLS"
        return 0
    fi
    say "down: Postfix is not running or not answering on 127.0.0.1:$PORT_STARTTLS"
    return 1
}

cmd_env() {
    [[ -f "$DIR/env" ]] || die "no $DIR/env yet; run '$0 start' first"
    grep '^export ' "$DIR/env"
}

check_dir
case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*)
    echo "usage: $0 start|stop|status|env   (state in \$DOCKET_TEST_MAIL_DIR, default /var/tmp/docket-test-mail)" >&2
    exit 2
    ;;
esac
