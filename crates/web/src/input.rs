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
