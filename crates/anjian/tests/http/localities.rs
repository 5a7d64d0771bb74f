//! 管委会 as a locality. Plan item (20): "镇街、管委会落实属地监管职责" — a 管委会
//! holds enterprises and is watched, ranked and asked for daily reports as a township is.

use serde_json::{Value, json};

use crate::harness::{TestApp, engines};
use crate::responsibility::code;

fn line<'a>(rows: &'a Value, name: &str) -> Option<&'a Value> {
    rows.as_array()?.iter().find(|l| l["unit_name"] == name)
}

#[tokio::test]
async fn a_zone_committee_is_a_locality_like_a_township() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let gxq = app.login("gxq").await;
        let zone = app.unit_id("高新区管委会").await;
        // Its operator registers an enterprise under it, listed on its public board.
        let (s, ent) = gxq
            .post(
                "/api/v1/enterprises",
                json!({
                    "name": "重庆铜梁高新区某电子有限公司",
                    "credit_code": code("G0001"),
                    "township": zone,
                    "sector": "工贸",
                    "staff": 120,
                    "risk_level": "yellow",
                    "major_hazards": 0,
                    "listed": true,
                    "address": "高新区某路8号"
                }),
            )
            .await;
        assert_eq!(s, 201, "{ent}");
        assert_eq!(ent["township"], "高新区管委会");
        let (s, board) = office.get(&format!("/api/v1/public/boards/{zone}")).await;
        assert_eq!(s, 200, "{board}");
        assert!(board.to_string().contains("某电子有限公司"), "{board}");
        // The zero-enforcement watch names it, with zeros.
        let (s, w) = office.get("/api/v1/enforcements/watch?month=2022-08").await;
        assert_eq!(s, 200);
        let l = line(&w, "高新区管委会").expect("高新区 in the watch");
        assert_eq!(l["zero"], true, "{l}");
        // It is ranked among the localities.
        let (s, r) = office.get("/api/v1/rankings/2022-08?kind=township").await;
        assert_eq!(s, 200, "{r}");
        assert!(r["units"].to_string().contains("高新区管委会"), "{r}");
        // A special period asks it for a daily report.
        let (s, p) = office
            .post(
                "/api/v1/special-periods",
                json!({"name": "国庆期间", "first_day": "2022-08-08", "last_day": "2022-08-10"}),
            )
            .await;
        assert_eq!(s, 201, "{p}");
        let path = format!("/api/v1/special-periods/{}/reports", p["id"]);
        let report = json!({"day": "2022-08-09", "situation": "辖区安全形势平稳", "incidents": "", "on_duty_leader": "李主任"});
        assert_eq!(gxq.post(&path, report).await.0, 201);
    }
}
