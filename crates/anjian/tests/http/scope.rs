//! The scope matrix: who sees which units and accounts; out-of-scope ids are 404.

use serde_json::json;

use crate::harness::{TestApp, engines, names};

#[tokio::test]
async fn each_user_sees_exactly_its_scope() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let (_, all) = app.login("office").await.get("/api/v1/units").await;
        let total: (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM units",
            ))
            .await
            .unwrap();
        assert_eq!(
            all.as_array().unwrap().len() as i64,
            total.0,
            "the office sees every unit"
        );

        let (_, town) = app.login("bachuan").await.get("/api/v1/units").await;
        assert_eq!(names(&town), vec!["巴川街道", "重庆铜梁某化工有限公司"]);
        for u in town.as_array().unwrap() {
            assert!(u["id"].is_i64() && u["kind"].is_string() && u.get("parent").is_some());
        }

        // A supervising department: its own unit and the enterprises of its sectors
        // (危险化学品, 非煤矿山, 工贸), wherever they are.
        let (_, dept) = app.login("yjj").await.get("/api/v1/units").await;
        let mut n = names(&dept);
        n.sort();
        let mut want = vec![
            "区应急局",
            "重庆铜梁某化工有限公司",
            "重庆某机械制造有限公司",
            "铜梁区某石材开采有限公司",
        ];
        want.sort();
        assert_eq!(n, want);

        let (_, ent) = app.login("huagong").await.get("/api/v1/units").await;
        assert_eq!(names(&ent), vec!["重庆铜梁某化工有限公司"]);

        let (_, zone) = app.login("gxq").await.get("/api/v1/units").await;
        assert_eq!(names(&zone), vec!["高新区管委会"]);
    }
}

#[tokio::test]
async fn out_of_scope_ids_are_404_and_in_scope_ids_are_read() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let anju = app.unit_id("安居镇").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let bachuan = app.login("bachuan").await;
        let (s, v) = bachuan.get(&format!("/api/v1/units/{anju}")).await;
        assert_eq!(s, 404);
        assert_eq!(v["error"]["code"], "not_found");
        let (s, v) = bachuan.get(&format!("/api/v1/units/{chem}")).await;
        assert_eq!(s, 200);
        // The directory's 危险化学品 reads as the plan's 危化品 (one name per sector).
        assert_eq!(v["sectors"], json!(["危化品"]));
        // The department reads the enterprise of its sector but not a township.
        let yjj = app.login("yjj").await;
        assert_eq!(yjj.get(&format!("/api/v1/units/{chem}")).await.0, 200);
        assert_eq!(yjj.get(&format!("/api/v1/units/{anju}")).await.0, 404);
        // Pages answer 404 too.
        let (s, body) = bachuan.get_text(&format!("/units/{anju}")).await;
        assert_eq!(s, 404);
        assert!(body.contains("不存在"));
    }
}

#[tokio::test]
async fn users_are_listed_by_administrators_only_and_by_scope() {
    for e in engines() {
        let app = TestApp::new(e).await;
        for who in ["office", "sysadmin", "secadmin"] {
            let (s, v) = app.login(who).await.get("/api/v1/users").await;
            assert_eq!(s, 200, "{who}");
            let list = v.as_array().unwrap();
            assert_eq!(
                list.len(),
                anjian::demo::ACCOUNTS.len(),
                "{who} sees every demo account"
            );
            let office = list.iter().find(|u| u["username"] == "office").unwrap();
            assert_eq!(office["role"], "office_admin");
            assert_eq!(office["unit"]["name"], "区安委办");
            assert!(office.get("password_hash").is_none());
        }
        for who in ["bachuan", "bachuan_leader", "yjj", "huagong", "auditor"] {
            let (s, v) = app.login(who).await.get("/api/v1/users").await;
            assert_eq!(s, 403, "{who}");
            assert_eq!(v["error"]["code"], "forbidden");
        }
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'access.denied'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 5, "denied accesses are recorded");
    }
}

#[tokio::test]
async fn the_three_administrators_cannot_do_each_others_jobs() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let unit = app.unit_id("安居镇").await;
        let new_user = json!({"username": "anju_op2", "display_name": "安居镇操作员二", "unit": unit, "role": "unit_operator", "password": "Anju#2022abc"});
        let sys = app.login("sysadmin").await;
        let sec = app.login("secadmin").await;
        let aud = app.login("auditor").await;
        let office = app.login("office").await;
        assert_eq!(
            sec.post("/api/v1/users", new_user.clone()).await.0,
            403,
            "security admin cannot create accounts"
        );
        assert_eq!(
            office.post("/api/v1/users", new_user.clone()).await.0,
            403,
            "the office cannot create accounts"
        );
        let (s, created) = sys.post("/api/v1/users", new_user.clone()).await;
        assert_eq!(s, 201);
        let id = created["id"].as_i64().unwrap();
        // The system admin cannot create privileged accounts nor grant roles.
        let mut privileged = new_user.clone();
        privileged["username"] = json!("sneaky");
        privileged["role"] = json!("auditor");
        let (s, v) = sys.post("/api/v1/users", privileged).await;
        assert_eq!(s, 400);
        assert_eq!(v["error"]["field"], "role");
        assert_eq!(
            sys.post(
                &format!("/api/v1/users/{id}/role"),
                json!({"role": "unit_leader"})
            )
            .await
            .0,
            403
        );
        assert_eq!(
            sec.post(
                &format!("/api/v1/users/{id}/role"),
                json!({"role": "unit_leader"})
            )
            .await
            .0,
            200
        );
        assert_eq!(
            sec.post(
                &format!("/api/v1/users/{id}/active"),
                json!({"active": false})
            )
            .await
            .0,
            403
        );
        assert_eq!(
            sys.post(
                &format!("/api/v1/users/{id}/active"),
                json!({"active": false})
            )
            .await
            .0,
            200
        );
        // Only the auditor reads the audit chain; the auditor does nothing else.
        for c in [&sys, &sec, &office] {
            assert_eq!(c.get("/api/v1/audit").await.0, 403);
        }
        assert_eq!(aud.get("/api/v1/audit").await.0, 200);
        assert_eq!(
            aud.get("/api/v1/units").await.0,
            403,
            "the auditor reads no directory"
        );
        assert_eq!(
            aud.post(
                "/api/v1/units",
                json!({"code": "x1", "name": "某单位", "kind": "enterprise"})
            )
            .await
            .0,
            403
        );
        assert_eq!(
            sys.post(
                "/api/v1/units",
                json!({"code": "x1", "name": "某单位", "kind": "enterprise"})
            )
            .await
            .0,
            403
        );
    }
}

#[tokio::test]
async fn a_disabled_account_loses_its_session_and_cannot_log_in() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let anju = app.login("anju").await;
        let (_, list) = app.login("sysadmin").await.get("/api/v1/users").await;
        let id = list
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "anju")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            app.login("sysadmin")
                .await
                .post(
                    &format!("/api/v1/users/{id}/active"),
                    json!({"active": false})
                )
                .await
                .0,
            200
        );
        assert_eq!(anju.get("/api/v1/me").await.0, 401);
        let (s, v) = app
            .anon()
            .post(
                "/api/v1/auth/login",
                json!({"username": "anju", "password": crate::harness::PASSWORD}),
            )
            .await;
        assert_eq!(s, 401);
        assert_eq!(v["error"]["code"], "account_disabled");
    }
}

#[tokio::test]
async fn a_department_finds_its_sector_enterprises_on_the_directory_pages() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let (s, root) = yjj.get_text("/units").await;
        assert_eq!(s, 200);
        assert!(
            root.contains("区应急局") && root.contains("监管企业"),
            "{root}"
        );
        let (_, list) = yjj.get_text("/units?kind=enterprise").await;
        assert!(list.contains("重庆某机械制造有限公司") && list.contains("重庆铜梁某化工有限公司"));
        assert!(
            !list.contains("铜梁区某燃气有限公司"),
            "gas is another department's sector"
        );
        // A township's page has no such note.
        assert!(
            !app.login("bachuan")
                .await
                .get_text("/units")
                .await
                .1
                .contains("监管企业")
        );
    }
}
