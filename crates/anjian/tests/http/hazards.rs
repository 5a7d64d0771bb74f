//! Hazard ledgers through the API: recording with the five implementations, scope by
//! unit and by supervised sector, and the closed loop with its refusals.

use serde_json::{Value, json};

use crate::harness::{Client, TestApp, engines};
use crate::reports::PNG;

pub(crate) fn general(place: &str) -> Value {
    json!({
        "level": "general",
        "sector": "燃气",
        "place": place,
        "description": "液化石油气钢瓶与灶具间距不足",
        "discovered_on": "2022-08-01",
        "measures": "钢瓶移至独立气瓶间",
        "responsible_person": "张三",
        "deadline": "2022-08-20"
    })
}

pub(crate) fn major(unit: i64) -> Value {
    json!({
        "unit": unit,
        "level": "major",
        "sector": "危化品",
        "place": "巴川街道某化工企业储罐区",
        "description": "储罐区可燃气体报警器失效",
        "discovered_on": "2022-08-05",
        "measures": "更换报警器并联网",
        "responsible_person": "李四",
        "funds": 35000,
        "deadline": "2022-08-31",
        "contingency_plan": "储罐区泄漏应急处置预案",
        "governance_plan": {
            "targets": "恢复可燃气体检测报警",
            "methods": "更换探头，接入监控平台",
            "funds_and_materials": "3.5万元，报警器8套",
            "people": "企业设备部",
            "deadline": "8月31日前",
            "safety_measures": "整改期间人工巡检每2小时一次"
        }
    })
}

async fn feedback(c: &Client, id: i64, text: &str, photo: bool) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().text("text", text.to_string());
    if photo {
        form = form.part(
            "evidence",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("整改后.png"),
        );
    }
    c.multipart(&format!("/api/v1/hazards/{id}/feedback"), form)
        .await
}

async fn hazard_count(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .db
        .read()
        .one(anjian_store::q(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM hazards",
        ))
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn a_township_records_hazards_and_bad_records_are_refused_whole() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let (s, h) = bachuan.post("/api/v1/hazards", general("某餐馆后厨")).await;
        assert_eq!(s, 201, "{h}");
        assert_eq!(
            (h["status"].as_str(), h["deadline"].as_str()),
            (Some("assigned"), Some("2022-08-20"))
        );
        assert_eq!(h["unit_name"], "巴川街道");
        assert_eq!(h["steps"][0]["step"], "assign");
        let id = h["id"].as_i64().unwrap();
        let before = hazard_count(&app).await;
        let refused = [
            (json!({"level": "major"}), "funds"),
            (
                json!({"level": "major", "funds": "35000", "contingency_plan": "预案"}),
                "governance_plan.targets",
            ),
            (json!({"deadline": "2022-07-01"}), "deadline"),
            (json!({"discovered_on": "2022-09-01"}), "discovered_on"),
            (json!({"sector": "矿泉水"}), "sector"),
            (json!({"level": "serious"}), "level"),
            (json!({"measures": ""}), "measures"),
            (json!({"funds": "1.234"}), "funds"),
        ];
        for (patch, field) in refused {
            let mut body = general("某处");
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (s, err) = bachuan.post("/api/v1/hazards", body).await;
            assert_eq!(s, 422, "{field}: {err}");
            assert_eq!(err["error"]["field"], field, "{err}");
        }
        assert_eq!(hazard_count(&app).await, before, "nothing half-written");
        // Another township sees none of it; 区应急局 supervises 危化品, not 燃气.
        let anju = app.login("anju").await;
        assert_eq!(anju.get(&format!("/api/v1/hazards/{id}")).await.0, 404);
        let (_, list) = anju.get("/api/v1/hazards").await;
        assert_eq!(list.as_array().unwrap().len(), 0);
        let (_, list) = app.login("yjj").await.get("/api/v1/hazards").await;
        assert!(list.as_array().unwrap().iter().all(|h| h["id"] != id));
        // A township cannot record for a unit outside its scope.
        let other = app.unit_id("安居镇").await;
        let mut body = general("某处");
        body["unit"] = json!(other);
        let (s, err) = bachuan.post("/api/v1/hazards", body).await;
        assert_eq!((s, err["error"]["field"].as_str()), (422, Some("unit")));
        // Filters name their field.
        let (s, err) = bachuan.get("/api/v1/hazards?status=lost").await;
        assert_eq!((s, err["error"]["field"].as_str()), (400, Some("status")));
    }
}

#[tokio::test]
async fn the_office_assigns_a_major_hazard_and_closes_it_after_verification() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        let bachuan_id = app.unit_id("巴川街道").await;
        let (s, h) = office.post("/api/v1/hazards", major(bachuan_id)).await;
        assert_eq!(s, 201, "{h}");
        let id = h["id"].as_i64().unwrap();
        assert_eq!(h["governance_plan"]["people"], "企业设备部");
        assert_eq!(h["funds_fen"], 3_500_000);
        // 区应急局 supervises 危化品: it sees this township's hazard; 安居镇 does not.
        let (_, list) = app
            .login("yjj")
            .await
            .get("/api/v1/hazards?sector=危化品")
            .await;
        assert!(list.as_array().unwrap().iter().any(|x| x["id"] == id));
        assert_eq!(
            app.login("anju")
                .await
                .post(
                    &format!("/api/v1/hazards/{id}/verify"),
                    json!({"pass": true})
                )
                .await
                .0,
            404
        );
        // The township: more time, with a reason; the office approves.
        let (s, err) = bachuan
            .post(
                &format!("/api/v1/hazards/{id}/extend"),
                json!({"until": "2022-09-15"}),
            )
            .await;
        assert_eq!((s, err["error"]["field"].as_str()), (422, Some("note")));
        let (s, _) = bachuan
            .post(
                &format!("/api/v1/hazards/{id}/extend"),
                json!({"until": "2022-09-15", "reason": "报警器到货延迟"}),
            )
            .await;
        assert_eq!(s, 200);
        let (s, err) = bachuan
            .post(
                &format!("/api/v1/hazards/{id}/extend"),
                json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(s, 422, "only the assigner decides: {err}");
        assert_eq!(
            office
                .post(
                    &format!("/api/v1/hazards/{id}/extend"),
                    json!({"decision": "approve"})
                )
                .await
                .0,
            200
        );
        // The office lists it for supervision; a township may not, nor may a general
        // hazard be listed.
        let listing =
            json!({"leader": "王副区长", "deadline": "2022-09-30", "note": "每周报告进展"});
        assert_eq!(
            bachuan
                .post(&format!("/api/v1/hazards/{id}/list"), listing.clone())
                .await
                .0,
            403
        );
        let (_, small) = bachuan.post("/api/v1/hazards", general("某餐馆")).await;
        let (s, err) = office
            .post(
                &format!("/api/v1/hazards/{}/list", small["id"]),
                listing.clone(),
            )
            .await;
        assert_eq!((s, err["error"]["field"].as_str()), (422, Some("level")));
        let (s, err) = office
            .post(
                &format!("/api/v1/hazards/{id}/list"),
                json!({"leader": "", "deadline": "2022-09-30"}),
            )
            .await;
        assert_eq!((s, err["error"]["field"].as_str()), (422, Some("leader")));
        assert_eq!(
            office
                .post(&format!("/api/v1/hazards/{id}/list"), listing.clone())
                .await
                .0,
            200
        );
        assert_eq!(
            office
                .post(&format!("/api/v1/hazards/{id}/list"), listing)
                .await
                .0,
            422,
            "listed once"
        );
        let (_, board) = bachuan.get("/api/v1/hazards/listed").await;
        assert_eq!(board[0]["hazard_id"], id);
        assert_eq!(board[0]["leader"], "王副区长");
        let (_, listed) = bachuan.get("/api/v1/hazards?listed=true").await;
        assert_eq!(listed.as_array().unwrap().len(), 1);
        // Feedback needs an after-photo; the township cannot verify its own feedback.
        let (s, err) = feedback(&bachuan, id, "已更换报警器", false).await;
        assert_eq!((s, err["error"]["field"].as_str()), (422, Some("evidence")));
        assert_eq!(feedback(&bachuan, id, "已更换报警器", true).await.0, 200);
        let (s, err) = bachuan
            .post(
                &format!("/api/v1/hazards/{id}/verify"),
                json!({"pass": true}),
            )
            .await;
        assert_eq!(s, 422);
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("挂牌单位"),
            "{err}"
        );
        // The office sends it back with a reason, then passes it.
        let (s, _) = office
            .post(
                &format!("/api/v1/hazards/{id}/verify"),
                json!({"pass": false}),
            )
            .await;
        assert_eq!(s, 422, "a failed verification needs a reason");
        let (s, st) = office
            .post(
                &format!("/api/v1/hazards/{id}/verify"),
                json!({"pass": false, "reason": "未接入监控平台"}),
            )
            .await;
        assert_eq!((s, st["status"].as_str()), (200, Some("rectifying")));
        assert_eq!(feedback(&bachuan, id, "已接入监控平台", true).await.0, 200);
        // Listed: closed only after an on-site verification.
        let (s, err) = office
            .post(
                &format!("/api/v1/hazards/{id}/verify"),
                json!({"pass": true}),
            )
            .await;
        assert_eq!((s, err["error"]["field"].as_str()), (422, Some("on_site")));
        let (s, st) = office
            .post(
                &format!("/api/v1/hazards/{id}/verify"),
                json!({"pass": true, "on_site": true}),
            )
            .await;
        assert_eq!((s, st["status"].as_str()), (200, Some("closed")));
        let (_, board) = bachuan.get("/api/v1/hazards/listed").await;
        assert!(
            board[0]["closed_at"].as_i64().is_some(),
            "the board keeps the history"
        );
        let (_, h) = bachuan.get(&format!("/api/v1/hazards/{id}")).await;
        assert_eq!(h["deadline"], "2022-09-15");
        let steps: Vec<&str> = h["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            [
                "assign",
                "extend_request",
                "extend_approve",
                "list",
                "feedback",
                "verify_fail",
                "feedback",
                "verify_pass"
            ]
        );
        assert_eq!(h["files"].as_array().unwrap().len(), 2, "two after-photos");
        let (s, _) = feedback(&bachuan, id, "再次反馈", true).await;
        assert_eq!(s, 422, "closed is closed");
        assert!(
            anjian_store::audit::verify(&app.db)
                .await
                .unwrap()
                .broken
                .is_none()
        );
    }
}

#[tokio::test]
async fn overdue_is_a_flag_and_a_filter() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let mut late = general("某加油站");
        late["discovered_on"] = json!("2022-07-01");
        late["deadline"] = json!("2022-07-15");
        let (s, h) = bachuan.post("/api/v1/hazards", late).await;
        assert_eq!(s, 201, "{h}");
        assert_eq!(h["overdue"], 1, "past its deadline on 2022-08-09");
        let (_, on_time) = bachuan.post("/api/v1/hazards", general("某餐馆")).await;
        let (_, list) = bachuan.get("/api/v1/hazards?status=overdue").await;
        let ids: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect();
        assert!(
            ids.contains(&h["id"].as_i64().unwrap())
                && !ids.contains(&on_time["id"].as_i64().unwrap())
        );
        // Keyset: newest first, one at a time.
        let (_, first) = bachuan.get("/api/v1/hazards?limit=1").await;
        let first = first[0]["id"].as_i64().unwrap();
        let (_, second) = bachuan
            .get(&format!("/api/v1/hazards?limit=1&after={first}"))
            .await;
        assert!(second[0]["id"].as_i64().unwrap() < first);
    }
}

/// A township's own major hazard, once listed, is the listing unit's to close.
#[tokio::test]
async fn a_listed_hazard_is_closed_by_the_listing_unit_only() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let own = app.unit_id("巴川街道").await;
        let (s, h) = bachuan.post("/api/v1/hazards", major(own)).await;
        assert_eq!(s, 201, "{h}");
        let id = h["id"].as_i64().unwrap();
        let office = app.login("office").await;
        let listing = json!({"leader": "王副区长", "deadline": "2022-09-30",
                             "note": "每周五前报送整改进展\n整改期间储罐区停止动火作业"});
        assert_eq!(
            office
                .post(&format!("/api/v1/hazards/{id}/list"), listing)
                .await
                .0,
            200
        );
        // The unit reads the listing's requirements where it acts: on the hazard's page
        // and in its answer.
        let (_, page) = bachuan.get_text(&format!("/hazards/{id}")).await;
        let shown = page.split("id=\"listing\"").nth(1).unwrap_or_default();
        assert!(
            shown.contains("王副区长")
                && shown.contains("2022-09-30")
                && shown.contains("督办要求")
                && shown.contains("整改期间储罐区停止动火作业"),
            "{shown}"
        );
        let (_, h) = bachuan.get(&format!("/api/v1/hazards/{id}")).await;
        assert_eq!(h["listing"]["leader"], "王副区长", "{h}");
        assert_eq!(feedback(&bachuan, id, "已整改", true).await.0, 200);
        let (s, err) = bachuan
            .post(
                &format!("/api/v1/hazards/{id}/verify"),
                json!({"pass": true, "on_site": true}),
            )
            .await;
        assert_eq!(s, 422);
        assert_eq!(err["error"]["code"], "listed_verifier", "{err}");
        let (s, _) = office
            .post(
                &format!("/api/v1/hazards/{id}/verify"),
                json!({"pass": true, "on_site": true}),
            )
            .await;
        assert_eq!(s, 200);
    }
}

/// The ledger pages: record on a phone-sized form, see it in the ledger and its export,
/// feed back with a photo, and the office verifies on the hazard's page.
#[tokio::test]
async fn the_ledger_pages_walk_the_loop() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let (s, page) = bachuan.get_text("/hazards/new").await;
        assert_eq!(s, 200);
        assert!(page.contains("五落实") && page.contains("危化品"));
        let form = [
            ("level", "major"),
            ("sector", "燃气"),
            ("source", "self_inspection"),
            ("place", "某农贸市场燃气管道"),
            ("description", "燃气管道锈蚀"),
            ("discovered_on", "2022-08-02"),
            ("measures", "更换管道"),
            ("responsible_person", "赵六"),
            ("deadline", "2022-08-25"),
        ];
        let (s, page) = bachuan.form("/hazards", &form).await;
        assert_eq!(s, 422);
        assert!(
            page.contains("缺少整改资金") && page.contains("某农贸市场燃气管道"),
            "the form keeps what was typed"
        );
        let mut general = form.to_vec();
        general[0] = ("level", "general");
        let r = bachuan
            .send(
                bachuan
                    .http
                    .post(format!("{}/hazards", app.base))
                    .form(&general),
            )
            .await;
        assert_eq!(r.status(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let id: i64 = to
            .trim_start_matches("/hazards/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let (_, page) = bachuan.get_text(&to).await;
        assert!(
            page.contains("已登记并交办：巴川街道 · ")
                && page.contains("feedback-form")
                && !page.contains("verify-form")
        );
        let (_, ledger) = bachuan.get_text("/hazards?sector=燃气").await;
        assert!(ledger.contains("某农贸市场燃气管道"));
        assert_eq!(
            app.login("anju")
                .await
                .get_text(&format!("/hazards/{id}"))
                .await
                .0,
            404
        );
        let r = bachuan
            .http
            .get(format!("{}/hazards.xlsx?status=assigned", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.bytes().await.unwrap().starts_with(b"PK"));
        // Feedback with a photo from the page; the township is both sides of its own
        // hazard, so it verifies it too.
        let form = reqwest::multipart::Form::new()
            .text("text", "已更换管道")
            .part(
                "evidence",
                reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("after.png"),
            );
        let r = bachuan
            .post_multipart(&format!("/hazards/{id}/feedback"), form)
            .await;
        assert_eq!(r.status(), 303);
        let (_, page) = bachuan.get_text(&format!("/hazards/{id}")).await;
        assert!(page.contains("verify-form") && page.contains("after.png"));
        let sha = page
            .split("/files/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = bachuan
            .http
            .get(format!("{}/hazards/{id}/files/{sha}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "image/png");
        let (s, _) = bachuan
            .form(&format!("/hazards/{id}/verify"), &[("decision", "pass")])
            .await;
        assert_eq!(s, 303);
        let (_, page) = bachuan.get_text(&format!("/hazards/{id}")).await;
        assert!(page.contains("已销号"));
        // Statistics: one found, one closed, 100% for 燃气; another township sees none.
        let (s, page) = bachuan.get_text("/hazards/stats?by=sector").await;
        assert_eq!(s, 200);
        assert!(
            page.contains("<svg")
                && page.contains("<td>燃气</td><td>1</td><td>1</td><td>100%</td>"),
            "{page}"
        );
        let (_, page) = app
            .login("anju")
            .await
            .get_text("/hazards/stats?by=month")
            .await;
        assert!(page.contains("没有隐患"));
        let (_, page) = app
            .login("office")
            .await
            .get_text("/hazards/stats?by=month")
            .await;
        assert!(page.contains("<td>2022-08</td>"));
    }
}

async fn upload_ledger(c: &Client, bytes: Vec<u8>) -> (u16, String) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("台账.xlsx"),
    );
    let r = c.post_multipart("/hazards/import", form).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Last month's Excel ledger imports through the template, all or nothing.
#[tokio::test]
async fn a_ledger_imports_from_the_template_all_or_nothing() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let r = bachuan
            .http
            .get(format!("{}/hazards/template.xlsx", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let template = r.bytes().await.unwrap().to_vec();
        let row = |place: &str, sector: &str, deadline: &str| -> Vec<String> {
            [
                "一般隐患",
                sector,
                "自查",
                place,
                "堆放杂物",
                "2022-07-05",
                "清理",
                "王五",
                "",
                deadline,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        };
        let sheet = |rows: &[Vec<String>]| {
            anjian_core::sheet::table("隐患台账", &anjian_core::ledger::COLUMNS, rows).unwrap()
        };
        let before = hazard_count(&app).await;
        let (s, page) = upload_ledger(
            &bachuan,
            sheet(&[
                row("某仓库", "消防", "2022-07-20"),
                row("某商铺", "矿泉水", "2022-07-20"),
                row("某楼道", "消防", "2022-07-01"),
            ]),
        )
        .await;
        assert_eq!(s, 422);
        assert!(
            page.contains("发现 2 处错误")
                && page.contains("行业领域")
                && page.contains("整改时限"),
            "{page}"
        );
        assert_eq!(hazard_count(&app).await, before, "nothing imported");
        let (s, page) = upload_ledger(
            &bachuan,
            sheet(&[
                row("某仓库", "消防", "2022-07-20"),
                row("某商铺", "燃气", "2022-08-30"),
            ]),
        )
        .await;
        assert_eq!(s, 200, "{page}");
        assert!(page.contains("导入成功：2 条"));
        let (_, list) = bachuan.get("/api/v1/hazards?status=overdue").await;
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|h| h["place"] == "某仓库"),
            "past its deadline"
        );
        // The template's example row imports as it stands.
        let (s, _) = upload_ledger(&bachuan, template).await;
        assert_eq!(s, 200);
        assert_eq!(hazard_count(&app).await, before + 3);
    }
}

/// A hazard's rectification deadline is an obligation of the responsible unit: it shows
/// in the unit's to-do list (overdue when past), moves with the loop's steps, and cannot
/// be reported on or reviewed apart from the hazard.
#[tokio::test]
async fn the_rectification_deadline_is_an_obligation() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        let unit = app.unit_id("巴川街道").await;
        let mut late = general("巴川街道某加油站");
        late["unit"] = json!(unit);
        late["discovered_on"] = json!("2022-07-01");
        late["deadline"] = json!("2022-07-15");
        let (s, h) = office.post("/api/v1/hazards", late).await;
        assert_eq!(s, 201, "{h}");
        let id = h["id"].as_i64().unwrap();
        let owed = |list: &Value| -> Vec<Value> {
            list.as_array()
                .unwrap()
                .iter()
                .filter(|o| o["case_id"].as_i64().is_some())
                .cloned()
                .collect()
        };
        let (_, list) = bachuan
            .get("/api/v1/obligations?state=overdue&limit=1000")
            .await;
        let mine = owed(&list);
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["due_on"], "2022-07-15");
        assert!(mine[0]["title"].as_str().unwrap().contains("隐患整改"));
        let obligation = mine[0]["id"].as_i64().unwrap();
        // The to-do page lists it and leads to the hazard.
        let (_, todo) = bachuan.get_text("/todo").await;
        assert!(todo.contains("整改时限") && todo.contains("/cases/"));
        let case = mine[0]["case_id"].as_i64().unwrap();
        let r = bachuan
            .http
            .get(format!("{}/cases/{case}", bachuan.base))
            .send()
            .await
            .unwrap();
        let to = r
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| r.url().path().to_string());
        assert_eq!(to, format!("/hazards/{id}"));
        // Another township does not see the case.
        let anju = app.login("anju").await;
        assert_eq!(anju.get_text(&format!("/cases/{case}")).await.0, 404);
        // It is not reported on apart from the hazard.
        let form = reqwest::multipart::Form::new().text("text", "已整改");
        let r = bachuan
            .post_multipart(&format!("/obligations/{obligation}/reports"), form)
            .await;
        assert_eq!(r.status().as_u16(), 422);
        // Feedback submits it; the office's verification closes it, late.
        assert_eq!(feedback(&bachuan, id, "钢瓶已移出", true).await.0, 200);
        let (_, list) = bachuan
            .get("/api/v1/obligations?state=submitted&limit=1000")
            .await;
        assert_eq!(owed(&list).len(), 1);
        let (s, _) = office
            .post(
                &format!("/api/v1/hazards/{id}/verify"),
                json!({"pass": true}),
            )
            .await;
        assert_eq!(s, 200);
        let (_, list) = bachuan
            .get("/api/v1/obligations?state=done_late&limit=1000")
            .await;
        assert_eq!(owed(&list)[0]["id"].as_i64(), Some(obligation));
    }
}

/// The statistics API: rates by unit, sector and month over the caller's scope.
#[tokio::test]
async fn statistics_count_the_hazards_in_scope() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let anju = app.login("anju").await;
        let office = app.login("office").await;
        let mut late = general("巴川街道某加油站");
        late["discovered_on"] = json!("2022-07-01");
        late["deadline"] = json!("2022-07-15");
        assert_eq!(bachuan.post("/api/v1/hazards", late).await.0, 201);
        let (_, h) = bachuan
            .post("/api/v1/hazards", general("巴川街道某餐馆"))
            .await;
        let id = h["id"].as_i64().unwrap();
        assert_eq!(feedback(&bachuan, id, "已整改", true).await.0, 200);
        let (s, _) = bachuan
            .post(
                &format!("/api/v1/hazards/{id}/verify"),
                json!({"pass": true}),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(
            anju.post("/api/v1/hazards", general("安居镇某餐馆"))
                .await
                .0,
            201
        );
        let (s, lines) = office.get("/api/v1/hazards/stats?by=unit").await;
        assert_eq!(s, 200);
        let line = |v: &Value, k: &str| {
            v.as_array()
                .unwrap()
                .iter()
                .find(|l| l["key"] == k)
                .cloned()
                .unwrap_or(Value::Null)
        };
        let b = line(&lines, "巴川街道");
        assert_eq!(
            (
                b["found"].as_i64(),
                b["closed"].as_i64(),
                b["rate"].as_i64(),
                b["overdue"].as_i64()
            ),
            (Some(2), Some(1), Some(50), Some(1))
        );
        assert_eq!(line(&lines, "安居镇")["found"], 1);
        // A township counts only its own.
        let (_, mine) = bachuan.get("/api/v1/hazards/stats?by=month").await;
        let total: i64 = mine
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["found"].as_i64().unwrap())
            .sum();
        assert_eq!(total, 2);
        assert_eq!(line(&mine, "2022-07")["found"], 1);
        let (_, sectors) = bachuan.get("/api/v1/hazards/stats?by=sector").await;
        assert_eq!(line(&sectors, "燃气")["found"], 2);
        let (s, err) = office.get("/api/v1/hazards/stats?by=leader").await;
        assert_eq!((s, err["error"]["field"].as_str()), (422, Some("by")));
        // An enterprise's hazard rolls up to its locality (属地) for the office; the
        // department supervising its sector counts exactly the hazards its ledger lists.
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let mut h = general("某化工企业罐区");
        h["unit"] = json!(chem);
        h["sector"] = json!("危化品");
        assert_eq!(office.post("/api/v1/hazards", h).await.0, 201);
        let (_, lines) = office.get("/api/v1/hazards/stats?by=unit").await;
        let keys: Vec<&str> = lines
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["key"].as_str().unwrap())
            .collect();
        assert!(!keys.contains(&"重庆铜梁某化工有限公司"), "{keys:?}");
        let total = |v: &Value| -> i64 {
            v.as_array()
                .unwrap()
                .iter()
                .map(|l| l["found"].as_i64().unwrap())
                .sum()
        };
        assert_eq!(total(&lines), 4);
        let yjj = app.login("yjj").await;
        let (_, ledger) = yjj.get("/api/v1/hazards?limit=1000").await;
        let listed = ledger.as_array().unwrap().len() as i64;
        assert!(listed >= 1);
        for by in ["unit", "sector", "month"] {
            let (_, v) = yjj.get(&format!("/api/v1/hazards/stats?by={by}")).await;
            assert_eq!(total(&v), listed, "by {by}: {v}");
        }
        let (_, v) = yjj.get("/api/v1/hazards/stats?by=sector").await;
        assert_eq!(line(&v, "危化品")["found"], 1);
        assert_eq!(
            line(&v, "燃气")["found"],
            Value::Null,
            "gas is not its sector"
        );
    }
}

/// Body 三(二): "自查问题要建立台账清单，做到整改措施、责任、资金、时限和预案“五落实”" — a
/// hazard fixed on the spot says so in one step and still states all five; a major
/// hazard cannot be.
#[tokio::test]
async fn a_hazard_fixed_on_the_spot_states_all_five_and_is_closed_at_once() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let mut body = general("某超市安全出口");
        body["fixed_on_spot"] = json!(true);
        body["measures"] = json!("现场清除安全出口堆放的纸箱");
        body.as_object_mut().unwrap().remove("deadline");
        let (s, h) = bachuan.post("/api/v1/hazards", body).await;
        assert_eq!(s, 201, "{h}");
        assert_eq!(h["status"], "closed", "{h}");
        assert_eq!(h["deadline"], "2022-08-01", "the day it was found");
        let (s, page) = bachuan.get_text(&format!("/hazards/{}", h["id"])).await;
        assert_eq!(s, 200);
        assert!(page.contains("现场立即整改"), "{page}");
        assert!(!page.contains("未落实"), "all five are stated");
        // A major hazard cannot be fixed on the spot.
        let mut major = major(app.unit_id("巴川街道").await);
        major["fixed_on_spot"] = json!(true);
        let (s, err) = bachuan.post("/api/v1/hazards", major).await;
        assert_eq!(
            (s, err["error"]["field"].as_str()),
            (422, Some("fixed_on_spot"))
        );
        // A hazard recorded without funds or a plan shows what is missing.
        let (_, h) = bachuan.post("/api/v1/hazards", general("某餐馆后厨")).await;
        let (_, page) = bachuan.get_text(&format!("/hazards/{}", h["id"])).await;
        assert!(page.contains("未落实"), "nothing is silently blank");
    }
}

/// Issue 16 part 3: "uploads stored only after the caller and the form are accepted,
/// orphans collected"; issue 17 part 3: a form refused for what was typed keeps the
/// photos already sent ("keep accepted uploads server-side for the draft") for the
/// caller's next submission, and a draft never submitted is collected like any orphan.
#[tokio::test]
async fn refused_forms_store_no_upload_and_orphans_are_collected() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let evidence = |app: &TestApp| {
            app.data_files()
                .into_iter()
                .filter(|(p, _)| p.to_string_lossy().contains("evidence"))
                .count()
        };
        let before = evidence(&app);
        let photo = || {
            reqwest::multipart::Part::bytes(vec![0xff, 0xd8, 0xff, 0xe0, 0, 2, 0xff, 0xd9, 1, 2, 3])
                .file_name("现场.jpg")
        };
        let post = |c: &crate::harness::Client, form: reqwest::multipart::Form| {
            let http = c.http.clone();
            let url = format!("{}/hazards", c.base);
            async move {
                http.post(url)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        // A role that may not record: nothing is stored.
        let bachuan = app.login("bachuan").await;
        let auditor = app.login("auditor").await;
        let form = reqwest::multipart::Form::new()
            .text("description", "x")
            .part("photos", photo());
        assert_eq!(post(&auditor, form).await, 403);
        assert_eq!(
            evidence(&app),
            before,
            "nothing of a refused caller on the disk"
        );
        // A form the rules refuse (no description) from a unit that may record: its
        // photo is kept as the draft's, for the next submission.
        let draft =
            reqwest::multipart::Part::bytes(vec![0xff, 0xd8, 0xff, 0xe0, 0, 2, 0xff, 0xd9, 9, 9])
                .file_name("草稿.jpg");
        let form = reqwest::multipart::Form::new()
            .text("sector", "危险化学品")
            .text("description", "")
            .part("photos", draft);
        assert_eq!(post(&bachuan, form).await, 422);
        assert_eq!(evidence(&app), before + 1, "the draft's photo is kept");
        // An accepted one keeps its photo.
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in [
            ("level", "general"),
            ("sector", "燃气"),
            ("source", "self_inspection"),
            ("place", "某农贸市场燃气管道"),
            ("description", "燃气管道锈蚀"),
            ("discovered_on", "2022-08-02"),
            ("measures", "更换管道"),
            ("responsible_person", "赵六"),
            ("deadline", "2022-08-25"),
        ] {
            form = form.text(k, v);
        }
        assert_eq!(post(&bachuan, form.part("photos", photo())).await, 303);
        assert_eq!(evidence(&app), before + 2);
        // Every stored file is made two days old for the sweep below.
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
        for (p, _) in app.data_files() {
            if p.to_string_lossy().contains("evidence") {
                std::fs::File::options()
                    .write(true)
                    .open(&p)
                    .unwrap()
                    .set_modified(old)
                    .unwrap();
            }
        }
        // A file no record references, older than a day, is removed by the sweep; a
        // referenced one stays.
        let dir = app.data_dir().join("evidence").join("ab");
        std::fs::create_dir_all(&dir).unwrap();
        let orphan = dir.join("ab".repeat(32));
        std::fs::write(&orphan, b"left behind").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&orphan)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let state = anjian_web::AppState::new(
            app.db.clone(),
            std::sync::Arc::new(app.clock.clone()),
            anjian_web::WebConfig {
                data_dir: app.data_dir(),
                ..anjian_web::WebConfig::default()
            },
        );
        // The orphan and the draft never submitted go; the hazard's photo stays.
        let kept = evidence(&app) - 2;
        assert_eq!(anjian_web::upload::sweep_orphans(&state).await.unwrap(), 2);
        assert!(!orphan.exists());
        assert_eq!(evidence(&app), kept, "referenced files stay");
    }
}

/// Two office users verifying the same fed-back hazard at once: one closes it, the
/// other is told it was already decided, and the chain holds one verification.
#[tokio::test]
async fn a_concurrent_double_verification_succeeds_once() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let (a, b) = (app.login("office").await, app.login("office").await);
        let (s, h) = a
            .post("/api/v1/hazards", major(app.unit_id("巴川街道").await))
            .await;
        assert_eq!(s, 201, "{h}");
        let id = h["id"].as_i64().unwrap();
        assert_eq!(feedback(&bachuan, id, "已整改", true).await.0, 200);
        let path = format!("/api/v1/hazards/{id}/verify");
        let body = json!({"pass": true});
        let (x, y) = tokio::join!(a.post(&path, body.clone()), b.post(&path, body));
        crate::harness::one_of_two_succeeds(&x, &y);
        assert_eq!(
            crate::harness::entries(&app, "hazard.verif%", id).await,
            1,
            "one verification in the chain"
        );
    }
}

/// Issue 17 part 1: the ledger narrows to a locality and to words, and shows the day
/// each hazard was found.
#[tokio::test]
async fn the_ledger_narrows_to_a_locality_and_words_and_shows_the_day_found() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let anju = app.login("anju").await;
        assert_eq!(
            bachuan
                .post("/api/v1/hazards", general("某农贸市场熟食区"))
                .await
                .0,
            201
        );
        assert_eq!(
            anju.post("/api/v1/hazards", general("某古镇客栈厨房"))
                .await
                .0,
            201
        );
        let office = app.login("office").await;
        let (_, page) = office.get_text("/hazards?q=农贸").await;
        assert!(page.contains("某农贸市场熟食区") && !page.contains("某古镇客栈厨房"));
        assert!(page.contains("2022-08-01"), "the day found is a column");
        let town = app.unit_id("安居镇").await;
        let (_, page) = office.get_text(&format!("/hazards?locality={town}")).await;
        assert!(page.contains("某古镇客栈厨房") && !page.contains("某农贸市场熟食区"));
        assert!(
            page.contains(&format!("<option value=\"{town}\" selected>")),
            "the choice stays"
        );
    }
}

/// Issue 17 part 3: every problem of a refused hazard form is told at once, each beside
/// its field (the API lists them under `also`); what was typed comes back.
#[tokio::test]
async fn a_refused_hazard_form_tells_every_problem_beside_its_field() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let own = app.unit_id("巴川街道").await;
        let mut body = major(own);
        body["funds"] = json!("");
        body["deadline"] = json!("");
        body["governance_plan"]["methods"] = json!("");
        body["governance_plan"]["people"] = json!("");
        let (s, b) = bachuan.post("/api/v1/hazards", body).await;
        assert_eq!(s, 422, "{b}");
        let mut fields: Vec<&str> = std::iter::once(&b["error"])
            .chain(b["error"]["also"].as_array().unwrap().iter())
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "deadline",
                "funds",
                "governance_plan.methods",
                "governance_plan.people"
            ],
            "{b}"
        );
        // The page: the summary counts them and each is shown beside its field.
        let form: Vec<(&str, &str)> = vec![
            ("level", "major"),
            ("sector", "危化品"),
            ("source", "self_inspection"),
            ("place", "巴川街道某化工企业储罐区"),
            ("description", "储罐区可燃气体报警器失效"),
            ("discovered_on", "2022-08-05"),
            ("measures", "更换报警器并联网"),
            ("responsible_person", "李四"),
            ("contingency_plan", "储罐区泄漏应急处置预案"),
            ("g_targets", "恢复可燃气体检测报警\n检测数据接入监控平台"),
            ("g_funds_and_materials", "3.5万元"),
            ("g_deadline", "8月31日前"),
            ("g_safety_measures", "停止动火作业"),
        ];
        let mut multipart = reqwest::multipart::Form::new();
        for (k, v) in form {
            multipart = multipart.text(k, v);
        }
        let r = bachuan.post_multipart("/hazards", multipart).await;
        let (s, page) = (r.status().as_u16(), r.text().await.unwrap());
        assert_eq!(s, 422, "{page}");
        assert!(page.contains("有4处需要修改"), "{page}");
        for (name, message) in [
            ("funds", "缺少整改资金"),
            ("deadline", "缺少整改时限"),
            ("g_methods", "缺少采取的方法和措施"),
            ("g_people", "缺少负责治理的机构和人员"),
        ] {
            let at = page
                .split(&format!("name=\"{name}\""))
                .nth(1)
                .unwrap_or_default();
            let beside = at.split("</label>").next().unwrap_or_default();
            assert!(
                beside.contains("field-error") && beside.contains(message),
                "{name}: {beside}"
            );
        }
        assert!(page.contains("恢复可燃气体检测报警\n检测数据接入监控平台"));
        assert!(page.contains("停止动火作业"), "what was typed comes back");
    }
}
