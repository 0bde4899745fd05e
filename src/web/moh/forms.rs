//! The category form as the pages submit and re-show it, and the validation messages shown next to
//! its fields. Must not: decide (the model validates; this only carries text both ways).

use serde::Deserialize;

use super::views::CategoryView;
use crate::moh::model::FieldErrors;
use crate::moh::{CategoryInput, MohError};

/// The category form as submitted (checkboxes are absent when off).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub announcement: String,
    #[serde(default)]
    pub digit: String,
    #[serde(default)]
    pub loop_last: Option<String>,
    #[serde(default)]
    pub answeredonly: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

impl CategoryForm {
    pub fn input(&self) -> CategoryInput {
        let announcement = match self.announcement.as_str() {
            "" => None,
            id => Some(id.parse().unwrap_or(-1)),
        };
        CategoryInput {
            name: Some(self.name.clone()),
            label: Some(self.label.clone()),
            description: Some(self.description.clone()),
            mode: Some(self.mode.clone()),
            sort: Some(self.sort.clone()),
            announcement: Some(announcement),
            digit: Some(Some(self.digit.clone())),
            loop_last: Some(self.loop_last.is_some()),
            answeredonly: Some(self.answeredonly.is_some()),
            version: self.version,
        }
    }

    pub fn of(c: &CategoryView) -> Self {
        CategoryForm {
            name: c.name.clone(),
            label: c.label.clone(),
            description: c.description.clone(),
            mode: c.mode.into(),
            sort: c.sort.into(),
            announcement: c.announcement.map(|a| a.to_string()).unwrap_or_default(),
            digit: c.digit.clone().unwrap_or_default(),
            loop_last: c.loop_last.then(String::new),
            answeredonly: c.answeredonly.then(String::new),
            version: Some(c.version),
        }
    }
}

/// Field messages for the form, and a message for the whole form.
#[derive(Default)]
pub struct Problems {
    pub fields: FieldErrors,
    pub form: Option<String>,
}

impl Problems {
    pub fn from_error(e: &MohError) -> Self {
        match e {
            MohError::Invalid(fields) => Problems { fields: fields.clone(), form: None },
            MohError::BadName(m) => Problems { fields: FieldErrors(vec![("name", m.clone())]), form: None },
            MohError::Store(crate::store::StoreError::Conflict(_)) => {
                Problems { fields: FieldErrors(vec![("name", e.to_string())]), form: None }
            }
            other => Problems { fields: FieldErrors::default(), form: Some(other.to_string()) },
        }
    }
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).unwrap_or("")
    }
}
