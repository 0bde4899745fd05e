//! The try-it form in a real headless Chromium.

use super::admin;
use crate::support::browser::Browser;
use crate::support::{Backend, TestApp};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_it_form_shows_the_class_and_why() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let api = admin(&app).await;
    api.moh_classes(&["vip", "sales"]).await;
    assert_eq!(
        api.post("/api/v1/flows/rules", json!({ "name": "vip", "caller": "_0171.", "class": "vip" })).await.0,
        201
    );
    assert_eq!(
        api.post("/api/v1/flows/rules", json!({ "name": "sales", "queue": "sales", "class": "sales" }))
            .await
            .0,
        201
    );

    let browser = Browser::start().await;
    let b = &browser.client;
    b.goto(&app.url("/login")).await.expect("open login");
    b.find(Locator::Id("username")).await.expect("username").send_keys("alice").await.expect("type");
    b.find(Locator::Id("password"))
        .await
        .expect("password")
        .send_keys("alice passphrase")
        .await
        .expect("type");
    b.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("submit");
    b.wait().for_element(Locator::Css("form.logout")).await.expect("signed in");

    b.find(Locator::LinkText("Call routing")).await.expect("nav entry").click().await.expect("click");
    b.wait().for_element(Locator::Css("table#rules")).await.expect("rules page");
    b.find(Locator::LinkText("Try it")).await.expect("try link").click().await.expect("click");
    b.wait().for_element(Locator::Id("try-form")).await.expect("try page");
    b.find(Locator::Id("t-caller")).await.expect("caller").send_keys("030123").await.expect("type");
    b.find(Locator::Id("t-queue")).await.expect("queue").send_keys("sales").await.expect("type");
    b.find(Locator::Id("try-submit")).await.expect("submit").click().await.expect("click");
    let class = b.wait().for_element(Locator::Id("try-class")).await.expect("result");
    assert_eq!(class.text().await.expect("text"), "sales");
    let result = b.find(Locator::Id("try-result")).await.expect("result").text().await.expect("text");
    assert!(result.contains("caller number `030123` does not match `_0171.`"), "{result}");
    browser.close().await;
    app.stop().await;
}
