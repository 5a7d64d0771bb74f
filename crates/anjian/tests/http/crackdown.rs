//! Issue 19 part 3: 打非治违 cases. Item (85) of the plan: "公开曝光非法生产经营单位，并纳入
//! 联合惩戒，整治行业乱象". A case found in a township runs found → measures → closed
//! with the units acting on it together; the office exposes the illegal unit on a
//! public page; every refusal names its field and writes nothing; each unit sees the
//! cases of its township, its own and those it joins.

use serde_json::json;

use crate::harness::{TestApp, engines};

fn case(locality: i64, joint: &[i64]) -> serde_json::Value {
    json!({"locality": locality, "place": "巴川街道某村废弃厂房", "subject": "无证烟花爆竹储存点（张某）",
           "facts": "非法储存烟花爆竹约200箱\n无任何许可", "found_by": "tip",
           "found_on": "2022-08-01", "joint_units": joint})
}

#[tokio::test]
async fn a_case_runs_from_found_to_closed_with_joint_units_and_is_exposed() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let town = app.unit_id("巴川街道").await;
        let police = app.unit_id("区住房城乡建委").await;
        let yjj = app.login("yjj").await;
        // Bad cases: every problem named, nothing written.
        let (s, b) = yjj
            .post(
                "/api/v1/crackdown-cases",
                json!({"place": " ", "subject": "某", "facts": "x", "found_by": "rumour", "found_on": "2099-01-01"}),
            )
            .await;
        assert_eq!(s, 422, "{b}");
        let fields = crate::harness::refused_fields(&b);
        assert_eq!(fields, ["locality", "place", "found_by", "found_on"], "{b}");
        // A joint unit that is an enterprise: refused by name.
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let (s, b) = yjj
            .post("/api/v1/crackdown-cases", case(town, &[chem]))
            .await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (422, Some("joint_units"))
        );
        // A township records only in its own township: 404 elsewhere; an enterprise's
        // account records nothing.
        let anju_town = app.unit_id("安居镇").await;
        let bachuan = app.login("bachuan").await;
        assert_eq!(
            bachuan
                .post("/api/v1/crackdown-cases", case(anju_town, &[]))
                .await
                .0,
            404
        );
        assert_eq!(
            app.login("huagong")
                .await
                .post("/api/v1/crackdown-cases", case(town, &[]))
                .await
                .0,
            403
        );
        let office = app.login("office").await;
        assert_eq!(office.get("/api/v1/crackdown-cases").await.1, json!([]));
        // The department records a case in 巴川街道 with the 住建委 acting with it.
        let (s, b) = yjj
            .post("/api/v1/crackdown-cases", case(town, &[police]))
            .await;
        assert_eq!(s, 201, "{b}");
        let id = b["id"].as_i64().unwrap();
        // Seen by the recorder, the township, the joint unit and the office; not by
        // another township.
        for who in ["yjj", "bachuan", "zjw", "office"] {
            let (s, list) = app.login(who).await.get("/api/v1/crackdown-cases").await;
            assert_eq!(
                (s, list[0]["id"].as_i64()),
                (200, Some(id)),
                "{who}: {list}"
            );
        }
        let anju = app.login("anju").await;
        assert_eq!(anju.get("/api/v1/crackdown-cases").await.1, json!([]));
        assert_eq!(
            anju.get(&format!("/api/v1/crackdown-cases/{id}")).await.0,
            404
        );
        let steps = format!("/api/v1/crackdown-cases/{id}/steps");
        assert_eq!(
            anju.post(
                &steps,
                json!({"step": "measure", "kind": "banned", "note": "取缔"})
            )
            .await
            .0,
            404
        );
        // Closing before any measure, a measure without its kind and note: refused.
        let (s, b) = yjj
            .post(&steps, json!({"step": "close", "note": "结案"}))
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (422, Some("no_measure")),
            "{b}"
        );
        let (s, b) = yjj.post(&steps, json!({"step": "measure"})).await;
        assert_eq!(s, 422);
        assert_eq!(b["error"]["field"], "kind");
        assert_eq!(b["error"]["also"][0]["field"], "note");
        // The joint unit seizes the goods; the recorder refers it; the joint unit may
        // not close it, nor anyone but the office expose it.
        let zjw = app.login("zjw").await;
        let (s, b) = zjw
            .post(
                &steps,
                json!({"step": "measure", "kind": "seized", "note": "查封扣押烟花爆竹200箱", "on": "2022-08-02"}),
            )
            .await;
        assert_eq!(s, 204, "{b}");
        let (s, b) = yjj
            .post(
                &steps,
                json!({"step": "measure", "kind": "referred", "note": "移送区公安分局，铜公移〔2022〕12号"}),
            )
            .await;
        assert_eq!(s, 204, "{b}");
        assert_eq!(
            zjw.post(&steps, json!({"step": "close", "note": "结案"}))
                .await
                .0,
            403
        );
        assert_eq!(yjj.post(&steps, json!({"step": "expose"})).await.0, 403);
        let (s, b) = yjj
            .post(
                &steps,
                json!({"step": "close", "note": "已取缔，物品已销毁"}),
            )
            .await;
        assert_eq!(s, 204, "{b}");
        assert_eq!(
            zjw.post(
                &steps,
                json!({"step": "measure", "kind": "banned", "note": "再取缔"})
            )
            .await
            .0,
            422
        );
        // Not exposed yet: the public page does not name it.
        let public = app.anon();
        let (s, page) = public.get_text("/boards/exposures").await;
        assert_eq!(s, 200);
        assert!(!page.contains("无证烟花爆竹储存点"), "{page}");
        assert_eq!(office.post(&steps, json!({"step": "expose"})).await.0, 204);
        assert_eq!(office.post(&steps, json!({"step": "expose"})).await.0, 409);
        let (_, page) = public.get_text("/boards/exposures").await;
        assert!(
            page.contains("无证烟花爆竹储存点（张某）")
                && page.contains("查封扣押设备、移送司法机关"),
            "{page}"
        );
        let (s, list) = public.get("/api/v1/public/exposures").await;
        assert_eq!((s, list[0]["id"].as_i64()), (200, Some(id)));
        let (_, view) = yjj.get(&format!("/api/v1/crackdown-cases/{id}")).await;
        assert_eq!(view["state"], "closed");
        assert_eq!(view["joint_units"][0][1], "区住房城乡建委");
        let taken: Vec<&str> = view["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(taken, ["measure", "measure", "close", "expose"]);
        // The month's figures count the case for the recorder and the joint unit
        // (the ranking's enforcement part and the bulletin read them).
        let (s, watch) = office.get("/api/v1/enforcements/watch?month=2022-08").await;
        assert_eq!(s, 200, "{watch}");
        let crackdowns = |name: &str| {
            watch
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["unit_name"] == name)
                .map(|t| t["crackdowns"].as_i64().unwrap())
        };
        assert_eq!(crackdowns("区应急局"), Some(1), "{watch}");
        assert_eq!(crackdowns("区住房城乡建委"), Some(1), "{watch}");
        assert_eq!(crackdowns("安居镇"), Some(0), "{watch}");
        // Each step is in the audit chain.
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action LIKE 'crackdown.%'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 5);
    }
}

#[tokio::test]
async fn the_page_records_a_case_with_its_joint_units_and_names_a_refused_field() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let town = app.unit_id("巴川街道").await.to_string();
        let zjw = app.unit_id("区住房城乡建委").await.to_string();
        let jtj = app.unit_id("区交通局").await.to_string();
        let bachuan = app.login("bachuan").await;
        let (s, page) = bachuan.get_text("/crackdown").await;
        assert_eq!(s, 200);
        assert!(page.contains("登记打非治违案件"), "{page}");
        let mut fields = vec![
            ("locality", town.as_str()),
            ("place", "某村河道"),
            ("subject", "非法采砂点"),
            ("enterprise", ""),
            ("facts", ""),
            ("found_by", "patrol"),
            ("found_on", "2022-08-03"),
            ("joint_units", zjw.as_str()),
            ("joint_units", jtj.as_str()),
        ];
        let (s, page) = bachuan.form("/crackdown", &fields).await;
        assert_eq!(s, 422);
        assert!(page.contains("违法事实不能为空"), "{page}");
        fields[4] = ("facts", "夜间非法采砂");
        let (s, _) = bachuan.form("/crackdown", &fields).await;
        assert_eq!(s, 303);
        let (_, list) = bachuan.get("/api/v1/crackdown-cases").await;
        let id = list[0]["id"].as_i64().unwrap();
        let (s, page) = bachuan.get_text(&format!("/crackdown/{id}")).await;
        assert_eq!(s, 200);
        assert!(
            page.contains("非法采砂点") && page.contains("区交通局、区住房城乡建委"),
            "{page}"
        );
        assert!(page.contains("记录处置措施"), "{page}");
    }
}
