//! Property test of the renderer: random and hostile strings in every field of the model never
//! produce a dangerous line, and a small Asterisk-config parser reads back exactly the model.

use std::collections::HashSet;
use std::path::Path;

use proptest::prelude::*;

use super::{CategoryFiles, HEADER, MAX_LINE, render};
use crate::moh::model::{
    Category, CategoryInput, CategorySettings, MohFile, display_name, slug, stored_name,
};
use crate::moh::name::MohClassName;

const ROOT: &str = "/var/lib/asterisk/moh/ringside";

/// Strings an attacker would try, mixed with arbitrary text.
fn hostile() -> impl Strategy<Value = String> {
    let nasty = prop_oneof![
        Just("general".to_string()),
        Just("a]\n[evil]\nmode=custom\napplication=/bin/sh".to_string()),
        Just(";--".to_string()),
        Just("#include /etc/passwd".to_string()),
        Just("../../etc".to_string()),
        Just("x\r\ny".to_string()),
        Just("a\0b".to_string()),
        Just("Sales".to_string()),
        Just("=>".to_string()),
        "[a-z0-9][a-z0-9_-]{0,20}",
        "[a-z0-9_;\\[\\]#=\\n -]{1,30}",
        any::<String>(),
    ];
    prop::collection::vec(nasty, 1..3).prop_map(|parts| parts.concat())
}

/// Raw category fields: name, [label, description, mode, sort, digit, spare], loop_last,
/// answeredonly, upload names, announcement index.
type RawCategory = (String, [String; 6], bool, bool, Vec<String>, Option<usize>);
/// Parsed config: sections with their key/value lines.
type Sections = Vec<(String, Vec<(String, String)>)>;

fn category_strategy() -> impl Strategy<Value = RawCategory> {
    (
        hostile(),
        [hostile(), hostile(), hostile(), hostile(), hostile(), hostile()],
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(hostile(), 0..4),
        prop::option::of(0usize..4),
    )
}

/// Builds the model the way the service does: every value through its parser, refusals dropped.
fn model(raw: Vec<RawCategory>) -> Vec<CategoryFiles> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut next_id = 1;
    for (i, (name, [label, description, mode, sort, digit, _], loop_last, answeredonly, uploads, ann)) in
        raw.into_iter().enumerate()
    {
        let name =
            MohClassName::parse(&name).unwrap_or_else(|_| MohClassName::parse(&format!("c{i}")).unwrap());
        if !seen.insert(name.as_str().to_lowercase()) {
            continue;
        }
        let files: Vec<MohFile> = uploads
            .iter()
            .enumerate()
            .map(|(p, up)| {
                next_id += 1;
                MohFile {
                    id: next_id,
                    display_name: display_name(up),
                    stored_name: stored_name(p as i64 + 1, &slug(up)),
                    position: p as i64 + 1,
                    duration_ms: 1,
                    source_format: up.clone(),
                    loudness_before_lufs: None,
                    loudness_after_lufs: None,
                    warnings: vec![up.clone()],
                    sha256: String::new(),
                    uploaded_at: 0,
                    uploaded_by: up.clone(),
                }
            })
            .collect();
        let ids: Vec<i64> = files.iter().map(|f| f.id).collect();
        let input = CategoryInput {
            label: Some(label),
            description: Some(description),
            mode: Some(mode),
            sort: Some(sort),
            digit: Some(Some(digit)),
            announcement: Some(ann.and_then(|a| ids.get(a).copied())),
            loop_last: Some(loop_last),
            answeredonly: Some(answeredonly),
            ..CategoryInput::default()
        };
        // Each invalid field is refused; keep the valid ones by applying fields one at a time.
        let mut settings = CategorySettings::default();
        for one in split(&input) {
            if let Ok(s) = one.apply(&settings, &ids) {
                settings = s;
            }
        }
        out.push(CategoryFiles { category: Category { id: i as i64, name, settings, version: 1 }, files });
    }
    out
}

fn split(input: &CategoryInput) -> Vec<CategoryInput> {
    let none = CategoryInput::default;
    vec![
        CategoryInput { label: input.label.clone(), ..none() },
        CategoryInput { description: input.description.clone(), ..none() },
        CategoryInput { mode: input.mode.clone(), ..none() },
        CategoryInput { sort: input.sort.clone(), ..none() },
        CategoryInput { digit: input.digit.clone(), ..none() },
        CategoryInput { announcement: input.announcement, ..none() },
        CategoryInput { loop_last: input.loop_last, answeredonly: input.answeredonly, ..none() },
    ]
}

/// A small Asterisk config reader: `;` comments (and `;--` block comments), `[section]`,
/// `key=value` / `key => value`, `#` directives reported as such.
fn parse(text: &str) -> Result<Sections, String> {
    let mut sections: Sections = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if in_block {
            if line.contains("--;") {
                in_block = false;
            }
            continue;
        }
        if line.contains(";--") {
            return Err("block comment".into());
        }
        let line = line.split(';').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') {
            return Err(format!("directive {line}"));
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.strip_suffix(']').ok_or_else(|| format!("broken header {line}"))?;
            sections.push((name.to_string(), Vec::new()));
            continue;
        }
        let (key, value) = line
            .split_once("=>")
            .or_else(|| line.split_once('='))
            .ok_or_else(|| format!("no = in {line}"))?;
        let section = sections.last_mut().ok_or("option before any section")?;
        section.1.push((key.trim().to_string(), value.trim().to_string()));
    }
    Ok(sections)
}

/// What the model says each section must hold (written independently of the renderer).
fn expected(c: &CategoryFiles) -> (String, Vec<(String, String)>) {
    let s = &c.category.settings;
    let dir = format!("{ROOT}/{}", c.category.name);
    let mut kv = vec![
        ("mode".to_string(), s.mode.as_str().to_string()),
        ("directory".into(), dir.clone()),
        ("sort".into(), s.sort.as_str().to_string()),
    ];
    if s.mode == crate::moh::model::Mode::Playlist {
        kv.extend(c.files.iter().map(|f| ("entry".to_string(), format!("{dir}/{}", f.stored_name))));
    }
    if let Some(f) = s.announcement.and_then(|id| c.files.iter().find(|f| f.id == id)) {
        kv.push(("announcement".into(), format!("{dir}/{}", f.stored_name)));
    }
    if let Some(d) = s.digit {
        kv.push(("digit".into(), d.as_char().to_string()));
    }
    let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
    kv.push(("loop_last".into(), yn(s.loop_last)));
    kv.push(("answeredonly".into(), yn(s.answeredonly)));
    (c.category.name.to_string(), kv)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn rendered_config_is_safe_and_reads_back(raw in prop::collection::vec(category_strategy(), 0..6)) {
        let model = model(raw);
        let text = render(&model, Path::new(ROOT)).expect("renders");
        prop_assert!(text.starts_with(HEADER));
        for line in text.lines() {
            prop_assert!(!line.starts_with('#'), "line starts with #: {line:?}");
            prop_assert!(!line.contains(";--"), "block comment: {line:?}");
            prop_assert!(!line.trim_start().starts_with("application"), "application: {line:?}");
            prop_assert!(line != "mode=custom");
            prop_assert!(line.len() <= MAX_LINE);
        }
        prop_assert!(!text.contains("mode=custom"));
        prop_assert!(!text.contains("application="));
        prop_assert!(!text.contains('\r') && !text.contains('\0'));
        let headers = text.lines().filter(|l| l.starts_with('[')).count();
        prop_assert_eq!(headers, model.len(), "one section per category");
        let parsed = parse(&text).map_err(TestCaseError::fail)?;
        let wanted: Vec<_> = model.iter().map(expected).collect();
        prop_assert_eq!(parsed, wanted);
    }

    #[test]
    fn hostile_names_never_parse(name in hostile()) {
        if let Ok(parsed) = MohClassName::parse(&name) {
            let s = parsed.as_str();
            prop_assert!(s != "general" && s.len() <= 63);
            prop_assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'));
        }
    }
}

#[test]
fn bad_roots_are_refused() {
    for root in ["relative/moh", "/a;b", "/a\nb", "/a\\b"] {
        assert!(render(&[], Path::new(root)).is_err(), "{root}");
    }
}
