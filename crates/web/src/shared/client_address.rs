//! The client's address as the rate limits and the audit chain see it (behind trusted
//! proxies, from `X-Forwarded-For`), for the API's login and the login page.

use crate::AppState;
use axum::http::HeaderMap;
use std::net::SocketAddr;

/// The client's address for throttling and the audit chain (`client::TrustedProxies`).
pub(crate) fn client(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> String {
    state
        .config
        .trusted_proxies
        .client(peer.ip(), headers)
        .to_string()
}
