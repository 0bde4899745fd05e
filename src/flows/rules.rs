//! Rules: an ordered list of conditions → MoH class; the first rule whose conditions all hold wins,
//! otherwise the book's fallback class applies. A [`RuleBook`] is built (and checked) once from a
//! serde [`RuleBookSpec`], then evaluated per call without allocation beyond the [`Decision`].

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::FlowError;
use super::explain::{self, Explanation};
use super::pattern::DialPattern;
use super::schedule::{Schedule, ScheduleSpec, ScheduleState};

/// A MoH class name as Asterisk accepts it in `musiconhold.conf`: 1–79 bytes of `[A-Za-z0-9_-]`,
/// starting with a letter or digit, not `general`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MohClass(String);

impl MohClass {
    pub fn parse(name: &str) -> Result<Self, FlowError> {
        let ok = (1..=79).contains(&name.len())
            && name.as_bytes()[0].is_ascii_alphanumeric()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && !name.eq_ignore_ascii_case("general");
        ok.then(|| Self(name.to_owned())).ok_or_else(|| FlowError::InvalidClass(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MohClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for MohClass {
    type Error = FlowError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MohClass> for String {
    fn from(c: MohClass) -> Self {
        c.0
    }
}

/// What is known about a call when the dialplan asks. Text fields are already cleaned at the edge
/// (lossy UTF-8, control characters replaced, Asterisk's `unknown` turned into empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallFacts {
    pub uniqueid: String,
    /// `agi_dnid`, or `agi_extension` when no DNID is known.
    pub dialled: String,
    pub caller_number: String,
    pub caller_name: String,
    pub context: String,
    pub queue: Option<String>,
    pub account_code: Option<String>,
    pub at: Timestamp,
}

/// Conditions of one rule; an absent condition always holds. Text compares exactly (queue and
/// context names are case-sensitive in Asterisk).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Conditions {
    pub dialled: Option<DialPattern>,
    pub caller: Option<DialPattern>,
    pub queue: Option<String>,
    pub context: Option<String>,
    pub account_code: Option<String>,
    /// `{ "name": "office", "state": "closed" }`.
    pub schedule: Option<ScheduleCondition>,
    /// Campaign window, both ends included, in the book's timezone.
    pub active: Option<ActiveRange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleCondition {
    pub name: String,
    pub state: ScheduleState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveRange {
    pub from: Date,
    pub to: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    #[serde(default)]
    pub when: Conditions,
    pub class: MohClass,
}

/// The stored form of a rule book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleBookSpec {
    /// Timezone for `active` date ranges; schedules carry their own.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub schedules: Vec<ScheduleSpec>,
    #[serde(default = "default_fallback")]
    pub fallback: MohClass,
}

fn default_timezone() -> String {
    "UTC".to_owned()
}

fn default_fallback() -> MohClass {
    MohClass("default".to_owned())
}

impl Default for RuleBookSpec {
    fn default() -> Self {
        Self {
            timezone: default_timezone(),
            rules: Vec::new(),
            schedules: Vec::new(),
            fallback: default_fallback(),
        }
    }
}

/// A checked rule book: every schedule a rule names exists, every timezone resolves.
#[derive(Debug, Clone)]
pub struct RuleBook {
    pub(super) tz: TimeZone,
    pub(super) rules: Vec<Rule>,
    pub(super) schedules: BTreeMap<String, Schedule>,
    pub(super) fallback: MohClass,
}

/// One recorded answer: what was asked, which rule won and the class given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub uniqueid: String,
    pub at: Timestamp,
    pub inputs: CallFacts,
    /// `None` when no rule matched and the fallback applied.
    pub rule: Option<String>,
    pub class: MohClass,
}

impl Decision {
    /// The value for `RINGSIDE_RULE`: the rule's name, or `fallback`.
    pub fn rule_label(&self) -> &str {
        self.rule.as_deref().unwrap_or("fallback")
    }
}

impl RuleBook {
    pub fn new(spec: RuleBookSpec) -> Result<Self, FlowError> {
        let tz =
            TimeZone::get(&spec.timezone).map_err(|_| FlowError::UnknownTimezone(spec.timezone.clone()))?;
        let mut schedules = BTreeMap::new();
        for s in spec.schedules {
            let name = s.name.clone();
            if schedules.insert(name.clone(), Schedule::new(s)?).is_some() {
                return Err(FlowError::DuplicateSchedule(name));
            }
        }
        let mut names = std::collections::HashSet::new();
        for rule in &spec.rules {
            if !names.insert(rule.name.as_str()) {
                return Err(FlowError::DuplicateRule(rule.name.clone()));
            }
            if let Some(cond) = &rule.when.schedule
                && !schedules.contains_key(&cond.name)
            {
                return Err(FlowError::UnknownSchedule {
                    rule: rule.name.clone(),
                    schedule: cond.name.clone(),
                });
            }
            if rule.when.active.is_some_and(|a| a.from > a.to) {
                return Err(FlowError::InvalidActiveRange(rule.name.clone()));
            }
        }
        Ok(Self { tz, rules: spec.rules, schedules, fallback: spec.fallback })
    }

    pub fn fallback(&self) -> &MohClass {
        &self.fallback
    }

    pub fn schedule(&self, name: &str) -> Option<&Schedule> {
        self.schedules.get(name)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// First matching rule's class, else the fallback.
    pub fn decide(&self, facts: &CallFacts) -> Decision {
        let mut states = explain::ScheduleCache::new(self, facts.at);
        let winner = self.rules.iter().find(|r| explain::rule_matches(r, facts, &mut states));
        Decision {
            uniqueid: facts.uniqueid.clone(),
            at: facts.at,
            inputs: facts.clone(),
            rule: winner.map(|r| r.name.clone()),
            class: winner.map_or_else(|| self.fallback.clone(), |r| r.class.clone()),
        }
    }

    /// Every rule's verdict plus the decision, for the "try it" form.
    pub fn explain(&self, facts: &CallFacts) -> Explanation {
        explain::explain(self, facts)
    }
}

#[cfg(test)]
mod tests;
