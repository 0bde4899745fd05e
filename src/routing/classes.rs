//! Which Music on Hold classes exist, so a rule cannot name a class Asterisk does not have.
//!
//! The MoH area (built on its own branch) owns the class list. Until it is wired, [`AnyClass`]
//! accepts every syntactically valid class name (`flows::MohClass` already checked the syntax).
//! The lead wires the real list by implementing [`ClassCatalog`] over the MoH store and passing it
//! to `app::start` instead of `AnyClass` (see `app::spawn_agi`).

use async_trait::async_trait;

#[async_trait]
pub trait ClassCatalog: Send + Sync {
    /// Whether `class` exists. Implementations that cannot tell (store down) should answer `true`:
    /// refusing an admin's edit because of an outage helps nobody, and Asterisk plays `default`
    /// for an unknown class anyway.
    async fn has_class(&self, class: &str) -> bool;
}

/// Accepts any valid class name.
pub struct AnyClass;

#[async_trait]
impl ClassCatalog for AnyClass {
    async fn has_class(&self, _class: &str) -> bool {
        true
    }
}

/// A fixed list (tests, or a static `musiconhold.conf`).
pub struct FixedClasses(pub Vec<String>);

#[async_trait]
impl ClassCatalog for FixedClasses {
    async fn has_class(&self, class: &str) -> bool {
        self.0.iter().any(|c| c == class)
    }
}
