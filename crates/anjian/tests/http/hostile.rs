//! Hostile and malformed input: every answer is a 4xx with a Chinese message (or a
//! normal page), never a 500, on both engines.

use serde_json::json;

use crate::harness::{TestApp, engines};

const NASTY: &[&str] = &[
    "%00",
    "a%00b",
    "%E2%80%AE",
    "'%20OR%201=1--",
    "%25%25%25",
    "%F0%9F%92%A3",
    "..%2F..%2Fetc",
    "9223372036854775808",
    "-1",
    "",
];

#[tokio::test]
async fn nothing_a_user_types_causes_a_500() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let auditor = app.login("auditor").await;
        for v in NASTY {
            for path in [
                format!("/api/v1/units?q={v}"),
                format!("/api/v1/units?after={v}"),
                format!("/api/v1/units?kind={v}"),
                format!("/api/v1/units/{v}"),
                format!("/api/v1/users?after={v}"),
                format!("/api/v1/groups/{v}/members"),
                format!("/units?q={v}"),
                format!("/units?parent={v}"),
                format!("/units/new?parent={v}"),
                format!("/groups/{v}"),
                format!("/users/{v}"),
            ] {
                let (s, _) = office.get_text(&path).await;
                assert!(s < 500, "{path} answered {s} on {e:?}");
            }
            for path in [
                format!("/api/v1/audit?actor={v}&action={v}&outcome={v}"),
                format!("/audit?actor={v}&before={v}"),
            ] {
                let (s, _) = auditor.get_text(&path).await;
                assert!(s < 500, "{path} answered {s} on {e:?}");
            }
        }
        let weird = [
            "\u{0}",
            "a\u{0}b",
            "\u{202e}x",
            "' OR 1=1 --",
            "💣",
            &"长".repeat(5000),
        ];
        for w in weird {
            for (path, body) in [
                ("/api/v1/auth/login", json!({"username": w, "password": w})),
                (
                    "/api/v1/units",
                    json!({"code": w, "name": w, "kind": w, "parent": 1, "aliases": [w], "sectors": [w]}),
                ),
                ("/api/v1/tokens", json!({"name": w})),
            ] {
                let (s, v) = office.post(path, body).await;
                assert!(s < 500, "{path} with {w:?} answered {s}: {v}");
                // A token may be named anything printable; the others refuse these.
                if path != "/api/v1/tokens" || w.contains('\u{0}') || w.contains('\u{202e}') {
                    assert!(
                        (400..500).contains(&s),
                        "{path} with {w:?} answered {s}: {v}"
                    );
                    assert!(v["error"]["message"].is_string());
                }
            }
            let (s, _) = office
                .form(
                    "/units",
                    &[
                        ("code", w),
                        ("name", w),
                        ("kind", "enterprise"),
                        ("parent_code", w),
                    ],
                )
                .await;
            assert!((400..500).contains(&s), "page form answered {s}");
            let (s, _) = office
                .form("/login", &[("username", w), ("password", w)])
                .await;
            assert!((400..500).contains(&s), "login form answered {s}");
        }
        let (s, v) = office.get("/api/v1/units?after=abc").await;
        assert_eq!((s, v["error"]["code"].as_str()), (400, Some("bad_query")));
        // The office's session still works after all that.
        assert_eq!(office.get("/api/v1/me").await.0, 200);
    }
}

#[tokio::test]
async fn login_requests_are_rate_limited_per_address() {
    let config = anjian_web::WebConfig {
        login_per_minute: 3,
        ..Default::default()
    };
    let app = TestApp::with_config(engines()[0], config).await;
    let c = app.anon();
    for _ in 0..3 {
        assert_eq!(
            c.post(
                "/api/v1/auth/login",
                json!({"username": "nobody1", "password": "x"})
            )
            .await
            .0,
            401
        );
    }
    let (s, v) = c
        .post(
            "/api/v1/auth/login",
            json!({"username": "nobody2", "password": "x"}),
        )
        .await;
    assert_eq!(s, 429);
    assert_eq!(v["error"]["code"], "rate_limited");
    // Other routes are not limited.
    assert_eq!(c.get("/healthz").await.0, 200);
}

/// An import route: who posts, where, with which other form fields.
type Upload<'a> = (
    &'a crate::harness::Client,
    &'a str,
    &'a [(&'a str, &'a str)],
);

/// An 8 kB workbook with one cell at XFD1048576 (the last column of the last row).
fn far_cell_sheet() -> Vec<u8> {
    let mut b = rust_xlsxwriter::Workbook::new();
    let s = b.add_worksheet();
    s.write_string(0, 0, "序号").unwrap();
    s.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = b.save_to_buffer().unwrap();
    assert!(bytes.len() < 8 * 1024);
    bytes
}

/// The crafted sheet that made the process abort on a 550 GB allocation is answered
/// 422 with a message on every import route, and the server keeps serving.
#[tokio::test]
async fn a_sheet_with_a_far_cell_is_refused_on_every_import_route() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        let huagong = app.login("huagong").await;
        let roster = format!(
            "/enterprises/{}/workers/import",
            app.unit_id("重庆铜梁某化工有限公司").await
        );
        let routes: [Upload<'_>; 5] = [
            (&bachuan, "/hazards/import", &[]),
            (&huagong, roster.as_str(), &[]),
            (&bachuan, "/enterprises/import", &[]),
            (&office, "/directory/import", &[]),
            (
                &office,
                "/plans/import",
                &[
                    ("title", "某计划"),
                    ("year", "2022"),
                    ("ends_on", "2022-10-22"),
                ],
            ),
        ];
        for (client, path, fields) in routes {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in fields {
                form = form.text(k.to_string(), v.to_string());
            }
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(far_cell_sheet()).file_name("台账.xlsx"),
            );
            let r = client
                .http
                .post(format!("{}{path}", client.base))
                .multipart(form)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert_eq!(status, 422, "{path}: {body}");
            assert!(body.contains("列"), "{path}: {body}");
        }
        assert_eq!(office.get("/api/v1/me").await.0, 200);
    }
}

/// A local reverse proxy playing the TLS terminator: it forwards every request to the
/// app, appending its client's address to `X-Forwarded-For`, as nginx does.
async fn start_proxy(upstream: String) -> String {
    use axum::extract::{ConnectInfo, Request};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let http = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 1]))
        .build()
        .unwrap();
    let forward = move |ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>, req: Request| {
        let (http, upstream) = (http.clone(), upstream.clone());
        async move {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let mut out = http
                .request(parts.method, format!("{upstream}{}", parts.uri))
                .body(bytes);
            for (k, v) in &parts.headers {
                if k != "host" {
                    out = out.header(k, v);
                }
            }
            let r = out
                .header("x-forwarded-for", peer.ip().to_string())
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body = r.bytes().await.unwrap();
            (axum::http::StatusCode::from_u16(status).unwrap(), body)
        }
    };
    tokio::spawn(async move {
        axum::serve(
            listener,
            axum::Router::new()
                .fallback(forward)
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

/// Behind the proxy named in `ANJIAN_TRUSTED_PROXIES`, two members of the public (from
/// 127.0.0.2 and 127.0.0.3) have a login budget each; without the setting they would
/// share the proxy's.
#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_limited_separately() {
    let config = anjian_web::WebConfig {
        login_per_minute: 2,
        trusted_proxies: std::sync::Arc::new(
            anjian_web::client::TrustedProxies::parse("127.0.0.1").unwrap(),
        ),
        ..Default::default()
    };
    let app = TestApp::with_config(engines()[0], config).await;
    let proxy = start_proxy(app.base.clone()).await;
    let from = |last: u8| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from([127, 0, 0, last]))
            .build()
            .unwrap()
    };
    let login = |c: reqwest::Client| {
        let url = format!("{proxy}/api/v1/auth/login");
        async move {
            c.post(url)
                .json(&json!({"username": "nobody", "password": "x"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let (a, b) = (from(2), from(3));
    assert_eq!(login(a.clone()).await, 401);
    assert_eq!(login(a.clone()).await, 401);
    assert_eq!(
        login(a.clone()).await,
        429,
        "the first client's budget is spent"
    );
    assert_eq!(login(b.clone()).await, 401, "the second client has its own");
    // A client cannot escape its budget by writing the header itself.
    let spoofed = a
        .post(format!("{proxy}/api/v1/auth/login"))
        .header("x-forwarded-for", "198.51.100.7")
        .json(&json!({"username": "nobody", "password": "x"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(spoofed, 429);
}
