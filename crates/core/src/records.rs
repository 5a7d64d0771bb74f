//! What the records of measures 七, 八 and 九 say of a work item (issue 23 part 5): a
//! work item whose text names one of these duties shows figures read from the projects,
//! contracts, inspections and rosters kept for it, beside its obligations. The duty is
//! recognised by the words of the plan, so an edited or another year's plan that keeps
//! them keeps its figures.

/// A duty of measures 七–九 whose work is kept as records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Record {
    /// (68) 安全风险评估与论证机制.
    Assessment,
    /// (69) 不得以集中审批为名降低安全门槛.
    BatchRefusal,
    /// (70) 项目审批“回头看”.
    Review,
    /// (71) 违规审批项目终身追责.
    Lifelong,
    /// (72) 安全“三同时”.
    ThreeSimultaneities,
    /// (73) 安全评价.
    Evaluation,
    /// (74) 违法分包转包专项执法检查.
    SubcontractingInspection,
    /// (75) 严查资质方的责任.
    QualificationHolder,
    /// (76) 分包、管理输出项目纳入企业统一管理.
    RelatedUnits,
    /// (77) 通报其上级公司、主管部门及纪检监察部门.
    Reported,
    /// (78) 劳务派遣等人员纳入本单位统一管理.
    Roster,
    /// (79) 劳务派遣单位的安全培训责任.
    AgencyTraining,
    /// (80) 经考试合格方可上岗.
    TrainingChecked,
    /// (81) 双查问责.
    DoubleCheck,
}

/// The words of the plan that name each duty, first match wins.
const WORDS: [(&str, Record); 14] = [
    ("回头看", Record::Review),
    ("安全风险评估与论证", Record::Assessment),
    ("集中审批", Record::BatchRefusal),
    ("终身追责", Record::Lifelong),
    ("三同时", Record::ThreeSimultaneities),
    ("安全评价", Record::Evaluation),
    ("违法分包转包专项执法检查", Record::SubcontractingInspection),
    ("资质方", Record::QualificationHolder),
    ("管理输出", Record::RelatedUnits),
    ("通报其上级公司", Record::Reported),
    ("劳务派遣人员、专业承建人员", Record::Roster),
    (
        "劳务派遣单位对被派遣劳务人员的安全培训",
        Record::AgencyTraining,
    ),
    ("经考试合格方可上岗", Record::TrainingChecked),
    ("双查问责", Record::DoubleCheck),
];

/// The duty a work item's text names, if it is one of these.
pub fn of(text: &str) -> Option<Record> {
    WORDS
        .iter()
        .find(|(w, _)| text.contains(w))
        .map(|(_, r)| *r)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan's items (68)–(81), each read as its duty.
    #[test]
    fn the_plans_items_name_their_duties() {
        for (text, want) in [
            (
                "区发展改革委建立完善安全风险评估与论证机制，严把项目审批安全关。",
                Record::Assessment,
            ),
            (
                "高危项目和人员密集场所，不得以集中审批为名降低安全门槛。",
                Record::BatchRefusal,
            ),
            (
                "坚决淘汰落后产能。9月底，完成项目审批“回头看”，对发现的落后产能企业坚决一律取缔。",
                Record::Review,
            ),
            ("安全不达标的违规审批项目，实行终身追责。", Record::Lifelong),
            (
                "严格安全“三同时”，将安全投入纳入建设项目概算。",
                Record::ThreeSimultaneities,
            ),
            (
                "高危企业及涉危建设项目必须进行安全评价，承包、承租生产经营场所、项目、设备必须具备安全条件和资质。",
                Record::Evaluation,
            ),
            (
                "9月底完成违法分包转包专项执法检查，从严整改。",
                Record::SubcontractingInspection,
            ),
            (
                "6月底，全面完成自查整改。对发生生产安全事故的，严查资质方的责任。",
                Record::QualificationHolder,
            ),
            (
                "将分包、管理输出、联合建设项目纳入企业统一管理。",
                Record::RelatedUnits,
            ),
            (
                "行业部门开展专项检查，重奖群众举报，严格责任追究。对相关违法行为要通报其上级公司、主管部门及纪检监察部门追究责任。",
                Record::Reported,
            ),
            (
                "企业将劳务派遣人员、专业承建人员、临时服务人员以及实习试用人员纳入本单位统一管理，严格落实“一线责任制”。",
                Record::Roster,
            ),
            (
                "强化劳务派遣单位对被派遣劳务人员的安全培训责任岗。",
                Record::AgencyTraining,
            ),
            (
                "行业主管部门督促劳务派遣单位对被派遣劳务人员开展安全培训，经考试合格方可上岗。",
                Record::TrainingChecked,
            ),
            (
                "对劳务派遣人员造成事故的，要对用人单位和劳务派遣单位实行“双查问责”。",
                Record::DoubleCheck,
            ),
        ] {
            assert_eq!(of(text), Some(want), "{text}");
        }
        assert_eq!(of("严格交办督办、通报批评、警示约谈和追责问责。"), None);
    }
}
