//! Holiday calendars: single dates, inclusive date ranges, and dates recurring every year.
//!
//! Dates are civil dates in the owning schedule's timezone. Owns matching only.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::FlowError;

/// When a holiday falls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum HolidayDate {
    /// One date, e.g. `2025-12-24`.
    Date { date: Date },
    /// `from` to `to`, both included.
    Range { from: Date, to: Date },
    /// The same month and day every year; 29 February only counts in leap years.
    Yearly { month: i8, day: i8 },
}

/// A named holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name: String,
    #[serde(flatten)]
    pub when: HolidayDate,
}

impl Holiday {
    /// Checks the date fields once, when a schedule is built.
    pub fn validate(&self) -> Result<(), FlowError> {
        let bad = |why: &str| FlowError::InvalidHoliday { name: self.name.clone(), why: why.to_owned() };
        match self.when {
            HolidayDate::Date { .. } => Ok(()),
            HolidayDate::Range { from, to } if from > to => Err(bad("range ends before it starts")),
            HolidayDate::Range { .. } => Ok(()),
            // 2024 is a leap year, so 29 February is accepted here.
            HolidayDate::Yearly { month, day } => {
                Date::new(2024, month, day).map(|_| ()).map_err(|_| bad("no such month/day"))
            }
        }
    }

    /// Is `date` (local to the schedule) this holiday?
    pub fn covers(&self, date: Date) -> bool {
        match self.when {
            HolidayDate::Date { date: d } => d == date,
            HolidayDate::Range { from, to } => (from..=to).contains(&date),
            HolidayDate::Yearly { month, day } => date.month() == month && date.day() == day,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn holiday(when: HolidayDate) -> Holiday {
        Holiday { name: "h".into(), when }
    }

    #[test]
    fn kinds_cover_their_dates() {
        let xmas = holiday(HolidayDate::Yearly { month: 12, day: 25 });
        assert!(xmas.covers(date(2025, 12, 25)) && xmas.covers(date(2031, 12, 25)));
        assert!(!xmas.covers(date(2025, 12, 24)));
        let range = holiday(HolidayDate::Range { from: date(2025, 12, 24), to: date(2026, 1, 1) });
        assert!(range.covers(date(2025, 12, 24)) && range.covers(date(2026, 1, 1)));
        assert!(!range.covers(date(2026, 1, 2)));
        let one = holiday(HolidayDate::Date { date: date(2025, 5, 1) });
        assert!(one.covers(date(2025, 5, 1)) && !one.covers(date(2026, 5, 1)));
        let leap = holiday(HolidayDate::Yearly { month: 2, day: 29 });
        assert!(leap.validate().is_ok() && leap.covers(date(2028, 2, 29)));
        assert!(!leap.covers(date(2027, 2, 28)) && !leap.covers(date(2027, 3, 1)));
    }

    #[test]
    fn invalid_holidays_are_refused() {
        assert!(holiday(HolidayDate::Yearly { month: 2, day: 30 }).validate().is_err());
        assert!(holiday(HolidayDate::Yearly { month: 13, day: 1 }).validate().is_err());
        let reversed = HolidayDate::Range { from: date(2025, 2, 1), to: date(2025, 1, 1) };
        assert!(holiday(reversed).validate().is_err());
    }

    #[test]
    fn serde_shape() {
        let json = r#"[{"name":"Xmas","kind":"yearly","month":12,"day":25},
                       {"name":"Closure","kind":"range","from":"2025-08-01","to":"2025-08-15"},
                       {"name":"Audit","kind":"date","date":"2025-03-03"}]"#;
        let parsed: Vec<Holiday> = serde_json::from_str(json).unwrap();
        assert_eq!(parsed[1].when, HolidayDate::Range { from: date(2025, 8, 1), to: date(2025, 8, 15) });
        let back: Vec<Holiday> = serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
        assert_eq!(back, parsed);
    }
}
