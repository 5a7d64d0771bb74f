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

/// The rules a new database starts with: a listed hazard overdue → 交办督办; zero
/// enforcement → 警示约谈; bottom place twice running → 末位发言; behind three months
/// running → 通报批评; five findings of unannounced visits → 公开曝光; a larger accident
/// or worse, or a concealed one → 追责问责.
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
        r(Trigger::Behind, 3, Form::CirculatedCriticism),
        r(Trigger::VisitFindings, 5, Form::PublicExposure),
        r(Trigger::SeriousAccident, 1, Form::Discipline),
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
            vec![(1, Form::AssignSupervise), (2, Form::LastPlaceSpeech)],
            "bottom once is not yet a speech; behind twice is not yet three"
        );
        assert!(s[1].reason.contains("连续2个月排名末位"));
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
            let f = Facts { unit_id: 7, listed_overdue: listed, bottom_run: bottom, behind_run: behind, zero_enforcement: zero, visit_findings: visits, serious_accidents: 0 };
            let s = suggest(&default_rules(), &[f]);
            let mut keys: Vec<_> = s.iter().map(|s| s.rule_key.clone()).collect();
            keys.sort();
            keys.dedup();
            prop_assert_eq!(keys.len(), s.len());
            prop_assert!(s.len() <= default_rules().len());
        }
    }
}
