//! The Tongliang plan as a campaign: stored, read back whole, served in the pinned shape.

use serde_json::json;

use crate::harness::{TestApp, engines};

#[tokio::test]
async fn the_demo_campaign_serves_the_whole_plan_in_the_pinned_shape() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.login("bachuan").await;
        let (s, campaigns) = c.get("/api/v1/campaigns").await;
        assert_eq!(s, 200);
        let campaign = &campaigns[0];
        assert_eq!(campaign["year"], 2022);
        let (s, doc) = c
            .get(&format!("/api/v1/campaigns/{}/plan", campaign["id"]))
            .await;
        assert_eq!(s, 200);
        assert_eq!(doc["campaign"]["doc_number"], "铜安办〔2022〕31号");
        assert_eq!(doc["campaign"]["issued_on"], "2022-05-16");
        assert_eq!(doc["campaign"]["phases"].as_array().unwrap().len(), 5);
        assert_eq!(
            doc["campaign"]["phases"][0],
            json!({"no": 1, "title": "立即部署，迅速行动", "starts_on": null, "ends_on": "2022-05-20"})
        );
        assert_eq!(
            doc["campaign"]["duties"][0]["schedule"],
            json!([{"kind": "recurring", "every": "month", "min_count": 1, "day": 28}])
        );
        let measures = doc["measures"].as_array().unwrap();
        assert_eq!(measures.len(), 15);
        let items: Vec<&serde_json::Value> = measures
            .iter()
            .flat_map(|m| m["key_tasks"].as_array().unwrap())
            .flat_map(|k| k["work_items"].as_array().unwrap())
            .collect();
        assert_eq!(items.len(), 110);
        assert_eq!(
            items[0]["schedule"],
            json!([{"kind": "once", "due": "2022-05-31"}])
        );
        assert_eq!(items[0]["lead"], json!(["区委办"]));
        assert_eq!(items[40]["invited"], json!(["区纪委监委机关", "区检察院"]));
        assert_eq!(
            items[59]["schedule"],
            json!([{"kind": "milestones", "due": ["2022-05-31", "2022-08-31", "2022-11-30"]}])
        );
        assert_eq!(
            items[44]["schedule"],
            json!([{"kind": "from", "starts_on": "2022-07-31"}])
        );
        assert_eq!(c.get("/api/v1/campaigns/12345/plan").await.0, 404);
        assert_eq!(
            app.anon()
                .get(&format!("/api/v1/campaigns/{}/plan", campaign["id"]))
                .await
                .0,
            401
        );
    }
}

#[tokio::test]
async fn a_stored_plan_reads_back_as_parsed() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let (parsed, _) = anjian_core::plan::published::parse(anjian::plan::TONGLIANG_2022);
        let parsed = parsed.unwrap();
        let campaigns = anjian_store::plans::campaigns(&app.db).await.unwrap();
        let stored = anjian_store::plans::load(&app.db, campaigns[0].plan_id)
            .await
            .unwrap();
        assert_eq!(
            anjian_core::plan::document(&stored, "t", 2022),
            anjian_core::plan::document(&parsed, "t", 2022)
        );
        assert_eq!(
            stored
                .work_items()
                .map(|w| &w.responsibility_text)
                .collect::<Vec<_>>(),
            parsed
                .work_items()
                .map(|w| &w.responsibility_text)
                .collect::<Vec<_>>()
        );
    }
}
