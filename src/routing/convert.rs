//! The rule book as database rows and back. JSON columns hold the `flows` serde forms, so the
//! stored shape is exactly what `RuleBookSpec` reads (and what `/api/v1/flows/book` returns).

use crate::flows::{MohClass, Rule, RuleBookSpec, ScheduleSpec};
use crate::store::flows::{FlowRuleRow, FlowScheduleRow, FlowSettingsRow, StoredFlows};

use super::Snapshot;

/// Rows → spec. `fallback` is used when nothing was ever saved.
pub fn from_rows(stored: StoredFlows, fallback: MohClass) -> Result<Snapshot, String> {
    let (timezone, fallback, version) = match &stored.settings {
        Some(s) => (s.timezone.clone(), MohClass::parse(&s.fallback).map_err(|e| e.to_string())?, s.version),
        None => ("UTC".to_owned(), fallback, 0),
    };
    let schedules = stored
        .schedules
        .into_iter()
        .map(|s| {
            let bad = |what: &str, e: serde_json::Error| format!("schedule `{}` {what}: {e}", s.name);
            Ok(ScheduleSpec {
                weekly: serde_json::from_str(&s.weekly).map_err(|e| bad("weekly hours", e))?,
                holidays: serde_json::from_str(&s.holidays).map_err(|e| bad("holidays", e))?,
                name: s.name,
                timezone: s.timezone,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let rules = stored
        .rules
        .into_iter()
        .map(|r| {
            Ok(Rule {
                when: serde_json::from_str(&r.conditions)
                    .map_err(|e| format!("rule `{}` conditions: {e}", r.name))?,
                class: MohClass::parse(&r.class).map_err(|e| e.to_string())?,
                name: r.name,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Snapshot { spec: RuleBookSpec { timezone, rules, schedules, fallback }, version })
}

/// Spec → rows (positions 0, 1, 2… in rule order).
pub fn to_rows(spec: &RuleBookSpec) -> StoredFlows {
    StoredFlows {
        settings: Some(FlowSettingsRow {
            timezone: spec.timezone.clone(),
            fallback: spec.fallback.to_string(),
            version: 0,
            updated_at: 0,
            updated_by: String::new(),
        }),
        schedules: spec
            .schedules
            .iter()
            .map(|s| FlowScheduleRow {
                name: s.name.clone(),
                timezone: s.timezone.clone(),
                weekly: json(&s.weekly),
                holidays: json(&s.holidays),
            })
            .collect(),
        rules: spec
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| FlowRuleRow {
                position: i as i64,
                name: r.name.clone(),
                conditions: json(&r.when),
                class: r.class.to_string(),
            })
            .collect(),
    }
}

/// Serialising the `flows` types cannot fail (plain structs, string keys).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}
