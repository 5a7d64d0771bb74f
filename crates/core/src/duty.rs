//! Duty records (履职纪实) and the quotas they are counted against: the activities an
//! official or leader logs, the posts the plan gives quotas to (post × activity ×
//! period × minimum, items (7), (8), (23) and (53)), the periods a quota runs over, and
//! how a run of daily counts meets a quota by a given day.

use crate::time::Span;
use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result};

/// A duty activity.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// 专题研究 (a special study meeting).
    Study,
    /// 实地调研检查.
    SiteInspection,
    /// 听取汇报 (hearing the team's duty report).
    HearReport,
    /// 协调调度.
    Coordination,
    /// 检查督查.
    Check,
    /// 指导检查挂牌企业 (a responsible official at a listed enterprise).
    Inspection,
    /// 督促整改突出问题隐患.
    ProblemFixed,
    /// 协调解决安全管理难题.
    DifficultySolved,
}

impl Activity {
    pub const ALL: [Activity; 8] = [
        Activity::Study,
        Activity::SiteInspection,
        Activity::HearReport,
        Activity::Coordination,
        Activity::Check,
        Activity::Inspection,
        Activity::ProblemFixed,
        Activity::DifficultySolved,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Study => "study",
            Activity::SiteInspection => "site_inspection",
            Activity::HearReport => "hear_report",
            Activity::Coordination => "coordination",
            Activity::Check => "check",
            Activity::Inspection => "inspection",
            Activity::ProblemFixed => "problem_fixed",
            Activity::DifficultySolved => "difficulty_solved",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Activity::Study => "专题研究",
            Activity::SiteInspection => "实地调研检查",
            Activity::HearReport => "听取履职汇报",
            Activity::Coordination => "协调调度",
            Activity::Check => "检查督查",
            Activity::Inspection => "指导检查挂牌企业",
            Activity::ProblemFixed => "督促整改问题隐患",
            Activity::DifficultySolved => "协调解决安全管理难题",
        }
    }

    /// Reads a stored name (field `activity`).
    pub fn parse(raw: &str) -> Result<Activity> {
        Activity::ALL
            .into_iter()
            .find(|a| a.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new("invalid_activity", "activity", "履职活动类别不正确"))
    }

    /// Whether a quota of this activity counts distinct enterprises rather than records:
    /// (53) "每月至少指导检查2家以上挂牌企业" is not met by one enterprise visited twice.
    pub fn counts_enterprises(self) -> bool {
        self == Activity::Inspection
    }

    /// Whether the activity is done at one listed enterprise, which must be named.
    pub fn at_enterprise(self) -> bool {
        matches!(
            self,
            Activity::Inspection | Activity::ProblemFixed | Activity::DifficultySolved
        )
    }
}

/// A post with quotas: its code (`township_head`, or one the office added), kept as
/// data (`duty_posts`) so that the office can add the posts the plan names.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Post(pub String);

impl Post {
    /// The post of the responsible officials of listed enterprises: whoever is named on
    /// an enterprise holds it, nobody is appointed to it.
    pub const RESPONSIBLE_OFFICIAL: &'static str = "responsible_official";

    /// The stored code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the responsible officials' post.
    pub fn is_responsible_official(&self) -> bool {
        self.0 == Post::RESPONSIBLE_OFFICIAL
    }
}

/// A post as the office defines it: code, Chinese name, the kind of unit whose
/// officials hold it, and where the plan names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PostDef {
    pub code: Post,
    pub name: String,
    /// The kinds of unit whose officials hold it, comma-separated: committee_office,
    /// township, zone_committee, department, soe or enterprise.
    pub unit_kind: String,
    /// Where the plan names it, e.g. "（34）".
    #[serde(default)]
    pub source: String,
}

impl PostDef {
    /// The unit kinds' Chinese names, "镇街、管委会".
    pub fn unit_kind_label(&self) -> String {
        self.unit_kind
            .split(',')
            .filter_map(|k| crate::unit::UnitKind::parse(k).ok())
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join("、")
    }

    /// Whether an official of a unit of `kind` may hold it.
    pub fn held_in(&self, kind: &str) -> bool {
        self.unit_kind.split(',').any(|k| k.trim() == kind)
    }
}

/// A post the office adds: its name, unit kind and source (the code is given by the
/// product).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewPost {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub unit_kind: String,
    #[serde(default)]
    pub source: String,
}

/// Checks a new post: a name (field `name`), one or more unit kinds separated by
/// commas (field `unit_kind`) and an optional source; every problem at once. Returns
/// (name, unit kinds as stored, source).
pub fn check_post(p: &NewPost) -> Result<(String, String, String)> {
    let mut c = crate::error::Checks::default();
    let name = c.take(crate::error::required_text("name", "岗位名称", &p.name, 50));
    let kinds = if p.unit_kind.trim().is_empty() {
        c.note(FieldError::new(
            "required",
            "unit_kind",
            "请选择岗位所在单位类别",
        ));
        None
    } else {
        let kinds: Option<Vec<&'static str>> = p
            .unit_kind
            .split(',')
            .map(|k| {
                crate::unit::UnitKind::parse(k.trim())
                    .ok()
                    .map(|k| k.as_str())
            })
            .collect();
        if kinds.is_none() {
            c.note(FieldError::new(
                "invalid_unit_kind",
                "unit_kind",
                "单位类别不正确",
            ));
        }
        kinds.map(|k| k.join(","))
    };
    let source = c.take(crate::error::optional_text("source", "依据", &p.source, 50));
    c.finish()?;
    match (name, kinds, source) {
        (Some(n), Some(k), Some(s)) => Ok((n, k, s.unwrap_or_default())),
        _ => Err(FieldError::new(
            "unreadable",
            "name",
            "表单无法读取，请重新填写",
        )),
    }
}

/// The posts the plan names (铜安办〔2022〕31号), which a new database starts with:
/// items (7), (22), (8), (23), (33), (34) and (53). 其他负责人 of item (23) are the
/// leaders beside the heads at every level.
pub fn plan_posts() -> Vec<PostDef> {
    let p = |code: &str, name: &str, unit_kind: &str, source: &str| PostDef {
        code: Post(code.into()),
        name: name.into(),
        unit_kind: unit_kind.into(),
        source: source.into(),
    };
    vec![
        p(
            "district_head",
            "区委主要负责人",
            "committee_office",
            "（7）",
        ),
        p(
            "government_head",
            "区政府主要负责人",
            "committee_office",
            "（22）",
        ),
        p(
            "township_head",
            "镇街主要负责人",
            "township,zone_committee",
            "（8）",
        ),
        p(
            "other_leader",
            "其他负责人",
            "committee_office,township,zone_committee,department",
            "（23）",
        ),
        p("department_head", "部门主要负责人", "department", "（33）"),
        p(
            "department_deputy",
            "部门分管负责人",
            "department",
            "（33）（34）",
        ),
        p(
            Post::RESPONSIBLE_OFFICIAL,
            "挂牌企业行政、行业监管负责人",
            "enterprise",
            "（53）",
        ),
    ]
}

/// How long a quota runs before it starts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Monday to Sunday.
    Week,
    Month,
    Quarter,
    HalfYear,
}

impl Period {
    pub const ALL: [Period; 4] = [
        Period::Week,
        Period::Month,
        Period::Quarter,
        Period::HalfYear,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::HalfYear => "half_year",
        }
    }

    /// The Chinese name (每周、每月 …).
    pub fn label(self) -> &'static str {
        match self {
            Period::Week => "每周",
            Period::Month => "每月",
            Period::Quarter => "每季度",
            Period::HalfYear => "每半年",
        }
    }

    /// Reads a stored name (field `period`).
    pub fn parse(raw: &str) -> Result<Period> {
        Period::ALL
            .into_iter()
            .find(|p| p.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new("invalid_period", "period", "周期应为周、月、季度或半年")
            })
    }

    /// The period that contains `d`: its first and last days.
    pub fn containing(self, d: NaiveDate) -> (NaiveDate, NaiveDate) {
        let month_start = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d);
        let span = |y: i32, first_month: u32, months: u32| {
            let first = month_start(y, first_month);
            let next = first
                .checked_add_months(chrono::Months::new(months))
                .unwrap_or(first);
            (first, next.pred_opt().unwrap_or(next))
        };
        match self {
            Period::Week => {
                let first = d - Days::new(u64::from(d.weekday().num_days_from_monday()));
                (first, first + Days::new(6))
            }
            Period::Month => span(d.year(), d.month(), 1),
            Period::Quarter => span(d.year(), (d.month() - 1) / 3 * 3 + 1, 3),
            Period::HalfYear => span(d.year(), (d.month() - 1) / 6 * 6 + 1, 6),
        }
    }

    /// The periods that overlap `first..=last`, in order.
    pub fn overlapping(self, first: NaiveDate, last: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
        let mut out = Vec::new();
        let mut d = first;
        while d <= last && out.len() < 400 {
            let p = self.containing(d);
            out.push(p);
            d = match p.1.succ_opt() {
                Some(n) => n,
                None => break,
            };
        }
        out
    }
}

/// A quota: the post must log at least `minimum` of `activity` each `period`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Quota {
    pub post: Post,
    /// The post's name: filled when read, ignored when set.
    #[serde(default)]
    pub post_name: String,
    pub activity: Activity,
    pub period: Period,
    pub minimum: i64,
    /// Where the plan says so, e.g. "（7）".
    #[serde(default)]
    pub source: String,
}

impl Quota {
    /// "每季度专题研究至少1次", "每月指导检查挂牌企业至少2家".
    pub fn label(&self) -> String {
        format!(
            "{}{}至少{}{}",
            self.period.label(),
            self.activity.label(),
            self.minimum,
            if self.activity.counts_enterprises() {
                "家"
            } else {
                "次"
            }
        )
    }
}

/// The quotas of the plan (铜安办〔2022〕31号): items (7) and (8) for the district and
/// township heads, (18) and (22) for the district government's head, (23) for other leaders,
/// (33) and (34) for the departments' heads and deputies, and (53) for the responsible
/// officials of listed enterprises.
pub fn plan_quotas() -> Vec<Quota> {
    use Activity::*;
    use Period::*;
    let posts = plan_posts();
    let q = |post: &str, activity, period, minimum, source: &str| Quota {
        post: Post(post.into()),
        post_name: posts
            .iter()
            .find(|p| p.code.as_str() == post)
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        activity,
        period,
        minimum,
        source: source.to_string(),
    };
    vec![
        q("district_head", Study, Quarter, 1, "（7）"),
        q("district_head", SiteInspection, Quarter, 1, "（7）"),
        q("district_head", HearReport, HalfYear, 1, "（7）"),
        q("township_head", Study, Month, 1, "（8）"),
        q("township_head", SiteInspection, Month, 1, "（8）"),
        q("township_head", HearReport, Quarter, 1, "（8）"),
        q("other_leader", Coordination, Week, 1, "（23）"),
        q("other_leader", Check, Month, 1, "（23）"),
        // (18) "区政府常务会逐月听取10个安全专项办公室和相关重点行业部门汇报": the standing
        // meeting's hearing, logged as a record with its participants and topic.
        q("government_head", HearReport, Month, 1, "（18）"),
        // (22) "主要负责人每月至少开展1次调研检查，组织1次专题研究".
        q("government_head", SiteInspection, Month, 1, "（22）"),
        q("government_head", Study, Month, 1, "（22）"),
        // (33) "主要负责人每月至少开展1次安全生产检查，每季度至少组织召开1次专题会…
        // 分管负责人每月至少带队组织开展1次安全生产检查".
        q("department_head", Check, Month, 1, "（33）"),
        q("department_head", Study, Quarter, 1, "（33）"),
        q("department_deputy", Check, Month, 1, "（33）"),
        // (34) "分管负责人每周必须调度推动执法".
        q("department_deputy", Coordination, Week, 1, "（34）"),
        q(Post::RESPONSIBLE_OFFICIAL, Inspection, Month, 2, "（53）"),
        q(Post::RESPONSIBLE_OFFICIAL, ProblemFixed, Month, 2, "（53）"),
        q(
            Post::RESPONSIBLE_OFFICIAL,
            DifficultySolved,
            Month,
            2,
            "（53）",
        ),
    ]
}

/// How one quota stands over the periods overlapping a range, as of a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Standing {
    /// The minimum times the number of periods.
    pub required: i64,
    /// Activities logged in those periods.
    pub done: i64,
    /// Periods ended (by the day) below the minimum.
    pub missed: i64,
    /// Periods still running below the minimum.
    pub pending: i64,
}

impl Standing {
    /// Whether every period so far met the quota.
    pub fn met(&self) -> bool {
        self.missed == 0 && self.pending == 0
    }

    /// "已完成", "未完成" (a period ended short) or "进行中".
    pub fn label(&self) -> &'static str {
        if self.missed > 0 {
            "未完成"
        } else if self.pending > 0 {
            "进行中"
        } else {
            "已完成"
        }
    }
}

/// One period of a quota in a person's duty file: its days, what was done, and
/// whether it met the minimum, ended short, or still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PeriodLine {
    #[schema(value_type = String, format = Date)]
    pub first: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub last: NaiveDate,
    pub done: i64,
    pub minimum: i64,
    /// The period ended (before the day it is read).
    pub ended: bool,
}

impl PeriodLine {
    /// Whether the minimum was met.
    pub fn met(&self) -> bool {
        self.done >= self.minimum
    }

    /// "已完成", "未完成" (ended short) or "进行中".
    pub fn label(&self) -> &'static str {
        if self.met() {
            "已完成"
        } else if self.ended {
            "未完成"
        } else {
            "进行中"
        }
    }
}

/// Each period of `quota` overlapping `first..=last` as of `as_of`, given the records of
/// the activity (one entry per record, any order: the day and the enterprise, 0 for
/// none). A quota that counts enterprises counts each once a period.
pub fn period_lines(
    quota: &Quota,
    Span { first, last }: Span,
    as_of: NaiveDate,
    records: &[(NaiveDate, i64)],
) -> Vec<PeriodLine> {
    quota
        .period
        .overlapping(first, last)
        .into_iter()
        .map(|(pf, pl)| {
            let inside = records.iter().filter(|(d, _)| *d >= pf && *d <= pl);
            let done = if quota.activity.counts_enterprises() {
                let mut ents: Vec<i64> = inside.map(|(_, e)| *e).filter(|e| *e != 0).collect();
                ents.sort_unstable();
                ents.dedup();
                ents.len() as i64
            } else {
                inside.count() as i64
            };
            PeriodLine {
                first: pf,
                last: pl,
                done,
                minimum: quota.minimum,
                ended: pl < as_of,
            }
        })
        .collect()
}

/// How `quota` stands over the periods overlapping `first..=last` as of `as_of`
/// ([`period_lines`] summed).
pub fn standing(
    quota: &Quota,
    span: Span,
    as_of: NaiveDate,
    records: &[(NaiveDate, i64)],
) -> Standing {
    let mut s = Standing::default();
    for line in period_lines(quota, span, as_of, records) {
        s.required += line.minimum;
        s.done += line.done;
        if !line.met() {
            if line.ended {
                s.missed += 1;
            } else {
                s.pending += 1;
            }
        }
    }
    s
}

/// Checks the day of a duty record logged on `today`: not in the future (field `on`);
/// returns whether it is back-dated beyond `window_days` and so needs the office's
/// approval before it counts.
pub fn check_day(on: NaiveDate, today: NaiveDate, window_days: i64) -> Result<bool> {
    if on > today {
        return Err(FieldError::new("future_date", "on", "履职日期不能晚于今天"));
    }
    Ok((today - on).num_days() > window_days)
}

/// Where a duty record stands: one logged within the window counts at once; one
/// back-dated beyond it waits for the office, which approves or refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    /// 已计入.
    Counted,
    /// 补录待审批.
    Pending,
    /// 不予计入.
    Refused,
}

impl crate::machine::States for RecordState {
    const ALL: &'static [RecordState] = &[
        RecordState::Counted,
        RecordState::Pending,
        RecordState::Refused,
    ];

    fn as_str(self) -> &'static str {
        match self {
            RecordState::Counted => "counted",
            RecordState::Pending => "pending",
            RecordState::Refused => "refused",
        }
    }

    fn label(self) -> &'static str {
        match self {
            RecordState::Counted => "已计入",
            RecordState::Pending => "补录待审批",
            RecordState::Refused => "不予计入",
        }
    }
}

/// The office's decision on a back-dated record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordStep {
    Approve,
    Refuse,
}

/// A duty record's approval.
pub struct Approval;

impl crate::machine::Machine for Approval {
    type State = RecordState;
    type Step = RecordStep;
    const INITIAL: &'static [RecordState] = &[RecordState::Counted, RecordState::Pending];
    const TABLE: &'static [crate::machine::Transition<RecordState, RecordStep>] = &[
        crate::machine::Transition::new(
            RecordStep::Approve,
            RecordState::Pending,
            RecordState::Counted,
            &[crate::machine::By::Office],
            &[],
        ),
        crate::machine::Transition::new(
            RecordStep::Refuse,
            RecordState::Pending,
            RecordState::Refused,
            &[crate::machine::By::Office],
            &[],
        ),
    ];

    fn refusal(_: RecordStep, _: RecordState) -> FieldError {
        FieldError::new("not_pending", "state", "该履职记录无需审批")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    #[test]
    fn periods_contain_their_days() {
        assert_eq!(Period::Week.containing(d(7, 6)), (d(7, 4), d(7, 10)));
        assert_eq!(Period::Month.containing(d(2, 14)), (d(2, 1), d(2, 28)));
        assert_eq!(Period::Quarter.containing(d(7, 31)), (d(7, 1), d(9, 30)));
        assert_eq!(Period::HalfYear.containing(d(6, 30)), (d(1, 1), d(6, 30)));
        assert_eq!(Period::HalfYear.containing(d(12, 31)), (d(7, 1), d(12, 31)));
        // July 2022 touches five weeks, from Monday 27 June to Sunday 31 July.
        let weeks = Period::Week.overlapping(d(7, 1), d(7, 31));
        assert_eq!(weeks.len(), 5);
        assert_eq!((weeks[0].0, weeks[4].1), (d(6, 27), d(7, 31)));
        assert_eq!(Period::Week.overlapping(d(8, 1), d(8, 31)).len(), 5);
    }

    #[test]
    fn a_quota_is_missed_only_once_its_period_has_ended() {
        let two = Quota {
            post: Post(Post::RESPONSIBLE_OFFICIAL.into()),
            post_name: String::new(),
            activity: Activity::Inspection,
            period: Period::Month,
            minimum: 2,
            source: String::new(),
        };
        let july = Span::new(d(7, 1), d(7, 31));
        let s = standing(&two, july, d(8, 9), &[(d(7, 5), 1)]);
        assert_eq!((s.required, s.done, s.missed, s.pending), (2, 1, 1, 0));
        assert_eq!(s.label(), "未完成");
        let s = standing(&two, july, d(7, 20), &[(d(7, 5), 1)]);
        assert_eq!((s.missed, s.pending), (0, 1));
        let s = standing(
            &two,
            july,
            d(8, 9),
            &[(d(7, 5), 1), (d(7, 30), 2), (d(6, 30), 3)],
        );
        assert!(s.met());
        // (53) "每月至少指导检查2家以上挂牌企业": one enterprise visited twice is one.
        let s = standing(&two, july, d(8, 9), &[(d(7, 5), 1), (d(7, 30), 1)]);
        assert_eq!((s.done, s.missed), (1, 1));
        assert_eq!(two.label(), "每月指导检查挂牌企业至少2家");
        let study = Quota {
            period: Period::Quarter,
            activity: Activity::Study,
            post: Post("district_head".into()),
            post_name: String::new(),
            minimum: 1,
            source: String::new(),
        };
        // A study in May counts for the second quarter, not the third.
        let s = standing(&study, july, d(8, 9), &[(d(5, 10), 0)]);
        assert_eq!((s.done, s.pending), (0, 1));
    }

    #[test]
    fn a_record_is_never_in_the_future_and_old_ones_need_approval() {
        assert_eq!(check_day(d(8, 10), d(8, 9), 7).unwrap_err().field, "on");
        assert!(!check_day(d(8, 2), d(8, 9), 7).unwrap());
        assert!(check_day(d(8, 1), d(8, 9), 7).unwrap());
    }

    #[test]
    fn the_plan_gives_the_responsible_officials_two_two_two() {
        let q = plan_quotas();
        let mine: Vec<i64> = q
            .iter()
            .filter(|q| q.post.is_responsible_official())
            .map(|q| q.minimum)
            .collect();
        assert_eq!(mine, vec![2, 2, 2]);
        assert_eq!(q[0].label(), "每季度专题研究至少1次");
    }

    #[test]
    fn a_back_dated_record_waits_for_the_office() {
        use crate::machine::{Machine, check_table};
        use RecordState::*;
        check_table::<Approval>(
            &[RecordStep::Approve, RecordStep::Refuse],
            &[
                (RecordStep::Approve, Pending, Counted),
                (RecordStep::Refuse, Pending, Refused),
            ],
        )
        .unwrap();
        assert_eq!(
            Approval::next(RecordStep::Approve, Counted)
                .unwrap_err()
                .code,
            "not_pending"
        );
    }
}
