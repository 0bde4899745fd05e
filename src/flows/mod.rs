//! Call logic: which hold-music class a call gets and whether a schedule is open, closed or on holiday.
//!
//! Pure and synchronous: inputs are typed facts ([`CallFacts`]) and a time; outputs are a
//! [`Decision`] and, for the console's "try it" form, an [`Explanation`] of every rule. Must not see
//! protocol bytes, SQL, sockets or the clock (callers pass `at`).
//!
//! # Layout
//! - [`pattern`]: Asterisk dialplan patterns (`_2XXX`, `_0800.`).
//! - [`schedule`], [`holiday`]: business hours and holiday calendars in a timezone.
//! - [`rules`]: ordered rules, their conditions, the rule book and first-match decisions.
//! - [`explain`]: why each rule did or did not match.

pub mod explain;
pub mod holiday;
pub mod pattern;
pub mod rules;
pub mod schedule;

pub use explain::{Explanation, Mismatch, RuleVerdict};
pub use holiday::{Holiday, HolidayDate};
pub use pattern::{DialPattern, PatternError};
pub use rules::{CallFacts, Conditions, Decision, MohClass, Rule, RuleBook, RuleBookSpec};
pub use schedule::{OpenRange, Schedule, ScheduleSpec, ScheduleState, WeeklyHours};

/// Everything that makes a rule book or schedule unusable. Raised when it is built, never per call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    #[error("unknown timezone `{0}`")]
    UnknownTimezone(String),
    #[error("holiday `{name}`: {why}")]
    InvalidHoliday { name: String, why: String },
    #[error("open range `{0}` is not `HH:MM-HH:MM` with start before end")]
    InvalidOpenRange(String),
    #[error("`{0}` is not a valid MoH class name")]
    InvalidClass(String),
    #[error("rule `{rule}` refers to unknown schedule `{schedule}`")]
    UnknownSchedule { rule: String, schedule: String },
    #[error("rule `{0}`: active range ends before it starts")]
    InvalidActiveRange(String),
    #[error("two rules are named `{0}`")]
    DuplicateRule(String),
    #[error("two schedules are named `{0}`")]
    DuplicateSchedule(String),
}
