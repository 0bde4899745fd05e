use super::*;

fn input(pairs: &[(&str, &str)]) -> ServerInput {
    let map: serde_json::Map<String, serde_json::Value> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v))).collect();
    serde_json::from_value(serde_json::Value::Object(map)).unwrap()
}

#[test]
fn a_blank_secret_keeps_the_stored_one_and_clearing_a_url_clears_its_login() {
    let base = input(&[
        ("name", "pbx2"),
        ("ari_url", "http://127.0.0.1:8088/ari"),
        ("ari_user", "u"),
        ("ari_password", "p"),
    ])
    .apply(&blank(), true)
    .unwrap();
    let kept = input(&[("ari_password", ""), ("ari_user", "v")]).apply(&base, false).unwrap();
    assert_eq!((kept.ari_user.as_deref(), kept.ari_password.as_deref()), (Some("v"), Some("p")));
    assert_eq!(changed_fields(&base, &kept), vec!["ari_user"]);
    let cleared = input(&[("ari_url", "")]).apply(&base, false).unwrap();
    assert_eq!((cleared.ari_user, cleared.ari_password), (None, None));
}

#[test]
fn hostile_values_are_refused_field_by_field() {
    let cases = [
        ("name", "Bad Name"),
        ("ari_url", "ftp://x/ari"),
        ("ari_url", "http://u:p@x/ari"),
        ("ari_url", "http://x/ari\r\nX: y"),
        ("ami_host", "x\r\nAction: Originate"),
        ("ami_host", "a b"),
        ("moh_root", "relative/moh"),
        ("moh_root", "/moh;x"),
        ("conf_path", "/etc/a\nb"),
        ("cdr_timezone", "Mars/Olympus"),
    ];
    for (field, value) in cases {
        let mut pairs = vec![("name", "pbx2")];
        pairs.retain(|(k, _)| *k != field);
        pairs.push((field, value));
        let errors = input(&pairs).apply(&blank(), true).unwrap_err();
        assert!(errors.get(field).is_some(), "{field}={value:?}: {errors:?}");
    }
    let bad_port = ServerInput { ami_port: Some(PortInput::Number(70000)), ..input(&[("name", "x")]) };
    assert!(bad_port.apply(&blank(), true).unwrap_err().get("ami_port").is_some());
}

#[test]
fn debug_hides_secrets() {
    let shown = format!("{:?}", input(&[("ari_password", "hunter2"), ("ami_secret", "s3cret")]));
    assert!(!shown.contains("hunter2") && !shown.contains("s3cret"), "{shown}");
}
