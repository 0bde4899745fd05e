//! End to end in a real headless Chromium: sign in, open every navigation entry, sign out.

use crate::on_both_backends;
use crate::support::browser::Browser;
use crate::support::{Backend, TestApp};
use fantoccini::Locator;
use ringside::auth::Role;

on_both_backends!(sign_in_visit_every_section_and_sign_out);

async fn sign_in_visit_every_section_and_sign_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.add_user("alice", Role::Admin, "alice passphrase").await;
    let browser = Browser::start().await;
    let b = &browser.client;

    b.goto(&app.url("/")).await.expect("open console");
    assert!(b.current_url().await.expect("url").path().starts_with("/login"));
    b.find(Locator::Id("username")).await.expect("username").send_keys("alice").await.expect("type");
    b.find(Locator::Id("password"))
        .await
        .expect("password")
        .send_keys("alice passphrase")
        .await
        .expect("type");
    b.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("submit");
    b.wait().for_element(Locator::Css("form.logout")).await.expect("signed in");

    for (label, heading) in [
        ("Music on Hold", "Music on Hold"),
        ("Calls", "Calls"),
        ("Asterisk servers", "Asterisk servers"),
        ("Users", "Users"),
        ("Audit log", "Audit log"),
    ] {
        let link = b.find(Locator::LinkText(label)).await.unwrap_or_else(|_| panic!("nav entry {label}"));
        let href = link.attr("href").await.expect("href").expect("link has href");
        link.click().await.expect("click");
        b.wait().for_url(&app.url(&href).parse().expect("url")).await.expect("navigated");
        let h1 = b.find(Locator::Css("main h1")).await.expect("heading").text().await.expect("text");
        assert_eq!(h1, heading);
        let current = b
            .find(Locator::Css("nav a[aria-current=page]"))
            .await
            .expect("current")
            .text()
            .await
            .expect("text");
        assert_eq!(current, label);
    }
    // The audit page shows this very sign-in.
    let audit = b.find(Locator::Css("main table")).await.expect("table").text().await.expect("text");
    assert!(audit.contains("login") && audit.contains("alice"), "{audit}");

    b.find(Locator::Css("form.logout button")).await.expect("sign out").click().await.expect("click");
    b.wait().for_element(Locator::Id("username")).await.expect("back on the sign-in page");
    assert!(b.current_url().await.expect("url").path().starts_with("/login"));
    b.goto(&app.url("/users")).await.expect("open users");
    assert!(b.current_url().await.expect("url").path().starts_with("/login"), "signed out for real");
    browser.close().await;
    app.stop().await;
}
