//! The index answers what the full load answers; a damaged one is a miss.

use super::format::{encode, Index};
use crate::config::model::Config;
use crate::engine::UpcomingFilter;
use crate::engine::{self, Item};
use crate::test_support::example;
use chrono::NaiveDate;

/// The index answers exactly what the engine answers, for every day
/// around the example config's deadlines, every horizon and filter.
#[test]
fn answers_what_the_full_load_answers() {
    let (_dir, cfg) = example();
    let key = [7u8; 16];
    let ix = Index::parse(
        encode(&cfg, &engine::items(&cfg), &key),
        &key,
        String::new(),
    )
    .expect("parses");
    assert!(
        Index::parse(
            encode(&cfg, &engine::items(&cfg), &key),
            &[8u8; 16],
            String::new()
        )
        .is_none(),
        "another key is a miss"
    );
    let start = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let mut compared = 0;
    for step in (0..900).step_by(9) {
        let today = start + chrono::Duration::days(step);
        for days in [0, 7, 30, 90, 400] {
            for cw in
                std::iter::once(None).chain(cfg.caseworkers.iter().map(|c| Some(c.id.as_str())))
            {
                let filter = UpcomingFilter {
                    case: None,
                    caseworker: cw,
                };
                let full = crate::report::upcoming(&cfg, today, days, &filter);
                let fast = ix.upcoming(today, days, cw).expect("reads");
                assert_eq!(
                    serde_json::to_string_pretty(&full).unwrap(),
                    serde_json::to_string_pretty(&fast).unwrap(),
                    "{today} +{days} {cw:?}"
                );
                compared += full.len();
            }
        }
    }
    assert!(
        compared > 100,
        "the example has deadlines to compare ({compared})"
    );
}

/// `plan` over the index's items and the main file's settings answers
/// exactly what it answers over the full load.
#[test]
fn plans_what_the_full_load_plans() {
    let (dir, cfg) = example();
    let key = [3u8; 16];
    let ix = Index::parse(
        encode(&cfg, &engine::items(&cfg), &key),
        &key,
        String::new(),
    )
    .expect("parses");
    let items = ix.items().expect("items");
    let full_items = engine::items(&cfg);
    assert_eq!(items.len(), full_items.len());
    let main_path = dir.path().join("docket.toml");
    let text = std::fs::read_to_string(&main_path).unwrap();
    let main = crate::config::main_settings(&main_path, text).expect("main");
    let json = |cfg: &Config, items: &[Item<'_>], from, to| {
        let rows = engine::plan_reminders(cfg, items, from, to);
        let rows: Vec<_> = rows
            .iter()
            .map(|r| crate::report::PlanRow::new(cfg, items, r))
            .collect();
        serde_json::to_string_pretty(&rows).unwrap()
    };
    let mut compared = 0;
    for (from, days) in [
        ("2025-01-01", 800),
        ("2026-11-16", 365),
        ("2026-12-01", 31),
        ("2027-06-01", 2000),
    ] {
        let from: NaiveDate = from.parse().unwrap();
        let to = from + chrono::Duration::days(days);
        let full = json(&cfg, &full_items, from, to);
        assert_eq!(full, json(&main, &items, from, to), "{from} +{days}");
        compared += full.len();
    }
    assert!(
        compared > 10_000,
        "the example plans reminders ({compared} bytes)"
    );
}

#[test]
fn a_damaged_index_is_a_miss() {
    let (_dir, cfg) = example();
    let key = [1u8; 16];
    let good = encode(&cfg, &engine::items(&cfg), &key);
    for cut in [0, 10, 40, good.len() / 2, good.len() - 1] {
        assert!(
            Index::parse(good[..cut].to_vec(), &key, String::new()).is_none(),
            "cut at {cut}"
        );
    }
    let mut longer = good.clone();
    longer.push(0);
    assert!(Index::parse(longer, &key, String::new()).is_none());
}
