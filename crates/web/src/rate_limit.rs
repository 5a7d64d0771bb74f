//! Per-client request limits for the login and the public routes, counted in the
//! database ([`anjian_store::rate_limits`]) so that they hold across every server
//! process behind a load balancer. A request over the limit answers 429 with the
//! route's Chinese message; if the count cannot be taken (the database is away), the
//! request goes on (the route itself then answers for the database).

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::{ApiError, Problem};

/// One limit: its name in the counts, requests per minute and client, the refusal.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub bucket: &'static str,
    pub per_minute: u32,
    pub message: &'static str,
}

/// The wall clock in epoch ms: limits count real requests, whatever the business
/// clock (the demo's or a test's) says.
pub fn wall_ms() -> i64 {
    anjian_core::time::Clock::now_ms(&anjian_core::time::SystemClock)
}

/// The middleware: counts the request against `limit` for its client address (as the
/// trusted proxies let it be read) and refuses it when over.
pub async fn enforce(
    State((state, limit)): State<(AppState, Limit)>,
    req: Request,
    next: Next,
) -> Response {
    let client = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| {
            state
                .config
                .trusted_proxies
                .client(c.0.ip(), req.headers())
                .to_string()
        })
        .unwrap_or_else(|| "unknown".to_string());
    match anjian_store::rate_limits::allow(
        &state.db,
        limit.bucket,
        &client,
        limit.per_minute,
        wall_ms(),
    )
    .await
    {
        Ok(true) => next.run(req).await,
        Ok(false) => ApiError(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            limit.message,
        ))
        .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, bucket = limit.bucket, "rate count unavailable; request let through");
            next.run(req).await
        }
    }
}
