//! The command line against a real SQLite file: migrate, user, directory, audit, backup.

use anjian::cli::{Cli, run};
use clap::Parser;

use crate::harness::TempDir;

async fn anjian(dir: &std::path::Path, args: &[&str]) -> Result<(), String> {
    crate::harness::use_test_chain_key();
    let key = dir.join("secret.key");
    if !key.exists() {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(&key, crate::harness::TEST_SECRET).unwrap();
    }
    let mut argv = vec!["anjian", "--data-dir", dir.to_str().unwrap()];
    argv.extend_from_slice(args);
    run(Cli::parse_from(argv)).await
}

#[tokio::test]
async fn the_operator_runs_the_commands_and_verify_catches_tampering() {
    let dir = TempDir(std::env::temp_dir().join(format!("anjian-cli-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let d = dir.0.as_path();
    anjian(d, &["migrate"]).await.unwrap();
    let url = format!("sqlite:{}", d.join("anjian.db").display());
    let db = anjian::cli::open(&url).await.unwrap();
    anjian::demo::load(&db, 1_660_000_000_000, Some(crate::harness::PASSWORD))
        .await
        .unwrap();

    anjian(
        d,
        &[
            "user",
            "create",
            "shuikou",
            "--name",
            "水口镇操作员",
            "--unit",
            "tl-town-008",
            "--role",
            "unit_operator",
            "--password",
            "Water#2022ab",
        ],
    )
    .await
    .unwrap();
    let err = anjian(
        d,
        &[
            "user",
            "create",
            "weak",
            "--name",
            "弱密码",
            "--unit",
            "tl-town-008",
            "--role",
            "unit_operator",
            "--password",
            "123",
        ],
    )
    .await
    .unwrap_err();
    assert!(err.contains("密码至少"), "{err}");
    anjian(
        d,
        &[
            "user",
            "reset-password",
            "shuikou",
            "--password",
            "Water#2023ab",
        ],
    )
    .await
    .unwrap();
    anjian(d, &["user", "disable", "shuikou"]).await.unwrap();
    let u = anjian_store::accounts::users::by_username(&db, "shuikou")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((u.active, u.must_change_password), (0, 1));

    let sheet = d.join("units.xlsx");
    anjian(d, &["directory", "export", sheet.to_str().unwrap()])
        .await
        .unwrap();
    // Re-importing the export updates every unit and creates none.
    anjian(d, &["directory", "import", sheet.to_str().unwrap()])
        .await
        .unwrap();
    let bad = d.join("bad.xlsx");
    std::fs::write(&bad, b"not a spreadsheet").unwrap();
    assert!(
        anjian(d, &["directory", "import", bad.to_str().unwrap()])
            .await
            .unwrap_err()
            .contains("未导入")
    );

    // Plans: the published text imports into a second campaign; a sheet is not yet read.
    let seed = d.join("plan.txt");
    std::fs::write(&seed, anjian::plan::TONGLIANG_2022).unwrap();
    anjian(
        d,
        &["plan", "import", seed.to_str().unwrap(), "--year", "2023"],
    )
    .await
    .unwrap();
    anjian(d, &["plan", "show", "--json"]).await.unwrap();
    let newest = &anjian_store::plans::campaigns(&db).await.unwrap()[0];
    assert_eq!(newest.year, 2023);
    // Run again a year later, every date moves a year: the campaign starts on the
    // plan's issue date in 2023 and item (1), due 31 May, is due 31 May 2023.
    assert_eq!(newest.starts_on, "2023-05-16");
    let (due,): (String,) = db
        .read()
        .one(
            anjian_store::q("SELECT MIN(o.due_on) FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN work_items w ON w.id = a.work_item_id WHERE o.campaign_id = $1 AND w.no = 1")
                .bind(newest.id),
        )
        .await
        .unwrap();
    assert_eq!(due, "2023-05-31");
    let broken = d.join("broken.txt");
    std::fs::write(&broken, "铜安办〔2022〕1号\n没有附件的文件\n").unwrap();
    assert!(
        anjian(d, &["plan", "import", broken.to_str().unwrap()])
            .await
            .unwrap_err()
            .contains("未导入")
    );
    assert!(
        anjian(d, &["plan", "import", sheet.to_str().unwrap()])
            .await
            .is_err()
    );
    // A second plan, as another district publishes it: a table in .xlsx.
    let table = d.join("plan2.xlsx");
    std::fs::write(&table, crate::campaigns::gas_plan_xlsx()).unwrap();
    assert!(
        anjian(d, &["plan", "import", table.to_str().unwrap()])
            .await
            .unwrap_err()
            .contains("--title")
    );
    anjian(
        d,
        &[
            "plan",
            "import",
            table.to_str().unwrap(),
            "--title",
            "某区燃气安全专项整治方案",
            "--year",
            "2023",
            "--ends-on",
            "2023-12-31",
        ],
    )
    .await
    .unwrap();
    let second = &anjian_store::plans::campaigns(&db).await.unwrap()[0];
    assert_eq!(second.title, "某区燃气安全专项整治方案");
    let stored = anjian_store::plans::load(&db, second.plan_id)
        .await
        .unwrap();
    assert_eq!(
        stored.work_items().map(|w| w.no).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    let (n,): (i64,) = db
        .read()
        .one(
            anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM obligations WHERE campaign_id = $1",
            )
            .bind(second.id),
        )
        .await
        .unwrap();
    // (1) once for 29 units, (2) monthly Jan–Dec for the same 29; (3) states no time
    // limit, so it is a standing duty of 区经济信息委: a progress line every month by the
    // 28th (January to December) and a summary at the end.
    assert_eq!(n, 29 + 29 * 12 + 12 + 1);
    anjian(d, &["audit", "verify"]).await.unwrap();
    // A signed checkpoint, verified against the public key kept elsewhere.
    let cp = d.join("checkpoint.json");
    anjian(d, &["audit", "checkpoint", "--out", cp.to_str().unwrap()])
        .await
        .unwrap();
    let public = anjian_core::checkpoint::public_key(&crate::harness::TEST_SECRET);
    let with_cp = [
        "audit",
        "verify",
        "--checkpoint",
        cp.to_str().unwrap(),
        "--public-key",
        public.as_str(),
    ];
    anjian(d, &with_cp).await.unwrap();
    let backup = d.join("backup.db");
    anjian(d, &["backup", backup.to_str().unwrap()])
        .await
        .unwrap();
    assert!(backup.exists());

    let mut tx = db.begin().await.unwrap();
    tx.execute(anjian_store::q(
        "UPDATE audit_log SET detail = 'edited' WHERE seq = 5",
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let err = anjian(d, &["audit", "verify"]).await.unwrap_err();
    assert!(err.contains("第 5 条"), "{err}");
    let err = anjian(d, &with_cp).await.unwrap_err();
    assert!(err.contains("不再延续检查点"), "{err}");
    // The backup taken before the edit still verifies.
    let copy = anjian_store::Db::connect(&format!("sqlite:{}", backup.display()))
        .await
        .unwrap();
    assert!(
        anjian_store::audit::verify(&copy)
            .await
            .unwrap()
            .broken
            .is_none()
    );
}

/// 2022-08-15 09:00 in Shanghai.
const AS_OF: i64 = 1_660_525_200_000;

#[tokio::test]
async fn demo_rebuilds_its_own_database_and_never_overwrites_real_data() {
    // The process's chain key, as every other test of this binary sets it (run alone,
    // the test would otherwise find none).
    crate::harness::use_test_chain_key();
    let dir = TempDir(std::env::temp_dir().join(format!("anjian-demo-{}", std::process::id())));
    let common = |d: &std::path::Path| anjian::cli::Common {
        database_url: None,
        data_dir: d.to_path_buf(),
        secret_key_file: None,
        storage_url: None,
    };
    let demo_dir = dir.0.join("demo");
    let (db, url, accounts) = anjian::demo::prepare(&common(&demo_dir), AS_OF)
        .await
        .unwrap();
    assert!(url.ends_with("anjian.db"), "{url}");
    // The campaign is replayed up to 15 August 2022: reports on time, late, returned,
    // waiting, and missing ones overdue.
    let counts: Vec<(String, i64)> = db
        .read()
        .all(anjian_store::q("SELECT CASE WHEN state = 'pending' AND due_on < '2022-08-15' THEN 'overdue' ELSE state END AS s, CAST(COUNT(*) AS BIGINT) FROM obligations GROUP BY CASE WHEN state = 'pending' AND due_on < '2022-08-15' THEN 'overdue' ELSE state END ORDER BY 1"))
        .await
        .unwrap();
    let n = |s: &str| {
        counts
            .iter()
            .find(|(k, _)| k == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    assert!(
        n("accepted") > n("done_late")
            && n("done_late") > 0
            && n("returned") > 0
            && n("submitted") > 0
            && n("overdue") > 0,
        "{counts:?}"
    );
    assert!(n("pending") > 0, "work due after 15 August is still ahead");
    let (late,): (i64,) = db.read().one(anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT) FROM progress_reports WHERE submitted_on > '2022-08-15'")).await.unwrap();
    assert_eq!(late, 0, "nothing is reported after the demo's day");
    // Monthly reports: most on time, some late, some months missing.
    let (on_time, late, sent): (i64, i64, i64) = db
        .read()
        .one(anjian_store::q("SELECT CAST(SUM(CASE WHEN submitted_on <= month || '-28' THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN submitted_on > month || '-28' THEN 1 ELSE 0 END) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM monthly_reports WHERE submitted_at IS NOT NULL"))
        .await
        .unwrap();
    let (towns,): (i64,) = db
        .read()
        .one(anjian_store::q(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM units WHERE kind = 'township'",
        ))
        .await
        .unwrap();
    assert!(on_time > late && late > 0, "{on_time} {late}");
    assert!(
        sent < towns * 3,
        "some months are missing: {sent} of {}",
        towns * 3
    );
    // Visits: recorded unannounced visits with findings in the ledgers, one planned, and
    // the visits of 区应急局 (guidance of 巴川街道) and of 区纪委监委机关 (明查暗访).
    let (recorded, planned, findings): (i64, i64, i64) = db
        .read()
        .one(anjian_store::q("SELECT CAST(SUM(CASE WHEN recorded_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN recorded_at IS NULL THEN 1 ELSE 0 END) AS BIGINT), (SELECT CAST(COUNT(*) AS BIGINT) FROM hazards WHERE visit_id IS NOT NULL) FROM visits"))
        .await
        .unwrap();
    assert_eq!(
        (recorded, planned, findings),
        (5, 1, 6),
        "June to August, the units' two, and the next round"
    );
    // Enforcement from May to August, some fined; July's watch has units at zero.
    let (records, fined, months): (i64, i64, i64) = db
        .read()
        .one(anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT), CAST(COUNT(penalty_kind) AS BIGINT), CAST(COUNT(DISTINCT SUBSTR(inspected_on, 1, 7)) AS BIGINT) FROM enforcements"))
        .await
        .unwrap();
    assert!(
        records > 8 && fined > 0 && fined < records,
        "{records} {fined}"
    );
    assert_eq!(months, 4, "May to August");
    let july = anjian_core::monthly_report::Month::parse("2022-07").unwrap();
    let watch = anjian_store::enforcements::tally(&db, &anjian_store::Scope::All, july)
        .await
        .unwrap();
    let zero = watch.iter().filter(|t| t.zero).count();
    assert!(
        zero > 0 && zero * 4 < watch.len(),
        "a few units at zero: {zero} of {}: {:?}",
        watch.len(),
        watch
            .iter()
            .filter(|t| t.zero)
            .map(|t| t.unit_name.as_str())
            .collect::<Vec<_>>()
    );
    // Tips in every state, one rewarded; accidents of two grades, one late.
    let states: Vec<(String,)> = db
        .read()
        .all(anjian_store::q(
            "SELECT DISTINCT status FROM tips ORDER BY status",
        ))
        .await
        .unwrap();
    assert_eq!(
        states.into_iter().map(|(s,)| s).collect::<Vec<_>>(),
        [
            "accepted",
            "merged",
            "received",
            "rejected",
            "substantiated",
            "unsubstantiated"
        ]
    );
    let (paid,): (i64,) = db
        .read()
        .one(anjian_store::q(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM tip_rewards WHERE state = 'paid'",
        ))
        .await
        .unwrap();
    assert_eq!(paid, 1);
    let (accidents, grades, late): (i64, i64, i64) = db
        .read()
        .one(anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT), CAST(COUNT(DISTINCT grade) AS BIGINT), CAST(SUM(late) AS BIGINT) FROM accidents"))
        .await
        .unwrap();
    // Five: the three reported as they happened, the machinery plant's, which a public
    // tip showed concealed by the enterprise (issue 19's demo), and the 南城街道 site's,
    // concealed by the township itself (issue 20's demo: its year is vetoed).
    assert_eq!((accidents, grades, late), (5, 2, 1));
    let today = anjian_core::time::local_date(AS_OF).unwrap();
    // Issue 20's demo: 2022's assessment vetoes 南城街道, which concealed an accident,
    // and not 土桥镇, whose enterprise concealed one.
    let year = anjian_store::assessments::of_year(
        &db,
        anjian_core::time::Moment::new(AS_OF, today),
        &anjian_store::Actor::system("test"),
        2022,
    )
    .await
    .unwrap();
    let vetoed = |name: &str| {
        year.townships
            .iter()
            .find(|x| x.name == name)
            .map(|x| x.vetoed)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert!(vetoed("南城街道"));
    assert!(!vetoed("土桥镇"));
    // Every township has enterprises to inspect; May to July rank them with spread.
    for m in ["2022-05", "2022-06", "2022-07"] {
        let month = anjian_core::monthly_report::Month::parse(m).unwrap();
        let r = anjian_store::rankings::ranking(
            &db,
            AS_OF,
            today,
            month,
            anjian_store::rankings::Kind::Township,
        )
        .await
        .unwrap();
        // The 28 townships and 高新区管委会 (item (20) "镇街、管委会落实属地监管职责").
        assert_eq!(r.units.len() as i64, towns + 1, "{m}");
        let totals: std::collections::BTreeSet<i64> =
            r.units.iter().map(|u| u.score.total).collect();
        assert!(totals.len() > 10, "{m}: scores spread out: {totals:?}");
        assert!(r.units.iter().any(|u| u.bottom));
        assert!(
            r.units.iter().filter(|u| u.unit.inspections > 0).count() * 4 > r.units.len() * 3,
            "{m}"
        );
    }
    assert!(
        accounts
            .iter()
            .any(|(u, _, _, uri)| u == "office" && uri.is_some())
            && accounts
                .iter()
                .any(|(u, _, _, uri)| u == "bachuan" && uri.is_none())
            && accounts.iter().any(|(u, _, _, _)| u == "auditor")
    );
    db.close().await;
    // `anjian audit verify` on the default database checks the demo's chain.
    anjian(&demo_dir, &["audit", "verify"]).await.unwrap();
    // Running the demo again rebuilds it.
    let (db, _, _) = anjian::demo::prepare(&common(&demo_dir), AS_OF)
        .await
        .unwrap();
    let (n,): (i64,) = db
        .read()
        .one(anjian_store::q(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM users",
        ))
        .await
        .unwrap();
    assert_eq!(n, anjian::demo::ACCOUNTS.len() as i64);
    db.close().await;
    // A real database is refused.
    let real = dir.0.join("real");
    std::fs::create_dir_all(&real).unwrap();
    let db = anjian::cli::open(&format!("sqlite:{}", real.join("anjian.db").display()))
        .await
        .unwrap();
    anjian::demo::load(&db, 1_660_000_000_000, Some(crate::harness::PASSWORD))
        .await
        .unwrap();
    db.close().await;
    let err = anjian::demo::prepare(&common(&real), AS_OF)
        .await
        .err()
        .unwrap();
    assert!(err.contains("不会覆盖"), "{err}");
}

/// A restore drill: `backup` writes the key beside the database; the restored copy opens
/// a reporter's identity with it; a server given another key file refuses to start,
/// naming the file, instead of failing when someone opens an identity.
#[tokio::test]
async fn a_backup_restores_with_its_key_and_another_key_is_refused() {
    let dir = TempDir(std::env::temp_dir().join(format!("anjian-restore-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let d = dir.0.as_path();
    anjian(d, &["migrate"]).await.unwrap();
    let db = anjian::cli::open(&format!("sqlite:{}", d.join("anjian.db").display()))
        .await
        .unwrap();
    anjian::demo::load(&db, AS_OF, Some(crate::harness::PASSWORD))
        .await
        .unwrap();
    let key = [42u8; 32];
    std::fs::write(d.join("secret.key"), key).unwrap();
    let keys = anjian_core::sealed::Keyring::from_secret(key);
    let today = anjian_core::time::local_date(AS_OF).unwrap();
    anjian::seed::tips_and_accidents(&db, &keys, today)
        .await
        .unwrap();
    let backup = d.join("restore.db");
    anjian(d, &["backup", backup.to_str().unwrap()])
        .await
        .unwrap();
    let key_copy = d.join("restore.db.key");
    assert_eq!(std::fs::read(&key_copy).unwrap(), key.to_vec());
    // The restored copy, with the backed-up key, opens an identity.
    let restored = anjian_store::Db::connect(&format!("sqlite:{}", backup.display()))
        .await
        .unwrap();
    let copy_keys = anjian_core::sealed::Keyring::from_secret(
        std::fs::read(&key_copy).unwrap().try_into().unwrap(),
    );
    anjian::cli::check_keys(&restored, &copy_keys, &key_copy)
        .await
        .unwrap();
    let (tip,): (i64,) = restored
        .read()
        .one(anjian_store::q(
            "SELECT id FROM tips WHERE identity_sealed IS NOT NULL ORDER BY id LIMIT 1",
        ))
        .await
        .unwrap();
    let who = anjian_store::tips::reveal(
        &restored,
        &copy_keys,
        AS_OF,
        &anjian_store::scope::Actor::system("drill"),
        tip,
        "恢复演练",
        None,
    )
    .await
    .unwrap();
    assert!(who.is_some());
    // Another key file: refused with a message naming it.
    let other = anjian_core::sealed::Keyring::from_secret([7u8; 32]);
    let err = anjian::cli::check_keys(&restored, &other, std::path::Path::new("/srv/other.key"))
        .await
        .unwrap_err();
    assert!(
        err.contains("/srv/other.key") && err.contains("--secret-key-file"),
        "{err}"
    );
}

/// Issue 16 part 6: "the security administrator exports the chain for a period and the
/// auditor verifies an export offline with `anjian audit verify --file`".
#[tokio::test]
async fn an_exported_period_verifies_offline_and_a_changed_one_does_not() {
    for e in crate::harness::engines() {
        let app = crate::harness::TestApp::new(e).await;
        let sec = app.login("secadmin").await;
        let export = |from: &'static str, to: &'static str| {
            let http = sec.http.clone();
            let url = format!("{}/security/audit-export", app.base);
            async move {
                let r = http
                    .post(url)
                    .form(&[("from", from), ("to", to)])
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let disposition = r
                    .headers()
                    .get("content-disposition")
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default();
                (status, disposition, r.bytes().await.unwrap().to_vec())
            }
        };
        let (s, _, _) = export("2022-08-31", "2022-08-01").await;
        assert_eq!(s, 400, "the end before the start");
        let (s, _, body) = export("2030-01-01", "2030-01-31").await;
        assert_eq!(s, 422, "{}", String::from_utf8_lossy(&body));
        let (s, disposition, bytes) = export("2022-08-01", "2022-08-31").await;
        assert_eq!(s, 200);
        assert!(disposition.starts_with("attachment"), "{disposition}");
        // A Chinese name (RFC 6266 filename*), an ASCII fallback beside it.
        assert!(
            disposition
                .contains("filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97-2022-08-01")
                && disposition.contains("filename=\"download.ndjson\""),
            "{disposition}"
        );
        let lines = bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        assert!(lines > 50, "the demo's entries and the seal: {lines}");
        // The auditor's machine: the export and, first, no key file.
        let dir =
            TempDir(std::env::temp_dir().join(format!("anjian-export-{}", app.base.len() + lines)));
        std::fs::create_dir_all(&dir.0).unwrap();
        let file = dir.0.join("audit.ndjson");
        std::fs::write(&file, &bytes).unwrap();
        let pk = anjian_core::checkpoint::public_key(&crate::harness::TEST_SECRET);
        let offline = |args: Vec<String>| {
            let mut argv = vec![
                "anjian".to_string(),
                "--data-dir".into(),
                dir.0.join("auditor").display().to_string(),
            ];
            argv.extend(args);
            run(Cli::parse_from(argv))
        };
        let verify = |f: &std::path::Path| {
            vec![
                "audit".to_string(),
                "verify".into(),
                "--file".into(),
                f.display().to_string(),
                "--public-key".into(),
                pk.clone(),
            ]
        };
        offline(verify(&file)).await.unwrap();
        assert!(!dir.0.join("auditor/secret.key").exists(), "no key is made");
        // With the key file the keyed links are checked too.
        anjian(
            &dir.0,
            &["audit", "verify", "--file", file.to_str().unwrap()],
        )
        .await
        .unwrap();
        // One entry changed after the export: refused.
        let text = String::from_utf8(bytes.clone()).unwrap();
        let changed = text.replacen("\"outcome\":\"ok\"", "\"outcome\":\"no\"", 1);
        assert_ne!(changed, text);
        let bad = dir.0.join("changed.ndjson");
        std::fs::write(&bad, &changed).unwrap();
        let err = offline(verify(&bad)).await.unwrap_err();
        assert!(err.contains("改动"), "{err}");
        // Changed and sealed again with another key: refused against the kept key.
        let body_end = changed.trim_end().rfind('\n').unwrap() + 1;
        let body = &changed[..body_end];
        let seq: Vec<i64> = body
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(body.as_bytes()))
        };
        let forged = anjian_core::checkpoint::ExportSeal::sign(
            seq[0],
            *seq.last().unwrap(),
            seq.len() as i64,
            &sha,
            0,
            &anjian_core::checkpoint::signing_key(&[7; 32]),
        );
        let resealed = format!("{body}{}\n", serde_json::json!({ "seal": forged }));
        std::fs::write(&bad, resealed).unwrap();
        let err = offline(verify(&bad)).await.unwrap_err();
        assert!(err.contains("公钥"), "{err}");
        // The export itself is in the chain.
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'audit.export'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
}

/// Issue 21: "`anjian plan import` with a data directory that does not exist answers
/// 'unable to open database file' (create it, or name the missing path)": the directory
/// of a SQLite file is created.
#[tokio::test]
async fn a_missing_data_directory_is_created() {
    // Opening a fresh database writes its first audited rows (the national calendar),
    // as `anjian plan import` does after loading the key file.
    crate::harness::use_test_chain_key();
    let dir = TempDir(std::env::temp_dir().join(format!("anjian-fresh-{}", std::process::id())));
    let file = dir.0.join("nested").join("anjian.db");
    assert!(!dir.0.exists());
    let db = anjian::cli::open(&format!("sqlite:{}", file.display()))
        .await
        .unwrap();
    drop(db);
    assert!(file.exists());
}

/// A fresh install, as README's "Running it for real" orders it: the directory imported,
/// then the plan. The plan gives most of its work to groups: "各镇街、区级行业监管部门每月
/// 28日前将自查情况和问题清单报区安委办" (一、（二）). A fresh directory has no groups, so
/// the import lists 各镇街 among the names no unit answers and the townships owe nothing;
/// `anjian directory groups` defines the missing groups, the running campaign follows,
/// and each township owes its work. Run again, it changes nothing.
#[tokio::test]
async fn directory_groups_give_a_fresh_installs_townships_their_work() {
    let demo =
        TempDir(std::env::temp_dir().join(format!("anjian-groups-a-{}", std::process::id())));
    anjian(demo.0.as_path(), &["migrate"]).await.unwrap();
    let a = anjian::cli::open(&format!("sqlite:{}", demo.0.join("anjian.db").display()))
        .await
        .unwrap();
    anjian::demo::load(&a, 1_660_000_000_000, Some(crate::harness::PASSWORD))
        .await
        .unwrap();
    let sheet = demo.0.join("units.xlsx");
    anjian(
        demo.0.as_path(),
        &["directory", "export", sheet.to_str().unwrap()],
    )
    .await
    .unwrap();

    let fresh =
        TempDir(std::env::temp_dir().join(format!("anjian-groups-b-{}", std::process::id())));
    let d = fresh.0.as_path();
    anjian(d, &["migrate"]).await.unwrap();
    anjian(d, &["directory", "import", sheet.to_str().unwrap()])
        .await
        .unwrap();
    let plan = d.join("plan.txt");
    std::fs::write(&plan, anjian::plan::TONGLIANG_2022).unwrap();
    // A campaign running today (the command reads the real clock): from May of last
    // year to the end of next year.
    let this_year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    let (year, ends_on) = (
        (this_year - 1).to_string(),
        format!("{}-12-31", this_year + 1),
    );
    anjian(
        d,
        &[
            "plan",
            "import",
            plan.to_str().unwrap(),
            "--year",
            &year,
            "--ends-on",
            &ends_on,
        ],
    )
    .await
    .unwrap();
    let db = anjian::cli::open(&format!("sqlite:{}", d.join("anjian.db").display()))
        .await
        .unwrap();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            let (n,): (i64,) = db.read().one(anjian_store::q(sql)).await.unwrap();
            n
        }
    };
    let township_obligations = "SELECT CAST(COUNT(*) AS BIGINT) FROM obligations o JOIN units u ON u.id = o.unit_id WHERE u.kind = 'township'";
    let groups = "SELECT CAST(COUNT(*) AS BIGINT) FROM unit_groups";
    let townships_owing = "SELECT CAST(COUNT(DISTINCT o.unit_id) AS BIGINT) FROM obligations o JOIN units u ON u.id = o.unit_id WHERE u.kind = 'township'";
    assert_eq!(count(township_obligations).await, 0);
    assert_eq!(count(groups).await, 0);
    assert_eq!(
        count("SELECT CAST(COUNT(*) AS BIGINT) FROM campaign_unresolved WHERE name = '各镇街'")
            .await,
        1
    );

    let listed = || {
        let db = db.clone();
        async move {
            let rows: Vec<(String, String)> = db
                .read()
                .all(anjian_store::q(
                    "SELECT name, items FROM campaign_unresolved ORDER BY name",
                ))
                .await
                .unwrap();
            rows
        }
    };
    let before = listed().await;

    anjian(d, &["directory", "groups"]).await.unwrap();
    assert_eq!(count(groups).await, 8);
    assert_eq!(count(townships_owing).await, 28);
    // The office's list of names to map no longer shows those the groups answer.
    assert_eq!(
        count("SELECT CAST(COUNT(*) AS BIGINT) FROM campaign_unresolved WHERE name = '各镇街'")
            .await,
        0
    );
    // The names still unanswered are listed as the launch listed them, items and all.
    let after = listed().await;
    assert!(!after.is_empty() && after.len() < before.len(), "{after:?}");
    assert!(after.iter().all(|row| before.contains(row)), "{after:?}");
    let owed = count(township_obligations).await;
    assert!(owed > 28 * 10, "{owed}");

    anjian(d, &["directory", "groups"]).await.unwrap();
    assert_eq!(count(groups).await, 8);
    assert_eq!(count(township_obligations).await, owed);

    // A name that stops resolving (its only unit deactivated) is listed again at the
    // next full follow, the background job's, with the items that use it.
    let (forestry,): (i64,) = db
        .read()
        .one(anjian_store::q(
            "SELECT id FROM units WHERE name = '区委宣传部'",
        ))
        .await
        .unwrap();
    let now_ms = chrono::Utc::now().timestamp_millis();
    anjian_store::directory::units::set_active(
        &db,
        now_ms,
        &anjian_store::Actor::system("test"),
        &anjian_store::Scope::All,
        forestry,
        false,
    )
    .await
    .unwrap();
    anjian_store::follow::follow_directory(&db, now_ms)
        .await
        .unwrap();
    let listed_again = listed().await;
    let row = listed_again
        .iter()
        .find(|(name, _)| name == "区委宣传部")
        .unwrap_or_else(|| panic!("{listed_again:?}"));
    assert!(!row.1.is_empty(), "{row:?}");
    assert!(after.iter().all(|row| listed_again.contains(row)));
}
