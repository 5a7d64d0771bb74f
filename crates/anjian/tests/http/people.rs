//! Issue 20: people and the year. Posts and quotas are data the office adds (items (22),
//! (33), (34)); a tip received by the 12350 hotline is recorded with its channel and
//! followed by its receipt (items (57), (101)); the reward budget (item (103)); the
//! annual assessment with the one-vote veto (items (46), (92)). Every refusal names its
//! field and writes nothing.

use serde_json::{Value, json};

use crate::harness::{TestApp, engines, ids, refused_fields, table_ids};

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = app
        .db
        .read()
        .one(anjian_store::q(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"
        )))
        .await
        .unwrap();
    n
}

#[tokio::test]
/// (34) "分管负责人每周必须调度推动执法": the office adds a post held in departments with a
/// weekly quota, appoints an official to it, and July shows every week missed.
async fn the_office_adds_a_post_and_its_weekly_quota_and_sees_who_fell_short() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (s, posts) = office.get("/api/v1/duty-posts").await;
        assert_eq!(s, 200);
        let codes: Vec<&str> = posts
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        for plan in [
            "district_head",
            "government_head",
            "township_head",
            "other_leader",
            "department_head",
            "department_deputy",
            "responsible_official",
        ] {
            assert!(codes.contains(&plan), "{plan}: {posts}");
        }
        // A post without a name or a unit kind: both named, nothing written.
        let before = count(&app, "duty_posts").await;
        let (s, b) = office
            .post("/api/v1/duty-posts", json!({"name": " ", "unit_kind": ""}))
            .await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(refused_fields(&b), ["name", "unit_kind"]);
        let (s, b) = office
            .post(
                "/api/v1/duty-posts",
                json!({"name": "执法支队分管负责人", "unit_kind": "village"}),
            )
            .await;
        assert_eq!(
            (s, refused_fields(&b)),
            (422, vec!["unit_kind".to_string()])
        );
        assert_eq!(count(&app, "duty_posts").await, before);
        // Only the office defines posts.
        let (s, _) = app
            .login("bachuan")
            .await
            .post(
                "/api/v1/duty-posts",
                json!({"name": "镇街分管负责人", "unit_kind": "township"}),
            )
            .await;
        assert_eq!(s, 403);
        let (s, b) = office
            .post(
                "/api/v1/duty-posts",
                json!({"name": "执法支队分管负责人", "unit_kind": "department", "source": "（34）"}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let code = b["code"].as_str().unwrap().to_string();
        let (s, b) = office
            .post(
                "/api/v1/duty-posts",
                json!({"name": "执法支队分管负责人", "unit_kind": "department"}),
            )
            .await;
        assert_eq!((s, refused_fields(&b)), (422, vec!["name".to_string()]));
        // A quota without a period or a minimum: both named, the quotas unchanged.
        let (_, quotas_before) = office.get("/api/v1/duty-quotas").await;
        let (s, b) = office
            .post(
                "/api/v1/duty-quotas",
                json!({"post": code, "activity": "coordination"}),
            )
            .await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(refused_fields(&b), ["period", "minimum"]);
        let (s, b) = office
            .post(
                "/api/v1/duty-quotas",
                json!({"post": "nobody", "activity": "coordination", "period": "week", "minimum": "1"}),
            )
            .await;
        assert_eq!((s, refused_fields(&b)), (422, vec!["post".to_string()]));
        assert_eq!(office.get("/api/v1/duty-quotas").await.1, quotas_before);
        let (s, quotas) = office
            .post(
                "/api/v1/duty-quotas",
                json!({"post": code, "activity": "coordination", "period": "week", "minimum": "1", "source": "（34）"}),
            )
            .await;
        assert_eq!(s, 201, "{quotas}");
        let mine: Vec<&Value> = quotas
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["post"] == code.as_str())
            .collect();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["post_name"], "执法支队分管负责人");
        assert_eq!(
            quotas.as_array().unwrap().len(),
            quotas_before.as_array().unwrap().len() + 1
        );
        // The post is held in departments: a township's official is refused it.
        let town = app.unit_id("巴川街道").await;
        let dept = app.unit_id("区住房城乡建委").await;
        let (s, b) = office
            .post(
                "/api/v1/officials",
                json!({"unit": town, "name": "王五", "title": "副镇长", "post": code}),
            )
            .await;
        assert_eq!(
            (s, refused_fields(&b)),
            (422, vec!["post".to_string()]),
            "{b}"
        );
        let (s, b) = office
            .post(
                "/api/v1/officials",
                json!({"unit": dept, "name": "赵六", "title": "执法支队分管副主任", "post": code}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        // July: five weeks touch it, none with a coordination logged.
        let (_, july) = office.get("/api/v1/quotas/2022-07").await;
        let zhao = july
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "赵六")
            .unwrap_or_else(|| panic!("{july}"));
        assert_eq!(zhao["post_name"], "执法支队分管负责人");
        assert_eq!(zhao["quotas"][0]["missed"], 5, "{zhao}");
        // The page shows the post, and its name among those who fell short.
        let (_, html) = office.get_text("/quotas?month=2022-07").await;
        assert!(html.contains("执法支队分管负责人") && html.contains("赵六"));
        // (110) "建立各级各部门负责人安全履职档案，严格周检查、月通报": his duty file shows each
        // week; a coordination on 3 August meets that week.
        let zhao_id = b["id"].as_i64().unwrap();
        let (s, r) = office
            .post(
                "/api/v1/duty-records",
                json!({"official": zhao_id, "activity": "coordination", "on": "2022-08-03",
                       "place": "区住房城乡建委", "topic": "调度推动建筑施工领域执法", "participants": "执法支队全体"}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
        let (s, file) = office
            .get(&format!("/api/v1/officials/{zhao_id}/file/2022"))
            .await;
        assert_eq!(s, 200, "{file}");
        assert_eq!(file["records"].as_array().unwrap().len(), 1);
        let periods = file["quotas"][0]["periods"].as_array().unwrap();
        let week = periods
            .iter()
            .find(|p| p["first"] == "2022-08-01")
            .unwrap_or_else(|| panic!("{file}"));
        assert_eq!(
            (week["done"].as_i64(), week["ended"].as_bool()),
            (Some(1), Some(true))
        );
        let july_missed = periods
            .iter()
            .filter(|p| p["last"].as_str().unwrap() < "2022-08-01" && p["done"] == 0)
            .count();
        assert!(july_missed >= 5, "{file}");
        let (s, html) = office
            .get_text(&format!("/officials/{zhao_id}/file?year=2022"))
            .await;
        assert_eq!(s, 200);
        assert!(html.contains("调度推动建筑施工领域执法") && html.contains("未完成"));
        let (s, _, bytes) = office
            .get_bytes(&format!("/officials/{zhao_id}/file.docx?year=2022"))
            .await;
        assert_eq!(s, 200);
        let text = crate::harness::docx_text(&bytes);
        assert!(
            text.contains("赵六") && text.contains("履职定额完成情况"),
            "{text}"
        );
        // A township's user cannot open a department official's file.
        let (s, _) = app
            .login("bachuan")
            .await
            .get(&format!("/api/v1/officials/{zhao_id}/file/2022"))
            .await;
        assert_eq!(s, 404);
    }
}

#[tokio::test]
/// (57) "12350举报热线…来信来访": a tip taken on the hotline is recorded with its channel
/// and received-at time, and its reporter follows it with the receipt read out to them.
async fn a_hotline_tip_is_recorded_with_its_channel_and_followed_by_its_receipt() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let tip = json!({"category": "violation", "sector": "建筑施工", "place": "巴川街道某工地",
                         "description": "夜间无证施工", "reporter": {"name": "李四", "phone": "13800001234"}});
        let before = count(&app, "tips").await;
        // Without a channel or a received-at time: both named, nothing written.
        let (s, b) = office.post("/api/v1/tips/offline", tip.clone()).await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(refused_fields(&b), ["channel", "received_at"]);
        let mut web = tip.clone();
        web["channel"] = json!("web");
        web["received_at"] = json!("2099-08-09T09:30");
        let (s, b) = office.post("/api/v1/tips/offline", web).await;
        assert_eq!(
            (s, refused_fields(&b)),
            (422, vec!["channel".to_string(), "received_at".to_string()])
        );
        assert_eq!(count(&app, "tips").await, before);
        let mut hotline = tip.clone();
        hotline["channel"] = json!("hotline");
        hotline["received_at"] = json!("2022-08-09T06:30");
        // The custodian opens identities, nothing else; an enterprise records nothing.
        for who in ["tipkeeper", "huagong"] {
            let (s, _) = app
                .login(who)
                .await
                .post("/api/v1/tips/offline", hotline.clone())
                .await;
            assert_eq!(s, 403, "{who}");
        }
        let (s, b) = office.post("/api/v1/tips/offline", hotline).await;
        assert_eq!(s, 201, "{b}");
        let receipt = b["receipt"].as_str().unwrap().to_string();
        let id = b["id"].as_i64().unwrap();
        let (channel, at, anonymous): (String, Option<i64>, i64) = app
            .db
            .read()
            .one(
                anjian_store::q("SELECT channel, received_at, anonymous FROM tips WHERE id = $1")
                    .bind(id),
            )
            .await
            .unwrap();
        assert_eq!((channel.as_str(), anonymous), ("hotline", 0));
        assert_eq!(
            at.and_then(anjian_core::time::local_datetime)
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
            Some("2022-08-09 06:30".to_string())
        );
        // The reporter follows it by receipt like any tip.
        let (s, v) = app
            .anon()
            .get(&format!("/api/v1/public/tips/{receipt}"))
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["category"], "violation", "{v}");
        // The handlers' list never shows the identity; the statistics count the channel.
        let (_, list) = office.get("/api/v1/tips").await;
        assert!(!list.to_string().contains("李四"));
        let (_, stats) = office.get("/api/v1/tips/stats?year=2022").await;
        let hot = stats["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == "hotline")
            .unwrap_or_else(|| panic!("{stats}"))
            .clone();
        assert_eq!(hot["received"], 1);
        assert_eq!(hot["label"], "12350热线");
        // The page records one too, and reads the receipt out once.
        let (s, html) = office
            .form(
                "/tips/offline",
                &[
                    ("channel", "letter"),
                    ("received_at", "2022-08-08T15:00"),
                    ("category", "major_hazard"),
                    ("sector", "建筑施工"),
                    ("place", "安居镇某工地"),
                    ("description", "脚手架严重变形"),
                    ("identity", "anonymous"),
                ],
            )
            .await;
        assert_eq!(s, 200, "{html}");
        assert!(html.contains("回执码") && html.contains("id=\"receipt\""));
        let (s, html) = office.form("/tips/offline", &[("category", "other")]).await;
        assert_eq!(s, 422);
        assert!(html.contains("举报渠道"), "{html}");
        assert_eq!(count(&app, "tips").await, before + 2);
    }
}

#[tokio::test]
/// (103) "将有奖举报资金分别纳入财政和企业预算": the office sets the year's budget; it cannot
/// go below what was paid, and an approval beyond what remains is refused.
async fn the_reward_budget_holds_the_rewards_approved_against_it() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (s, b) = office.get("/api/v1/tips/budget/2022").await;
        assert_eq!(s, 200, "{b}");
        let paid = b["paid_fen"].as_i64().unwrap();
        let (s, b) = office
            .put(
                "/api/v1/tips/budget/2022",
                json!({"fiscal_fen": -1, "enterprise_fen": 0}),
            )
            .await;
        assert_eq!(
            (s, refused_fields(&b)),
            (422, vec!["fiscal_yuan".to_string()])
        );
        if paid > 0 {
            let (s, b) = office
                .put(
                    "/api/v1/tips/budget/2022",
                    json!({"fiscal_fen": paid - 1, "enterprise_fen": 0}),
                )
                .await;
            assert_eq!(
                (s, b["error"]["code"].as_str()),
                (422, Some("budget_below_paid"))
            );
        }
        assert_eq!(count(&app, "tip_budgets").await, 0);
        assert_eq!(
            app.login("bachuan")
                .await
                .put(
                    "/api/v1/tips/budget/2022",
                    json!({"fiscal_fen": 1, "enterprise_fen": 1})
                )
                .await
                .0,
            403
        );
        // A budget with nothing left: the next approval is refused by name.
        let (s, b) = office
            .put(
                "/api/v1/tips/budget/2022",
                json!({"fiscal_fen": paid, "enterprise_fen": 0}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["set"], true);
        let (s, html) = office.get_text("/tips").await;
        assert_eq!(s, 200);
        assert!(html.contains("举报奖励资金") && html.contains("较去年底明显上升"));
        // A substantiated tip with a proposed reward, approved against the budget.
        let (_, r) = app
            .anon()
            .post("/api/v1/public/tips", json!({"category": "major_hazard", "sector": "危险化学品", "place": "巴川街道", "description": "储罐泄漏",
                                                "reporter": {"name": "张三", "phone": "13800000000"}}))
            .await;
        assert!(r["receipt"].is_string());
        let (_, list) = office.get("/api/v1/tips").await;
        let id = list[0]["id"].as_i64().unwrap();
        let unit = app.unit_id("巴川街道").await;
        office
            .post(&format!("/api/v1/tips/{id}/accept"), json!({"unit": unit}))
            .await;
        let (s, t) = app
            .login("bachuan")
            .await
            .post(
                &format!("/api/v1/tips/{id}/outcome"),
                json!({"substantiated": true, "note": "属实"}),
            )
            .await;
        assert_eq!(s, 200, "{t}");
        let (s, t) = office
            .post(
                &format!("/api/v1/tips/{id}/reward/propose"),
                json!({"fine_yuan": "100000"}),
            )
            .await;
        assert_eq!(s, 200, "{t}");
        let (s, t) = office
            .post(&format!("/api/v1/tips/{id}/reward/approve"), json!({}))
            .await;
        assert_eq!(
            (s, t["error"]["code"].as_str()),
            (422, Some("over_budget")),
            "{t}"
        );
        office
            .put(
                "/api/v1/tips/budget/2022",
                json!({"fiscal_fen": paid + 5_000_000, "enterprise_fen": 1_000_000}),
            )
            .await;
        let (s, t) = office
            .post(&format!("/api/v1/tips/{id}/reward/approve"), json!({}))
            .await;
        assert_eq!(s, 200, "{t}");
        let (_, b) = office.get("/api/v1/tips/budget/2022").await;
        assert!(b["approved_fen"].as_i64().unwrap() > 0, "{b}");
        // Paid: the budget can no longer go below what was paid.
        let (s, t) = office
            .post(
                &format!("/api/v1/tips/{id}/reward/pay"),
                json!({"method": "银行转账"}),
            )
            .await;
        assert_eq!(s, 200, "{t}");
        let (_, b) = office.get("/api/v1/tips/budget/2022").await;
        let paid = b["paid_fen"].as_i64().unwrap();
        assert!(paid > 0, "{b}");
        let (s, r) = office
            .put(
                "/api/v1/tips/budget/2022",
                json!({"fiscal_fen": paid - 1, "enterprise_fen": 0}),
            )
            .await;
        assert_eq!(
            (s, r["error"]["code"].as_str()),
            (422, Some("budget_below_paid")),
            "{r}"
        );
        assert_eq!(
            office.get("/api/v1/tips/budget/2022").await.1,
            b,
            "nothing changed"
        );
    }
}

/// An accident of `enterprise` in `town_name` on 6 July, reported by `who`, found
/// concealed (by the `enterprise` or the `unit`) through a public tip the township
/// substantiates.
pub(crate) async fn conceal(app: &TestApp, who: &str, town_name: &str, enterprise: &str, by: &str) {
    let office = app.login("office").await;
    let town = app.unit_id(town_name).await;
    let enterprise = app.unit_id(enterprise).await;
    let c = app.login(who).await;
    let (s, acc) = c
        .post(
            "/api/v1/accidents",
            crate::accidents::report(
                town,
                enterprise,
                "2022-07-06T09:00:00+08:00",
                "2022-07-06T09:20:00+08:00",
                1,
            ),
        )
        .await;
    assert_eq!(s, 201, "{acc}");
    app.anon()
        .post("/api/v1/public/tips", json!({"category": "concealed_accident", "sector": "危险化学品", "place": town_name, "description": "瞒报"}))
        .await;
    let (_, list) = office.get("/api/v1/tips").await;
    let id = list[0]["id"].as_i64().unwrap();
    office
        .post(&format!("/api/v1/tips/{id}/accept"), json!({"unit": town}))
        .await;
    let (s, t) = c
        .post(&format!("/api/v1/tips/{id}/outcome"), json!({"substantiated": true, "note": "经核查属实", "accident": acc["id"], "concealed_by": by}))
        .await;
    assert_eq!(s, 200, "{t}");
}

fn unit_of<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("{name}: {list}"))
}

#[tokio::test]
/// (61) "对政府和部门瞒报一律实行“一票否决”" and "对瞒报事故的企业，一律从重处罚并纳入“黑名单”":
/// the annual assessment vetoes a township that concealed, never for an enterprise's
/// concealment; the scheme's weights add up to 100; adjustments carry reasons.
async fn the_annual_assessment_vetoes_a_concealing_township_and_not_an_enterprises_concealment() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (s, a) = office.get("/api/v1/assessments/2022").await;
        assert_eq!(s, 200, "{}", &a.to_string()[..200.min(a.to_string().len())]);
        assert!(!a["months"].as_array().unwrap().is_empty());
        assert!(a["townships"].as_array().unwrap().len() > 2);
        let bachuan = unit_of(&a["townships"], "巴川街道");
        assert_eq!(bachuan["vetoed"], false);
        assert_eq!(bachuan["parts"].as_array().unwrap().len(), 5);
        assert!(
            bachuan["parts"][0]["explanation"]
                .as_str()
                .unwrap()
                .contains("个月排名平均")
        );
        let total_before = bachuan["total"].as_i64().unwrap();
        // Two accidents concealed in July: by 巴川's enterprise, and by 安居镇 itself.
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        conceal(
            &app,
            "bachuan",
            "巴川街道",
            "重庆铜梁某化工有限公司",
            "enterprise",
        )
        .await;
        conceal(
            &app,
            "anju",
            "安居镇",
            "铜梁区安居古镇旅游开发有限公司",
            "unit",
        )
        .await;
        let (_, a) = office.get("/api/v1/assessments/2022").await;
        let bachuan = unit_of(&a["townships"], "巴川街道");
        assert_eq!(
            bachuan["vetoed"], false,
            "an enterprise's concealment vetoes nobody"
        );
        let anju = unit_of(&a["townships"], "安居镇");
        assert_eq!(anju["vetoed"], true);
        assert_eq!(anju["grade"], "不合格（一票否决）");
        assert!(
            anju["veto_reasons"].to_string().contains("瞒报事故"),
            "{anju}"
        );
        assert_eq!(
            anju["rank"].as_u64().unwrap() as usize,
            a["townships"].as_array().unwrap().len(),
            "a vetoed township ranks last"
        );
        // The accident part counts the enterprise's accident against the township.
        assert!(bachuan["total"].as_i64().unwrap() < total_before);
        // The scheme: weights adding up to 90 are refused by name, nothing changes.
        let (s, b) = office
            .put(
                "/api/v1/assessments/2022/scheme",
                json!({"parts": [{"kind": "rankings", "weight": 50}, {"kind": "plan", "weight": 40}]}),
            )
            .await;
        assert_eq!((s, refused_fields(&b)), (422, vec!["weights".to_string()]));
        assert_eq!(count(&app, "assessment_schemes").await, 0);
        let (s, _) = office
            .put(
                "/api/v1/assessments/2022/scheme",
                json!({"parts": [{"kind": "rankings", "weight": 50}, {"kind": "plan", "weight": 50}]}),
            )
            .await;
        assert_eq!(s, 200);
        let (_, a) = office.get("/api/v1/assessments/2022").await;
        assert_eq!(
            unit_of(&a["townships"], "巴川街道")["parts"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // Adjustments: a unit that is not a township or department, points out of range,
        // no reason: each refused by name.
        let town = app.unit_id("巴川街道").await;
        for (body, field) in [
            (json!({"unit": chem, "points": "2", "reason": "x"}), "unit"),
            (
                json!({"unit": town, "points": "30", "reason": "x"}),
                "points",
            ),
            (
                json!({"unit": town, "points": "2", "reason": " "}),
                "reason",
            ),
        ] {
            let (s, b) = office
                .post("/api/v1/assessments/2022/adjustments", body)
                .await;
            assert_eq!(
                (s, refused_fields(&b)),
                (422, vec![field.to_string()]),
                "{b}"
            );
        }
        assert_eq!(count(&app, "assessment_adjustments").await, 0);
        let before = unit_of(&a["townships"], "巴川街道")["total"]
            .as_i64()
            .unwrap();
        let (s, b) = office
            .post(
                "/api/v1/assessments/2022/adjustments",
                json!({"unit": town, "points": "2.5", "reason": "防汛抢险表现突出"}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let (_, a) = office.get("/api/v1/assessments/2022").await;
        let bachuan = unit_of(&a["townships"], "巴川街道");
        assert_eq!(bachuan["total"].as_i64().unwrap(), before + 250);
        // A township reads the table and adjusts nothing.
        let leader = app.login("bachuan_leader").await;
        assert_eq!(leader.get("/api/v1/assessments/2022").await.0, 200);
        assert_eq!(
            leader
                .post(
                    "/api/v1/assessments/2022/adjustments",
                    json!({"unit": town, "points": "5", "reason": "x"})
                )
                .await
                .0,
            403
        );
        // The table as an official document and as a workbook.
        let (s, mime, bytes) = office.get_bytes("/assessments/2022.docx").await;
        assert_eq!(s, 200, "{mime}");
        let text = crate::harness::docx_text(&bytes);
        assert!(
            text.contains("考核结果的通报")
                && text.contains("安居镇")
                && text.contains("一票否决")
                && text.contains("防汛抢险表现突出"),
            "{text}"
        );
        let (s, _, bytes) = office.get_bytes("/assessments/2022.xlsx").await;
        assert_eq!(s, 200);
        assert!(crate::harness::zip_text(&bytes).contains("镇街考核结果"));
        let (s, html) = office.get_text("/assessments?year=2022").await;
        assert_eq!(s, 200);
        assert!(html.contains("不合格（一票否决）") && html.contains("得分说明"));
        assert_eq!(office.get("/api/v1/assessments/1999").await.0, 400);
    }
}

#[tokio::test]
/// (94) "常态化组织开展“专家服务”，大型活动必须进行安全检测评价": the office keeps the pool
/// (phones sealed, never listed), a unit engages experts at an enterprise in its scope,
/// their findings become hazards; a large event's evaluation is kept with its conclusion.
async fn experts_are_engaged_in_scope_and_their_findings_become_hazards() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (s, b) = office.post("/api/v1/experts", json!({"name": " "})).await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(
            refused_fields(&b),
            ["name", "field", "qualification", "employer"]
        );
        assert_eq!(count(&app, "experts").await, 0);
        let bachuan = app.login("bachuan").await;
        let expert = json!({"name": "陈工", "field": "危险化学品", "qualification": "注册安全工程师",
                            "employer": "重庆化工设计院", "phone": "13911112222"});
        assert_eq!(bachuan.post("/api/v1/experts", expert.clone()).await.0, 403);
        let (s, b) = office.post("/api/v1/experts", expert).await;
        assert_eq!(s, 201, "{b}");
        let chen = b["id"].as_i64().unwrap();
        let (sealed,): (Option<String>,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT phone_sealed FROM experts WHERE id = $1").bind(chen))
            .await
            .unwrap();
        assert!(
            !sealed.unwrap().contains("13911112222"),
            "the phone is sealed"
        );
        let (s, pool) = bachuan.get("/api/v1/experts").await;
        assert_eq!(s, 200);
        assert_eq!(pool[0]["name"], "陈工");
        assert!(!pool.to_string().contains("13911112222"));
        // Engagements: the experts named, the enterprise in the unit's scope.
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let scenic = app.unit_id("铜梁区安居古镇旅游开发有限公司").await;
        let engagement = |enterprise: i64, experts: Value| {
            json!({"kind": "inspection", "enterprise": enterprise, "on": "2022-08-08",
                   "conclusion": "储罐区存在问题2项", "experts": experts})
        };
        let (s, b) = bachuan
            .post("/api/v1/expert-engagements", engagement(chem, json!([])))
            .await;
        assert_eq!((s, refused_fields(&b)), (422, vec!["experts".to_string()]));
        let (s, b) = bachuan
            .post("/api/v1/expert-engagements", engagement(chem, json!([999])))
            .await;
        assert_eq!((s, refused_fields(&b)), (422, vec!["experts".to_string()]));
        let (s, _) = bachuan
            .post(
                "/api/v1/expert-engagements",
                engagement(scenic, json!([chen])),
            )
            .await;
        assert_eq!(s, 404, "an enterprise outside the township's scope");
        assert_eq!(count(&app, "expert_engagements").await, 0);
        let (s, g) = bachuan
            .post(
                "/api/v1/expert-engagements",
                engagement(chem, json!([chen])),
            )
            .await;
        assert_eq!(s, 201, "{g}");
        assert_eq!(g["experts"], json!(["陈工"]));
        let id = g["id"].as_i64().unwrap();
        // Its finding is a hazard of the enterprise, source 专家服务; only the engaging
        // unit enters findings.
        let finding = crate::hazards::general("储罐区防火堤");
        assert_eq!(
            app.login("anju")
                .await
                .post(
                    &format!("/api/v1/expert-engagements/{id}/findings"),
                    finding.clone()
                )
                .await
                .0,
            404
        );
        let (s, h) = bachuan
            .post(
                &format!("/api/v1/expert-engagements/{id}/findings"),
                finding,
            )
            .await;
        assert_eq!(s, 201, "{h}");
        let (unit, source): (i64, String) = app
            .db
            .read()
            .one(
                anjian_store::q("SELECT unit_id, source FROM hazards WHERE id = $1")
                    .bind(h["hazard"].as_i64().unwrap()),
            )
            .await
            .unwrap();
        assert_eq!((unit, source.as_str()), (chem, "expert_service"));
        let (_, g) = bachuan
            .get(&format!("/api/v1/expert-engagements/{id}"))
            .await;
        assert_eq!(g["findings"], 1);
        // A large event's evaluation names the event, not an enterprise.
        let (s, b) = office
            .post(
                "/api/v1/expert-engagements",
                json!({"kind": "event", "on": "2022-08-08", "conclusion": "x", "experts": [chen]}),
            )
            .await;
        assert_eq!((s, refused_fields(&b)), (422, vec!["subject".to_string()]));
        let (s, b) = office
            .post("/api/v1/expert-engagements", json!({"kind": "event", "subject": "铜梁龙灯艺术节", "on": "2022-08-08",
                                                      "conclusion": "临时看台承载检测合格，疏散通道需加宽", "experts": [chen]}))
            .await;
        assert_eq!(s, 201, "{b}");
        let (s, html) = office.get_text("/experts").await;
        assert_eq!(s, 200);
        assert!(
            html.contains("铜梁龙灯艺术节") && html.contains("13911112222"),
            "the office sees the phone"
        );
        let (_, html) = bachuan.get_text("/experts").await;
        assert!(!html.contains("13911112222"));
    }
}

#[tokio::test]
/// (29) "落实定期与重要时段、重大活动、重大变化情况风险研判机制": each control measure of an
/// assessment is an obligation of the unit named, in its to-do list, with progress on
/// the assessment's page.
async fn a_risk_assessment_gives_each_measure_to_its_unit() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        let town = app.unit_id("巴川街道").await;
        let anju = app.unit_id("安居镇").await;
        let assessment = |measures: Value| {
            json!({"kind": "major_event", "held_on": "2022-08-08", "title": "龙灯艺术节安全风险研判",
                   "conclusion": "人员密集，存在踩踏风险", "measures": measures})
        };
        let before = count(&app, "risk_assessments").await;
        let (s, b) = bachuan
            .post(
                "/api/v1/risk-assessments",
                assessment(json!([{"risk": "踩踏", "level": "purple", "measure": "限流", "due_on": "2022-08-20"}])),
            )
            .await;
        assert_eq!(
            (s, refused_fields(&b)),
            (422, vec!["measures".to_string()]),
            "{b}"
        );
        let (s, _) = bachuan
            .post(
                "/api/v1/risk-assessments",
                assessment(json!([{"risk": "踩踏", "level": "red", "measure": "限流", "unit": anju, "due_on": "2022-08-20"}])),
            )
            .await;
        assert_eq!(s, 404, "a unit outside the township's scope");
        assert_eq!(count(&app, "risk_assessments").await, before);
        let (s, b) = office
            .post(
                "/api/v1/risk-assessments",
                assessment(json!([
                    {"risk": "人员踩踏", "level": "red", "measure": "设置单向通道并限流", "unit": town, "due_on": "2022-08-20"},
                    {"risk": "临时用电", "level": "yellow", "measure": "临时线路专人巡查", "unit": anju, "due_on": "2022-08-25"}
                ])),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let id = b["id"].as_i64().unwrap();
        let (_, owed) = bachuan.get("/api/v1/obligations?limit=1000").await;
        assert!(
            owed.to_string()
                .contains("风险管控措施（龙灯艺术节安全风险研判）：设置单向通道并限流")
        );
        assert!(!owed.to_string().contains("临时线路专人巡查"));
        let (s, v) = office.get(&format!("/api/v1/risk-assessments/{id}")).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["measures"].as_array().unwrap().len(), 2);
        assert_eq!(v["measures"][0]["state"], "pending");
        let (s, html) = bachuan.get_text(&format!("/risk-assessments/{id}")).await;
        assert_eq!(s, 200);
        assert!(html.contains("设置单向通道并限流") && html.contains("红色"));
        // 安居镇 owes a measure and reads the assessment; a department owing none does not.
        assert_eq!(
            app.login("anju")
                .await
                .get_text(&format!("/risk-assessments/{id}"))
                .await
                .0,
            200
        );
        assert_eq!(
            app.login("yjj")
                .await
                .get_text(&format!("/risk-assessments/{id}"))
                .await
                .0,
            404
        );
    }
}

/// More risk assessments and expert engagements than a page lists (both stopped at
/// the newest 200): the pages, 50 at a time ("更多研判" on the warnings page, "下一页"
/// on the experts page), and the APIs by their `Link` headers reach every one, newest
/// day first, once; a cursor naming another unit's assessment gives the township an
/// empty page.
#[tokio::test]
async fn assessments_and_engagements_page_through_every_one() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        for i in 0..55 {
            let (s, b) = office
                .post(
                    "/api/v1/risk-assessments",
                    json!({"kind": "periodic", "held_on": format!("2022-08-{:02}", 1 + i % 9),
                           "title": format!("第{i}次定期研判"), "conclusion": "总体平稳", "measures": []}),
                )
                .await;
            assert_eq!(s, 201, "{b}");
        }
        let (_, whole) = office.get("/api/v1/risk-assessments?limit=1000").await;
        let whole = ids(whole.as_array().unwrap());
        assert_eq!(whole.len(), 55);
        assert_eq!(
            office
                .follow_ids("/api/v1/risk-assessments?limit=20", 3)
                .await,
            whole,
            "{e:?}: the API"
        );
        let rows = |html: &str| table_ids(html, "assessments", "/risk-assessments/");
        let (seen, _) = office.walk_links("/warnings", rows, "更多研判", 3).await;
        assert_eq!(seen, whole, "{e:?}: the warnings page, two pages");
        let (s, b) = bachuan
            .post(
                "/api/v1/risk-assessments",
                json!({"kind": "periodic", "held_on": "2022-07-01", "title": "街道研判",
                       "conclusion": "平稳", "measures": []}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let (s, theirs) = bachuan
            .get(&format!("/api/v1/risk-assessments?after={}", whole[0]))
            .await;
        assert_eq!((s, theirs), (200, json!([])), "{e:?}: another's cursor");

        // Engagements: an expert, then 55 services to an enterprise of the township.
        let (s, x) = office
            .post(
                "/api/v1/experts",
                json!({"name": "陈工", "field": "危险化学品", "qualification": "注册安全工程师",
                       "employer": "重庆化工设计院", "phone": "13911112222"}),
            )
            .await;
        assert_eq!(s, 201, "{x}");
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        for i in 0..55 {
            let (s, g) = bachuan
                .post(
                    "/api/v1/expert-engagements",
                    json!({"kind": "inspection", "enterprise": chem, "on": format!("2022-08-{:02}", 1 + i % 9),
                           "conclusion": "无问题", "experts": [x["id"]]}),
                )
                .await;
            assert_eq!(s, 201, "{g}");
        }
        let (_, whole) = bachuan.get("/api/v1/expert-engagements?limit=1000").await;
        let whole = ids(whole.as_array().unwrap());
        assert_eq!(whole.len(), 55);
        assert_eq!(
            bachuan
                .follow_ids("/api/v1/expert-engagements?limit=20", 3)
                .await,
            whole,
            "{e:?}: the engagements API"
        );
        let rows = |html: &str| table_ids(html, "engagements", "/expert-engagements/");
        let (seen, pages) = bachuan.walk_pages("/experts", rows, 3).await;
        assert_eq!((seen, pages), (whole, 2), "{e:?}: the experts page");
    }
}
