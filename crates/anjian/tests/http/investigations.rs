//! Issue 19 part 5: an accident's investigation. Item (38): "事故查处必须坚持“有案必查、一案
//! 双查、三责同追、四不放过”"; item (39): "区应急局依法牵头组织……事故调查处理，对典型事故实施
//! 挂牌督办"; item (110): "发生事故核查履职". The lead unit records the team, the report,
//! the approval and the accountability; each measure is owed by its unit and outlives
//! the closing; the office lists a typical accident with a leader and deadline; 一案双查
//! reads the officials' duty records and the enterprise's enforcement history.

use serde_json::json;

use crate::harness::{TestApp, engines};

const DAY: i64 = 86_400_000;

/// The states of `unit`'s obligations whose label is like `label`.
async fn owed(app: &TestApp, unit: i64, label: &str) -> Vec<String> {
    let rows: Vec<(String,)> = app
        .db
        .read()
        .all(
            anjian_store::q("SELECT state FROM obligations WHERE unit_id = $1 AND label LIKE $2")
                .bind(unit)
                .bind(label.to_string()),
        )
        .await
        .unwrap();
    rows.into_iter().map(|(s,)| s).collect()
}

#[tokio::test]
async fn the_lead_unit_records_the_investigation_and_each_measure_is_owed() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let town = app.unit_id("巴川街道").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let (s, a) = bachuan
            .post(
                "/api/v1/accidents",
                json!({"unit": town, "enterprise": chem, "sector": "危险化学品",
                       "occurred_at": "2022-08-08T09:00:00+08:00", "learned_at": "2022-08-09T06:30:00+08:00",
                       "place": "重庆铜梁某化工有限公司储罐区", "account": "储罐检修动火作业引发闪爆",
                       "deaths": 1, "missing": 0, "serious_injuries": 0, "direct_loss_yuan": "800000",
                       "measures_taken": "现场警戒"}),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        let id = a["id"].as_i64().unwrap();
        assert_eq!(
            a["lead_unit_id"].as_i64(),
            Some(app.unit_id("区应急局").await)
        );
        let path = format!("/api/v1/accidents/{id}/investigation");
        let yjj = app.login("yjj").await;
        let team = json!({"members": "区应急局 王某 副局长\n区公安分局 李某"});
        // Not the lead unit: 403; out of scope: 404.
        assert_eq!(bachuan.post(&path, team.clone()).await.0, 403);
        assert_eq!(
            app.login("anju").await.post(&path, team.clone()).await.0,
            404
        );
        // The team at once; the approval not while casualties are still being reported.
        let (s, b) = yjj.post(&path, team.clone()).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["record"]["lead_unit_name"], "区应急局");
        let approved = json!({"members": "区应急局 王某", "approval_no": "铜府〔2022〕88号", "approved_on": "2022-08-09"});
        let (s, b) = yjj.post(&path, approved.clone()).await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (422, Some("still_reporting")),
            "{b}"
        );
        // Thirty-one days on: bad parts named, nothing written.
        app.advance(31 * DAY);
        let yjj = app.login("yjj").await;
        let (s, b) = yjj
            .post(
                &path,
                json!({"members": "区应急局 王某", "approval_no": "铜府〔2022〕88号",
                       "accountability": [{"person": "", "form": "行政处罚"}],
                       "measures": [{"unit": town, "measure": "排查动火作业", "due_on": "2022-08-01"}]}),
            )
            .await;
        assert_eq!(s, 422, "{b}");
        let fields = crate::harness::refused_fields(&b);
        assert_eq!(
            fields,
            ["approved_on", "accountability.person", "measures.due_on"]
        );
        let (s, b) = yjj
            .post(
                &path,
                json!({"members": "区应急局 王某 副局长\n区公安分局 李某",
                       "approval_no": "铜府〔2022〕88号", "approved_on": "2022-09-08",
                       "accountability": [{"person": "张某", "post": "企业主要负责人", "unit": chem, "form": "行政处罚（罚款）"},
                                          {"person": "赵某", "post": "安全管理员", "form": "移送司法机关"}],
                       "measures": [{"unit": town, "measure": "全面排查辖区危化企业动火作业", "due_on": "2022-10-31"}]}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["record"]["approval_no"], "铜府〔2022〕88号");
        assert_eq!(b["accountability"][1]["form"], "移送司法机关");
        assert_eq!(b["measures"][0]["unit_name"], "巴川街道");
        assert_eq!(b["measures"][0]["state"], "pending");
        // The measure is the township's obligation, and closing the investigation does
        // not discharge it.
        let (s, b) = yjj
            .post(&format!("/api/v1/accidents/{id}/close"), json!({}))
            .await;
        assert!(s < 300, "{s} {b}");
        assert_eq!(
            owed(&app, town, "%全面排查辖区危化企业动火作业%").await,
            ["pending"]
        );
        let (_, inv) = yjj.post(&path, team).await;
        assert_eq!(inv["measures"][0]["state"], "pending", "{inv}");
        // The report file from the page, with one more person and measure; the file is
        // served to whoever sees the accident.
        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF".to_vec();
        let form = reqwest::multipart::Form::new()
            .text("members", "区应急局 王某 副局长")
            .text(
                "accountability",
                "张某，企业主要负责人，行政处罚（罚款）\n钱某，巴川街道安办主任，诫勉谈话",
            )
            .text("measure_unit", town.to_string())
            .text("measure", "开展危化企业特殊作业专项检查")
            .text("measure_due", "2022-11-30")
            .part(
                "photos",
                reqwest::multipart::Part::bytes(pdf.clone()).file_name("调查报告.pdf"),
            );
        let r = yjj
            .post_multipart(&format!("/accidents/{id}/investigation"), form)
            .await;
        assert_eq!(r.status(), 303);
        let (s, _, bytes) = app
            .login("bachuan")
            .await
            .get_bytes(&format!("/accidents/{id}/investigation/report"))
            .await;
        assert_eq!((s, bytes), (200, pdf));
        assert_eq!(
            owed(&app, town, "%开展危化企业特殊作业专项检查%").await,
            ["pending"]
        );
        // The page shows it all, with the approval and the persons.
        let (s, page) = yjj.get_text(&format!("/accidents/{id}")).await;
        assert_eq!(s, 200);
        assert!(
            page.contains("铜府〔2022〕88号")
                && page.contains("钱某")
                && page.contains("调查报告.pdf")
                && page.contains("一案双查"),
            "{page}"
        );
    }
}

#[tokio::test]
async fn the_office_lists_a_typical_accident_and_the_investigators_read_the_dual_inquiry() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let town = app.unit_id("巴川街道").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let (_, a) = bachuan
            .post(
                "/api/v1/accidents",
                json!({"unit": town, "enterprise": chem, "sector": "危险化学品",
                       "occurred_at": "2022-08-08T09:00:00+08:00", "learned_at": "2022-08-09T06:30:00+08:00",
                       "place": "储罐区", "account": "闪爆", "deaths": 1, "missing": 0,
                       "serious_injuries": 0, "direct_loss_yuan": "10000", "measures_taken": "警戒"}),
            )
            .await;
        let id = a["id"].as_i64().unwrap();
        let path = format!("/api/v1/accidents/{id}/list");
        let office = app.login("office").await;
        let yjj = app.login("yjj").await;
        assert_eq!(
            yjj.post(&path, json!({"leader": "某副区长", "until": "2022-10-01"}))
                .await
                .0,
            403
        );
        let (s, b) = office
            .post(&path, json!({"leader": "", "until": "2022-08-01"}))
            .await;
        assert_eq!(s, 422);
        assert_eq!(b["error"]["field"], "leader");
        assert_eq!(b["error"]["also"][0]["field"], "until");
        let (s, b) = office
            .post(&path, json!({"leader": "某副区长", "until": "2022-10-01"}))
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(
            (b["listed_leader"].as_str(), b["listed_until"].as_str()),
            (Some("某副区长"), Some("2022-10-01"))
        );
        assert_eq!(
            office
                .post(&path, json!({"leader": "另一人", "until": "2022-10-01"}))
                .await
                .0,
            409
        );
        // The lead unit owes the conclusion by the deadline.
        let lead = app.unit_id("区应急局").await;
        assert_eq!(owed(&app, lead, "挂牌督办事故查处%").await, ["pending"]);
        // 一案双查: the investigators read the locality's officials and the enterprise's
        // enforcement history; the township that reported it is not an investigator.
        let dual = format!("/api/v1/accidents/{id}/dual-inquiry");
        assert_eq!(bachuan.get(&dual).await.0, 403);
        let (s, d) = yjj.get(&dual).await;
        assert_eq!(s, 200, "{d}");
        assert_eq!(
            (d["first"].as_str(), d["last"].as_str()),
            (Some("2022-02-08"), Some("2022-08-08"))
        );
        assert!(
            d["standings"].is_array() && d["records"].is_array() && d["enforcements"].is_array()
        );
        let (s, page) = yjj.get_text(&format!("/accidents/{id}/dual-inquiry")).await;
        assert_eq!(s, 200);
        assert!(
            page.contains("一案双查") && page.contains("履职定额"),
            "{page}"
        );
        let (s, _, bytes) = yjj
            .get_bytes(&format!("/accidents/{id}/dual-inquiry.xlsx"))
            .await;
        assert_eq!(s, 200);
        assert!(crate::harness::zip_text(&bytes).contains("类别"));
    }
}
