//! Supervision and unannounced visits: invisible to their targets until recorded,
//! findings land in the visited unit's ledger, refusals name their field.

use crate::harness::{TestApp, engines};

fn visit_id(location: &str) -> i64 {
    location.trim_start_matches("/visits/").parse().unwrap()
}

#[tokio::test]
async fn an_unannounced_visit_is_hidden_until_recorded_and_its_findings_land_in_the_ledger() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        let anju = app.login("anju").await;
        let town = app.unit_id("巴川街道").await;
        let town_s = town.to_string();
        // Bad plans are refused naming the field; nothing is written.
        let (s, page) = office
            .form(
                "/visits",
                &[
                    ("kind", "unannounced"),
                    ("title", "燃气暗访"),
                    ("team", "区安委办"),
                    ("starts_on", "2022-08-10"),
                    ("ends_on", "2022-08-09"),
                    ("targets", &town_s),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("结束日期不能早于开始日期"));
        let r = office
            .http
            .post(format!("{}/visits", office.base))
            .form(&[
                ("kind", "unannounced"),
                ("title", "燃气安全四不两直暗访"),
                ("team", "区安委办 张三、李四"),
                ("starts_on", "2022-08-09"),
                ("ends_on", "2022-08-09"),
                ("targets", town_s.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let id = visit_id(r.headers()["location"].to_str().unwrap());
        // The target does not see it yet.
        assert_eq!(bachuan.get_text(&format!("/visits/{id}")).await.0, 404);
        assert!(
            !bachuan
                .get_text("/visits")
                .await
                .1
                .contains("燃气安全四不两直暗访")
        );
        // A finding on site becomes a hazard of the visited township.
        let finding = |unit: &str| {
            vec![
                ("unit", unit.to_string()),
                ("level", "general".to_string()),
                ("sector", "燃气".to_string()),
                ("place", "巴川街道某火锅店".to_string()),
                ("description", "液化气钢瓶放置在厨房操作间".to_string()),
                ("discovered_on", "2022-08-09".to_string()),
                ("measures", "钢瓶移至独立气瓶间".to_string()),
                ("responsible_person", "赵六".to_string()),
                ("deadline", "2022-08-20".to_string()),
            ]
        };
        let send = |fields: Vec<(&'static str, String)>| {
            let c = office.http.clone();
            let url = format!("{}/visits/{id}/findings", office.base);
            async move {
                c.post(url)
                    .form(&fields)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(send(finding(&town_s)).await, 303);
        let anju_unit = app.unit_id("安居镇").await.to_string();
        assert_eq!(send(finding(&anju_unit)).await, 422, "not a target");
        let mut bad = finding(&town_s);
        bad[8].1 = "2022-08-01".into();
        assert_eq!(send(bad).await, 422, "a deadline before discovery");
        let (_, ledger) = bachuan.get("/api/v1/hazards").await;
        let h = ledger
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["place"] == "巴川街道某火锅店")
            .cloned()
            .expect("the finding is in the township's ledger");
        assert_eq!(h["source"], "unannounced_visit");
        // Recorded: the township sees the visit and its report; another does not.
        let (s, _) = office
            .form(
                &format!("/visits/{id}/record"),
                &[("report", "抽查餐饮场所3家，发现问题1项")],
            )
            .await;
        assert_eq!(s, 303);
        let (s, page) = bachuan.get_text(&format!("/visits/{id}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("抽查餐饮场所3家") && page.contains("巴川街道某火锅店"));
        assert!(
            !page.contains("finding-form"),
            "only the planner enters findings"
        );
        assert_eq!(anju.get_text(&format!("/visits/{id}")).await.0, 404);
        // The planner marks the finding for exposure; the township cannot.
        let hid = h["id"].as_i64().unwrap();
        let (s, _) = bachuan
            .form(
                &format!("/visits/{id}/findings/{hid}/expose"),
                &[("expose", "1")],
            )
            .await;
        assert_eq!(s, 404);
        let (s, _) = office
            .form(
                &format!("/visits/{id}/findings/{hid}/expose"),
                &[("expose", "1")],
            )
            .await;
        assert_eq!(s, 303);
        assert!(
            office
                .get_text(&format!("/visits/{id}"))
                .await
                .1
                .contains("已标记曝光")
        );
    }
}
