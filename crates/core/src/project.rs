//! Investment and construction projects and their safety approval (measure 七, key tasks
//! 33–35, items (68)–(73)): the dated steps from the risk assessment to use, the rules
//! the plan sets on their order, the 三同时 checklist, the 安全评价 reports that some
//! projects need, and the results of the (70) 回头看 review.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result};

/// Industries whose projects are high-risk (key task 33: "对危化品、矿山、烟花爆竹、建筑施工、
/// 金属冶炼等行业领域高危项目和人员密集场所，不得以集中审批为名降低安全门槛").
pub const HIGH_RISK_INDUSTRIES: [&str; 5] = ["危化品", "矿山", "烟花爆竹", "建筑施工", "金属冶炼"];

/// Industries whose projects need a 安全评价 (key task 35: "矿山、金属冶炼建设项目和用于生产、
/// 储存、装卸危险物品的建设项目，应当按照国家有关规定进行安全评价").
pub const EVALUATED_INDUSTRIES: [&str; 3] = ["危化品", "矿山", "金属冶炼"];

/// A project's kind of works (新建、改建、扩建).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Works {
    /// 新建.
    New,
    /// 改建.
    Rebuild,
    /// 扩建.
    Expansion,
}

impl Works {
    /// Every value, in display order.
    pub const ALL: [Works; 3] = [Works::New, Works::Rebuild, Works::Expansion];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Works::New => "new",
            Works::Rebuild => "rebuild",
            Works::Expansion => "expansion",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Works::New => "新建",
            Works::Rebuild => "改建",
            Works::Expansion => "扩建",
        }
    }

    /// Parses the stored or the Chinese name.
    pub fn parse(raw: &str) -> Option<Works> {
        let raw = raw.trim();
        Works::ALL
            .into_iter()
            .find(|w| w.as_str() == raw || w.label() == raw)
    }
}

/// A dated step of a project, in the order the plan expects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 安全风险评估与论证 (key task 33).
    Assessment,
    /// 安全预评价 (key task 35), for the evaluated industries.
    PreEvaluation,
    /// 审批.
    Approval,
    /// 设计.
    Design,
    /// 开工.
    Construction,
    /// 试运行.
    TrialRun,
    /// 安全验收评价 (key task 35), for the evaluated industries.
    AcceptanceEvaluation,
    /// 竣工验收.
    Acceptance,
    /// 投入使用.
    InUse,
}

impl Step {
    /// Every value, in display order.
    pub const ALL: [Step; 9] = [
        Step::Assessment,
        Step::PreEvaluation,
        Step::Approval,
        Step::Design,
        Step::Construction,
        Step::TrialRun,
        Step::AcceptanceEvaluation,
        Step::Acceptance,
        Step::InUse,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Assessment => "assessment",
            Step::PreEvaluation => "pre_evaluation",
            Step::Approval => "approval",
            Step::Design => "design",
            Step::Construction => "construction",
            Step::TrialRun => "trial_run",
            Step::AcceptanceEvaluation => "acceptance_evaluation",
            Step::Acceptance => "acceptance",
            Step::InUse => "in_use",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Step::Assessment => "安全风险评估与论证",
            Step::PreEvaluation => "安全预评价",
            Step::Approval => "审批",
            Step::Design => "设计",
            Step::Construction => "开工",
            Step::TrialRun => "试运行",
            Step::AcceptanceEvaluation => "安全验收评价",
            Step::Acceptance => "竣工验收",
            Step::InUse => "投入使用",
        }
    }

    /// Parses the stored or the Chinese name.
    pub fn parse(raw: &str) -> Option<Step> {
        let raw = raw.trim();
        Step::ALL
            .into_iter()
            .find(|s| s.as_str() == raw || s.label() == raw)
    }

    /// The step this one must come after (and not be dated before).
    pub fn after(self) -> Option<Step> {
        match self {
            Step::Assessment | Step::PreEvaluation => None,
            Step::Approval => Some(Step::Assessment),
            Step::Design | Step::Construction => Some(Step::Approval),
            Step::TrialRun => Some(Step::Construction),
            Step::AcceptanceEvaluation => Some(Step::TrialRun),
            Step::Acceptance => Some(Step::TrialRun),
            Step::InUse => Some(Step::Acceptance),
        }
    }

    /// The 安全评价 report a project of an evaluated industry must hold before this
    /// step: the pre-evaluation before approval, the acceptance evaluation before
    /// acceptance.
    pub fn needs_evaluation(self) -> Option<Step> {
        match self {
            Step::Approval => Some(Step::PreEvaluation),
            Step::Acceptance => Some(Step::AcceptanceEvaluation),
            _ => None,
        }
    }

    /// Whether the step is an evaluation report (its evaluating body is required).
    pub fn is_evaluation(self) -> bool {
        matches!(self, Step::PreEvaluation | Step::AcceptanceEvaluation)
    }
}

/// A flag on a project: a rule of the plan its dated steps break. The project is
/// recorded as its owner reports it and flagged, never silently taken as normal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// 边审批、边设计、边施工: design or construction dated before the approval (or
    /// recorded without one).
    BuiltBeforeApproval,
    /// Approved before (or without) the risk assessment and 论证.
    ApprovedBeforeAssessment,
    /// Another step dated before the step it depends on.
    OutOfOrder,
}

impl Flag {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::BuiltBeforeApproval => "built_before_approval",
            Flag::ApprovedBeforeAssessment => "approved_before_assessment",
            Flag::OutOfOrder => "out_of_order",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Flag::BuiltBeforeApproval => "边审批、边设计、边施工",
            Flag::ApprovedBeforeAssessment => "未经安全风险评估论证即审批",
            Flag::OutOfOrder => "步骤日期早于前置步骤",
        }
    }

    /// The label of a stored name.
    pub fn label_of(raw: &str) -> &'static str {
        [
            Flag::BuiltBeforeApproval,
            Flag::ApprovedBeforeAssessment,
            Flag::OutOfOrder,
        ]
        .into_iter()
        .find(|f| f.as_str() == raw)
        .map_or("", Flag::label)
    }
}

/// The flag a step dated `on` raises given the project's other dated steps (`dated`
/// returns a recorded step's date). Key task 33: "不得“边审批、边设计、边施工”".
pub fn flag_of(
    step: Step,
    on: NaiveDate,
    dated: impl Fn(Step) -> Option<NaiveDate>,
) -> Option<Flag> {
    let before = |s: Step| dated(s).is_none_or(|d| on < d);
    match step {
        Step::Design | Step::Construction if before(Step::Approval) => {
            Some(Flag::BuiltBeforeApproval)
        }
        Step::Approval if before(Step::Assessment) => Some(Flag::ApprovedBeforeAssessment),
        _ => match step.after() {
            Some(p) if dated(p).is_some_and(|d| on < d) => Some(Flag::OutOfOrder),
            _ => None,
        },
    }
}

/// Whether a project of `industry`, crowded or not, is high-risk in the plan's sense
/// (batch approval is refused to it).
pub fn high_risk(industry: &str, crowded: bool) -> bool {
    crowded || is_one_of(industry, &HIGH_RISK_INDUSTRIES)
}

/// Whether the sector named `industry` is one of `kinds`, as the directory spells its
/// sectors ("危险化学品" is 危化品, "非煤矿山" is 矿山, "建设施工" is 建筑施工).
fn is_one_of(industry: &str, kinds: &[&str]) -> bool {
    let industry = crate::sector::canonical(industry);
    kinds.iter().any(|k| industry.contains(k))
}

/// Whether a project of `industry` needs the 安全评价 reports.
pub fn evaluated(industry: &str) -> bool {
    is_one_of(industry, &EVALUATED_INDUSTRIES)
}

/// One item of the 三同时 checklist (key task 35: "安全设施，必须与主体工程同时设计、同时
/// 施工、同时投产和使用。安全设施投资应当纳入建设项目概算").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The safety investment is in the budget estimate (概算).
    Budget,
    /// The safety facilities designed with the main works.
    Design,
    /// Built with them.
    Construction,
    /// Put in use with them.
    Use,
}

impl Check {
    /// Every value, in display order.
    pub const ALL: [Check; 4] = [
        Check::Budget,
        Check::Design,
        Check::Construction,
        Check::Use,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Budget => "budget",
            Check::Design => "design",
            Check::Construction => "construction",
            Check::Use => "use",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Check::Budget => "安全投入纳入概算",
            Check::Design => "安全设施同时设计",
            Check::Construction => "安全设施同时施工",
            Check::Use => "安全设施同时投产和使用",
        }
    }

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.as_str() == raw.trim())
    }
}

/// A result of the (70) review: "对发现的落后产能企业坚决一律取缔…已经运行的要坚决整改".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 合规.
    Compliant,
    /// 限期整改: an obligation of the owner and its sector department.
    Rectify,
    /// 淘汰取缔 as 落后产能.
    Eliminate,
}

impl Verdict {
    /// Every value, in display order.
    pub const ALL: [Verdict; 3] = [Verdict::Compliant, Verdict::Rectify, Verdict::Eliminate];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Compliant => "compliant",
            Verdict::Rectify => "rectify",
            Verdict::Eliminate => "eliminate",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Compliant => "合规",
            Verdict::Rectify => "限期整改",
            Verdict::Eliminate => "淘汰取缔（落后产能）",
        }
    }

    /// Parses the stored or Chinese name.
    pub fn parse(raw: &str) -> Result<Verdict> {
        let raw = raw.trim();
        Verdict::ALL
            .into_iter()
            .find(|v| v.as_str() == raw || v.label() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    "invalid_result",
                    "result",
                    "result 应为 compliant（合规）、rectify（限期整改）或 eliminate（淘汰取缔）",
                )
            })
    }
}

impl Verdict {
    /// The Chinese name of a stored result, or 待复核 while there is none.
    pub fn label_of(raw: Option<&str>) -> &'static str {
        raw.and_then(|r| Verdict::parse(r).ok())
            .map_or("待复核", Verdict::label)
    }
}

/// The day the (70) review is due: "9月底，完成项目审批“回头看”".
pub fn review_due(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 9, 30).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Key task 33: "不得“边审批、边设计、边施工”".
    #[test]
    fn building_before_the_approval_is_flagged() {
        let approved = |s: Step| match s {
            Step::Approval => Some(d("2022-05-01")),
            Step::Assessment => Some(d("2022-04-01")),
            _ => None,
        };
        assert_eq!(
            flag_of(Step::Construction, d("2022-04-20"), approved),
            Some(Flag::BuiltBeforeApproval)
        );
        assert_eq!(flag_of(Step::Construction, d("2022-05-20"), approved), None);
        assert_eq!(
            flag_of(Step::Design, d("2022-03-01"), |_| None),
            Some(Flag::BuiltBeforeApproval),
            "design without any approval"
        );
        assert_eq!(
            flag_of(Step::Approval, d("2022-03-01"), |_| None),
            Some(Flag::ApprovedBeforeAssessment)
        );
        assert_eq!(
            flag_of(Step::InUse, d("2022-05-02"), |s| (s == Step::Acceptance)
                .then(|| d("2022-06-01"))),
            Some(Flag::OutOfOrder)
        );
    }

    /// Key task 33: "对危化品、矿山、烟花爆竹、建筑施工、金属冶炼等行业领域高危项目和人员密集场所，
    /// 不得以集中审批为名降低安全门槛"; key task 35: "矿山、金属冶炼建设项目和用于生产、储存、
    /// 装卸危险物品的建设项目，应当按照国家有关规定进行安全评价".
    #[test]
    fn high_risk_and_evaluated_industries() {
        assert!(high_risk("烟花爆竹", false) && high_risk("商贸", true));
        assert!(!high_risk("商贸", false));
        assert!(high_risk("危险化学品", false) && high_risk("非煤矿山", false));
        assert!(evaluated("危险化学品") && evaluated("非煤矿山"));
        assert!(evaluated("危化品") && evaluated("金属冶炼") && !evaluated("建筑施工"));
        assert_eq!(Step::Approval.needs_evaluation(), Some(Step::PreEvaluation));
        assert_eq!(review_due(2022), d("2022-09-30"));
    }
}
