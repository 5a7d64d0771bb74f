//! The accident list's filters and page, read by the API (`GET /api/v1/accidents`) and
//! the accident page.

use crate::error::Problem;
use anjian_core::accident::{Grade, Status};
use anjian_core::machine::States;
use anjian_store::accidents::AccidentFilter;

/// `?month=&unit=&grade=&status=&q=&before=&limit=`. Every value is text so that a
/// form's empty choice reads as "all".
#[derive(serde::Deserialize, utoipa::IntoParams, Default, Clone)]
pub struct AccidentQuery {
    /// YYYY-MM: those that occurred in this month.
    pub month: Option<String>,
    /// The id of the unit where it happened.
    pub unit: Option<String>,
    /// ordinary, larger, major, especially_major.
    pub grade: Option<String>,
    /// investigating, closed.
    pub status: Option<String>,
    /// Words in the place, the account or the unit's name (at most 50 characters).
    #[param(max_length = 50)]
    pub q: Option<String>,
    /// The next page: `occurred_at,id` (epoch ms, id) of the last listed accident.
    pub before: Option<String>,
    /// At most this many (1–500).
    pub limit: Option<String>,
}

use crate::input::filled;

impl AccidentQuery {
    /// The store's filter, each bad value refused naming its field; `limit` when none
    /// is asked for.
    pub fn filter(&self, limit: i64) -> Result<AccidentFilter, Problem> {
        let bad_before = || {
            Problem::bad_field(
                "invalid_before",
                "before",
                "翻页位置无效，请从第一页重新查看",
            )
        };
        Ok(AccidentFilter {
            month: filled(&self.month)
                .map(|m| {
                    anjian_core::monthly_report::Month::parse(m).map_err(|_| {
                        Problem::bad_field(
                            "invalid_month",
                            "month",
                            "month 应为 YYYY-MM 格式的月份",
                        )
                    })
                })
                .transpose()?,
            unit: filled(&self.unit)
                .map(|s| {
                    s.parse::<i64>()
                        .map_err(|_| Problem::bad_field("invalid_unit", "unit", "请选择单位"))
                })
                .transpose()?,
            grade: filled(&self.grade)
                .map(|s| {
                    Grade::parse(s).ok_or_else(|| {
                        Problem::bad_field("invalid_grade", "grade", "请选择事故等级")
                    })
                })
                .transpose()?,
            status: filled(&self.status)
                .map(|s| {
                    Status::parse(s).ok_or_else(|| {
                        Problem::bad_field("invalid_status", "status", "请选择调查状态")
                    })
                })
                .transpose()?,
            search: anjian_core::error::search_term(self.q.as_deref(), 50),
            before: filled(&self.before)
                .map(|s| {
                    let (at, id) = s.split_once(',').ok_or_else(bad_before)?;
                    Ok::<_, Problem>((
                        at.parse().map_err(|_| bad_before())?,
                        id.parse().map_err(|_| bad_before())?,
                    ))
                })
                .transpose()?,
            limit: filled(&self.limit)
                .map(|s| {
                    s.parse::<i64>()
                        .ok()
                        .filter(|n| (1..=500).contains(n))
                        .ok_or_else(|| {
                            Problem::bad_field("invalid_limit", "limit", "limit 应为1至500的整数")
                        })
                })
                .transpose()?
                .unwrap_or(limit),
        })
    }

    /// Whether any filter is set.
    pub fn any(&self) -> bool {
        [&self.month, &self.unit, &self.grade, &self.status, &self.q]
            .iter()
            .any(|v| filled(v).is_some())
    }

    /// The link to the page after the accident (`occurred_at`, `id`), same filters.
    pub fn next(&self, occurred_at: i64, id: i64) -> String {
        let before = format!("{occurred_at},{id}");
        crate::input::link_with(
            "/accidents",
            &[
                ("month", self.month.as_deref()),
                ("unit", self.unit.as_deref()),
                ("grade", self.grade.as_deref()),
                ("status", self.status.as_deref()),
                ("q", self.q.as_deref()),
                ("before", Some(&before)),
            ],
        )
    }
}
