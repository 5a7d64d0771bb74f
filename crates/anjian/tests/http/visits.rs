//! Supervision and unannounced visits: invisible to their targets until recorded,
//! findings land in the visited unit's ledger, refusals name their field.

use crate::harness::{TestApp, engines};

fn visit_id(location: &str) -> i64 {
    location.trim_start_matches("/visits/").parse().unwrap()
}

#[tokio::test]
async fn an_unannounced_visit_is_hidden_until_recorded_and_its_findings_land_in_the_ledger() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        let anju = app.login("anju").await;
        let town = app.unit_id("巴川街道").await;
        let town_s = town.to_string();
        // Bad plans are refused naming the field; nothing is written.
        let (s, page) = office
            .form(
                "/visits",
                &[
                    ("kind", "unannounced"),
                    ("title", "燃气暗访"),
                    ("team", "区安委办"),
                    ("starts_on", "2022-08-10"),
                    ("ends_on", "2022-08-09"),
                    ("targets", &town_s),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("结束日期不能早于开始日期"));
        let r = office
            .send(office.http.post(format!("{}/visits", office.base)).form(&[
                ("kind", "unannounced"),
                ("title", "燃气安全四不两直暗访"),
                ("team", "区安委办 张三、李四"),
                ("starts_on", "2022-08-09"),
                ("ends_on", "2022-08-09"),
                ("targets", town_s.as_str()),
            ]))
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let id = visit_id(r.headers()["location"].to_str().unwrap());
        // The target does not see it yet.
        assert_eq!(bachuan.get_text(&format!("/visits/{id}")).await.0, 404);
        assert!(
            !bachuan
                .get_text("/visits")
                .await
                .1
                .contains("燃气安全四不两直暗访")
        );
        // A finding on site becomes a hazard of the visited township.
        let finding = |unit: &str| {
            vec![
                ("unit", unit.to_string()),
                ("level", "general".to_string()),
                ("sector", "燃气".to_string()),
                ("place", "巴川街道某火锅店".to_string()),
                ("description", "液化气钢瓶放置在厨房操作间".to_string()),
                ("discovered_on", "2022-08-09".to_string()),
                ("measures", "钢瓶移至独立气瓶间".to_string()),
                ("responsible_person", "赵六".to_string()),
                ("deadline", "2022-08-20".to_string()),
            ]
        };
        let send = |fields: Vec<(&'static str, String)>| {
            let c = office.http.clone();
            let url = format!("{}/visits/{id}/findings", office.base);
            async move {
                c.post(url)
                    .form(&fields)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(send(finding(&town_s)).await, 303);
        let anju_unit = app.unit_id("安居镇").await.to_string();
        assert_eq!(send(finding(&anju_unit)).await, 422, "not a target");
        let mut bad = finding(&town_s);
        bad[8].1 = "2022-08-01".into();
        assert_eq!(send(bad).await, 422, "a deadline before discovery");
        let (_, ledger) = bachuan.get("/api/v1/hazards").await;
        let h = ledger
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["place"] == "巴川街道某火锅店")
            .cloned()
            .expect("the finding is in the township's ledger");
        assert_eq!(h["source"], "unannounced_visit");
        // Recorded: the township sees the visit and its report; another does not.
        let (s, _) = office
            .form(
                &format!("/visits/{id}/record"),
                &[("report", "抽查餐饮场所3家，发现问题1项")],
            )
            .await;
        assert_eq!(s, 303);
        let (s, page) = bachuan.get_text(&format!("/visits/{id}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("抽查餐饮场所3家") && page.contains("巴川街道某火锅店"));
        assert!(
            !page.contains("finding-form"),
            "only the planner enters findings"
        );
        assert_eq!(anju.get_text(&format!("/visits/{id}")).await.0, 404);
        // The planner marks the finding for exposure; the township cannot.
        let hid = h["id"].as_i64().unwrap();
        let (s, _) = bachuan
            .form(
                &format!("/visits/{id}/findings/{hid}/expose"),
                &[("expose", "1")],
            )
            .await;
        assert_eq!(s, 404);
        let (s, _) = office
            .form(
                &format!("/visits/{id}/findings/{hid}/expose"),
                &[("expose", "1")],
            )
            .await;
        assert_eq!(s, 303);
        assert!(
            office
                .get_text(&format!("/visits/{id}"))
                .await
                .1
                .contains("已标记曝光")
        );
    }
}

/// The fields of a finding on `unit`.
fn finding_fields(unit: &str, place: &str) -> Vec<(&'static str, String)> {
    vec![
        ("unit", unit.to_string()),
        ("level", "general".to_string()),
        ("sector", "燃气".to_string()),
        ("place", place.to_string()),
        ("description", "燃气管道穿越卧室".to_string()),
        ("discovered_on", "2022-08-09".to_string()),
        ("measures", "改管并加装报警器".to_string()),
        ("responsible_person", "孙七".to_string()),
        ("deadline", "2022-08-25".to_string()),
    ]
}

#[tokio::test]
async fn a_finding_entered_on_site_keeps_its_photos_and_a_new_hazard_its_before_photos() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        let town = app.unit_id("巴川街道").await.to_string();
        let (s, v) = office
            .post(
                "/api/v1/visits",
                serde_json::json!({"kind": "supervision", "title": "燃气安全督查", "team": "区安委办", "starts_on": "2022-08-09", "ends_on": "2022-08-10", "targets": [town.parse::<i64>().unwrap()]}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["visit"]["id"].as_i64().unwrap();
        // The phone form posts the finding with two photos taken on site.
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in finding_fields(&town, "巴川街道某小区") {
            form = form.text(k, v);
        }
        for name in ["现场1.png", "现场2.png"] {
            form = form.part(
                "photos",
                reqwest::multipart::Part::bytes(crate::reports::PNG.to_vec()).file_name(name),
            );
        }
        let r = office
            .post_multipart(&format!("/visits/{id}/findings"), form)
            .await;
        assert_eq!(r.status(), 303);
        let (_, v) = office.get(&format!("/api/v1/visits/{id}")).await;
        let hid = v["findings"][0]["hazard_id"].as_i64().unwrap();
        let (_, h) = bachuan.get(&format!("/api/v1/hazards/{hid}")).await;
        let files: Vec<&str> = h["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f[1]["file_name"].as_str().unwrap())
            .collect();
        assert_eq!(files, ["现场1.png", "现场2.png"], "{h}");
        assert_eq!(h["source"], "supervision_visit");
        // A file that is not a photo is refused naming it, and nothing is written.
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in finding_fields(&town, "巴川街道另一小区") {
            form = form.text(k, v);
        }
        form = form.part(
            "photos",
            reqwest::multipart::Part::bytes(b"MZ not a photo".to_vec()).file_name("病毒.exe"),
        );
        let r = office
            .post_multipart(&format!("/visits/{id}/findings"), form)
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("病毒.exe"));
        let (_, v) = office.get(&format!("/api/v1/visits/{id}")).await;
        assert_eq!(v["findings"].as_array().unwrap().len(), 1);
        // The township records a hazard of its own with its before-photo.
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in finding_fields(&town, "巴川街道农贸市场") {
            if k != "unit" {
                form = form.text(k, v);
            }
        }
        form = form.text("source", "self_inspection").part(
            "photos",
            reqwest::multipart::Part::bytes(crate::reports::PNG.to_vec()).file_name("整改前.png"),
        );
        let r = bachuan.post_multipart("/hazards", form).await;
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let (_, page) = bachuan.get_text(&location).await;
        assert!(
            page.contains("整改前.png"),
            "the before-photo shows on the hazard's page"
        );
    }
}

#[tokio::test]
async fn the_visits_api_plans_enters_findings_records_and_hides_like_the_pages() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        let town = app.unit_id("巴川街道").await;
        let anju = app.unit_id("安居镇").await;
        // Bad plans name their field; nothing is written.
        let plan = |kind: &str, ends: &str, targets: Vec<i64>| serde_json::json!({"kind": kind, "title": "燃气安全四不两直暗访", "team": "区安委办 张三", "starts_on": "2022-08-09", "ends_on": ends, "targets": targets});
        for (body, field) in [
            (plan("surprise", "2022-08-09", vec![town]), "kind"),
            (plan("unannounced", "2022-08-08", vec![town]), "ends_on"),
            (plan("unannounced", "2022-08-09", vec![]), "targets"),
            (plan("unannounced", "2022-08-09", vec![999]), "targets"),
        ] {
            let (s, b) = office.post("/api/v1/visits", body).await;
            assert_eq!(s, 422, "{b}");
            assert_eq!(b["error"]["field"], field, "{b}");
        }
        assert_eq!(
            office
                .get("/api/v1/visits")
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            0
        );
        let (s, v) = office
            .post(
                "/api/v1/visits",
                plan("unannounced", "2022-08-09", vec![town]),
            )
            .await;
        assert_eq!(s, 201);
        let id = v["visit"]["id"].as_i64().unwrap();
        assert_eq!(v["visit"]["kind"], "unannounced");
        // Hidden from its target until recorded: 404, and not listed.
        assert_eq!(bachuan.get(&format!("/api/v1/visits/{id}")).await.0, 404);
        assert!(
            bachuan
                .get("/api/v1/visits")
                .await
                .1
                .as_array()
                .unwrap()
                .is_empty()
        );
        // Findings: the unit must be a target; the township cannot enter one.
        let finding = |unit: i64| {
            let mut f: serde_json::Map<String, serde_json::Value> =
                finding_fields(&unit.to_string(), "巴川街道某火锅店")
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
                    .collect();
            f.insert("unit".into(), serde_json::json!(unit));
            serde_json::Value::Object(f)
        };
        let (s, b) = office
            .post(&format!("/api/v1/visits/{id}/findings"), finding(anju))
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("unit")));
        let mut no_unit = finding(town);
        no_unit.as_object_mut().unwrap().remove("unit");
        let (s, b) = office
            .post(&format!("/api/v1/visits/{id}/findings"), no_unit)
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("unit")));
        assert_eq!(
            bachuan
                .post(&format!("/api/v1/visits/{id}/findings"), finding(town))
                .await
                .0,
            404
        );
        let (s, v) = office
            .post(&format!("/api/v1/visits/{id}/findings"), finding(town))
            .await;
        assert_eq!(s, 201, "{v}");
        let hid = v["findings"][0]["hazard_id"].as_i64().unwrap();
        assert_eq!(v["findings"][0]["status"], "assigned");
        // Recording needs a report; then the township sees the visit and its finding.
        let (s, b) = office
            .post(
                &format!("/api/v1/visits/{id}/record"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("report")));
        let (s, v) = office
            .post(
                &format!("/api/v1/visits/{id}/record"),
                serde_json::json!({"report": "抽查餐饮场所3家，发现问题1项"}),
            )
            .await;
        assert_eq!(s, 200);
        assert!(v["visit"]["recorded_at"].is_i64());
        let (s, v) = bachuan.get(&format!("/api/v1/visits/{id}")).await;
        assert_eq!(s, 200);
        assert_eq!(v["findings"][0]["hazard_id"], hid);
        // Exposure: the planner only.
        let expose = format!("/api/v1/visits/{id}/findings/{hid}/expose");
        assert_eq!(
            bachuan
                .post(&expose, serde_json::json!({"exposed": true}))
                .await
                .0,
            404
        );
        let (s, v) = office
            .post(&expose, serde_json::json!({"exposed": true}))
            .await;
        assert_eq!(s, 200);
        assert_eq!(v["findings"][0]["exposed"], 1);
        // The endpoints are in the OpenAPI document.
        let (_, doc) = office.get("/api/v1/openapi.json").await;
        assert!(doc["paths"]["/api/v1/visits/{id}/findings"]["post"].is_object());
    }
}

/// Phase 三 "对各镇街…指导帮扶" and (93) "区级部门定期指导各镇街日常监管执法": a department
/// plans a guidance visit to a township outside its scope; (45) "开展明查暗访、追责问责"
/// (区纪委监委机关、区委办督查室…牵头): the discipline commission visits townships and
/// departments; an ordinary department still cannot visit another department.
#[tokio::test]
async fn departments_and_the_oversight_units_visit_the_units_the_plan_names() {
    use anjian_core::role::Role;
    use anjian_core::unit::UnitKind;
    use anjian_store::scope::{Actor, Scope};
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let town = app.unit_id("巴川街道").await;
        let zone = app.unit_id("高新区管委会").await;
        let jtj = app.unit_id("区交通局").await;
        let visit = |targets: Vec<i64>| {
            serde_json::json!({"kind": "assisted", "title": "指导帮扶日常监管执法", "team": "区应急局执法支队",
                "starts_on": "2022-08-10", "ends_on": "2022-08-11", "targets": targets})
        };
        let (_, page) = yjj.get_text("/visits").await;
        assert!(page.contains("巴川街道") && page.contains("高新区管委会"));
        let (s, v) = yjj.post("/api/v1/visits", visit(vec![town, zone])).await;
        assert_eq!(s, 201, "{v}");
        let (s, b) = yjj.post("/api/v1/visits", visit(vec![jtj])).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("targets")));
        // The discipline commission oversees: townships and departments alike.
        let jw = app.unit_id("区纪委监委机关").await;
        let (path,): (String,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT path FROM units WHERE id = $1").bind(jw))
            .await
            .unwrap();
        let actor = Actor {
            user_id: None,
            username: "jw".into(),
            role: Role::UnitOperator.as_str().into(),
            unit_id: Some(jw),
        };
        let scope = Scope::for_user(Role::UnitOperator, jw, UnitKind::Department, &path);
        let plan = anjian_core::visit::check(
            "unannounced",
            "明查暗访",
            "区纪委监委",
            "2022-08-10",
            "2022-08-12",
        )
        .unwrap();
        let id = anjian_store::visits::plan(
            &app.db,
            1_660_000_000_000,
            &actor,
            &scope,
            &plan,
            &[town, jtj],
        )
        .await
        .unwrap();
        assert!(id > 0);
        let (reach, _) = anjian_store::visits::reachable(&app.db, &actor, &scope, None)
            .await
            .unwrap();
        assert!(reach.iter().any(|(i, _)| *i == jtj));
    }
}

/// A department that may visit more units than the planning form offers (it offered
/// the first 500, townships first, and nothing said so): the page says the list is cut
/// and finds a unit by name, so that any of them can be visited; the list of visits
/// pages (it stopped at the newest 200), on the page and by the API's `Link` header.
#[tokio::test]
async fn the_planning_form_finds_any_unit_and_the_visits_page() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let town = app.unit_id("巴川街道").await;
        let (_, t) = office.get(&format!("/api/v1/units/{town}")).await;
        let (_, parent) = office.get(&format!("/api/v1/units/{}", t["parent"])).await;
        crate::directory::import_units(
            &office,
            510,
            ("tl-town-x", "新设镇"),
            anjian_core::unit::UnitKind::Township.label(),
            parent["code"].as_str().unwrap(),
        )
        .await;
        let last = app.unit_id("新设镇0509").await;
        let yjj = app.login("yjj").await;
        let (s, page) = yjj.get_text("/visits").await;
        assert_eq!(s, 200);
        assert!(page.contains("id=\"units-cut\""), "{e:?}: the cut is said");
        assert!(!page.contains(&format!("value=\"{last}\"")));
        let (s, found) = yjj.get_text("/visits?q=%E9%95%870509").await;
        assert_eq!(s, 200);
        assert!(found.contains(&format!("<option value=\"{last}\">新设镇0509</option>")));
        assert!(!found.contains("id=\"units-cut\"") && !found.contains("巴川街道</option>"));
        // 101 visits: the page lists 100, then the rest; the API pages by its links.
        let mut planned = Vec::new();
        for i in 0..101 {
            let (s, v) = yjj
                .post(
                    "/api/v1/visits",
                    serde_json::json!({"kind": "assisted", "title": format!("第{i}次帮扶"), "team": "区应急局",
                        "starts_on": "2022-08-10", "ends_on": "2022-08-11", "targets": [last]}),
                )
                .await;
            assert_eq!(s, 201, "{v}");
            planned.push(v["visit"]["id"].as_i64().unwrap());
        }
        planned.reverse();
        let rows = |html: &str| crate::harness::table_ids(html, "visits", "/visits/");
        let (seen, pages) = yjj.walk_pages("/visits", rows, 3).await;
        assert_eq!((seen, pages), (planned.clone(), 2), "{e:?}: the page");
        let api = yjj.follow_ids("/api/v1/visits?limit=50", 4).await;
        assert_eq!(api, planned, "{e:?}: the API");
    }
}
