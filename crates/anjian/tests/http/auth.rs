//! Login, sessions, throttling, CSRF, body limits and bad input.

use serde_json::json;

use crate::harness::{PASSWORD, TestApp, engines};

#[tokio::test]
async fn login_sets_a_safe_cookie_and_me_answers() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.anon();
        assert_eq!(c.get("/healthz").await.0, 200);
        // Ready: the database answers and the file store keeps and returns an object.
        let (s, ready) = c.get("/readyz").await;
        assert_eq!(s, 200, "{ready}");
        assert_eq!(
            (ready["database"].as_str(), ready["storage"].as_str()),
            (Some("ok"), Some("ok"))
        );
        assert_eq!(c.get("/api/v1/me").await.0, 401);
        let r = c
            .http
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "office", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let cookie = r
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(
            !cookie.contains("Secure"),
            "plain HTTP must not set Secure: {cookie}"
        );
        let (s, me) = c.get("/api/v1/me").await;
        assert_eq!(s, 200);
        assert_eq!(me["username"], "office");
        assert_eq!(me["role"], "office_admin");
        assert_eq!(me["unit"]["name"], "区安委办");
        // Behind TLS the cookie is Secure, and a `__Host-` cookie no other host or
        // plain-HTTP page can set; it signs the user in.
        let r = c
            .http
            .post(format!("{}/api/v1/auth/login", app.base))
            .header("x-forwarded-proto", "https")
            .json(&json!({"username": "office", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let secure = r
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(secure.contains("; Secure"), "{secure}");
        assert!(secure.starts_with("__Host-anjian_session="), "{secure}");
        assert!(
            secure.contains("Path=/") && !secure.contains("Domain"),
            "{secure}"
        );
        let pair = secure.split(';').next().unwrap().to_string();
        let me = app
            .anon()
            .http
            .get(format!("{}/api/v1/me", app.base))
            .header("cookie", pair)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
    }
}

#[tokio::test]
async fn bad_credentials_are_401_in_chinese_and_audited() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.anon();
        let (s, body) = c
            .post(
                "/api/v1/auth/login",
                json!({"username": "office", "password": "wrong-password"}),
            )
            .await;
        assert_eq!(s, 401);
        assert_eq!(body["error"]["code"], "bad_credentials");
        assert_eq!(body["error"]["message"], "用户名或密码错误");
        let (s, _) = c
            .post(
                "/api/v1/auth/login",
                json!({"username": "nobody", "password": "x"}),
            )
            .await;
        assert_eq!(s, 401);
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'auth.login_failed'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 2);
    }
}

#[tokio::test]
async fn repeated_failures_lock_the_pair_for_a_while_only() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.anon();
        for i in 0..5 {
            let (s, _) = c
                .post(
                    "/api/v1/auth/login",
                    json!({"username": "bachuan", "password": "wrong"}),
                )
                .await;
            assert_eq!(s, if i < 4 { 401 } else { 429 }, "attempt {i}");
        }
        // Even the right password is refused while locked, with a Chinese message.
        let (s, body) = c
            .post(
                "/api/v1/auth/login",
                json!({"username": "bachuan", "password": PASSWORD}),
            )
            .await;
        assert_eq!(s, 429);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("分钟后再试")
        );
        // Failures during the lock do not extend it: after 15 minutes it is over.
        app.advance(15 * 60 * 1000 + 1);
        let (s, _) = c
            .post(
                "/api/v1/auth/login",
                json!({"username": "bachuan", "password": PASSWORD}),
            )
            .await;
        assert_eq!(s, 200);
    }
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.login("bachuan").await;
        let r = c
            .http
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "bachuan", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let token = r
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(c.post("/api/v1/auth/logout", json!({})).await.0, 204);
        // The old cookie no longer works, even replayed by hand.
        let replay = app
            .anon()
            .http
            .get(format!("{}/api/v1/me", app.base))
            .header("cookie", token)
            .send()
            .await
            .unwrap();
        assert_eq!(replay.status(), 401);
    }
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_sessions() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.login("yjj").await;
        app.advance(29 * 60 * 1000);
        assert_eq!(
            c.get("/api/v1/me").await.0,
            200,
            "activity within the idle window"
        );
        app.advance(29 * 60 * 1000);
        assert_eq!(
            c.get("/api/v1/me").await.0,
            200,
            "the previous request refreshed the idle clock"
        );
        app.advance(31 * 60 * 1000);
        assert_eq!(c.get("/api/v1/me").await.0, 401, "idle for 31 minutes");
        let c = app.login("yjj").await;
        for _ in 0..30 {
            app.advance(25 * 60 * 1000);
            let _ = c.get("/api/v1/me").await;
        }
        assert_eq!(
            c.get("/api/v1/me").await.0,
            401,
            "12 hours after login even when active"
        );
    }
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.login("office").await;
        let r = c
            .http
            .post(format!("{}/api/v1/units", app.base))
            .header("origin", "http://evil.example")
            .header("sec-fetch-site", "cross-site")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = c
            .http
            .post(format!("{}/logout", app.base))
            .header("origin", "http://evil.example")
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(
            c.get("/api/v1/me").await.0,
            200,
            "the forged logout did nothing"
        );
    }
}

#[tokio::test]
async fn bad_bodies_get_4xx_json_never_500() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.login("office").await;
        let r = c
            .http
            .post(format!("{}/api/v1/units", app.base))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "json_syntax");
        let (s, v) = c.post("/api/v1/units", json!({"code": "x"})).await;
        assert_eq!(s, 422);
        assert!(v["error"]["message"].as_str().unwrap().contains("字段"));
        let big = "x".repeat(11 * 1024 * 1024);
        let r = c
            .http
            .post(format!("{}/api/v1/units", app.base))
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413);
        assert_eq!(c.get("/api/v1/units/not-a-number").await.0, 404);
        assert_eq!(c.get("/api/v1/nothing-here").await.0, 404);
        let (s, v) = c.get("/api/v1/units?kind=bureau").await;
        assert_eq!(s, 422);
        assert_eq!(v["error"]["field"], "kind");
    }
}

#[tokio::test]
async fn openapi_describes_the_pinned_routes() {
    let app = TestApp::new(engines()[0]).await;
    let (s, doc) = app.anon().get("/api/v1/openapi.json").await;
    assert_eq!(s, 200);
    for p in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/units/{id}",
        "/api/v1/users",
    ] {
        assert!(doc["paths"][p].is_object(), "missing {p}");
    }
}

/// Issue 16 part 15: "Unique operationIds, every path parameter declared with its
/// type, request bodies and responses with their schemas; a test validates the
/// document". Every API route of the router is described, every reference resolves.
#[tokio::test]
async fn openapi_is_valid_for_generators() {
    let app = TestApp::new(engines()[0]).await;
    let (s, doc) = app.anon().get("/api/v1/openapi.json").await;
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut ids = std::collections::HashSet::new();
    let mut problems = Vec::new();
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        let names: Vec<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for m in ["get", "post", "put", "delete", "patch"] {
            let op = &item[m];
            if op.is_null() {
                continue;
            }
            match op["operationId"].as_str() {
                Some(id) if ids.insert(id.to_string()) => {}
                other => problems.push(format!("{m} {path}: operationId {other:?}")),
            }
            for name in &names {
                let ok = op["parameters"].as_array().is_some_and(|ps| {
                    ps.iter().any(|p| {
                        p["in"] == "path"
                            && p["name"] == *name
                            && p["required"] == true
                            && p["schema"]["type"].is_string()
                    })
                });
                if !ok {
                    problems.push(format!("{m} {path}: path parameter {name}"));
                }
            }
            if op["responses"].as_object().is_none_or(|r| r.is_empty()) {
                problems.push(format!("{m} {path}: no responses"));
            }
            // A JSON request body names its fields (a schema of the document, or an
            // array of one), never a bare "object" a generator cannot fill.
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            if !body.is_null() && !named(body) {
                problems.push(format!("{m} {path}: request body {body}"));
            }
        }
    }
    // Every `$ref` names a schema of the document.
    fn named(s: &serde_json::Value) -> bool {
        s.get("$ref").is_some()
            || s.get("properties").is_some()
            || s.get("items").is_some_and(named)
            || s.get("allOf").is_some()
    }
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => {
                if let Some(r) = o.get("$ref").and_then(|r| r.as_str()) {
                    out.push(r.to_string());
                }
                o.values().for_each(|v| refs(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        let name = r.trim_start_matches("#/components/schemas/");
        if doc["components"]["schemas"][name].is_null() {
            problems.push(format!("dangling {r}"));
        }
    }
    // Every API route of the router is in the document with its methods.
    for (path, methods) in crate::matrix::routes() {
        if !path.starts_with("/api/v1/") || path == "/api/v1/openapi.json" {
            continue;
        }
        for m in methods {
            if paths
                .get(&path)
                .is_none_or(|i| i[m.to_lowercase()].is_null())
            {
                problems.push(format!("undocumented {m} {path}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn password_policy_applies_to_new_passwords() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let sys = app.login("sysadmin").await;
        let unit = app.unit_id("安居镇").await;
        let (s, v) = sys.post("/api/v1/users", json!({"username": "anju2", "display_name": "安居镇新操作员", "unit": unit, "role": "unit_operator", "password": "short"})).await;
        assert_eq!(s, 422);
        assert_eq!(v["error"]["field"], "password");
        let (s, v) = sys.post("/api/v1/users", json!({"username": "anju2", "display_name": "安居镇新操作员", "unit": unit, "role": "unit_operator", "password": "Anju#2022new"})).await;
        assert_eq!(s, 201, "{v}");
        // A new account must choose its own password at first login (pages redirect).
        let c = app.anon();
        let (s, me) = c
            .post(
                "/api/v1/auth/login",
                json!({"username": "anju2", "password": "Anju#2022new"}),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(me["must_change_password"], true);
        let r = c.http.get(format!("{}/", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/account/password");
    }
}

#[tokio::test]
async fn the_login_page_form_works_and_reports_errors_in_chinese() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.anon();
        let (s, page) = c.get_text("/units").await;
        assert_eq!(s, 303, "{page}");
        let (s, page) = c
            .form(
                "/login",
                &[
                    ("username", "office"),
                    ("password", "nope"),
                    ("next", "/units"),
                ],
            )
            .await;
        assert_eq!(s, 401, "engine {:?}", app.engine);
        assert!(page.contains("用户名或密码错误"));
        // The office signs in with its second factor (enrolled by its first login).
        let _ = app.login("office").await;
        let code = app.code("office").await.unwrap();
        let (s, _) = c
            .form(
                "/login",
                &[
                    ("username", "office"),
                    ("password", PASSWORD),
                    ("totp", code.as_str()),
                    ("next", "/units"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (s, page) = c.get_text("/units").await;
        assert_eq!(s, 200);
        assert!(page.contains("区安委会"));
        // A page form with a bad field re-renders with the field named.
        let (s, page) = c
            .form(
                "/units",
                &[
                    ("code", "坏编码"),
                    ("name", "某企业"),
                    ("kind", "enterprise"),
                    ("parent_code", "tl-town-001"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("单位编码只能由字母"), "{page}");
    }
}

#[tokio::test]
async fn api_tokens_authenticate_scripts_until_revoked() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.login("yjj").await;
        let (s, t) = c
            .post(
                "/api/v1/tokens",
                json!({"name": "数据对接脚本", "days": 30}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        let token = t["token"].as_str().unwrap().to_string();
        let script = reqwest::Client::new();
        let me: serde_json::Value = script
            .get(format!("{}/api/v1/me", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["username"], "yjj");
        let r = script
            .get(format!("{}/api/v1/me", app.base))
            .bearer_auth("ajt_0000")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let (s, _) = c
            .form(&format!("/account/tokens/{}/revoke", t["id"]), &[])
            .await;
        assert_eq!(s, 303);
        let r = script
            .get(format!("{}/api/v1/me", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let (s, v) = c.post("/api/v1/tokens", json!({"name": "  "})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("name")));
    }
}

#[tokio::test]
async fn a_reset_password_must_be_changed_before_anything_else() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let sys = app.login("sysadmin").await;
        let (_, list) = sys.get("/api/v1/users").await;
        let id = list
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "jtj")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            sys.post(
                &format!("/api/v1/users/{id}/password"),
                json!({"password": "Temp#2022pass"})
            )
            .await
            .0,
            200
        );
        let c = app.anon();
        let (s, _) = c
            .form(
                "/login",
                &[("username", "jtj"), ("password", "Temp#2022pass")],
            )
            .await;
        assert_eq!(s, 303);
        let r = c
            .http
            .get(format!("{}/units", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], "/account/password");
        // A second session of the same account (another browser).
        let other = app.anon();
        let (s, _) = other
            .form(
                "/login",
                &[("username", "jtj"), ("password", "Temp#2022pass")],
            )
            .await;
        assert_eq!(s, 303);
        let (s, page) = c
            .form(
                "/account/password",
                &[
                    ("current", "Temp#2022pass"),
                    ("password", "Temp#2022pass"),
                    ("confirm", "Temp#2022pass"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("新密码不能与当前密码相同"));
        let (s, page) = c
            .form(
                "/account/password",
                &[
                    ("current", "Temp#2022pass"),
                    ("password", "Jiaotong#2022x"),
                    ("confirm", "Jiaotong#2022y"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("两次输入"));
        let (s, _) = c
            .form(
                "/account/password",
                &[
                    ("current", "Temp#2022pass"),
                    ("password", "Jiaotong#2022x"),
                    ("confirm", "Jiaotong#2022x"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        assert_eq!(c.get_text("/units").await.0, 200);
        // The change ends every other session; the one that made it goes on.
        assert_eq!(other.get("/api/v1/me").await.0, 401);
        // Rotation: after the policy's 90 days the user is sent to the password page again.
        app.advance(91 * 86_400_000);
        let c = app.anon();
        assert_eq!(
            c.form(
                "/login",
                &[("username", "jtj"), ("password", "Jiaotong#2022x")]
            )
            .await
            .0,
            303
        );
        let r = c.http.get(format!("{}/", app.base)).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/account/password");
    }
}

/// 等保 asks that credentials expire: the security administrator sets the longest an API
/// token may live; a token asked for longer gets that long, and tokens already issued
/// for longer are shortened to it.
#[tokio::test]
async fn api_tokens_live_at_most_as_long_as_the_policy_allows() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = app.login("yjj").await;
        let (s, early) = c
            .post("/api/v1/tokens", json!({"name": "早先的脚本", "days": 30}))
            .await;
        assert_eq!(s, 201, "{early}");
        let sec = app.login("secadmin").await;
        let (s, page) = sec
            .form(
                "/security/policy",
                &[
                    ("min_length", "10"),
                    ("min_classes", "3"),
                    ("rotation_days", "90"),
                    ("token_max_days", "0"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("API令牌最长有效期"), "{page}");
        let (s, _) = sec
            .form(
                "/security/policy",
                &[
                    ("min_length", "10"),
                    ("min_classes", "3"),
                    ("rotation_days", "90"),
                    ("token_max_days", "7"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (s, later) = c
            .post("/api/v1/tokens", json!({"name": "新脚本", "days": 30}))
            .await;
        assert_eq!(s, 201, "{later}");
        let script = reqwest::Client::new();
        let status = |token: String| {
            let script = script.clone();
            let url = format!("{}/api/v1/me", app.base);
            async move {
                script
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        let tokens = [early, later].map(|t| t["token"].as_str().unwrap().to_string());
        for t in &tokens {
            assert_eq!(status(t.clone()).await, 200);
        }
        app.advance(8 * 86_400_000);
        for t in &tokens {
            assert_eq!(status(t.clone()).await, 401, "a token past 7 days");
        }
    }
}

/// 等保 level 3 (GB/T 22239-2019, 8.1.4.1 身份鉴别): "应具有登录失败处理功能，应配置并启用结束会话、
/// 限制非法登录次数和当登录连接超时自动退出等相关措施" and passwords "定期更换". The security
/// administrator sets the lockout, the warning before expiry and how many old passwords
/// may not come back; each takes effect as set.
#[tokio::test]
async fn the_security_administrator_sets_lockout_expiry_warning_and_reuse() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let sec = app.login("secadmin").await;
        let policy = |lock_failures: &'static str| {
            [
                ("min_length", "10"),
                ("min_classes", "3"),
                ("rotation_days", "90"),
                ("token_max_days", "90"),
                ("warn_days", "10"),
                ("history", "2"),
                ("lock_failures", lock_failures),
                ("lock_minutes", "30"),
            ]
        };
        let (s, page) = sec.form("/security/policy", &policy("2")).await;
        assert_eq!(s, 422);
        assert!(
            page.contains("锁定前允许的失败次数应为3到20之间的整数"),
            "{page}"
        );
        let (s, _) = sec.form("/security/policy", &policy("3")).await;
        assert_eq!(s, 303);
        let (_, page) = sec.get_text("/security/policy").await;
        assert!(
            page.contains(r#"name="lock_minutes" type="number" min="1" max="1440" value="30""#),
            "{page}"
        );

        // Three failures lock the pair, for 30 minutes, not 15.
        let c = app.anon();
        for i in 0..3 {
            let (s, _) = c
                .post(
                    "/api/v1/auth/login",
                    json!({"username": "bachuan", "password": "wrong"}),
                )
                .await;
            assert_eq!(s, if i < 2 { 401 } else { 429 }, "attempt {i}");
        }
        app.advance(16 * 60 * 1000);
        let right = json!({"username": "bachuan", "password": PASSWORD});
        assert_eq!(c.post("/api/v1/auth/login", right.clone()).await.0, 429);
        app.advance(15 * 60 * 1000);
        let (s, me) = c.post("/api/v1/auth/login", right.clone()).await;
        assert_eq!(s, 200, "{me}");
        assert!(me.get("password_expires_in_days").is_none(), "{me}");

        // No reuse of the last two: A → B → C, then A and B are refused, a new one is not.
        let change =
            |current: &str, password: &str| json!({"current": current, "password": password});
        let (s, v) = c
            .post("/api/v1/me/password", change(PASSWORD, "Tongliang#2023b"))
            .await;
        assert_eq!(s, 204, "{v}");
        let (s, v) = c
            .post(
                "/api/v1/me/password",
                change("Tongliang#2023b", "Tongliang#2023c"),
            )
            .await;
        assert_eq!(s, 204, "{v}");
        for old in [PASSWORD, "Tongliang#2023b"] {
            let (s, v) = c
                .post("/api/v1/me/password", change("Tongliang#2023c", old))
                .await;
            assert_eq!(s, 400, "{v}");
            assert_eq!(v["error"]["code"], "password_reused", "{v}");
            assert_eq!(v["error"]["field"], "password", "{v}");
        }
        let (s, v) = c
            .post(
                "/api/v1/me/password",
                change("Tongliang#2023c", "Tongliang#2023d"),
            )
            .await;
        assert_eq!(s, 204, "{v}");

        // Ten days before the 90 are up, the user is warned, on the API and the home page.
        app.advance(81 * 86_400_000);
        let c = app.anon();
        let (s, me) = c
            .post(
                "/api/v1/auth/login",
                json!({"username": "bachuan", "password": "Tongliang#2023d"}),
            )
            .await;
        assert_eq!(s, 200, "{me}");
        assert_eq!(me["password_expires_in_days"], 9, "{me}");
        let (s, me) = c.get("/api/v1/me").await;
        assert_eq!(s, 200);
        assert_eq!(me["password_expires_in_days"], 9, "{me}");
        let (s, home) = c.get_text("/").await;
        assert_eq!(s, 200);
        assert!(home.contains("您的密码将在9天后过期"), "{home}");
    }
}
