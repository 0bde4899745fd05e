//! Tests of config layering and validation.

use super::*;

fn load_str(toml_text: &str, env: &[(&str, &str)], overrides: &Overrides) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ringside.toml");
    std::fs::write(&path, toml_text).expect("write config");
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Config::load(Source::Explicit(&path), env, overrides)
}

#[test]
fn defaults_need_nothing_installed() {
    let config = Config::from_table(toml::Table::new()).expect("defaults are valid");
    assert_eq!(config.data_dir, PathBuf::from("data"));
    assert_eq!(config.web.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.database_url(), "sqlite://data/ringside.db");
    assert!(config.metrics.listen.is_none());
}

#[test]
fn layers_apply_in_order_file_env_flags() {
    let text = "data_dir = \"/srv/a\"\n[web]\nlisten = \"127.0.0.1:1000\"\nsession_idle_minutes = 10\n";
    let env = [("RINGSIDE_WEB__LISTEN", "127.0.0.1:2000"), ("RINGSIDE_DATA_DIR", "/srv/b")];
    let config = load_str(text, &env, &Overrides::default()).expect("valid");
    assert_eq!(config.web.listen.to_string(), "127.0.0.1:2000");
    assert_eq!(config.data_dir, PathBuf::from("/srv/b"));
    assert_eq!(config.web.session_idle_minutes, 10);

    let flags = Overrides { listen: Some("127.0.0.1:3000".parse().expect("addr")), ..Default::default() };
    let config = load_str(text, &env, &flags).expect("valid");
    assert_eq!(config.web.listen.to_string(), "127.0.0.1:3000");
}

#[test]
fn bad_address_names_the_key() {
    let err = load_str("[web]\nlisten = \"localhost\"\n", &[], &Overrides::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("web.listen"), "{text}");
}

#[test]
fn unknown_key_is_refused_with_the_accepted_ones() {
    let err = load_str("[web]\nlisen = \"127.0.0.1:1\"\n", &[], &Overrides::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("lisen") && text.contains("listen"), "{text}");
}

#[test]
fn unreadable_file_names_the_path() {
    let err = Config::load(Source::Explicit(Path::new("/nonexistent/r.toml")), [], &Overrides::default())
        .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/r.toml"), "{err}");
}

#[test]
fn bad_env_value_names_the_key() {
    let err =
        load_str("", &[("RINGSIDE_WEB__SESSION_IDLE_MINUTES", "soon")], &Overrides::default()).unwrap_err();
    assert!(err.to_string().contains("web.session_idle_minutes"), "{err}");
}

#[test]
fn range_checks_name_the_key() {
    let err = load_str("[web]\nsession_idle_minutes = 0\n", &[], &Overrides::default()).unwrap_err();
    assert!(err.to_string().contains("web.session_idle_minutes"), "{err}");
    let err = load_str("[database]\nurl = \"mysql://x\"\n", &[], &Overrides::default()).unwrap_err();
    assert!(err.to_string().contains("database.url"), "{err}");
}

#[test]
fn redacted_output_hides_database_password() {
    let text = "[database]\nurl = \"postgres://ringside:hunter2@db/ringside\"\n";
    let config = load_str(text, &[], &Overrides::default()).expect("valid");
    let shown = config.redacted();
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
    assert!(!format!("{config:?}").contains("hunter2"));
}

#[test]
fn the_example_file_is_valid() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ringside.example.toml");
    Config::load(Source::Explicit(Path::new(path)), [], &Overrides::default()).expect("example loads");
}

#[test]
fn asterisk_servers_are_validated_and_secrets_redacted() {
    let text = "[[asterisk]]\nname = \"pbx1\"\nari_url = \"http://127.0.0.1:8088/ari\"\nari_user = \"ringside\"\n\
                ari_password = \"ari-s3cret\"\nami_host = \"127.0.0.1\"\nami_user = \"ringside\"\nami_secret = \"ami-s3cret\"\n\
                cdr_timezone = \"Europe/Berlin\"\n";
    let config = load_str(text, &[], &Overrides::default()).expect("valid");
    assert_eq!(config.asterisk[0].ami_port, 5038);
    let shown = format!("{}{:?}", config.redacted(), config);
    assert!(!shown.contains("ari-s3cret") && !shown.contains("ami-s3cret"), "{shown}");

    let bad_name = load_str("[[asterisk]]\nname = \"PBX 1\"\n", &[], &Overrides::default()).unwrap_err();
    assert!(bad_name.to_string().contains("asterisk[0].name"), "{bad_name}");
    let bad_tz =
        load_str("[[asterisk]]\nname = \"a\"\ncdr_timezone = \"Mars/Olympus\"\n", &[], &Overrides::default())
            .unwrap_err();
    assert!(bad_tz.to_string().contains("asterisk[0].cdr_timezone"), "{bad_tz}");
    let twice =
        load_str("[[asterisk]]\nname = \"a\"\n[[asterisk]]\nname = \"a\"\n", &[], &Overrides::default())
            .unwrap_err();
    assert!(twice.to_string().contains("asterisk[1].name"), "{twice}");
    let crlf = load_str(
        "[[asterisk]]\nname = \"a\"\nami_host = \"h\"\nami_user = \"u\\r\\nAction: x\"\nami_secret = \"s\"\n",
        &[],
        &Overrides::default(),
    )
    .unwrap_err();
    assert!(crlf.to_string().contains("control characters"), "{crlf}");
}

#[test]
fn audio_caps_reach_the_worker_limits() {
    let config = load_str("[audio]\nmax_channels = 2\nworker_memory_mib = 256\n", &[], &Overrides::default())
        .expect("valid");
    assert_eq!(config.audio.max_channels, 2);
    assert_eq!(config.audio.max_sample_rate, 192_000);
    assert_eq!(config.audio.worker_limits().address_space_bytes, 256 << 20);
}
