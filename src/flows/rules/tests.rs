use super::*;
use crate::flows::explain::{Mismatch, RuleVerdict};

const BOOK: &str = r#"{
    "timezone": "Europe/Berlin",
    "fallback": "default",
    "schedules": [{
        "name": "office", "timezone": "Europe/Berlin",
        "weekly": { "mon": ["09:00-17:00"], "tue": ["09:00-17:00"], "wed": ["09:00-17:00"],
                    "thu": ["09:00-17:00"], "fri": ["09:00-13:00", "14:00-17:00"] },
        "holidays": [{ "name": "Christmas", "kind": "range", "from": "2025-12-24", "to": "2025-12-26" }]
    }],
    "rules": [
        { "name": "xmas-campaign", "class": "christmas",
          "when": { "active": { "from": "2025-12-01", "to": "2025-12-31" }, "schedule": { "name": "office", "state": "holiday" } } },
        { "name": "vip", "class": "vip", "when": { "caller": "_0171XXXXXXX" } },
        { "name": "after-hours", "class": "closed-msg", "when": { "schedule": { "name": "office", "state": "closed" } } },
        { "name": "sales-queue", "class": "sales", "when": { "queue": "sales", "context": "from-pstn" } },
        { "name": "freephone", "class": "freephone", "when": { "dialled": "_0800.", "account_code": "acme" } }
    ]
}"#;

fn book() -> RuleBook {
    RuleBook::new(serde_json::from_str(BOOK).unwrap()).unwrap()
}

fn facts(at: &str) -> CallFacts {
    CallFacts {
        uniqueid: "1796413638.1".into(),
        dialled: "08001234".into(),
        caller_number: "03012345".into(),
        context: "from-pstn".into(),
        queue: Some("sales".into()),
        account_code: Some("acme".into()),
        at: at.parse().unwrap(),
        ..CallFacts::default()
    }
}

/// Monday 2025-03-03 10:00 Berlin (09:00Z): office open.
const OPEN: &str = "2025-03-03T09:00:00Z";

#[test]
fn first_match_wins_in_order() {
    let b = book();
    let d = b.decide(&facts(OPEN));
    assert_eq!((d.rule.as_deref(), d.class.as_str()), (Some("sales-queue"), "sales"));
    let vip = CallFacts { caller_number: "01711234567".into(), ..facts(OPEN) };
    assert_eq!(b.decide(&vip).rule.as_deref(), Some("vip"), "vip is before sales-queue");
    let no_queue = CallFacts { queue: None, ..facts(OPEN) };
    assert_eq!(b.decide(&no_queue).rule.as_deref(), Some("freephone"));
}

#[test]
fn schedule_state_and_campaign_window() {
    let b = book();
    let evening = b.decide(&facts("2025-03-03T18:00:00Z"));
    assert_eq!(evening.class.as_str(), "closed-msg");
    let xmas = b.decide(&facts("2025-12-24T10:00:00Z"));
    assert_eq!(xmas.class.as_str(), "christmas");
    // Holiday but outside the campaign window is impossible here; Christmas music in March is not:
    let march = b.decide(&facts("2026-03-03T09:00:00Z"));
    assert_ne!(march.class.as_str(), "christmas");
}

#[test]
fn fallback_when_nothing_matches_and_with_no_rules() {
    let b = book();
    let stranger = CallFacts { queue: None, account_code: None, ..facts(OPEN) };
    let d = b.decide(&stranger);
    assert_eq!((d.rule.as_deref(), d.class.as_str(), d.rule_label()), (None, "default", "fallback"));
    let empty = RuleBook::new(RuleBookSpec::default()).unwrap();
    assert_eq!(empty.decide(&facts(OPEN)).class.as_str(), "default");
}

#[test]
fn explain_names_every_failed_condition() {
    let b = book();
    let e = b.explain(&facts(OPEN));
    assert_eq!(e.decision, b.decide(&facts(OPEN)));
    let verdicts: Vec<_> = e.rules.iter().map(|r| (r.rule.as_str(), &r.verdict)).collect();
    let RuleVerdict::NoMatch { reasons } = verdicts[0].1 else { panic!("{:?}", verdicts[0]) };
    assert_eq!(reasons.len(), 2, "outside window and not a holiday: {reasons:?}");
    assert!(matches!(&reasons[0], Mismatch::Schedule { got: Some(ScheduleState::Open), .. }));
    let RuleVerdict::NoMatch { reasons } = verdicts[1].1 else { panic!() };
    assert_eq!(reasons[0].to_string(), "caller number `03012345` does not match `_0171XXXXXXX`");
    assert_eq!(verdicts[3].1, &RuleVerdict::Matched);
    assert_eq!(verdicts[4].1, &RuleVerdict::NotReached { reasons: vec![] }, "would also match");
    assert_eq!(e.schedules, vec![("office".to_owned(), ScheduleState::Open)]);
    serde_json::to_string(&e).unwrap();
}

#[test]
fn bad_books_are_refused_when_built() {
    let spec = |json: &str| serde_json::from_str::<RuleBookSpec>(json);
    let unknown =
        spec(r#"{"rules":[{"name":"r","class":"x","when":{"schedule":{"name":"nope","state":"open"}}}]}"#);
    assert!(matches!(RuleBook::new(unknown.unwrap()), Err(FlowError::UnknownSchedule { .. })));
    let dup = spec(r#"{"rules":[{"name":"r","class":"x"},{"name":"r","class":"y"}]}"#).unwrap();
    assert!(matches!(RuleBook::new(dup), Err(FlowError::DuplicateRule(_))));
    assert!(spec(r#"{"rules":[{"name":"r","class":"bad class"}]}"#).is_err());
    assert!(spec(r#"{"rules":[{"name":"r","class":"x","when":{"dialled":"_[1"}}]}"#).is_err());
    assert!(spec(r#"{"fallback":"general"}"#).is_err());
    assert!(RuleBook::new(spec(r#"{"timezone":"Nowhere/City"}"#).unwrap()).is_err());
}
