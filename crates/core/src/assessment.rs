//! The annual assessment (年度考核, items (92) and (106)): the year's scheme of parts and
//! weights, each part's score of a township or department read from its months (the
//! kept monthly rankings and the duty files), the office's adjustments, and the
//! one-vote veto (item (46): "对政府和部门瞒报一律实行“一票否决”").

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result};

/// A part of the assessment.
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
#[schema(as = AssessmentPartKind)]
pub enum PartKind {
    /// 月度排名: the average of the months' ranking totals.
    Rankings,
    /// 工作方案完成: the year's obligations done on time.
    Plan,
    /// 执法检查: inspections and 打非治违 cases against the best of its peers.
    Enforcement,
    /// 事故控制: accidents (and unlisted major hazards, counted as accidents) in its area.
    Accidents,
    /// 履职档案: its officials' quota periods met.
    Duty,
}

impl PartKind {
    pub const ALL: [PartKind; 5] = [
        PartKind::Rankings,
        PartKind::Plan,
        PartKind::Enforcement,
        PartKind::Accidents,
        PartKind::Duty,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PartKind::Rankings => "rankings",
            PartKind::Plan => "plan",
            PartKind::Enforcement => "enforcement",
            PartKind::Accidents => "accidents",
            PartKind::Duty => "duty",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PartKind::Rankings => "月度排名",
            PartKind::Plan => "工作方案完成",
            PartKind::Enforcement => "执法检查",
            PartKind::Accidents => "事故控制",
            PartKind::Duty => "履职档案",
        }
    }

    /// Reads a stored name (field `parts`).
    pub fn parse(raw: &str) -> Result<PartKind> {
        PartKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new("invalid_part", "parts", "考核项目不正确"))
    }
}

/// A part and its weight (points out of 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = AssessmentPart)]
pub struct Part {
    pub kind: PartKind,
    pub weight: i64,
}

/// The year's scheme: its parts, whose weights add up to 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = AssessmentScheme)]
pub struct Scheme {
    pub parts: Vec<Part>,
}

impl Default for Scheme {
    /// The office's starting scheme: the months' rankings 40, the plan 20, enforcement
    /// 15, accidents 15, duty files 10.
    fn default() -> Self {
        let p = |kind, weight| Part { kind, weight };
        Scheme {
            parts: vec![
                p(PartKind::Rankings, 40),
                p(PartKind::Plan, 20),
                p(PartKind::Enforcement, 15),
                p(PartKind::Accidents, 15),
                p(PartKind::Duty, 10),
            ],
        }
    }
}

impl Scheme {
    /// Checks a scheme: each weight 0 to 100, each part once, and the weights adding up
    /// to 100 (field `weights`).
    pub fn check(self) -> Result<Scheme> {
        let mut seen = Vec::new();
        for p in &self.parts {
            if !(0..=100).contains(&p.weight) {
                return Err(FieldError::new(
                    "invalid_weight",
                    "weights",
                    format!("{}的权重应为0到100", p.kind.label()),
                ));
            }
            if seen.contains(&p.kind) {
                return Err(FieldError::new(
                    "duplicate_part",
                    "parts",
                    format!("{}重复", p.kind.label()),
                ));
            }
            seen.push(p.kind);
        }
        let sum: i64 = self.parts.iter().map(|p| p.weight).sum();
        if sum != 100 {
            return Err(FieldError::new(
                "weights_sum",
                "weights",
                format!("各项权重合计应为100，现为{sum}"),
            ));
        }
        Ok(Scheme {
            parts: self.parts.into_iter().filter(|p| p.weight > 0).collect(),
        })
    }
}

/// What a unit's year shows, summed from its months and its officials' files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = AssessmentFacts)]
pub struct Facts {
    /// The months' ranking totals (hundredths of a point, 0–10000), months ranked only.
    pub monthly_totals: Vec<i64>,
    /// Campaign obligations that fell due in the year: on time, late, missed.
    pub on_time: i64,
    pub late: i64,
    pub missed: i64,
    /// Inspections and 打非治违 cases in the year, and the most any of its peers did.
    pub enforcement: i64,
    pub peers_best: i64,
    /// Accidents in its area, unlisted major hazards found (counted as accidents) and,
    /// of the accidents, larger or worse.
    pub accidents: i64,
    pub unlisted: i64,
    pub serious: i64,
    /// Its officials' quota periods counted in the year, and of those ended short.
    pub duty_periods: i64,
    pub duty_missed: i64,
}

/// A part's score: 0–10000 hundredths of the part's full marks, the points it brings
/// (hundredths of a point: score × weight / 100), and why, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = AssessmentPartScore)]
pub struct PartScore {
    pub kind: PartKind,
    pub weight: i64,
    pub score: i64,
    pub points: i64,
    pub explanation: String,
}

impl PartScore {
    /// The part's score as shown, "85.00".
    pub fn score_label(&self) -> String {
        hundredths(self.score)
    }

    /// The points it brings as shown, "34.00".
    pub fn points_label(&self) -> String {
        hundredths(self.points)
    }
}

/// Hundredths as shown: 8750 → "87.50".
pub fn hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", v.abs() / 100, v.abs() % 100)
}

/// Every part's score of a unit's facts under `scheme`.
pub fn score(scheme: &Scheme, f: &Facts) -> Vec<PartScore> {
    scheme
        .parts
        .iter()
        .map(|p| {
            let (score, explanation) = part(p.kind, f);
            PartScore {
                kind: p.kind,
                weight: p.weight,
                score,
                points: score * p.weight / 100,
                explanation,
            }
        })
        .collect()
}

/// One part's score (hundredths, 0–10000) and its explanation.
fn part(kind: PartKind, f: &Facts) -> (i64, String) {
    match kind {
        PartKind::Rankings => {
            let n = f.monthly_totals.len() as i64;
            if n == 0 {
                return (10000, "全年无排名月份，按满分计".into());
            }
            let avg = f.monthly_totals.iter().sum::<i64>() / n;
            (
                avg.clamp(0, 10000),
                format!("{n}个月排名平均{}分", hundredths(avg)),
            )
        }
        PartKind::Plan => {
            let due = f.on_time + f.late + f.missed;
            if due == 0 {
                return (10000, "全年无到期工作事项，按满分计".into());
            }
            let s = f.on_time * 10000 / due;
            (
                s,
                format!(
                    "到期{due}项，按时{}项、逾期完成{}项、未完成{}项，按时率{}%",
                    f.on_time,
                    f.late,
                    f.missed,
                    hundredths(s)
                ),
            )
        }
        PartKind::Enforcement => {
            if f.peers_best == 0 {
                return (10000, "同类单位全年均无执法检查记录，按满分计".into());
            }
            let s = (f.enforcement * 10000 / f.peers_best).clamp(0, 10000);
            (
                s,
                format!(
                    "执法检查和打非治违{}次，同类最多{}次",
                    f.enforcement, f.peers_best
                ),
            )
        }
        PartKind::Accidents => {
            // Each accident (or unlisted major hazard, "当作事故对待") costs 20 of the
            // part's 100; each larger-or-worse one 30 more.
            let lost = (f.accidents + f.unlisted) * 2000 + f.serious * 3000;
            let s = (10000 - lost).max(0);
            let mut why = format!("事故{}起", f.accidents);
            if f.serious > 0 {
                why.push_str(&format!("（较大及以上{}起）", f.serious));
            }
            if f.unlisted > 0 {
                why.push_str(&format!("，未列入清单的重大隐患{}项按事故计", f.unlisted));
            }
            (s, why)
        }
        PartKind::Duty => {
            if f.duty_periods == 0 {
                return (10000, "无履职定额，按满分计".into());
            }
            let met = f.duty_periods - f.duty_missed;
            let s = met * 10000 / f.duty_periods;
            (
                s,
                format!(
                    "履职定额{}个周期，完成{met}个、未完成{}个",
                    f.duty_periods, f.duty_missed
                ),
            )
        }
    }
}

/// The grade of a total (hundredths of a point), or of a vetoed unit.
pub fn grade(total: i64, vetoed: bool) -> &'static str {
    if vetoed {
        "不合格（一票否决）"
    } else if total >= 9000 {
        "优秀"
    } else if total >= 7500 {
        "良好"
    } else if total >= 6000 {
        "合格"
    } else {
        "不合格"
    }
}

/// Reads an adjustment typed in points with at most one decimal, −20 to 20, not 0
/// (field `points`): tenths of a point.
pub fn adjustment_tenths(raw: &str) -> Result<i64> {
    let bad = || {
        FieldError::new(
            "invalid_points",
            "points",
            "调整分值应为-20到20之间、最多一位小数的非零数",
        )
    };
    let t = raw.trim().replace('＋', "+").replace('－', "-");
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r.to_string()),
        None => (false, t.trim_start_matches('+').to_string()),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || whole.len() > 2
        || frac.len() > 1
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let v: i64 = whole.parse::<i64>().map_err(|_| bad())? * 10
        + if frac.is_empty() {
            0
        } else {
            frac.parse::<i64>().map_err(|_| bad())?
        };
    let v = if neg { -v } else { v };
    if v == 0 || !(-200..=200).contains(&v) {
        return Err(bad());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_must_add_up_to_one_hundred() {
        assert!(Scheme::default().check().is_ok());
        let mut s = Scheme::default();
        s.parts[0].weight = 50;
        let e = s.check().unwrap_err();
        assert_eq!((e.code, e.field), ("weights_sum", "weights"));
        let s = Scheme {
            parts: vec![
                Part {
                    kind: PartKind::Plan,
                    weight: 50,
                },
                Part {
                    kind: PartKind::Plan,
                    weight: 50,
                },
            ],
        };
        assert_eq!(s.check().unwrap_err().code, "duplicate_part");
    }

    #[test]
    fn each_part_explains_its_score() {
        let f = Facts {
            monthly_totals: vec![8000, 9000],
            on_time: 3,
            late: 1,
            missed: 0,
            enforcement: 5,
            peers_best: 10,
            accidents: 1,
            unlisted: 1,
            serious: 0,
            duty_periods: 10,
            duty_missed: 2,
        };
        let parts = score(&Scheme::default(), &f);
        let scores: Vec<i64> = parts.iter().map(|p| p.score).collect();
        assert_eq!(scores, vec![8500, 7500, 5000, 6000, 8000]);
        assert_eq!(parts[0].points, 3400);
        assert_eq!(parts[0].explanation, "2个月排名平均85.00分");
        assert!(
            parts[3]
                .explanation
                .contains("未列入清单的重大隐患1项按事故计")
        );
        let total: i64 = parts.iter().map(|p| p.points).sum();
        assert_eq!(total, 3400 + 1500 + 750 + 900 + 800);
        assert_eq!(grade(total, false), "合格", "73.50 is below 75");
        assert_eq!(grade(total, true), "不合格（一票否决）");
    }

    #[test]
    fn adjustments_are_points_with_one_decimal() {
        assert_eq!(adjustment_tenths("2.5").unwrap(), 25);
        assert_eq!(adjustment_tenths("-3").unwrap(), -30);
        assert_eq!(adjustment_tenths("+20").unwrap(), 200);
        for bad in ["0", "21", "1.25", "", "abc", "-"] {
            assert_eq!(adjustment_tenths(bad).unwrap_err().field, "points", "{bad}");
        }
    }
}
