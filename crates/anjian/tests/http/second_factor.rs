//! The second factor (issue 16 part 4): TOTP enrolment, the login that asks for it, the
//! step-up before whole-ledger exports, the recovery codes, the security
//! administrator's settings and reset, and the user's own sessions.

use anjian::authenticator::Authenticator;
use anjian_core::second_factor::TotpSecret;
use serde_json::json;

use crate::harness::{PASSWORD, TestApp, engines};

fn login_body(username: &str, totp: Option<&str>) -> serde_json::Value {
    let mut b = json!({"username": username, "password": PASSWORD});
    if let Some(t) = totp {
        b["totp"] = json!(t);
    }
    b
}

/// Issue 16 part 4: "required for the office administrator and the three separated
/// administrators"; "`POST /api/v1/auth/login` takes an optional `"totp"`; for an
/// account with a second factor and without it (or with a wrong one) it answers 401
/// with code `second_factor_required` (or `invalid_second_factor`) and opens no
/// session."
#[tokio::test]
async fn the_office_works_only_with_its_second_factor() {
    for e in engines() {
        let app = TestApp::new(e).await;
        // Before enrolling: signed in, but nothing opens except the enrolment.
        let c = app.anon();
        let (s, me) = c
            .post("/api/v1/auth/login", login_body("office", None))
            .await;
        assert_eq!((s, &me["second_factor_due"]), (200, &json!(true)));
        let (s, b) = c.get("/api/v1/hazards").await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (403, Some("second_factor_enrolment_required"))
        );
        let r = c
            .http
            .get(format!("{}/todo", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            "/account/second-factor"
        );
        let (s, page) = c.get_text("/account/second-factor").await;
        assert!(s == 200 && page.contains("enrolment-required"), "{page}");
        // Enrolment: a secret, a wrong first code refused, the right one accepted.
        let (s, en) = c.post("/api/v1/me/second-factor", json!({})).await;
        assert_eq!(s, 200, "{en}");
        assert!(
            en["otpauth_uri"]
                .as_str()
                .unwrap()
                .starts_with("otpauth://totp/")
        );
        let secret = TotpSecret::from_base32(en["secret"].as_str().unwrap()).unwrap();
        let (s, b) = c
            .post("/api/v1/me/second-factor/confirm", json!({"totp": "12345"}))
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (400, Some("totp")));
        let mut phone = Authenticator::new(secret);
        let code = phone.next_step_code().await;
        let (s, r) = c
            .post("/api/v1/me/second-factor/confirm", json!({"totp": code}))
            .await;
        assert_eq!(s, 200, "{r}");
        let recovery: Vec<String> = serde_json::from_value(r["recovery_codes"].clone()).unwrap();
        assert_eq!(recovery.len(), 10);
        assert_eq!(c.get("/api/v1/hazards").await.0, 200, "enrolled: at work");
        // The codes are stored hashed, the secret sealed.
        let stored: Vec<(String,)> = app
            .db
            .read()
            .all(anjian_store::q(
                "SELECT code_hash FROM recovery_codes UNION ALL SELECT COALESCE(totp_secret, '') FROM users",
            ))
            .await
            .unwrap();
        let plain = secret_base32(&phone);
        assert!(stored.iter().all(|(h,)| !recovery.iter().any(|r| h.contains(r.as_str()))
            && !h.contains(&plain)));

        // Login now asks for the code, and opens no session without it.
        let c = app.anon();
        let (s, b) = c
            .post("/api/v1/auth/login", login_body("office", None))
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (401, Some("second_factor_required"))
        );
        assert_eq!(c.get("/api/v1/me").await.0, 401, "no session");
        let (s, b) = c
            .post("/api/v1/auth/login", login_body("office", Some("000000")))
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (401, Some("invalid_second_factor"))
        );
        assert_eq!(c.get("/api/v1/me").await.0, 401, "no session");
        let code = phone.next_code().await;
        let (s, me) = c
            .post("/api/v1/auth/login", login_body("office", Some(&code)))
            .await;
        assert_eq!((s, &me["second_factor"]), (200, &json!(true)));
        // A code is good once.
        let (s, b) = app
            .anon()
            .post("/api/v1/auth/login", login_body("office", Some(&code)))
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (401, Some("invalid_second_factor"))
        );
        // A recovery code stands in for a lost phone, once.
        let (s, _) = app
            .anon()
            .post(
                "/api/v1/auth/login",
                login_body("office", Some(&recovery[0])),
            )
            .await;
        assert_eq!(s, 200);
        let (s, _) = app
            .anon()
            .post(
                "/api/v1/auth/login",
                login_body("office", Some(&recovery[0])),
            )
            .await;
        assert_eq!(s, 401, "a recovery code is good once");
        // "login throttling counts second-factor failures too": the policy's five
        // failures (the spent recovery code above, and four more) lock the account
        // for this address.
        let mut last = 0;
        for _ in 0..4 {
            last = app
                .anon()
                .post("/api/v1/auth/login", login_body("office", Some("999999")))
                .await
                .0;
        }
        assert_eq!(last, 429);
        let code = phone.next_code().await;
        let (s, _) = app
            .anon()
            .post("/api/v1/auth/login", login_body("office", Some(&code)))
            .await;
        assert_eq!(s, 429, "locked even with the right code");
        let logins: Vec<(String,)> = app
            .db
            .read()
            .all(anjian_store::q(
                "SELECT COALESCE(detail, '') FROM audit_log WHERE action = 'auth.login' ORDER BY seq",
            ))
            .await
            .unwrap();
        assert!(logins.iter().any(|(d,)| d.contains("动态验证码")));
        assert!(logins.iter().any(|(d,)| d.contains("恢复码")));
    }
}

fn secret_base32(phone: &Authenticator) -> String {
    phone.secret().base32()
}

/// The login page takes the code in its own field; two logins racing with one code
/// open one session.
#[tokio::test]
async fn the_login_page_asks_for_the_code_and_one_code_opens_one_session() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let _ = app.login("secadmin").await;
        let c = app.anon();
        let (s, html) = c
            .form(
                "/login",
                &[
                    ("username", "secadmin"),
                    ("password", PASSWORD),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(s, 401);
        assert!(html.contains("请输入动态验证码") && html.contains("name=\"totp\""));
        let code = app.code("secadmin").await.unwrap();
        let (s, _) = c
            .form(
                "/login",
                &[
                    ("username", "secadmin"),
                    ("password", PASSWORD),
                    ("totp", &code),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let code = app.code("secadmin").await.unwrap();
        let (a, b) = (app.anon(), app.anon());
        let (ra, rb) = tokio::join!(
            a.post("/api/v1/auth/login", login_body("secadmin", Some(&code))),
            b.post("/api/v1/auth/login", login_body("secadmin", Some(&code))),
        );
        let mut statuses = [ra.0, rb.0];
        statuses.sort();
        assert_eq!(statuses, [200, 401], "{ra:?} {rb:?}");
    }
}

/// Issue 16 part 4: "a step-up for the identity route and for exports of whole
/// ledgers".
#[tokio::test]
async fn whole_ledger_exports_ask_for_the_code_again() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        // The session stepped up at enrolment? No: it must type a code.
        let r = office
            .http
            .get(format!("{}/hazards.xlsx", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(to, "/account/step-up?next=/hazards.xlsx");
        let (s, _) = office
            .form(
                "/account/step-up",
                &[("totp", "000000"), ("next", "/hazards.xlsx")],
            )
            .await;
        assert_eq!(s, 422);
        let code = app.code("office").await.unwrap();
        let r = office
            .http
            .post(format!("{}/account/step-up", app.base))
            .form(&[("totp", code.as_str()), ("next", "/hazards.xlsx")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"].to_str().unwrap(), "/hazards.xlsx");
        for path in [
            "/hazards.xlsx",
            "/enterprises.xlsx",
            "/tips.xlsx",
            "/directory/export.xlsx",
        ] {
            let (s, kind, _) = office.get_bytes(path).await;
            assert!(
                s == 200 && kind.contains("spreadsheet"),
                "{path}: {s} {kind}"
            );
        }
        // Five minutes later it asks again.
        app.advance(6 * 60 * 1000);
        assert_eq!(office.get_bytes("/hazards.xlsx").await.0, 303);
        // A township operator without a second factor exports its own ledger as before.
        assert_eq!(
            app.login("bachuan")
                .await
                .get_bytes("/hazards.xlsx")
                .await
                .0,
            200
        );
    }
}

/// Issue 16 part 4: "Sessions expire after idle time the security administrator sets
/// (default 30 minutes) …; a user sees and ends their other sessions"; "(configurable
/// for other roles)"; and the security administrator's reset for a lost phone.
#[tokio::test]
async fn the_security_administrator_sets_idle_time_and_who_needs_a_second_factor() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let sec = app.login("secadmin").await;
        let policy = |idle: &'static str, operators: bool| {
            let mut f = vec![
                ("min_length", "10"),
                ("min_classes", "3"),
                ("rotation_days", "90"),
                ("token_max_days", "90"),
                ("idle_minutes", idle),
            ];
            if operators {
                f.push(("second_factor_unit_operator", "1"));
            }
            f
        };
        let (s, html) = sec.form("/security/policy", &policy("2", false)).await;
        assert!(s == 422 && html.contains("会话空闲超时"), "{s}");
        assert_eq!(
            sec.form("/security/policy", &policy("10", true)).await.0,
            303
        );
        // The unit operator must now enrol before working.
        let c = app.anon();
        let (s, me) = c
            .post("/api/v1/auth/login", login_body("bachuan", None))
            .await;
        assert_eq!((s, &me["second_factor_due"]), (200, &json!(true)));
        assert_eq!(c.get("/api/v1/hazards").await.0, 403);
        // The leader's role is not ticked.
        let leader = app.login("bachuan_leader").await;
        assert_eq!(leader.get("/api/v1/hazards").await.0, 200);
        // Ten idle minutes end a session.
        app.advance(11 * 60 * 1000);
        assert_eq!(leader.get("/api/v1/me").await.0, 401);

        let sec = app.login("secadmin").await;
        // Sessions: the user sees them and ends the others.
        let (one, two) = (app.login("yjj").await, app.login("yjj").await);
        let (s, list) = one.get("/api/v1/me/sessions").await;
        assert_eq!(s, 200);
        let list = list.as_array().unwrap().clone();
        assert_eq!(list.len(), 2);
        assert_eq!(list.iter().filter(|l| l["current"] == true).count(), 1);
        let other = list.iter().find(|l| l["current"] == false).unwrap();
        let (s, n) = one
            .post("/api/v1/me/sessions/end", json!({"id": other["id"]}))
            .await;
        assert_eq!((s, &n["ended"]), (200, &json!(1)));
        assert_eq!(two.get("/api/v1/me").await.0, 401);
        assert_eq!(one.get("/api/v1/me").await.0, 200);
        let (s, html) = one.get_text("/account").await;
        assert!(s == 200 && html.contains("当前会话"));
        let (s, b) = one
            .post("/api/v1/me/sessions/end", json!({"id": "../../x"}))
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (400, Some("id")));

        // A lost phone: the security administrator resets the office's factor; its
        // sessions end and it enrols again at the next login.
        let office = app.login("office").await;
        let id = app
            .db
            .read()
            .one::<(i64,)>(anjian_store::q(
                "SELECT id FROM users WHERE username = 'office'",
            ))
            .await
            .unwrap()
            .0;
        let (_, page) = sec.get_text(&format!("/users/{id}")).await;
        assert!(page.contains("已启用"), "{page}");
        let (s, _) = sec
            .form(&format!("/users/{id}/second-factor/reset"), &[])
            .await;
        assert_eq!(s, 303);
        assert_eq!(office.get("/api/v1/me").await.0, 401);
        let c = app.anon();
        let (s, me) = c
            .post("/api/v1/auth/login", login_body("office", None))
            .await;
        assert_eq!((s, &me["second_factor_due"]), (200, &json!(true)));
        // Only the security administrator resets.
        let sys = app.login("sysadmin").await;
        assert_eq!(
            sys.form(&format!("/users/{id}/second-factor/reset"), &[])
                .await
                .0,
            403
        );
    }
}
