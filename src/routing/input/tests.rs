use super::*;

#[test]
fn rule_fields_report_each_problem() {
    let input = RuleInput {
        name: "xmas".into(),
        dialled: "_2X[".into(),
        active_from: "2026-12-01".into(),
        class: "general".into(),
        ..RuleInput::default()
    };
    let errors = input.parse().unwrap_err();
    assert!(errors.get("dialled").is_some(), "{errors}");
    assert!(errors.get("active_to").is_some(), "{errors}");
    assert!(errors.get("class").is_some(), "{errors}");
    assert!(errors.get("name").is_none(), "{errors}");
}

#[test]
fn rule_round_trips_through_form_fields() {
    let input = RuleInput {
        name: "xmas".into(),
        dialled: "_0800.".into(),
        schedule: "office".into(),
        schedule_state: "holiday".into(),
        active_from: "2026-12-01".into(),
        active_to: "2026-12-31".into(),
        class: "xmas".into(),
        ..RuleInput::default()
    };
    let rule = input.parse().unwrap();
    assert_eq!(RuleInput::of(&rule).parse().unwrap(), rule);
}

#[test]
fn schedule_hours_and_holiday_lines() {
    let input = ScheduleInput {
        name: "office".into(),
        timezone: "Europe/Berlin".into(),
        mon: "09:00-12:00, 13:00-17:30".into(),
        holidays: "2026-12-25 Christmas\n2026-12-24..2026-12-26 Break\nyearly 01-01 New year".into(),
        ..ScheduleInput::default()
    };
    let spec = input.parse().unwrap();
    assert_eq!(spec.weekly.mon.len(), 2);
    assert_eq!(spec.holidays.len(), 3);
    assert_eq!(ScheduleInput::of(&spec).parse().unwrap(), spec);

    let bad = ScheduleInput {
        name: "bad name".into(),
        timezone: "Mars/Olympus".into(),
        tue: "17:00-09:00".into(),
        holidays: "2026-02-30 Nope".into(),
        ..ScheduleInput::default()
    };
    let errors = bad.parse().unwrap_err();
    for field in ["name", "timezone", "tue", "holidays"] {
        assert!(errors.get(field).is_some(), "{field}: {errors}");
    }
    assert!(errors.get("holidays").unwrap().starts_with("line 1"));
}
