//! Permanent failures (a relay whose certificate is refused, an unusable
//! outbox): alerted at once, the digest kept.

use super::{digests, key_to_mid, outage_config, run_once, OUT_D};
use crate::util::{field, history, test_mail_env, unique_tag, Mail};
use std::path::Path;

/// A permanent SMTP failure (here: the relay's certificate is not from a
/// trusted CA) is alerted at once. The admin mail would go through the
/// same relay, so the alert is in the log, and so is the failed attempt
/// to mail it; the digest stays queued under its Message-ID.
#[test]
fn permanent_failure_tls_refused_is_alerted_in_the_log_and_the_digest_kept() {
    let env = test_mail_env();
    let tag = unique_tag();
    let from = format!("docket-tlsalert-{tag}@ngo.example");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = outage_config(
        tmp.path(),
        &tag,
        &env.relay(&from, "DOCKET_TEST_SMTP_PORT_SELF_SIGNED"),
        "",
    );
    let log = run_once(&cfg, OUT_D[0], 1);
    let rows = history(&cfg);
    let ledger = digests(&rows);
    assert_eq!(ledger.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| field(r, "state") == "due"), "{rows:?}");
    assert!(log.contains("TLS failed"), "{log}");
    assert!(log.contains("permanent=true"), "{log}");
    for mid in ledger.keys() {
        let alert = log
            .lines()
            .find(|l| l.contains("a digest could not be delivered") && l.contains(mid.as_str()))
            .unwrap_or_else(|| panic!("no alert naming {mid}:\n{log}"));
        assert!(alert.contains("ERROR"), "{alert}");
    }
    assert!(log.contains("cannot mail the admin"), "{log}");

    // Again: still queued, same Message-IDs, the alert logged again.
    let again = run_once(&cfg, OUT_D[0], 1);
    assert_eq!(key_to_mid(&history(&cfg)), key_to_mid(&rows));
    assert_eq!(
        again.matches("a digest could not be delivered").count(),
        2,
        "{again}"
    );
}

/// The file transport with a regular file where the outbox should be: no
/// usable transport, so every digest fails permanently, is alerted in the
/// log and kept; once the outbox can be created, the queued digest is
/// written once, under its Message-ID, marked late.
#[test]
fn permanent_failure_unusable_outbox_is_alerted_and_the_digest_written_once_fixed() {
    let tmp = tempfile::tempdir().unwrap();
    let tag = unique_tag();
    let from = format!("docket-outbox-{tag}@ngo.example");
    let outbox = tmp.path().join("outbox");
    std::fs::write(&outbox, "not a directory").unwrap();
    let mail =
        format!("[mail]\ntransport = \"file\"\ndir = \"outbox\"\nfrom = \"Docket <{from}>\"\n");
    let cfg = outage_config(tmp.path(), &tag, &mail, "");

    let log = run_once(&cfg, OUT_D[0], 1);
    assert!(log.contains("mail transport is not usable"), "{log}");
    let rows = history(&cfg);
    let ledger = digests(&rows);
    assert_eq!(ledger.len(), 2, "{rows:?}");
    for mid in ledger.keys() {
        assert!(
            log.lines()
                .any(|l| l.contains("a digest could not be delivered")
                    && l.contains(mid.as_str())
                    && l.contains("ERROR")),
            "no alert naming {mid}:\n{log}"
        );
    }
    let log = run_once(&cfg, OUT_D[1], 1);
    assert!(log.contains("a digest could not be delivered"), "{log}");
    let queued = history(&cfg);
    assert_eq!(queued.len(), 3, "C's 2d was added on D+1: {queued:?}");
    assert!(queued.iter().all(|r| field(r, "state") == "due"));
    let queued_mids = key_to_mid(&queued);

    // Fixed: the queued digests are written, each once, same ids.
    std::fs::remove_file(&outbox).unwrap();
    let log = run_once(&cfg, OUT_D[1], 0);
    assert!(log.contains("digests_sent=3"), "{log}");
    let rows = history(&cfg);
    assert_eq!(key_to_mid(&rows), queued_mids);
    assert!(rows.iter().all(|r| field(r, "state") == "sent"), "{rows:?}");
    let eml = |dir: &Path| -> Vec<Mail> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .map(|p| crate::util::parse_mail(&std::fs::read_to_string(p).unwrap()))
            .collect()
    };
    let written = eml(&outbox);
    let admin = format!("it-{tag}@ngo.example");
    let mut ids: Vec<&str> = written
        .iter()
        .filter(|m| m.header("To") != Some(admin.as_str()))
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    let mut want: Vec<&str> = queued_mids.values().map(String::as_str).collect();
    want.sort();
    want.dedup();
    assert_eq!(ids, want, "each queued digest written once");
    let late = written
        .iter()
        .filter(|m| m.header("To") != Some(admin.as_str()))
        .find(|m| m.text().contains(&format!("KZ-{tag}-A")))
        .unwrap();
    assert!(
        late.text().contains("planned for 2026-06-01"),
        "{}",
        late.text()
    );
    let log = run_once(&cfg, OUT_D[1], 0);
    assert!(log.contains("digests_sent=0"), "{log}");
    assert_eq!(eml(&outbox).len(), written.len());
    println!(
        "permanent failure (file transport): admin mails written after the fix: {}",
        written.len() - ids.len()
    );
}
