//! The JSON API and the forms: try-it explanations, schedule/holiday validation, reorder, audit,
//! and that viewers read but cannot edit.

use super::admin;
use crate::on_both_backends;
use crate::support::{Backend, TestApp};
use ringside::auth::Role;
use ringside::store::AuditFilter;
use serde_json::json;

on_both_backends!(try_it_explains_every_rule, schedule_and_rule_validation, forms_add_edit_and_delete);

fn office() -> serde_json::Value {
    let day = "09:00-12:00, 13:00-17:00";
    json!({ "name": "office", "timezone": "Europe/Berlin", "mon": day, "tue": day, "wed": day,
            "thu": day, "fri": day, "holidays": "yearly 12-25 Christmas\n2026-12-31..2027-01-01 New year" })
}

async fn try_it_explains_every_rule(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;
    admin.moh_classes(&["xmas", "vip", "sales"]).await;
    assert_eq!(admin.post("/api/v1/flows/schedules", office()).await.0, 201);
    for rule in [
        json!({ "name": "xmas", "schedule": "office", "schedule_state": "holiday", "class": "xmas" }),
        json!({ "name": "vip", "caller": "_0171.", "class": "vip" }),
        json!({ "name": "sales queue", "queue": "sales", "class": "sales" }),
    ] {
        assert_eq!(admin.post("/api/v1/flows/rules", rule).await.0, 201);
    }

    // A Sunday in March: office closed, not a holiday.
    let ask = json!({ "number": "2001", "caller": "030123", "queue": "sales", "at": "2026-03-15T10:00" });
    let (status, x) = admin.post("/api/v1/flows/try", ask).await;
    assert_eq!(status, 200, "{x}");
    assert_eq!(
        (x["decision"]["class"].as_str(), x["decision"]["rule"].as_str()),
        (Some("sales"), Some("sales queue"))
    );
    assert_eq!(x["rules"][0]["verdict"], "no_match");
    assert_eq!(
        x["rules"][0]["reasons"][0],
        json!({ "condition": "schedule", "name": "office", "want": "holiday", "got": "closed" })
    );
    assert_eq!(x["rules"][1]["reasons"][0]["condition"], "caller");
    assert_eq!(x["rules"][2]["verdict"], "matched");

    let christmas =
        json!({ "number": "2001", "caller": "030123", "queue": "sales", "at": "2026-12-25T10:00" });
    let (_, x) = admin.post("/api/v1/flows/try", christmas).await;
    assert_eq!(x["decision"]["class"], "xmas");
    assert_eq!(x["rules"][2]["verdict"], "not_reached");

    // Reorder: sales first, then it wins on Christmas too.
    assert_eq!(admin.post("/api/v1/flows/rules/sales%20queue/move", json!({ "to": 0 })).await.0, 204);
    let (_, book) = admin.get("/api/v1/flows").await;
    assert_eq!(book["spec"]["rules"][0]["name"], "sales queue");

    let (status, bad) = admin.post("/api/v1/flows/try", json!({ "number": "1", "at": "yesterday" })).await;
    assert_eq!((status, bad["fields"]["at"].is_string()), (400, true), "{bad}");

    let html =
        admin.client.get("/flows/try?number=2001&caller=030123&queue=sales&at=2026-03-15T10%3A00").await;
    let html = html.text().await.expect("page");
    assert!(html.contains("schedule `office` is closed, rule wants holiday"), "{html}");
    app.stop().await;
}

async fn schedule_and_rule_validation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;

    let bad = json!({ "name": "office", "timezone": "Mars/Olympus", "mon": "17:00-09:00", "holidays": "2026-02-30 Nope" });
    let (status, body) = admin.post("/api/v1/flows/schedules", bad).await;
    assert_eq!(status, 400, "{body}");
    for field in ["timezone", "mon", "holidays"] {
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
    let (status, body) = admin
        .post(
            "/api/v1/flows/rules",
            json!({ "name": "x", "schedule": "nope", "schedule_state": "open", "class": "a" }),
        )
        .await;
    assert_eq!((status, body["fields"]["schedule"].is_string()), (400, true), "{body}");
    let (status, body) = admin.post("/api/v1/flows/rules", json!({ "name": "x", "class": "general" })).await;
    assert_eq!((status, body["fields"]["class"].is_string()), (400, true), "{body}");

    // Forms: the message comes back next to its field, values kept.
    let response = admin
        .client
        .post_form(
            "/flows/schedules",
            &admin.csrf,
            &[("name", "office"), ("timezone", "UTC"), ("holidays", "2026-13-01 Bad")],
        )
        .await;
    assert_eq!(response.status(), 400);
    let html = response.text().await.expect("page");
    assert!(html.contains("id=\"s-holidays-error\"") && html.contains("2026-13-01 Bad"), "{html}");

    assert_eq!(admin.post("/api/v1/flows/schedules", office()).await.0, 201);
    let rule =
        json!({ "name": "closed", "schedule": "office", "schedule_state": "closed", "class": "night" });
    let (status, body) = admin.post("/api/v1/flows/rules", rule.clone()).await;
    assert_eq!(
        (status, body["fields"]["class"].as_str()),
        (400, Some("no Music on Hold class named `night` exists"))
    );
    admin.moh_classes(&["night"]).await;
    assert_eq!(admin.post("/api/v1/flows/rules", rule).await.0, 201);
    let (status, body) = admin.call(reqwest::Method::DELETE, "/api/v1/flows/schedules/office", None).await;
    assert_eq!((status, body["fields"]["name"].is_string()), (400, true), "a schedule in use stays: {body}");
    let (status, _) = admin.post("/api/v1/flows/rules", json!({ "name": "closed", "class": "x" })).await;
    assert_eq!(status, 400, "duplicate rule name");

    let audit =
        app.store().list_audit(&AuditFilter { limit: 100, ..AuditFilter::default() }).await.expect("audit");
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"flows.schedule.add") && actions.contains(&"flows.rule.add"), "{actions:?}");

    app.add_user("victor", Role::Viewer, "victor passphrase").await;
    let viewer = app.signed_in("victor", "victor passphrase").await;
    let csrf = viewer.csrf_from("/flows").await;
    let response = viewer.post_form("/flows", &csrf, &[("name", "v"), ("class", "v")]).await;
    assert_eq!(response.status(), 403);
    assert!(viewer.get("/flows").await.text().await.expect("page").contains("closed"));
    app.stop().await;
}

/// The page forms (not the API): add, edit, refuse with the message on the page, and delete, for
/// schedules and rules alike; the book ends as the forms left it.
async fn forms_add_edit_and_delete(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;
    admin.moh_classes(&["night", "jazz"]).await;
    let form = |path: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let admin = &admin;
        async move { admin.client.post_form(path, &admin.csrf, &fields).await }
    };
    let location = |r: &reqwest::Response| r.headers()["location"].to_str().expect("location").to_owned();

    let r =
        form("/flows/schedules", vec![("name", "office"), ("timezone", "UTC"), ("mon", "09:00-17:00")]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/flows/schedules".to_owned()));
    let r = form(
        "/flows",
        vec![
            ("name", "after hours"),
            ("schedule", "office"),
            ("schedule_state", "closed"),
            ("class", "night"),
        ],
    )
    .await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/flows?done=rule+added".to_owned()));

    let edit = admin.client.get("/flows/rules/after%20hours").await.text().await.expect("edit page");
    assert!(edit.contains("value=\"after hours\"") && edit.contains("night"), "{edit}");
    assert_eq!(admin.client.get("/flows/rules/nope").await.status(), 404);
    let r = form("/flows/rules/after%20hours", vec![("name", "after hours"), ("class", "jazz")]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/flows?done=rule+updated".to_owned()));
    let r = form("/flows/rules/after%20hours", vec![("name", "after hours"), ("class", "general")]).await;
    assert_eq!(r.status(), 400, "class general is refused");
    assert!(r.text().await.expect("page").contains("r-class-error"), "message next to the field");

    // A schedule a rule uses stays, with the reason on the page; once the rule is gone it goes.
    let r = form(
        "/flows",
        vec![("name", "office hours"), ("schedule", "office"), ("schedule_state", "open"), ("class", "jazz")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = form("/flows/schedules/office/delete", vec![]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.expect("page").contains("office hours"), "names the rule that uses it");
    let r = form("/flows/rules/office%20hours/delete", vec![]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/flows?done=rule+deleted".to_owned()));
    let r = form("/flows/schedules/office/delete", vec![]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/flows/schedules".to_owned()));

    let (_, book) = admin.get("/api/v1/flows").await;
    let rules: Vec<(&str, &str)> = book["spec"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| (r["name"].as_str().unwrap_or(""), r["class"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(rules, vec![("after hours", "jazz")]);
    assert_eq!(book["spec"]["schedules"].as_array().map(Vec::len), Some(0));
    app.stop().await;
}
