//! Form and API text → typed rules, schedules and "try it" facts, with one message per field.
//!
//! The console and the JSON API send the same flat string fields, so both get the same checks and
//! the same per-field messages (shown next to the field, or as `{"error", "fields"}`).
//!
//! Holiday lines (one per line): `2026-12-25 Christmas`, `2026-12-24..2026-12-26 Break`,
//! `yearly 12-25 Christmas`. Weekly hours per day: `09:00-12:00, 13:00-17:30` (empty: closed).

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::flows::rules::{ActiveRange, ScheduleCondition};
use crate::flows::{
    CallFacts, Conditions, DialPattern, Holiday, HolidayDate, MohClass, OpenRange, Rule, ScheduleSpec,
    ScheduleState, WeeklyHours,
};

/// Problems by field name; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::default();
        e.add(field, message);
        e
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// `Some(value)` if `result` is Ok, else records the error under `field`.
    fn take<T, E: fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        result.map_err(|e| self.add(field, e.to_string())).ok()
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        f.write_str(&parts.join("; "))
    }
}

fn opt(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

fn parse_date(text: &str) -> Result<Date, String> {
    text.trim().parse::<Date>().map_err(|_| format!("`{}` is not a date (YYYY-MM-DD)", text.trim()))
}

/// A rule as the form and the API send it (all text; empty means "any").
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
/// Unknown fields are ignored: console forms also carry `csrf`.
#[serde(default)]
pub struct RuleInput {
    pub name: String,
    pub dialled: String,
    /// `caller` on the wire (askama reserves the name `caller`).
    #[serde(rename = "caller")]
    pub caller_pattern: String,
    pub queue: String,
    pub context: String,
    pub account_code: String,
    pub schedule: String,
    pub schedule_state: String,
    pub active_from: String,
    pub active_to: String,
    pub class: String,
}

impl RuleInput {
    pub fn parse(&self) -> Result<Rule, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = self.name.trim();
        if name.is_empty() || name.len() > 80 || name.chars().any(char::is_control) {
            e.add("name", "give the rule a name of 1–80 characters");
        }
        let pattern = |e: &mut FieldErrors, field: &str, text: &str| {
            opt(text).and_then(|t| e.take(field, DialPattern::parse(t)))
        };
        let dialled = pattern(&mut e, "dialled", &self.dialled);
        let caller = pattern(&mut e, "caller", &self.caller_pattern);
        let schedule = match (opt(&self.schedule), opt(&self.schedule_state)) {
            (None, None) => None,
            (Some(name), Some(state)) => e
                .take("schedule_state", parse_state(state))
                .map(|state| ScheduleCondition { name: name.to_owned(), state }),
            (Some(_), None) => {
                e.add("schedule_state", "choose open, closed or holiday");
                None
            }
            (None, Some(_)) => {
                e.add("schedule", "choose the schedule whose state is checked");
                None
            }
        };
        let active = match (opt(&self.active_from), opt(&self.active_to)) {
            (None, None) => None,
            (Some(from), Some(to)) => {
                let from = e.take("active_from", parse_date(from));
                let to = e.take("active_to", parse_date(to));
                from.zip(to).map(|(from, to)| ActiveRange { from, to })
            }
            (from, _) => {
                let missing = if from.is_none() { "active_from" } else { "active_to" };
                e.add(missing, "a date range needs both ends");
                None
            }
        };
        let class = e.take("class", MohClass::parse(self.class.trim()));
        let text = |t: &str| opt(t).map(str::to_owned);
        let when = Conditions {
            dialled,
            caller,
            queue: text(&self.queue),
            context: text(&self.context),
            account_code: text(&self.account_code),
            schedule,
            active,
        };
        e.into_result()?;
        let class = class.ok_or_else(|| FieldErrors::one("class", "choose a class"))?;
        Ok(Rule { name: name.to_owned(), when, class })
    }

    /// The form fields of an existing rule (for the edit form).
    pub fn of(rule: &Rule) -> Self {
        let w = &rule.when;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            name: rule.name.clone(),
            dialled: w.dialled.as_ref().map(ToString::to_string).unwrap_or_default(),
            caller_pattern: w.caller.as_ref().map(ToString::to_string).unwrap_or_default(),
            queue: text(&w.queue),
            context: text(&w.context),
            account_code: text(&w.account_code),
            schedule: w.schedule.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
            schedule_state: w.schedule.as_ref().map(|s| s.state.to_string()).unwrap_or_default(),
            active_from: w.active.map(|a| a.from.to_string()).unwrap_or_default(),
            active_to: w.active.map(|a| a.to.to_string()).unwrap_or_default(),
            class: rule.class.to_string(),
        }
    }
}

fn parse_state(text: &str) -> Result<ScheduleState, String> {
    match text {
        "open" => Ok(ScheduleState::Open),
        "closed" => Ok(ScheduleState::Closed),
        "holiday" => Ok(ScheduleState::Holiday),
        other => Err(format!("`{other}` is not open, closed or holiday")),
    }
}

/// A schedule as the form and the API send it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
/// Unknown fields are ignored: console forms also carry `csrf`.
#[serde(default)]
pub struct ScheduleInput {
    pub name: String,
    pub timezone: String,
    pub mon: String,
    pub tue: String,
    pub wed: String,
    pub thu: String,
    pub fri: String,
    pub sat: String,
    pub sun: String,
    /// One holiday per line (see the module docs).
    pub holidays: String,
}

impl ScheduleInput {
    pub fn parse(&self) -> Result<ScheduleSpec, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = self.name.trim();
        let name_ok = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !name_ok {
            e.add("name", "1–64 letters, digits, `_` or `-` (the dialplan passes it as ?name=)");
        }
        let timezone = self.timezone.trim();
        if TimeZone::get(timezone).is_err() {
            e.add("timezone", format!("`{timezone}` is not an IANA timezone such as Europe/Berlin"));
        }
        let mut day = |field: &str, text: &str| -> Vec<OpenRange> {
            let ranges = text.split([',', ' ', '\n']).filter(|r| !r.trim().is_empty());
            let parsed: Result<Vec<_>, _> = ranges.map(|r| OpenRange::parse(r.trim())).collect();
            e.take(field, parsed).unwrap_or_default()
        };
        let weekly = WeeklyHours {
            mon: day("mon", &self.mon),
            tue: day("tue", &self.tue),
            wed: day("wed", &self.wed),
            thu: day("thu", &self.thu),
            fri: day("fri", &self.fri),
            sat: day("sat", &self.sat),
            sun: day("sun", &self.sun),
        };
        let holidays = e.take("holidays", parse_holidays(&self.holidays)).unwrap_or_default();
        e.into_result()?;
        Ok(ScheduleSpec { name: name.to_owned(), timezone: timezone.to_owned(), weekly, holidays })
    }

    pub fn of(spec: &ScheduleSpec) -> Self {
        let day =
            |ranges: &[OpenRange]| ranges.iter().map(|r| String::from(*r)).collect::<Vec<_>>().join(", ");
        let w = &spec.weekly;
        Self {
            name: spec.name.clone(),
            timezone: spec.timezone.clone(),
            mon: day(&w.mon),
            tue: day(&w.tue),
            wed: day(&w.wed),
            thu: day(&w.thu),
            fri: day(&w.fri),
            sat: day(&w.sat),
            sun: day(&w.sun),
            holidays: spec.holidays.iter().map(holiday_line).collect::<Vec<_>>().join("\n"),
        }
    }
}

/// One holiday in the line syntax the form uses.
pub fn holiday_line(h: &Holiday) -> String {
    match h.when {
        HolidayDate::Date { date } => format!("{date} {}", h.name),
        HolidayDate::Range { from, to } => format!("{from}..{to} {}", h.name),
        HolidayDate::Yearly { month, day } => format!("yearly {month:02}-{day:02} {}", h.name),
    }
}

fn parse_holidays(text: &str) -> Result<Vec<Holiday>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| parse_holiday(line).map_err(|why| format!("line {}: {why}", i + 1)))
        .collect()
}

fn parse_holiday(line: &str) -> Result<Holiday, String> {
    let (when, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let (when, name) = if when == "yearly" {
        let (md, name) = rest.trim().split_once(char::is_whitespace).unwrap_or((rest.trim(), ""));
        let (m, d) = md.split_once('-').ok_or(format!("`{md}` is not MM-DD"))?;
        let month = m.parse::<i8>().map_err(|_| format!("`{md}` is not MM-DD"))?;
        let day = d.parse::<i8>().map_err(|_| format!("`{md}` is not MM-DD"))?;
        (HolidayDate::Yearly { month, day }, name)
    } else if let Some((from, to)) = when.split_once("..") {
        (HolidayDate::Range { from: parse_date(from)?, to: parse_date(to)? }, rest)
    } else {
        (HolidayDate::Date { date: parse_date(when)? }, rest)
    };
    let name = name.trim();
    if name.is_empty() {
        return Err("give the holiday a name after the date".to_owned());
    }
    let holiday = Holiday { name: name.to_owned(), when };
    holiday.validate().map_err(|e| e.to_string())?;
    Ok(holiday)
}

/// The "try it" form: a hypothetical call at a local date-time.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TryInput {
    pub number: String,
    #[serde(rename = "caller")]
    pub caller_number: String,
    pub queue: String,
    pub context: String,
    pub account_code: String,
    /// `YYYY-MM-DDTHH:MM` in the book's timezone; empty means now.
    pub at: String,
}

impl TryInput {
    pub fn facts(&self, tz: &TimeZone) -> Result<CallFacts, FieldErrors> {
        let at = match opt(&self.at) {
            None => Timestamp::now(),
            Some(text) => text
                .parse::<DateTime>()
                .ok()
                .and_then(|dt| dt.to_zoned(tz.clone()).ok())
                .map(|z| z.timestamp())
                .ok_or_else(|| {
                    FieldErrors::one("at", format!("`{text}` is not a date-time (2026-12-24T15:30)"))
                })?,
        };
        let text = |t: &str| opt(t).map(str::to_owned);
        Ok(CallFacts {
            uniqueid: "try-it".to_owned(),
            dialled: self.number.trim().to_owned(),
            caller_number: self.caller_number.trim().to_owned(),
            caller_name: String::new(),
            context: self.context.trim().to_owned(),
            queue: text(&self.queue),
            account_code: text(&self.account_code),
            at,
        })
    }
}

#[cfg(test)]
mod tests;
