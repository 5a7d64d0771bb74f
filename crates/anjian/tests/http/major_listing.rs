//! Issue 19 part 1: every major hazard listed at once. Item (59): "严格重大隐患整改挂牌
//! 督办"; item (63) and the plan's "对排查整治不认真，未列入清单、经查实属于重大隐患的，要当作
//! 事故对待": a major hazard the unit's own ledger never held, found by others, is marked
//! 未列入清单 and counted against the unit's locality as an accident.

use serde_json::{Value, json};

use crate::harness::{TestApp, engines};

fn major(unit: i64, source: &str, place: &str) -> Value {
    json!({"unit": unit, "level": "major", "sector": "危化品", "source": source,
           "place": place, "description": "储罐区可燃气体报警器失效",
           "discovered_on": "2022-08-05", "measures": "更换报警器并联网",
           "responsible_person": "李四", "funds": 35000, "deadline": "2022-08-31",
           "contingency_plan": "储罐区泄漏应急处置预案",
           "governance_plan": {"targets": "恢复检测报警", "methods": "更换探头", "funds_and_materials": "3.5万元",
                               "people": "设备部", "deadline": "8月31日前", "safety_measures": "人工巡检"}})
}

async fn office_owes(app: &TestApp, hazard: i64) -> Vec<(String, String)> {
    app.db
        .read()
        .all(
            anjian_store::q("SELECT o.state, o.due_on FROM obligations o JOIN units u ON u.id = o.unit_id WHERE o.hazard_id = $1 AND u.kind = 'committee_office'")
                .bind(hazard),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_major_hazard_is_listed_at_once_and_the_office_owes_its_confirmation() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let town = app.unit_id("巴川街道").await;
        let bachuan = app.login("bachuan").await;
        let (s, h) = bachuan
            .post("/api/v1/hazards", major(town, "self_inspection", "储罐区"))
            .await;
        assert_eq!(s, 201, "{h}");
        let id = h["id"].as_i64().unwrap();
        // Listed at once: on the board, unconfirmed; the office owes the confirmation
        // within three days (the server's day is 2022-08-09).
        let (_, board) = bachuan.get("/api/v1/hazards/listed").await;
        assert_eq!(board[0]["hazard_id"], id, "{board}");
        assert_eq!(board[0]["leader"], "");
        assert_eq!(
            office_owes(&app, id).await,
            [("pending".to_string(), "2022-08-12".to_string())]
        );
        let (_, page) = bachuan.get_text(&format!("/hazards/{id}")).await;
        assert!(page.contains("督办责任领导和期限待确认"), "{page}");
        assert!(
            !page.contains("id=\"unlisted\""),
            "the unit's own ledger held it"
        );
        // The office confirms with its leader and deadline: the obligation is done, and
        // a second confirmation is refused.
        let office = app.login("office").await;
        let listing =
            json!({"leader": "王副区长", "deadline": "2022-09-30", "note": "每周报告进展"});
        let path = format!("/api/v1/hazards/{id}/list");
        let (s, b) = office.post(&path, listing.clone()).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(
            office_owes(&app, id).await,
            [("accepted".to_string(), "2022-08-12".to_string())]
        );
        assert_eq!(office.post(&path, listing).await.0, 422);
        let (_, board) = bachuan.get("/api/v1/hazards/listed").await;
        assert_eq!(board[0]["leader"], "王副区长");
        // The office sets its days to confirm: the next major hazard is owed by then.
        let (s, page) = office.form("/hazards/listed/days", &[("days", "99")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("确认期限应为1到30之间的天数"), "{page}");
        assert_eq!(
            bachuan
                .form("/hazards/listed/days", &[("days", "5")])
                .await
                .0,
            403
        );
        assert_eq!(
            office
                .form("/hazards/listed/days", &[("days", "5")])
                .await
                .0,
            303
        );
        let (_, h) = bachuan
            .post("/api/v1/hazards", major(town, "self_inspection", "仓库"))
            .await;
        assert_eq!(
            office_owes(&app, h["id"].as_i64().unwrap()).await,
            [("pending".to_string(), "2022-08-14".to_string())]
        );
    }
}

#[tokio::test]
async fn a_major_hazard_found_by_others_is_unlisted_and_counts_as_an_accident() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let town = app.unit_id("巴川街道").await;
        let office = app.login("office").await;
        let (_, before) = office.get("/api/v1/rankings/2022-08").await;
        let accidents = |r: &Value| -> i64 {
            r["units"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|u| u["unit"]["name"] == "巴川街道")
                .map(|u| {
                    u["unit"]["accidents"].as_i64().unwrap_or(0)
                        + u["unit"]["unlisted"].as_i64().unwrap_or(0)
                })
                .unwrap_or(-1)
        };
        let (s, h) = office
            .post(
                "/api/v1/hazards",
                major(town, "unannounced_visit", "暗访发现的储罐区"),
            )
            .await;
        assert_eq!(s, 201, "{h}");
        let id = h["id"].as_i64().unwrap();
        let (_, page) = office.get_text(&format!("/hazards/{id}")).await;
        assert!(page.contains("id=\"unlisted\""), "{page}");
        let (_, list) = office.get_text("/hazards").await;
        assert!(list.contains("未列入清单"));
        let (s, after) = office.get("/api/v1/rankings/2022-08").await;
        assert_eq!(s, 200, "{after}");
        assert_eq!(accidents(&after), accidents(&before) + 1, "{after}");
    }
}
