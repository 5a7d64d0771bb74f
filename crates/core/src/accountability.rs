//! The accountability ladder (问责): six forms of accountability, from assigning and
//! supervising a matter to discipline, and the rules the office edits that suggest the
//! next form from a month's facts (overdue listed hazards, ranking places, zero
//! enforcement, findings of unannounced visits). Suggestions are only suggestions: the
//! office confirms or dismisses each one.

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::error::Result;

/// A form of accountability, in the order of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// 交办督办
    AssignSupervise,
    /// 警示约谈
    WarningInterview,
    /// 通报批评
    CirculatedCriticism,
    /// 公开曝光
    PublicExposure,
    /// 末位发言
    LastPlaceSpeech,
    /// 追责问责
    Discipline,
}

impl Form {
    /// The six forms, in the order of the ladder.
    pub const ALL: [Form; 6] = [
        Form::AssignSupervise,
        Form::WarningInterview,
        Form::CirculatedCriticism,
        Form::PublicExposure,
        Form::LastPlaceSpeech,
        Form::Discipline,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Form::AssignSupervise => "assign_supervise",
            Form::WarningInterview => "warning_interview",
            Form::CirculatedCriticism => "circulated_criticism",
            Form::PublicExposure => "public_exposure",
            Form::LastPlaceSpeech => "last_place_speech",
            Form::Discipline => "discipline",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Form::AssignSupervise => "交办督办",
            Form::WarningInterview => "警示约谈",
            Form::CirculatedCriticism => "通报批评",
            Form::PublicExposure => "公开曝光",
            Form::LastPlaceSpeech => "末位发言",
            Form::Discipline => "追责问责",
        }
    }

    /// Parses a stored name (field `form`).
    pub fn parse(s: &str) -> Result<Form> {
        Form::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| FieldError::new("invalid_form", "form", "请选择问责方式"))
    }
}

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// At least `threshold` listed (挂牌) hazards of the unit's locality are overdue.
    ListedOverdue,
    /// Last place among peers `threshold` months running.
    BottomPlace,
    /// In the bottom third among peers `threshold` months running.
    Behind,
    /// No enforcement at all in the month (a 零执法 unit), for units that enforce.
    ZeroEnforcement,
    /// At least `threshold` findings of unannounced visits in the month.
    VisitFindings,
    /// A larger accident or worse, or a concealed one, in the month (a one-vote veto).
    SeriousAccident,
    /// At least `threshold` accidents in the month (事故多发频发).
    ManyAccidents,
    /// Self-inspection not taken seriously (自查自改不认真、整改不落实): the month's
    /// monthly report missing, or at least `threshold` campaign obligations of the month
    /// not done on time.
    SelfInspectionLax,
}

impl Trigger {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::ListedOverdue => "listed_overdue",
            Trigger::BottomPlace => "bottom_place",
            Trigger::Behind => "behind",
            Trigger::ZeroEnforcement => "zero_enforcement",
            Trigger::VisitFindings => "visit_findings",
            Trigger::SeriousAccident => "serious_accident",
            Trigger::ManyAccidents => "many_accidents",
            Trigger::SelfInspectionLax => "self_inspection_lax",
        }
    }

    /// The rule in Chinese, with its threshold.
    pub fn describe(self, threshold: i64) -> String {
        match self {
            Trigger::ListedOverdue => format!("挂牌督办隐患逾期未整改{threshold}项及以上"),
            Trigger::BottomPlace => format!("连续{threshold}个月排名末位"),
            Trigger::Behind => format!("连续{threshold}个月排名靠后（后三分之一）"),
            Trigger::ZeroEnforcement => "当月执法检查为零（零执法）".into(),
            Trigger::VisitFindings => format!("当月暗访发现问题{threshold}个及以上"),
            Trigger::SeriousAccident => "当月发生较大及以上或瞒报的生产安全事故".into(),
            Trigger::ManyAccidents => {
                format!("当月发生生产安全事故{threshold}起及以上（事故多发）")
            }
            Trigger::SelfInspectionLax => {
                format!("自查自改不认真：当月月报未报送，或{threshold}项及以上应办事项未按时完成")
            }
        }
    }
}

/// A rule: when `trigger` holds (with `threshold`), suggest `form`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub trigger: Trigger,
    pub threshold: i64,
    pub form: Form,
    pub enabled: bool,
}

impl Rule {
    /// The key that makes a suggestion unique per unit and month.
    pub fn key(&self) -> String {
        format!("{}:{}", self.trigger.as_str(), self.form.as_str())
    }
}

/// The rules a new database starts with, as key task 32 and phase 五 read: a listed
/// hazard overdue → 交办督办; a 零执法 unit → 警示约谈; last place twice running, or
/// behind twice running ("专项整治排名连续落后…作末位发言") → 末位发言; five findings of
/// unannounced visits → 公开曝光 ("明查暗访发现的重大隐患和突出问题…曝光"); accidents
/// happening often ("事故多发频发") → 警示约谈; a larger accident or worse, or one the
/// unit concealed ("发生较大事故") → 通报批评 and 追责问责; self-inspection not taken
/// seriously (phase 五: "对自查自改不认真、整改不落实的") → 交办督办.
pub fn default_rules() -> Vec<Rule> {
    let r = |trigger, threshold, form| Rule {
        trigger,
        threshold,
        form,
        enabled: true,
    };
    vec![
        r(Trigger::ListedOverdue, 1, Form::AssignSupervise),
        r(Trigger::ZeroEnforcement, 1, Form::WarningInterview),
        r(Trigger::BottomPlace, 2, Form::LastPlaceSpeech),
        r(Trigger::Behind, 2, Form::LastPlaceSpeech),
        r(Trigger::VisitFindings, 5, Form::PublicExposure),
        r(Trigger::ManyAccidents, 2, Form::WarningInterview),
        r(Trigger::SeriousAccident, 1, Form::CirculatedCriticism),
        r(Trigger::SeriousAccident, 1, Form::Discipline),
        r(Trigger::SelfInspectionLax, 10, Form::AssignSupervise),
    ]
}

/// Checks rules as the office edits them: thresholds from 1 to 12 (field `rules`).
pub fn check_rules(rules: Vec<Rule>) -> Result<Vec<Rule>> {
    for r in &rules {
        if !(1..=12).contains(&r.threshold) {
            return Err(FieldError::new(
                "invalid_threshold",
                "rules",
                format!(
                    "规则“{}”的阈值应在1到12之间",
                    r.trigger.describe(r.threshold)
                ),
            ));
        }
    }
    Ok(rules)
}

/// A unit's facts for a month, as the rules read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub unit_id: i64,
    pub listed_overdue: i64,
    /// Months running (ending with this one) in last place.
    pub bottom_run: i64,
    /// Months running (ending with this one) in the bottom third.
    pub behind_run: i64,
    /// Whether the unit enforces and did not this month.
    pub zero_enforcement: bool,
    pub visit_findings: i64,
    /// Larger accidents or worse, or concealed ones, in the month.
    pub serious_accidents: i64,
    /// Accidents in the month.
    pub accidents: i64,
    /// Whether the month's monthly report was not submitted.
    pub monthly_report_missing: bool,
    /// Campaign obligations due in the month not done on time.
    pub late_obligations: i64,
}

/// A suggestion of the next form for a unit, with the rule and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub unit_id: i64,
    pub form: Form,
    pub rule_key: String,
    pub reason: String,
}

/// The suggestions the enabled `rules` make from `facts`: at most one per unit and
/// rule.
pub fn suggest(rules: &[Rule], facts: &[Facts]) -> Vec<Suggestion> {
    let mut out = Vec::new();
    for f in facts {
        for r in rules.iter().filter(|r| r.enabled) {
            let (holds, figure) = match r.trigger {
                Trigger::ListedOverdue => (
                    f.listed_overdue >= r.threshold,
                    format!("挂牌督办隐患逾期{}项", f.listed_overdue),
                ),
                Trigger::BottomPlace => (
                    f.bottom_run >= r.threshold,
                    format!("已连续{}个月排名末位", f.bottom_run),
                ),
                Trigger::Behind => (
                    f.behind_run >= r.threshold,
                    format!("已连续{}个月排名靠后", f.behind_run),
                ),
                Trigger::ZeroEnforcement => (f.zero_enforcement, "当月无执法检查记录".into()),
                Trigger::VisitFindings => (
                    f.visit_findings >= r.threshold,
                    format!("当月暗访发现问题{}个", f.visit_findings),
                ),
                Trigger::SeriousAccident => (
                    f.serious_accidents >= r.threshold,
                    format!("较大及以上或瞒报事故{}起", f.serious_accidents),
                ),
                Trigger::ManyAccidents => (
                    f.accidents >= r.threshold,
                    format!(
                        "当月发生事故{}起（含按事故对待的未列入清单重大隐患）",
                        f.accidents
                    ),
                ),
                Trigger::SelfInspectionLax => (
                    f.monthly_report_missing || f.late_obligations >= r.threshold,
                    match (f.monthly_report_missing, f.late_obligations) {
                        (true, 0) => "当月月报未报送".to_string(),
                        (true, n) => format!("当月月报未报送，{n}项应办事项未按时完成"),
                        (false, n) => format!("{n}项应办事项未按时完成"),
                    },
                ),
            };
            if holds {
                out.push(Suggestion {
                    unit_id: f.unit_id,
                    form: r.form,
                    rule_key: r.key(),
                    reason: format!("{}：{}", r.trigger.describe(r.threshold), figure),
                });
            }
        }
    }
    out
}

/// How many months running, ending with the last, satisfy `pred` (oldest first).
pub fn run_length<T>(months: &[T], pred: impl Fn(&T) -> bool) -> i64 {
    months.iter().rev().take_while(|m| pred(m)).count() as i64
}

/// Where an accountability record stands: a rule's suggestion waits for the office,
/// which confirms or dismisses it; one the office records itself is confirmed at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// 待确认: suggested by a rule.
    Suggested,
    /// 已确认.
    Confirmed,
    /// 已驳回.
    Dismissed,
}

impl crate::machine::States for State {
    const ALL: &'static [State] = &[State::Suggested, State::Confirmed, State::Dismissed];

    fn as_str(self) -> &'static str {
        match self {
            State::Suggested => "suggested",
            State::Confirmed => "confirmed",
            State::Dismissed => "dismissed",
        }
    }

    fn label(self) -> &'static str {
        match self {
            State::Suggested => "待确认",
            State::Confirmed => "已确认",
            State::Dismissed => "已驳回",
        }
    }
}

/// The office's decision on a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Confirm,
    /// Needs a reason.
    Dismiss,
}

/// An accountability record.
pub struct Ladder;

impl crate::machine::Machine for Ladder {
    type State = State;
    type Step = Step;
    const INITIAL: &'static [State] = &[State::Suggested, State::Confirmed];
    const TABLE: &'static [crate::machine::Transition<State, Step>] = &[
        crate::machine::Transition::new(
            Step::Confirm,
            State::Suggested,
            State::Confirmed,
            &[crate::machine::By::Office],
            &[],
        ),
        crate::machine::Transition::new(
            Step::Dismiss,
            State::Suggested,
            State::Dismissed,
            &[crate::machine::By::Office],
            &[crate::machine::Carry::Reason],
        ),
    ];

    fn refusal(_: Step, _: State) -> FieldError {
        FieldError::new("already_decided", "state", "该问责建议已确认或驳回")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forms_round_trip_and_bad_names_name_the_field() {
        for f in Form::ALL {
            assert_eq!(Form::parse(f.as_str()).unwrap(), f);
        }
        assert_eq!(Form::parse("fine").unwrap_err().field, "form");
    }

    #[test]
    fn default_rules_suggest_what_the_plan_names() {
        let facts = [
            Facts {
                unit_id: 1,
                listed_overdue: 1,
                ..Facts::default()
            },
            Facts {
                unit_id: 2,
                bottom_run: 2,
                behind_run: 2,
                ..Facts::default()
            },
            Facts {
                unit_id: 3,
                bottom_run: 1,
                behind_run: 1,
                ..Facts::default()
            },
        ];
        let s = suggest(&default_rules(), &facts);
        assert_eq!(
            s.iter().map(|s| (s.unit_id, s.form)).collect::<Vec<_>>(),
            vec![
                (1, Form::AssignSupervise),
                (2, Form::LastPlaceSpeech),
                (2, Form::LastPlaceSpeech)
            ],
            "bottom or behind once is not yet a speech"
        );
        assert!(s[1].reason.contains("连续2个月排名末位"));
        assert!(s[2].reason.contains("连续2个月排名靠后"));
    }

    /// Key task 32: "对事故多发频发、发生较大事故或重大险情、责任落实不力的，予以交办督办、通报批评、
    /// 警示约谈和追责问责"; phase 五: "对自查自改不认真、整改不落实的，运用交办督办…".
    #[test]
    fn accidents_and_lax_self_inspection_are_triggers() {
        let facts = [
            Facts {
                unit_id: 1,
                accidents: 2,
                serious_accidents: 1,
                ..Facts::default()
            },
            Facts {
                unit_id: 2,
                monthly_report_missing: true,
                ..Facts::default()
            },
            Facts {
                unit_id: 3,
                late_obligations: 10,
                ..Facts::default()
            },
            Facts {
                unit_id: 4,
                late_obligations: 9,
                accidents: 1,
                ..Facts::default()
            },
        ];
        let s = suggest(&default_rules(), &facts);
        assert_eq!(
            s.iter().map(|s| (s.unit_id, s.form)).collect::<Vec<_>>(),
            vec![
                (1, Form::WarningInterview),
                (1, Form::CirculatedCriticism),
                (1, Form::Discipline),
                (2, Form::AssignSupervise),
                (3, Form::AssignSupervise),
            ]
        );
        assert!(s[3].reason.contains("月报未报送"));
    }

    #[test]
    fn disabled_rules_suggest_nothing_and_thresholds_are_checked() {
        let mut rules = default_rules();
        rules.iter_mut().for_each(|r| r.enabled = false);
        let f = Facts {
            unit_id: 1,
            listed_overdue: 9,
            zero_enforcement: true,
            ..Facts::default()
        };
        assert!(suggest(&rules, &[f]).is_empty());
        rules[0].threshold = 0;
        assert_eq!(check_rules(rules).unwrap_err().field, "rules");
    }

    #[test]
    fn runs_count_from_the_latest_month_back() {
        assert_eq!(run_length(&[true, false, true, true], |b| *b), 2);
        assert_eq!(run_length(&[true, true, false], |b| *b), 0);
        assert_eq!(run_length::<bool>(&[], |b| *b), 0);
    }

    proptest! {
        #[test]
        fn at_most_one_suggestion_per_unit_and_rule(
            listed in 0i64..5, bottom in 0i64..5, behind in 0i64..5, zero: bool, visits in 0i64..10
        ) {
            let f = Facts { unit_id: 7, listed_overdue: listed, bottom_run: bottom, behind_run: behind, zero_enforcement: zero, visit_findings: visits, ..Facts::default() };
            let s = suggest(&default_rules(), &[f]);
            let mut keys: Vec<_> = s.iter().map(|s| s.rule_key.clone()).collect();
            keys.sort();
            keys.dedup();
            prop_assert_eq!(keys.len(), s.len());
            prop_assert!(s.len() <= default_rules().len());
        }
    }

    #[test]
    fn a_suggestion_is_decided_once_by_the_office() {
        use crate::machine::{By, Machine, check_table};
        check_table::<Ladder>(
            &[Step::Confirm, Step::Dismiss],
            &[
                (Step::Confirm, State::Suggested, State::Confirmed),
                (Step::Dismiss, State::Suggested, State::Dismissed),
            ],
        )
        .unwrap();
        assert!(!Ladder::allows(
            Step::Confirm,
            &[By::Assignee, By::Recorder]
        ));
    }
}
