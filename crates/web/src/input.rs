//! Reading what a request names, the same for the JSON API and the pages: an id in a
//! path, a month in a path or a query.

use anjian_core::monthly_report::Month;

use crate::AppState;
use crate::error::Problem;

/// Parses an id from a path segment; anything else is 404.
pub fn path_id(raw: &str) -> Result<i64, Problem> {
    raw.parse::<i64>().map_err(|_| Problem::not_found())
}

/// The month named in a path or query, or the last month that has ended.
pub(crate) fn month_or_last(state: &AppState, raw: Option<&str>) -> Result<Month, Problem> {
    match raw.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => Ok(Month::parse(m)?),
        None => Ok(Month::of(
            Month::of(state.today())
                .first
                .pred_opt()
                .unwrap_or(state.today()),
        )),
    }
}

/// Parses a month, naming the field.
pub(crate) fn month(raw: &str) -> Result<Month, Problem> {
    Month::parse(raw.trim())
        .map_err(|_| Problem::bad_field("invalid_month", "month", "月份应为 YYYY-MM 格式"))
}

/// A query or form value with its blanks trimmed; None when nothing is left (a form's
/// empty choice reads as "all").
pub fn filled(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A link to `path` with the non-blank `pairs` as its query string (a list's next page
/// carrying its filters).
pub fn link_with(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter_map(|(k, v)| v.map(str::trim).filter(|v| !v.is_empty()).map(|v| (*k, v)))
        .collect();
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&kept).unwrap_or_default()
    )
}
