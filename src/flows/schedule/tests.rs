use super::*;
use crate::flows::holiday::HolidayDate;
use jiff::civil::date;

fn berlin_office() -> Schedule {
    let json = r#"{
        "name": "office", "timezone": "Europe/Berlin",
        "weekly": { "mon": ["09:00-12:00", "13:00-17:30"], "sun": ["02:00-03:00", "00:30-02:30"] },
        "holidays": [ { "name": "Christmas", "kind": "yearly", "month": 12, "day": 25 } ]
    }"#;
    serde_json::from_str(json).unwrap()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn several_ranges_per_day_with_a_lunch_break() {
    let s = berlin_office();
    // 2025-03-03 is a Monday; Berlin is UTC+1 in winter.
    assert_eq!(s.state_at(at("2025-03-03T07:59:59Z")), ScheduleState::Closed);
    assert_eq!(s.state_at(at("2025-03-03T08:00:00Z")), ScheduleState::Open);
    assert_eq!(s.state_at(at("2025-03-03T11:30:00Z")), ScheduleState::Closed, "lunch");
    assert_eq!(s.state_at(at("2025-03-03T16:29:59Z")), ScheduleState::Open);
    assert_eq!(s.state_at(at("2025-03-03T16:30:00Z")), ScheduleState::Closed, "end excluded");
    assert_eq!(s.state_at(at("2025-03-04T10:00:00Z")), ScheduleState::Closed, "Tuesday has no hours");
}

#[test]
fn holiday_beats_open_and_uses_the_local_date() {
    let s = berlin_office();
    // 2028-12-25 is a Monday. 23:30 UTC on the 24th is already the 25th in Berlin.
    let eval = s.evaluate(at("2028-12-24T23:30:00Z"));
    assert_eq!((eval.state, eval.holiday), (ScheduleState::Holiday, Some("Christmas")));
    assert_eq!(s.state_at(at("2028-12-25T09:00:00Z")), ScheduleState::Holiday);
    assert_eq!(s.state_at(at("2028-12-25T23:00:00Z")), ScheduleState::Closed, "26th local");
}

#[test]
fn spring_forward_gap_is_never_open() {
    let s = berlin_office();
    // Sunday 2025-03-30: 02:00 CET jumps to 03:00 CEST at 01:00Z.
    assert_eq!(s.evaluate(at("2025-03-30T00:59:59Z")).local.time().hour(), 1);
    assert_eq!(s.evaluate(at("2025-03-30T01:00:00Z")).local.time().hour(), 3);
    // 02:00-03:00 never happens that day; only the 00:30-02:30 range applies (00:30 to 01:59:59 local).
    assert_eq!(s.state_at(at("2025-03-29T23:30:00Z")), ScheduleState::Open);
    assert_eq!(s.state_at(at("2025-03-30T00:59:59Z")), ScheduleState::Open);
    assert_eq!(s.state_at(at("2025-03-30T01:00:00Z")), ScheduleState::Closed, "03:00 CEST");
}

#[test]
fn fall_back_repeat_is_open_both_times() {
    let s = berlin_office();
    // Sunday 2025-10-26: 03:00 CEST falls back to 02:00 CET at 01:00Z, so 02:xx local happens twice.
    for utc in ["2025-10-26T00:15:00Z", "2025-10-26T01:15:00Z"] {
        let eval = s.evaluate(at(utc));
        assert_eq!(eval.local.time().hour(), 2, "{utc}");
        assert_eq!(eval.state, ScheduleState::Open, "{utc}");
    }
    assert_eq!(s.state_at(at("2025-10-26T02:00:00Z")), ScheduleState::Closed, "03:00 CET");
}

#[test]
fn bad_specs_are_refused() {
    let spec = |tz: &str, holidays| ScheduleSpec {
        name: "x".into(),
        timezone: tz.into(),
        weekly: WeeklyHours::default(),
        holidays,
    };
    assert!(matches!(Schedule::new(spec("Mars/Olympus", vec![])), Err(FlowError::UnknownTimezone(_))));
    let bad_day = Holiday { name: "b".into(), when: HolidayDate::Yearly { month: 4, day: 31 } };
    assert!(Schedule::new(spec("UTC", vec![bad_day])).is_err());
    let leap = Holiday { name: "leap".into(), when: HolidayDate::Date { date: date(2028, 2, 29) } };
    assert!(Schedule::new(spec("UTC", vec![leap])).is_ok());
    for bad in ["17:00-09:00", "09:00", "9:00-10:00", "24:01-24:30", "09:60-10:00", "10:00-10:00"] {
        assert!(OpenRange::parse(bad).is_err(), "{bad}");
    }
    let full = OpenRange::parse("00:00-24:00").unwrap();
    assert_eq!(String::from(full), "00:00-24:00");
}
