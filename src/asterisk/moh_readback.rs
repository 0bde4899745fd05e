//! Read-back of Music on Hold state: pure parsers for the CLI output of `moh show classes` and
//! `moh show files` (as returned in AMI `Output:` lines), and a comparison of what Ringside
//! expects against what Asterisk reports, as differences in plain words.
//!
//! Must not run commands or decide deploy status: the push layer fetches the lines (through
//! `AmiClient::command`) and turns the differences into `in sync` / `failed`.
//!
//! Formats, from `res/res_musiconhold.c` (`handle_cli_moh_show_classes` / `_files`):
//!
//! ```text
//! moh show classes                         moh show files (classes without files omitted)
//! Class: default                           Class: default
//! \tMode: files                            \tFile: /var/lib/asterisk/moh/default/macroform-cold_day
//! \tDirectory: /var/lib/asterisk/moh/default \tFile: /var/lib/asterisk/moh/default/reno_project
//! \tApplication: ...   (custom mode only)  Class: demo
//! \tFormat: slin       (non-files modes)   \tFile: /var/lib/asterisk/moh/demo/intro
//! ```
//!
//! Files are listed by path without extension, one entry per base name whatever the formats.

use std::fmt;

/// A class as `moh show classes` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportedClass {
    pub name: String,
    pub mode: Option<String>,
    pub directory: Option<String>,
    /// Every `\tKey: value` line in order (Mode and Directory included).
    pub attributes: Vec<(String, String)>,
}

/// A class and its files as `moh show files` reports them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportedFiles {
    pub name: String,
    /// Paths without extension, in Asterisk's order.
    pub files: Vec<String>,
}

/// What Ringside wrote for one class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedClass {
    pub name: String,
    pub mode: String,
    pub directory: String,
    /// File base names (no directory, no extension).
    pub files: Vec<String>,
}

/// Output that is not in the expected shape (e.g. `No such command 'moh show classes'`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unexpected line {line} in `{command}` output: {text:?}")]
pub struct ReadbackError {
    pub command: &'static str,
    pub line: usize,
    pub text: String,
}

/// One way Asterisk's state differs from the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    MissingClass { class: String },
    WrongMode { class: String, expected: String, reported: String },
    WrongDirectory { class: String, expected: String, reported: String },
    MissingFile { class: String, file: String },
    UnexpectedFile { class: String, file: String },
}

impl Difference {
    /// The class this difference concerns.
    pub fn class(&self) -> &str {
        match self {
            Self::MissingClass { class }
            | Self::WrongMode { class, .. }
            | Self::WrongDirectory { class, .. }
            | Self::MissingFile { class, .. }
            | Self::UnexpectedFile { class, .. } => class,
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingClass { class } => {
                write!(f, "class '{class}' is missing in Asterisk after the reload")
            }
            Self::WrongMode { class, expected, reported } => {
                write!(f, "class '{class}' has mode '{reported}' in Asterisk, expected '{expected}'")
            }
            Self::WrongDirectory { class, expected, reported } => {
                write!(
                    f,
                    "class '{class}' reads directory '{reported}' in Asterisk, expected '{expected}': \
                     another [{class}] section (usually in your own musiconhold.conf) defines it first; \
                     remove or comment out that section, or rename the category in Ringside"
                )
            }
            Self::MissingFile { class, file } => {
                write!(f, "class '{class}': Asterisk does not list file '{file}'")
            }
            Self::UnexpectedFile { class, file } => {
                write!(f, "class '{class}': Asterisk lists file '{file}' that Ringside did not write")
            }
        }
    }
}

/// A `Class:` header and its `\tKey: value` lines.
type Group = (String, Vec<(String, String)>);

/// Splits `Class: x` / `\tKey: value` lines into (class, attributes) groups.
fn parse_groups(command: &'static str, lines: &[String]) -> Result<Vec<Group>, ReadbackError> {
    let mut groups: Vec<Group> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let error = || ReadbackError { command, line: index + 1, text: line.clone() };
        if line.trim().is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix("Class: ") {
            groups.push((name.to_owned(), Vec::new()));
            continue;
        }
        let attribute = line.strip_prefix('\t').ok_or_else(error)?;
        let (key, value) = attribute.split_once(": ").ok_or_else(error)?;
        let (_, attributes) = groups.last_mut().ok_or_else(error)?;
        attributes.push((key.to_owned(), value.to_owned()));
    }
    Ok(groups)
}

/// Parses `moh show classes` output lines.
pub fn parse_show_classes(lines: &[String]) -> Result<Vec<ReportedClass>, ReadbackError> {
    let groups = parse_groups("moh show classes", lines)?;
    Ok(groups
        .into_iter()
        .map(|(name, attributes)| {
            let find = |key: &str| attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            ReportedClass { mode: find("Mode"), directory: find("Directory"), name, attributes }
        })
        .collect())
}

/// Parses `moh show files` output lines.
pub fn parse_show_files(lines: &[String]) -> Result<Vec<ReportedFiles>, ReadbackError> {
    let groups = parse_groups("moh show files", lines)?;
    Ok(groups
        .into_iter()
        .map(|(name, attributes)| ReportedFiles {
            name,
            files: attributes.into_iter().filter(|(k, _)| k == "File").map(|(_, v)| v).collect(),
        })
        .collect())
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn same_directory(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Compares the model with what Asterisk reports. Classes Asterisk has beyond the model
/// (`default`, the admin's own) are ignored; names compare ignoring ASCII case, as Asterisk does.
pub fn compare(
    expected: &[ExpectedClass],
    classes: &[ReportedClass],
    files: &[ReportedFiles],
) -> Vec<Difference> {
    let mut differences = Vec::new();
    for want in expected {
        let class = want.name.clone();
        let Some(got) = classes.iter().find(|c| c.name.eq_ignore_ascii_case(&want.name)) else {
            differences.push(Difference::MissingClass { class });
            continue;
        };
        let reported_mode = got.mode.clone().unwrap_or_default();
        if !reported_mode.eq_ignore_ascii_case(&want.mode) {
            differences.push(Difference::WrongMode {
                class: class.clone(),
                expected: want.mode.clone(),
                reported: reported_mode,
            });
        }
        let reported_dir = got.directory.clone().unwrap_or_default();
        if !same_directory(&reported_dir, &want.directory) {
            differences.push(Difference::WrongDirectory {
                class: class.clone(),
                expected: want.directory.clone(),
                reported: reported_dir,
            });
        }
        compare_files(want, files, &mut differences);
    }
    differences
}

fn compare_files(want: &ExpectedClass, files: &[ReportedFiles], out: &mut Vec<Difference>) {
    let listed: Vec<&str> = files
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(&want.name))
        .map(|f| f.files.iter().map(|p| base_name(p)).collect())
        .unwrap_or_default();
    for file in &want.files {
        if !listed.contains(&file.as_str()) {
            out.push(Difference::MissingFile { class: want.name.clone(), file: file.clone() });
        }
    }
    for file in listed {
        if !want.files.iter().any(|f| f == file) {
            out.push(Difference::UnexpectedFile { class: want.name.clone(), file: file.to_owned() });
        }
    }
}

#[cfg(test)]
mod tests;
