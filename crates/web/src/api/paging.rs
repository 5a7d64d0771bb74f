//! The answer of a paged list: the rows as JSON and, when the page is full, the next
//! page's address in a `Link: <…>; rel="next"` header.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// `rows` as JSON; when they fill the page (`limit` rows), a `Link` header to the page
/// after the last of them, whose address `next` writes (keeping the list's filters).
pub fn paged<T: Serialize>(rows: Vec<T>, limit: i64, next: impl FnOnce(&T) -> String) -> Response {
    let link = anjian_store::paging::Page::first(limit)
        .next(&rows, next)
        .and_then(|to| HeaderValue::from_str(&format!("<{to}>; rel=\"next\"")).ok());
    let mut resp = Json(rows).into_response();
    if let Some(v) = link {
        resp.headers_mut().insert(header::LINK, v);
    }
    resp
}
