//! The route × role matrix, generated: every route the router declares (read from the
//! route tables' source, so that a new route is in the matrix without anyone adding
//! it) against every demo role and an anonymous client. The area of a route
//! (`web::areas`) and the role's areas (`core::permission`) decide: a role outside the
//! area gets 403 on reads and writes alike; inside, a read never answers 5xx; the
//! anonymous client gets 401 from the API and the login page from the pages.

use anjian_core::permission::Area;
use anjian_core::role::Role;
use serde_json::json;

use crate::harness::{TestApp, engines};

const TABLES: &[&str] = &[
    include_str!("../../../web/src/router.rs"),
    include_str!("../../../web/src/pages/mod.rs"),
    include_str!("../../../web/src/api/mod.rs"),
];

/// Every (path, methods) declared by `.route("…", get(…).post(…))` in the tables.
pub(crate) fn routes() -> Vec<(String, Vec<&'static str>)> {
    let mut out: Vec<(String, Vec<&'static str>)> = Vec::new();
    for src in TABLES {
        let mut rest = *src;
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + ".route(".len()..];
            let Some(open) = rest.find('"') else { break };
            let after = &rest[open + 1..];
            let Some(close) = after.find('"') else { break };
            let path = after[..close].to_string();
            // The call ends at the parenthesis that closes `.route(`.
            let (mut depth, mut end) = (1, 0);
            for (j, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let call = &rest[..end];
            let methods: Vec<&'static str> = [
                ("get(", "GET"),
                ("post(", "POST"),
                ("put(", "PUT"),
                ("delete(", "DELETE"),
                ("patch(", "PATCH"),
            ]
            .into_iter()
            .filter(|(m, _)| call.contains(m))
            .map(|(_, name)| name)
            .collect();
            if path.starts_with('/') && !methods.is_empty() {
                out.push((path, methods));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// One demo account of each role.
pub(crate) const DEMO_ROLES: [(&str, Role); 8] = [
    ("office", Role::OfficeAdmin),
    ("bachuan", Role::UnitOperator),
    ("bachuan_leader", Role::UnitLeader),
    ("huagong", Role::EnterpriseUser),
    ("sysadmin", Role::SystemAdmin),
    ("secadmin", Role::SecurityAdmin),
    ("auditor", Role::Auditor),
    ("tipkeeper", Role::TipCustodian),
];

/// Fails with every cell that answered otherwise than the rules say.
fn no_unexpected(unexpected: &[String]) {
    assert!(
        unexpected.is_empty(),
        "{} unexpected cells:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}

/// A path with its parameters filled in.
fn concrete(path: &str) -> String {
    path.replace("{month}", "2022-08")
        .replace("{year}", "2022")
        .replace("{receipt}", "X7K2M9Q4")
        .replace("{kind}", "township")
        .replace("{period}", "1")
        .replace("{sha}", "0000")
        .replace("{file}", "qr.png")
        .replace("{n}", "0")
        .replace("{no}", "1")
        .replace("{hazard}", "1")
        .replace("{id}", "1")
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_permission_table_says() {
    let routes = routes();
    assert!(
        routes.len() > 150,
        "the route tables were read: {}",
        routes.len()
    );
    for e in engines() {
        let app = TestApp::new(e).await;
        let roles = DEMO_ROLES;
        let mut unexpected = Vec::new();
        let (mut refused, mut served) = (0, 0);
        for (login, role) in roles {
            let c = app.login(login).await;
            for (path, methods) in &routes {
                if path.contains("logout") || path.contains("/auth/login") || path == "/login" {
                    continue;
                }
                let area = anjian_web::areas::area_of(&concrete(path));
                let allowed = role.enters(area);
                for m in methods {
                    // Writes are checked where refused only: an allowed write with an
                    // empty body would act.
                    if allowed && *m != "GET" {
                        continue;
                    }
                    let url = format!("{}{}", c.base, concrete(path));
                    let req = match *m {
                        "GET" => c.http.get(&url),
                        "POST" => c.http.post(&url).json(&serde_json::json!({})),
                        "PUT" => c.http.put(&url).json(&serde_json::json!({})),
                        "PATCH" => c.http.patch(&url).json(&serde_json::json!({})),
                        _ => c.http.delete(&url).json(&serde_json::json!({})),
                    };
                    let s = req.send().await.unwrap().status().as_u16();
                    let ok = if allowed {
                        s < 500
                    } else {
                        // A page's POST answers 403 too (its CSRF check may refuse first).
                        s == 403
                    };
                    if allowed {
                        served += 1;
                    } else {
                        refused += 1;
                    }
                    if !ok {
                        unexpected.push(format!("{login} {m} {path} ({area:?}) → {s}"));
                    }
                }
            }
        }
        // Anonymous: the API asks for a login, the pages send to the login page.
        let anon = app.anon();
        for (path, methods) in &routes {
            let area = anjian_web::areas::area_of(&concrete(path));
            if area == Area::Own || area == Area::Public || !methods.contains(&"GET") {
                continue;
            }
            let s = anon.get(&concrete(path)).await.0;
            let want = if path.starts_with("/api/") { 401 } else { 303 };
            if s != want {
                unexpected.push(format!("anonymous GET {path} → {s}"));
            }
        }
        assert!(
            refused > 500 && served > 500,
            "cells: {refused} refused, {served} served"
        );
        no_unexpected(&unexpected);
    }
}

/// The findings of the 等保 review, each as a user would try it.
#[tokio::test]
async fn the_separated_administrators_and_the_custodian_get_no_business_data() {
    for e in engines() {
        let app = TestApp::new(e).await;
        for login in ["sysadmin", "secadmin", "auditor", "tipkeeper"] {
            let c = app.login(login).await;
            for path in [
                "/api/v1/hazards",
                "/api/v1/obligations",
                "/api/v1/rankings/2022-07",
            ] {
                assert_eq!(c.get(path).await.0, 403, "{login} {path}");
            }
            for path in [
                "/todo",
                "/hazards/new",
                "/rankings",
                "/hazards/import",
                "/obligations.xlsx",
            ] {
                assert_eq!(c.get_text(path).await.0, 403, "{login} {path}");
            }
            let (_, home) = c.get_text("/").await;
            assert!(
                !home.contains("href=\"/todo\""),
                "{login}'s menu offers no to-do list"
            );
        }
        // The account administrators still place accounts in the directory.
        assert_eq!(
            app.login("sysadmin").await.get("/api/v1/units").await.0,
            200
        );
        // The custodian reaches the tips, to open an identity.
        assert_eq!(app.login("tipkeeper").await.get_text("/tips").await.0, 200);
    }
}

/// An enterprise account is inspected; it never records an inspection, not even of
/// itself.
#[tokio::test]
async fn an_enterprise_account_cannot_record_enforcement() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let me = app.unit_id("重庆铜梁某化工有限公司").await;
        let c = app.login("huagong").await;
        let (s, b) = c
            .post(
                "/api/v1/enforcements",
                serde_json::json!({
                    "enterprise": me, "inspected_on": "2022-08-05",
                    "inspectors": [{"name": "王强", "certificate": "渝应急执 0501"}, {"name": "刘洋", "certificate": "渝应急执 0502"}],
                    "place": "储罐区", "checked": "两个必查", "problems": "", "handling": "无",
                    "signed": true, "principal_checked": true, "heads_checked": true
                }),
            )
            .await;
        assert_eq!(s, 403, "{b}");
    }
}

/// "The API ignores must_change_password": an account given a temporary password gets
/// nothing from the API but who it is and the change, and no token.
#[tokio::test]
async fn an_account_that_must_change_its_password_gets_only_the_change() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let sys = app.login("sysadmin").await;
        let unit = app.unit_id("安居镇").await;
        let (s, v) = sys
            .post(
                "/api/v1/users",
                serde_json::json!({"username": "anju3", "display_name": "安居镇新操作员", "unit": unit, "role": "unit_operator", "password": "Anju#2022new"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let c = app.anon();
        let (s, _) = c
            .post(
                "/api/v1/auth/login",
                serde_json::json!({"username": "anju3", "password": "Anju#2022new"}),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(c.get("/api/v1/me").await.0, 200);
        for path in ["/api/v1/obligations", "/api/v1/hazards"] {
            let (s, b) = c.get(path).await;
            assert_eq!(
                (s, b["error"]["code"].as_str()),
                (403, Some("password_change_required")),
                "{path}"
            );
        }
        let (s, b) = c
            .post(
                "/api/v1/tokens",
                serde_json::json!({"name": "脚本", "days": 366}),
            )
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (403, Some("password_change_required"))
        );
        let (s, b) = c
            .post(
                "/api/v1/me/password",
                serde_json::json!({"current": "Anju#2022new", "password": "Anju#2022new"}),
            )
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (400, Some("password")));
        let (s, _) = c
            .post(
                "/api/v1/me/password",
                serde_json::json!({"current": "Anju#2022new", "password": "Anju!Safe2023x"}),
            )
            .await;
        assert_eq!(s, 204);
        assert_eq!(c.get("/api/v1/obligations").await.0, 200);
        // A token minted now stops working when the security administrator resets the
        // password.
        let (s, t) = c
            .post(
                "/api/v1/tokens",
                serde_json::json!({"name": "脚本", "days": 30}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        let token = t["token"].as_str().unwrap().to_string();
        let bearer = |path: &str| {
            let url = format!("{}{path}", app.base);
            let token = token.clone();
            async move {
                reqwest::Client::new()
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(bearer("/api/v1/me").await, 200);
        let (id,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT id FROM users WHERE username = 'anju3'",
            ))
            .await
            .unwrap();
        let (s, b) = sys
            .post(
                &format!("/api/v1/users/{id}/password"),
                serde_json::json!({"password": "Reset#2022abc"}),
            )
            .await;
        assert!(s < 300, "{s} {b}");
        assert_eq!(
            bearer("/api/v1/me").await,
            401,
            "the token ended with the reset"
        );
    }
}

/// Two office users approving the same back-dated duty record at once: one succeeds,
/// the other is told it was decided (409, or 422 when it reads the new state).
#[tokio::test]
async fn a_concurrent_double_decision_succeeds_once() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
        anjian::seed::township_enterprises(&app.db, now)
            .await
            .unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2022, 8, 8).unwrap();
        anjian::seed::responsibility::load(&app.db, as_of)
            .await
            .unwrap();
        let (id,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT id FROM duty_records WHERE state = 'pending' ORDER BY id LIMIT 1",
            ))
            .await
            .unwrap();
        let (a, b) = (app.login("office").await, app.login("office").await);
        let path = format!("/api/v1/duty-records/{id}/decision");
        let body = serde_json::json!({"approve": true});
        let (x, y) = tokio::join!(a.post(&path, body.clone()), b.post(&path, body));
        crate::harness::one_of_two_succeeds(&x, &y);
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'duty.decide'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 1, "one decision in the chain");
    }
}

/// The table of each kind of object a route names by `{id}` (the first segment of
/// its path, under `/api/v1` or not), and the SQL that finds such objects all of
/// whose units lie in a subtree (`$1` is the subtree's path).
const OBJECTS: &[(&str, &str)] = &[
    (
        "hazards",
        "SELECT h.id FROM hazards h JOIN units u ON u.id = h.unit_id LEFT JOIN units e ON e.id = h.enterprise_id WHERE u.path LIKE $1 AND (e.id IS NULL OR e.path LIKE $1) ORDER BY h.id",
    ),
    (
        "obligations",
        "SELECT o.id FROM obligations o JOIN units u ON u.id = o.unit_id WHERE u.path LIKE $1 ORDER BY o.id",
    ),
    (
        "tips",
        "SELECT t.id FROM tips t JOIN units u ON u.id = t.unit_id WHERE u.path LIKE $1 ORDER BY t.id",
    ),
    (
        "accidents",
        "SELECT a.id FROM accidents a JOIN units u ON u.id = a.unit_id LEFT JOIN units e ON e.id = a.enterprise_id LEFT JOIN units l ON l.id = a.lead_unit_id WHERE u.path LIKE $1 AND (e.id IS NULL OR e.path LIKE $1) AND (l.id IS NULL OR l.path LIKE $1) ORDER BY a.id",
    ),
    (
        "enforcements",
        "SELECT x.id FROM enforcements x JOIN units u ON u.id = x.unit_id JOIN units e ON e.id = x.enterprise_id WHERE u.path LIKE $1 AND e.path LIKE $1 ORDER BY x.id",
    ),
    (
        "visits",
        "SELECT v.id FROM visits v JOIN units u ON u.id = v.unit_id WHERE u.path LIKE $1 ORDER BY v.id",
    ),
    (
        "cases",
        "SELECT c.id FROM cases c JOIN units u ON u.id = c.unit_id JOIN units a ON a.id = c.assigner_unit_id WHERE u.path LIKE $1 AND a.path LIKE $1 ORDER BY c.id",
    ),
    (
        "enterprises",
        "SELECT u.id FROM enterprises e JOIN units u ON u.id = e.unit_id JOIN units t ON t.id = e.township_id WHERE u.path LIKE $1 AND t.path LIKE $1 ORDER BY u.id",
    ),
    (
        "units",
        "SELECT u.id FROM units u WHERE u.path LIKE $1 ORDER BY u.id",
    ),
    (
        "projects",
        "SELECT p.id FROM projects p JOIN units o ON o.id = p.owner_id JOIN units a ON a.id = p.approver_id WHERE o.path LIKE $1 AND a.path LIKE $1 ORDER BY p.id",
    ),
    (
        "project-reviews",
        "SELECT r.id FROM project_reviews r JOIN units u ON u.id = r.unit_id WHERE u.path LIKE $1 ORDER BY r.id",
    ),
];

/// The kind of object a route's `{id}` names, when it is one of [`OBJECTS`].
fn object_of(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("/api/v1").unwrap_or(path);
    let first = rest.trim_start_matches('/').split('/').next()?;
    OBJECTS
        .iter()
        .find(|(k, _)| *k == first)
        .map(|(_, sql)| *sql)
}

/// Issue 16 part 2, by object: every read route that names an object by `{id}`
/// answers a unit's user 404 for an object of another township, and serves the same
/// kind of object of its own unit, on the page and the API alike.
#[tokio::test]
async fn every_route_by_id_serves_the_scope_and_answers_404_outside_it() {
    let routes: Vec<String> = routes()
        .into_iter()
        .filter(|(p, m)| {
            m.contains(&"GET")
                && p.matches('{').count() == 1
                && p.contains("{id}")
                && object_of(p).is_some()
        })
        .map(|(p, _)| p)
        .collect();
    for e in engines() {
        let app = TestApp::new(e).await;
        let path_of = |name: &'static str| {
            let db = app.db.clone();
            async move {
                let (p,): (String,) = db
                    .read()
                    .one(anjian_store::q("SELECT path FROM units WHERE name = $1").bind(name))
                    .await
                    .unwrap();
                format!("{p}%")
            }
        };
        let mut unexpected = Vec::new();
        let mut cells = 0;
        for (login, own, other) in [
            ("bachuan", "巴川街道", "安居镇"),
            ("anju", "安居镇", "巴川街道"),
            ("huagong", "重庆铜梁某化工有限公司", "安居镇"),
        ] {
            let (own, other) = (path_of(own).await, path_of(other).await);
            let c = app.login(login).await;
            for route in &routes {
                let sql = object_of(route).unwrap();
                let mut answers = Vec::new();
                let ids = |subtree: String| {
                    let db = app.db.clone();
                    async move {
                        let v: Vec<(i64,)> = db
                            .read()
                            .all(anjian_store::q(sql).bind(subtree))
                            .await
                            .unwrap();
                        v.first().map(|(id,)| *id)
                    }
                };
                if let Some(id) = ids(other.clone()).await {
                    let s = c.get_text(&route.replace("{id}", &id.to_string())).await.0;
                    cells += 1;
                    answers.push((format!("{login} GET {route} (id {id}, another's)"), s, 404));
                }
                if let Some(id) = ids(own.clone()).await {
                    let s = c.get_text(&route.replace("{id}", &id.to_string())).await.0;
                    cells += 1;
                    answers.push((format!("{login} GET {route} (id {id}, own)"), s, 200));
                }
                // A role that may not use the route at all is refused whatever the id.
                if answers.iter().all(|(_, s, _)| *s == 403) {
                    continue;
                }
                for (cell, s, want) in answers {
                    if s != want {
                        unexpected.push(format!("{cell} → {s}, not {want}"));
                    }
                }
            }
        }
        assert!(cells >= 24, "cells: {cells} over {} routes", routes.len());
        no_unexpected(&unexpected);
    }
}

/// Loads the demo's activity (hazards, visits, inspections, tips and accidents in every
/// township) into `app`.
async fn demo_activity(app: &TestApp) {
    let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
    let today = anjian_core::time::local_date(now).unwrap();
    anjian::seed::township_enterprises(&app.db, now)
        .await
        .unwrap();
    let files = anjian_store::files::FileStore::new(&app.data_dir());
    anjian::seed::hazards(&app.db, &files, today).await.unwrap();
    anjian::seed::visits(&app.db, today).await.unwrap();
    anjian::seed::enforcements(&app.db, today).await.unwrap();
    let keys = anjian_core::sealed::Keyring::from_secret(crate::harness::TEST_SECRET);
    anjian::seed::tips_and_accidents(&app.db, &keys, today)
        .await
        .unwrap();
}

/// The accounts the generated write tests act as, with their units: a township's
/// operator and an enterprise's own account. (A department sees its sectors'
/// enterprises in every township, so "outside its subtree" is not outside its scope.)
const WRITERS: [(&str, &str); 2] = [
    ("bachuan", "巴川街道"),
    ("huagong", "重庆铜梁某化工有限公司"),
];

/// An object of the kind `template`'s `{id}` names none of whose units lies in the
/// subtree at `own`, and `template` with its id: `None` when the kind is not one of
/// [`OBJECTS`] or there is no such object.
async fn outside(app: &TestApp, template: &str, own: &str) -> Option<(i64, String)> {
    let sql = object_of(template)?.replace(" LIKE $1", " NOT LIKE $1");
    let ids: Vec<(i64,)> = app
        .db
        .read()
        .all(anjian_store::q(sql).bind(format!("{own}%")))
        .await
        .unwrap();
    let (id,) = ids.first().copied()?;
    Some((id, template.replace("{id}", &id.to_string())))
}

/// The directory path of the unit named `name`.
async fn unit_path(app: &TestApp, name: &str) -> String {
    let (path,): (String,) = app
        .db
        .read()
        .one(anjian_store::q("SELECT path FROM units WHERE name = $1").bind(name))
        .await
        .unwrap();
    path
}

/// Issue 16 part 2, writes: every API write that names an object by `{id}`, sent by 巴川
/// 街道's operator and by an enterprise's account for an object outside its subtree with a body the document
/// calls valid, acts on nothing: a refusal (404 for the object it may not see, or 403,
/// 409, 422 before that), never a 2xx, and (the harness's chain watch) no change in the
/// audit chain.
#[tokio::test]
async fn no_write_by_id_acts_on_another_townships_object() {
    use crate::hostile_routes::{plausible_body, send};
    for e in engines() {
        let app = TestApp::new(e).await;
        // The demo's activity: hazards, visits, inspections, tips and accidents in every
        // township.
        demo_activity(&app).await;
        let (_, doc) = app.anon().get("/api/v1/openapi.json").await;
        let (mut unexpected, mut cells) = (Vec::new(), 0);
        for (login, unit) in WRITERS {
            let own = unit_path(&app, unit).await;
            let c = app.login(login).await;
            for (template, item) in doc["paths"].as_object().unwrap() {
                if template.matches('{').count() != 1 || !template.contains("{id}") {
                    continue;
                }
                let Some((id, path)) = outside(&app, template, &own).await else {
                    continue;
                };
                for method in ["post", "put", "patch", "delete"] {
                    let op = &item[method];
                    if op.is_null() {
                        continue;
                    }
                    let body = plausible_body(op, &doc).map(|(b, _)| b).unwrap_or_default();
                    let (s, v) =
                        send(&c, method, &path, Some(&serde_json::Value::Object(body))).await;
                    cells += 1;
                    if !(400..500).contains(&s) {
                        unexpected.push(format!(
                            "{login} {method} {template} (id {id}, outside its subtree) → {s}: {v}"
                        ));
                    }
                }
            }
        }
        assert!(cells >= 40, "cells: {cells}");
        no_unexpected(&unexpected);
    }
}

/// The office's own writes, tried by a township with the office's own valid bodies: the
/// store refuses them from the role table (not a handler), the same on the API and the
/// page, and nothing changes; the office then makes the same writes.
#[tokio::test]
async fn the_offices_writes_are_refused_by_the_store_to_a_township_on_both_faces() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        for path in [
            "/api/v1/tips/deadlines",
            "/api/v1/tips/reward-rules",
            "/api/v1/duty-quotas",
        ] {
            let (s, body) = office.get(path).await;
            assert_eq!(s, 200, "{path} {body}");
            let (s, v) = bachuan.put(path, body.clone()).await;
            assert_eq!(
                (s, v["error"]["code"].as_str()),
                (403, Some("forbidden")),
                "{path}"
            );
            let (s, v) = office.put(path, body).await;
            assert_eq!(s, 200, "{path} {v}");
        }
        let (s, _) = bachuan.post("/api/v1/bulletins/2022-07", json!({})).await;
        assert_eq!(s, 403);
        let (s, _) = bachuan.form("/bulletins", &[("month", "2022-07")]).await;
        assert_eq!(s, 403);
        let (s, _) = bachuan.form("/rankings/2022-07/recompute", &[]).await;
        assert_eq!(s, 403);
        let (s, v) = office.post("/api/v1/bulletins/2022-07", json!({})).await;
        assert_eq!(s, 201, "{v}");
    }
}

/// Issue 16 part 2, the pages' writes: every page form that names an object by `{id}`,
/// posted by 巴川街道's operator and by an enterprise's account for an object outside its
/// subtree with fields a user
/// would fill, acts on nothing: a 4xx (the page refused it, or the object is not its
/// own), never the redirect of a saved form, and (the chain watch) no change.
#[tokio::test]
async fn no_page_form_by_id_acts_on_another_townships_object() {
    for e in engines() {
        let app = TestApp::new(e).await;
        demo_activity(&app).await;
        let own_unit = app.unit_id("巴川街道").await.to_string();
        // What a user types into the forms of an object's page.
        let fields: Vec<(&str, &str)> = vec![
            ("note", "已现场核查"),
            ("reason", "情况属实"),
            ("text", "已整改完毕"),
            ("decision", "accept"),
            ("approve", "1"),
            ("confirm", "1"),
            ("rectified", "1"),
            ("pass", "1"),
            ("on_site", "1"),
            ("days", "30"),
            ("until", "2022-12-31"),
            ("deadline", "2022-12-31"),
            ("leader", "区政府分管副区长"),
            ("unit", own_unit.as_str()),
            ("name", "测试名称"),
            ("active", "0"),
        ];
        let (mut unexpected, mut cells) = (Vec::new(), 0);
        for (login, unit) in WRITERS {
            let own = unit_path(&app, unit).await;
            let c = app.login(login).await;
            for (template, methods) in routes() {
                if template.starts_with("/api/")
                    || !methods.contains(&"POST")
                    || template.matches('{').count() != 1
                    || !template.contains("{id}")
                {
                    continue;
                }
                let Some((id, path)) = outside(&app, &template, &own).await else {
                    continue;
                };
                let (s, page) = c.form(&path, &fields).await;
                cells += 1;
                if !(400..500).contains(&s) {
                    let head: String = page.chars().take(200).collect();
                    unexpected.push(format!(
                        "{login} POST {template} (id {id}, outside its subtree) → {s}: {head}"
                    ));
                }
            }
        }
        assert!(cells >= 50, "cells: {cells}");
        no_unexpected(&unexpected);
    }
}
