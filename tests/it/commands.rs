//! The small things a user meets first: `--help` that explains every flag,
//! messages that say what happened, and a log that is about docket.

use crate::digest::{fixture, D};
use crate::util::*;

/// Every subcommand's options, from `docket SUB -h`: each one described.
#[test]
fn help_describes_every_flag_of_every_command() {
    let top = std::process::Command::new(docket_bin())
        .arg("--help")
        .output()
        .unwrap();
    let top = stdout(&top);
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 8, "{top}");
    for c in commands {
        let o = std::process::Command::new(docket_bin())
            .args([c, "-h"])
            .output()
            .unwrap();
        let help = stdout(&o);
        for line in help.lines().filter(|l| l.trim_start().starts_with('-')) {
            // "  -c, --config <CONFIG>  The main config file [...]"
            let described = line
                .trim_start()
                .split("  ")
                .filter(|s| !s.trim().is_empty())
                .count()
                >= 2;
            assert!(
                described,
                "`docket {c}`: {:?} has no description:\n{help}",
                line.trim()
            );
        }
    }
}

#[test]
fn history_says_whether_a_case_exists_when_nothing_was_sent() {
    let (tmp, cfg) = fixture("en");
    assert_exit(&docket(&cfg, &["run", "--once", "--today", D]), 0);
    // A typo: not in the config, nothing in the ledger: a usage error.
    let o = docket(&cfg, &["history", "--case", "KZ-00001"]);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("no reminders for case KZ-00001: there is no such case in the config, and the ledger has none"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("did you mean"), "{}", stderr(&o));
    // A case of the config that nothing was sent for yet.
    write_config(
        tmp.path(),
        "cases.d/kz-0999.toml",
        "[[case]]\nid = \"KZ-0999\"\ncaseworker = \"aigerim\"\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  issued = 2026-11-20\n",
    );
    let o = docket(&cfg, &["history", "--case", "KZ-0999"]);
    assert_exit(&o, 0);
    assert_eq!(
        stdout(&o),
        "No reminders for case KZ-0999 have been sent yet.\n"
    );
    let o = docket(&cfg, &["history", "--case", "KZ-0999", "--format", "json"]);
    assert_exit(&o, 0);
    assert_eq!(stdout(&o).trim(), "[]");
    // A case with reminders: its rows.
    let o = docket(&cfg, &["history", "--case", "KZ-0001"]);
    assert!(stdout(&o).contains("KZ-0001"), "{}", stdout(&o));
}

#[test]
fn the_log_names_each_case_once_per_pass_and_the_next_pass_without_library_noise() {
    let (tmp, cfg) = fixture("en");
    let mut d = Daemon::start(&cfg, D, tmp.path().join("log"));
    d.wait_log("idle until the next scheduled pass", 1);
    d.stop();
    let log = d.log();
    for noise in ["Uninited", "Job creator created", "tokio_cron_scheduler"] {
        assert!(!log.contains(noise), "{noise:?} in:\n{log}");
    }
    let done = log.lines().find(|l| l.contains("pass done")).unwrap();
    // 37 cases were reminded about (some in two digests: the caseworker's
    // and the supervisor's): each is named once.
    let cases = done
        .split("cases=")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let list: Vec<&str> = cases.split(',').collect();
    let mut unique = list.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(list.len(), unique.len(), "{done}");
    assert_eq!(list.len(), 37, "{done}");
    for l in log.lines().filter(|l| l.contains("digest sent")) {
        assert!(!l.contains("KZ-"), "a digest line lists cases again: {l}");
    }
    let idle = log
        .lines()
        .find(|l| l.contains("idle until the next scheduled pass"))
        .unwrap();
    // The schedule's next 09:00 in Almaty, in local time.
    assert!(
        idle.contains("next_pass=") && idle.contains("T09:00:00+05:00"),
        "{idle}"
    );
}
