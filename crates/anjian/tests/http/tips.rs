//! Public tips: the receipt shown once and throttled against guessing; the reporter's
//! identity never in the database's files, the audit chain or any handler's answer, and
//! opened only for the custodian with a reason; triage, routing with a deadline, and
//! the outcome the reporter reads.

use serde_json::{Value, json};

use crate::harness::{TestApp, engines, zip_text};

/// Markers that must never be readable anywhere but in the custodian's view.
const NAME: &str = "蔺晓标记";
const PHONE: &str = "13907310942";
const ID_NUMBER: &str = "11010519491231002X";

pub fn tip(reporter: bool) -> Value {
    let mut v = json!({
        "category": "violation",
        "sector": "危险化学品",
        "place": "重庆铜梁某化工有限公司二号仓库",
        "reported_unit": "重庆铜梁某化工有限公司",
        "description": "仓库安全出口被货物堵死，夜间锁闭"
    });
    if reporter {
        v["reporter"] = json!({"name": NAME, "phone": PHONE, "id_number": ID_NUMBER});
    }
    v
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn an_identity_is_sealed_and_opened_only_for_the_custodian() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let public = app.anon();
        let (s, r) = public.post("/api/v1/public/tips", tip(true)).await;
        assert_eq!(s, 201, "{r}");
        let receipt = r["receipt"].as_str().unwrap().to_string();
        assert_eq!(receipt.len(), 22);
        assert!(receipt.chars().all(|c| c.is_ascii_digit()));
        // Nothing readable in the data directory (SQLite file and WAL included) …
        app.db.settle().await.ok();
        for (path, bytes) in app.data_files() {
            for m in [NAME, PHONE, ID_NUMBER, receipt.as_str()] {
                assert!(!contains(&bytes, m), "{m} in {}", path.display());
            }
        }
        // … nor in any row of the database, audit chain included.
        let rows: Vec<(String,)> = app
            .db
            .read()
            .all(anjian_store::q("SELECT COALESCE(identity_sealed, '') || receipt_hash || description FROM tips UNION ALL SELECT COALESCE(detail, '') || action FROM audit_log"))
            .await
            .unwrap();
        for (r,) in &rows {
            assert!(
                !r.contains(NAME) && !r.contains(PHONE) && !r.contains(&receipt),
                "{r}"
            );
        }
        // Handlers' lists have no identity.
        let office = app.login("office").await;
        let (_, list) = office.get("/api/v1/tips").await;
        let text = list.to_string();
        assert!(
            text.contains("安全出口被货物堵死") && !text.contains(NAME) && !text.contains(PHONE)
        );
        assert_eq!(list[0]["anonymous"], false);
        let id = list[0]["id"].as_i64().unwrap();
        // Only the custodian opens it, with a reason, and the view is audited.
        let path = format!("/api/v1/tips/{id}/identity");
        for who in ["office", "bachuan", "auditor", "sysadmin"] {
            let c = app.login(who).await;
            assert_eq!(
                c.post(&path, json!({"reason": "核实举报人"})).await.0,
                403,
                "{who}"
            );
        }
        let keeper = app.login("tipkeeper").await;
        let (s, b) = keeper.post(&path, json!({"reason": ""})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("reason")));
        // Issue 16 part 4: "a step-up for the identity route": the custodian types a
        // code again; without one, or with a wrong one, nothing opens.
        let (s, b) = keeper
            .post(&path, json!({"reason": "发放奖励前核实身份"}))
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (403, Some("step_up_required"))
        );
        let (s, b) = keeper
            .post(
                &path,
                json!({"reason": "发放奖励前核实身份", "totp": "000000"}),
            )
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (403, Some("invalid_second_factor"))
        );
        let code = app.code("tipkeeper").await.unwrap();
        let (s, who) = keeper
            .post(&path, json!({"reason": "发放奖励前核实身份", "totp": code}))
            .await;
        assert_eq!(s, 200, "{who}");
        // The same code does not open it for another session of the custodian.
        let (s, _) = app
            .anon()
            .post(
                "/api/v1/auth/login",
                json!({"username": "tipkeeper", "password": crate::harness::PASSWORD, "totp": code}),
            )
            .await;
        assert_eq!(s, 401, "a code is good once");
        assert_eq!(
            (who["name"].as_str(), who["phone"].as_str()),
            (Some(NAME), Some(PHONE))
        );
        // One entry records the opening, its reason and the code it was confirmed with
        // (the step-up spent in the same transaction, not an entry of its own).
        let (n, step_ups): (i64, i64) = app
            .db
            .read()
            .one(anjian_store::q("SELECT CAST(SUM(CASE WHEN action = 'tip.identity.view' AND detail = '发放奖励前核实身份（以动态验证码验证）' THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN action = 'auth.step_up' THEN 1 ELSE 0 END) AS BIGINT) FROM audit_log"))
            .await
            .unwrap();
        assert_eq!((n, step_ups), (1, 0));
        // The reporter follows it by receipt, grouped or not.
        let (s, v) = public.get(&format!("/api/v1/public/tips/{receipt}")).await;
        assert_eq!((s, v["status"].as_str()), (200, Some("received")), "{v}");
        assert!(!v.to_string().contains(NAME));
    }
}

#[tokio::test]
async fn wrong_receipts_are_throttled_and_bad_tips_name_their_field() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let public = app.anon();
        for (change, field) in [
            (json!({"category": "gossip"}), "category"),
            (json!({"sector": "不存在的行业"}), "sector"),
            (json!({"description": ""}), "description"),
            (
                json!({"reporter": {"name": "王五", "phone": "abc"}}),
                "reporter.phone",
            ),
        ] {
            let mut t = tip(false);
            for (k, v) in change.as_object().unwrap() {
                t[k] = v.clone();
            }
            let (s, b) = public.post("/api/v1/public/tips", t).await;
            assert_eq!((s, b["error"]["field"].as_str()), (422, Some(field)), "{b}");
        }
        let (_, r) = public.post("/api/v1/public/tips", tip(false)).await;
        let receipt = r["receipt"].as_str().unwrap().to_string();
        let last = receipt.chars().last().unwrap().to_digit(10).unwrap();
        let wrong = format!("{}{}", &receipt[..21], (last + 1) % 10);
        assert_eq!(
            public.get("/api/v1/public/tips/1234").await.1["error"]["field"],
            "receipt"
        );
        for _ in 0..5 {
            assert_eq!(
                public.get(&format!("/api/v1/public/tips/{wrong}")).await.0,
                404
            );
        }
        // Locked now, even for the right code; a quarter of an hour later it opens.
        let (s, b) = public.get(&format!("/api/v1/public/tips/{receipt}")).await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (422, Some("receipt")),
            "{b}"
        );
        app.advance(16 * 60 * 1000);
        assert_eq!(
            public
                .get(&format!("/api/v1/public/tips/{receipt}"))
                .await
                .0,
            200
        );
    }
}

#[tokio::test]
async fn a_tip_is_routed_verified_and_its_outcome_told_to_the_reporter() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let public = app.anon();
        let (_, r) = public.post("/api/v1/public/tips", tip(false)).await;
        let receipt = r["receipt"].as_str().unwrap().to_string();
        let (_, second) = public.post("/api/v1/public/tips", tip(false)).await;
        let office = app.login("office").await;
        let (_, list) = office.get("/api/v1/tips?status=received").await;
        let ids: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        let (first, dup) = (ids[1], ids[0]);
        let yjj_unit = app.unit_id("区应急局").await;
        // A township may not triage.
        let bachuan = app.login("bachuan").await;
        let path = format!("/api/v1/tips/{first}");
        assert_eq!(
            bachuan
                .post(&format!("{path}/accept"), json!({"unit": yjj_unit}))
                .await
                .0,
            403
        );
        let (s, b) = office.post(&format!("{path}/accept"), json!({})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("unit")));
        let (s, t) = office
            .post(&format!("{path}/accept"), json!({"unit": yjj_unit}))
            .await;
        assert_eq!((s, t["status"].as_str()), (200, Some("accepted")), "{t}");
        // The duplicate joins it; a third cannot be merged into a received one.
        let (s, _) = office
            .post(&format!("/api/v1/tips/{dup}/merge"), json!({"into": first}))
            .await;
        assert_eq!(s, 200);
        assert!(second["receipt"].is_string());
        // The department verifies within sixty days: an obligation in its to-do list.
        let yjj = app.login("yjj").await;
        let (_, todo) = yjj.get("/api/v1/obligations?limit=1000").await;
        let due: Vec<&str> = todo
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["title"].as_str().unwrap_or("").starts_with("举报核查"))
            .map(|o| o["due_on"].as_str().unwrap())
            .collect();
        assert_eq!(due, vec!["2022-10-08"]);
        // Another unit sees nothing of it.
        assert!(
            bachuan
                .get("/api/v1/tips")
                .await
                .1
                .as_array()
                .unwrap()
                .is_empty()
        );
        let (s, t) = yjj
            .post(
                &format!("/api/v1/tips/{first}/outcome"),
                json!({"substantiated": true, "note": "经现场核查，安全出口确被堵塞，已立案查处"}),
            )
            .await;
        assert_eq!(
            (s, t["status"].as_str()),
            (200, Some("substantiated")),
            "{t}"
        );
        let (_, v) = public.get(&format!("/api/v1/public/tips/{receipt}")).await;
        assert_eq!(v["status_label"], "经核查属实");
        assert!(v["note"].as_str().unwrap().contains("已立案查处"));
        assert!(v["reward"].is_null());
        // The reward: 15% of a 50,000-yuan fine, approved, paid; steps in order only.
        let path = format!("/api/v1/tips/{first}/reward");
        assert_eq!(
            yjj.post(&format!("{path}/propose"), json!({"fine_yuan": "50000"}))
                .await
                .0,
            403
        );
        let (s, b) = office
            .post(&format!("{path}/pay"), json!({"method": "银行转账"}))
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("state")));
        let (s, r) = office
            .post(&format!("{path}/propose"), json!({"fine_yuan": "50000"}))
            .await;
        assert_eq!((s, r["amount_fen"].as_i64()), (200, Some(750_000)), "{r}");
        let (_, v) = public.get(&format!("/api/v1/public/tips/{receipt}")).await;
        assert!(v["reward"].is_null(), "a proposal is not yet a decision");
        assert_eq!(
            office.post(&format!("{path}/approve"), json!({})).await.0,
            200
        );
        let (_, v) = public.get(&format!("/api/v1/public/tips/{receipt}")).await;
        assert_eq!(
            (
                v["reward"]["amount_fen"].as_i64(),
                v["reward"]["state"].as_str()
            ),
            (Some(750_000), Some("approved"))
        );
        assert_eq!(
            office
                .post(&format!("{path}/pay"), json!({"method": "银行转账"}))
                .await
                .0,
            200
        );
        let (_, v) = public.get(&format!("/api/v1/public/tips/{receipt}")).await;
        assert_eq!(
            (
                v["reward"]["state"].as_str(),
                v["reward"]["paid_on"].as_str()
            ),
            (Some("paid"), Some("2022-08-09"))
        );
        // A merged duplicate is not rewarded on its own.
        let (s, _) = office
            .post(&format!("/api/v1/tips/{dup}/reward/propose"), json!({}))
            .await;
        assert_eq!(s, 422);
    }
}

#[tokio::test]
async fn the_public_path_is_rate_limited_and_not_cached() {
    let config = anjian_web::WebConfig {
        public_per_minute: 3,
        ..anjian_web::WebConfig::default()
    };
    let app = TestApp::with_config(crate::harness::Engine::Sqlite, config).await;
    let public = app.anon();
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(public.post("/api/v1/public/tips", tip(false)).await.0);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    assert!(statuses.contains(&429));
    let r = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/public/tips/0000000000000000000000",
            app.base
        ))
        .send()
        .await
        .unwrap();
    let h = r.headers();
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
}

#[tokio::test]
async fn the_tip_page_shows_no_identity_and_opens_it_for_the_custodian_only() {
    for e in engines() {
        let app = TestApp::new(e).await;
        app.anon().post("/api/v1/public/tips", tip(true)).await;
        let office = app.login("office").await;
        let (s, html) = office.get_text("/tips").await;
        assert_eq!(s, 200);
        assert!(
            html.contains("安全出口被货物堵死")
                && html.contains("实名")
                && !html.contains(NAME)
                && !html.contains(PHONE)
        );
        let id = app
            .db
            .read()
            .one::<(i64,)>(anjian_store::q("SELECT id FROM tips"))
            .await
            .unwrap()
            .0;
        // Each step of the page posts to its own route (issue 22 part 4).
        let path = format!("/tips/{id}/identity");
        assert_eq!(office.form(&path, &[("reason", "看看")]).await.0, 403);
        let keeper = app.login("tipkeeper").await;
        let code = app.code("tipkeeper").await.unwrap();
        let (s, html) = keeper
            .form(
                &path,
                &[
                    ("reason", "核实举报人身份以发放奖励"),
                    ("totp", code.as_str()),
                ],
            )
            .await;
        assert_eq!(s, 200);
        assert!(html.contains(NAME) && html.contains(PHONE), "{html}");
        // The office routes it from the page.
        let unit = app.unit_id("区应急局").await.to_string();
        let (s, _) = office
            .form(&format!("/tips/{id}/accept"), &[("unit", unit.as_str())])
            .await;
        assert_eq!(s, 303);
        let (_, html) = app.login("yjj").await.get_text("/tips").await;
        assert!(html.contains("已分办，核查中") && !html.contains(NAME));
        // The office sees the year's figures and edits the reward rules on the page.
        let (_, html) = office.get_text("/tips").await;
        assert!(html.contains("本年举报情况") && html.contains("2021年全年"));
        assert!(html.contains("<title>举报处理 · 安监平台</title>"));
        let mut rules = vec![
            ("hazard_percent", "15"),
            ("hazard_min_yuan", "400000"),
            ("hazard_max_yuan", "300000"),
            ("ordinary", "30000"),
            ("larger", "40000"),
            ("major", "50000"),
            ("especially_major", "60000"),
            ("accident_max_yuan", "300000"),
        ];
        let (s, html) = office.form("/tips/rules", &rules).await;
        assert_eq!(s, 422);
        assert!(html.contains("最低额不能高于最高额"), "{html}");
        rules[1].1 = "5000";
        assert_eq!(office.form("/tips/rules", &rules).await.0, 303);
        assert_eq!(
            app.login("bachuan")
                .await
                .form("/tips/rules", &rules)
                .await
                .0,
            403
        );
        let (_, r) = office.get("/api/v1/tips/reward-rules").await;
        assert_eq!(r["hazard_min_yuan"], 5000);
        // The public form on a phone works without JavaScript and without login.
        let (s, html) = app.anon().get_text("/tip").await;
        assert_eq!(s, 200);
        assert!(html.contains("我要举报") && !html.contains("<script"));
    }
}

/// A JPEG whose EXIF carries a position.
fn jpeg_with_gps() -> Vec<u8> {
    let exif = b"Exif\0\0GPS29.8N106.1E";
    let mut j = vec![0xff, 0xd8, 0xff, 0xe1, 0, exif.len() as u8 + 2];
    j.extend(exif);
    j.extend([0xff, 0xda, 0, 2, 7, 7, 7, 0xff, 0xd9]);
    j
}

#[tokio::test]
async fn questions_answers_material_without_metadata_and_the_years_figures() {
    for e in engines() {
        let app = TestApp::new(e).await;
        // A tip from the phone form with a photo carrying a GPS position.
        let form = reqwest::multipart::Form::new()
            .text("category", "major_hazard")
            .text("sector", "危险化学品")
            .text("place", "重庆铜梁某化工有限公司")
            .text("description", "储罐区报警器长期不工作")
            .text("identity", "anonymous")
            .text("name", "不应保存的名字")
            .part(
                "photos",
                reqwest::multipart::Part::bytes(jpeg_with_gps()).file_name("现场.jpg"),
            );
        let anon = app.anon();
        let r = anon.post_multipart("/tip", form).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        let receipt: String = html
            .split("id=\"receipt\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        assert_eq!(receipt.len(), 22, "{html}");
        let office = app.login("office").await;
        let (_, list) = office.get("/api/v1/tips").await;
        let t = &list[0];
        assert_eq!(
            (t["anonymous"].as_bool(), t["files"].as_i64()),
            (Some(true), Some(1)),
            "an anonymous tip keeps no name"
        );
        let id = t["id"].as_i64().unwrap();
        // Handlers open the copy without the position.
        let (s, _, bytes) = office.get_bytes(&format!("/tips/{id}/files/0")).await;
        assert_eq!(s, 200);
        assert!(!bytes.windows(3).any(|w| w == b"GPS") && bytes.starts_with(&[0xff, 0xd8]));
        // Issue 16 part 3: "tip attachments sealed with the field cipher": no file on
        // the disk holds the original's position.
        let files = app.data_files();
        assert!(
            files
                .iter()
                .any(|(p, _)| p.to_string_lossy().contains("evidence"))
        );
        assert!(
            files
                .iter()
                .filter(|(p, _)| p.to_string_lossy().contains("evidence"))
                .all(|(_, b)| !b.windows(3).any(|w| w == b"GPS")),
            "the original is stored sealed"
        );
        assert_eq!(
            app.login("bachuan")
                .await
                .get_bytes(&format!("/tips/{id}/files/0"))
                .await
                .0,
            404
        );
        // A question, read and answered by receipt.
        let (s, _) = office
            .post(
                &format!("/api/v1/tips/{id}/messages"),
                json!({"text": "报警器在几号罐？"}),
            )
            .await;
        assert_eq!(s, 201);
        let (_, v) = anon.get(&format!("/api/v1/public/tips/{receipt}")).await;
        assert_eq!(v["messages"][0]["text"], "报警器在几号罐？");
        let (s, html) = anon
            .form(
                "/tip/status",
                &[("receipt", receipt.as_str()), ("text", "3号罐")],
            )
            .await;
        assert_eq!(s, 200);
        assert!(html.contains("已提交回复") && html.contains("3号罐"));
        let (_, page) = office.get_text("/tips").await;
        assert!(page.contains("举报人答复：3号罐"));
        // The year's figures, month by month, beside last year's.
        let (s, st) = office.get("/api/v1/tips/stats?year=2022").await;
        assert_eq!(s, 200, "{st}");
        assert_eq!(
            (
                st["months"][0]["month"].as_str(),
                st["months"][0]["received"].as_i64()
            ),
            (Some("2022-08"), Some(1))
        );
        assert_eq!(st["last_year"]["received"], 0);
        assert_eq!(
            app.login("bachuan").await.get("/api/v1/tips/stats").await.0,
            403
        );
    }
}

/// The real binary at its most verbose logging: a tip's identity, its receipt, the
/// sender's address and browser appear nowhere in what it prints.
#[tokio::test]
async fn nothing_of_the_reporter_reaches_the_logs() {
    use std::io::Read;
    let dir = std::env::temp_dir().join(format!("anjian-logs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // The output goes to a file: a pipe nobody reads would fill and stall the server.
    let log = dir.join("out.log");
    let file = std::fs::File::create(&log).unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_anjian"))
        .args(["demo", "--data-dir"])
        .arg(&dir)
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .env("ANJIAN_LOG", "trace")
        .env("ANJIAN_DEMO_PASSWORD", crate::harness::PASSWORD)
        .env_remove("ANJIAN_DATABASE_URL")
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..600 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(up, "the demo server did not start");
    let r: Value = http
        .post(format!("{base}/api/v1/public/tips"))
        .header("user-agent", "MarkerBrowser/9.9")
        .header("x-forwarded-for", "203.0.113.77")
        .json(&tip(true))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let receipt = r["receipt"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    let s = http
        .get(format!("{base}/api/v1/public/tips/{receipt}"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(s, 200);
    server.kill().unwrap();
    let _ = server.wait();
    let mut out = String::new();
    std::fs::File::open(&log)
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.contains("/[public]"),
        "trace logging was on: {}",
        out.len()
    );
    for m in [
        NAME,
        PHONE,
        ID_NUMBER,
        receipt.as_str(),
        "MarkerBrowser",
        "203.0.113.77",
    ] {
        let line = out.lines().find(|l| l.contains(m)).unwrap_or_default();
        assert!(!out.contains(m), "{m} in the logs: {line}");
    }
}

/// The verification names the hazards and enforcement records it produced (in the
/// unit's scope only); the ledger export, the to-do exports and the month's bulletin
/// carry the tip but never the reporter.
#[tokio::test]
async fn exports_and_the_bulletin_carry_the_tip_but_never_the_reporter() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let (s, _) = app.anon().post("/api/v1/public/tips", tip(true)).await;
        assert_eq!(s, 201);
        let office = app.login("office").await;
        let id = office.get("/api/v1/tips").await.1[0]["id"]
            .as_i64()
            .unwrap();
        let yjj_unit = app.unit_id("区应急局").await;
        let (s, _) = office
            .post(
                &format!("/api/v1/tips/{id}/accept"),
                json!({"unit": yjj_unit}),
            )
            .await;
        assert_eq!(s, 200);
        let hazard = |place: &str| {
            json!({
                "level": "general",
                "sector": "危险化学品",
                "place": place,
                "description": "仓库安全出口被货物堵塞",
                "discovered_on": "2022-08-09",
                "measures": "清除堵塞货物，恢复安全出口畅通",
                "responsible_person": "王五",
                "deadline": "2022-08-20"
            })
        };
        let yjj = app.login("yjj").await;
        let (s, own) = yjj
            .post("/api/v1/hazards", hazard("某化工公司二号仓库"))
            .await;
        assert_eq!(s, 201, "{own}");
        let own = own["id"].as_i64().unwrap();
        let (s, other) = app
            .login("bachuan")
            .await
            .post("/api/v1/hazards", hazard("巴川某仓库"))
            .await;
        assert_eq!(s, 201, "{other}");
        let other = other["id"].as_i64().unwrap();
        // A hazard outside the unit's scope is not found, and nothing is written.
        let path = format!("/api/v1/tips/{id}/outcome");
        let (s, _) = yjj
            .post(
                &path,
                json!({"substantiated": true, "note": "属实，已立案", "hazards": [own, other]}),
            )
            .await;
        assert_eq!(s, 404);
        assert_eq!(
            office.get(&format!("/api/v1/tips/{id}")).await.1["status"],
            "accepted"
        );
        let (s, t) = yjj
            .post(
                &path,
                json!({"substantiated": true, "note": "属实，已立案", "hazards": [own, own]}),
            )
            .await;
        assert_eq!(s, 200, "{t}");
        assert_eq!(t["produced"]["hazards"], json!([own]));
        let page = office.get_text("/tips").await.1;
        assert!(page.contains(&format!("href=\"/hazards/{own}\"")));
        // Every export in which the tip or its obligation appears. The office's whole
        // tip ledger asks for its second factor again (`/api/v1/auth/step-up`).
        assert_eq!(office.get_bytes("/tips.xlsx").await.0, 303);
        let code = app.code("office").await.unwrap();
        let (s, b) = office
            .post("/api/v1/auth/step-up", json!({"totp": code}))
            .await;
        assert_eq!(s, 204, "{b}");
        for (who, path) in [
            (&office, "/tips.xlsx"),
            (&yjj, "/tips.xlsx"),
            (&yjj, "/todo.xlsx"),
            (&yjj, "/obligations.xlsx"),
        ] {
            let (s, _, bytes) = who.get_bytes(path).await;
            assert_eq!(s, 200, "{path}");
            let text = zip_text(&bytes);
            assert!(!text.contains(NAME) && !text.contains(PHONE), "{path}");
            if path == "/tips.xlsx" {
                assert!(text.contains("安全出口被货物堵死") && text.contains("实名"));
            }
        }
        // The August bulletin, issued in September.
        app.advance(30 * 86_400_000);
        let office = app.login("office").await;
        let (s, b) = office.post("/api/v1/bulletins/2022-08", json!({})).await;
        assert_eq!(s, 201, "{b}");
        let (s, _, docx) = office.get_bytes("/api/v1/bulletins/2022-08/docx").await;
        assert_eq!(s, 200);
        let (s, _, xlsx) = office.get_bytes("/bulletins/2022-08/xlsx").await;
        assert_eq!(s, 200);
        let text = format!("{}{}", zip_text(&docx), zip_text(&xlsx));
        assert!(
            text.contains("受理安全生产举报1件，经核查属实1件"),
            "{text}"
        );
        assert!(text.contains("重庆铜梁某化工有限公司二号仓库"));
        assert!(!text.contains(NAME) && !text.contains(PHONE) && !text.contains(ID_NUMBER));
    }
}

/// The verification deadline is the office's setting; the routed unit may ask once to
/// extend it, and only the office's approval moves the due day in its to-do list.
#[tokio::test]
async fn the_verification_is_extended_once_with_the_offices_approval() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (s, d) = office.get("/api/v1/tips/deadlines").await;
        assert_eq!(
            (s, d["verify_days"].as_i64(), d["extension_days"].as_i64()),
            (200, Some(60), Some(30))
        );
        let bachuan = app.login("bachuan").await;
        let body = json!({"verify_days": 45, "extension_days": 30});
        assert_eq!(
            bachuan.put("/api/v1/tips/deadlines", body.clone()).await.0,
            403
        );
        let (s, b) = office
            .put(
                "/api/v1/tips/deadlines",
                json!({"verify_days": 0, "extension_days": 30}),
            )
            .await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (422, Some("verify_days"))
        );
        assert_eq!(office.put("/api/v1/tips/deadlines", body).await.0, 200);
        app.anon().post("/api/v1/public/tips", tip(false)).await;
        let id = office.get("/api/v1/tips").await.1[0]["id"]
            .as_i64()
            .unwrap();
        let yjj_unit = app.unit_id("区应急局").await;
        office
            .post(
                &format!("/api/v1/tips/{id}/accept"),
                json!({"unit": yjj_unit}),
            )
            .await;
        let yjj = app.login("yjj").await;
        let due = || async {
            let (_, todo) = yjj.get("/api/v1/obligations?limit=1000").await;
            todo.as_array()
                .unwrap()
                .iter()
                .filter(|o| o["title"].as_str().unwrap_or("").starts_with("举报核查"))
                .map(|o| {
                    (
                        o["due_on"].as_str().unwrap().to_string(),
                        o["title"].as_str().unwrap().to_string(),
                    )
                })
                .next()
                .unwrap()
        };
        assert_eq!(due().await.0, "2022-09-23", "45 days from 9 August");
        let path = format!("/api/v1/tips/{id}/extension");
        // Each step is its own route; approving what nobody requested is refused.
        let approve = format!("{path}/approve");
        let (s, b) = office.post(&approve, json!({})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("action")));
        assert_eq!(
            bachuan.post(&path, json!({"reason": "人手不足"})).await.0,
            404
        );
        let (s, b) = yjj.post(&path, json!({})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("reason")));
        // A step that does not exist is a missing route, not a runtime refusal.
        let (s, _) = yjj.post(&format!("{path}/later"), json!({})).await;
        assert!(s == 404 || s == 405, "{s}");
        let (s, t) = yjj
            .post(&path, json!({"reason": "需委托第三方检测，结果待出"}))
            .await;
        assert_eq!((s, t["extension_state"].as_str()), (200, Some("requested")));
        assert_eq!(yjj.post(&path, json!({"reason": "再次申请"})).await.0, 422);
        assert_eq!(yjj.post(&approve, json!({})).await.0, 403);
        assert_eq!(due().await.0, "2022-09-23", "not moved before approval");
        let (s, t) = office.post(&approve, json!({})).await;
        assert_eq!(
            (s, t["extension_state"].as_str()),
            (200, Some("approved")),
            "{t}"
        );
        let (on, title) = due().await;
        assert_eq!(on, "2022-10-23");
        assert!(title.contains("延期30日"), "{title}");
        let page = office.get_text("/tips").await.1;
        assert!(page.contains("已批准延期：需委托第三方检测"));
    }
}

/// Duplicates merged into one tip: the first real-name reporter keeps priority for the
/// reward, and every merged reporter reads the outcome by their own receipt.
#[tokio::test]
async fn the_first_real_name_reporter_of_merged_duplicates_is_rewarded() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let public = app.anon();
        let anonymous = public.post("/api/v1/public/tips", tip(false)).await.1["receipt"]
            .as_str()
            .unwrap()
            .to_string();
        let named = public.post("/api/v1/public/tips", tip(true)).await.1["receipt"]
            .as_str()
            .unwrap()
            .to_string();
        let office = app.login("office").await;
        let (_, list) = office.get("/api/v1/tips").await;
        let (second, first) = (
            list[0]["id"].as_i64().unwrap(),
            list[1]["id"].as_i64().unwrap(),
        );
        let yjj_unit = app.unit_id("区应急局").await;
        office
            .post(
                &format!("/api/v1/tips/{first}/accept"),
                json!({"unit": yjj_unit}),
            )
            .await;
        let (s, _) = office
            .post(
                &format!("/api/v1/tips/{second}/merge"),
                json!({"into": first}),
            )
            .await;
        assert_eq!(s, 200);
        let yjj = app.login("yjj").await;
        yjj.post(
            &format!("/api/v1/tips/{first}/outcome"),
            json!({"substantiated": true, "note": "安全出口堵塞属实，已责令立即清理"}),
        )
        .await;
        let path = format!("/api/v1/tips/{first}/reward");
        let (s, r) = office
            .post(&format!("{path}/propose"), json!({"fine_yuan": "10000"}))
            .await;
        assert_eq!((s, r["amount_fen"].as_i64()), (200, Some(300_000)), "{r}");
        assert_eq!(
            office.post(&format!("{path}/approve"), json!({})).await.0,
            200
        );
        let (_, t) = office.get(&format!("/api/v1/tips/{first}")).await;
        assert_eq!(
            (t["reward_payee"].as_i64(), t["reward_state"].as_str()),
            (Some(second), Some("approved"))
        );
        let (_, a) = public
            .get(&format!("/api/v1/public/tips/{anonymous}"))
            .await;
        assert!(a["reward"].is_null(), "{a}");
        let (_, n) = public.get(&format!("/api/v1/public/tips/{named}")).await;
        assert_eq!(
            (n["status"].as_str(), n["reward"]["state"].as_str()),
            (Some("merged"), Some("approved")),
            "{n}"
        );
        assert!(n["note"].as_str().unwrap().contains("已责令立即清理"));
        let page = office.get_text("/tips").await.1;
        assert!(page.contains(&format!("奖励给举报 {second} 的举报人")));
        assert!(!page.contains(NAME));
    }
}

/// Two of the department's sessions recording the outcome of the same tip at once:
/// one records it, the other is told it was already decided, and the chain holds one
/// outcome.
#[tokio::test]
async fn a_concurrent_double_outcome_succeeds_once() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let (office, id) = received_tip(&app).await;
        let yjj_unit = app.unit_id("区应急局").await;
        let (s, t) = office
            .post(
                &format!("/api/v1/tips/{id}/accept"),
                json!({"unit": yjj_unit}),
            )
            .await;
        assert_eq!(s, 200, "{t}");
        let (a, b) = (app.login("yjj").await, app.login("yjj").await);
        let path = format!("/api/v1/tips/{id}/outcome");
        let body = json!({"substantiated": true, "note": "经现场核查属实，已立案查处"});
        let (x, y) = tokio::join!(a.post(&path, body.clone()), b.post(&path, body));
        crate::harness::one_of_two_succeeds(&x, &y);
        assert_eq!(
            crate::harness::entries(&app, "tip.outcome", id).await,
            1,
            "one outcome in the chain"
        );
    }
}

/// Two office sessions routing the same received tip at once: one routes it, the other
/// is told it was already handled (409), and the chain holds one triage.
#[tokio::test]
async fn a_concurrent_double_triage_succeeds_once() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let (_, r) = app.anon().post("/api/v1/public/tips", tip(false)).await;
        assert!(r["receipt"].is_string(), "{r}");
        let (a, b) = (app.login("office").await, app.login("office").await);
        let (_, list) = a.get("/api/v1/tips?status=received").await;
        let id = list[0]["id"].as_i64().unwrap();
        let (yjj, anju) = (app.unit_id("区应急局").await, app.unit_id("安居镇").await);
        let path = format!("/api/v1/tips/{id}/accept");
        let (x, y) = tokio::join!(
            a.post(&path, json!({"unit": yjj})),
            b.post(&path, json!({"unit": anju}))
        );
        crate::harness::one_of_two_succeeds(&x, &y);
        assert_eq!(
            crate::harness::entries(&app, "tip.triage", id).await,
            1,
            "one triage in the chain"
        );
    }
}

/// A step only the office takes, tried by a township on the API and on the page: the
/// store refuses it from the tip machine's table (403, the same on both faces, before
/// anything about the tip is read), and each refusal is in the audit chain once.
#[tokio::test]
async fn a_triage_by_a_township_is_refused_by_the_store_and_recorded_once() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let (office, id) = received_tip(&app).await;
        let bachuan = app.login("bachuan").await;
        let unit = app.unit_id("巴川街道").await;
        let denied = |app: &TestApp| {
            let db = app.db.clone();
            async move {
                let (n,): (i64,) = db
                    .read()
                    .one(anjian_store::q(
                        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'access.denied' AND outcome = 'denied'",
                    ))
                    .await
                    .unwrap();
                n
            }
        };
        let before = denied(&app).await;
        let (s, v) = bachuan
            .post(&format!("/api/v1/tips/{id}/accept"), json!({"unit": unit}))
            .await;
        assert_eq!((s, v["error"]["code"].as_str()), (403, Some("forbidden")));
        // A tip that does not exist is refused the same way: nothing leaks.
        let (s, _) = bachuan
            .post("/api/v1/tips/999999999/accept", json!({"unit": unit}))
            .await;
        assert_eq!(s, 403);
        let (s, _) = bachuan
            .form(
                &format!("/tips/{id}/accept"),
                &[("unit", &unit.to_string())],
            )
            .await;
        assert_eq!(s, 403);
        assert_eq!(denied(&app).await - before, 3, "each refusal recorded once");
        let (_, t) = office.get(&format!("/api/v1/tips/{id}")).await;
        assert_eq!(t["status"], "received", "{t}");
    }
}

/// A tip from the public, received: the office's session and the tip's id.
async fn received_tip(app: &TestApp) -> (crate::harness::Client, i64) {
    let (_, r) = app.anon().post("/api/v1/public/tips", tip(false)).await;
    assert!(r["receipt"].is_string(), "{r}");
    let office = app.login("office").await;
    let (_, list) = office.get("/api/v1/tips?status=received").await;
    (office, list[0]["id"].as_i64().unwrap())
}

/// Issue 17 part 1: the office narrows the tips to a status, a category, the routed
/// unit and words, and reads them page by page; the page and the API agree, and a bad
/// filter names its field.
#[tokio::test]
async fn the_tip_list_narrows_and_pages() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let public = app.anon();
        for n in 0..3 {
            let mut t = tip(false);
            t["place"] = json!(format!("玉屏公园第{n}号配电房"));
            t["category"] = json!("major_hazard");
            let (s, b) = public.post("/api/v1/public/tips", t).await;
            assert_eq!(s, 201, "{b}");
        }
        public.post("/api/v1/public/tips", tip(false)).await;
        let office = app.login("office").await;
        let (_, words) = office.get("/api/v1/tips?q=配电房").await;
        let words = words.as_array().unwrap();
        assert_eq!(words.len(), 3, "{words:?}");
        let (_, hazards) = office.get("/api/v1/tips?category=major_hazard").await;
        assert!(
            hazards
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["category"] == "major_hazard")
        );
        // One page of two, then the rest after it, with the filter kept.
        let (_, first) = office.get("/api/v1/tips?q=配电房&limit=2").await;
        let last = first[1]["id"].as_i64().unwrap();
        let (_, rest) = office
            .get(&format!("/api/v1/tips?q=配电房&before={last}"))
            .await;
        assert_eq!(rest.as_array().unwrap().len(), 1);
        assert_eq!(rest[0]["id"], words[2]["id"]);
        // Routed to one unit: only its tips under that filter.
        let yjj_unit = app.unit_id("区应急局").await;
        let routed = words[0]["id"].as_i64().unwrap();
        office
            .post(
                &format!("/api/v1/tips/{routed}/accept"),
                json!({"unit": yjj_unit}),
            )
            .await;
        let (_, mine) = office.get(&format!("/api/v1/tips?unit={yjj_unit}")).await;
        assert_eq!(mine.as_array().unwrap().len(), 1);
        assert_eq!(mine[0]["id"].as_i64(), Some(routed));
        let (_, received) = office.get("/api/v1/tips?status=received&q=配电房").await;
        assert_eq!(received.as_array().unwrap().len(), 2);
        // The page: the filter stays chosen and the list is narrowed.
        let (s, page) = office.get_text("/tips?q=配电房&status=received").await;
        assert_eq!(s, 200);
        assert!(
            page.contains("value=\"配电房\""),
            "the words stay in the box"
        );
        assert_eq!(
            page.matches("号配电房").count(),
            2,
            "two received tips listed"
        );
        assert!(!page.contains("二号仓库"));
        for (query, field) in [
            ("status=lost", "status"),
            ("category=x", "category"),
            ("unit=abc", "unit"),
            ("before=x", "before"),
        ] {
            let (s, b) = office.get(&format!("/api/v1/tips?{query}")).await;
            assert_eq!(
                (s, b["error"]["field"].as_str()),
                (400, Some(field)),
                "{query} {b}"
            );
        }
        let (s, page) = office.get_text("/tips?status=lost").await;
        assert!((400..500).contains(&s) && page.contains("举报状态"), "{s}");
    }
}

/// Issue 17 part 3: "A refused form comes back with everything typed and every file
/// already sent … all problems of a form are listed at once, each next to its field."
/// A citizen's tip refused for three problems comes back with the text, the choices
/// and the photo (kept sealed: no readable original on the disk), each problem beside
/// its field; sent again with the fixes, it keeps the photo.
#[tokio::test]
async fn a_refused_tip_comes_back_whole_with_its_photo_and_each_problem() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let anon = app.anon();
        let form = reqwest::multipart::Form::new()
            .text("category", "major_hazard")
            .text("sector", "危险化学品")
            .text("place", " ")
            .text("reported_unit", "某化工有限公司")
            .text("description", "储罐区报警器长期不工作\n夜间无人值守")
            .text("identity", "real")
            .text("name", "")
            .text("phone", "12")
            .part(
                "photos",
                reqwest::multipart::Part::bytes(jpeg_with_gps()).file_name("储罐区.jpg"),
            );
        let r = anon.post_multipart("/tip", form).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("有3处需要修改"), "{html}");
        for (field, message) in [
            ("place", "地点不能为空"),
            ("name", "举报人姓名不能为空"),
            ("phone", "联系电话应为7到20位数字"),
        ] {
            let at = html
                .find(&format!("name=\"{field}\""))
                .unwrap_or_else(|| panic!("{field}"));
            let next: String = html[at..].chars().take(300).collect();
            assert!(
                next.contains("aria-invalid=\"true\"") && next.contains(message),
                "{field} beside its problem: {next}"
            );
        }
        assert!(
            html.contains("夜间无人值守</textarea>"),
            "the description kept"
        );
        assert!(
            html.contains("value=\"某化工有限公司\""),
            "the reported unit kept"
        );
        assert!(
            html.contains("value=\"real\" checked"),
            "the identity choice kept"
        );
        assert!(html.contains("储罐区.jpg"), "the photo is named as kept");
        assert!(
            app.data_files()
                .iter()
                .all(|(_, b)| !b.windows(3).any(|w| w == b"GPS")),
            "the kept original is sealed"
        );
        let kept = html
            .split("name=\"kept\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        assert!(!kept.is_empty());
        // Sent again with the fixes and no file chosen: the photo goes with the tip.
        let form = reqwest::multipart::Form::new()
            .text("category", "major_hazard")
            .text("sector", "危险化学品")
            .text("place", "重庆铜梁某化工有限公司储罐区")
            .text("description", "储罐区报警器长期不工作")
            .text("identity", "real")
            .text("name", NAME)
            .text("phone", PHONE)
            .text("kept", kept);
        let r = anon.post_multipart("/tip", form).await;
        assert_eq!(r.status(), 200);
        let office = app.login("office").await;
        let (_, list) = office.get("/api/v1/tips").await;
        assert_eq!(list[0]["files"], 1, "{list}");
        let id = list[0]["id"].as_i64().unwrap();
        let (s, _, bytes) = office.get_bytes(&format!("/tips/{id}/files/0")).await;
        assert_eq!(s, 200);
        assert!(bytes.starts_with(&[0xff, 0xd8]) && !bytes.windows(3).any(|w| w == b"GPS"));
    }
}
