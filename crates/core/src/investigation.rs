//! An accident's investigation record (issue 19 part 5), items (38)–(41) of the plan:
//! "事故查处必须坚持“有案必查、一案双查、三责同追、四不放过”" and "区应急局依法牵头组织……
//! 事故调查处理，对典型事故实施挂牌督办". The team (lead unit and members), the report's
//! approval (批复: number and day), the accountability decided (persons, posts, units,
//! forms) and the rectification measures the units named owe; the report file itself
//! is kept by the store. Every problem is told at once, each naming its field.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{
    Checks, FieldError, Result, optional_date, optional_text, required_paragraphs, required_text,
};

/// One person held accountable, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AccountInput {
    /// The person's name.
    #[serde(default)]
    pub person: String,
    /// Their post (职务).
    #[serde(default)]
    pub post: String,
    /// Their unit, when it is in the directory (a unit id).
    #[serde(default)]
    pub unit: Option<i64>,
    /// The form decided: 追究刑事责任, 党纪政务处分, 行政处罚, 诫勉谈话, 通报批评, …
    #[serde(default)]
    pub form: String,
}

/// One rectification measure a unit owes, as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MeasureInput {
    /// The unit that owes it (a unit id).
    #[serde(default)]
    pub unit: Option<i64>,
    /// What it must do.
    #[serde(default)]
    pub measure: String,
    /// By when (YYYY-MM-DD).
    #[serde(default)]
    pub due_on: String,
}

/// An investigation as typed: any part may be given now and the rest later; what is
/// given replaces what was recorded (measures are added).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InvestigationInput {
    /// The unit leading the team (牵头单位; by default the accident's lead unit).
    #[serde(default)]
    pub lead_unit: Option<i64>,
    /// The team's members, one per line (单位、姓名、职务).
    #[serde(default)]
    pub members: String,
    /// The approval's document number (批复文号); with `approved_on`.
    #[serde(default)]
    pub approval_no: String,
    /// The approval's day (批复日期, YYYY-MM-DD); with `approval_no`.
    #[serde(default)]
    pub approved_on: String,
    /// The accountability decided (三责同追).
    #[serde(default)]
    pub accountability: Vec<AccountInput>,
    /// The rectification measures, each owed by its unit.
    #[serde(default)]
    pub measures: Vec<MeasureInput>,
}

/// A checked person held accountable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub person: String,
    pub post: Option<String>,
    pub unit: Option<i64>,
    pub form: String,
}

/// A checked measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    pub unit: i64,
    pub measure: String,
    pub due_on: NaiveDate,
}

/// A checked investigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Investigation {
    pub members: String,
    /// (number, day) of the approval, when given.
    pub approval: Option<(String, NaiveDate)>,
    pub accountability: Vec<Account>,
    pub measures: Vec<Measure>,
}

/// At most this many persons held accountable, and measures, on one accident.
pub const MAX_LINES: usize = 50;

/// Checks an investigation recorded on `today` for an accident that occurred on
/// `occurred_on`: the team's members; an approval with both its number and its day,
/// between the accident and today; each person with a name and a form; each measure
/// with its unit, its text and a day after today.
pub fn check(
    input: &InvestigationInput,
    occurred_on: NaiveDate,
    today: NaiveDate,
) -> Result<Investigation> {
    let mut c = Checks::default();
    let members = c.take(required_paragraphs(
        "members",
        "调查组成员",
        &input.members,
        2000,
    ));
    let number = c.take(optional_text(
        "approval_no",
        "批复文号",
        &input.approval_no,
        100,
    ));
    let approved_on = c.take(optional_date("approved_on", "批复日期", &input.approved_on));
    let approval = match (number.flatten(), approved_on.flatten()) {
        (Some(n), Some(d)) if d >= occurred_on && d <= today => Some((n, d)),
        (Some(_), Some(_)) => {
            c.note(FieldError::new(
                "invalid_approved_on",
                "approved_on",
                "批复日期应在事故发生之后、不晚于今天",
            ));
            None
        }
        (Some(_), None) => {
            c.note(FieldError::new("required", "approved_on", "请填写批复日期"));
            None
        }
        (None, Some(_)) => {
            c.note(FieldError::new("required", "approval_no", "请填写批复文号"));
            None
        }
        (None, None) => None,
    };
    if input.accountability.len() > MAX_LINES {
        c.note(FieldError::new(
            "too_many",
            "accountability",
            format!("责任追究最多{MAX_LINES}人"),
        ));
    }
    if input.measures.len() > MAX_LINES {
        c.note(FieldError::new(
            "too_many",
            "measures",
            format!("整改措施最多{MAX_LINES}项"),
        ));
    }
    let mut accountability = Vec::new();
    for a in input.accountability.iter().take(MAX_LINES) {
        let person = c.take(required_text(
            "accountability.person",
            "被追责人员姓名",
            &a.person,
            50,
        ));
        let post = c.take(optional_text("accountability.post", "职务", &a.post, 100));
        let form = c.take(required_text(
            "accountability.form",
            "追责方式",
            &a.form,
            100,
        ));
        if let (Some(person), Some(post), Some(form)) = (person, post, form) {
            accountability.push(Account {
                person,
                post,
                unit: a.unit,
                form,
            });
        }
    }
    let mut measures = Vec::new();
    for m in input.measures.iter().take(MAX_LINES) {
        if m.unit.is_none() {
            c.note(FieldError::new(
                "required",
                "measures.unit",
                "请选择落实整改措施的单位",
            ));
        }
        let text = c.take(required_paragraphs(
            "measures.measure",
            "整改措施",
            &m.measure,
            1000,
        ));
        let due = c.take(
            optional_date("measures.due_on", "整改期限", &m.due_on).and_then(|d| {
                d.filter(|d| *d > today).ok_or_else(|| {
                    FieldError::new("invalid_due_on", "measures.due_on", "整改期限应晚于今天")
                })
            }),
        );
        if let (Some(unit), Some(measure), Some(due_on)) = (m.unit, text, due) {
            measures.push(Measure {
                unit,
                measure,
                due_on,
            });
        }
    }
    c.finish()?;
    Ok(Investigation {
        members: members.unwrap_or_default(),
        approval,
        accountability,
        measures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_part_names_its_field() {
        let (occurred, today) = (day("2022-07-10"), day("2022-09-01"));
        let input = InvestigationInput {
            lead_unit: None,
            members: "区应急局 王某 局长\n区公安分局 李某".into(),
            approval_no: "铜府〔2022〕88号".into(),
            approved_on: "2022-08-30".into(),
            accountability: vec![AccountInput {
                person: "张某".into(),
                post: "企业主要负责人".into(),
                unit: Some(9),
                form: "行政处罚".into(),
            }],
            measures: vec![MeasureInput {
                unit: Some(9),
                measure: "全面排查有限空间作业".into(),
                due_on: "2022-10-01".into(),
            }],
        };
        let ok = check(&input, occurred, today).unwrap();
        assert_eq!(
            ok.approval,
            Some(("铜府〔2022〕88号".into(), day("2022-08-30")))
        );
        assert_eq!(ok.measures[0].due_on, day("2022-10-01"));
        let bad = InvestigationInput {
            members: " ".into(),
            approval_no: "铜府〔2022〕88号".into(),
            approved_on: "2022-07-01".into(),
            accountability: vec![AccountInput::default()],
            measures: vec![MeasureInput {
                unit: None,
                measure: "x".into(),
                due_on: "2022-08-01".into(),
            }],
            ..input.clone()
        };
        let err = check(&bad, occurred, today).unwrap_err();
        let fields: Vec<&str> = err.all().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "members",
                "approved_on",
                "accountability.person",
                "accountability.form",
                "measures.unit",
                "measures.due_on"
            ]
        );
        let half = InvestigationInput {
            approved_on: String::new(),
            ..input
        };
        assert_eq!(
            check(&half, occurred, today).unwrap_err().field,
            "approved_on"
        );
    }
}
