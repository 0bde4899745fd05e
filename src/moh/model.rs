//! The typed Music on Hold model: categories with their Asterisk options, and the files in them.
//!
//! Owns: parsing the option values (mode, sort, digit), the category input an admin submits
//! (validated field by field so the console can show each message next to its field), and the
//! stored-name rule `<NNNN>-<slug>`. Must not: touch the disk or the database.

use serde::{Deserialize, Serialize};

use crate::moh::name::MohClassName;

/// `mode=`: scan the folder, or play the ordered list of files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Files,
    Playlist,
}

/// `sort=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Alpha,
    Random,
    Randstart,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Files => "files",
            Mode::Playlist => "playlist",
        }
    }
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "files" => Ok(Mode::Files),
            "playlist" => Ok(Mode::Playlist),
            _ => Err("mode must be files or playlist".into()),
        }
    }
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Alpha => "alpha",
            Sort::Random => "random",
            Sort::Randstart => "randstart",
        }
    }
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "alpha" => Ok(Sort::Alpha),
            "random" => Ok(Sort::Random),
            "randstart" => Ok(Sort::Randstart),
            _ => Err("sort must be alpha, random or randstart".into()),
        }
    }
}

/// `digit=`: one of `0-9*#`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Digit(char);

impl Digit {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_digit() || c == '*' || c == '#' => Ok(Digit(c)),
            _ => Err("digit must be one character: 0-9, * or #".into()),
        }
    }
    pub fn as_char(self) -> char {
        self.0
    }
}

/// Longest label and description kept (they are never written into Asterisk config).
pub const MAX_LABEL: usize = 200;
pub const MAX_DESCRIPTION: usize = 2000;

/// A category's settings, every value already valid.
#[derive(Debug, Clone, PartialEq)]
pub struct CategorySettings {
    pub label: String,
    pub description: String,
    pub mode: Mode,
    pub sort: Sort,
    /// The id of one of the category's files.
    pub announcement: Option<i64>,
    pub digit: Option<Digit>,
    pub loop_last: bool,
    pub answeredonly: bool,
}

impl Default for CategorySettings {
    fn default() -> Self {
        CategorySettings {
            label: String::new(),
            description: String::new(),
            mode: Mode::Files,
            sort: Sort::Alpha,
            announcement: None,
            digit: None,
            loop_last: false,
            answeredonly: false,
        }
    }
}

/// What an admin submits (JSON body or form), before validation. Absent fields keep their value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    /// A file id, or null / "" for none.
    #[serde(default, deserialize_with = "nullable")]
    pub announcement: Option<Option<i64>>,
    /// "" or null for none.
    #[serde(default, deserialize_with = "nullable")]
    pub digit: Option<Option<String>>,
    #[serde(default)]
    pub loop_last: Option<bool>,
    #[serde(default)]
    pub answeredonly: Option<bool>,
    /// The version the change was based on (required when editing).
    #[serde(default)]
    pub version: Option<i64>,
}

fn nullable<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Field-by-field validation messages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors(pub Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn summary(&self) -> String {
        self.0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ")
    }
}

fn bounded(text: &str, max: usize, field: &'static str, errors: &mut FieldErrors) -> String {
    if text.chars().count() > max {
        errors.0.push((field, format!("at most {max} characters")));
    }
    text.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().trim().to_string()
}

impl CategoryInput {
    /// The name to create, parsed.
    pub fn parsed_name(&self) -> Result<MohClassName, String> {
        MohClassName::parse(self.name.as_deref().unwrap_or("")).map_err(|e| e.to_string())
    }

    /// `base` with this input applied; `files` are the category's file ids (for the announcement).
    pub fn apply(&self, base: &CategorySettings, files: &[i64]) -> Result<CategorySettings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut s = base.clone();
        if let Some(label) = &self.label {
            s.label = bounded(label, MAX_LABEL, "label", &mut errors);
        }
        if let Some(description) = &self.description {
            s.description = bounded(description, MAX_DESCRIPTION, "description", &mut errors);
        }
        if let Some(mode) = &self.mode {
            Mode::parse(mode).map(|m| s.mode = m).unwrap_or_else(|e| errors.0.push(("mode", e)));
        }
        if let Some(sort) = &self.sort {
            Sort::parse(sort).map(|v| s.sort = v).unwrap_or_else(|e| errors.0.push(("sort", e)));
        }
        match &self.digit {
            Some(None) => s.digit = None,
            Some(Some(d)) if d.is_empty() => s.digit = None,
            Some(Some(d)) => {
                Digit::parse(d).map(|v| s.digit = Some(v)).unwrap_or_else(|e| errors.0.push(("digit", e)))
            }
            None => {}
        }
        match self.announcement {
            Some(Some(id)) if !files.contains(&id) => {
                errors.0.push(("announcement", format!("file {id} is not in this category")))
            }
            Some(choice) => s.announcement = choice,
            None => {}
        }
        if let Some(v) = self.loop_last {
            s.loop_last = v;
        }
        if let Some(v) = self.answeredonly {
            s.answeredonly = v;
        }
        if errors.is_empty() { Ok(s) } else { Err(errors) }
    }
}

/// A stored category.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub id: i64,
    pub name: MohClassName,
    pub settings: CategorySettings,
    pub version: i64,
}

/// A stored file of a category, in play order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MohFile {
    pub id: i64,
    pub display_name: String,
    pub stored_name: String,
    pub position: i64,
    pub duration_ms: i64,
    pub source_format: String,
    pub loudness_before_lufs: Option<f64>,
    pub loudness_after_lufs: Option<f64>,
    pub warnings: Vec<String>,
    pub sha256: String,
    pub uploaded_at: i64,
    pub uploaded_by: String,
}

/// Longest slug kept in a stored name.
const MAX_SLUG: usize = 40;

/// A file-name-safe slug of an upload's name: `../../My Song (1).mp3` → `my-song-1`.
pub fn slug(display_name: &str) -> String {
    let last = display_name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = match last.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => last,
    };
    let mut out = String::new();
    for c in stem.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= MAX_SLUG {
            break;
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() { "audio".into() } else { out }
}

/// `<NNNN>-<slug>`: the position leads so that `sort=alpha` plays in the order shown.
pub fn stored_name(position: i64, slug: &str) -> String {
    format!("{position:04}-{slug}")
}

/// What is shown of an upload's own name: no control characters, at most 200 characters.
pub fn display_name(uploaded: &str) -> String {
    let cleaned: String = uploaded.chars().filter(|c| !c.is_control()).take(200).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() { "upload".into() } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("../../x.wav"), "x");
        assert_eq!(slug("$(id).wav"), "id");
        assert_eq!(slug("My Song (1).MP3"), "my-song-1");
        assert_eq!(slug("\0\r\n"), "audio");
        assert_eq!(slug(&"a".repeat(4096)).len(), 40);
        assert_eq!(stored_name(3, "x"), "0003-x");
        assert_eq!(display_name("a\r\nb\0"), "ab");
    }

    #[test]
    fn digits() {
        for ok in ["0", "9", "*", "#"] {
            assert!(Digit::parse(ok).is_ok());
        }
        for bad in ["", "10", "a", ";", "\n"] {
            assert!(Digit::parse(bad).is_err());
        }
    }
}
