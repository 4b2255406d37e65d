//! Issue 19, typed seams: an item's status is a type ([`Status`]) and a
//! bill's review kind a named constant ([`REVIEW_KIND`]), with the same
//! strings as before in every output.

use super::*;
use docket::config::model::{DocumentStatus, RequestStatus};
use docket::engine::{ItemType, Status, StatusKind, REVIEW_KIND};

const TYPED: &str = r#"
[kinds.residence_permit]
lead_days = [30]

[kinds.asylum_claim]
answer_within = "3m"
lead_days = [7]

[kinds.hearing]
lead_days = [7]

[[case]]
id = "KZ-19"
caseworker = "aigerim"
  [[case.document]]
  kind = "residence_permit"
  expires = 2026-09-01
  status = "renewal_filed"
  [[case.request]]
  kind = "asylum_claim"
  filed = 2026-05-01
  [[case.event]]
  kind = "hearing"
  date = 2026-08-03

[[bill]]
id = "mig"
title = "On amendments regarding migration"
owner = "bolat"
stage = "mazhilis"
expected = { senate = 2026-09-10 }
last_checked = 2026-06-01
check_every_days = 30
"#;

#[test]
fn item_status_is_a_type_with_the_old_strings() {
    let cfg = load(TYPED);
    let mut items = engine::items(&cfg);
    items.sort_by_key(|it| (it.item, it.kind));
    let got: Vec<(ItemType, &str, Option<StatusKind<'_>>, String)> = items
        .iter()
        .map(|it| (it.item, it.kind, it.status_kind(), it.status.to_string()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                ItemType::Document,
                "residence_permit",
                Some(StatusKind::Document(DocumentStatus::RenewalFiled)),
                "renewal_filed".to_string()
            ),
            (
                ItemType::Request,
                "asylum_claim",
                Some(StatusKind::Request(RequestStatus::Pending)),
                "pending".to_string()
            ),
            (
                ItemType::Event,
                "hearing",
                Some(StatusKind::Scheduled),
                "scheduled".to_string()
            ),
            (
                ItemType::Bill,
                "review",
                Some(StatusKind::Stage("mazhilis")),
                "mazhilis".to_string()
            ),
            (
                ItemType::Bill,
                "senate",
                Some(StatusKind::Stage("mazhilis")),
                "mazhilis".to_string()
            ),
        ]
    );
    // The index stores the text and reads the type back: every status
    // survives the trip, and a text that is no status of its type is refused.
    for it in &items {
        assert_eq!(Status::parse(it.item, it.status.as_str()), Some(it.status));
    }
    assert_eq!(Status::parse(ItemType::Document, "pending"), None);
    assert_eq!(Status::parse(ItemType::Request, "renewed"), None);
    assert_eq!(Status::parse(ItemType::Event, "active"), None);
    // Serialized as the same string (SPEC: `upcoming --format json`).
    assert_eq!(
        serde_json::to_string(&Status::request(RequestStatus::Refused)).unwrap(),
        "\"refused\""
    );
    assert_eq!(
        Status::document(DocumentStatus::Renewed).as_str(),
        "renewed"
    );
    assert_eq!(Status::SCHEDULED.as_str(), "scheduled");
    assert_eq!(
        Status::stage("senate").kind(ItemType::Bill),
        Some(StatusKind::Stage("senate"))
    );
    let up = upcoming(&cfg, "2026-06-01", 400);
    let statuses: BTreeSet<&str> = up.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(
        statuses,
        ["mazhilis", "pending", "scheduled"].into_iter().collect()
    );
}

#[test]
fn bill_review_kind_is_the_named_constant() {
    assert_eq!(REVIEW_KIND, "review");
    let cfg = load(TYPED);
    let reviews: Vec<_> = engine::bill_items(&cfg)
        .into_iter()
        .filter(|it| matches!(it.cadence, Cadence::Review(_)))
        .collect();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].kind, REVIEW_KIND);
    // The plan and `upcoming` name it with the same string.
    assert!(plan(&cfg, "2026-06-01", "2026-07-31")
        .iter()
        .any(|r| r.kind == REVIEW_KIND && r.step == "review"));
}

#[test]
fn item_status_keeps_an_item_as_small_as_a_bare_string_did() {
    // A pass lists every item of the config: the type costs no memory.
    assert_eq!(
        std::mem::size_of::<Status<'_>>(),
        std::mem::size_of::<&str>()
    );
}
