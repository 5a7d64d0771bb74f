//! The blacklist (黑名单) of enterprises under joint discipline (联合惩戒), items (82)–(87)
//! and key task 61 of the plan: "对瞒报谎报事故的企业……纳入黑名单管理，实施联合惩戒".
//! An enterprise enters it by a recorded decision (why, since when, until when, by
//! which unit) and leaves it by another; the checks here are the decision's own.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Checks, FieldError, Result, optional_date, required_paragraphs};

/// Why an enterprise is blacklisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// 瞒报、谎报事故 (key task 61).
    ConcealedAccident,
    /// 非法违法生产经营 (打非治违).
    IllegalProduction,
    /// 拒不整改 (after an enforcement's recheck).
    RefusedRectification,
}

impl Reason {
    /// Every reason, in the order forms offer them.
    pub const ALL: [Reason; 3] = [
        Reason::ConcealedAccident,
        Reason::IllegalProduction,
        Reason::RefusedRectification,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ConcealedAccident => "concealed_accident",
            Reason::IllegalProduction => "illegal_production",
            Reason::RefusedRectification => "refused_rectification",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Reason::ConcealedAccident => "瞒报谎报事故",
            Reason::IllegalProduction => "非法违法生产经营",
            Reason::RefusedRectification => "拒不整改",
        }
    }

    /// Reads a stored or typed name (field `reason_kind`).
    pub fn parse(raw: &str) -> Result<Reason> {
        Reason::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "invalid_reason_kind",
                    "reason_kind",
                    "列入原因应为 concealed_accident（瞒报谎报事故）、illegal_production（非法违法生产经营）或 refused_rectification（拒不整改）",
                )
            })
    }
}

/// The label of a stored reason (the name itself when unknown).
pub fn reason_label(raw: &str) -> &str {
    match Reason::parse(raw) {
        Ok(r) => r.label(),
        Err(_) => raw,
    }
}

/// A decision to blacklist, as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EntryInput {
    /// The enterprise (a unit id).
    #[serde(default)]
    pub enterprise: Option<i64>,
    /// `concealed_accident` | `illegal_production` | `refused_rectification`.
    #[serde(default)]
    pub reason_kind: String,
    /// The facts and the decision's basis.
    #[serde(default)]
    pub reason: String,
    /// The day of the decision (YYYY-MM-DD).
    #[serde(default)]
    pub decided_on: String,
    /// The last day of the term (YYYY-MM-DD).
    #[serde(default)]
    pub until: String,
}

/// A checked decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub reason_kind: Reason,
    pub reason: String,
    pub decided_on: NaiveDate,
    pub until: NaiveDate,
}

/// The longest term: five years (a credit-discipline term is set by the deciding
/// unit within it).
pub const MAX_TERM_DAYS: i64 = 5 * 366;

/// Checks a decision made as of `today`: a reason kind and the facts, a decision day
/// not in the future, a term ending after it and within [`MAX_TERM_DAYS`]. Every
/// problem is told at once.
pub fn check(input: &EntryInput, today: NaiveDate) -> Result<Entry> {
    let mut c = Checks::default();
    let reason_kind = c.take(Reason::parse(&input.reason_kind));
    let reason = c.take(required_paragraphs(
        "reason",
        "列入理由",
        &input.reason,
        2000,
    ));
    let decided_on = c.take(
        optional_date("decided_on", "认定日期", &input.decided_on).and_then(|d| {
            d.ok_or_else(|| FieldError::new("required", "decided_on", "认定日期不能为空"))
        }),
    );
    if decided_on.is_some_and(|d| d > today) {
        c.note(FieldError::new(
            "in_future",
            "decided_on",
            "认定日期不能晚于今天",
        ));
    }
    let until = c.take(
        optional_date("until", "惩戒期限", &input.until)
            .and_then(|d| d.ok_or_else(|| FieldError::new("required", "until", "请填写惩戒期限"))),
    );
    if let (Some(d), Some(u)) = (decided_on, until)
        && (u <= d || (u - d).num_days() > MAX_TERM_DAYS)
    {
        c.note(FieldError::new(
            "invalid_term",
            "until",
            "惩戒期限应晚于认定日期，且不超过五年",
        ));
    }
    c.finish()?;
    match (reason_kind, reason, decided_on, until) {
        (Some(reason_kind), Some(reason), Some(decided_on), Some(until)) => Ok(Entry {
            reason_kind,
            reason,
            decided_on,
            until,
        }),
        // Each is None only with its problem noted, which `finish` refused above.
        _ => Err(FieldError::new(
            "unreadable",
            "reason_kind",
            "表单无法读取，请重新填写",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_decision_needs_its_reason_and_a_term() {
        let today = day("2022-08-15");
        let ok = EntryInput {
            enterprise: Some(1),
            reason_kind: "concealed_accident".into(),
            reason: "2022年7月发生一起死亡1人的生产安全事故，迟报、瞒报\n经举报核实".into(),
            decided_on: "2022-08-10".into(),
            until: "2023-08-09".into(),
        };
        let e = check(&ok, today).unwrap();
        assert_eq!(
            (e.reason_kind, e.until),
            (Reason::ConcealedAccident, day("2023-08-09"))
        );
        let bad = EntryInput {
            reason_kind: "bad".into(),
            reason: " ".into(),
            until: "2022-08-01".into(),
            decided_on: "2022-08-10".into(),
            ..ok.clone()
        };
        let err = check(&bad, today).unwrap_err();
        let mut fields = vec![err.field];
        fields.extend(err.also.iter().map(|a| a.field));
        assert_eq!(fields, ["reason_kind", "reason", "until"]);
        let future = EntryInput {
            decided_on: "2022-08-16".into(),
            until: "".into(),
            ..ok.clone()
        };
        let err = check(&future, today).unwrap_err();
        assert_eq!(err.field, "decided_on");
        assert_eq!(err.also[0].field, "until");
    }
}
