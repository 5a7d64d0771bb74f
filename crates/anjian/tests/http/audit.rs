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

/// Issue 16 part 6: "Logs and audit entries are kept at least 6 months (Cybersecurity
/// Law art. 21), with a setting and a test that nothing younger is purged."
#[tokio::test]
async fn entries_younger_than_the_retention_period_are_never_purged() {
    use anjian_store::audit_export::{prepare_purge, purge_exported, verify_export};
    const DAY: i64 = 86_400_000;
    for e in crate::harness::engines() {
        let app = crate::harness::TestApp::new(e).await;
        let sec = app.login("secadmin").await;
        let policy = |months: &'static str| {
            vec![
                ("min_length", "10"),
                ("min_classes", "3"),
                ("rotation_days", "0"),
                ("token_max_days", "90"),
                ("retention_months", months),
            ]
        };
        let (s, html) = sec.form("/security/policy", &policy("5")).await;
        assert!(s == 422 && html.contains("审计记录保存期"), "{s}");
        assert_eq!(sec.form("/security/policy", &policy("6")).await.0, 303);
        let key = anjian_core::checkpoint::signing_key(&crate::harness::TEST_SECRET);
        let now =
            |app: &crate::harness::TestApp| app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
        // Five months after today (the migrations' entries carry the real time, the
        // demo's the test clock's 2022): the chain's first entries are not six months
        // old, so nothing can go.
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        app.clock
            .0
            .store(real + 155 * DAY, std::sync::atomic::Ordering::SeqCst);
        assert!(
            prepare_purge(&app.db, now(&app), &key)
                .await
                .unwrap()
                .is_none()
        );
        let _ = app.login("bachuan").await;
        let young_at = now(&app);
        let count_young = |app: &crate::harness::TestApp| {
            let db = app.db.clone();
            async move {
                db.read()
                    .one::<(i64,)>(
                        anjian_store::q(
                            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE at_ms >= $1",
                        )
                        .bind(young_at),
                    )
                    .await
                    .unwrap()
                    .0
            }
        };
        let young = count_young(&app).await;
        // Seven months after today; the login above is two months old.
        app.advance(62 * DAY);
        let p = prepare_purge(&app.db, now(&app), &key)
            .await
            .unwrap()
            .unwrap();
        let n = purge_exported(&app.db, now(&app), &anjian_store::Actor::system("test"), &p)
            .await
            .unwrap();
        assert!(n > 50, "the demo's entries are past the period: {n}");
        let cutoff = anjian_store::audit_export::retention_cutoff(now(&app), 6).unwrap();
        let (oldest,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT MIN(at_ms) FROM audit_log"))
            .await
            .unwrap();
        assert!(oldest >= cutoff, "nothing younger than six months is gone");
        assert_eq!(
            count_young(&app).await,
            young + 1,
            "the young entries and the purge's own"
        );
        // The chain verifies from its new start, and the export offline.
        let v = anjian_store::audit::verify(&app.db).await.unwrap();
        assert!(v.broken.is_none(), "{:?}", v.broken);
        let keys =
            anjian_core::sealed::Keyring::from_secret(crate::harness::TEST_SECRET).chain_keys();
        let check = verify_export(&p.export, Some(keys), None).unwrap();
        assert_eq!(check.seal.count, n as i64);
        // A purge reaching into the period is refused whole.
        let (first, last): (i64, i64) = app
            .db
            .read()
            .one(anjian_store::q("SELECT MIN(seq), MAX(seq) FROM audit_log"))
            .await
            .unwrap();
        let greedy = anjian_store::audit_export::Purge {
            export: Vec::new(),
            first_seq: first,
            last_seq: last,
        };
        let err = purge_exported(
            &app.db,
            now(&app),
            &anjian_store::Actor::system("test"),
            &greedy,
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "retention");
        assert!(count_young(&app).await > young);
    }
}
