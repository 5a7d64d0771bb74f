//! An occurrence of a daily duty (item (14)) to log, from the API's body or the page's form.

use serde::Deserialize;
use utoipa::ToSchema;

/// An occurrence of a daily duty to log.
#[derive(Deserialize, ToSchema)]
pub struct NewDailyEntry {
    /// The caller's unit's assignment to the daily work item (from `GET /api/v1/daily`).
    #[serde(default)]
    pub assignment: i64,
    /// YYYY-MM-DD, not in the future.
    #[serde(default)]
    pub on: String,
    /// `media` (主流媒体发布) or `broadcast` (应急广播).
    #[serde(default)]
    pub channel: String,
    /// The outlet.
    #[serde(default)]
    pub outlet: String,
    #[serde(default)]
    pub title: String,
    /// http(s) address; required for `media`.
    #[serde(default)]
    pub link: String,
}
