//! Enforcement records: two certified inspectors, a penalty's legal basis, an enterprise
//! in the enforcing unit's scope; lists in scope; the month's zero-enforcement watch.

use serde_json::{Value, json};

use crate::harness::{TestApp, engines};

fn record(enterprise: i64) -> Value {
    json!({
        "enterprise": enterprise,
        "inspected_on": "2022-08-05",
        "inspectors": [
            {"name": "王强", "certificate": "渝应急执 0501"},
            {"name": "刘洋", "certificate": "渝应急执 0502"}
        ],
        "place": "储罐区及装卸区",
        "checked": "重大危险源管理、特殊作业审批、两个必查",
        "problems": "可燃气体报警器失效\n动火作业未审批",
        "handling": "责令限期整改并立案",
        "signed": true,
        "principal_checked": true,
        "heads_checked": true,
        "order_deadline": "2022-08-15",
        "penalty": {"kind": "罚款", "amount": "30000", "legal_basis": "《安全生产法》第九十九条", "discretion": "裁量基准第12项 一般", "decided_on": "2022-08-08"}
    })
}

#[tokio::test]
async fn a_department_records_an_inspection_of_an_enterprise_it_supervises() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let office = app.login("office").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let gas = app.unit_id("铜梁区某燃气有限公司").await;
        // Bad input is refused naming the field; nothing is written.
        let mut one = record(chem);
        one["inspectors"].as_array_mut().unwrap().pop();
        let mut no_basis = record(chem);
        no_basis["penalty"]["legal_basis"] = json!("");
        let mut no_amount = record(chem);
        no_amount["penalty"]["amount"] = json!("");
        let mut no_enterprise = record(chem);
        no_enterprise.as_object_mut().unwrap().remove("enterprise");
        for (body, field) in [
            (one, "inspectors"),
            (no_basis, "penalty.legal_basis"),
            (no_amount, "penalty.amount"),
            (no_enterprise, "enterprise"),
            (record(gas), "enterprise"),
        ] {
            let (s, b) = yjj.post("/api/v1/enforcements", body).await;
            assert_eq!((s, b["error"]["field"].as_str()), (422, Some(field)), "{b}");
        }
        assert!(
            yjj.get("/api/v1/enforcements")
                .await
                .1
                .as_array()
                .unwrap()
                .is_empty()
        );
        let mut with_ledger = record(chem);
        with_ledger["to_ledger"] = json!(true);
        let (s, r) = yjj.post("/api/v1/enforcements", with_ledger).await;
        assert_eq!(s, 201, "{r}");
        assert_eq!(r["step"], "penalty");
        // Its two problems are now hazards of the enterprise, assigned by the department
        // with the order's deadline (and so obligations of the enterprise).
        let huagong = app.login("huagong").await;
        let (_, ledger) = huagong.get("/api/v1/hazards").await;
        let found: Vec<(&str, &str, &str)> = ledger
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["source"] == "enforcement")
            .map(|h| {
                (
                    h["description"].as_str().unwrap(),
                    h["deadline"].as_str().unwrap(),
                    h["status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("动火作业未审批", "2022-08-15", "assigned"),
                ("可燃气体报警器失效", "2022-08-15", "assigned")
            ]
        );
        let mut no_deadline = record(chem);
        no_deadline["to_ledger"] = json!(true);
        no_deadline["order_deadline"] = json!("");
        let (s, b) = yjj.post("/api/v1/enforcements", no_deadline).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("to_ledger")));
        assert_eq!(r["penalty_amount_fen"], 3_000_000);
        assert_eq!(r["problem_count"], 2);
        assert_eq!(r["enterprise_name"], "重庆铜梁某化工有限公司");
        // The office sees it, filtered by unit and month; a township sees it only if the
        // enterprise is in its subtree.
        let (_, me) = yjj.get("/api/v1/me").await;
        let dept = me["unit"]["id"].as_i64().unwrap();
        let (_, l) = office
            .get(&format!("/api/v1/enforcements?unit={dept}&month=2022-08"))
            .await;
        assert_eq!(l.as_array().unwrap().len(), 1);
        let (_, l) = office.get("/api/v1/enforcements?month=2022-07").await;
        assert!(l.as_array().unwrap().is_empty());
        let (s, b) = office.get("/api/v1/enforcements?month=2022-13").await;
        assert_eq!((s, b["error"]["field"].as_str()), (400, Some("month")));
        let (_, unit) = office.get(&format!("/api/v1/units/{chem}")).await;
        let parent = unit["parent"].as_i64();
        assert!(parent.is_some(), "{unit}");
        for (login, town) in [("bachuan", "巴川街道"), ("anju", "安居镇")] {
            let seen = !app
                .login(login)
                .await
                .get("/api/v1/enforcements")
                .await
                .1
                .as_array()
                .unwrap()
                .is_empty();
            assert_eq!(seen, parent == Some(app.unit_id(town).await), "{login}");
        }
        // The watch: the department inspected once; a township with none is flagged.
        let (s, w) = office.get("/api/v1/enforcements/watch?month=2022-08").await;
        assert_eq!(s, 200);
        let line = |name: &str| {
            w.as_array()
                .unwrap()
                .iter()
                .find(|l| l["unit_name"] == name)
                .cloned()
                .unwrap()
        };
        let d = line("区应急局");
        assert_eq!(
            (
                d["inspections"].as_i64(),
                d["enterprises"].as_i64(),
                d["penalties"].as_i64(),
                d["amount_fen"].as_i64(),
                d["zero"].as_bool()
            ),
            (Some(1), Some(1), Some(1), Some(3_000_000), Some(false))
        );
        assert_eq!(d["must_checked"], 1, "both must-checks were made");
        assert_eq!(d["zero_penalty"], false);
        // Four(二): "坚决杜绝“零执法”、“零处罚”" — a township with no inspection is a 零执法
        // unit.
        assert_eq!(line("巴川街道")["zero"], true);
        // An inspection without a penalty makes a 零处罚 unit.
        let mut unpunished = record(chem);
        unpunished.as_object_mut().unwrap().remove("penalty");
        unpunished["inspectors"][0]["certificate"] = json!("渝应急执 0601");
        assert_eq!(yjj.post("/api/v1/enforcements", unpunished).await.0, 201);
        let (_, w2) = office.get("/api/v1/enforcements/watch?month=2022-08").await;
        let d2 = w2
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["unit_name"] == "区应急局")
            .cloned()
            .unwrap();
        assert_eq!(
            (d2["inspections"].as_i64(), d2["zero_penalty"].as_bool()),
            (Some(2), Some(false)),
            "one penalty is enough"
        );
        let (_, page) = office.get_text("/enforcements?month=2022-08").await;
        assert!(page.contains("零执法") && page.contains("零处罚"), "{page}");
        let (s, b) = office.get("/api/v1/enforcements/watch").await;
        assert_eq!((s, b["error"]["field"].as_str()), (400, Some("month")));
        // A township sees only its own line.
        let (_, w) = app
            .login("bachuan")
            .await
            .get("/api/v1/enforcements/watch?month=2022-08")
            .await;
        let names: Vec<&str> = w
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["unit_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["巴川街道"]);
    }
}

#[tokio::test]
async fn the_enforcement_page_records_an_inspection_and_flags_units_without_one() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await.to_string();
        let fields = |second_certificate: &'static str| {
            vec![
                ("enterprise", chem.clone()),
                ("inspected_on", "2022-08-05".to_string()),
                ("i1_name", "王强".to_string()),
                ("i1_certificate", "渝应急执 0501".to_string()),
                ("i2_name", "刘洋".to_string()),
                ("i2_certificate", second_certificate.to_string()),
                ("place", "储罐区".to_string()),
                ("checked", "特殊作业审批".to_string()),
                ("problems", "动火作业未审批".to_string()),
                ("signed", "1".to_string()),
                ("order_deadline", "2022-08-15".to_string()),
                ("principal_checked", "1".to_string()),
                ("heads_checked", "0".to_string()),
            ]
        };
        // A second inspector without a certificate: refused, the form kept open.
        let r = yjj
            .send(
                yjj.http
                    .post(format!("{}/enforcements", app.base))
                    .form(&fields("")),
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("须填写执法证号"));
        // Item (56): the two must-checks are required answers.
        let mut unanswered = fields("渝应急执 0502");
        unanswered.retain(|(k, _)| *k != "heads_checked");
        let r = yjj
            .send(
                yjj.http
                    .post(format!("{}/enforcements", app.base))
                    .form(&unanswered),
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("三个层级负责人"));
        let r = yjj
            .send(
                yjj.http
                    .post(format!("{}/enforcements", app.base))
                    .form(&fields("渝应急执 0502")),
            )
            .await;
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with("/enforcements?month=2022-08"),
            "{location}"
        );
        let (s, page) = yjj.get_text(&location).await;
        assert_eq!(s, 200);
        assert!(page.contains("执法检查已记录") && page.contains("重庆铜梁某化工有限公司"));
        assert!(page.contains("检查诊断"));
        // The enforcing unit rechecks from the page: found rectified.
        let id = yjj.get("/api/v1/enforcements").await.1[0]["id"]
            .as_i64()
            .unwrap();
        let (s, _) = yjj
            .form(
                &format!("/enforcements/{id}/recheck"),
                &[("rectified", "1"), ("month", "2022-08")],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = yjj.get_text("/enforcements?month=2022-08&ok=recheck").await;
        assert!(page.contains("复查结果已记录") && page.contains("整改复查"));
        // The office's watch names the townships with no enforcement this month.
        let (_, page) = app
            .login("office")
            .await
            .get_text("/enforcements?month=2022-08")
            .await;
        assert!(page.contains("本月未开展执法") && page.contains("巴川街道"));
        let (s, _) = yjj.get_text("/enforcements?month=2022-99").await;
        assert_eq!(s, 422);
    }
}

/// POST /api/v1/enforcements/{id}/recheck with `rectified`.
async fn recheck(c: &crate::harness::Client, id: i64, rectified: Value) -> (u16, Value) {
    c.post(
        &format!("/api/v1/enforcements/{id}/recheck"),
        json!({ "rectified": rectified }),
    )
    .await
}

#[tokio::test]
async fn refusing_to_rectify_after_a_fine_runs_a_daily_penalty_until_a_recheck_finds_it_done() {
    const DAY: i64 = 86_400_000;
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let (_, r) = yjj.post("/api/v1/enforcements", record(chem)).await;
        let id = r["id"].as_i64().unwrap();
        assert_eq!(r["daily_penalty_fen"], 0);
        // Only the enforcing unit rechecks; the finding is required.
        let office = app.login("office").await;
        assert_eq!(recheck(&office, id, json!(true)).await.0, 404);
        let (s, b) = recheck(&yjj, id, Value::Null).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("rectified")));
        // Ordered on 5 August (deadline the 15th). On the 18th it is still not done: the
        // daily penalty runs "自作出责令改正之日的次日起" (安全生产法 art. 112): 13 days.
        app.advance(9 * DAY);
        let yjj = app.login("yjj").await;
        let (s, r) = recheck(&yjj, id, json!(false)).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["refused_rectification"], 1);
        assert_eq!(r["daily_penalty_fen"], 13 * 3_000_000);
        // Found done on the 20th: the total stops at 15 days and the record is complete.
        app.advance(2 * DAY);
        let yjj = app.login("yjj").await;
        let (s, r) = recheck(&yjj, id, json!(true)).await;
        assert_eq!(s, 200);
        assert_eq!(
            (r["step"].as_str(), r["daily_penalty_fen"].as_i64()),
            (Some("recheck"), Some(15 * 3_000_000))
        );
        app.advance(5 * DAY);
        let yjj = app.login("yjj").await;
        let (_, r) = yjj.get("/api/v1/enforcements").await;
        assert_eq!(
            r[0]["daily_penalty_fen"],
            15 * 3_000_000,
            "frozen once rectified"
        );
        let (s, b) = recheck(&yjj, id, json!(true)).await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (422, Some("already_rectified"))
        );
    }
}

/// Issue 17 part 3: "all problems of a form are listed at once, each next to its
/// field", and nothing typed is lost: an enforcement record refused for three problems
/// comes back with every value and choice, each problem beside its field.
#[tokio::test]
async fn a_refused_enforcement_record_keeps_everything_and_names_each_problem() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let enterprise = app.unit_id("重庆铜梁某化工有限公司").await.to_string();
        let (s, html) = yjj
            .form(
                "/enforcements",
                &[
                    ("enterprise", enterprise.as_str()),
                    ("inspected_on", "2022-08-05"),
                    ("i1_name", "王强"),
                    ("i1_certificate", "渝应急执 0501"),
                    ("i2_name", "刘洋"),
                    ("i2_certificate", "渝应急执 0502"),
                    ("place", ""),
                    ("checked", "储罐区、装卸区\n特种作业人员持证"),
                    ("problems", "报警器失效"),
                    ("principal_checked", "1"),
                    ("heads_checked", "0"),
                    ("order_deadline", "2022-08-01"),
                    ("penalty_kind", "罚款"),
                    ("penalty_legal_basis", "《安全生产法》第九十九条"),
                    ("penalty_discretion", "裁量基准第12项 一般"),
                    ("penalty_decided_on", "2022-08-05"),
                ],
            )
            .await;
        assert_eq!(s, 422, "{html}");
        assert!(html.contains("有3处需要修改"), "{html}");
        for (field, message) in [
            ("place", "检查地点不能为空"),
            ("order_deadline", "整改期限不能早于检查日期"),
            ("penalty_amount", "罚款须填写金额"),
        ] {
            let at = html.find(&format!("name=\"{field}\"")).unwrap();
            let next: String = html[at..].chars().take(300).collect();
            assert!(
                next.contains("aria-invalid=\"true\"") && next.contains(message),
                "{field}: {next}"
            );
        }
        assert!(html.contains("特种作业人员持证</textarea>"));
        assert!(html.contains("value=\"刘洋\"") && html.contains("value=\"渝应急执 0502\""));
        assert!(html.contains("value=\"2022-08-01\""));
        assert!(html.contains(&format!("value=\"{enterprise}\" selected")));
        assert!(html.contains("name=\"heads_checked\" value=\"0\" checked"));
        assert!(!html.contains("name=\"heads_checked\" value=\"1\" required checked"));
    }
}

/// Issue 19 part 2: "An inspection record can be followed later by a penalty decision
/// (kind, amount, legal basis, the discretion standard's clause and grade applied,
/// decision date; publication within the legal time as an obligation) and by the
/// recheck, which becomes the enforcing unit's obligation at the order's deadline."
#[tokio::test]
async fn a_penalty_follows_the_inspection_and_the_recheck_is_owed() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let mut r = record(chem);
        r.as_object_mut().unwrap().remove("penalty");
        r["order_deadline"] = json!("2022-08-20");
        let (s, rec) = yjj.post("/api/v1/enforcements", r).await;
        assert_eq!(s, 201, "{rec}");
        let id = rec["id"].as_i64().unwrap();
        assert_eq!(rec["step"], "inspection");
        let owed = |list: &Value, prefix: &str| -> Option<Value> {
            list.as_array()
                .unwrap()
                .iter()
                .find(|o| o["label"].as_str().is_some_and(|l| l.starts_with(prefix)))
                .cloned()
        };
        let (_, list) = yjj.get("/api/v1/obligations?limit=1000").await;
        let recheck = owed(&list, "整改复查：").expect("the recheck is the unit's task");
        assert_eq!(recheck["due_on"], "2022-08-20");
        // Refused: no discretion clause and no basis (both named), a decision before
        // the inspection, another unit's record.
        let path = format!("/api/v1/enforcements/{id}/penalty");
        let (s, b) = yjj
            .post(
                &path,
                json!({"kind": "罚款", "amount": "20000", "decided_on": "2022-08-09"}),
            )
            .await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (422, Some("penalty.legal_basis")),
            "{b}"
        );
        assert_eq!(b["error"]["also"][0]["field"], "penalty.discretion");
        let good = json!({"kind": "罚款", "amount": "20000", "legal_basis": "《安全生产法》第一百零一条",
                          "discretion": "裁量基准第12项 一般", "decided_on": "2022-08-09", "paid_by": "2022-08-24"});
        let mut early = good.clone();
        early["decided_on"] = json!("2022-08-01");
        assert_eq!(
            yjj.post(&path, early).await.1["error"]["field"],
            "penalty.decided_on"
        );
        assert_eq!(
            app.login("bachuan").await.post(&path, good.clone()).await.0,
            404
        );
        let (s, row) = yjj.post(&path, good.clone()).await;
        assert_eq!(s, 200, "{row}");
        assert_eq!(
            (row["step"].as_str(), row["penalty_amount_fen"].as_i64()),
            (Some("penalty"), Some(2_000_000))
        );
        let (s, b) = yjj.post(&path, good).await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (422, Some("already_decided")),
            "one decision: {b}"
        );
        let (_, list) = yjj.get("/api/v1/obligations?limit=1000").await;
        assert!(
            owed(&list, "行政处罚决定公示").is_some(),
            "its publication is owed"
        );
        // The recheck closes the recheck task.
        let (s, _) = yjj
            .post(
                &format!("/api/v1/enforcements/{id}/recheck"),
                json!({"rectified": true}),
            )
            .await;
        assert_eq!(s, 200);
        let (_, done) = yjj
            .get(&format!("/api/v1/obligations/{}", recheck["id"]))
            .await;
        assert_eq!(done["effective_state"], "accepted", "{done}");
    }
}

/// Issue 19 part 2: "Each department keeps its annual supervision-inspection plan
/// (年度监督检查计划: enterprises or counts per quarter) and the watch shows planned
/// against done."
#[tokio::test]
async fn a_department_keeps_its_inspection_plan_and_the_watch_sets_it_against_the_records() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        // Bad plans: every quarter named; a year that is not one.
        let (s, b) = yjj
            .put(
                "/api/v1/inspection-plans/2022",
                json!({"q1": -1, "q2": 10, "q4": 1000001}),
            )
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("q1")), "{b}");
        let also: Vec<&str> = b["error"]["also"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["field"].as_str().unwrap())
            .collect();
        assert_eq!(also, ["q3", "q4"]);
        assert_eq!(
            yjj.put(
                "/api/v1/inspection-plans/1900",
                json!({"q1": 1, "q2": 1, "q3": 1, "q4": 1})
            )
            .await
            .1["error"]["field"],
            "year"
        );
        assert_eq!(
            app.login("huagong")
                .await
                .put(
                    "/api/v1/inspection-plans/2022",
                    json!({"q1": 1, "q2": 1, "q3": 1, "q4": 1})
                )
                .await
                .0,
            403
        );
        let (s, line) = yjj
            .put(
                "/api/v1/inspection-plans/2022",
                json!({"q1": 5, "q2": 8, "q3": 12, "q4": 6, "note": "重点：危险化学品、非煤矿山"}),
            )
            .await;
        assert_eq!(s, 200, "{line}");
        assert_eq!(
            (line["q3"].as_i64(), line["done3"].as_i64()),
            (Some(12), Some(0))
        );
        // A record in August counts in the third quarter.
        assert_eq!(yjj.post("/api/v1/enforcements", record(chem)).await.0, 201);
        let (_, lines) = app
            .login("office")
            .await
            .get("/api/v1/inspection-plans/2022")
            .await;
        let l = lines
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["unit_name"] == "区应急局")
            .expect("the office sees the department's plan");
        assert_eq!((l["q3"].as_i64(), l["done3"].as_i64()), (Some(12), Some(1)));
        // Out of a township's scope.
        let (_, theirs) = app
            .login("bachuan")
            .await
            .get("/api/v1/inspection-plans/2022")
            .await;
        assert_eq!(theirs, json!([]));
        // The page sets planned against done; the department's own form keeps it.
        let (_, page) = yjj.get_text("/enforcements?month=2022-08").await;
        assert!(
            page.contains("2022年度监督检查计划") && page.contains("1/12"),
            "{page}"
        );
        assert!(
            page.contains("修改本单位2022年度监督检查计划")
                && page.contains("name=\"q3\" inputmode=\"numeric\" required value=\"12\""),
            "the form holds the department's own plan: {page}"
        );
        let (s, _) = yjj
            .form(
                "/inspection-plans/2022",
                &[
                    ("q1", "5"),
                    ("q2", "8"),
                    ("q3", "20"),
                    ("q4", "6"),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (s, page) = yjj
            .form(
                "/inspection-plans/2022",
                &[("q1", "五"), ("q2", "8"), ("q3", "20"), ("q4", "6")],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("第1季度计划检查数"), "{page}");
    }
}

/// Issue 19 part 2: "Orders to suspend production or work (停产停工, item (64)) and
/// referrals to the judicial organs (移送, item (90)) are recorded with their
/// documents."
#[tokio::test]
async fn a_suspension_and_a_referral_are_recorded_with_their_documents() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let (_, rec) = yjj.post("/api/v1/enforcements", record(chem)).await;
        let id = rec["id"].as_i64().unwrap();
        let path = format!("/api/v1/enforcements/{id}/measures");
        // A referral without its organ, a measure with no kind, before the inspection.
        let (s, b) = yjj
            .post(&path, json!({"kind": "referral", "decided_on": "2022-08-08", "note": "涉嫌重大责任事故罪"}))
            .await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (422, Some("organ")),
            "{b}"
        );
        let (_, b) = yjj
            .post(
                &path,
                json!({"kind": "", "decided_on": "2022-08-01", "note": ""}),
            )
            .await;
        let fields = crate::harness::refused_fields(&b);
        assert_eq!(fields, ["kind", "decided_on", "note"]);
        // Another unit's record: 404.
        let suspension = json!({"kind": "suspension", "decided_on": "2022-08-08", "note": "储罐区停止使用，整改验收合格前不得恢复生产", "until": "2022-09-08"});
        assert_eq!(
            app.login("bachuan")
                .await
                .post(&path, suspension.clone())
                .await
                .0,
            404
        );
        let (s, b) = yjj.post(&path, suspension).await;
        assert_eq!(s, 201, "{b}");
        // The referral from the page, with its document.
        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF".to_vec();
        let form = reqwest::multipart::Form::new()
            .text("kind", "referral")
            .text("decided_on", "2022-08-09")
            .text("organ", "铜梁区公安局")
            .text("note", "涉嫌危险作业罪，移送公安机关")
            .text("month", "2022-08")
            .part(
                "photos",
                reqwest::multipart::Part::bytes(pdf.clone()).file_name("移送书.pdf"),
            );
        let r = yjj
            .post_multipart(&format!("/enforcements/{id}/measures"), form)
            .await;
        assert_eq!(r.status(), 303);
        let (_, page) = yjj.get_text("/enforcements?month=2022-08").await;
        assert!(
            page.contains("责令停产停工 2022-08-08")
                && page.contains("移送司法机关 2022-08-09：铜梁区公安局"),
            "{page}"
        );
        let doc = page
            .split("/enforcement-measures/")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap()
            .to_string();
        let (s, _, bytes) = yjj
            .get_bytes(&format!("/enforcement-measures/{doc}/document"))
            .await;
        assert_eq!((s, bytes), (200, pdf));
        assert_eq!(
            app.login("anju")
                .await
                .get_bytes(&format!("/enforcement-measures/{doc}/document"))
                .await
                .0,
            404
        );
    }
}

/// Item (88): "制定……行政执法自由裁量基准". The office keeps the standard; from then on a
/// penalty must cite one of its clauses and grades, and a fine stay in that grade's
/// range, on the record's form and on a later penalty alike.
#[tokio::test]
async fn the_discretion_standard_bounds_every_penalty() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let standard = json!([
            {"code": "第12项", "violation": "未对安全设备进行经常性维护、保养和定期检测",
             "legal_basis": "《安全生产法》第九十九条",
             "ranges": [{"grade": "ordinary", "min_yuan": 10000, "max_yuan": 30000},
                        {"grade": "serious", "min_yuan": 30000, "max_yuan": 50000}]}
        ]);
        assert_eq!(
            yjj.put("/api/v1/discretion-standard", standard.clone())
                .await
                .0,
            403
        );
        let mut bad = standard.clone();
        bad[0]["ranges"][0]["max_yuan"] = json!(1);
        let (s, b) = office.put("/api/v1/discretion-standard", bad).await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (422, Some("clauses.ranges"))
        );
        let (s, b) = office.put("/api/v1/discretion-standard", standard).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(
            yjj.get("/api/v1/discretion-standard").await.1[0]["code"],
            "第12项"
        );
        // A fine above the grade's range, a clause the standard lacks: refused, named.
        let mut over = record(chem);
        over["penalty"]["amount"] = json!("40000");
        let (s, b) = yjj.post("/api/v1/enforcements", over).await;
        assert_eq!(
            (s, b["error"]["code"].as_str(), b["error"]["field"].as_str()),
            (422, Some("outside_discretion"), Some("penalty.amount")),
            "{b}"
        );
        let mut unknown = record(chem);
        unknown["penalty"]["discretion"] = json!("裁量基准第99项 一般");
        let (s, b) = yjj.post("/api/v1/enforcements", unknown).await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (422, Some("penalty.discretion"))
        );
        // Within the range: recorded. A later penalty is held to it too.
        let (s, b) = yjj.post("/api/v1/enforcements", record(chem)).await;
        assert_eq!(s, 201, "{b}");
        let mut plain = record(chem);
        plain.as_object_mut().unwrap().remove("penalty");
        let (_, r) = yjj.post("/api/v1/enforcements", plain).await;
        let path = format!("/api/v1/enforcements/{}/penalty", r["id"]);
        let (s, b) = yjj
            .post(
                &path,
                json!({"kind": "罚款", "amount": "60000", "legal_basis": "《安全生产法》第九十九条",
                       "discretion": "第12项 较重", "decided_on": "2022-08-09"}),
            )
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (422, Some("outside_discretion")),
            "{b}"
        );
        let (s, b) = yjj
            .post(
                &path,
                json!({"kind": "罚款", "amount": "45000", "legal_basis": "《安全生产法》第九十九条",
                       "discretion": "第12项 较重", "decided_on": "2022-08-09"}),
            )
            .await;
        assert!(s < 300, "{s} {b}");
        // The page: the office edits it line by line; a line it cannot read is named.
        let (s, page) = office
            .form(
                "/discretion-standard",
                &[
                    (
                        "clauses",
                        "第3项|未建立安全生产责任制|《安全生产法》第九十四条|一般:abc",
                    ),
                    ("month", "2022-08"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("第1行"), "{page}");
        let (s, _) = office
            .form(
                "/discretion-standard",
                &[("clauses", "第3项|未建立安全生产责任制|《安全生产法》第九十四条|较轻:0-20000|一般:20000-50000"), ("month", "2022-08")],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = yjj.get_text("/enforcements?month=2022-08").await;
        assert!(
            page.contains("未建立安全生产责任制") && page.contains("较轻 0–20000"),
            "{page}"
        );
    }
}

/// A department sees the records other units made on the enterprises of the sectors it
/// supervises, and none on the others: the office inspects a 危化品 enterprise and a 燃气
/// one; 区应急局 (危化品) finds the first in its list and its page, not the second,
/// whose record answers it 404.
#[tokio::test]
async fn a_department_sees_the_records_on_its_sectors_enterprises_and_no_others() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let gas = app.unit_id("铜梁区某燃气有限公司").await;
        let (s, on_chem) = office.post("/api/v1/enforcements", record(chem)).await;
        assert_eq!(s, 201, "{on_chem}");
        let (s, on_gas) = office.post("/api/v1/enforcements", record(gas)).await;
        assert_eq!(s, 201, "{on_gas}");
        let (s, list) = yjj.get("/api/v1/enforcements").await;
        assert_eq!(s, 200);
        let ids: Vec<&Value> = list.as_array().unwrap().iter().map(|r| &r["id"]).collect();
        assert!(ids.contains(&&on_chem["id"]), "{list}");
        assert!(!ids.contains(&&on_gas["id"]), "{list}");
        let (s, page) = yjj.get_text("/enforcements?month=2022-08").await;
        assert_eq!(s, 200);
        assert!(page.contains("重庆铜梁某化工有限公司") && !page.contains("铜梁区某燃气有限公司"));
        let gas_id = on_gas["id"].as_i64().unwrap();
        assert_eq!(
            yjj.get(&format!("/api/v1/enforcements/{gas_id}")).await.0,
            404
        );
    }
}

/// A month with more records than the page lists at once (it showed the newest 500
/// and nothing of the rest): the page lists 100 at a time, "下一页" keeping the month,
/// and reaches every record of the month once, newest first, as the API lists them.
#[tokio::test]
async fn the_months_records_are_listed_page_by_page() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        for _ in 0..105 {
            let mut r = record(chem);
            r.as_object_mut().unwrap().remove("penalty");
            let (s, v) = yjj.post("/api/v1/enforcements", r).await;
            assert_eq!(s, 201, "{v}");
        }
        let office = app.login("office").await;
        let (s, all) = office
            .get("/api/v1/enforcements?month=2022-08&limit=1000")
            .await;
        assert_eq!(s, 200, "{all}");
        let all: Vec<i64> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        assert!(all.len() >= 105, "{}", all.len());
        let rows = |html: &str| -> Vec<i64> {
            html.split("<tr id=\"enforcement-")
                .skip(1)
                .filter_map(|s| s[..s.find('"')?].parse().ok())
                .collect()
        };
        let (seen, pages) = office
            .walk_pages("/enforcements?month=2022-08", rows, 3)
            .await;
        assert_eq!((seen, pages), (all, 2), "{e:?}");
    }
}
