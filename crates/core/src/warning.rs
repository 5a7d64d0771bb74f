//! Risk assessments (风险研判), warnings that every addressee must answer (叫应: 喊得应、
//! 有回应), circuit breakers (熔断) that suspend named activities for named areas and
//! sectors between two instants, and special periods (特殊时段) with daily reports.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result};

/// Why a risk assessment was held (定期与重要时段、重大活动、重大变化).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    Periodic,
    ImportantPeriod,
    MajorEvent,
    MajorChange,
}

impl AssessmentKind {
    pub const ALL: [AssessmentKind; 4] = [
        AssessmentKind::Periodic,
        AssessmentKind::ImportantPeriod,
        AssessmentKind::MajorEvent,
        AssessmentKind::MajorChange,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentKind::Periodic => "periodic",
            AssessmentKind::ImportantPeriod => "important_period",
            AssessmentKind::MajorEvent => "major_event",
            AssessmentKind::MajorChange => "major_change",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            AssessmentKind::Periodic => "定期研判",
            AssessmentKind::ImportantPeriod => "重要时段研判",
            AssessmentKind::MajorEvent => "重大活动研判",
            AssessmentKind::MajorChange => "重大变化研判",
        }
    }

    /// Reads a stored name (field `kind`).
    pub fn parse(raw: &str) -> Result<AssessmentKind> {
        AssessmentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new("invalid_kind", "kind", "研判类别不正确"))
    }
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    Weather,
    Holiday,
    MajorEvent,
    Other,
}

impl WarningKind {
    pub const ALL: [WarningKind; 4] = [
        WarningKind::Weather,
        WarningKind::Holiday,
        WarningKind::MajorEvent,
        WarningKind::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::Weather => "weather",
            WarningKind::Holiday => "holiday",
            WarningKind::MajorEvent => "major_event",
            WarningKind::Other => "other",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            WarningKind::Weather => "气象预警",
            WarningKind::Holiday => "节假日提示",
            WarningKind::MajorEvent => "重大活动提示",
            WarningKind::Other => "其他预警",
        }
    }

    /// Reads a stored name (field `kind`).
    pub fn parse(raw: &str) -> Result<WarningKind> {
        WarningKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new("invalid_kind", "kind", "预警类别不正确"))
    }
}

/// Checks the window of a warning's answer or a circuit breaker: `from` before
/// `until` (field `field`), at most `max_days` long.
pub fn check_window(field: &'static str, from: i64, until: i64, max_days: i64) -> Result<()> {
    if until <= from {
        return Err(FieldError::new(
            "invalid_window",
            field,
            "结束时间应晚于开始时间",
        ));
    }
    if until - from > max_days * 86_400_000 {
        return Err(FieldError::new(
            "invalid_window",
            field,
            format!("时长不能超过{max_days}日"),
        ));
    }
    Ok(())
}

/// Checks a special period's days (field `last_day`): the last not before the first,
/// at most 92 days (a flood season).
pub fn check_period(first: NaiveDate, last: NaiveDate) -> Result<()> {
    if last < first {
        return Err(FieldError::new(
            "invalid_period",
            "last_day",
            "结束日期不能早于开始日期",
        ));
    }
    if (last - first).num_days() > 91 {
        return Err(FieldError::new(
            "invalid_period",
            "last_day",
            "特殊时段不能超过92日",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_periods_name_their_field() {
        assert_eq!(check_window("until", 10, 10, 7).unwrap_err().field, "until");
        assert!(check_window("until", 0, 86_400_000, 7).is_ok());
        assert!(check_window("until", 0, 8 * 86_400_000, 7).is_err());
        let d = |m, d| NaiveDate::from_ymd_opt(2022, m, d).unwrap();
        assert!(check_period(d(10, 10), d(10, 22)).is_ok());
        assert_eq!(
            check_period(d(10, 22), d(10, 10)).unwrap_err().field,
            "last_day"
        );
        assert!(check_period(d(6, 1), d(9, 30)).is_err());
        assert_eq!(WarningKind::parse("weather").unwrap().label(), "气象预警");
        assert_eq!(AssessmentKind::parse("x").unwrap_err().field, "kind");
    }
}
