//! `GET /metrics` in the Prometheus text format: requests and their latency by route
//! template (`/hazards/{id}`, never an id or a receipt code), the database pool's use,
//! the outbox's backlog and the background jobs' last run. Open only to the addresses
//! `ANJIAN_METRICS_ALLOW` lists (default: loopback); anyone else gets 404.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

/// Latency buckets (seconds) for the request histogram.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The process's recorder, installed on first use (one per process, shared by every
/// server state in it).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("anjian_http_request_duration_seconds".into()),
                &BUCKETS,
            )
            .expect("non-empty buckets");
        match builder.install_recorder() {
            Ok(h) => h,
            // Another recorder is installed: keep an unattached one (empty figures)
            // rather than fail the server.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    })
}

/// Counts the request and times it, under its route template and status class.
pub async fn record(req: Request, next: Next) -> Response {
    let _ = handle();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = format!("{}xx", response.status().as_u16() / 100);
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("anjian_http_requests_total", &labels).increment(1);
    metrics::histogram!("anjian_http_request_duration_seconds", &labels[..2])
        .record(started.elapsed().as_secs_f64());
    response
}

/// Marks a background job's run (`job`: reminders, dispatcher) for the lag gauge.
pub fn job_ran(job: &'static str, now_ms: i64) {
    let _ = handle();
    metrics::gauge!("anjian_job_last_run_timestamp_seconds", "job" => job)
        .set(now_ms as f64 / 1000.0);
}

/// GET /metrics.
pub async fn scrape(State(state): State<AppState>, req: Request) -> Response {
    let allowed = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| state.config.trusted_proxies.client(c.0.ip(), req.headers()))
        .is_some_and(|ip| state.config.metrics_allow.contains(ip));
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (open, idle) = state.db.pool_use();
    metrics::gauge!("anjian_db_pool_connections", "state" => "open").set(f64::from(open));
    metrics::gauge!("anjian_db_pool_connections", "state" => "idle").set(idle as f64);
    if let Ok((pending, oldest)) = anjian_store::outbox::backlog(&state.db).await {
        metrics::gauge!("anjian_outbox_pending").set(pending as f64);
        let lag = oldest.map_or(0.0, |t| ((state.now() - t).max(0)) as f64 / 1000.0);
        metrics::gauge!("anjian_outbox_lag_seconds").set(lag);
    }
    let mut r = handle().render().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}
