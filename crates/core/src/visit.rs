//! Supervision and unannounced visits (督查检查、四不两直): the kinds, and the checks on a
//! planned visit. An unannounced visit is hidden from its targets until recorded.

use chrono::NaiveDate;

use crate::FieldError;
use crate::unit::UnitKind;

/// What kind of visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 督查检查: a supervision round.
    Supervision,
    /// 帮扶检查: an assisted inspection.
    Assisted,
    /// 四不两直: unannounced, hidden from its targets until recorded.
    Unannounced,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 3] = [Kind::Supervision, Kind::Assisted, Kind::Unannounced];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Supervision => "supervision",
            Kind::Assisted => "assisted",
            Kind::Unannounced => "unannounced",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Supervision => "督查检查",
            Kind::Assisted => "帮扶检查",
            Kind::Unannounced => "四不两直暗访",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The hazard source of this visit's findings.
    pub fn source(self) -> &'static str {
        match self {
            Kind::Unannounced => "unannounced_visit",
            _ => "supervision_visit",
        }
    }
}

/// The kinds of units a visiting unit may visit beyond the units of its own scope (the
/// office's scope is everything already):
/// - a department guides and inspects every locality: phase 三 "对各镇街…指导帮扶", and
///   (93) "区级部门定期指导各镇街日常监管执法"; the enterprises of its sectors are in
///   its scope;
/// - a unit that oversees (督查: the discipline commission, the 督查室), lead of (45)
///   "开展明查暗访、追责问责", visits every locality and department.
pub fn reach(visitor: UnitKind, oversees: bool) -> &'static [UnitKind] {
    match (visitor, oversees) {
        (UnitKind::Department, true) => &[
            UnitKind::Township,
            UnitKind::ZoneCommittee,
            UnitKind::Department,
        ],
        (UnitKind::Department, false) => &[UnitKind::Township, UnitKind::ZoneCommittee],
        _ => &[],
    }
}

/// A visit as planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub kind: Kind,
    pub title: String,
    pub team: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Checks a planned visit's fields, naming the first bad one.
pub fn check(
    kind: &str,
    title: &str,
    team: &str,
    starts_on: &str,
    ends_on: &str,
) -> Result<Plan, FieldError> {
    // Every field is checked and every problem told at once (one per field).
    let mut c = crate::error::Checks::default();
    let kind = c.take(Kind::parse(kind.trim()).ok_or_else(|| {
        FieldError::new(
            "invalid_kind",
            "kind",
            "检查类型只能是督查检查、帮扶检查或四不两直暗访",
        )
    }));
    let title = c.take(crate::error::required_text("title", "检查名称", title, 200));
    let team = c.take(crate::error::required_text("team", "检查组", team, 500));
    let date = |field: &'static str, label: &str, s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            FieldError::new(
                "invalid_date",
                field,
                format!("{label}应为 2022-07-01 格式的日期"),
            )
        })
    };
    let starts_on = c.take(date("starts_on", "开始日期", starts_on));
    let ends_on = c.take(date("ends_on", "结束日期", ends_on));
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && e < s
    {
        c.note(FieldError::new(
            "ends_before_start",
            "ends_on",
            "结束日期不能早于开始日期",
        ));
    }
    c.finish()?;
    let (Some(kind), Some(title), Some(team), Some(starts_on), Some(ends_on)) =
        (kind, title, team, starts_on, ends_on)
    else {
        // Each is None only with its problem noted, which `finish` refused above.
        return Err(FieldError::new(
            "unreadable",
            "kind",
            "表单无法读取，请重新填写",
        ));
    };
    Ok(Plan {
        kind,
        title,
        team,
        starts_on,
        ends_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_visit_names_its_bad_field() {
        let ok = check(
            "unannounced",
            "燃气安全暗访",
            "区安委办 张三、李四",
            "2022-08-10",
            "2022-08-11",
        )
        .unwrap();
        assert_eq!(
            (ok.kind, ok.kind.source()),
            (Kind::Unannounced, "unannounced_visit")
        );
        let field = |k, t, m, s, e| check(k, t, m, s, e).unwrap_err().field;
        assert_eq!(field("raid", "x", "y", "2022-08-10", "2022-08-10"), "kind");
        assert_eq!(
            field("supervision", " ", "y", "2022-08-10", "2022-08-10"),
            "title"
        );
        assert_eq!(
            field("supervision", "x", "", "2022-08-10", "2022-08-10"),
            "team"
        );
        assert_eq!(
            field("supervision", "x", "y", "8月10日", "2022-08-10"),
            "starts_on"
        );
        assert_eq!(
            field("supervision", "x", "y", "2022-08-10", "2022-08-09"),
            "ends_on"
        );
    }

    proptest! {
        #[test]
        fn no_input_panics(k in ".{0,12}", s in ".{0,12}", e in ".{0,12}") {
            let _ = check(&k, "检查", "组", &s, &e);
        }
    }
}
