//! Measures 七, 八 and 九 (issue 23): projects and their safety approval, the
//! contracting chain, the workforce of dispatched and flexible workers, and the parties
//! of an accident, each rule with the sentence of the plan it comes from.

use serde_json::{Value, json};

use crate::harness::{Client, TestApp, engines};

/// Registers a project as `c` and answers its id.
async fn project(c: &Client, body: Value) -> i64 {
    let (s, v) = c.post("/api/v1/projects", body).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_i64().unwrap()
}

/// Opens a review of every approved project in scope as `c`; answers the review.
async fn open_review(c: &Client) -> Value {
    let (s, v) = c
        .post(
            "/api/v1/project-reviews",
            json!({"name": "2022年项目审批“回头看”"}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    v
}

/// Records a step; answers the status and the project.
async fn step(c: &Client, id: i64, step: &str, on: &str) -> (u16, Value) {
    c.post(
        &format!("/api/v1/projects/{id}/steps"),
        json!({"step": step, "on": on}),
    )
    .await
}

/// Key task 33: "不得“边审批、边设计、边施工”" — construction dated before the approval is
/// recorded as reported and flagged, and the approving department and the office are
/// told; an approval before the risk assessment is flagged too.
#[tokio::test]
async fn a_project_built_before_its_approval_is_flagged_and_told() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let fgw = app.login("fgw").await;
        let mall = app.unit_id("铜梁区某商业综合体管理有限公司").await;
        let id = project(
            &fgw,
            json!({"name": "某商业中心改造工程", "owner": mall, "industry": "商贸", "works": "rebuild"}),
        )
        .await;
        let (s, v) = step(&fgw, id, "assessment", "2022-03-01").await;
        assert_eq!((s, v["flags"].as_str()), (201, Some("")), "{v}");
        let (s, v) = step(&fgw, id, "construction", "2022-04-01").await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["flags"], "built_before_approval");
        // The approval dated after the construction start keeps the flag.
        let (s, v) = step(&fgw, id, "approval", "2022-05-10").await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["flags"], "built_before_approval");
        let steps: Vec<&str> = v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(steps, ["assessment", "approval", "construction"]);
        let told: Vec<&str> = v["notices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["unit_name"].as_str().unwrap())
            .collect();
        assert!(
            told.contains(&"区发展改革委") && told.contains(&"区安委办"),
            "{told:?}"
        );
        assert!(v["notices"][0]["text"].as_str().unwrap().contains("边审批"));
        // The approving department reads it on its to-do page.
        let (_, todo) = fgw.get_text("/todo").await;
        assert!(
            todo.contains("id=\"notices\"") && todo.contains("某商业中心改造工程"),
            "the notice on the to-do page"
        );
        // A step recorded twice is refused; a date that is no date names the field.
        assert_eq!(step(&fgw, id, "approval", "2022-05-11").await.0, 409);
        let (s, v) = step(&fgw, id, "design", "2022-13-01").await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("on")), "{v}");
        let (s, v) = step(&fgw, id, "demolition", "2022-05-01").await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some("step")),
            "{v}"
        );
        // Approved without the risk assessment.
        let other = project(
            &fgw,
            json!({"name": "某仓储改造", "owner": mall, "industry": "商贸", "works": "new"}),
        )
        .await;
        let (_, v) = step(&fgw, other, "approval", "2022-05-01").await;
        assert_eq!(v["flags"], "approved_before_assessment");
        // The flagged list holds both; a township elsewhere sees neither.
        let (_, list) = fgw.get("/api/v1/projects?flagged=true").await;
        assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
        let (_, list) = app.login("anju").await.get("/api/v1/projects").await;
        assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
        assert_eq!(
            app.login("anju")
                .await
                .get(&format!("/api/v1/projects/{id}"))
                .await
                .0,
            404
        );
    }
}

/// Key task 33: "对危化品、矿山、烟花爆竹、建筑施工、金属冶炼等行业领域高危项目和人员密集场所，不得以
/// 集中审批为名降低安全门槛"; key task 35: "矿山、金属冶炼建设项目和用于生产、储存、装卸危险物品的
/// 建设项目，应当按照国家有关规定进行安全评价".
#[tokio::test]
async fn high_risk_projects_are_never_batch_approved_and_dangerous_ones_are_evaluated() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let fgw = app.login("fgw").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let mall = app.unit_id("铜梁区某商业综合体管理有限公司").await;
        for body in [
            json!({"name": "储罐扩建", "owner": chem, "industry": "危险化学品", "works": "expansion", "batch_approval": true}),
            json!({"name": "影院", "owner": mall, "industry": "商贸", "crowded": true, "works": "new", "batch_approval": true}),
        ] {
            let (s, v) = fgw.post("/api/v1/projects", body).await;
            assert_eq!(
                (s, v["error"]["field"].as_str()),
                (422, Some("batch_approval")),
                "{v}"
            );
        }
        let id = project(
            &fgw,
            json!({"name": "储罐扩建", "owner": chem, "industry": "危险化学品", "works": "expansion"}),
        )
        .await;
        step(&fgw, id, "assessment", "2022-02-01").await;
        let (s, v) = step(&fgw, id, "approval", "2022-03-01").await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("evaluation_required")),
            "{v}"
        );
        let (s, v) = step(&fgw, id, "pre_evaluation", "2022-02-15").await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some("body")),
            "{v}"
        );
        let (s, v) = fgw
            .post(
                &format!("/api/v1/projects/{id}/steps"),
                json!({"step": "pre_evaluation", "on": "2022-02-15", "body": "重庆某安全评价有限公司", "document": "安全预评价报告（渝安评〔2022〕15号）"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let (s, v) = fgw
            .post(
                &format!("/api/v1/projects/{id}/steps"),
                json!({"step": "approval", "on": "2022-03-01", "batch": true}),
            )
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some("batch_approval")),
            "{v}"
        );
        assert_eq!(step(&fgw, id, "approval", "2022-03-01").await.0, 201);
        step(&fgw, id, "construction", "2022-04-01").await;
        step(&fgw, id, "trial_run", "2022-06-01").await;
        let (s, v) = step(&fgw, id, "acceptance", "2022-07-01").await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("evaluation_required")),
            "{v}"
        );
    }
}

/// Key task 35: "安全设施，必须与主体工程同时设计、同时施工、同时投产和使用。安全设施投资应当纳入
/// 建设项目概算" — a project is not put in use with an item of the checklist open, and an
/// item is done only with its evidence.
#[tokio::test]
async fn a_project_is_put_in_use_only_with_its_three_simultaneities_done() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let fgw = app.login("fgw").await;
        let mall = app.unit_id("铜梁区某商业综合体管理有限公司").await;
        let id = project(
            &fgw,
            json!({"name": "某商场扩建", "owner": mall, "industry": "商贸", "works": "expansion"}),
        )
        .await;
        for (s, on) in [
            ("assessment", "2022-01-10"),
            ("approval", "2022-02-10"),
            ("design", "2022-03-10"),
            ("construction", "2022-04-10"),
            ("trial_run", "2022-06-10"),
            ("acceptance", "2022-07-10"),
        ] {
            assert_eq!(step(&fgw, id, s, on).await.0, 201, "{s}");
        }
        let (s, v) = step(&fgw, id, "in_use", "2022-07-20").await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("three_simultaneities_open")),
            "{v}"
        );
        let path = format!("/api/v1/projects/{id}");
        let (s, v) = fgw
            .patch(&path, json!({"checks": [{"item": "budget", "done": true}]}))
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some("checks.evidence")),
            "{v}"
        );
        let checks: Vec<Value> = ["budget", "design", "construction", "use"]
            .iter()
            .map(|i| json!({"item": i, "done": true, "evidence": format!("{i} 佐证：设计专篇及概算书")}))
            .collect();
        let (s, v) = fgw.patch(&path, json!({"checks": checks})).await;
        assert_eq!(s, 200, "{v}");
        assert!(
            v["checks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["done"] == true)
        );
        assert_eq!(step(&fgw, id, "in_use", "2022-07-20").await.0, 201);
        // On the page an item takes its evidence as a file, served back in scope only.
        let part =
            reqwest::multipart::Part::bytes(crate::reports::PNG.to_vec()).file_name("概算书.png");
        let form = reqwest::multipart::Form::new()
            .text("item", "budget")
            .text("done", "1")
            .part("photos", part);
        let r = fgw
            .send(
                fgw.http
                    .post(format!("{}/projects/{id}/checks", fgw.base))
                    .multipart(form),
            )
            .await;
        assert!(r.status().is_redirection(), "{}", r.status());
        let file = format!("/projects/{id}/checks/budget/file");
        let (s, kind, bytes) = fgw.get_bytes(&file).await;
        assert_eq!(s, 200);
        assert!(kind.starts_with("image/png") && bytes.starts_with(b"\x89PNG"));
        assert_eq!(app.login("anju").await.get_bytes(&file).await.0, 404);
    }
}

/// Item (70): "9月底，完成项目审批“回头看”，对发现的落后产能企业坚决一律取缔。对达不到安全标准的产业
/// 项目，不能上马和开工，已经运行的要坚决整改" — each approved project gets a result once; 限期
/// 整改 becomes an obligation of the owner and its sector department, 淘汰取缔 closes it.
#[tokio::test]
async fn the_review_of_approved_projects_rectifies_and_eliminates() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let fgw = app.login("fgw").await;
        let mall = app.unit_id("铜梁区某商业综合体管理有限公司").await;
        let mut ids = Vec::new();
        for name in ["甲项目", "乙项目", "丙项目"] {
            let id = project(
                &fgw,
                json!({"name": name, "owner": mall, "industry": "商贸", "works": "new"}),
            )
            .await;
            step(&fgw, id, "assessment", "2022-01-01").await;
            step(&fgw, id, "approval", "2022-02-01").await;
            ids.push(id);
        }
        // One not yet approved is not reviewed.
        project(
            &fgw,
            json!({"name": "丁项目", "owner": mall, "industry": "商贸", "works": "new"}),
        )
        .await;
        let v = open_review(&fgw).await;
        assert_eq!(
            (v["projects"].as_i64(), v["due_on"].as_str()),
            (Some(3), Some("2022-09-30"))
        );
        let review = v["id"].as_i64().unwrap();
        let results = format!("/api/v1/project-reviews/{review}/results");
        let (s, v) = fgw
            .post(
                &results,
                json!({"project": ids[0], "result": "rectify", "reason": "消防通道不足"}),
            )
            .await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("due")), "{v}");
        let (s, v) = fgw
            .post(&results, json!({"project": ids[0], "result": "rectify", "reason": "消防通道不足", "due": "2022-10-31"}))
            .await;
        assert_eq!(s, 201, "{v}");
        let (s, v) = fgw
            .post(
                &results,
                json!({"project": ids[1], "result": "eliminate", "reason": "属落后产能"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(
            (
                v["decided"].as_i64(),
                v["rectify"].as_i64(),
                v["eliminate"].as_i64()
            ),
            (Some(2), Some(1), Some(1))
        );
        // Once only; a project outside the review; a township is not the reviewer.
        let (s, _) = fgw
            .post(
                &results,
                json!({"project": ids[1], "result": "compliant", "reason": "复查"}),
            )
            .await;
        assert_eq!(s, 409);
        let (s, _) = app
            .login("bachuan")
            .await
            .post(
                &results,
                json!({"project": ids[2], "result": "compliant", "reason": "合规"}),
            )
            .await;
        assert_eq!(s, 404);
        // 限期整改: the owner and the department of its sector owe it.
        let owed: Vec<(String,)> = app
            .db
            .read()
            .all(
                anjian_store::q("SELECT u.name FROM obligations o JOIN units u ON u.id = o.unit_id WHERE o.project_id = $1 ORDER BY u.name")
                    .bind(ids[0]),
            )
            .await
            .unwrap();
        let owed: Vec<&str> = owed.iter().map(|(n,)| n.as_str()).collect();
        assert!(owed.contains(&"铜梁区某商业综合体管理有限公司"), "{owed:?}");
        assert_eq!(owed.len(), 2, "{owed:?}");
        // 淘汰取缔: closed, no further steps.
        let (_, p) = fgw.get(&format!("/api/v1/projects/{}", ids[1])).await;
        assert_eq!(p["state"], "eliminated");
        assert_eq!(
            step(&fgw, ids[1], "construction", "2022-09-01").await.0,
            409
        );
    }
}

/// Key tasks 36 and 37: "严肃查处…违法分包转包行为", "坚持“谁的资质谁负责、挂谁的牌子谁负责”" —
/// each contract of the chain is flagged for what it is; bad parties and qualifications
/// are refused naming the field.
#[tokio::test]
async fn the_contracting_chain_flags_transfer_illegal_subcontracting_and_borrowed_qualifications() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let zjw = app.login("zjw").await;
        let owner = app.unit_id("铜梁区某商业综合体管理有限公司").await;
        let general = app.unit_id("重庆某建筑工程有限公司铜梁项目部").await;
        let holder = app.unit_id("铜梁区城市建设投资（集团）有限公司").await;
        let sub = app.unit_id("重庆某机械制造有限公司").await;
        let township = app.unit_id("南城街道").await;
        let id = project(
            &zjw,
            json!({"name": "某商业中心改造", "owner": owner, "industry": "建筑施工", "works": "rebuild"}),
        )
        .await;
        let path = format!("/api/v1/projects/{id}/contracts");
        let q = |number: &str, holder: Option<i64>, until: &str| json!({"category": "建筑工程施工总承包", "grade": "二级", "number": number, "holder": holder, "valid_until": until});
        // The owner to its general contractor, under another company's qualification: 挂靠.
        let (s, v) = zjw
            .post(&path, json!({"client": owner, "contractor": general, "work": "主体及装修", "whole": true, "main_structure": true, "signed_on": "2022-03-01", "qualification": q("D150001", Some(holder), "2025-12-31")}))
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v[0]["flags"], "borrowed_qualification");
        let flags = |body: Value| {
            let zjw = &zjw;
            let path = path.clone();
            async move {
                let (s, v) = zjw.post(&path, body).await;
                assert_eq!(s, 201, "{v}");
                v.as_array().unwrap().last().unwrap()["flags"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }
        };
        assert_eq!(
            flags(json!({"client": general, "contractor": sub, "work": "全部工程", "whole": true, "signed_on": "2022-03-05", "qualification": q("D150002", None, "2025-12-31")})).await,
            "transfer"
        );
        assert_eq!(
            flags(json!({"client": general, "contractor": sub, "work": "主体结构", "main_structure": true, "signed_on": "2022-03-06", "qualification": q("D150003", None, "2025-12-31")})).await,
            "illegal_subcontract"
        );
        assert_eq!(
            flags(json!({"client": general, "contractor": sub, "work": "外墙", "signed_on": "2022-03-07"})).await,
            "illegal_subcontract"
        );
        assert_eq!(
            flags(json!({"client": general, "contractor": sub, "work": "水电安装", "signed_on": "2022-03-08", "qualification": q("D150004", None, "2022-01-31")})).await,
            "expired"
        );
        // Bad input.
        for (body, field) in [
            (
                json!({"client": owner, "contractor": sub, "work": "x", "signed_on": "2022-03-01", "qualification": q("", None, "2025-12-31")}),
                "qualification.number",
            ),
            (
                json!({"client": owner, "contractor": sub, "work": "x", "signed_on": "2022-03-01", "qualification": q("D1", None, "")}),
                "qualification.valid_until",
            ),
            (
                json!({"client": owner, "contractor": township, "work": "x", "signed_on": "2022-03-01"}),
                "contractor",
            ),
            (
                json!({"client": holder, "contractor": sub, "work": "x", "signed_on": "2022-03-01"}),
                "client",
            ),
            (
                json!({"client": owner, "contractor": 999_999_999, "work": "x", "signed_on": "2022-03-01"}),
                "contractor",
            ),
        ] {
            let (s, v) = zjw.post(&path, body).await;
            assert_eq!((s, v["error"]["field"].as_str()), (422, Some(field)), "{v}");
        }
        let (_, chain) = zjw.get(&path).await;
        assert_eq!(chain.as_array().unwrap().len(), 5, "nothing half-written");
    }
}

/// Item (74) "9月底完成违法分包转包专项执法检查" and item (77) "对相关违法行为要通报其上级公司、主管
/// 部门及纪检监察部门追究责任": the special inspection records the contract found at fault, and
/// the party's group company, its supervising department and the discipline commission
/// are told.
#[tokio::test]
async fn the_subcontracting_inspection_records_its_finding_and_tells_who_must_act() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let as_of = chrono::NaiveDate::from_ymd_opt(2022, 8, 8).unwrap();
        anjian::seed::responsibility::load(&app.db, as_of)
            .await
            .unwrap();
        let zjw = app.login("zjw").await;
        let owner = app.unit_id("铜梁区某商业综合体管理有限公司").await;
        let general = app.unit_id("重庆某建筑工程有限公司铜梁项目部").await;
        let holder = app.unit_id("铜梁区城市建设投资（集团）有限公司").await;
        let group = app.unit_id("铜梁区交通建设投资有限公司").await;
        let sub = app.unit_id("重庆某机械制造有限公司").await;
        anjian_store::enterprises::set_parent_company(
            &app.db,
            0,
            &anjian_store::scope::Actor::system("test"),
            &anjian_store::scope::Scope::All,
            general,
            Some(group),
        )
        .await
        .unwrap();
        let id = project(
            &zjw,
            json!({"name": "某商业中心改造", "owner": owner, "industry": "建筑施工", "works": "rebuild"}),
        )
        .await;
        let path = format!("/api/v1/projects/{id}/contracts");
        // The general contractor works under the group's qualification (挂靠) and lets
        // the facade lawfully.
        zjw.post(&path, json!({"client": owner, "contractor": general, "work": "施工总承包", "signed_on": "2022-03-01", "qualification": {"category": "建筑工程施工总承包", "number": "D1", "holder": holder, "valid_until": "2025-12-31"}})).await;
        let (_, chain) = zjw
            .post(&path, json!({"client": general, "contractor": sub, "work": "外墙", "signed_on": "2022-03-05", "qualification": {"category": "建筑幕墙工程专业承包", "number": "D2", "valid_until": "2025-12-31"}}))
            .await;
        let borrowed = chain[0]["id"].as_i64().unwrap();
        let lawful = chain[1]["id"].as_i64().unwrap();
        assert_eq!(chain[0]["flags"], "borrowed_qualification");
        let inspection = |contracts: Value, kind: &str| {
            json!({
                "enterprise": general, "inspected_on": "2022-08-05", "kind": kind, "contracts": contracts,
                "inspectors": [{"name": "王强", "certificate": "渝建执 0501"}, {"name": "刘洋", "certificate": "渝建执 0502"}],
                "place": "某商业中心改造项目现场", "checked": "分包转包和资质情况", "problems": "整体转包", "handling": "责令改正",
                "signed": true, "principal_checked": true, "heads_checked": true, "order_deadline": "2022-08-31"
            })
        };
        // A contract without a flag is no finding; contracts need the special kind.
        let (s, v) = zjw
            .post(
                "/api/v1/enforcements",
                inspection(json!([lawful]), "subcontracting"),
            )
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some("contracts")),
            "{v}"
        );
        let (s, v) = zjw
            .post("/api/v1/enforcements", inspection(json!([borrowed]), ""))
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some("contracts")),
            "{v}"
        );
        let (s, v) = zjw
            .post(
                "/api/v1/enforcements",
                inspection(json!([borrowed]), "subcontracting"),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let told: Vec<(String, String)> = app
            .db
            .read()
            .all(anjian_store::q("SELECT u.name, n.text FROM notices n JOIN units u ON u.id = n.unit_id WHERE n.subject = 'enforcement' ORDER BY u.name"))
            .await
            .unwrap();
        let names: Vec<&str> = told.iter().map(|(n, _)| n.as_str()).collect();
        for who in [
            "铜梁区交通建设投资有限公司",
            "铜梁区城市建设投资（集团）有限公司",
            "区纪委监委机关",
        ] {
            assert!(names.contains(&who), "{who} in {names:?}");
        }
        assert!(told[0].1.contains("挂靠"), "{told:?}");
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM enforcement_findings",
            ))
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
}

/// A valid ID number for the `i`-th test worker.
pub(crate) fn id_number(i: usize) -> String {
    anjian::seed::measures::id_number_for(i)
}

/// Key task 40: "未经安全知识培训合格的不能上岗"; key task 41: "重点核查企业危险岗位雇佣劳务派遣、
/// 灵活用工人员持证上岗和安全培训情况"; measure 九: "危险岗位要严格控制劳务派遣用工数量".
#[tokio::test]
async fn a_roster_flags_untrained_and_uncertified_workers_for_the_sector_department() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let me = app.unit_id("重庆铜梁某化工有限公司").await;
        let agency = app.unit_id("重庆某机械制造有限公司").await;
        let township = app.unit_id("巴川街道").await;
        let huagong = app.login("huagong").await;
        let path = format!("/api/v1/enterprises/{me}/workers");
        let worker = |i: usize| json!({"name": format!("工人{i}"), "id_number": id_number(i), "arrangement": "dispatched", "post": "储罐区操作工", "hazardous": true, "special_operation": true, "agency": agency});
        // Bad input names the field; nothing is written.
        for (change, field) in [
            (json!({"id_number": "110105194912310021"}), "id_number"),
            (json!({"post": ""}), "post"),
            (json!({"agency": null}), "agency"),
            (json!({"agency": township}), "agency"),
            (json!({"certificate": "T1"}), "certificate_valid_until"),
        ] {
            let mut body = worker(0);
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (s, v) = huagong.post(&path, body).await;
            assert_eq!((s, v["error"]["field"].as_str()), (422, Some(field)), "{v}");
        }
        let (s, v) = huagong.post(&path, worker(1)).await;
        assert_eq!(s, 201, "{v}");
        let (s, v) = huagong.post(&path, worker(2)).await;
        assert_eq!(s, 201, "{v}");
        let w = &v["workers"][0];
        assert_eq!(
            (w["untrained"].as_bool(), w["hazardous"].as_bool()),
            (Some(true), Some(true))
        );
        let id = id_number(1);
        assert_eq!(w["id_masked"], format!("{}********{}", &id[..6], &id[14..]));
        assert!(
            !v.to_string().contains(&id),
            "the ID number never leaves sealed"
        );
        let (sealed,): (String,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT id_sealed FROM workers ORDER BY id LIMIT 1",
            ))
            .await
            .unwrap();
        assert!(!sealed.contains(&id));
        assert_eq!(
            (
                v["figures"]["untrained"].as_i64(),
                v["figures"]["uncertified"].as_i64(),
                v["over_cap"].as_bool()
            ),
            (Some(2), Some(2), Some(true)),
            "{v}"
        );
        // The emergency bureau (危险化学品) sees the enterprise on its list; 区交通局 does not.
        let (s, list) = app
            .login("yjj")
            .await
            .get("/api/v1/workers/flags?sector=危险化学品")
            .await;
        assert_eq!(s, 200, "{list}");
        assert_eq!(list[0]["enterprise_id"].as_i64(), Some(me), "{list}");
        let (_, list) = app.login("jtj").await.get("/api/v1/workers/flags").await;
        assert!(list.as_array().unwrap().is_empty(), "{list}");
        // The agency's page lists the workers it sent.
        let (_, sent) = app
            .login("office")
            .await
            .get(&format!("/api/v1/enterprises/{agency}/workers"))
            .await;
        assert_eq!(sent["sent"].as_array().unwrap().len(), 2, "{sent}");
        // Another township's enterprise is not the township's to see.
        assert_eq!(app.login("anju").await.get(&path).await.0, 404);
        // The export holds the roster with the ID numbers masked, never in the clear.
        let (s, _, bytes) = huagong
            .get_bytes(&format!("/enterprises/{me}/workers.xlsx"))
            .await;
        assert_eq!(s, 200);
        let text = crate::harness::zip_text(&bytes);
        assert!(text.contains("工人1") && text.contains(&format!("{}********", &id[..6])));
        assert!(
            !text.contains(&id),
            "the export holds no ID number in the clear"
        );
    }
}

/// A roster sheet with `rows` (each the twelve columns).
fn roster_sheet(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet();
    for (c, h) in anjian_core::worker::HEADERS.iter().enumerate() {
        s.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            s.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

fn sheet_row(i: usize, agency: &str) -> Vec<String> {
    [
        &format!("工人{i}"),
        &id_number(i),
        "劳务派遣",
        "装卸工",
        "是",
        "否",
        agency,
        "2022-03-01",
        "24",
        "合格",
        "",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A roster sheet is imported whole or not at all, the first row at fault named; a sheet
/// past the bounds is refused before its rows are read.
#[tokio::test]
async fn a_roster_sheet_imports_every_row_or_none() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let me = app.unit_id("重庆铜梁某化工有限公司").await;
        let c = app.login("huagong").await;
        let path = format!("/api/v1/enterprises/{me}/workers/import");
        let send = |bytes: Vec<u8>| {
            let c = &c;
            let path = path.clone();
            async move {
                let part = reqwest::multipart::Part::bytes(bytes).file_name("roster.xlsx");
                c.multipart(&path, reqwest::multipart::Form::new().part("file", part))
                    .await
            }
        };
        let mut rows: Vec<Vec<String>> = (0..3)
            .map(|i| sheet_row(i, "重庆某机械制造有限公司"))
            .collect();
        rows.push(sheet_row(3, "不存在的劳务公司"));
        let (s, v) = send(roster_sheet(&rows)).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some("agency")),
            "{v}"
        );
        assert!(
            v["error"]["message"].as_str().unwrap().contains("第5行"),
            "{v}"
        );
        rows[3] = sheet_row(3, "重庆某机械制造有限公司");
        let last = if rows[3][1].ends_with('1') { '2' } else { '1' };
        rows[3][1].pop();
        rows[3][1].push(last);
        let (s, v) = send(roster_sheet(&rows)).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some("id_number")),
            "{v}"
        );
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM workers",
            ))
            .await
            .unwrap();
        assert_eq!(n, 0, "nothing half-written");
        rows[3] = sheet_row(3, "");
        rows[3][2] = "实习试用".into();
        let (s, v) = send(roster_sheet(&rows)).await;
        assert_eq!((s, v["imported"].as_i64()), (201, Some(4)), "{v}");
        // Past the bounds: 20,001 rows.
        let big: Vec<Vec<String>> = (0..20_001).map(|i| sheet_row(i, "")).collect();
        let (s, v) = send(roster_sheet(&big)).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some("file")),
            "{v}"
        );
        let (s, v) = send(b"not a sheet".to_vec()).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some("file")),
            "{v}"
        );
    }
}

/// Issue 23 part 4 and item (81) "对劳务派遣人员造成事故的，要对用人单位和劳务派遣单位实行“双查
/// 问责”": an accident names its parties, the dispatching agency among them; a party that
/// is no unit of the directory, or a role that is none, is refused.
#[tokio::test]
async fn an_accident_names_its_parties_with_the_dispatching_agency() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.login("bachuan").await;
        let unit = app.unit_id("巴川街道").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let agency = app.unit_id("重庆某机械制造有限公司").await;
        let report = |parties: Value| {
            json!({
                "unit": unit, "enterprise": chem, "sector": "危险化学品",
                "occurred_at": "2022-08-07T10:00:00+08:00", "learned_at": "2022-08-07T10:00:00+08:00",
                "place": "储罐区", "account": "派遣工违章动火", "deaths": 1, "missing": 0,
                "serious_injuries": 0, "direct_loss_yuan": "1200000", "measures_taken": "已处置",
                "parties": parties
            })
        };
        for (parties, field) in [
            (
                json!([{"unit": 999_999_999, "role": "employer"}]),
                "parties.unit",
            ),
            (json!([{"unit": chem, "role": "owner"}]), "parties.role"),
            (json!([{"role": "site"}]), "parties.unit"),
        ] {
            let (s, v) = c.post("/api/v1/accidents", report(parties)).await;
            assert_eq!((s, v["error"]["field"].as_str()), (422, Some(field)), "{v}");
        }
        let (s, v) = c
            .post(
                "/api/v1/accidents",
                report(json!([
                    {"unit": chem, "role": "site", "responsibility": "主要责任"},
                    {"unit": chem, "role": "employer", "responsibility": "未落实统一管理"},
                    {"unit": agency, "role": "dispatcher", "responsibility": "未开展岗前安全培训"}
                ])),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let roles: Vec<&str> = v["parties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["role"].as_str().unwrap())
            .collect();
        assert_eq!(roles.len(), 3);
        assert!(roles.contains(&"dispatcher"), "{roles:?}");
        let id = v["id"].as_i64().unwrap();
        let (s, v) = c
            .post(
                &format!("/api/v1/accidents/{id}/parties"),
                json!({"parties": [{"unit": agency, "role": "dispatcher", "responsibility": "负有培训责任"}]}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["parties"].as_array().unwrap().len(), 1);
        // The blacklist and accountability reach any party, an enterprise included.
        let office = app.login("office").await;
        let path = format!("/api/v1/accidents/{id}/blacklist");
        let body =
            json!({"unit": agency, "reason": "未对被派遣人员开展岗前安全培训，造成死亡事故"});
        assert_eq!(
            c.post(&path, body.clone()).await.0,
            403,
            "the office decides"
        );
        let (s, v) = office.post(&path, body.clone()).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(office.post(&path, body).await.0, 409);
        let (s, v) = office
            .post(&path, json!({"unit": chem, "reason": "x"}))
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("not_a_party")),
            "{v}"
        );
        let (s, _) = office
            .form(
                "/accountability",
                &[
                    ("unit", &agency.to_string()),
                    ("form", "warning_interview"),
                    ("reason", "劳务派遣人员未经培训上岗造成事故"),
                    ("decided_on", "2022-08-08"),
                ],
            )
            .await;
        assert!(s < 400, "an enterprise held accountable: {s}");
        let (n,): (i64,) = app
            .db
            .read()
            .one(
                anjian_store::q(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM accountability WHERE unit_id = $1",
                )
                .bind(agency),
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
}

/// Issue 23 part 5: items (68)–(81) show what their records say, on the campaign tree
/// and on the work item's page, and measure 七 no longer reads 100 % with nothing done:
/// the (70) review's progress counts.
#[tokio::test]
async fn the_campaign_reads_measures_seven_to_nine_from_their_records() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
        let as_of = chrono::NaiveDate::from_ymd_opt(2022, 8, 8).unwrap();
        anjian::seed::measures::units(&app.db, now).await.unwrap();
        anjian::seed::responsibility::load(&app.db, as_of)
            .await
            .unwrap();
        let keys = anjian_core::sealed::Keyring::from_secret(crate::harness::TEST_SECRET);
        anjian::seed::measures::load(&app.db, &keys, as_of)
            .await
            .unwrap();
        let office = app.login("office").await;
        let (_, campaigns) = office.get("/api/v1/campaigns").await;
        let id = campaigns[0]["id"].as_i64().unwrap();
        let (s, page) = office.get_text(&format!("/campaigns/{id}")).await;
        assert_eq!(s, 200);
        for figure in [
            "记录：“回头看”已复核3/4个项目",
            "名册共5人",
            "分包转包专项执法检查1次，查处问题合同1份",
            "未经安全培训合格2人",
        ] {
            assert!(page.contains(figure), "{figure} on the tree");
        }
        let seven = page
            .split("七、")
            .nth(1)
            .and_then(|s| s.split("</summary>").next())
            .unwrap_or_default()
            .to_string();
        assert!(!seven.contains("完成 100%"), "{seven}");
        // The enterprise's page flags its untrained workers.
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let (_, page) = office.get_text(&format!("/enterprises/{chem}")).await;
        assert!(
            page.contains("未经培训合格 2 人"),
            "the enterprise's page flags them"
        );
        let (s, item) = office.get_text(&format!("/campaigns/{id}/items/70")).await;
        assert_eq!(s, 200);
        assert!(item.contains("“回头看”已复核3/4个项目"), "the item's page");
        // The township sees its own part: none of the district's projects are its.
        let (_, page) = app
            .login("anju")
            .await
            .get_text(&format!("/campaigns/{id}"))
            .await;
        assert!(page.contains("“回头看”已复核0/0个项目"));
    }
}

/// Item (76) "将分包、管理输出、联合建设项目纳入企业统一管理": an enterprise registers its own
/// project (its account owns it), lets works on it, and sees on the project register
/// the units it manages with their open findings.
#[tokio::test]
async fn an_enterprise_sees_its_related_units_and_their_findings() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let huagong = app.login("huagong").await;
        let fgw = app.unit_id("区发展改革委").await;
        let contractor = app.unit_id("重庆某建筑工程有限公司铜梁项目部").await;
        let holder = app.unit_id("铜梁区城市建设投资（集团）有限公司").await;
        let id = project(
            &huagong,
            json!({"name": "储罐区改造", "industry": "危险化学品", "works": "rebuild", "approver": fgw}),
        )
        .await;
        let (_, p) = huagong.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(p["owner_name"], "重庆铜梁某化工有限公司", "its own project");
        let me = p["owner_id"].as_i64().unwrap();
        let (s, v) = huagong
            .post(
                &format!("/api/v1/projects/{id}/contracts"),
                json!({"client": me, "contractor": contractor, "work": "储罐基础施工", "signed_on": "2022-05-01", "qualification": {"category": "建筑工程施工总承包", "number": "D9", "holder": holder, "valid_until": "2025-01-01"}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let (s, page) = huagong.get_text("/projects").await;
        assert_eq!(s, 200);
        let related = page.split("id=\"related\"").nth(1).unwrap_or_default();
        assert!(
            related.contains("重庆某建筑工程有限公司铜梁项目部")
                && related.contains("1 份合同有问题"),
            "{related}"
        );
        // The state-owned group works on it for the enterprise (管理输出): its account sees
        // the project's owner among its related units.
        let (s, v) = huagong
            .post(
                &format!("/api/v1/projects/{id}/contracts"),
                json!({"client": me, "contractor": holder, "work": "项目管理", "signed_on": "2022-05-02", "qualification": {"category": "工程管理", "number": "G1", "valid_until": "2025-01-01"}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let (_, page) = app.login("chengtou").await.get_text("/projects").await;
        let related = page.split("id=\"related\"").nth(1).unwrap_or_default();
        assert!(
            related.contains("重庆铜梁某化工有限公司") && related.contains("管理输出"),
            "{related}"
        );
    }
}

/// A new project of `owner`, approved on 1 February 2022 (so that a review takes it);
/// answers its id.
async fn approved_project(c: &Client, owner: i64, name: &str) -> i64 {
    let id = project(
        c,
        json!({"name": name, "owner": owner, "industry": "商贸", "works": "new"}),
    )
    .await;
    step(c, id, "approval", "2022-02-01").await;
    id
}

/// The projects a review's page lists (its rows' links).
fn review_rows(html: &str) -> Vec<i64> {
    crate::harness::table_ids(html, "review-items", "/projects/")
}

/// A review of more approved projects than its page lists at once: the reviewer walks
/// it page by page and reaches every project, each once, to record its result.
#[tokio::test]
async fn a_large_review_is_listed_page_by_page() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let fgw = app.login("fgw").await;
        let mall = app.unit_id("铜梁区某商业综合体管理有限公司").await;
        let mut ids = Vec::new();
        for i in 0..130 {
            ids.push(approved_project(&fgw, mall, &format!("第{i}号项目")).await);
        }
        let v = open_review(&fgw).await;
        let total = v["projects"].as_i64().unwrap();
        assert!(total >= 130, "{v}");
        let review = v["id"].as_i64().unwrap();
        let (seen, pages) = fgw
            .walk_pages(&format!("/project-reviews/{review}"), review_rows, 3)
            .await;
        assert_eq!(pages, 2, "{e:?}");
        assert_eq!(seen.len() as i64, total, "{e:?}: every project once");
        for id in &ids {
            assert!(seen.contains(id), "{e:?}: project {id} reachable");
        }
    }
}

/// More reviews than the page lists at once (it stopped at the newest 100, on the page
/// and in the API): the page by "下一页" (50 a page) and the API by its `Link` header
/// reach every review, newest first, once; a review's own page links to the rest of
/// the list without taking the place of its projects' next page.
#[tokio::test]
async fn the_list_of_reviews_pages_through_every_review() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let fgw = app.login("fgw").await;
        let mall = app.unit_id("铜梁区某商业综合体管理有限公司").await;
        approved_project(&fgw, mall, "复核用项目").await;
        let mut opened = Vec::new();
        for _ in 0..55 {
            opened.push(open_review(&fgw).await["id"].as_i64().unwrap());
        }
        opened.reverse();
        let api = fgw.follow_ids("/api/v1/project-reviews?limit=20", 3).await;
        assert_eq!(api, opened, "{e:?}: the API, three pages");
        let rows = |html: &str| crate::harness::table_ids(html, "reviews", "/project-reviews/");
        let (seen, pages) = fgw.walk_pages("/project-reviews", rows, 3).await;
        assert_eq!((seen, pages), (opened.clone(), 2), "{e:?}: the page");
        let (s, one) = fgw
            .get_text(&format!("/project-reviews/{}", opened[0]))
            .await;
        assert_eq!(s, 200);
        assert!(
            one.contains(&format!(
                "href=\"/project-reviews?after={}\">更多复核",
                opened[49]
            )),
            "{e:?}: the rest of the list from a review's page"
        );
        assert_eq!(fgw.get("/api/v1/project-reviews?limit=x").await.0, 400);
    }
}

/// A dispatching agency that sent more workers than a page holds (its list stopped at
/// 100): its roster page lists them 100 at a time, "更多派遣人员" leading on, and the API
/// by `sent_after`; each worker once, in the order registered.
#[tokio::test]
async fn an_agency_lists_every_worker_it_sent_page_by_page() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let me = app.unit_id("重庆铜梁某化工有限公司").await;
        let agency = app.unit_id("重庆某机械制造有限公司").await;
        let rows: Vec<Vec<String>> = (0..130)
            .map(|i| sheet_row(i, "重庆某机械制造有限公司"))
            .collect();
        let part = reqwest::multipart::Part::bytes(roster_sheet(&rows)).file_name("roster.xlsx");
        let (s, v) = app
            .login("huagong")
            .await
            .multipart(
                &format!("/api/v1/enterprises/{me}/workers/import"),
                reqwest::multipart::Form::new().part("file", part),
            )
            .await;
        assert_eq!((s, v["imported"].as_i64()), (201, Some(130)), "{v}");
        let office = app.login("office").await;
        // The page: the sent table's names, then the link to the rest.
        let names = |html: &str| -> Vec<String> {
            crate::harness::table(html, "sent")
                .split("<tr class=")
                .skip(1)
                .filter_map(|r| {
                    let from = r.find("<td>")? + 4;
                    Some(r[from..from + r[from..].find("<br>")?].to_string())
                })
                .collect()
        };
        let (s, first) = office
            .get_text(&format!("/enterprises/{agency}/workers"))
            .await;
        assert_eq!(s, 200);
        let rest = crate::harness::next_link(&first, "更多派遣人员").expect("a link to the rest");
        let (s, second) = office.get_text(&rest).await;
        assert_eq!(s, 200);
        assert!(!second.contains("更多派遣人员"), "two pages");
        let seen: Vec<String> = [names(&first), names(&second)].concat();
        let want: Vec<String> = (0..130).map(|i| format!("工人{i}")).collect();
        assert_eq!(seen, want, "{e:?}: the page, each worker once in order");
        // The API: `sent_after` the last of a page.
        let path = format!("/api/v1/enterprises/{agency}/workers");
        let (_, p1) = office.get(&path).await;
        let p1 = p1["sent"].as_array().unwrap().clone();
        assert_eq!(p1.len(), 100);
        let (_, p2) = office
            .get(&format!("{path}?sent_after={}", p1[99]["id"]))
            .await;
        assert_eq!(p2["sent"].as_array().unwrap().len(), 30, "{e:?}: the API");
        assert_eq!(office.get(&format!("{path}?sent_after=x")).await.0, 400);
    }
}
