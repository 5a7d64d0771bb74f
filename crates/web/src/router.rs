//! The whole HTTP application: pages, API, static files and the layers around them
//! (body limit, CSRF, login rate limit, panic guard, tracing).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::{ApiError, PageError, Problem};
use crate::{AppState, api, pages};

/// Builds the application. Serve it with `into_make_service_with_connect_info::<SocketAddr>()`:
/// throttling and the audit chain read the peer address.
pub fn router(state: AppState) -> Router {
    let login = Router::new()
        .route("/login", post(pages::session::login))
        .route("/api/v1/auth/login", post(api::auth::login));
    let login = rate_limited(
        login,
        &state,
        "login",
        state.config.login_per_minute,
        "登录请求过于频繁，请稍后再试",
    );
    let public = public_routes(&state);
    let max = state.config.max_body_bytes;
    // Behind TLS (secure cookies on), browsers are told to use nothing else for a year.
    let hsts = state
        .config
        .secure_cookies
        .then(|| HeaderValue::from_static("max-age=31536000"));
    Router::new()
        .merge(pages::routes())
        .merge(api::routes())
        .merge(login)
        .merge(public)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::scrape))
        .route("/static/style.css", get(|| async { asset("text/css; charset=utf-8", include_str!("../static/style.css")) }))
        .route("/static/app.js", get(|| async { asset("text/javascript; charset=utf-8", include_str!("../static/app.js")) }))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::typed::keep))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::refusals::record))
        .route_layer(axum::middleware::from_fn(crate::metrics::record))
        .with_state(state)
        .layer(DefaultBodyLimit::max(max))
        .layer(RequestBodyLimitLayer::new(max))
        .layer(CsrfLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, hsts))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(CatchPanicLayer::custom(|_| panic_response()))
        .layer(TraceLayer::new_for_http().make_span_with(redacted_span))
}

/// `routes` limited to `per_minute` requests per client address and minute, counted in
/// the database so that the limit holds across processes (0: no limit), answering 429
/// with `message`.
fn rate_limited(
    routes: Router<AppState>,
    state: &AppState,
    bucket: &'static str,
    per_minute: u32,
    message: &'static str,
) -> Router<AppState> {
    if per_minute == 0 {
        return routes;
    }
    let limit = crate::rate_limit::Limit {
        bucket,
        per_minute,
        message,
    };
    routes.layer(axum::middleware::from_fn_with_state(
        (state.clone(), limit),
        crate::rate_limit::enforce,
    ))
}

/// The request's span, without the path of the public tip routes (a receipt code is a
/// secret) and, as for every route, without headers or the peer's address.
fn redacted_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = req.uri().path();
    let path = if path.starts_with("/api/v1/public") || path.starts_with("/tip") {
        "/[public]"
    } else {
        path
    };
    tracing::debug_span!("request", method = %req.method(), path = %path)
}

/// The public routes (no login): the tip form and the receipt. Their responses are not
/// cached, send no referrer and allow no script; submissions are limited per client
/// address (shared by every process) without a third-party captcha.
fn public_routes(state: &AppState) -> Router<AppState> {
    let public = Router::new()
        .route("/api/v1/public/tips", post(api::tips::submit))
        .route("/api/v1/public/tips/{receipt}", get(api::tips::status))
        .route("/tip", get(pages::tip::form).post(pages::tip::submit))
        .route(
            "/tip/status",
            get(pages::tip::status_form).post(pages::tip::status),
        )
        .route("/tip/{file}", get(pages::tip::qr));
    let public = rate_limited(
        public,
        state,
        "public",
        state.config.public_per_minute,
        "提交过于频繁，请稍后再试",
    );
    public
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match state
        .db
        .read()
        .one::<(i64,)>(anjian_store::q("SELECT CAST(1 AS BIGINT)"))
        .await
    {
        Ok(_) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok"})),
        )
            .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "database_unavailable"})),
        )
            .into_response(),
    }
}

/// GET /readyz: ready to serve — the database answers and the file store takes and
/// gives back an object; 503 naming what is not reachable (a load balancer's readiness
/// probe; `/healthz` says only that the process lives and reaches the database).
async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let database = state
        .db
        .read()
        .one::<(i64,)>(anjian_store::q("SELECT CAST(1 AS BIGINT)"))
        .await
        .is_ok();
    let storage = state.files.ready().await;
    let status = if database && storage {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        axum::Json(serde_json::json!({
            "status": if database && storage { "ready" } else { "unavailable" },
            "database": if database { "ok" } else { "unreachable" },
            "storage": if storage { "ok" } else { "unreachable" },
        })),
    )
        .into_response()
}

async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError(Problem::not_found()).into_response()
    } else {
        PageError(Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "您要找的页面不存在",
        ))
        .into_response()
    }
}

fn panic_response() -> Response {
    PageError(Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "服务器内部错误，请稍后重试",
    ))
    .into_response()
}

#[cfg(test)]
mod csp_tests {
    /// The Content-Security-Policy above allows scripts and styles only from the app's
    /// own files: an inline handler (`onclick=`) or a `style=` attribute in a template
    /// would silently do nothing in the browser (the bulletin's print button did).
    #[test]
    fn templates_carry_no_inline_script_or_style() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for bad in [
                " onclick=",
                " onchange=",
                " onsubmit=",
                " onload=",
                " style=\"",
                "<script>",
                "<style>",
            ] {
                assert!(
                    !text.contains(bad),
                    "{} holds {bad:?}, which the CSP blocks",
                    path.display()
                );
            }
            checked += 1;
        }
        assert!(checked > 20, "templates read: {checked}");
    }
}
