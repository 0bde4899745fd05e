//! Condition checks shared by `decide` (stop at the first match) and `explain` (report every rule).
//!
//! The hot path only records *which* condition failed ([`Failed`], `Copy`); the readable
//! [`Mismatch`] with the values involved is built only when an explanation is asked for.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::rules::{CallFacts, Decision, Rule, RuleBook};
use super::schedule::ScheduleState;

/// Schedule states and the book-local date for one instant, computed at most once per decision.
pub(super) struct ScheduleCache<'b> {
    book: &'b RuleBook,
    at: Timestamp,
    states: Vec<(&'b str, ScheduleState)>,
    today: Option<Date>,
}

impl<'b> ScheduleCache<'b> {
    pub(super) fn new(book: &'b RuleBook, at: Timestamp) -> Self {
        Self { book, at, states: Vec::new(), today: None }
    }

    fn state(&mut self, name: &str) -> Option<ScheduleState> {
        if let Some((_, s)) = self.states.iter().find(|(n, _)| *n == name) {
            return Some(*s);
        }
        let (key, schedule) = self.book.schedules.get_key_value(name)?;
        let state = schedule.state_at(self.at);
        self.states.push((key.as_str(), state));
        Some(state)
    }

    fn today(&mut self) -> Date {
        *self.today.get_or_insert_with(|| self.book.tz.to_datetime(self.at).date())
    }
}

/// Which condition failed, with the one value that is not already in the rule or the facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failed {
    Dialled,
    Caller,
    Queue,
    Context,
    AccountCode,
    /// The schedule's actual state (`None`: schedule vanished, which `RuleBook::new` prevents).
    Schedule(Option<ScheduleState>),
    Inactive(Date),
}

fn failures(rule: &Rule, facts: &CallFacts, cache: &mut ScheduleCache<'_>) -> [Option<Failed>; 7] {
    let w = &rule.when;
    let text_differs =
        |want: &Option<String>, got: Option<&str>| want.as_deref().is_some_and(|w| Some(w) != got);
    let schedule = w.schedule.as_ref().and_then(|c| {
        let got = cache.state(&c.name);
        (got != Some(c.state)).then_some(Failed::Schedule(got))
    });
    let inactive = w.active.and_then(|a| {
        let today = cache.today();
        (!(a.from..=a.to).contains(&today)).then_some(Failed::Inactive(today))
    });
    [
        w.dialled.as_ref().is_some_and(|p| !p.matches(&facts.dialled)).then_some(Failed::Dialled),
        w.caller.as_ref().is_some_and(|p| !p.matches(&facts.caller_number)).then_some(Failed::Caller),
        text_differs(&w.queue, facts.queue.as_deref()).then_some(Failed::Queue),
        text_differs(&w.context, Some(&facts.context)).then_some(Failed::Context),
        text_differs(&w.account_code, facts.account_code.as_deref()).then_some(Failed::AccountCode),
        schedule,
        inactive,
    ]
}

/// Does every condition of `rule` hold?
pub(super) fn rule_matches(rule: &Rule, facts: &CallFacts, cache: &mut ScheduleCache<'_>) -> bool {
    failures(rule, facts, cache).iter().all(Option::is_none)
}

/// A failed condition, in words an admin can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "condition", rename_all = "snake_case")]
pub enum Mismatch {
    Dialled { pattern: String, number: String },
    Caller { pattern: String, number: String },
    Queue { want: String, got: Option<String> },
    Context { want: String, got: String },
    AccountCode { want: String, got: Option<String> },
    Schedule { name: String, want: ScheduleState, got: Option<ScheduleState> },
    Inactive { from: Date, to: Date, today: Date },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_owned());
        match self {
            Mismatch::Dialled { pattern, number } => {
                write!(f, "dialled number `{number}` does not match `{pattern}`")
            }
            Mismatch::Caller { pattern, number } => {
                write!(f, "caller number `{number}` does not match `{pattern}`")
            }
            Mismatch::Queue { want, got } => {
                write!(f, "queue is `{}`, rule wants `{want}`", or_none(got))
            }
            Mismatch::Context { want, got } => write!(f, "context is `{got}`, rule wants `{want}`"),
            Mismatch::AccountCode { want, got } => {
                write!(f, "account code is `{}`, rule wants `{want}`", or_none(got))
            }
            Mismatch::Schedule { name, want, got } => match got {
                Some(got) => write!(f, "schedule `{name}` is {got}, rule wants {want}"),
                None => write!(f, "schedule `{name}` does not exist"),
            },
            Mismatch::Inactive { from, to, today } => {
                write!(f, "active {from} to {to}, but today is {today}")
            }
        }
    }
}

fn describe(failed: Failed, rule: &Rule, facts: &CallFacts) -> Mismatch {
    let w = &rule.when;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let pattern =
        |p: &Option<super::pattern::DialPattern>| p.as_ref().map(|p| p.to_string()).unwrap_or_default();
    match failed {
        Failed::Dialled => Mismatch::Dialled { pattern: pattern(&w.dialled), number: facts.dialled.clone() },
        Failed::Caller => {
            Mismatch::Caller { pattern: pattern(&w.caller), number: facts.caller_number.clone() }
        }
        Failed::Queue => Mismatch::Queue { want: text(&w.queue), got: facts.queue.clone() },
        Failed::Context => Mismatch::Context { want: text(&w.context), got: facts.context.clone() },
        Failed::AccountCode => {
            Mismatch::AccountCode { want: text(&w.account_code), got: facts.account_code.clone() }
        }
        Failed::Schedule(got) => {
            let (name, want) = w
                .schedule
                .as_ref()
                .map(|c| (c.name.clone(), c.state))
                .unwrap_or_else(|| (String::new(), ScheduleState::Open));
            Mismatch::Schedule { name, want, got }
        }
        Failed::Inactive(today) => {
            let (from, to) = w.active.map(|a| (a.from, a.to)).unwrap_or((today, today));
            Mismatch::Inactive { from, to, today }
        }
    }
}

/// How one rule fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum RuleVerdict {
    /// This rule decided the class.
    Matched,
    /// At least one condition failed.
    NoMatch { reasons: Vec<Mismatch> },
    /// After the winner: never consulted; `reasons` says whether it would have matched on its own.
    NotReached { reasons: Vec<Mismatch> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleReport {
    pub rule: String,
    pub class: String,
    #[serde(flatten)]
    pub verdict: RuleVerdict,
}

/// The "try it" answer: the decision plus every rule's verdict, in rule order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub decision: Decision,
    pub rules: Vec<RuleReport>,
    /// State of every schedule at the asked time, by name.
    pub schedules: Vec<(String, ScheduleState)>,
}

pub(super) fn explain(book: &RuleBook, facts: &CallFacts) -> Explanation {
    let mut cache = ScheduleCache::new(book, facts.at);
    let mut decided = false;
    let rules = book
        .rules
        .iter()
        .map(|rule| {
            let reasons: Vec<Mismatch> = failures(rule, facts, &mut cache)
                .into_iter()
                .flatten()
                .map(|f| describe(f, rule, facts))
                .collect();
            let verdict = match (decided, reasons.is_empty()) {
                (true, _) => RuleVerdict::NotReached { reasons },
                (false, true) => {
                    decided = true;
                    RuleVerdict::Matched
                }
                (false, false) => RuleVerdict::NoMatch { reasons },
            };
            RuleReport { rule: rule.name.clone(), class: rule.class.to_string(), verdict }
        })
        .collect();
    let schedules = book.schedules.iter().map(|(name, s)| (name.clone(), s.state_at(facts.at))).collect();
    Explanation { decision: book.decide(facts), rules, schedules }
}
