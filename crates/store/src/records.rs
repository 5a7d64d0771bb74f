//! The figures of measures 七, 八 and 九 read from their records in a scope (issue 23
//! part 5): projects and their steps, the 三同时 checklist, the (70) review, contracts
//! and the findings of the special inspections, rosters, and accidents' parties. The
//! campaign tree and a work item's page show them on the items that name these duties
//! (`core::records`).

use anjian_core::records::Record;
use serde::Serialize;

use crate::db::{Db, q};
use crate::error::Result;
use crate::scope::Scope;

/// The figures in a scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub projects: i64,
    pub approved: i64,
    pub assessed: i64,
    pub high_risk: i64,
    pub batch_high_risk: i64,
    pub evaluated: i64,
    pub evaluations_done: i64,
    pub checks: i64,
    pub checks_done: i64,
    pub reviewed: i64,
    pub to_review: i64,
    pub contracts: i64,
    pub flagged_contracts: i64,
    pub subcontracting_inspections: i64,
    pub findings: i64,
    pub notices: i64,
    pub workforce_inspections: i64,
    pub workers: i64,
    pub roster_enterprises: i64,
    pub dispatched_flexible: i64,
    pub untrained: i64,
    pub project_accidents: i64,
    pub dispatch_accidents: i64,
}

/// A work item's line of figures, and its work as done of total where the records
/// measure it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub text: String,
    pub progress: Option<(i64, i64)>,
}

impl Figures {
    /// What the records say of `record`.
    pub fn line(&self, record: Record) -> Line {
        let (text, progress) = match record {
            Record::Assessment => (
                format!(
                    "已审批项目{}个，其中经安全风险评估论证{}个",
                    self.approved, self.assessed
                ),
                Some((self.assessed, self.approved)),
            ),
            Record::BatchRefusal => (
                format!(
                    "高危和人员密集场所项目{}个，集中审批{}个",
                    self.high_risk, self.batch_high_risk
                ),
                None,
            ),
            Record::Review => (
                format!("“回头看”已复核{}/{}个项目", self.reviewed, self.to_review),
                Some((self.reviewed, self.to_review)),
            ),
            Record::Lifelong => (
                format!("发生事故的项目{}个，审批记录可追溯", self.project_accidents),
                None,
            ),
            Record::ThreeSimultaneities => (
                format!("“三同时”已落实{}/{}项", self.checks_done, self.checks),
                Some((self.checks_done, self.checks)),
            ),
            Record::Evaluation => (
                format!(
                    "须安全评价项目{}个，预评价和验收评价齐全{}个",
                    self.evaluated, self.evaluations_done
                ),
                Some((self.evaluations_done, self.evaluated)),
            ),
            Record::SubcontractingInspection => (
                format!(
                    "分包转包专项执法检查{}次，查处问题合同{}份",
                    self.subcontracting_inspections, self.findings
                ),
                None,
            ),
            Record::QualificationHolder => (
                format!(
                    "登记合同{}份，标记转包、违法分包、挂靠或资质过期{}份",
                    self.contracts, self.flagged_contracts
                ),
                None,
            ),
            Record::RelatedUnits => (
                format!("登记项目{}个、合同{}份", self.projects, self.contracts),
                None,
            ),
            Record::Reported => (
                format!("向上级公司、主管部门和纪检监察部门通报{}次", self.notices),
                None,
            ),
            Record::Roster => (
                format!("{}家企业名册共{}人", self.roster_enterprises, self.workers),
                None,
            ),
            Record::AgencyTraining => (
                format!(
                    "劳务派遣和灵活用工{}人，未经安全培训合格{}人",
                    self.dispatched_flexible, self.untrained
                ),
                Some((self.workers - self.untrained, self.workers)),
            ),
            Record::TrainingChecked => (
                format!(
                    "持证上岗和安全培训检查{}次；未经培训合格{}人",
                    self.workforce_inspections, self.untrained
                ),
                None,
            ),
            Record::DoubleCheck => (
                format!("涉劳务派遣人员的事故{}起", self.dispatch_accidents),
                None,
            ),
        };
        Line { text, progress }
    }
}

/// The figures in `scope`.
pub async fn figures(db: &Db, scope: &Scope) -> Result<Figures> {
    let projects = |select: &str| {
        crate::projects::visible(
            scope,
            q(format!(
                "SELECT {select} FROM projects p JOIN units o ON o.id = p.owner_id WHERE "
            )),
        )
    };
    let sum =
        |e: &str| format!("CAST(COALESCE(SUM(CASE WHEN {e} THEN 1 ELSE 0 END), 0) AS BIGINT)");
    let step = |s: &str| {
        format!(
            "EXISTS (SELECT 1 FROM project_steps s WHERE s.project_id = p.id AND s.step = '{s}')"
        )
    };
    let select = [
        "CAST(COUNT(*) AS BIGINT)".to_string(),
        sum(&step("approval")),
        sum(&format!("{} AND {}", step("approval"), step("assessment"))),
        sum("p.high_risk = 1"),
        sum("p.high_risk = 1 AND p.batch_approval = 1"),
        sum("p.evaluated = 1"),
        sum(&format!(
            "p.evaluated = 1 AND {} AND {}",
            step("pre_evaluation"),
            step("acceptance_evaluation")
        )),
    ]
    .join(", ");
    let (n, approved, assessed, high_risk, batch_high_risk, evaluated, evaluations_done): (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = db.read().one(projects(&select)).await?;
    let (checks, checks_done): (i64, i64) = db
        .read()
        .one(crate::projects::visible(
            scope,
            q("SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(c.done), 0) AS BIGINT) FROM project_checks c JOIN projects p ON p.id = c.project_id JOIN units o ON o.id = p.owner_id WHERE "),
        ))
        .await?;
    let (to_review, reviewed): (i64, i64) = db
        .read()
        .one(crate::projects::visible(
            scope,
            q("SELECT CAST(COUNT(*) AS BIGINT), CAST(COUNT(i.result) AS BIGINT) FROM project_review_items i JOIN projects p ON p.id = i.project_id JOIN units o ON o.id = p.owner_id WHERE "),
        ))
        .await?;
    let (contracts, flagged_contracts): (i64, i64) = db
        .read()
        .one(crate::projects::visible(
            scope,
            q(format!("SELECT CAST(COUNT(*) AS BIGINT), {} FROM contracts c JOIN projects p ON p.id = c.project_id JOIN units o ON o.id = p.owner_id WHERE ", sum("c.flags <> ''"))),
        ))
        .await?;
    let (subcontracting_inspections, workforce_inspections, findings): (i64, i64, i64) = db
        .read()
        .one(scope.units(
            q(format!("SELECT {}, {}, CAST(COALESCE(SUM((SELECT COUNT(*) FROM enforcement_findings f WHERE f.enforcement_id = e.id)), 0) AS BIGINT) FROM enforcements e JOIN units x ON x.id = e.enterprise_id WHERE e.kind IS NOT NULL AND ", sum("e.kind = 'subcontracting'"), sum("e.kind = 'workforce'"))),
            "x",
        ))
        .await?;
    let (notices,): (i64,) = db
        .read()
        .one(scope.units(
            q("SELECT CAST(COUNT(*) AS BIGINT) FROM notices n JOIN enforcements e ON e.id = n.subject_id JOIN units x ON x.id = e.enterprise_id WHERE n.subject = 'enforcement' AND "),
            "x",
        ))
        .await?;
    let (roster_enterprises, workers, dispatched_flexible, untrained): (i64, i64, i64, i64) = db
        .read()
        .one(scope.units(
            q("SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(w.total), 0) AS BIGINT), CAST(COALESCE(SUM(w.dispatched_flexible), 0) AS BIGINT), CAST(COALESCE(SUM(w.untrained), 0) AS BIGINT) FROM workforce w JOIN units u ON u.id = w.enterprise_id WHERE w.total > 0 AND "),
            "u",
        ))
        .await?;
    let (project_accidents, dispatch_accidents): (i64, i64) = db
        .read()
        .one(scope.units(
            q(format!("SELECT {}, {} FROM accidents a JOIN units u ON u.id = a.unit_id WHERE ", sum("a.project_id IS NOT NULL"), sum("EXISTS (SELECT 1 FROM accident_parties ap WHERE ap.accident_id = a.id AND ap.role = 'dispatcher')"))),
            "u",
        ))
        .await?;
    Ok(Figures {
        projects: n,
        approved,
        assessed,
        high_risk,
        batch_high_risk,
        evaluated,
        evaluations_done,
        checks,
        checks_done,
        reviewed,
        to_review,
        contracts,
        flagged_contracts,
        subcontracting_inspections,
        findings,
        notices,
        workforce_inspections,
        workers,
        roster_enterprises,
        dispatched_flexible,
        untrained,
        project_accidents,
        dispatch_accidents,
    })
}
