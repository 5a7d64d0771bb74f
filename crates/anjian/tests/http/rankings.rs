//! The monthly ranking, the accountability ladder, the bulletin and the dashboard:
//! explainable scores, a scheme that must add up, suggestions the office confirms or
//! dismisses, a bulletin only for a month that has ended, and every figure in scope.

use serde_json::{Value, json};

use crate::harness::{Client, TestApp, docx_text, engines};

/// An inspection by the caller's unit of `enterprise` on `day`, with a fine.
fn inspection(enterprise: i64, day: &str, fined: bool) -> Value {
    let mut v = json!({
        "enterprise": enterprise,
        "inspected_on": day,
        "inspectors": [
            {"name": "王强", "certificate": "渝应急执 0501"},
            {"name": "刘洋", "certificate": "渝应急执 0502"}
        ],
        "place": "储罐区",
        "checked": "重大危险源管理、两个必查",
        "problems": "可燃气体报警器失效",
        "signed": true,
        "principal_checked": true,
        "heads_checked": true,
        "order_deadline": "2022-08-20"
    });
    if fined {
        v["penalty"] = json!({"kind": "罚款", "amount": "20000", "legal_basis": "《安全生产法》第九十九条", "discretion": "裁量基准第12项 一般", "decided_on": "2022-08-08"});
    }
    v
}

/// The ids of the suggestions on an accountability page.
fn decide_ids(html: &str) -> Vec<String> {
    html.split("/accountability/")
        .skip(1)
        .filter_map(|s| s.split_once("/decide").map(|(id, _)| id.to_string()))
        .filter(|id| id.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

#[tokio::test]
async fn a_penalty_decision_must_be_made_public_within_seven_working_days() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let mut fined = inspection(chem, "2022-08-05", true);
        fined["penalty"]["paid_by"] = json!("2022-08-01");
        let (s, b) = yjj.post("/api/v1/enforcements", fined.clone()).await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (422, Some("penalty.paid_by")),
            "{b}"
        );
        fined["penalty"]["paid_by"] = json!("2022-08-23");
        let (s, b) = yjj.post("/api/v1/enforcements", fined).await;
        assert_eq!(s, 201, "{b}");
        assert_eq!(b["penalty_paid_by"], "2022-08-23");
        let (_, list) = yjj.get("/api/v1/obligations?limit=1000").await;
        let publication: Vec<&Value> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| {
                o["title"]
                    .as_str()
                    .unwrap_or("")
                    .contains("行政处罚决定公示")
            })
            .collect();
        assert_eq!(publication.len(), 1, "{list}");
        // Decided on Monday 8 August 2022: seven working days later is 17 August.
        assert_eq!(publication[0]["due_on"], "2022-08-17");
        assert!(publication[0]["title"].as_str().unwrap().contains("化工"));
        // It is an ordinary obligation of the unit: its page offers the report form.
        let (s, page) = yjj
            .get_text(&format!("/obligations/{}", publication[0]["id"]))
            .await;
        assert_eq!(s, 200, "{page}");
        assert!(page.contains("行政处罚决定公示") && page.contains("2022-08-17"));
        // Its page names the unit's role as assigned: it alone owes it, not "必要时邀请".
        assert!(
            page.contains("责任单位") && !page.contains("必要时邀请"),
            "{page}"
        );
        // Without a penalty there is nothing to publish.
        yjj.post(
            "/api/v1/enforcements",
            inspection(chem, "2022-08-06", false),
        )
        .await;
        let (_, list) = yjj.get("/api/v1/obligations?limit=1000").await;
        let n = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| {
                o["title"]
                    .as_str()
                    .unwrap_or("")
                    .contains("行政处罚决定公示")
            })
            .count();
        assert_eq!(n, 1);
    }
}

#[tokio::test]
async fn the_ranking_explains_each_score_and_the_scheme_must_add_up() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        yjj.post(
            "/api/v1/enforcements",
            inspection(chem, "2022-07-12", false),
        )
        .await;
        let (s, r) = office.get("/api/v1/rankings/2022-07?kind=department").await;
        assert_eq!(s, 200, "{r}");
        let units = r["units"].as_array().unwrap();
        assert!(units.len() > 5, "{r}");
        for u in units {
            let lines = u["score"]["lines"].as_array().unwrap();
            assert_eq!(lines.len(), 6);
            // The parts with something to score, scaled to 100 (issue 22: a part with
            // nothing to score is weighted out).
            let sum: i64 = lines.iter().map(|l| l["points"].as_i64().unwrap()).sum();
            let weight: i64 = lines
                .iter()
                .filter(|l| l["scored"] == true)
                .map(|l| l["weight"].as_i64().unwrap())
                .sum();
            assert_eq!(
                sum * 100 / weight,
                u["score"]["total"].as_i64().unwrap(),
                "{u}"
            );
            assert!(
                lines
                    .iter()
                    .all(|l| !l["because"].as_str().unwrap().is_empty())
            );
        }
        let part = |u: &Value, p: &str| {
            u["score"]["lines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["part"] == p)
                .unwrap()["points"]
                .as_i64()
                .unwrap()
        };
        let yjj_line = units
            .iter()
            .find(|u| u["unit"]["name"] == "区应急局")
            .unwrap();
        assert_eq!(yjj_line["unit"]["inspections"], 1);
        assert_eq!(
            part(yjj_line, "enforcement"),
            1500,
            "the most among peers: full marks"
        );
        assert!(
            units
                .iter()
                .filter(|u| u["unit"]["name"] != "区应急局")
                .all(|u| part(u, "enforcement") == 0)
        );
        assert_eq!(units[0]["score"]["rank"], 1);
        assert!(units.iter().any(|u| u["bottom"] == true));
        let ranks: Vec<i64> = units
            .iter()
            .map(|u| u["score"]["rank"].as_i64().unwrap())
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "best first");
        // Townships are ranked apart.
        let (_, t) = office.get("/api/v1/rankings/2022-07?kind=township").await;
        let names: Vec<&str> = t["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["unit"]["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"巴川街道") && !names.contains(&"区应急局"));
        // Bad input names the field.
        for (path, status, field) in [
            ("/api/v1/rankings/2022-13", 400, "month"),
            ("/api/v1/rankings/2022-07?kind=village", 400, "kind"),
            ("/api/v1/rankings/2022-09", 422, "month"),
        ] {
            let (s, b) = office.get(path).await;
            assert_eq!(
                (s, b["error"]["field"].as_str()),
                (status, Some(field)),
                "{path}: {b}"
            );
        }
        // A scheme whose weights do not add up to 100 is refused, and nothing changes.
        let weights = [
            ("on_time", "30"),
            ("rectification", "30"),
            ("overdue", "15"),
            ("enforcement", "15"),
            ("visit_findings", "10"),
            ("accidents", "5"),
            ("month", "2022-07"),
            ("kind", "department"),
        ];
        let (s, html) = office.form("/rankings/scheme", &weights).await;
        assert_eq!(s, 422);
        assert!(html.contains("各项权重之和应为100，现为105"), "{html}");
        // A township may not change it.
        let bachuan = app.login("bachuan").await;
        let mut good = weights;
        good[1].1 = "25";
        good[3].1 = "50";
        good[0].1 = "0";
        good[2].1 = "10";
        good[4].1 = "10";
        good[5].1 = "5";
        assert_eq!(bachuan.form("/rankings/scheme", &good).await.0, 403);
        // The office may; the month is recomputed under the new weights.
        let (s, html) = office.form("/rankings/scheme", &good).await;
        assert_eq!(s, 303, "{html}");
        let (_, r) = office.get("/api/v1/rankings/2022-07?kind=department").await;
        let yjj_line = r["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"]["name"] == "区应急局")
            .unwrap();
        let enforcement = yjj_line["score"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["part"] == "enforcement")
            .unwrap();
        assert_eq!(
            (
                enforcement["weight"].as_i64(),
                enforcement["points"].as_i64()
            ),
            (Some(50), Some(5000))
        );
        // A one-vote veto scores the unit 0, whatever its parts; a township may not.
        let yjj_id = app.unit_id("区应急局").await.to_string();
        let veto = [
            ("unit", yjj_id.as_str()),
            ("reason", "发生较大生产安全事故"),
            ("kind", "department"),
        ];
        assert_eq!(bachuan.form("/rankings/2022-07/veto", &veto).await.0, 403);
        let (s, html) = office
            .form(
                "/rankings/2022-07/veto",
                &[
                    ("unit", yjj_id.as_str()),
                    ("reason", ""),
                    ("kind", "department"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(html.contains("否决事由"), "{html}");
        assert_eq!(office.form("/rankings/2022-07/veto", &veto).await.0, 303);
        let (_, r) = office.get("/api/v1/rankings/2022-07?kind=department").await;
        let last = r["units"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["unit"]["name"], "区应急局");
        assert_eq!(
            (
                last["score"]["total"].as_i64(),
                last["score"]["veto"].as_bool()
            ),
            (Some(0), Some(true))
        );
        assert_eq!(last["unit"]["veto"], "发生较大生产安全事故");
        // Wherever its score appears, the veto and its reason appear with it: the
        // dashboard's table says 一票否决 with the reason beside 0.00 points, and the
        // chart scores in points (分), never as a percentage.
        let (_, home) = office.get_text("/?month=2022-07").await;
        let row = home
            .split("<tr")
            .find(|r| r.contains("区应急局") && r.contains("rankings/2022-07?kind=department"))
            .unwrap_or_default()
            .to_string();
        assert!(
            row.contains("0.00")
                && row.contains("一票否决")
                && row.contains("发生较大生产安全事故"),
            "{row}"
        );
        // The ranking's month picker.
        let (s, to) = office
            .get_text("/rankings?month=2022-06&kind=department")
            .await;
        assert_eq!(s, 303, "{to}");
        let res = office
            .http
            .get(format!(
                "{}/rankings?month=2022-06&kind=department",
                office.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()["location"].to_str().unwrap(),
            "/rankings/2022-06?kind=department"
        );
        let (_, page) = office.get_text("/rankings/2022-07").await;
        assert!(page.contains(r#"<input type="month" name="month" value="2022-07">"#));
        // Enterprises do not see rankings.
        let huagong = app.login("huagong").await;
        assert_eq!(huagong.get("/api/v1/rankings/2022-07").await.0, 403);
    }
}

/// Asks for July's suggestions and returns the page.
async fn suggestions(office: &Client) -> String {
    let (s, html) = office
        .form("/accountability/suggest", &[("month", "2022-07")])
        .await;
    assert_eq!(s, 303, "{html}");
    office.get_text("/accountability?month=2022-07").await.1
}

#[tokio::test]
async fn the_office_confirms_or_dismisses_the_ladders_suggestions() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        // Before the month has ended there is nothing to suggest.
        let (s, html) = office
            .form("/accountability/suggest", &[("month", "2022-08")])
            .await;
        assert_eq!(s, 422);
        assert!(html.contains("尚未结束"));
        // July: nobody enforced, so the rule on zero enforcement suggests 警示约谈.
        let html = suggestions(&office).await;
        assert!(
            html.contains("警示约谈") && html.contains("当月执法检查为零"),
            "{html}"
        );
        let ids = decide_ids(&html);
        assert!(ids.len() >= 2, "{html}");
        // Asking again suggests nothing new.
        let again = suggestions(&office).await;
        assert_eq!(decide_ids(&again), ids, "asking again suggests nothing new");
        // A township may neither suggest nor decide.
        assert_eq!(
            bachuan
                .form("/accountability/suggest", &[("month", "2022-07")])
                .await
                .0,
            403
        );
        let path = format!("/accountability/{}/decide", ids[0]);
        assert_eq!(
            bachuan
                .form(&path, &[("confirm", "1"), ("month", "2022-07")])
                .await
                .0,
            403
        );
        // Dismissing needs a reason.
        let (s, html) = office
            .form(&path, &[("confirm", "0"), ("month", "2022-07")])
            .await;
        assert_eq!(s, 422);
        assert!(html.contains("驳回建议须写明理由"));
        // Two confirmed, one dismissed with its reason.
        for id in &ids[..2] {
            let (s, _) = office
                .form(
                    &format!("/accountability/{id}/decide"),
                    &[("confirm", "1"), ("month", "2022-07")],
                )
                .await;
            assert_eq!(s, 303);
        }
        let (s, html) = office
            .form(
                &format!("/accountability/{}/decide", ids[0]),
                &[("confirm", "1"), ("month", "2022-07")],
            )
            .await;
        assert_eq!(s, 422, "a decided suggestion is not decided again");
        assert!(html.contains("已确认或驳回"));
        if let Some(third) = ids.get(2) {
            let (s, _) = office
                .form(
                    &format!("/accountability/{third}/decide"),
                    &[
                        ("confirm", "0"),
                        ("reason", "已整改到位"),
                        ("month", "2022-07"),
                    ],
                )
                .await;
            assert_eq!(s, 303);
        }
        // A unit's history is one page; a township sees only forms against its own.
        let bachuan_id = app.unit_id("巴川街道").await;
        let (s, html) = bachuan
            .get_text(&format!("/units/{bachuan_id}/accountability"))
            .await;
        assert_eq!(s, 200);
        assert!(html.contains("巴川街道"));
        let anju_id = app.unit_id("安居镇").await;
        assert_eq!(
            bachuan
                .get_text(&format!("/units/{anju_id}/accountability"))
                .await
                .0,
            404
        );
        let (_, mine) = bachuan.get_text("/accountability?month=2022-07").await;
        assert!(!mine.contains("安居镇"), "{mine}");
        // A form recorded directly against a named person.
        let unit = anju_id.to_string();
        let (s, html) = office
            .form(
                "/accountability",
                &[
                    ("unit", &unit),
                    ("person", "张某"),
                    ("form", "last_place_speech"),
                    ("reason", "连续两月排名末位"),
                    ("decided_on", "2022-08-05"),
                    ("evidence", "7月排名|/rankings/2022-07"),
                ],
            )
            .await;
        assert_eq!(s, 303, "{html}");
        let (_, history) = office
            .get_text(&format!("/units/{anju_id}/accountability"))
            .await;
        assert!(
            history.contains("末位发言")
                && history.contains("张某")
                && history.contains("/rankings/2022-07")
        );
        let (s, html) = office
            .form(
                "/accountability",
                &[
                    ("unit", &unit),
                    ("form", "fine"),
                    ("reason", "x"),
                    ("decided_on", "2022-08-05"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(html.contains("请选择问责方式"));
    }
}

#[tokio::test]
async fn the_bulletin_is_generated_once_for_a_month_that_has_ended() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        yjj.post(
            "/api/v1/enforcements",
            inspection(chem, "2022-07-12", false),
        )
        .await;
        // August has not ended on 9 August 2022.
        let (s, b) = office.post("/api/v1/bulletins/2022-08", json!({})).await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (422, Some("month")),
            "{b}"
        );
        assert!(b["error"]["message"].as_str().unwrap().contains("尚未结束"));
        let (s, b) = office.post("/api/v1/bulletins/2022-7x", json!({})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (400, Some("month")));
        assert_eq!(
            office.get_bytes("/api/v1/bulletins/2022-07/docx").await.0,
            404
        );
        // A township may not issue one.
        let bachuan = app.login("bachuan").await;
        assert_eq!(
            bachuan.post("/api/v1/bulletins/2022-07", json!({})).await.0,
            403
        );
        let (s, b) = office.post("/api/v1/bulletins/2022-07", json!({})).await;
        assert_eq!(s, 201, "{b}");
        let id = b["id"].as_i64().unwrap();
        // Asking again is refused: the archived one stands.
        let (s, again) = office.post("/api/v1/bulletins/2022-07", json!({})).await;
        assert_eq!(
            (s, again["error"]["code"].as_str()),
            (409, Some("bulletin_issued")),
            "{again}"
        );
        let (n, first): (i64, i64) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT), CAST(MIN(id) AS BIGINT) FROM bulletins WHERE month = '2022-07'",
            ))
            .await
            .unwrap();
        assert_eq!((n, first), (1, id), "one bulletin for July");
        let issued = anjian_store::bulletins::get(&app.db, "2022-07")
            .await
            .unwrap()
            .unwrap();
        agrees_with_annex(&issued.content);
        let (s, kind, bytes) = office.get_bytes("/api/v1/bulletins/2022-07/docx").await;
        assert_eq!(s, 200);
        assert!(kind.contains("wordprocessingml"));
        let xml = docx_text(&bytes);
        for needle in [
            "〔2022〕1号",
            "关于2022年7月全区安全生产工作情况的通报",
            "区应急局",
            "巴川街道",
            "未开展执法检查的单位",
            "w:eastAsia=\"仿宋_GB2312\"",
        ] {
            assert!(xml.contains(needle), "the bulletin lacks {needle}");
        }
        // Zero-enforcement units are named; the one that enforced is not among them.
        let zero = xml.split("未开展执法检查的单位").nth(1).unwrap();
        let zero = zero.split("请上述单位").next().unwrap();
        assert!(
            zero.contains("巴川街道") && !zero.contains("区应急局"),
            "{zero}"
        );
        // The township reads it (printable page and annex); enterprises do not.
        let (s, html) = bachuan.get_text("/bulletins/2022-07").await;
        assert_eq!(s, 200);
        assert!(html.contains("铜梁") || html.contains("通报"));
        let (s, kind, _) = bachuan.get_bytes("/bulletins/2022-07/xlsx").await;
        assert_eq!(s, 200);
        assert!(kind.contains("spreadsheetml"));
        let huagong = app.login("huagong").await;
        assert_eq!(
            huagong.get_bytes("/api/v1/bulletins/2022-07/docx").await.0,
            403
        );
    }
}

#[tokio::test]
async fn the_dashboard_shows_each_viewer_its_own_scope() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        yjj.post("/api/v1/enforcements", inspection(chem, "2022-07-12", true))
            .await;
        let (s, d) = office.get("/api/v1/dashboard?month=2022-07").await;
        assert_eq!(s, 200, "{d}");
        assert_eq!(d["totals"]["inspections"], 1);
        assert_eq!(d["totals"]["penalties"], 1);
        assert_eq!(d["totals"]["amount_fen"], 2_000_000);
        assert!(d["localities"].as_array().unwrap().len() > 10);
        assert_eq!(d["trend"].as_array().unwrap().len(), 7);
        // The campaign's progress at July's end: its work due by then, and what is done.
        let due = d["totals"]["due_to_date"].as_i64().unwrap();
        assert!(
            due > 100 && d["totals"]["done_to_date"].as_i64().unwrap() <= due,
            "{d}"
        );
        // A township sees its own locality only.
        let bachuan = app.login("bachuan").await;
        let (_, mine) = bachuan.get("/api/v1/dashboard?month=2022-07").await;
        let names: Vec<&str> = mine["localities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["unit"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["巴川街道"]);
        assert_eq!(mine["totals"]["inspections"], 0);
        // Bad months are refused naming the field.
        assert_eq!(
            office.get("/api/v1/dashboard?month=July").await.1["error"]["field"],
            "month"
        );
        assert_eq!(
            office.get("/api/v1/dashboard?month=2023-01").await.1["error"]["field"],
            "month"
        );
        // The home page carries it with its charts and drill-down links.
        let (_, html) = office.get_text("/?month=2022-07").await;
        assert!(
            html.contains("工作看板") && html.matches("<svg").count() >= 3,
            "{html}"
        );
        assert!(html.contains("/enforcements?month=2022-07"));
        let huagong = app.login("huagong").await;
        assert_eq!(huagong.get("/api/v1/dashboard").await.0, 403);
        assert!(!huagong.get_text("/").await.1.contains("工作看板"));
    }
}

/// Key task 32: "专项整治排名连续落后…作末位发言" — runs count the campaign's months only:
/// in May 2022, the campaign's first month, nobody has been behind for longer.
#[tokio::test]
async fn rankings_start_with_the_campaign() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        for kind in ["township", "department"] {
            let (s, r) = office
                .get(&format!("/api/v1/rankings/2022-05?kind={kind}"))
                .await;
            assert_eq!(s, 200, "{r}");
            for u in r["units"].as_array().unwrap() {
                assert!(
                    u["bottom_run"].as_i64().unwrap() <= 1
                        && u["behind_run"].as_i64().unwrap() <= 1,
                    "{u}"
                );
            }
        }
        // Issue 16 part 6: "rankings are computed without writing on a GET, and
        // keeping them is an audited action". Reading the rankings, the ranking page,
        // the dashboard and the home page write nothing.
        let chain = |app: &TestApp| {
            let db = app.db.clone();
            async move {
                db.read()
                    .one::<(i64,)>(anjian_store::q(
                        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log",
                    ))
                    .await
                    .unwrap()
                    .0
            }
        };
        let before = chain(&app).await;
        for path in [
            "/rankings/2022-07?kind=township",
            "/",
            "/rankings/2022-06?kind=department",
        ] {
            assert_eq!(office.get_text(path).await.0, 200, "{path}");
        }
        assert_eq!(office.get("/api/v1/dashboard?month=2022-07").await.0, 200);
        assert_eq!(chain(&app).await, before, "reads write nothing");
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM rankings",
            ))
            .await
            .unwrap();
        assert_eq!(n, 0, "nothing kept by a read");
        // The office keeps May (recomputing it): both kinds, in one audited action.
        let (s, _) = office
            .form("/rankings/2022-05/recompute", &[("kind", "township")])
            .await;
        assert_eq!(s, 303);
        let (kept,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'ranking.recompute' AND object_id = '2022-05' AND detail LIKE '%2022-05%'",
            ))
            .await
            .unwrap();
        assert_eq!(kept, 1, "May kept in one audited action");
        let (kinds,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM rankings WHERE month = '2022-05'",
            ))
            .await
            .unwrap();
        assert_eq!(kinds, 2, "both kinds of May kept");
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM ranking_units WHERE month < '2022-05'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 0, "no month before the campaign is kept");
    }
}

/// One on-time rate (issue 22 part 2), read as the plan's body reads "按时": of the duties
/// that fell due in the month, the share done by their day. 巴川街道's August holds one
/// duty done on time, one done late, one still open past its day, one waived and one not
/// yet due: 1 of 3 on 9 August, 1 of 4 once the last falls due. The home tile, the
/// dashboard API, the ranking (API and page) and the bulletin show the same number; a
/// township with nothing due shows "—" and its on-time part is weighted out.
#[tokio::test]
async fn one_on_time_rate_on_every_page() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let town = app.unit_id("巴川街道").await;
        let quiet = app.unit_id("安居镇").await;
        let run = |sql: String| {
            let db = app.db.clone();
            async move {
                let mut tx = db.begin().await.unwrap();
                tx.execute(anjian_store::q(sql)).await.unwrap();
                tx.commit().await.unwrap();
            }
        };
        let subtree = |unit: i64| {
            format!(
                "unit_id IN (SELECT c.id FROM units c JOIN units p ON c.path LIKE p.path || '%' WHERE p.id = {unit})"
            )
        };
        // Nothing else of either township falls due in August.
        for u in [town, quiet] {
            run(format!("UPDATE obligations SET due_on = '2022-09-20' WHERE {} AND due_on >= '2022-08-01' AND due_on <= '2022-08-31'", subtree(u))).await;
        }
        let picked: Vec<(i64,)> = app
            .db
            .read()
            .all(anjian_store::q(format!("SELECT id FROM obligations WHERE unit_id = {town} AND case_id IS NULL ORDER BY id LIMIT 5")))
            .await
            .unwrap();
        assert_eq!(picked.len(), 5);
        for ((id,), (due, state)) in picked.iter().zip([
            ("2022-08-03", "accepted"),
            ("2022-08-04", "done_late"),
            ("2022-08-05", "pending"),
            ("2022-08-06", "waived"),
            ("2022-08-20", "pending"),
        ]) {
            run(format!(
                "UPDATE obligations SET due_on = '{due}', state = '{state}' WHERE id = {id}"
            ))
            .await;
        }
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        let ranking_line = |v: &Value, name: &str| -> Value {
            v["units"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["unit"]["name"] == name)
                .unwrap_or_else(|| panic!("{name} in {v}"))["score"]["lines"][0]
                .clone()
        };
        let tile = |home: &str| -> String {
            home.split(r#"id="tile-on-time">"#)
                .nth(1)
                .and_then(|t| t.split("</a>").next())
                .unwrap_or_default()
                .to_string()
        };
        // 9 August: 1 of 3.
        let (_, home) = bachuan.get_text("/?month=2022-08").await;
        assert!(
            tile(&home).starts_with(r#"<span class="num">33%</span>"#),
            "{}",
            tile(&home)
        );
        let (_, d) = bachuan.get("/api/v1/dashboard?month=2022-08").await;
        assert_eq!(d["on_time_rate"], 33, "{d}");
        let (_, r) = office.get("/api/v1/rankings/2022-08?kind=township").await;
        assert_eq!(ranking_line(&r, "巴川街道")["because"], "按时完成率33%");
        let none = ranking_line(&r, "安居镇");
        assert_eq!(none["scored"], false, "{none}");
        assert!(none["because"].as_str().unwrap().contains("本月无到期任务"));
        let (_, anju_home) = app.login("anju").await.get_text("/?month=2022-08").await;
        assert!(
            tile(&anju_home).starts_with(r#"<span class="num">—</span>"#),
            "nothing due is shown as —, never 100%: {}",
            tile(&anju_home)
        );
        // 2 September: the 20 August duty is past its day too: 1 of 4, everywhere.
        app.advance(24 * 86_400_000);
        let office = app.login("office").await;
        let (_, d) = office.get("/api/v1/dashboard?month=2022-08").await;
        let line = d["localities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["unit"]["name"] == "巴川街道")
            .cloned()
            .unwrap();
        let u = &line["unit"];
        assert_eq!(
            (u["on_time"].clone(), u["late"].clone(), u["missed"].clone()),
            (json!(1), json!(1), json!(2)),
            "{line}"
        );
        let (_, r) = office.get("/api/v1/rankings/2022-08?kind=township").await;
        assert_eq!(ranking_line(&r, "巴川街道")["because"], "按时完成率25%");
        let (s, page) = office.get_text("/rankings/2022-08?kind=township").await;
        assert_eq!(s, 200);
        assert!(page.contains("按时完成率25%"), "the ranking page");
        let (s, _) = office.post("/api/v1/bulletins/2022-08", json!({})).await;
        assert_eq!(s, 201);
        let (_, bulletin) = office.get_text("/bulletins/2022-08").await;
        let row = |name: &str| -> String {
            bulletin
                .split("<tr>")
                .find(|r| r.contains(&format!("<td>{name}</td>")))
                .unwrap_or_else(|| panic!("{name} in {bulletin}"))
                .to_string()
        };
        assert!(
            row("巴川街道").contains("<td>25%</td>"),
            "{}",
            row("巴川街道")
        );
        assert!(row("安居镇").contains("<td>—</td>"), "{}", row("安居镇"));
    }
}

/// Issue 17 part 6: the office drafts July's bulletin, edits a section, is refused an
/// issue it did not confirm or made on a stale draft, then issues it: numbered,
/// frozen with the edit, the draft gone, and each unit the demand names owes "于下月5日
/// 前将整改情况报区安委办" in its to-do list. The text and the annex say the same.
#[tokio::test]
async fn the_bulletin_is_drafted_edited_confirmed_and_its_demand_owed() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let yjj = app.login("yjj").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        yjj.post(
            "/api/v1/enforcements",
            inspection(chem, "2022-07-12", false),
        )
        .await;
        let (s, _) = office.form("/bulletins", &[("month", "2022-07")]).await;
        assert_eq!(s, 303);
        let (s, page) = office.get_text("/bulletins/2022-07/draft").await;
        assert_eq!(s, 200);
        assert!(page.contains("（印发时编号）") && page.contains("name=\"s6\""));
        let draft = anjian_store::bulletins::get_draft(&app.db, "2022-07")
            .await
            .unwrap()
            .expect("a draft");
        assert!(
            anjian_store::bulletins::get(&app.db, "2022-07")
                .await
                .unwrap()
                .is_none()
        );
        let named: Vec<&str> = draft.named.iter().map(|n| n.name.as_str()).collect();
        assert!(
            named.contains(&"巴川街道") && !named.contains(&"区应急局"),
            "{named:?}"
        );
        // The office rewrites section 七.
        let texts: Vec<String> = draft
            .content
            .sections
            .iter()
            .map(|s| s.paragraphs.join("\n"))
            .collect();
        let mut form: Vec<(String, String)> = vec![
            ("version".into(), draft.version.to_string()),
            ("title".into(), draft.content.title.clone()),
            ("opening".into(), draft.content.opening.clone()),
        ];
        for (i, t) in texts.iter().enumerate() {
            let t = if i == 6 {
                format!("{t}\n请各镇街主要负责同志亲自过问。")
            } else {
                t.clone()
            };
            form.push((format!("s{i}"), t));
        }
        let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (s, _) = office.form("/bulletins/2022-07/draft", &refs).await;
        assert_eq!(s, 303);
        // A save on the old version is refused: someone saved since.
        let (s, html) = office.form("/bulletins/2022-07/draft", &refs).await;
        assert_eq!(s, 422);
        assert!(html.contains("草稿已被他人修改"), "{html}");
        // Issuing asks for the confirmation.
        let version = (draft.version + 1).to_string();
        let (s, html) = office
            .form("/bulletins/2022-07/issue", &[("version", &version)])
            .await;
        assert!((400..500).contains(&s) && html.contains("确认印发"), "{s}");
        assert!(
            anjian_store::bulletins::get(&app.db, "2022-07")
                .await
                .unwrap()
                .is_none()
        );
        let (s, _) = office
            .form(
                "/bulletins/2022-07/issue",
                &[("version", &version), ("confirm", "yes")],
            )
            .await;
        assert_eq!(s, 303);
        let b = anjian_store::bulletins::get(&app.db, "2022-07")
            .await
            .unwrap()
            .expect("issued");
        assert_eq!(b.content.doc_no, "安办通报〔2022〕1号");
        assert!(
            b.content.sections[6]
                .paragraphs
                .last()
                .unwrap()
                .contains("亲自过问")
        );
        assert!(
            anjian_store::bulletins::get_draft(&app.db, "2022-07")
                .await
                .unwrap()
                .is_none()
        );
        // The demand, owed by each named unit on the 5th of the next month.
        let owed: Vec<(i64, String)> = app
            .db
            .read()
            .all(
                anjian_store::q("SELECT unit_id, due_on FROM obligations WHERE bulletin_id = $1")
                    .bind(b.id),
            )
            .await
            .unwrap();
        assert_eq!(owed.len(), draft.named.len());
        assert!(owed.iter().all(|(_, due)| due == "2022-09-05"), "{owed:?}");
        let (_, todo) = app
            .login("bachuan")
            .await
            .get("/api/v1/obligations?limit=1000")
            .await;
        assert!(
            todo.as_array().unwrap().iter().any(|o| o["label"]
                .as_str()
                .unwrap_or("")
                .contains("安办通报〔2022〕1号")),
            "the township owes its report"
        );
        // The text agrees with the annex.
        agrees_with_annex(&b.content);
    }
}

/// The figures the bulletin's text states are the annex's columns summed, and the
/// zero-enforcement units it names are the annex's rows with no inspection.
pub(crate) fn agrees_with_annex(b: &anjian_core::bulletin::Bulletin) {
    let column = |name: &str| -> i64 {
        b.tables
            .iter()
            .map(|t| {
                let i = t.header.iter().position(|h| h == name).unwrap();
                t.rows
                    .iter()
                    .map(|r| r[i].parse::<i64>().unwrap())
                    .sum::<i64>()
            })
            .sum()
    };
    let number_after = |text: &str, words: &str| -> i64 {
        let rest = text.split(words).nth(1).unwrap_or_default();
        rest.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(-1)
    };
    let overall = &b.sections[0].paragraphs[0];
    assert_eq!(
        number_after(overall, "月末逾期未整改隐患"),
        column("逾期隐患")
    );
    assert_eq!(number_after(overall, "开展执法检查"), column("执法检查"));
    let visits = &b.sections[3].paragraphs[0];
    assert_eq!(
        number_after(visits, "督查暗访共发现问题"),
        column("暗访问题"),
        "{visits}"
    );
    let zero_text = &b.sections[2].paragraphs[0];
    for t in &b.tables {
        let i = t.header.iter().position(|h| h == "执法检查").unwrap();
        for r in &t.rows {
            assert_eq!(
                zero_text.contains(&format!("{}、", r[1]))
                    || zero_text.contains(&format!("{}。", r[1])),
                r[i] == "0",
                "{} in {zero_text}",
                r[1]
            );
        }
    }
}
