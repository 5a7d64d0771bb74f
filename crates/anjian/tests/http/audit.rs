//! The audit chain: every write leaves an entry; tampering is detected.

use serde_json::json;

use crate::harness::{TestApp, engines};

#[tokio::test]
async fn writes_are_audited_and_tampering_is_found() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let anju = app.unit_id("安居镇").await;
        assert_eq!(office.post("/api/v1/units", json!({"code": "tl-ent-a1", "name": "铜梁区某加油站", "kind": "enterprise", "parent": anju})).await.0, 201);
        let auditor = app.login("auditor").await;
        let (s, v) = auditor.get("/api/v1/audit/verify").await;
        assert_eq!(s, 200);
        assert_eq!(v["ok"], true, "{v}");
        let (_, entries) = auditor.get("/api/v1/audit?actor=office").await;
        let actions: Vec<&str> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"unit.create") && actions.contains(&"auth.login"),
            "{actions:?}"
        );
        let create = entries
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "unit.create")
            .unwrap();
        assert_eq!(create["role"], "office_admin");
        assert!(create["after_digest"].as_str().unwrap().len() == 64);
        // Tamper with one entry directly in the database.
        let seq = create["seq"].as_i64().unwrap();
        let mut tx = app.db.begin().await.unwrap();
        tx.execute(
            anjian_store::q("UPDATE audit_log SET actor_name = 'someone_else' WHERE seq = $1")
                .bind(seq),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (_, v) = auditor.get("/api/v1/audit/verify").await;
        assert_eq!(v["ok"], false);
        assert_eq!(v["broken_seq"], seq);
        let verification = anjian_store::audit::verify(&app.db).await.unwrap();
        assert_eq!(verification.broken.unwrap().seq, seq);
        // The page names the entry too.
        let (_, page) = auditor.get_text("/audit/verify").await;
        assert!(page.contains(&format!("第 {seq} 条")), "{page}");
    }
}

#[tokio::test]
async fn deleting_the_last_entries_is_found() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let _ = app.login("office").await;
        let mut tx = app.db.begin().await.unwrap();
        tx.execute(anjian_store::q(
            "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)",
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(
            anjian_store::audit::verify(&app.db)
                .await
                .unwrap()
                .broken
                .is_some()
        );
    }
}

#[tokio::test]
async fn concurrent_writers_keep_one_chain() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = std::sync::Arc::new(app.login("office").await);
        let anju = app.unit_id("安居镇").await;
        let mut tasks = Vec::new();
        for i in 0..12 {
            let c = office.clone();
            tasks.push(tokio::spawn(async move {
                c.post("/api/v1/units", json!({"code": format!("tl-ent-c{i}"), "name": format!("铜梁区某汽修厂{i}号"), "kind": "enterprise", "parent": anju})).await.0
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 201);
        }
        let v = anjian_store::audit::verify(&app.db).await.unwrap();
        assert!(v.broken.is_none(), "{:?}", v.broken);
    }
}
