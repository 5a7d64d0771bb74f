//! Accident direct reports: Decree 493's grades, the one-hour rule, supplements that
//! regrade within their window, the investigation's deadline in the lead department's
//! to-do list, scope, and the one-vote veto in the month's ranking.

use serde_json::{Value, json};

use crate::harness::{TestApp, engines};

/// A report of an accident at `occurred` that the unit's head learned of at `learned`.
/// It also types a `reported_at`, which the server ignores: the time of reporting is its
/// receipt.
pub(crate) fn report(
    unit: i64,
    enterprise: i64,
    occurred: &str,
    learned: &str,
    deaths: i64,
) -> Value {
    json!({
        "unit": unit,
        "enterprise": enterprise,
        "sector": "危险化学品",
        "occurred_at": occurred,
        "learned_at": learned,
        "reported_at": occurred,
        "place": "重庆铜梁某化工有限公司储罐区",
        "account": "储罐检修动火作业引发闪爆",
        "deaths": deaths,
        "missing": 0,
        "serious_injuries": 2,
        "direct_loss_yuan": "3500000",
        "measures_taken": "已疏散周边人员，现场警戒"
    })
}

#[tokio::test]
/// Decree 493, article 9: "单位负责人接到报告后，应当于1小时内…报告" — lateness runs from
/// when the head learned of it to the server's receipt; article 19: a 较大 accident "由事故
/// 发生地…设区的市级人民政府负责调查", so the district owes its cooperation, not the report.
async fn a_late_report_with_three_deaths_is_a_late_larger_accident_investigated_in_sixty_days() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let unit = app.unit_id("巴川街道").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        // Bad input names the field; nothing is written.
        let anju = app.unit_id("安居镇").await;
        let mut unknown = report(
            unit,
            chem,
            "2022-08-08T09:00:00+08:00",
            "2022-08-08T10:30:00+08:00",
            3,
        );
        unknown["sector"] = json!("不存在的行业");
        let mut no_unit = report(
            unit,
            chem,
            "2022-08-08T09:00:00+08:00",
            "2022-08-08T10:30:00+08:00",
            3,
        );
        no_unit.as_object_mut().unwrap().remove("unit");
        for (body, field) in [
            (
                report(
                    unit,
                    chem,
                    "2022-08-08T09:00:00+08:00",
                    "2022-08-08T08:30:00+08:00",
                    3,
                ),
                "learned_at",
            ),
            (
                report(unit, chem, "2022年8月8日", "2022-08-08T10:30:00+08:00", 3),
                "occurred_at",
            ),
            (
                report(
                    unit,
                    chem,
                    "2022-08-08T09:00:00+08:00",
                    "2022-08-08T10:30:00+08:00",
                    -1,
                ),
                "deaths",
            ),
            (
                report(
                    anju,
                    chem,
                    "2022-08-08T09:00:00+08:00",
                    "2022-08-08T10:30:00+08:00",
                    3,
                ),
                "unit",
            ),
            (unknown, "sector"),
            (no_unit, "unit"),
        ] {
            let (s, b) = bachuan.post("/api/v1/accidents", body).await;
            assert_eq!((s, b["error"]["field"].as_str()), (422, Some(field)), "{b}");
        }
        assert!(
            bachuan
                .get("/api/v1/accidents")
                .await
                .1
                .as_array()
                .unwrap()
                .is_empty()
        );
        // Learned at 10:30 on the 8th, received the next morning (the server's clock is
        // 07:06:40 on 9 August), three dead: late, and larger, whatever the body types.
        let (s, a) = bachuan
            .post(
                "/api/v1/accidents",
                report(
                    unit,
                    chem,
                    "2022-08-08T09:00:00+08:00",
                    "2022-08-08T10:30:00+08:00",
                    3,
                ),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        assert_eq!(
            (a["grade"].as_str(), a["late"].as_bool()),
            (Some("larger"), Some(true))
        );
        assert_eq!(
            a["reported_at"], 1_660_000_000_000i64,
            "the server's receipt"
        );
        // The head learned of it at 06:30 on the 9th, received 37 minutes later, two dead:
        // ordinary, in time.
        let (_, b) = bachuan
            .post(
                "/api/v1/accidents",
                report(
                    unit,
                    chem,
                    "2022-08-08T09:00:00+08:00",
                    "2022-08-09T06:30:00+08:00",
                    2,
                ),
            )
            .await;
        assert_eq!(
            (b["grade"].as_str(), b["late"].as_bool()),
            (Some("ordinary"), Some(false))
        );
        // The emergency bureau leads every investigation (key task 16: "区应急局依法牵头组织
        // 对…各类生产安全事故开展调查"): the ordinary accident's report is due sixty days
        // after it (article 29); for the larger one, investigated by the city, the
        // bureau owes its cooperation and the follow-up.
        let yjj = app.login("yjj").await;
        let (_, list) = yjj.get("/api/v1/obligations?limit=1000").await;
        let titled = |prefix: &str| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .filter(|o| o["title"].as_str().unwrap_or("").starts_with(prefix))
                .map(|o| o["due_on"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(titled("事故调查报告"), vec!["2022-10-07"], "{list}");
        assert_eq!(titled("配合上级事故调查"), vec!["2022-10-07"], "{list}");
        assert!(
            yjj.get("/api/v1/accidents")
                .await
                .1
                .as_array()
                .unwrap()
                .len()
                == 2
        );
        // Another township sees none of it and cannot supplement it.
        let other = app.login("anju").await;
        assert!(
            other
                .get("/api/v1/accidents")
                .await
                .1
                .as_array()
                .unwrap()
                .is_empty()
        );
        let path = format!("/api/v1/accidents/{}/supplements", b["id"]);
        assert_eq!(other.post(&path, json!({"deaths": 3})).await.0, 404);
        // A death the next day regrades the ordinary accident as larger; ten, as major.
        let (s, r) = bachuan
            .post(
                &path,
                json!({"deaths": 3, "note": "一名重伤者经抢救无效死亡"}),
            )
            .await;
        assert_eq!((s, r["grade"].as_str()), (201, Some("larger")), "{r}");
        // Now investigated by the city: the bureau's open obligation reads as cooperation.
        let (_, list) = yjj.get("/api/v1/obligations?limit=1000").await;
        let cooperation = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| {
                o["title"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("配合上级事故调查")
            })
            .count();
        assert_eq!(cooperation, 2, "{list}");
        let (_, r) = bachuan.post(&path, json!({"deaths": 10})).await;
        assert_eq!(r["grade"], "major");
        let (s, r) = bachuan.post(&path, json!({"deaths": -2})).await;
        assert_eq!((s, r["error"]["field"].as_str()), (422, Some("deaths")));
    }
}

#[tokio::test]
async fn supplements_close_after_seven_days_for_road_traffic_and_a_serious_accident_vetoes_the_month()
 {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let office = app.login("office").await;
        let unit = app.unit_id("巴川街道").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let mut road = report(
            unit,
            chem,
            "2022-07-20T09:00:00+08:00",
            "2022-07-20T09:40:00+08:00",
            1,
        );
        road["sector"] = json!("道路交通");
        road.as_object_mut().unwrap().remove("enterprise");
        let (s, a) = bachuan.post("/api/v1/accidents", road).await;
        assert_eq!(s, 201, "{a}");
        // Twenty days later: past the seven days of a road traffic accident.
        let (s, r) = bachuan
            .post(
                &format!("/api/v1/accidents/{}/supplements", a["id"]),
                json!({"deaths": 2}),
            )
            .await;
        assert_eq!(
            (s, r["error"]["field"].as_str()),
            (422, Some("deaths")),
            "{r}"
        );
        assert!(r["error"]["message"].as_str().unwrap().contains("7日"));
        // A larger accident in July: 巴川街道 scores 0 for July, and the ladder suggests
        // 追责问责.
        let (s, _) = bachuan
            .post(
                "/api/v1/accidents",
                report(
                    unit,
                    chem,
                    "2022-07-25T09:00:00+08:00",
                    "2022-07-25T09:30:00+08:00",
                    4,
                ),
            )
            .await;
        assert_eq!(s, 201);
        let (_, r) = office.get("/api/v1/rankings/2022-07?kind=township").await;
        let b = r["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"]["name"] == "巴川街道")
            .unwrap()
            .clone();
        assert_eq!(
            (b["score"]["total"].as_i64(), b["score"]["veto"].as_bool()),
            (Some(0), Some(true)),
            "{b}"
        );
        assert_eq!(
            (
                b["unit"]["accidents"].as_i64(),
                b["unit"]["serious_accidents"].as_i64()
            ),
            (Some(2), Some(1))
        );
        let (s, _) = office
            .form("/accountability/suggest", &[("month", "2022-07")])
            .await;
        assert_eq!(s, 303);
        let (_, page) = office.get_text("/accountability?month=2022-07").await;
        assert!(
            page.contains("追责问责") && page.contains("较大及以上或瞒报事故1起"),
            "{page}"
        );
    }
}

#[tokio::test]
async fn closing_an_investigation_owes_publication_in_a_month_and_the_review_in_a_year() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let office = app.login("office").await;
        let yjj = app.login("yjj").await;
        let (unit, chem) = (
            app.unit_id("巴川街道").await,
            app.unit_id("重庆铜梁某化工有限公司").await,
        );
        let a = one_death_on_1_august(&bachuan, unit, chem).await;
        let (_, b) = bachuan
            .post(
                "/api/v1/accidents",
                report(
                    unit,
                    chem,
                    "2022-08-02T09:00:00+08:00",
                    "2022-08-02T09:20:00+08:00",
                    1,
                ),
            )
            .await;
        // The office extends one investigation once, by sixty days at most.
        let ext = format!("/api/v1/accidents/{}/extension", b["id"]);
        assert_eq!(
            yjj.post(&ext, json!({"days": 30, "reason": "技术鉴定"}))
                .await
                .0,
            403
        );
        let (s, r) = office
            .post(&ext, json!({"days": 61, "reason": "技术鉴定"}))
            .await;
        assert_eq!((s, r["error"]["field"].as_str()), (422, Some("days")));
        assert_eq!(
            office
                .post(&ext, json!({"days": 30, "reason": "需技术鉴定"}))
                .await
                .0,
            200
        );
        assert_eq!(
            office
                .post(&ext, json!({"days": 10, "reason": "再延"}))
                .await
                .1["error"]["code"],
            "already_extended"
        );
        // The lead department closes the other; the township may not.
        let close = format!("/api/v1/accidents/{}/close", a["id"]);
        assert_eq!(bachuan.post(&close, json!({})).await.0, 403);
        let (s, r) = yjj.post(&close, json!({})).await;
        assert_eq!((s, r["status"].as_str()), (200, Some("closed")), "{r}");
        let (_, list) = yjj.get("/api/v1/obligations?limit=1000").await;
        let mine: Vec<(String, String, String)> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["title"].as_str().unwrap_or("").starts_with("事故"))
            .map(|o| {
                (
                    o["title"].as_str().unwrap().chars().take(6).collect(),
                    o["due_on"].as_str().unwrap().into(),
                    o["state"].as_str().unwrap().into(),
                )
            })
            .collect();
        for (title, due, state) in [
            ("事故调查报告", "2022-09-30", "accepted"),
            ("事故调查报告", "2022-10-31", "pending"),
            ("事故调查报告", "2022-09-09", "pending"),
            ("事故整改措施", "2023-08-09", "pending"),
        ] {
            assert!(
                mine.iter()
                    .any(|(t, d, s)| t == title && d == due && s == state),
                "{title} {due} {state}: {mine:?}"
            );
        }
    }
}

#[tokio::test]
/// Key task 61: "对初步认定的瞒报事故，一律由区安委会挂牌督办…对瞒报事故的企业，一律从重处罚并
/// 纳入“黑名单”，实施联合惩戒…对政府和部门瞒报一律实行“一票否决”。" — the enterprise that
/// concealed is blacklisted and penalised, the township is vetoed only when it concealed.
async fn a_tip_substantiated_as_a_concealed_accident_marks_it_and_vetoes_the_month() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let office = app.login("office").await;
        let unit = app.unit_id("巴川街道").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        // July's ranking is kept before anything is known.
        let (_, before) = office.get("/api/v1/rankings/2022-07?kind=township").await;
        assert!(
            before["units"]
                .as_array()
                .unwrap()
                .iter()
                .all(|u| u["score"]["veto"] == false)
        );
        // Recorded as an ordinary accident with one death …
        let (_, a) = bachuan
            .post(
                "/api/v1/accidents",
                report(
                    unit,
                    chem,
                    "2022-07-05T09:00:00+08:00",
                    "2022-07-05T09:20:00+08:00",
                    1,
                ),
            )
            .await;
        // … a tip says more was hidden; the township verifies and links it.
        let (_, r) = app
            .anon()
            .post("/api/v1/public/tips", json!({"category": "concealed_accident", "sector": "危险化学品", "place": "重庆铜梁某化工有限公司", "description": "7月5日事故实际死亡2人，企业隐瞒不报"}))
            .await;
        assert!(r["receipt"].is_string());
        let (_, list) = office.get("/api/v1/tips").await;
        let id = list[0]["id"].as_i64().unwrap();
        office
            .post(&format!("/api/v1/tips/{id}/accept"), json!({"unit": unit}))
            .await;
        // Another locality's accident is not the township's to mark (a one-vote veto of
        // 安居镇): refused, and nothing is written.
        let anju_unit = app.unit_id("安居镇").await;
        let scenic = app.unit_id("铜梁区安居古镇旅游开发有限公司").await;
        let (s, foreign) = app
            .login("anju")
            .await
            .post(
                "/api/v1/accidents",
                report(
                    anju_unit,
                    scenic,
                    "2022-07-04T09:00:00+08:00",
                    "2022-07-04T09:20:00+08:00",
                    1,
                ),
            )
            .await;
        assert_eq!(s, 201, "{foreign}");
        let (s, t) = bachuan
            .post(
                &format!("/api/v1/tips/{id}/outcome"),
                json!({"substantiated": true, "note": "经核查属实", "accident": foreign["id"]}),
            )
            .await;
        assert_eq!(
            (s, t["error"]["field"].as_str()),
            (422, Some("accident")),
            "{t}"
        );
        let (s, t) = bachuan
            .post(&format!("/api/v1/tips/{id}/outcome"), json!({"substantiated": true, "note": "经核查属实，已依法处理", "accident": a["id"]}))
            .await;
        assert_eq!(s, 200, "{t}");
        // A second outcome of the same tip is a conflict, not a second success.
        let (s, t) = bachuan
            .post(
                &format!("/api/v1/tips/{id}/outcome"),
                json!({"substantiated": false, "note": "重复提交"}),
            )
            .await;
        assert!(s == 409 || s == 422, "{s} {t}");
        let (_, list) = bachuan.get("/api/v1/accidents").await;
        assert_eq!(list[0]["concealed"], true);
        assert_eq!(list[0]["concealed_by"], "enterprise");
        assert!(
            list[0]["listed_on"].is_string(),
            "listed for supervision at once"
        );
        // The enterprise concealed it: blacklisted, its penalty owed by the bureau; the
        // township is not vetoed.
        let entries = anjian_store::accidents::blacklisted(&app.db, chem)
            .await
            .unwrap();
        assert_eq!(entries.len(), 1);
        assert!(entries[0].1.contains("联合惩戒"), "{entries:?}");
        let yjj = app.login("yjj").await;
        let (_, owed) = yjj.get("/api/v1/obligations?limit=1000").await;
        assert!(
            owed.to_string().contains("对瞒报事故的企业从重处罚"),
            "{owed}"
        );
        let township = |r: &Value| {
            r["units"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["unit"]["name"] == "巴川街道")
                .unwrap()
                .clone()
        };
        let (_, r) = office.get("/api/v1/rankings/2022-07?kind=township").await;
        assert_eq!(township(&r)["score"]["veto"], false, "{r}");
        // A second concealed accident, concealed by the township itself: vetoed.
        let (_, c) = bachuan
            .post(
                "/api/v1/accidents",
                report(
                    unit,
                    chem,
                    "2022-07-06T09:00:00+08:00",
                    "2022-07-06T09:20:00+08:00",
                    1,
                ),
            )
            .await;
        let (_, r) = app
            .anon()
            .post("/api/v1/public/tips", json!({"category": "concealed_accident", "sector": "危险化学品", "place": "巴川街道", "description": "街道知情不报"}))
            .await;
        assert!(r["receipt"].is_string());
        let (_, list) = office.get("/api/v1/tips").await;
        let id = list[0]["id"].as_i64().unwrap();
        office
            .post(&format!("/api/v1/tips/{id}/accept"), json!({"unit": unit}))
            .await;
        let (s, t) = bachuan
            .post(&format!("/api/v1/tips/{id}/outcome"), json!({"substantiated": true, "note": "经核查属实", "accident": c["id"], "concealed_by": "unit"}))
            .await;
        assert_eq!(s, 200, "{t}");
        let (_, r) = office.get("/api/v1/rankings/2022-07?kind=township").await;
        assert_eq!(township(&r)["score"]["total"], 0, "{r}");
        assert_eq!(township(&r)["score"]["veto"], true, "{r}");
    }
}

#[tokio::test]
async fn the_accident_page_reports_from_a_phone_form_in_beijing_time() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let unit = app.unit_id("巴川街道").await.to_string();
        let fields = [
            ("unit", unit.as_str()),
            ("sector", "危险化学品"),
            ("occurred_at", "2022-08-08T09:00"),
            ("learned_at", "2022-08-08T10:30"),
            ("place", "储罐区"),
            ("account", "闪爆"),
            ("deaths", "3"),
            ("direct_loss_yuan", "350万"),
        ];
        let (s, html) = bachuan.form("/accidents", &fields).await;
        assert_eq!(s, 422, "a loss written in words is refused");
        assert!(html.contains("直接经济损失"), "{html}");
        let mut fields = fields;
        fields[7].1 = "3500000";
        assert_eq!(bachuan.form("/accidents", &fields).await.0, 303);
        let (_, html) = bachuan.get_text("/accidents").await;
        assert!(
            html.contains("较大事故") && html.contains("迟报") && html.contains("2022-08-08 09:00"),
            "{html}"
        );
        // Each form of the entry posts to its own route: the office extends the
        // investigation once (Decree 493 art. 29: "延长的期限最长不超过60日").
        let (id,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT MAX(id) FROM accidents"))
            .await
            .unwrap();
        let office = app.login("office").await;
        let path = format!("/accidents/{id}/extension");
        let (s, html) = office
            .form(&path, &[("days", "90"), ("note", "需要补充鉴定")])
            .await;
        assert!(s == 422 && html.contains("60"), "{s}");
        assert_eq!(
            bachuan
                .form(&path, &[("days", "30"), ("note", "需要补充鉴定")])
                .await
                .0,
            403,
            "only the office extends"
        );
        let (s, _) = office
            .form(&path, &[("days", "30"), ("note", "需要补充鉴定")])
            .await;
        assert_eq!(s, 303);
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'accident.extend' AND detail LIKE '%需要补充鉴定%'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
}

/// Decree 493, article 9: "事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责
/// 人接到报告后，应当于1小时内…报告" — an enterprise account reports its own accident and
/// follows it; its township, the emergency bureau and the sector's department read it.
#[tokio::test]
async fn an_enterprise_reports_its_own_accident() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let huagong = app.login("huagong").await;
        let mut body = report(
            0,
            0,
            "2022-08-09T06:10:00+08:00",
            "2022-08-09T06:40:00+08:00",
            1,
        );
        let o = body.as_object_mut().unwrap();
        o.remove("unit");
        o.remove("enterprise");
        let (s, a) = huagong.post("/api/v1/accidents", body).await;
        assert_eq!(s, 201, "{a}");
        assert_eq!(a["unit_name"], "巴川街道", "the enterprise's township");
        assert_eq!(a["late"], false);
        for login in ["huagong", "bachuan", "yjj", "office"] {
            let (_, list) = app.login(login).await.get("/api/v1/accidents").await;
            assert!(
                list.as_array().unwrap().iter().any(|x| x["id"] == a["id"]),
                "{login} reads it"
            );
        }
        let (_, list) = app.login("anju").await.get("/api/v1/accidents").await;
        assert!(list.as_array().unwrap().is_empty());
    }
}

/// The lead department and the office closing one investigation at once: one closes it,
/// the other is told it moved on (the step is applied only from the state read), and
/// the chain holds one close; a second close later is refused by the machine's table.
#[tokio::test]
async fn a_concurrent_double_close_succeeds_once() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let (unit, chem) = (
            app.unit_id("巴川街道").await,
            app.unit_id("重庆铜梁某化工有限公司").await,
        );
        let a = one_death_on_1_august(&bachuan, unit, chem).await;
        let id = a["id"].as_i64().unwrap();
        let (yjj, office) = (app.login("yjj").await, app.login("office").await);
        let close = format!("/api/v1/accidents/{id}/close");
        let (x, y) = tokio::join!(yjj.post(&close, json!({})), office.post(&close, json!({})));
        crate::harness::one_of_two_succeeds(&x, &y);
        assert_eq!(crate::harness::entries(&app, "accident.close", id).await, 1);
        let (s, r) = office.post(&close, json!({})).await;
        assert_eq!(
            (s, r["error"]["code"].as_str()),
            (422, Some("already_closed"))
        );
    }
}

/// 巴川街道 reports an accident at the chemical works on 1 August 2022 (one death,
/// learned of twenty minutes later); answers the accident.
async fn one_death_on_1_august(c: &crate::harness::Client, unit: i64, chem: i64) -> Value {
    let (s, a) = c
        .post(
            "/api/v1/accidents",
            report(
                unit,
                chem,
                "2022-08-01T09:00:00+08:00",
                "2022-08-01T09:20:00+08:00",
                1,
            ),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    a
}

/// Issue 17 part 1: the accident list narrows to a month, a grade, an investigation's
/// state, a unit and words, newest first, page by page.
#[tokio::test]
async fn the_accident_list_narrows_and_pages() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let unit = app.unit_id("巴川街道").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        for (day, deaths, place) in [
            ("2022-07-08", 3, "储罐区"),
            ("2022-07-20", 1, "装卸站台"),
            ("2022-08-02", 1, "配电室"),
        ] {
            let mut r = report(
                unit,
                chem,
                &format!("{day}T09:00:00+08:00"),
                &format!("{day}T09:20:00+08:00"),
                deaths,
            );
            r["place"] = json!(place);
            let (s, b) = bachuan.post("/api/v1/accidents", r).await;
            assert_eq!(s, 201, "{b}");
        }
        let office = app.login("office").await;
        let ids = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|a| a["place"].as_str().unwrap().to_string())
                .collect()
        };
        let (_, aug) = office.get("/api/v1/accidents?month=2022-07").await;
        assert_eq!(ids(&aug), ["装卸站台", "储罐区"]);
        let (_, larger) = office.get("/api/v1/accidents?grade=larger").await;
        assert_eq!(ids(&larger), ["储罐区"]);
        let (_, words) = office.get("/api/v1/accidents?q=配电").await;
        assert_eq!(ids(&words), ["配电室"]);
        let (_, open) = office
            .get(&format!(
                "/api/v1/accidents?status=investigating&unit={unit}"
            ))
            .await;
        assert_eq!(open.as_array().unwrap().len(), 3);
        // Pages: the first two, then the one before the second.
        let (_, first) = office.get("/api/v1/accidents?limit=2").await;
        assert_eq!(ids(&first), ["配电室", "装卸站台"]);
        let before = format!("{},{}", first[1]["occurred_at"], first[1]["id"]);
        let (_, rest) = office
            .get(&format!("/api/v1/accidents?before={before}"))
            .await;
        assert_eq!(ids(&rest), ["储罐区"]);
        // The page keeps the filter and lists only what it matches.
        let (s, page) = office.get_text("/accidents?grade=larger").await;
        assert_eq!(s, 200);
        assert!(page.contains("储罐区") && !page.contains("配电室"));
        assert!(page.contains("value=\"larger\" selected"));
        for (query, field) in [
            ("grade=huge", "grade"),
            ("status=x", "status"),
            ("month=2022-13", "month"),
            ("before=1", "before"),
            ("limit=0", "limit"),
        ] {
            let (s, b) = office.get(&format!("/api/v1/accidents?{query}")).await;
            assert_eq!(
                (s, b["error"]["field"].as_str()),
                (400, Some(field)),
                "{query} {b}"
            );
        }
    }
}

/// Issue 17 part 3 on the accident report: a refused report tells every problem at
/// once, each beside its field, and comes back with what was typed and chosen.
#[tokio::test]
async fn a_refused_accident_report_keeps_what_was_typed_and_tells_every_problem() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let unit = app.unit_id("巴川街道").await.to_string();
        let (s, page) = bachuan
            .form(
                "/accidents",
                &[
                    ("unit", unit.as_str()),
                    ("sector", "危化品"),
                    ("occurred_at", ""),
                    ("place", ""),
                    ("account", "储罐检修时闪爆\n两人受伤送医"),
                    ("deaths", "x"),
                    ("missing", "0"),
                    ("serious_injuries", "2"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("有3处需要修改"), "{page}");
        for name in ["occurred_at", "place", "deaths"] {
            let beside = page
                .split(&format!("name=\"{name}\""))
                .nth(1)
                .and_then(|p| p.split("</label>").next())
                .unwrap_or_default();
            assert!(beside.contains("field-error"), "{name}: {beside}");
        }
        assert!(
            page.contains("储罐检修时闪爆\n两人受伤送医"),
            "the account comes back"
        );
        assert!(
            page.contains(&format!("value=\"{unit}\" selected")),
            "the unit stays chosen"
        );
        assert!(page.contains("value=\"2\""), "the injured stay typed");
        let (s, b) = bachuan
            .post(
                "/api/v1/accidents",
                json!({"unit": unit.parse::<i64>().unwrap(), "sector": "危化品", "occurred_at": "", "place": "", "account": "x", "deaths": -1}),
            )
            .await;
        assert_eq!(s, 422);
        let also: Vec<&str> = b["error"]["also"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["field"].as_str().unwrap())
            .collect();
        assert_eq!(b["error"]["field"], "occurred_at", "{b}");
        assert!(also.contains(&"place") && also.contains(&"deaths"), "{b}");
    }
}
