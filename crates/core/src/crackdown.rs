//! 打非治违 cases (issue 19 part 3), items (82)–(87) of the plan: a case of illegal
//! production or operation found by a patrol, a tip, a visit or an inspection runs
//! 发现 → 处置 (取缔、关闭、查封扣押设备、移送司法机关) → 结案, with the units that act
//! on it together (联合执法); the office exposes the illegal units publicly (item (85):
//! "公开曝光非法生产经营单位，并纳入联合惩戒").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Checks, FieldError, Result, optional_date, required_paragraphs, required_text};
use crate::machine::{By, Carry, Machine, States, Transition};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Stage {
    /// 已发现: recorded, no measure yet.
    Found,
    /// 处置中: at least one measure taken.
    Acting,
    /// 已结案.
    Closed,
}

impl States for Stage {
    const ALL: &'static [Stage] = &[Stage::Found, Stage::Acting, Stage::Closed];

    fn as_str(self) -> &'static str {
        match self {
            Stage::Found => "found",
            Stage::Acting => "acting",
            Stage::Closed => "closed",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Stage::Found => "已发现",
            Stage::Acting => "处置中",
            Stage::Closed => "已结案",
        }
    }
}

/// A step of a case after it is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A measure taken (取缔、关闭、查封扣押、移送): by the recording unit or a joint unit.
    Measure,
    /// 结案: by the recording unit or the office, after at least one measure.
    Close,
    /// 公开曝光: the office publishes the illegal unit on the public exposure page.
    Expose,
}

impl Step {
    /// Reads a typed step (field `step`).
    pub fn parse(raw: &str) -> Result<Step> {
        match raw.trim() {
            "measure" => Ok(Step::Measure),
            "close" => Ok(Step::Close),
            "expose" => Ok(Step::Expose),
            _ => Err(FieldError::new(
                "invalid_step",
                "step",
                "步骤应为 measure（采取措施）、close（结案）或 expose（公开曝光）",
            )),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Measure => "measure",
            Step::Close => "close",
            Step::Expose => "expose",
        }
    }
}

/// The 打非治违 loop.
pub struct Crackdown;

const ACTORS: &[By] = &[By::Recorder, By::Assignee, By::Office];
const DECIDERS: &[By] = &[By::Recorder, By::Office];

impl Machine for Crackdown {
    type State = Stage;
    type Step = Step;
    const INITIAL: &'static [Stage] = &[Stage::Found];
    const TABLE: &'static [Transition<Stage, Step>] = &[
        Transition::new(
            Step::Measure,
            Stage::Found,
            Stage::Acting,
            ACTORS,
            &[Carry::Note],
        ),
        Transition::new(
            Step::Measure,
            Stage::Acting,
            Stage::Acting,
            ACTORS,
            &[Carry::Note],
        ),
        Transition::new(
            Step::Close,
            Stage::Acting,
            Stage::Closed,
            DECIDERS,
            &[Carry::Note],
        ),
        Transition::new(
            Step::Expose,
            Stage::Acting,
            Stage::Acting,
            &[By::Office],
            &[],
        ),
        Transition::new(
            Step::Expose,
            Stage::Closed,
            Stage::Closed,
            &[By::Office],
            &[],
        ),
    ];

    fn refusal(step: Step, from: Stage) -> FieldError {
        match (step, from) {
            (Step::Measure, _) => {
                FieldError::new("case_closed", "kind", "该案件已结案，不能再采取措施")
            }
            (Step::Close, Stage::Found) => {
                FieldError::new("no_measure", "step", "尚未采取任何处置措施，不能结案")
            }
            (Step::Close, _) => FieldError::new("case_closed", "step", "该案件已结案"),
            (Step::Expose, _) => {
                FieldError::new("no_measure", "step", "尚未采取处置措施的案件不能公开曝光")
            }
        }
    }
}

/// How a case was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// 日常巡查.
    Patrol,
    /// 群众举报 (12350).
    Tip,
    /// 督查检查 (明查暗访).
    Visit,
    /// 执法检查.
    Inspection,
}

impl Source {
    /// Every source, in the order forms offer them.
    pub const ALL: [Source; 4] = [
        Source::Patrol,
        Source::Tip,
        Source::Visit,
        Source::Inspection,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Patrol => "patrol",
            Source::Tip => "tip",
            Source::Visit => "visit",
            Source::Inspection => "inspection",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Source::Patrol => "日常巡查",
            Source::Tip => "群众举报",
            Source::Visit => "督查检查",
            Source::Inspection => "执法检查",
        }
    }

    /// Reads a typed name (field `found_by`).
    pub fn parse(raw: &str) -> Result<Source> {
        Source::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "invalid_found_by",
                    "found_by",
                    "发现方式应为 patrol（日常巡查）、tip（群众举报）、visit（督查检查）或 inspection（执法检查）",
                )
            })
    }
}

/// A measure against illegal production (item (83) and key task 43: "停产整顿、关闭取缔、
/// 上限处罚、追究法律责任").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// 取缔.
    Banned,
    /// 关闭.
    Closed,
    /// 查封扣押设备.
    Seized,
    /// 移送司法机关 (追究法律责任).
    Referred,
}

impl Measure {
    /// Every measure, in the order forms offer them.
    pub const ALL: [Measure; 4] = [
        Measure::Banned,
        Measure::Closed,
        Measure::Seized,
        Measure::Referred,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Banned => "banned",
            Measure::Closed => "closed",
            Measure::Seized => "seized",
            Measure::Referred => "referred",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Measure::Banned => "取缔",
            Measure::Closed => "关闭",
            Measure::Seized => "查封扣押设备",
            Measure::Referred => "移送司法机关",
        }
    }

    /// Reads a typed name (field `kind`).
    pub fn parse(raw: &str) -> Result<Measure> {
        Measure::ALL
            .into_iter()
            .find(|m| m.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "invalid_kind",
                    "kind",
                    "措施应为 banned（取缔）、closed（关闭）、seized（查封扣押设备）或 referred（移送司法机关）",
                )
            })
    }
}

/// The label of a stored source or measure name (the name itself when unknown).
pub fn label_of(raw: &str) -> &str {
    if let Ok(s) = Source::parse(raw) {
        return s.label();
    }
    match Measure::parse(raw) {
        Ok(m) => m.label(),
        Err(_) => raw,
    }
}

/// A case as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CaseInput {
    /// The township (镇街) where it was found: a unit id.
    #[serde(default)]
    pub locality: Option<i64>,
    /// Where (地点).
    #[serde(default)]
    pub place: String,
    /// Who (the operator or unit, registered or not).
    #[serde(default)]
    pub subject: String,
    /// The registered enterprise, when the operator is one (a unit id).
    #[serde(default)]
    pub enterprise: Option<i64>,
    /// What was done illegally.
    #[serde(default)]
    pub facts: String,
    /// `patrol` | `tip` | `visit` | `inspection`.
    #[serde(default)]
    pub found_by: String,
    /// The day it was found (YYYY-MM-DD).
    #[serde(default)]
    pub found_on: String,
    /// The other units acting on it together (联合执法): unit ids.
    #[serde(default)]
    pub joint_units: Vec<i64>,
}

/// A checked case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub place: String,
    pub subject: String,
    pub facts: String,
    pub found_by: Source,
    pub found_on: NaiveDate,
}

/// At most this many joint units on one case.
pub const MAX_JOINT_UNITS: usize = 20;

/// Checks a case found as of `today`: where, who, what, how and when (not in the
/// future); at most [`MAX_JOINT_UNITS`] joint units. Every problem is told at once.
pub fn check_case(input: &CaseInput, today: NaiveDate) -> Result<Case> {
    let mut c = Checks::default();
    if input.locality.is_none() {
        c.note(FieldError::new("required", "locality", "请选择所在镇街"));
    }
    let place = c.take(required_text("place", "地点", &input.place, 200));
    let subject = c.take(required_text("subject", "违法主体", &input.subject, 200));
    let facts = c.take(required_paragraphs("facts", "违法事实", &input.facts, 4000));
    let found_by = c.take(Source::parse(&input.found_by));
    let found_on = c.take(required_day("found_on", "发现日期", &input.found_on, today));
    if input.joint_units.len() > MAX_JOINT_UNITS {
        c.note(FieldError::new(
            "too_many",
            "joint_units",
            format!("联合执法单位不能超过{MAX_JOINT_UNITS}个"),
        ));
    }
    c.finish()?;
    match (place, subject, facts, found_by, found_on) {
        (Some(place), Some(subject), Some(facts), Some(found_by), Some(found_on)) => Ok(Case {
            place,
            subject,
            facts,
            found_by,
            found_on,
        }),
        _ => Err(FieldError::new(
            "unreadable",
            "place",
            "表单无法读取，请重新填写",
        )),
    }
}

/// A step as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    /// `measure` | `close` | `expose`.
    #[serde(default)]
    pub step: String,
    /// For a measure: `banned` | `closed` | `seized` | `referred`.
    #[serde(default)]
    pub kind: String,
    /// What was done (a measure's decision, the closing summary); required for a
    /// measure and a closing.
    #[serde(default)]
    pub note: String,
    /// The day it was taken (YYYY-MM-DD; today when empty).
    #[serde(default)]
    pub on: String,
}

/// A checked step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedStep {
    pub step: Step,
    pub measure: Option<Measure>,
    pub note: Option<String>,
    pub on: NaiveDate,
}

/// Checks a step taken as of `today`.
pub fn check_step(input: &StepInput, today: NaiveDate) -> Result<CheckedStep> {
    let mut c = Checks::default();
    let step = c.take(Step::parse(&input.step));
    let measure = match step {
        Some(Step::Measure) => c.take(Measure::parse(&input.kind)),
        _ => None,
    };
    let note = match step {
        Some(Step::Expose) | None => None,
        Some(_) => c.take(required_paragraphs("note", "处置情况", &input.note, 2000)),
    };
    let on = if input.on.trim().is_empty() {
        Some(today)
    } else {
        c.take(required_day("on", "日期", &input.on, today))
    };
    c.finish()?;
    match (step, on) {
        (Some(step), Some(on)) => Ok(CheckedStep {
            step,
            measure,
            note,
            on,
        }),
        _ => Err(FieldError::new(
            "unreadable",
            "step",
            "表单无法读取，请重新填写",
        )),
    }
}

/// A required day not after `today`.
fn required_day(
    field: &'static str,
    label: &str,
    raw: &str,
    today: NaiveDate,
) -> Result<NaiveDate> {
    let d = optional_date(field, label, raw)?
        .ok_or_else(|| FieldError::new("required", field, format!("{label}不能为空")))?;
    if d > today {
        return Err(FieldError::new(
            "in_future",
            field,
            format!("{label}不能晚于今天"),
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::check_table;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn found_then_measures_then_closed() {
        // Key task 43: "依法精准采取停产整顿、关闭取缔、上限处罚、追究法律责任等执法措施".
        check_table::<Crackdown>(
            &[Step::Measure, Step::Close, Step::Expose],
            &[
                (Step::Measure, Stage::Found, Stage::Acting),
                (Step::Measure, Stage::Acting, Stage::Acting),
                (Step::Close, Stage::Acting, Stage::Closed),
                (Step::Expose, Stage::Acting, Stage::Acting),
                (Step::Expose, Stage::Closed, Stage::Closed),
            ],
        )
        .unwrap();
        assert_eq!(
            Crackdown::next(Step::Close, Stage::Found).unwrap_err().code,
            "no_measure"
        );
        // Item (85): "公开曝光非法生产经营单位" — the office exposes, no one else.
        assert!(Crackdown::may(Step::Expose, Stage::Acting, &[By::Office]));
        assert!(!Crackdown::may(
            Step::Expose,
            Stage::Acting,
            &[By::Recorder]
        ));
        assert!(Crackdown::may(Step::Measure, Stage::Found, &[By::Assignee]));
        assert!(!Crackdown::may(Step::Close, Stage::Acting, &[By::Assignee]));
    }

    #[test]
    fn a_case_states_where_who_what_how_and_when() {
        let today = day("2022-08-15");
        let ok = CaseInput {
            locality: Some(3),
            place: "安居镇某村废弃厂房".into(),
            subject: "无证烟花爆竹储存点".into(),
            enterprise: None,
            facts: "非法储存烟花爆竹约200箱".into(),
            found_by: "tip".into(),
            found_on: "2022-08-14".into(),
            joint_units: vec![7],
        };
        let c = check_case(&ok, today).unwrap();
        assert_eq!((c.found_by, c.found_on), (Source::Tip, day("2022-08-14")));
        let bad = CaseInput {
            locality: None,
            place: " ".into(),
            found_by: "rumour".into(),
            found_on: "2022-08-16".into(),
            joint_units: vec![1; MAX_JOINT_UNITS + 1],
            ..ok.clone()
        };
        let err = check_case(&bad, today).unwrap_err();
        let fields: Vec<&str> = err.all().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["locality", "place", "found_by", "found_on", "joint_units"]
        );
    }

    #[test]
    fn a_measure_names_its_kind_and_what_was_done() {
        let today = day("2022-08-15");
        let err = check_step(
            &StepInput {
                step: "measure".into(),
                kind: "fined".into(),
                ..StepInput::default()
            },
            today,
        )
        .unwrap_err();
        let fields: Vec<&str> = err.all().map(|e| e.field).collect();
        assert_eq!(fields, ["kind", "note"]);
        let s = check_step(
            &StepInput {
                step: "expose".into(),
                ..StepInput::default()
            },
            today,
        )
        .unwrap();
        assert_eq!((s.step, s.on, s.note), (Step::Expose, today, None));
    }
}
