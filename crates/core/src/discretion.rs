//! The discretion standard (行政处罚自由裁量基准, item (88) of the plan) as data: each
//! clause names a violation, its legal basis and, grade by grade, the range of the fine
//! it allows. A penalty states the clause and grade it applied ("第12项 一般"); when the
//! office has kept a standard, the clause must be in it and a fine within the grade's
//! range.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result, required_text};

/// A grade of discretion, lightest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 较轻.
    Light,
    /// 一般.
    Ordinary,
    /// 较重.
    Serious,
    /// 严重.
    Grave,
}

impl Grade {
    /// Every grade.
    pub const ALL: [Grade; 4] = [Grade::Light, Grade::Ordinary, Grade::Serious, Grade::Grave];

    /// The Chinese name, as a penalty states it.
    pub fn label(self) -> &'static str {
        match self {
            Grade::Light => "较轻",
            Grade::Ordinary => "一般",
            Grade::Serious => "较重",
            Grade::Grave => "严重",
        }
    }

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Light => "light",
            Grade::Ordinary => "ordinary",
            Grade::Serious => "serious",
            Grade::Grave => "grave",
        }
    }

    /// The grade a text names, by its Chinese name or its stored word.
    pub fn find_in(text: &str) -> Option<Grade> {
        Grade::ALL
            .into_iter()
            .find(|g| text.contains(g.label()) || text.split_whitespace().any(|w| w == g.as_str()))
    }
}

/// The fine a grade allows, in yuan (both bounds included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Range {
    pub grade: Grade,
    pub min_yuan: i64,
    pub max_yuan: i64,
}

/// A clause of the standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Clause {
    /// How penalties cite it: "第12项".
    pub code: String,
    /// The violation (违法行为).
    pub violation: String,
    /// The legal basis (处罚依据).
    pub legal_basis: String,
    /// The fine each grade allows.
    pub ranges: Vec<Range>,
}

/// At most this many clauses in a standard.
pub const MAX_CLAUSES: usize = 500;

/// Checks a standard as the office keeps it: each clause with its code (unique), its
/// violation and basis, and ranges whose bounds are ordered and not negative, one per
/// grade.
pub fn check_standard(clauses: &[Clause]) -> Result<Vec<Clause>> {
    if clauses.len() > MAX_CLAUSES {
        return Err(FieldError::new(
            "too_many",
            "clauses",
            format!("裁量基准最多{MAX_CLAUSES}条"),
        ));
    }
    let mut out: Vec<Clause> = Vec::with_capacity(clauses.len());
    for c in clauses {
        let code = required_text("clauses.code", "条款编号", &c.code, 50)?;
        if out.iter().any(|o| o.code == code) {
            return Err(FieldError::new(
                "duplicate_code",
                "clauses.code",
                format!("条款编号{code}重复"),
            ));
        }
        let violation = required_text("clauses.violation", "违法行为", &c.violation, 500)?;
        let legal_basis = required_text("clauses.legal_basis", "处罚依据", &c.legal_basis, 500)?;
        let mut ranges = c.ranges.clone();
        ranges.sort_by_key(|r| r.grade);
        for (i, r) in ranges.iter().enumerate() {
            if r.min_yuan < 0 || r.max_yuan < r.min_yuan {
                return Err(FieldError::new(
                    "invalid_range",
                    "clauses.ranges",
                    format!(
                        "{code}{}的罚款幅度应为不小于0且下限不高于上限",
                        r.grade.label()
                    ),
                ));
            }
            if i > 0 && ranges[i - 1].grade == r.grade {
                return Err(FieldError::new(
                    "duplicate_grade",
                    "clauses.ranges",
                    format!("{code}的{}裁量等级重复", r.grade.label()),
                ));
            }
        }
        out.push(Clause {
            code,
            violation,
            legal_basis,
            ranges,
        });
    }
    Ok(out)
}

/// Checks the clause and grade a penalty states (`applied`, field `penalty.discretion`)
/// and its fine (fen, field `penalty.amount`) against `standard`: nothing to check
/// when the office keeps no standard.
pub fn check_applied(standard: &[Clause], applied: &str, amount_fen: Option<i64>) -> Result<()> {
    if standard.is_empty() {
        return Ok(());
    }
    // The longest code the text starts with or contains ("第12项" before "第1项").
    let clause = standard
        .iter()
        .filter(|c| applied.contains(c.code.as_str()))
        .max_by_key(|c| c.code.len())
        .ok_or_else(|| {
            FieldError::new(
                "unknown_clause",
                "penalty.discretion",
                "自由裁量基准中没有所填条款，请按“条款编号 裁量等级”填写，如“第12项 一般”",
            )
        })?;
    let rest = applied.replacen(clause.code.as_str(), "", 1);
    let grade = Grade::find_in(&rest).ok_or_else(|| {
        FieldError::new(
            "unknown_grade",
            "penalty.discretion",
            "请写明裁量等级：较轻、一般、较重或严重",
        )
    })?;
    let range = clause
        .ranges
        .iter()
        .find(|r| r.grade == grade)
        .ok_or_else(|| {
            FieldError::new(
                "unknown_grade",
                "penalty.discretion",
                format!("{}没有{}裁量等级", clause.code, grade.label()),
            )
        })?;
    if let Some(fen) = amount_fen.filter(|f| *f > 0)
        && (fen < range.min_yuan * 100 || fen > range.max_yuan * 100)
    {
        return Err(FieldError::new(
            "outside_discretion",
            "penalty.amount",
            format!(
                "罚款金额超出{}{}裁量幅度（{}元至{}元）",
                clause.code,
                grade.label(),
                range.min_yuan,
                range.max_yuan
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> Vec<Clause> {
        check_standard(&[
            Clause {
                code: "第12项".into(),
                violation: "未按规定对安全设备进行经常性维护、保养和定期检测".into(),
                legal_basis: "《安全生产法》第九十九条".into(),
                ranges: vec![
                    Range {
                        grade: Grade::Serious,
                        min_yuan: 30_000,
                        max_yuan: 50_000,
                    },
                    Range {
                        grade: Grade::Ordinary,
                        min_yuan: 10_000,
                        max_yuan: 30_000,
                    },
                ],
            },
            Clause {
                code: "第1项".into(),
                violation: "未建立安全生产责任制".into(),
                legal_basis: "《安全生产法》第九十四条".into(),
                ranges: vec![Range {
                    grade: Grade::Light,
                    min_yuan: 0,
                    max_yuan: 20_000,
                }],
            },
        ])
        .unwrap()
    }

    #[test]
    fn a_fine_stays_within_its_clause_and_grade() {
        // Item (88): "制定……行政执法自由裁量基准" — the fine is read against its clause.
        let s = standard();
        assert!(check_applied(&s, "第12项 一般", Some(2_000_000)).is_ok());
        let e = check_applied(&s, "第12项 一般", Some(4_000_000)).unwrap_err();
        assert_eq!((e.code, e.field), ("outside_discretion", "penalty.amount"));
        assert!(check_applied(&s, "第12项 较重", Some(4_000_000)).is_ok());
        assert_eq!(
            check_applied(&s, "第99项 一般", None).unwrap_err().code,
            "unknown_clause"
        );
        assert_eq!(
            check_applied(&s, "第12项", None).unwrap_err().code,
            "unknown_grade"
        );
        assert_eq!(
            check_applied(&s, "第12项 较轻", None).unwrap_err().code,
            "unknown_grade"
        );
        // No standard kept: any stated clause stands.
        assert!(check_applied(&[], "裁量基准第12项 一般", Some(1)).is_ok());
    }

    #[test]
    fn a_standard_has_unique_codes_and_ordered_ranges() {
        let mut s = standard();
        s[1].code = "第12项".into();
        assert_eq!(check_standard(&s).unwrap_err().code, "duplicate_code");
        let mut s = standard();
        s[0].ranges[0].max_yuan = 1;
        assert_eq!(check_standard(&s).unwrap_err().code, "invalid_range");
    }
}
