//! The edits admins make, as changes to a copy of the rule book. [`super::Routing::edit`] validates,
//! saves, swaps and audits; these only change the spec and say what they could not find.

use crate::audit::Actor;
use crate::flows::{MohClass, Rule, RuleBookSpec, ScheduleSpec};

use super::{FieldErrors, Routing, RoutingError};

/// Settings of the whole book.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
/// Unknown fields are ignored: console forms also carry `csrf`.
#[serde(default)]
pub struct SettingsInput {
    pub timezone: String,
    pub fallback: String,
}

fn rule_index(spec: &RuleBookSpec, name: &str) -> Result<usize, RoutingError> {
    spec.rules
        .iter()
        .position(|r| r.name == name)
        .ok_or_else(|| RoutingError::NotFound(format!("rule `{name}`")))
}

fn schedule_index(spec: &RuleBookSpec, name: &str) -> Result<usize, RoutingError> {
    spec.schedules
        .iter()
        .position(|s| s.name == name)
        .ok_or_else(|| RoutingError::NotFound(format!("schedule `{name}`")))
}

impl Routing {
    /// Adds `rule` at the end (`None`) or replaces the rule named `existing` in place.
    pub async fn put_rule(
        &self,
        actor: &Actor,
        existing: Option<&str>,
        rule: Rule,
    ) -> Result<(), RoutingError> {
        let object = format!("rule {}", existing.unwrap_or(&rule.name));
        let action = if existing.is_some() { "flows.rule.update" } else { "flows.rule.add" };
        self.edit(actor, action, &object, |spec| {
            match existing {
                Some(name) => {
                    let i = rule_index(spec, name)?;
                    spec.rules[i] = rule;
                }
                None => spec.rules.push(rule),
            }
            Ok(())
        })
        .await
    }

    pub async fn delete_rule(&self, actor: &Actor, name: &str) -> Result<(), RoutingError> {
        self.edit(actor, "flows.rule.delete", &format!("rule {name}"), |spec| {
            let i = rule_index(spec, name)?;
            spec.rules.remove(i);
            Ok(())
        })
        .await
    }

    /// Moves the rule to position `to` (0 = tried first; clamped to the end).
    pub async fn move_rule(&self, actor: &Actor, name: &str, to: usize) -> Result<(), RoutingError> {
        self.edit(actor, "flows.rule.move", &format!("rule {name} to {to}"), |spec| {
            let i = rule_index(spec, name)?;
            let rule = spec.rules.remove(i);
            let to = to.min(spec.rules.len());
            spec.rules.insert(to, rule);
            Ok(())
        })
        .await
    }

    /// Adds a schedule or replaces the one named `existing` (renaming updates rules that use it).
    pub async fn put_schedule(
        &self,
        actor: &Actor,
        existing: Option<&str>,
        schedule: ScheduleSpec,
    ) -> Result<(), RoutingError> {
        let object = format!("schedule {}", existing.unwrap_or(&schedule.name));
        let action = if existing.is_some() { "flows.schedule.update" } else { "flows.schedule.add" };
        self.edit(actor, action, &object, |spec| {
            match existing {
                Some(name) => {
                    let i = schedule_index(spec, name)?;
                    for cond in spec.rules.iter_mut().filter_map(|r| r.when.schedule.as_mut()) {
                        if cond.name == name {
                            cond.name = schedule.name.clone();
                        }
                    }
                    spec.schedules[i] = schedule;
                }
                None => spec.schedules.push(schedule),
            }
            Ok(())
        })
        .await
    }

    /// Deletes a schedule no rule uses.
    pub async fn delete_schedule(&self, actor: &Actor, name: &str) -> Result<(), RoutingError> {
        self.edit(actor, "flows.schedule.delete", &format!("schedule {name}"), |spec| {
            let i = schedule_index(spec, name)?;
            let users: Vec<&str> = spec
                .rules
                .iter()
                .filter(|r| r.when.schedule.as_ref().is_some_and(|c| c.name == name))
                .map(|r| r.name.as_str())
                .collect();
            if !users.is_empty() {
                let message = format!("rules {} still use this schedule", users.join(", "));
                return Err(FieldErrors::one("name", message).into());
            }
            spec.schedules.remove(i);
            Ok(())
        })
        .await
    }

    pub async fn set_settings(&self, actor: &Actor, input: &SettingsInput) -> Result<(), RoutingError> {
        let fallback = MohClass::parse(input.fallback.trim())
            .map_err(|e| FieldErrors::one("fallback", e.to_string()))?;
        let timezone = input.timezone.trim().to_owned();
        self.edit(actor, "flows.settings", "rule book", |spec| {
            spec.fallback = fallback;
            spec.timezone = timezone;
            Ok(())
        })
        .await
    }
}
