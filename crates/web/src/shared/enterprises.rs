//! The enterprise register's filters, read by the API's list and the register page.

use serde::Deserialize;
use utoipa::IntoParams;

/// `?township=&sector=&listed=&after=&limit=`.
#[derive(Deserialize, IntoParams, Default)]
pub struct EnterpriseQuery {
    pub township: Option<i64>,
    pub sector: Option<String>,
    pub listed: Option<bool>,
    /// The last id of the previous page.
    pub after: Option<i64>,
    /// At most 1,000 (default 200).
    pub limit: Option<i64>,
}
