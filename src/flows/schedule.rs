//! Business-hours schedules: a timezone, weekly open ranges (several per weekday) and holidays.
//!
//! A schedule is `holiday` on a holiday (local date), else `open` inside an open range (local
//! wall-clock time), else `closed`. Local time comes from jiff's bundled tz database, so DST gaps and
//! repeats follow the real wall clock: a 02:00–03:00 range is never open on a spring-forward day, and
//! open twice as long on a fall-back day. Owns evaluation only; storage is the lead's.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{DateTime, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::FlowError;
use super::holiday::Holiday;

/// The answer a schedule gives for an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleState {
    Open,
    Closed,
    Holiday,
}

impl ScheduleState {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleState::Open => "open",
            ScheduleState::Closed => "closed",
            ScheduleState::Holiday => "holiday",
        }
    }
}

impl fmt::Display for ScheduleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Seconds since local midnight, 0..=86400 (`24:00` closes a range at the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DayTime(u32);

impl DayTime {
    /// `HH:MM` or `HH:MM:SS`; `24:00` is the end of the day.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split(':');
        let mut next = |max: u32| -> Option<u32> {
            let p = parts.next()?;
            let ok = p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
            p.parse().ok().filter(|v| ok && *v <= max)
        };
        let (h, m) = (next(24)?, next(59)?);
        let s = match parts.next() {
            None => 0,
            Some(p) if p.len() == 2 => p.parse().ok().filter(|v: &u32| *v <= 59)?,
            Some(_) => return None,
        };
        let total = h * 3600 + m * 60 + s;
        (total <= 86_400 && parts.next().is_none()).then_some(Self(total))
    }

    fn of(dt: DateTime) -> Self {
        let t = dt.time();
        Self(t.hour() as u32 * 3600 + t.minute() as u32 * 60 + t.second() as u32)
    }
}

impl fmt::Display for DayTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        match s {
            0 => write!(f, "{h:02}:{m:02}"),
            _ => write!(f, "{h:02}:{m:02}:{s:02}"),
        }
    }
}

/// `start` included, `end` excluded, same day. Serialises as `"09:00-17:30"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OpenRange {
    pub start: DayTime,
    pub end: DayTime,
}

impl OpenRange {
    pub fn parse(text: &str) -> Result<Self, FlowError> {
        let bad = || FlowError::InvalidOpenRange(text.to_owned());
        let (start, end) = text.split_once('-').ok_or_else(bad)?;
        let start = DayTime::parse(start.trim()).ok_or_else(bad)?;
        let end = DayTime::parse(end.trim()).ok_or_else(bad)?;
        if start >= end {
            return Err(bad());
        }
        Ok(Self { start, end })
    }

    fn contains(&self, t: DayTime) -> bool {
        self.start <= t && t < self.end
    }
}

impl TryFrom<String> for OpenRange {
    type Error = FlowError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OpenRange> for String {
    fn from(r: OpenRange) -> Self {
        format!("{}-{}", r.start, r.end)
    }
}

/// Open ranges per weekday; a day without ranges is closed all day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeeklyHours {
    pub mon: Vec<OpenRange>,
    pub tue: Vec<OpenRange>,
    pub wed: Vec<OpenRange>,
    pub thu: Vec<OpenRange>,
    pub fri: Vec<OpenRange>,
    pub sat: Vec<OpenRange>,
    pub sun: Vec<OpenRange>,
}

impl WeeklyHours {
    pub fn day(&self, day: Weekday) -> &[OpenRange] {
        match day {
            Weekday::Monday => &self.mon,
            Weekday::Tuesday => &self.tue,
            Weekday::Wednesday => &self.wed,
            Weekday::Thursday => &self.thu,
            Weekday::Friday => &self.fri,
            Weekday::Saturday => &self.sat,
            Weekday::Sunday => &self.sun,
        }
    }
}

/// What the admin stores. Turned into a [`Schedule`] (timezone resolved, holidays checked) once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    pub name: String,
    /// IANA name, e.g. `Europe/Berlin`.
    pub timezone: String,
    #[serde(default)]
    pub weekly: WeeklyHours,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

/// A checked schedule, ready to evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ScheduleSpec", into = "ScheduleSpec")]
pub struct Schedule {
    spec: ScheduleSpec,
    tz: TimeZone,
}

/// A schedule's answer with the local time it was computed from (for explanations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleEval<'a> {
    pub state: ScheduleState,
    pub local: DateTime,
    pub holiday: Option<&'a str>,
}

impl Schedule {
    pub fn new(spec: ScheduleSpec) -> Result<Self, FlowError> {
        let tz =
            TimeZone::get(&spec.timezone).map_err(|_| FlowError::UnknownTimezone(spec.timezone.clone()))?;
        spec.holidays.iter().try_for_each(Holiday::validate)?;
        Ok(Self { spec, tz })
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    pub fn spec(&self) -> &ScheduleSpec {
        &self.spec
    }

    pub fn timezone(&self) -> &TimeZone {
        &self.tz
    }

    /// The state at `at`, with the local wall-clock time used.
    pub fn evaluate(&self, at: Timestamp) -> ScheduleEval<'_> {
        let local = self.tz.to_datetime(at);
        let holiday = self.spec.holidays.iter().find(|h| h.covers(local.date()));
        let state = if holiday.is_some() {
            ScheduleState::Holiday
        } else if self.spec.weekly.day(local.weekday()).iter().any(|r| r.contains(DayTime::of(local))) {
            ScheduleState::Open
        } else {
            ScheduleState::Closed
        };
        ScheduleEval { state, local, holiday: holiday.map(|h| h.name.as_str()) }
    }

    pub fn state_at(&self, at: Timestamp) -> ScheduleState {
        self.evaluate(at).state
    }
}

impl TryFrom<ScheduleSpec> for Schedule {
    type Error = FlowError;
    fn try_from(spec: ScheduleSpec) -> Result<Self, Self::Error> {
        Self::new(spec)
    }
}

impl From<Schedule> for ScheduleSpec {
    fn from(s: Schedule) -> Self {
        s.spec
    }
}

#[cfg(test)]
mod tests;
