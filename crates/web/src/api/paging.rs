//! The answer of a paged list: the rows as JSON and, when the page is full, the next
//! page's address in a `Link: <…>; rel="next"` header.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// `?after=&limit=`: a page of a list read newest first.
#[derive(Deserialize, IntoParams)]
pub struct PageParams {
    /// The last row of the previous page (its id): the next page follows it.
    pub after: Option<i64>,
    /// Page size, 1–1000 (each list says its default).
    pub limit: Option<i64>,
}

impl PageParams {
    /// The store's page, `default` rows when no size is asked for.
    pub fn page(&self, default: i64) -> anjian_store::paging::Page {
        anjian_store::paging::Page {
            after: self.after,
            limit: self.limit.unwrap_or(default),
        }
    }
}

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
