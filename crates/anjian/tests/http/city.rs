//! A city office above two districts (issue 21 part 3): the city's process is given the
//! districts' databases; it rolls their months up as their own dashboards sum them,
//! ranks them under its scheme with every part explained, issues its plan to both,
//! lists a district's major hazard for supervision at city level; a district's office
//! sees nothing of the other district and has no city pages.

use anjian_store::city::District;
use serde_json::{Value, json};

use crate::harness::{TestApp, engines, serve};
use crate::hazards::{general, major};

const MONTH: &str = "2022-08";

/// The city's own plan (the published plan under a city title) started in `city`'s
/// database; answers its campaign.
pub(crate) async fn city_plan(city: &TestApp) -> i64 {
    let (plan, _) = anjian_core::plan::published::parse(anjian::plan::TONGLIANG_2022);
    let mut plan = plan.unwrap();
    plan.title = "全市安全生产大检查工作方案".into();
    plan.doc_number = "市安办〔2022〕1号".into();
    let (campaign, _) = anjian::plan::store(
        &city.db,
        city.clock.0.load(std::sync::atomic::Ordering::SeqCst),
        &anjian_store::Actor::system("test"),
        &plan,
        2022,
        None,
        Vec::new(),
    )
    .await
    .unwrap();
    campaign
}

fn district<'a>(city: &'a Value, name: &str) -> &'a Value {
    city["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {city}"))
}

fn places(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .or(list.as_array())
        .unwrap()
        .iter()
        .filter_map(|h| h["place"].as_str().map(String::from))
        .collect()
}

#[tokio::test]
async fn a_city_ranks_two_districts_rolled_up_and_neither_district_sees_the_other() {
    for engine in engines() {
        let (a, b, city) = (
            TestApp::new(engine).await,
            TestApp::new(engine).await,
            TestApp::new(engine).await,
        );
        // District A: three hazards and a major one; district B: one of its own.
        let a_bachuan = a.login("bachuan").await;
        for place in ["甲区某餐馆后厨", "甲区某商场", "甲区某加油站"] {
            let (s, h) = a_bachuan.post("/api/v1/hazards", general(place)).await;
            assert_eq!(s, 201, "{h}");
        }
        let (s, m) = a_bachuan
            .post("/api/v1/hazards", major(a.unit_id("巴川街道").await))
            .await;
        assert_eq!(s, 201, "{m}");
        let major_id = m["id"].as_i64().unwrap();
        let b_bachuan = b.login("bachuan").await;
        let (s, _) = b_bachuan
            .post("/api/v1/hazards", general("乙区独有的隐患"))
            .await;
        assert_eq!(s, 201);

        // The city's process: its own database, and the two districts' below it.
        let base = serve(city.state.clone().with_districts(vec![
            District {
                no: 1,
                name: "甲区".into(),
                db: a.db.clone(),
            },
            District {
                no: 2,
                name: "乙区".into(),
                db: b.db.clone(),
            },
        ]))
        .await;
        let office = city.login("office").await.at(&base);
        let (s, c) = office.get(&format!("/api/v1/city?month={MONTH}")).await;
        assert_eq!(s, 200, "{c}");
        assert_eq!(c["month"], MONTH);
        // Each district's line is what its own office's dashboard sums.
        let mut found = 0;
        for (name, app) in [("甲区", &a), ("乙区", &b)] {
            let (s, own) = app
                .login("office")
                .await
                .get(&format!("/api/v1/dashboard?month={MONTH}"))
                .await;
            assert_eq!(s, 200, "{own}");
            let line = district(&c, name);
            assert_eq!(line["reachable"], true);
            for figure in ["found", "closed", "overdue", "major", "inspections", "due"] {
                assert_eq!(
                    line["totals"][figure], own["totals"][figure],
                    "{name} {figure}"
                );
            }
            found += line["totals"]["found"].as_i64().unwrap();
            // Ranked with the townships' scheme, each part explained.
            let rank = line["rank"].as_u64().unwrap();
            assert!(rank == 1 || rank == 2, "{line}");
            let parts = line["lines"].as_array().unwrap();
            assert_eq!(parts.len(), 6, "{line}");
            assert!(
                parts
                    .iter()
                    .all(|p| !p["because"].as_str().unwrap().is_empty())
            );
            assert!(
                line["campaigns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["year"] == 2022)
            );
        }
        assert_eq!(
            district(&c, "甲区")["totals"]["found"].as_i64().unwrap(),
            district(&c, "乙区")["totals"]["found"].as_i64().unwrap() + 3
        );
        assert_eq!(c["totals"]["found"].as_i64().unwrap(), found);
        let (s, page) = office.get_text(&format!("/city?month={MONTH}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("甲区") && page.contains("乙区") && page.contains("按时完成率"));

        // Neither district's office sees the other's hazards, nor has city pages.
        let (_, a_list) = a.login("office").await.get("/api/v1/hazards").await;
        let (_, b_list) = b.login("office").await.get("/api/v1/hazards").await;
        assert!(
            places(&a_list).contains(&"甲区某商场".to_string()),
            "{a_list}"
        );
        assert!(!places(&a_list).contains(&"乙区独有的隐患".to_string()));
        assert!(
            places(&b_list).contains(&"乙区独有的隐患".to_string()),
            "{b_list}"
        );
        assert!(!places(&b_list).iter().any(|p| p.starts_with("甲区")));
        let a_office = a.login("office").await;
        assert_eq!(a_office.get("/api/v1/city").await.0, 404);
        assert_eq!(a_office.get_text("/city").await.0, 404);
        // In the city's process, only the city office's administrators read the city.
        let township = city.login("bachuan").await.at(&base);
        assert_eq!(township.get("/api/v1/city").await.0, 403);

        // The city lists A's major hazard for supervision; B has no such hazard (404).
        let (s, majors) = office.get("/api/v1/city/districts/1/hazards").await;
        assert_eq!(s, 200, "{majors}");
        assert!(
            majors
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["id"] == major_id && h["city_listed"] == 0)
        );
        let listing = json!({"leader": "市应急局副局长王五", "deadline": "2022-09-30", "note": "每周报告进展"});
        let (s, e) = office
            .post(
                &format!("/api/v1/city/districts/2/hazards/{major_id}/list"),
                listing.clone(),
            )
            .await;
        assert_eq!(s, 404, "{e}");
        let (s, e) = office
            .post(
                &format!("/api/v1/city/districts/1/hazards/{major_id}/list"),
                json!({"leader": "", "deadline": "2022-09-30"}),
            )
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("leader")),
            "{e}"
        );
        let (s, e) = office
            .post(
                &format!("/api/v1/city/districts/1/hazards/{major_id}/list"),
                listing.clone(),
            )
            .await;
        assert_eq!(s, 204, "{e}");
        let (s, e) = office
            .post(
                &format!("/api/v1/city/districts/1/hazards/{major_id}/list"),
                listing,
            )
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("already_listed")),
            "{e}"
        );
        let (_, majors) = office.get("/api/v1/city/districts/1/hazards").await;
        assert!(
            majors
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["id"] == major_id && h["city_listed"] == 1)
        );
        // In A: the listing, the step on the case, the entry in A's own chain, intact.
        let (n,): (i64,) = a
            .db
            .read()
            .one(anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT) FROM hazard_listings WHERE hazard_id = $1 AND level = 'city'").bind(major_id))
            .await
            .unwrap();
        assert_eq!(n, 1);
        let (_, detail) = a
            .login("office")
            .await
            .get(&format!("/api/v1/hazards/{major_id}"))
            .await;
        assert!(detail.to_string().contains("市级挂牌督办"), "{detail}");
        assert_eq!(
            crate::harness::entries(&a, "hazard.city_list", major_id).await,
            1
        );
        assert!(
            anjian_store::audit::verify(&a.db)
                .await
                .unwrap()
                .broken
                .is_none()
        );

        // The city's own plan, issued: each district starts a campaign of it, once.
        let campaign = city_plan(&city).await;
        let (s, issued) = office
            .post(
                &format!("/api/v1/city/campaigns/{campaign}/issue"),
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{issued}");
        for i in issued.as_array().unwrap() {
            assert!(i["campaign_id"].as_i64().is_some(), "{issued}");
            assert!(i["obligations"].as_u64().unwrap() > 100, "{issued}");
        }
        let (_, again) = office
            .post(
                &format!("/api/v1/city/campaigns/{campaign}/issue"),
                json!({}),
            )
            .await;
        assert!(
            again
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["campaign_id"].is_null()),
            "{again}"
        );
        let (_, c) = office.get(&format!("/api/v1/city?month={MONTH}")).await;
        for name in ["甲区", "乙区"] {
            assert!(
                district(&c, name)["campaigns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["title"] == "全市安全生产大检查工作方案"),
                "{c}"
            );
        }
        assert_eq!(
            crate::harness::entries(&city, "city.issue", campaign).await,
            2
        );

        // A district whose database does not answer is shown, and not ranked.
        let broken = anjian_store::Db::connect(&format!(
            "sqlite:{}",
            city.data_dir().join("no-such-district.db").display()
        ))
        .await
        .unwrap();
        let base = serve(city.state.clone().with_districts(vec![
            District {
                no: 1,
                name: "甲区".into(),
                db: a.db.clone(),
            },
            District {
                no: 2,
                name: "丙区".into(),
                db: broken,
            },
        ]))
        .await;
        let (s, c) = city
            .login("office")
            .await
            .at(&base)
            .get(&format!("/api/v1/city?month={MONTH}"))
            .await;
        assert_eq!(s, 200, "{c}");
        assert_eq!(district(&c, "丙区")["reachable"], false);
        assert_eq!(district(&c, "甲区")["rank"], 1);
    }
}

/// A district's open major hazards page for the city: the page by "下一页" (50 a page,
/// each with its listing form) and the API by its `Link` header reach every one of
/// them, newest first, once (the list stopped at the newest 200).
#[tokio::test]
async fn the_city_pages_through_every_open_major_hazard_of_a_district() {
    for engine in engines() {
        let (a, city) = (TestApp::new(engine).await, TestApp::new(engine).await);
        let township = a.login("bachuan").await;
        let unit = a.unit_id("巴川街道").await;
        let mut found = Vec::new();
        for _ in 0..55 {
            let (s, h) = township.post("/api/v1/hazards", major(unit)).await;
            assert_eq!(s, 201, "{h}");
            found.push(h["id"].as_i64().unwrap());
        }
        found.reverse();
        let base = serve(city.state.clone().with_districts(vec![District {
            no: 1,
            name: "甲区".into(),
            db: a.db.clone(),
        }]))
        .await;
        let office = city.login("office").await.at(&base);
        let whole = office
            .follow_ids("/api/v1/city/districts/1/hazards?limit=20", 3)
            .await;
        assert_eq!(whole, found, "{engine:?}: the API, three pages");
        let rows = |html: &str| -> Vec<i64> {
            html.split("<tr id=\"h")
                .skip(1)
                .filter_map(|s| s[..s.find('"')?].parse().ok())
                .collect()
        };
        let (seen, pages) = office.walk_pages("/city/districts/1", rows, 3).await;
        assert_eq!((seen, pages), (found, 2), "{engine:?}: the page");
        let (s, _) = office.get("/api/v1/city/districts/1/hazards?after=x").await;
        assert_eq!(s, 400);
    }
}
