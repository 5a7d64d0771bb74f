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
        // Every digest in the chain, of a whole record or of a workflow's state, is the
        // SHA-256 of canonical JSON: 64 hex digits, never a state name.
        let digests: Vec<(Option<String>, Option<String>)> = app
            .db
            .read()
            .all(anjian_store::q(
                "SELECT before_digest, after_digest FROM audit_log",
            ))
            .await
            .unwrap();
        for d in digests.iter().flat_map(|(b, a)| [b, a]).flatten() {
            assert!(
                d.len() == 64 && d.chars().all(|c| c.is_ascii_hexdigit()),
                "{d}"
            );
        }
        assert_eq!(
            anjian_core::audit::digest("pending").len(),
            64,
            "a state name is digested as the JSON string it is"
        );
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

/// 等保 level 3 (8.1.4.3 安全审计): "应对审计记录进行保护，定期备份，避免受到未预期的删除、修改或覆盖".
/// Whoever can write the database but not read the key file rewrites an entry and every
/// link after it (with plain SHA-256, as the chain was before, or marked unkeyed): the
/// chain fails. The security administrator's signed checkpoint catches a rewrite even
/// by someone holding the key, and a chain cut short.
#[tokio::test]
async fn a_rewritten_chain_fails_and_a_checkpoint_holds_it() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let sec = app.login("secadmin").await;
        let (s, page) = sec.get_text("/security/policy").await;
        assert_eq!(s, 200);
        assert!(page.contains("检查点公钥"), "{page}");
        let r = sec
            .http
            .post(format!("{}/security/checkpoint", sec.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let cp: anjian_core::checkpoint::Checkpoint = r.json().await.unwrap();
        let public = anjian_core::checkpoint::public_key(&crate::harness::TEST_SECRET);
        assert!(page.contains(&public), "the page shows the key to keep");
        assert_eq!(
            anjian_store::audit::extends(&app.db, &cp, Some(&public))
                .await
                .unwrap(),
            None
        );
        // Later writes extend the checkpoint.
        app.login("office").await;
        assert_eq!(
            anjian_store::audit::extends(&app.db, &cp, Some(&public))
                .await
                .unwrap(),
            None
        );
        // Rewrite entry 3 and every entry after it without the key.
        let rows: Vec<anjian_store::audit::AuditRow> = app
            .db
            .read()
            .all(anjian_store::q("SELECT seq, at_ms, actor_user_id, actor_name, role, unit_id, action, object_type, object_id, outcome, before_digest, after_digest, detail, prev_hash, hash, keyed FROM audit_log WHERE seq >= 3 ORDER BY seq"))
            .await
            .unwrap();
        let (prev,): (String,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT hash FROM audit_log WHERE seq = 2"))
            .await
            .unwrap();
        for keyed in [1_i64, 0] {
            let mut prev = prev.clone();
            let mut tx = app.db.begin().await.unwrap();
            for r in &rows {
                let mut rec = r.record();
                rec.prev_hash = prev.clone();
                if r.seq == 3 {
                    rec.detail = "改写".into();
                }
                let link = rec.hash();
                tx.execute(
                    anjian_store::q("UPDATE audit_log SET detail = $1, prev_hash = $2, hash = $3, keyed = $4 WHERE seq = $5")
                        .bind(rec.detail.clone())
                        .bind(prev.clone())
                        .bind(link.clone())
                        .bind(keyed)
                        .bind(r.seq),
                )
                .await
                .unwrap();
                prev = link;
            }
            tx.execute(anjian_store::q("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(prev))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let v = anjian_store::audit::verify(&app.db).await.unwrap();
            assert_eq!(v.broken.map(|b| b.seq), Some(3), "keyed = {keyed}");
            let why = anjian_store::audit::extends(&app.db, &cp, Some(&public))
                .await
                .unwrap()
                .expect("the checkpoint no longer holds");
            assert!(why.contains("改写") || why.contains("第 3 条"), "{why}");
        }
        // A checkpoint signed by another key is refused against the key kept.
        let forged = anjian_core::checkpoint::Checkpoint::sign(
            cp.seq,
            &cp.head,
            cp.at_ms,
            &anjian_core::checkpoint::signing_key(&[1; 32]),
        );
        assert!(
            anjian_store::audit::extends(&app.db, &forged, Some(&public))
                .await
                .unwrap()
                .is_some()
        );
    }
}
