//! The Asterisk class name of a category, parsed once at the edge.
//!
//! Owns: the naming rule. A [`MohClassName`] is the only thing a category folder or a config section
//! header is ever derived from, so its rule (`^[a-z0-9][a-z0-9_-]{0,62}$`, not `general`) makes both
//! safe by construction: no `/`, `.`, `]`, `;`, `#`, space or control character can get through.
//! Must not: check uniqueness (the store does, ignoring case).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The rule, as shown to admins when a name is refused.
pub const NAME_RULE: &str = "1–63 characters: lower-case letters a–z, digits, '-' and '_', starting with a letter or digit; not 'general'";

/// A valid Music on Hold class (category) name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MohClassName(String);

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid category name {shown}: {reason}; the rule is {NAME_RULE}")]
pub struct NameError {
    shown: String,
    reason: &'static str,
}

impl MohClassName {
    /// Parses `text` exactly (no trimming, no case folding: `Sales` is refused, not rewritten).
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let refuse = |reason| {
            let shown: String = text.chars().take(40).collect::<String>().escape_debug().to_string();
            Err(NameError { shown: format!("\"{shown}\""), reason })
        };
        let bytes = text.as_bytes();
        let Some(first) = bytes.first() else { return refuse("it is empty") };
        if bytes.len() > 63 {
            return refuse("it is longer than 63 characters");
        }
        if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
            return refuse("it must start with a lower-case letter or a digit");
        }
        if !bytes.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_') {
            return refuse("it contains a character other than a–z, 0–9, '-' and '_'");
        }
        if text == "general" {
            return refuse("'general' is reserved by Asterisk for global settings");
        }
        Ok(MohClassName(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MohClassName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MohClassName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        MohClassName::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::MohClassName;

    #[test]
    fn accepts_the_rule_and_refuses_the_rest() {
        for ok in ["default", "sales", "a", "0", "queue_1-b", &"a".repeat(63)] {
            assert!(MohClassName::parse(ok).is_ok(), "{ok}");
        }
        let long = "a".repeat(64);
        for bad in
            ["", "general", "Sales", "-x", "_x", "a b", "a]", "a;b", "#include", "../x", "a\nb", "é", &long]
        {
            let err = MohClassName::parse(bad).expect_err(bad).to_string();
            assert!(err.contains("the rule is"), "{err}");
        }
    }
}
