//! Issue 19 part 4: the blacklist (黑名单) and 联合惩戒. An enterprise enters by a
//! recorded decision (reason, facts, day, term, deciding unit) of a unit that
//! supervises it and leaves by another; the list is in scope; the enterprise's page
//! shows the entry; the export carries the credit code; the accidents' concealment
//! listing is the same list.

use serde_json::json;

use crate::harness::{TestApp, engines, zip_text};

fn decision(enterprise: i64) -> serde_json::Value {
    json!({"enterprise": enterprise, "reason_kind": "refused_rectification",
           "reason": "责令限期整改后复查仍未整改\n按日连续处罚仍拒不整改",
           "decided_on": "2022-08-08", "until": "2023-08-07"})
}

#[tokio::test]
async fn a_supervising_unit_blacklists_an_enterprise_and_lifts_it() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let gas = app.unit_id("铜梁区某燃气有限公司").await;
        let bachuan = app.login("bachuan").await;
        // Bad decisions: every problem named; nothing written.
        let (s, b) = bachuan
            .post(
                "/api/v1/blacklist",
                json!({"enterprise": chem, "reason_kind": "bad", "reason": " ", "decided_on": "2022-08-08", "until": ""}),
            )
            .await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(b["error"]["field"], "reason_kind");
        let also: Vec<&str> = b["error"]["also"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["field"].as_str().unwrap())
            .collect();
        assert_eq!(also, ["reason", "until"], "{b}");
        let mut late = decision(chem);
        late["until"] = json!("2022-08-01");
        assert_eq!(
            bachuan.post("/api/v1/blacklist", late).await.1["error"]["field"],
            "until"
        );
        // Out of the township's scope: 404; an enterprise account: 403.
        assert_eq!(
            bachuan.post("/api/v1/blacklist", decision(gas)).await.0,
            404
        );
        assert_eq!(
            app.login("huagong")
                .await
                .post("/api/v1/blacklist", decision(chem))
                .await
                .0,
            403
        );
        assert_eq!(bachuan.get("/api/v1/blacklist").await.1, json!([]));
        // Entered; a second time is a conflict.
        let (s, b) = bachuan.post("/api/v1/blacklist", decision(chem)).await;
        assert_eq!(s, 201, "{b}");
        let id = b["id"].as_i64().unwrap();
        assert_eq!(
            bachuan.post("/api/v1/blacklist", decision(chem)).await.0,
            409
        );
        // In scope: the township and the office see it, another township does not.
        let (_, list) = bachuan.get("/api/v1/blacklist?active=true").await;
        assert_eq!(list[0]["enterprise_name"], "重庆铜梁某化工有限公司");
        assert_eq!(list[0]["unit_name"], "巴川街道");
        assert_eq!(list[0]["reason_kind"], "refused_rectification");
        let office = app.login("office").await;
        assert_eq!(office.get("/api/v1/blacklist").await.1[0]["id"], id);
        assert_eq!(
            app.login("anju").await.get("/api/v1/blacklist").await.1,
            json!([])
        );
        // The register page of an enterprise on the list shows the entry; so does the
        // list page.
        let town = app.unit_id("巴川街道").await;
        let (s, ent) = bachuan
            .post(
                "/api/v1/enterprises",
                crate::responsibility::enterprise(
                    "重庆铜梁某五金制品有限公司",
                    "A0001",
                    town,
                    "工贸",
                    true,
                ),
            )
            .await;
        assert_eq!(s, 201, "{ent}");
        let registered = ent["id"].as_i64().unwrap();
        let code = ent["credit_code"].as_str().unwrap().to_string();
        let (s, b) = office.post("/api/v1/blacklist", decision(registered)).await;
        assert_eq!(s, 201, "{b}");
        let (s, page) = office.get_text(&format!("/enterprises/{registered}")).await;
        assert_eq!(s, 200);
        assert!(
            page.contains("id=\"blacklist\"")
                && page.contains("拒不整改")
                && page.contains("惩戒中"),
            "{page}"
        );
        let (s, page) = bachuan.get_text("/blacklist").await;
        assert_eq!(s, 200);
        assert!(page.contains("重庆铜梁某化工有限公司") && page.contains("移出"));
        // The export the credit system takes: the credit code first.
        let (s, _, bytes) = office.get_bytes("/blacklist.xlsx").await;
        assert_eq!(s, 200);
        let text = zip_text(&bytes);
        assert!(
            text.contains("统一社会信用代码") && text.contains(&code),
            "{text}"
        );
        // Lifting: another township's user cannot reach it, the reason is required,
        // the deciding unit lifts it once.
        let path = format!("/api/v1/blacklist/{id}/lift");
        assert_eq!(
            app.login("anju")
                .await
                .post(&path, json!({"reason": "已整改"}))
                .await
                .0,
            404
        );
        let (s, b) = bachuan.post(&path, json!({"reason": " "})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("reason")));
        assert_eq!(
            bachuan
                .post(&path, json!({"reason": "已完成整改，经复查合格"}))
                .await
                .0,
            204
        );
        assert_eq!(bachuan.post(&path, json!({"reason": "再次"})).await.0, 409);
        let (_, active) = bachuan.get("/api/v1/blacklist?active=true").await;
        assert!(
            active.as_array().unwrap().iter().all(|r| r["id"] != id),
            "lifted: {active}"
        );
        let (_, all) = bachuan.get("/api/v1/blacklist").await;
        let lifted = all
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap();
        assert_eq!(lifted["lift_reason"], "已完成整改，经复查合格");
        // Lifted, it may be entered again by a new decision; by the page too.
        let (s, page) = bachuan
            .form(
                "/blacklist",
                &[
                    ("enterprise", &chem.to_string()),
                    ("reason_kind", "illegal_production"),
                    ("reason", ""),
                    ("decided_on", "2022-08-09"),
                    ("until", "2023-08-08"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("列入理由不能为空") && page.contains("value=\"2023-08-08\""));
        let (s, _) = bachuan
            .form(
                "/blacklist",
                &[
                    ("enterprise", &chem.to_string()),
                    ("reason_kind", "illegal_production"),
                    ("reason", "无证经营危险化学品"),
                    ("decided_on", "2022-08-09"),
                    ("until", "2023-08-08"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        assert_eq!(
            bachuan.get("/api/v1/blacklist?active=true").await.1[0]["reason_kind"],
            "illegal_production"
        );
    }
}
