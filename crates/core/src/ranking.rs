//! The monthly ranking (每月通报排名): a scoring scheme the office configures (weights
//! over parts that add up to 100) and each unit's score, explainable part by part.
//! Townships and departments are ranked separately, each against its peers.

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::error::Result;

/// What a score is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// On-time rate of the month's obligations (0–100).
    OnTime,
    /// Hazard rectification rate (0–100).
    Rectification,
    /// Overdue hazards: none scores full marks, the most among peers none.
    Overdue,
    /// Enforcement intensity: inspections against the most among peers.
    Enforcement,
    /// Findings of unannounced visits: none scores full marks.
    VisitFindings,
    /// Accidents: none scores full marks.
    Accidents,
}

impl Part {
    /// Every part, in the order a score explains them.
    pub const ALL: [Part; 6] = [
        Part::OnTime,
        Part::Rectification,
        Part::Overdue,
        Part::Enforcement,
        Part::VisitFindings,
        Part::Accidents,
    ];

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Part::OnTime => "按时完成率",
            Part::Rectification => "隐患整改率",
            Part::Overdue => "逾期隐患",
            Part::Enforcement => "执法力度",
            Part::VisitFindings => "暗访发现问题",
            Part::Accidents => "生产安全事故",
        }
    }
}

/// A scoring scheme: a weight per part, adding up to 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub weights: Vec<(Part, i64)>,
}

impl Scheme {
    /// Checks a scheme: weights from 0 to 100, each part at most once, adding up to 100.
    pub fn check(weights: Vec<(Part, i64)>) -> Result<Scheme> {
        let mut seen = Vec::new();
        for (part, w) in &weights {
            if !(0..=100).contains(w) {
                return Err(FieldError::new(
                    "invalid_weight",
                    "weights",
                    format!("{}的权重应在0到100之间", part.label()),
                ));
            }
            if seen.contains(part) {
                return Err(FieldError::new(
                    "duplicate_part",
                    "weights",
                    format!("{}重复设置了权重", part.label()),
                ));
            }
            seen.push(*part);
        }
        let total: i64 = weights.iter().map(|(_, w)| w).sum();
        if total != 100 {
            return Err(FieldError::new(
                "weights_not_100",
                "weights",
                format!("各项权重之和应为100，现为{total}"),
            ));
        }
        Ok(Scheme { weights })
    }

    /// The default: on time 30, rectification 25, overdue 15, enforcement 15, visit
    /// findings 10, accidents 5.
    pub fn default_scheme() -> Scheme {
        Scheme {
            weights: vec![
                (Part::OnTime, 30),
                (Part::Rectification, 25),
                (Part::Overdue, 15),
                (Part::Enforcement, 15),
                (Part::VisitFindings, 10),
                (Part::Accidents, 5),
            ],
        }
    }
}

/// One unit's figures for the month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub unit_id: i64,
    /// `None` when nothing fell due: the part is weighted out.
    pub on_time_rate: Option<i64>,
    pub rectification_rate: i64,
    pub overdue: i64,
    pub inspections: i64,
    /// 打非治违 cases the unit recorded or joined in the month (item (82): "常态化开展
    /// “打非”工作"), counted with the inspections in the enforcement part.
    #[serde(default)]
    pub crackdowns: i64,
    pub visit_findings: i64,
    pub accidents: i64,
    /// A one-vote-veto event (一票否决): the score is 0 whatever the parts.
    pub veto: bool,
}

/// One part of a score: its points (weight × ratio, in hundredths) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Line {
    pub part: Part,
    pub weight: i64,
    /// Points in hundredths (weight 30 at 80% = 2400).
    pub points: i64,
    /// The figure behind it, in Chinese.
    pub because: String,
    /// False when the part had nothing to score (no duty fell due): its weight is left
    /// out and the other parts are scaled to 100.
    #[serde(default = "scored_by_default")]
    pub scored: bool,
}

fn scored_by_default() -> bool {
    true
}

impl Line {
    /// The part's Chinese label.
    pub fn part_label(&self) -> &'static str {
        self.part.label()
    }
}

/// A unit's score and rank among its peers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Score {
    pub unit_id: i64,
    /// In hundredths (100 points = 10000).
    pub total: i64,
    pub rank: usize,
    pub lines: Vec<Line>,
    pub veto: bool,
}

/// A figure where less is better, against the worst among peers: none scores 100, the
/// worst 0 (all at zero: everyone 100).
fn fewer_is_better(value: i64, worst: i64) -> i64 {
    if worst <= 0 {
        100
    } else {
        100 - value.clamp(0, worst) * 100 / worst
    }
}

/// Scores `units` (peers: all townships, or all departments) under `scheme`, best first;
/// equal totals share a rank.
pub fn rank(scheme: &Scheme, units: &[Figures]) -> Vec<Score> {
    let max = |f: fn(&Figures) -> i64| units.iter().map(f).max().unwrap_or(0);
    let (worst_overdue, worst_findings, worst_accidents, most_inspections) = (
        max(|u| u.overdue),
        max(|u| u.visit_findings),
        max(|u| u.accidents),
        max(|u| u.inspections + u.crackdowns),
    );
    let mut scores: Vec<Score> = units
        .iter()
        .map(|u| {
            let lines: Vec<Line> = scheme
                .weights
                .iter()
                .map(|(part, weight)| {
                    let (ratio, because) = match part {
                        Part::OnTime => match u.on_time_rate {
                            Some(r) => (r.clamp(0, 100), format!("按时完成率{r}%")),
                            None => (
                                -1,
                                "本月无到期任务，按时完成率不计分（其余各项按比例折算）".into(),
                            ),
                        },
                        Part::Rectification => (
                            u.rectification_rate.clamp(0, 100),
                            format!("隐患整改率{}%", u.rectification_rate),
                        ),
                        Part::Overdue => (
                            fewer_is_better(u.overdue, worst_overdue),
                            format!("逾期隐患{}项（同类最多{}项）", u.overdue, worst_overdue),
                        ),
                        Part::Enforcement => (
                            if most_inspections <= 0 {
                                0
                            } else {
                                (u.inspections + u.crackdowns).clamp(0, most_inspections) * 100
                                    / most_inspections
                            },
                            if u.crackdowns > 0 {
                                format!(
                                    "执法检查{}次、打非治违{}起（同类最多{}次）",
                                    u.inspections, u.crackdowns, most_inspections
                                )
                            } else {
                                format!(
                                    "执法检查{}次（同类最多{}次）",
                                    u.inspections, most_inspections
                                )
                            },
                        ),
                        Part::VisitFindings => (
                            fewer_is_better(u.visit_findings, worst_findings),
                            format!("暗访发现问题{}项", u.visit_findings),
                        ),
                        Part::Accidents => (
                            fewer_is_better(u.accidents, worst_accidents),
                            format!("生产安全事故{}起", u.accidents),
                        ),
                    };
                    Line {
                        part: *part,
                        weight: *weight,
                        points: weight * ratio.max(0),
                        because,
                        scored: ratio >= 0,
                    }
                })
                .collect();
            let scored_weight: i64 = lines.iter().filter(|l| l.scored).map(|l| l.weight).sum();
            let total = if u.veto || scored_weight <= 0 {
                0
            } else {
                lines.iter().map(|l| l.points).sum::<i64>() * 100 / scored_weight
            };
            Score {
                unit_id: u.unit_id,
                total,
                rank: 0,
                lines,
                veto: u.veto,
            }
        })
        .collect();
    scores.sort_by(|a, b| b.total.cmp(&a.total).then(a.unit_id.cmp(&b.unit_id)));
    for i in 0..scores.len() {
        scores[i].rank = if i > 0 && scores[i].total == scores[i - 1].total {
            scores[i - 1].rank
        } else {
            i + 1
        };
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn weights_must_add_up_to_100() {
        assert!(Scheme::check(Scheme::default_scheme().weights).is_ok());
        let err = Scheme::check(vec![(Part::OnTime, 60), (Part::Rectification, 30)]).unwrap_err();
        assert_eq!((err.code, err.field), ("weights_not_100", "weights"));
        assert!(err.message.contains("现为90"));
        let err = Scheme::check(vec![(Part::OnTime, 50), (Part::OnTime, 50)]).unwrap_err();
        assert_eq!(err.code, "duplicate_part");
        let err = Scheme::check(vec![(Part::OnTime, 120), (Part::Overdue, -20)]).unwrap_err();
        assert_eq!(err.code, "invalid_weight");
    }

    #[test]
    fn a_score_explains_its_parts_and_a_veto_zeroes_it() {
        let a = Figures {
            unit_id: 1,
            on_time_rate: Some(90),
            rectification_rate: 80,
            overdue: 0,
            inspections: 10,
            ..Figures::default()
        };
        let b = Figures {
            unit_id: 2,
            on_time_rate: Some(70),
            rectification_rate: 60,
            overdue: 4,
            inspections: 5,
            visit_findings: 2,
            ..Figures::default()
        };
        let c = Figures {
            unit_id: 3,
            veto: true,
            ..a.clone()
        };
        let s = rank(&Scheme::default_scheme(), &[b.clone(), a.clone(), c]);
        assert_eq!(s.iter().map(|x| x.unit_id).collect::<Vec<_>>(), [1, 2, 3]);
        // 1: 30×90 + 25×80 + 15×100 + 15×100 + 10×100 + 5×100 = 9200.
        assert_eq!(s[0].total, 9200);
        assert_eq!(s[0].lines.iter().map(|l| l.points).sum::<i64>(), 9200);
        // 2: 30×70 + 25×60 + 15×0 + 15×50 + 10×0 + 5×100 = 4850.
        assert_eq!(s[1].total, 4850);
        assert!(s[1].lines[2].because.contains("逾期隐患4项"));
        assert_eq!((s[2].total, s[2].veto, s[2].rank), (0, true, 3));
    }

    /// Issue 22: "a ranking component with nothing to score is weighted out and
    /// explained, not granted full marks".
    #[test]
    fn a_month_without_duties_due_weights_the_on_time_part_out() {
        let none_due = Figures {
            unit_id: 1,
            on_time_rate: None,
            rectification_rate: 80,
            inspections: 10,
            ..Figures::default()
        };
        let s = rank(&Scheme::default_scheme(), &[none_due]);
        let line = &s[0].lines[0];
        assert_eq!(
            (line.part, line.scored, line.points),
            (Part::OnTime, false, 0)
        );
        assert!(line.because.contains("本月无到期任务"), "{}", line.because);
        // (25×80 + 15×100 + 15×100 + 10×100 + 5×100) × 100 / 70 = 6500 / 0.7 = 9285.
        assert_eq!(s[0].total, 650_000 / 70);
    }

    #[test]
    fn equal_totals_share_a_rank() {
        let u = |id| Figures {
            unit_id: id,
            on_time_rate: Some(100),
            rectification_rate: 100,
            ..Figures::default()
        };
        let s = rank(
            &Scheme::default_scheme(),
            &[
                u(1),
                u(2),
                Figures {
                    unit_id: 3,
                    ..Figures::default()
                },
            ],
        );
        assert_eq!(s.iter().map(|x| x.rank).collect::<Vec<_>>(), [1, 1, 3]);
    }

    proptest! {
        #[test]
        fn scores_stay_within_100_points_and_ranks_follow_totals(
            figures in proptest::collection::vec((0i64..=100, 0i64..=100, 0i64..50, 0i64..50, 0i64..10, 0i64..3, any::<bool>()), 1..30)
        ) {
            let units: Vec<Figures> = figures.iter().enumerate().map(|(i, f)| Figures {
                unit_id: i as i64,
                on_time_rate: Some(f.0), rectification_rate: f.1, overdue: f.2, inspections: f.3,
                crackdowns: f.4, visit_findings: f.4, accidents: f.5, veto: f.6,
            }).collect();
            let s = rank(&Scheme::default_scheme(), &units);
            prop_assert_eq!(s.len(), units.len());
            for (i, x) in s.iter().enumerate() {
                prop_assert!((0..=10_000).contains(&x.total));
                if i > 0 {
                    prop_assert!(s[i - 1].total >= x.total);
                    prop_assert!(s[i - 1].rank <= x.rank);
                }
            }
        }
    }
}
