//! Enforcement inspections (执法检查): what a record must state, the three steps
//! (三部曲: 检查诊断 → 行政处罚 → 整改复查) as states, and the daily continuing penalty
//! (按日连续处罚) for refusing to rectify after a penalty.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::error::{Result, optional_date, optional_text, optional_yuan, required_text};

/// Where a record stands in the three steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Stage {
    /// 检查诊断: inspected, problems recorded.
    Inspection,
    /// 行政处罚: a penalty decided.
    Penalty,
    /// 整改复查: the rectification rechecked.
    Recheck,
}

impl crate::machine::States for Stage {
    const ALL: &'static [Stage] = &[Stage::Inspection, Stage::Penalty, Stage::Recheck];

    fn as_str(self) -> &'static str {
        match self {
            Stage::Inspection => "inspection",
            Stage::Penalty => "penalty",
            Stage::Recheck => "recheck",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Stage::Inspection => "检查诊断",
            Stage::Penalty => "行政处罚",
            Stage::Recheck => "整改复查",
        }
    }
}

/// A step of a record after it is made (a record with a penalty starts at
/// [`Stage::Penalty`], one without at [`Stage::Inspection`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// 行政处罚 decided after the inspection (the second of the three steps).
    Penalise,
    /// 复查：已整改 — the record reaches its last stage.
    RecheckPassed,
    /// 复查：未整改 — it stays where it is; after a fine the daily penalty runs.
    RecheckFailed,
}

/// An enforcement record through the three steps; the recording unit rechecks.
pub struct ThreeSteps;

impl crate::machine::Machine for ThreeSteps {
    type State = Stage;
    type Step = Step;
    const INITIAL: &'static [Stage] = &[Stage::Inspection, Stage::Penalty];
    const TABLE: &'static [crate::machine::Transition<Stage, Step>] = &[
        recheck(Step::RecheckPassed, Stage::Inspection, Stage::Recheck),
        recheck(Step::RecheckPassed, Stage::Penalty, Stage::Recheck),
        recheck(Step::RecheckFailed, Stage::Inspection, Stage::Inspection),
        recheck(Step::RecheckFailed, Stage::Penalty, Stage::Penalty),
        recheck(Step::Penalise, Stage::Inspection, Stage::Penalty),
    ];

    fn refusal(step: Step, _: Stage) -> FieldError {
        match step {
            Step::Penalise => FieldError::new(
                "already_decided",
                "penalty.kind",
                "该记录已有处罚决定或已复查确认整改，不能再作处罚决定",
            ),
            _ => FieldError::new("already_rectified", "rectified", "复查已确认整改完成"),
        }
    }
}

/// A recheck row: the recording unit takes it.
const fn recheck(step: Step, from: Stage, to: Stage) -> crate::machine::Transition<Stage, Step> {
    crate::machine::Transition {
        step,
        from,
        to,
        by: &[crate::machine::By::Recorder],
        carries: &[],
    }
}

/// An inspector and the number of their enforcement certificate (执法证).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Inspector {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub certificate: String,
}

/// A penalty decision (行政处罚决定) as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PenaltyInput {
    /// 罚款, 警告, 责令停产停业整顿, …
    #[serde(default)]
    pub kind: String,
    /// Yuan, at most two decimals (empty for a penalty without a fine).
    #[serde(default)]
    pub amount: String,
    /// 法律依据 (required).
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub decided_on: String,
    /// The day the fine must be paid by (缴纳期限), optional; not before the decision.
    #[serde(default)]
    pub paid_by: String,
    /// The discretion standard's clause and the grade applied (自由裁量基准条款及裁量
    /// 等级, item (88)), required.
    #[serde(default)]
    pub discretion: String,
}

/// An enforcement record as entered (page or API).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EnforcementInput {
    #[serde(default)]
    pub inspected_on: String,
    #[serde(default)]
    pub inspectors: Vec<Inspector>,
    /// 检查地点.
    #[serde(default)]
    pub place: String,
    /// 检查内容.
    #[serde(default)]
    pub checked: String,
    /// 发现的问题, one per line.
    #[serde(default)]
    pub problems: String,
    /// 处理情况.
    #[serde(default)]
    pub handling: String,
    /// The enterprise's principal signed the on-site record (false: refused to sign).
    #[serde(default)]
    pub signed: bool,
    /// 两个必查 (item (56): "必查主要负责人履职情况、必查“三个层级负责人”履职情况"), each a
    /// required answer: whether the principal's performance of duty was checked …
    #[serde(default)]
    pub principal_checked: Option<bool>,
    /// … and whether the three tiers of heads were (三个层级负责人: 厂长经理管理层、部门
    /// 技术层、车间班组操作层, key task 26).
    #[serde(default)]
    pub heads_checked: Option<bool>,
    /// 责令限期整改: rectify by this day.
    #[serde(default)]
    pub order_deadline: String,
    #[serde(default)]
    pub penalty: Option<PenaltyInput>,
    /// Enter each problem in the enterprise's hazard ledger (source `enforcement`, the
    /// order's deadline as its rectification deadline).
    #[serde(default)]
    pub to_ledger: bool,
    /// The inspection's special campaign: empty for an ordinary one, `subcontracting`
    /// (违法分包转包专项执法检查, item (74)) or `workforce` (持证上岗和安全培训情况, item
    /// (80)).
    #[serde(default)]
    pub kind: String,
    /// For `subcontracting`: the contracts found at fault (their flags are the findings).
    #[serde(default)]
    pub contracts: Vec<i64>,
}

/// A special campaign an inspection belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Campaign {
    /// 违法分包转包专项执法检查 (item (74)).
    Subcontracting,
    /// 劳务派遣人员持证上岗和安全培训检查 (item (80)).
    Workforce,
}

impl Campaign {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Campaign::Subcontracting => "subcontracting",
            Campaign::Workforce => "workforce",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Campaign::Subcontracting => "分包转包专项",
            Campaign::Workforce => "持证上岗和安全培训",
        }
    }

    /// Parses the stored or Chinese name; empty is an ordinary inspection.
    pub fn parse(raw: &str) -> crate::error::Result<Option<Campaign>> {
        match raw.trim() {
            "" => Ok(None),
            r => [Campaign::Subcontracting, Campaign::Workforce]
                .into_iter()
                .find(|c| c.as_str() == r || c.label() == r)
                .map(Some)
                .ok_or_else(|| {
                    FieldError::new(
                        "invalid_kind",
                        "kind",
                        "kind 应为空、subcontracting（分包转包专项）或 workforce（持证上岗和安全培训）",
                    )
                }),
        }
    }
}

/// A checked penalty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Penalty {
    pub kind: String,
    pub amount_fen: Option<i64>,
    pub legal_basis: String,
    pub decided_on: NaiveDate,
    pub paid_by: Option<NaiveDate>,
    pub discretion: String,
}

/// A checked enforcement record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enforcement {
    pub inspected_on: NaiveDate,
    pub inspectors: Vec<Inspector>,
    pub place: String,
    pub checked: String,
    pub problems: Vec<String>,
    pub handling: Option<String>,
    pub signed: bool,
    pub principal_checked: bool,
    pub heads_checked: bool,
    pub order_deadline: Option<NaiveDate>,
    pub penalty: Option<Penalty>,
    pub step: Stage,
    pub to_ledger: bool,
}

/// Checks a record as of `today`: at least two inspectors, each with a certificate
/// number; dates not in the future; an order's deadline not before the inspection; a
/// penalty with its legal basis, decided on or after the inspection.
pub fn check(input: &EnforcementInput, today: NaiveDate) -> Result<Enforcement> {
    // Every field is checked and every problem told at once (one per field).
    let mut c = crate::error::Checks::default();
    let inspected_on = c.take(inspection_day(&input.inspected_on, today));
    let inspectors = c.take(check_inspectors(&input.inspectors));
    let principal_checked = c.take(input.principal_checked.ok_or_else(|| {
        FieldError::new(
            "must_check_required",
            "principal_checked",
            "两个必查须填写：是否检查了企业主要负责人履职情况",
        )
    }));
    let heads_checked = c.take(input.heads_checked.ok_or_else(|| {
        FieldError::new(
            "must_check_required",
            "heads_checked",
            "两个必查须填写：是否检查了管理层、技术层、操作层“三个层级负责人”履职情况",
        )
    }));
    let place = c.take(required_text("place", "检查地点", &input.place, 200));
    let checked = c.take(crate::error::required_paragraphs(
        "checked",
        "检查内容",
        &input.checked,
        2000,
    ));
    let problems: Option<Vec<String>> = c
        .take(
            input
                .problems
                .lines()
                .map(|l| optional_text("problems", "发现的问题", l, 500))
                .collect::<Result<Vec<_>>>(),
        )
        .map(|p| p.into_iter().flatten().collect());
    let handling = c.take(crate::error::optional_paragraphs(
        "handling",
        "处理情况",
        &input.handling,
        2000,
    ));
    let order_deadline = c.take(optional_date(
        "order_deadline",
        "整改期限",
        &input.order_deadline,
    ));
    if let (Some(Some(d)), Some(on)) = (order_deadline, inspected_on)
        && d < on
    {
        c.note(FieldError::new(
            "deadline_before_inspection",
            "order_deadline",
            "整改期限不能早于检查日期",
        ));
    }
    if input.to_ledger
        && (problems.as_ref().is_some_and(Vec::is_empty) || order_deadline == Some(None))
    {
        c.note(FieldError::new(
            "ledger_needs_problems_and_deadline",
            "to_ledger",
            "登记入隐患台账须填写发现的问题和整改期限",
        ));
    }
    let penalty = match (&input.penalty, inspected_on) {
        (None, _) => Some(None),
        (Some(p), Some(on)) => c.take(check_penalty(p, on, today)).map(Some),
        // The penalty's dates are read against the inspection's, already refused.
        (Some(_), None) => None,
    };
    c.finish()?;
    let (
        Some(inspected_on),
        Some(inspectors),
        Some(principal_checked),
        Some(heads_checked),
        Some(place),
        Some(checked),
        Some(problems),
        Some(handling),
        Some(order_deadline),
        Some(penalty),
    ) = (
        inspected_on,
        inspectors,
        principal_checked,
        heads_checked,
        place,
        checked,
        problems,
        handling,
        order_deadline,
        penalty,
    )
    else {
        // Each is None only with its problem noted, which `finish` refused above.
        return Err(FieldError::new(
            "unreadable",
            "inspected_on",
            "表单无法读取，请重新填写",
        ));
    };
    Ok(Enforcement {
        inspected_on,
        inspectors,
        place,
        checked,
        problems,
        handling,
        signed: input.signed,
        principal_checked,
        heads_checked,
        order_deadline,
        step: if penalty.is_some() {
            Stage::Penalty
        } else {
            Stage::Inspection
        },
        penalty,
        to_ledger: input.to_ledger,
    })
}

/// The day of the inspection: given, and not after today.
fn inspection_day(raw: &str, today: NaiveDate) -> Result<NaiveDate> {
    let on = optional_date("inspected_on", "检查日期", raw)?
        .ok_or_else(|| FieldError::new("required", "inspected_on", "检查日期不能为空"))?;
    if on > today {
        return Err(FieldError::new(
            "future_date",
            "inspected_on",
            "检查日期不能晚于今天",
        ));
    }
    Ok(on)
}

/// The inspectors: two or more, each named with a certificate of their own.
fn check_inspectors(given: &[Inspector]) -> Result<Vec<Inspector>> {
    let mut inspectors = Vec::new();
    for i in given {
        let name = required_text("inspectors", "执法人员姓名", &i.name, 50)?;
        let certificate =
            required_text("inspectors", "执法证号", &i.certificate, 50).map_err(|_| {
                FieldError::new(
                    "certificate_required",
                    "inspectors",
                    format!("执法人员{name}须填写执法证号"),
                )
            })?;
        if inspectors
            .iter()
            .any(|x: &Inspector| x.certificate == certificate)
        {
            return Err(FieldError::new(
                "duplicate_inspector",
                "inspectors",
                format!("执法证号{certificate}重复"),
            ));
        }
        inspectors.push(Inspector { name, certificate });
    }
    if inspectors.len() < 2 {
        return Err(FieldError::new(
            "two_inspectors",
            "inspectors",
            "执法检查须由两名以上持证执法人员进行",
        ));
    }
    Ok(inspectors)
}

/// Checks a penalty decision (行政处罚决定) on a record inspected on `inspected_on`, as
/// of `today`: its kind, legal basis and discretion clause, a fine's amount, a decision
/// day between the inspection and today, a payment day not before the decision. Every
/// problem is told at once.
pub fn check_penalty(
    p: &PenaltyInput,
    inspected_on: NaiveDate,
    today: NaiveDate,
) -> Result<Penalty> {
    let mut c = crate::error::Checks::default();
    let kind = c.take(required_text("penalty.kind", "处罚种类", &p.kind, 50));
    let legal_basis = c.take(required_text(
        "penalty.legal_basis",
        "处罚的法律依据",
        &p.legal_basis,
        500,
    ));
    let discretion = c.take(required_text(
        "penalty.discretion",
        "自由裁量基准条款及裁量等级",
        &p.discretion,
        300,
    ));
    let amount_fen = c.take(optional_yuan("penalty.amount", "罚款金额", &p.amount));
    if kind.as_ref().is_some_and(|k| k.contains("罚款"))
        && amount_fen.is_some_and(|a| a.unwrap_or(0) <= 0)
    {
        c.note(FieldError::new(
            "amount_required",
            "penalty.amount",
            "罚款须填写金额",
        ));
    }
    let decided_on = c.take(
        optional_date("penalty.decided_on", "处罚决定日期", &p.decided_on).and_then(|d| {
            d.ok_or_else(|| {
                FieldError::new("required", "penalty.decided_on", "处罚决定日期不能为空")
            })
        }),
    );
    if decided_on.is_some_and(|d| d < inspected_on || d > today) {
        c.note(FieldError::new(
            "invalid_decision_date",
            "penalty.decided_on",
            "处罚决定日期应在检查日期之后、今天之前",
        ));
    }
    let paid_by = c.take(optional_date("penalty.paid_by", "罚款缴纳期限", &p.paid_by));
    if let (Some(Some(paid)), Some(d)) = (paid_by, decided_on)
        && paid < d
    {
        c.note(FieldError::new(
            "invalid_paid_by",
            "penalty.paid_by",
            "罚款缴纳期限不能早于处罚决定日期",
        ));
    }
    c.finish()?;
    match (
        kind,
        legal_basis,
        discretion,
        amount_fen,
        decided_on,
        paid_by,
    ) {
        (
            Some(kind),
            Some(legal_basis),
            Some(discretion),
            Some(amount_fen),
            Some(decided_on),
            Some(paid_by),
        ) => Ok(Penalty {
            kind,
            amount_fen,
            legal_basis,
            decided_on,
            paid_by,
            discretion,
        }),
        // Each is None only with its problem noted, which `finish` refused above.
        _ => Err(FieldError::new(
            "unreadable",
            "penalty.kind",
            "表单无法读取，请重新填写",
        )),
    }
}

/// The statute the daily continuing penalty applies (《安全生产法》第一百一十二条).
pub const DAILY_PENALTY_STATUTE: &str = "《安全生产法》第一百一十二条：生产经营单位违反本法规定，被责令改正且受到罚款处罚，拒不改正的，负有安全生产监督管理职责的部门可以自作出责令改正之日的次日起，按照原处罚数额按日连续处罚。";

/// The running total of a daily continuing penalty (按日连续处罚), in fen, once a
/// recheck finds the enterprise refused to rectify: the original fine for each day from
/// the day after the order to correct was made (`ordered_on`) up to `until` (the day of
/// the recheck that found it rectified, or today), inclusive.
pub fn daily_penalty_total(fine_fen: i64, ordered_on: NaiveDate, until: NaiveDate) -> i64 {
    let days = (until - ordered_on).num_days().max(0);
    fine_fen.saturating_mul(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input() -> EnforcementInput {
        EnforcementInput {
            inspected_on: "2022-07-12".into(),
            inspectors: vec![
                Inspector {
                    name: "王强".into(),
                    certificate: "渝应急执 0501".into(),
                },
                Inspector {
                    name: "刘洋".into(),
                    certificate: "渝应急执 0502".into(),
                },
            ],
            place: "重庆某化工有限公司储罐区".into(),
            checked: "重大危险源管理、特殊作业审批".into(),
            problems: "可燃气体报警器失效\n\n动火作业未审批".into(),
            order_deadline: "2022-07-20".into(),
            principal_checked: Some(true),
            heads_checked: Some(false),
            ..EnforcementInput::default()
        }
    }

    /// Item (56): "监管部门检查执法“两个必查”：必查主要负责人履职情况、必查“三个层级负责人”履职
    /// 情况" — both are answered on every record.
    #[test]
    fn the_two_must_checks_are_answered() {
        let e = check(&input(), day("2022-07-20")).unwrap();
        assert!(e.principal_checked && !e.heads_checked);
        let mut i = input();
        i.principal_checked = None;
        assert_eq!(
            check(&i, day("2022-07-20")).unwrap_err().field,
            "principal_checked"
        );
        let mut i = input();
        i.heads_checked = None;
        assert_eq!(
            check(&i, day("2022-07-20")).unwrap_err().field,
            "heads_checked"
        );
    }

    #[test]
    fn a_record_needs_two_certified_inspectors() {
        let today = day("2022-08-15");
        let e = check(&input(), today).unwrap();
        assert_eq!(e.problems, ["可燃气体报警器失效", "动火作业未审批"]);
        assert_eq!(e.step, Stage::Inspection);
        let mut one = input();
        one.inspectors.pop();
        assert_eq!(check(&one, today).unwrap_err().code, "two_inspectors");
        let mut uncertified = input();
        uncertified.inspectors[1].certificate = " ".into();
        assert_eq!(
            check(&uncertified, today).unwrap_err().code,
            "certificate_required"
        );
        let mut twice = input();
        twice.inspectors[1].certificate = "渝应急执 0501".into();
        assert_eq!(
            check(&twice, today).unwrap_err().code,
            "duplicate_inspector"
        );
    }

    #[test]
    fn a_penalty_needs_its_legal_basis_and_a_fine_its_amount() {
        let today = day("2022-08-15");
        let mut p = input();
        p.penalty = Some(PenaltyInput {
            kind: "罚款".into(),
            amount: "30000".into(),
            legal_basis: String::new(),
            decided_on: "2022-07-15".into(),
            paid_by: String::new(),
            discretion: String::new(),
        });
        // "a penalty without legal basis or discretion clause" is refused, both named.
        let err = check(&p, today).unwrap_err();
        assert_eq!((err.code, err.field), ("required", "penalty.legal_basis"));
        assert_eq!(err.also[0].field, "penalty.discretion");
        p.penalty.as_mut().unwrap().legal_basis = "《安全生产法》第九十九条".into();
        p.penalty.as_mut().unwrap().discretion = "裁量基准第12项 一般".into();
        let e = check(&p, today).unwrap();
        assert_eq!(e.step, Stage::Penalty);
        assert_eq!(e.penalty.unwrap().amount_fen, Some(3_000_000));
        p.penalty.as_mut().unwrap().amount = String::new();
        assert_eq!(check(&p, today).unwrap_err().code, "amount_required");
        p.penalty.as_mut().unwrap().amount = "1000".into();
        p.penalty.as_mut().unwrap().paid_by = "2022-07-14".into();
        assert_eq!(
            check(&p, today).unwrap_err().field,
            "penalty.paid_by",
            "before the decision"
        );
        p.penalty.as_mut().unwrap().paid_by = "2022-07-30".into();
        assert!(check(&p, today).is_ok());
        p.penalty.as_mut().unwrap().decided_on = "2022-07-01".into();
        assert_eq!(check(&p, today).unwrap_err().field, "penalty.decided_on");
    }

    #[test]
    /// 安全生产法 art. 112: "自作出责令改正之日的次日起，按照原处罚数额按日连续处罚".
    fn the_daily_penalty_runs_from_the_day_after_the_order() {
        let deadline = day("2022-07-20");
        assert_eq!(daily_penalty_total(100_000, deadline, day("2022-07-20")), 0);
        assert_eq!(
            daily_penalty_total(100_000, deadline, day("2022-07-21")),
            100_000
        );
        assert_eq!(
            daily_penalty_total(100_000, deadline, day("2022-08-01")),
            1_200_000
        );
        assert_eq!(daily_penalty_total(100_000, deadline, day("2022-07-01")), 0);
    }

    proptest! {
        #[test]
        fn the_daily_penalty_never_shrinks_as_days_pass(fine in 0i64..10_000_000, a in 0i64..400, b in 0i64..400) {
            let deadline = day("2022-07-20");
            let (x, y) = (a.min(b), a.max(b));
            let at = |n: i64| deadline + chrono::Duration::days(n - 100);
            prop_assert!(daily_penalty_total(fine, deadline, at(x)) <= daily_penalty_total(fine, deadline, at(y)));
        }

        #[test]
        fn checking_any_input_never_panics(date in "\\PC{0,12}", name in "\\PC{0,8}", cert in "\\PC{0,8}", amount in "\\PC{0,10}") {
            let mut i = input();
            i.inspected_on = date;
            i.inspectors[0].name = name;
            i.inspectors[0].certificate = cert;
            i.penalty = Some(PenaltyInput { kind: "罚款".into(), amount, legal_basis: "依据".into(), decided_on: "2022-07-15".into(), paid_by: String::new(), discretion: "裁量".into() });
            let _ = check(&i, day("2022-08-15"));
        }
    }

    #[test]
    fn the_three_steps_as_a_table() {
        use crate::machine::{By, Machine, check_table};
        check_table::<ThreeSteps>(
            &[Step::RecheckPassed, Step::RecheckFailed],
            &[
                (Step::RecheckPassed, Stage::Inspection, Stage::Recheck),
                (Step::RecheckPassed, Stage::Penalty, Stage::Recheck),
                (Step::RecheckFailed, Stage::Inspection, Stage::Inspection),
                (Step::RecheckFailed, Stage::Penalty, Stage::Penalty),
            ],
        )
        .unwrap();
        assert_eq!(
            ThreeSteps::next(Step::RecheckFailed, Stage::Recheck)
                .unwrap_err()
                .code,
            "already_rectified"
        );
        assert!(!ThreeSteps::allows(Step::RecheckPassed, &[By::Office]));
    }
}

/// A unit's annual supervision-inspection plan (年度监督检查计划, item (88)) as typed:
/// how many inspections in each quarter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InspectionPlanInput {
    #[serde(default)]
    pub q1: Option<i64>,
    #[serde(default)]
    pub q2: Option<i64>,
    #[serde(default)]
    pub q3: Option<i64>,
    #[serde(default)]
    pub q4: Option<i64>,
    #[serde(default)]
    pub note: String,
}

/// A checked plan: the four quarters' counts and a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionPlan {
    pub quarters: [i64; 4],
    pub note: Option<String>,
}

/// The most inspections planned in one quarter.
pub const MAX_PLANNED: i64 = 100_000;

/// Checks a plan: each quarter given, from 0 to [`MAX_PLANNED`]; every problem at once.
pub fn check_inspection_plan(p: &InspectionPlanInput) -> Result<InspectionPlan> {
    let mut c = crate::error::Checks::default();
    let mut quarters = [0i64; 4];
    for (i, (field, v)) in [("q1", p.q1), ("q2", p.q2), ("q3", p.q3), ("q4", p.q4)]
        .into_iter()
        .enumerate()
    {
        match v {
            Some(n) if (0..=MAX_PLANNED).contains(&n) => quarters[i] = n,
            _ => c.note(FieldError::new(
                "invalid_count",
                field,
                format!("第{}季度计划检查数应为0到{MAX_PLANNED}的整数", i + 1),
            )),
        }
    }
    let note = c.take(crate::error::optional_paragraphs(
        "note", "说明", &p.note, 1000,
    ));
    c.finish()?;
    Ok(InspectionPlan {
        quarters,
        note: note.flatten(),
    })
}

/// A measure after an inspection: an order to suspend production or work (停产停工,
/// item (64)) or a referral to the judicial organs (移送, item (90): 行刑衔接).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    Suspension,
    Referral,
}

impl MeasureKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Suspension => "suspension",
            MeasureKind::Referral => "referral",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            MeasureKind::Suspension => "责令停产停工",
            MeasureKind::Referral => "移送司法机关",
        }
    }

    /// Reads a stored or typed name (field `kind`).
    pub fn parse(raw: &str) -> Result<MeasureKind> {
        match raw.trim() {
            "suspension" => Ok(MeasureKind::Suspension),
            "referral" => Ok(MeasureKind::Referral),
            _ => Err(FieldError::new(
                "invalid_kind",
                "kind",
                "措施应为 suspension（责令停产停工）或 referral（移送司法机关）",
            )),
        }
    }
}

/// A measure as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeasureInput {
    /// `suspension` | `referral`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub decided_on: String,
    /// The organ a referral goes to (公安机关, 检察机关…); required for a referral.
    #[serde(default)]
    pub organ: String,
    /// What is suspended and why, or the suspected offence referred.
    #[serde(default)]
    pub note: String,
    /// The last day of a suspension (optional).
    #[serde(default)]
    pub until: String,
}

/// A checked measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    pub kind: MeasureKind,
    pub decided_on: NaiveDate,
    pub organ: Option<String>,
    pub note: String,
    pub until: Option<NaiveDate>,
}

/// Checks a measure on a record inspected on `inspected_on`, as of `today`: its kind,
/// a day between the inspection and today, what it covers, a referral's organ, a
/// suspension's end not before its day. Every problem at once.
pub fn check_measure(
    m: &MeasureInput,
    inspected_on: NaiveDate,
    today: NaiveDate,
) -> Result<Measure> {
    let mut c = crate::error::Checks::default();
    let kind = c.take(MeasureKind::parse(&m.kind));
    let decided_on = c.take(
        optional_date("decided_on", "决定日期", &m.decided_on).and_then(|d| {
            d.ok_or_else(|| FieldError::new("required", "decided_on", "决定日期不能为空"))
        }),
    );
    if decided_on.is_some_and(|d| d < inspected_on || d > today) {
        c.note(FieldError::new(
            "invalid_decision_date",
            "decided_on",
            "决定日期应在检查日期之后、今天之前",
        ));
    }
    let organ = c.take(optional_text("organ", "移送机关", &m.organ, 100));
    if kind == Some(MeasureKind::Referral) && organ.as_ref().is_some_and(Option::is_none) {
        c.note(FieldError::new(
            "required",
            "organ",
            "移送司法机关须写明接收机关",
        ));
    }
    let note = c.take(crate::error::required_paragraphs(
        "note",
        "措施内容",
        &m.note,
        2000,
    ));
    let until = c.take(optional_date("until", "停产停工期限", &m.until));
    if let (Some(Some(u)), Some(d)) = (until, decided_on)
        && u < d
    {
        c.note(FieldError::new(
            "invalid_until",
            "until",
            "停产停工期限不能早于决定日期",
        ));
    }
    c.finish()?;
    match (kind, decided_on, organ, note, until) {
        (Some(kind), Some(decided_on), Some(organ), Some(note), Some(until)) => Ok(Measure {
            kind,
            decided_on,
            organ,
            note,
            until,
        }),
        // Each is None only with its problem noted, which `finish` refused above.
        _ => Err(FieldError::new(
            "unreadable",
            "kind",
            "表单无法读取，请重新填写",
        )),
    }
}
