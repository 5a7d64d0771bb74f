//! The obligation list's filters (the to-do list), read by the API and the to-do page.

use crate::error::Problem;
use anjian_core::obligation::State;
use anjian_store::obligations::ObligationFilter;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters of the obligation list.
#[derive(Deserialize, IntoParams)]
pub struct ObligationQuery {
    pub campaign: Option<i64>,
    pub unit: Option<i64>,
    /// pending, submitted, accepted, returned, overdue, done_late, waived.
    pub state: Option<String>,
    /// YYYY-MM-DD: only obligations due before this day.
    pub due_before: Option<String>,
    /// The next page's key: `due_on,id` of the last row.
    pub after: Option<String>,
    pub limit: Option<i64>,
    /// `true`: only the reports waiting for the caller's review (another unit's
    /// submitted obligations on work items the caller's unit leads; every unit's for
    /// the office).
    pub to_review: Option<bool>,
    /// Only the obligations of this work item (its number in the plan, 1–999).
    #[param(minimum = 1, maximum = 999)]
    pub item: Option<i64>,
    /// Words in the task's text or the unit's name (at most 50 characters).
    #[param(max_length = 50)]
    pub q: Option<String>,
    /// The unit's part: lead, co, invited, or responsible (a case's rectification).
    pub part: Option<String>,
}

/// The store's filter from the query string, each bad value naming its field.
pub fn filter_of(
    f: &ObligationQuery,
    u: &anjian_store::accounts::SessionUser,
) -> Result<ObligationFilter, Problem> {
    let mut st = match f.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(State::parse(s).ok_or_else(|| {
            Problem::bad_field(
                "invalid_state",
                "state",
                "state 应为 pending、submitted、accepted、returned、overdue、done_late 或 waived",
            )
        })?),
        None => None,
    };
    let due_before = f
        .due_before
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| date("due_before", s))
        .transpose()?;
    let after = after_key(f.after.as_deref())?;
    let mut reviewer = None;
    if f.to_review == Some(true) {
        st = Some(State::Submitted);
        reviewer = (!u.role().sees_everything()).then_some(u.unit_id);
    }
    Ok(ObligationFilter {
        campaign: f.campaign,
        unit: f.unit,
        reviewer,
        state: st,
        stored: None,
        due_before,
        work_item_no: item_no(f.item)?,
        search: anjian_core::error::search_term(f.q.as_deref(), 50),
        part: part(f.part.as_deref())?,
        after,
        limit: f.limit.unwrap_or(100),
    })
}

/// A page's key `due_on,id` (the last row of the page before), refused naming `after`.
pub(crate) fn after_key(raw: Option<&str>) -> Result<Option<(NaiveDate, i64)>, Problem> {
    let bad = || Problem::bad_field("invalid_after", "after", "翻页位置 after 应为“日期,编号”");
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(a) => {
            let (d, id) = a.split_once(',').ok_or_else(bad)?;
            let d = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| bad())?;
            Ok(Some((d, id.trim().parse().map_err(|_| bad())?)))
        }
    }
}

/// The unit's part as a filter (lead, co, invited, responsible), refused naming `part`.
pub(crate) fn part(
    raw: Option<&str>,
) -> Result<Option<anjian_core::responsibility::Part>, Problem> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|p| {
            anjian_core::responsibility::Part::parse(p).ok_or_else(|| {
                Problem::bad_field(
                    "invalid_part",
                    "part",
                    "请选择责任类别（lead、co、invited 或 responsible）",
                )
            })
        })
        .transpose()
}

/// A work item's number as a filter: 1–999, refused otherwise naming `item`.
pub(crate) fn item_no(n: Option<i64>) -> Result<Option<i64>, Problem> {
    match n {
        Some(n) if !(1..=999).contains(&n) => Err(Problem::bad_field(
            "invalid_item",
            "item",
            "工作要点序号应为1至999的整数",
        )),
        other => Ok(other),
    }
}

pub(crate) fn date(field: &'static str, raw: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        Problem::bad_field(
            "invalid_date",
            field,
            format!("{field} 应为 YYYY-MM-DD 格式的日期"),
        )
    })
}
