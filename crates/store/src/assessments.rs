//! The annual assessment (年度考核) as kept and computed: the office's scheme of a year
//! (parts and weights), its adjustments of a unit's score with reasons, and each
//! township's and department's score read from the year's monthly rankings (kept or
//! computed once in order), its officials' duty files and the year's one-vote vetoes,
//! part by part with its explanation.

use std::collections::HashMap;

use anjian_core::assessment::{Facts, PartScore, Scheme, grade, score};
use anjian_core::time::{Moment, Span};
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::rankings::Kind;
use crate::scope::{Actor, Scope};

/// The scheme of `year`: the office's, or the default.
pub async fn scheme(db: &Db, year: i32) -> Result<Scheme> {
    let row: Option<(String,)> = db
        .read()
        .opt(q("SELECT parts FROM assessment_schemes WHERE year = $1").bind(i64::from(year)))
        .await?;
    Ok(row
        .and_then(|(json,)| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Sets the scheme of `year` (the office): weights adding up to 100 (field `weights`);
/// one transaction with its audit entry.
pub async fn set_scheme(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    year: i32,
    scheme: Scheme,
) -> Result<Scheme> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    check_year(year)?;
    let scheme = scheme.check()?;
    let json = serde_json::to_string(&scheme).unwrap_or_default();
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO assessment_schemes (year, parts, updated_at) VALUES ($1, $2, $3) ON CONFLICT (year) DO UPDATE SET parts = excluded.parts, updated_at = excluded.updated_at")
            .bind(i64::from(year))
            .bind(json.as_str())
            .bind(now_ms),
    )
    .await?;
    let detail = scheme
        .parts
        .iter()
        .map(|p| format!("{}{}", p.kind.label(), p.weight))
        .collect::<Vec<_>>()
        .join("、");
    let entry = Entry::ok("assessment.scheme", "assessment", i64::from(year))
        .detail(format!("{year}年度考核方案：{detail}"));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(scheme)
}

fn check_year(year: i32) -> Result<()> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(Error::invalid("invalid_year", "year", "年度应为2000到2100"))
    }
}

/// An adjustment of a unit's score by the office, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Adjustment {
    pub id: i64,
    pub unit_id: i64,
    /// Tenths of a point, −200 to 200.
    pub points_tenths: i64,
    pub reason: String,
    pub created_at: i64,
}

impl Adjustment {
    /// "+2.5", "-3.0".
    pub fn points_label(&self) -> String {
        let sign = if self.points_tenths < 0 { "-" } else { "+" };
        format!(
            "{sign}{}.{}",
            self.points_tenths.abs() / 10,
            self.points_tenths.abs() % 10
        )
    }
}

/// Adjusts the score of township or department `unit` in `year` (the office) by
/// `points` (−20 to 20, one decimal; field `points`) for `reason` (field `reason`); a
/// unit that is neither is refused (field `unit`). One transaction with its audit entry.
pub async fn adjust(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    year: i32,
    unit: i64,
    points: &str,
    reason: &str,
) -> Result<i64> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    check_year(year)?;
    let tenths = anjian_core::assessment::adjustment_tenths(points)?;
    let reason = anjian_core::error::required_text("reason", "调整理由", reason, 500)?;
    let kind: Option<(String, String)> = db
        .read()
        .opt(q("SELECT kind, name FROM units WHERE id = $1 AND active = 1").bind(unit))
        .await?;
    let Some((_, name)) =
        kind.filter(|(k, _)| matches!(k.as_str(), "township" | "zone_committee" | "department"))
    else {
        return Err(Error::invalid(
            "invalid_unit",
            "unit",
            "只能调整镇街、管委会和区级部门的考核得分",
        ));
    };
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO assessment_adjustments (id, year, unit_id, points_tenths, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(i64::from(year))
            .bind(unit)
            .bind(tenths)
            .bind(reason.as_str())
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    let entry = Entry::ok("assessment.adjust", "assessment_adjustment", id).detail(format!(
        "{year}年度考核{name}调整{}分：{reason}",
        anjian_core::assessment::hundredths(tenths * 10)
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// A township's or department's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Assessed {
    pub unit_id: i64,
    pub name: String,
    pub kind: Kind,
    pub facts: Facts,
    pub parts: Vec<PartScore>,
    pub adjustments: Vec<Adjustment>,
    /// Parts and adjustments, hundredths of a point.
    pub total: i64,
    pub vetoed: bool,
    /// Why vetoed: each concealed or larger accident, each veto the office recorded.
    pub veto_reasons: Vec<String>,
    pub grade: String,
    /// Place among its peers, vetoed units last.
    pub rank: usize,
}

impl Assessed {
    /// The total as shown, 87.50.
    pub fn total_label(&self) -> String {
        anjian_core::assessment::hundredths(self.total)
    }
}

/// The year's assessment: the scheme, the months it read, and each kind of unit ranked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = AnnualAssessment)]
pub struct Assessment {
    pub year: i32,
    pub scheme: Scheme,
    /// The ended months read, "2022-01" ….
    pub months: Vec<String>,
    pub townships: Vec<Assessed>,
    pub departments: Vec<Assessed>,
}

impl Assessment {
    /// "2022年度（1月至7月）".
    pub fn period_label(&self) -> String {
        let m = |s: &String| s.get(5..).and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
        match (self.months.first(), self.months.last()) {
            (Some(a), Some(b)) => format!("{}年度（{}月至{}月）", self.year, m(a), m(b)),
            _ => format!("{}年度", self.year),
        }
    }
}

/// The assessment of `year` as of `today` (whoever reads the rankings): every township
/// and department ranked in a month of the year, each part scored from its months and
/// its officials' duty files, the office's adjustments added, the one-vote vetoes
/// applied (a township or department that concealed an accident, or had a larger one,
/// or one the office recorded; an enterprise's concealment vetoes nobody).
pub async fn of_year(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    reader: &Actor,
    year: i32,
) -> Result<Assessment> {
    crate::authz::require(reader, anjian_core::role::Role::reads_rankings)?;
    check_year(year)?;
    let scheme = scheme(db, year).await?;
    let months = crate::rankings::year_months(db, now_ms, today, year).await?;
    // Facts per unit from the months.
    let mut units: Vec<(i64, String, Kind, Facts)> = Vec::new();
    let mut at: HashMap<i64, usize> = HashMap::new();
    for pair in &months {
        for ranking in pair {
            for r in &ranking.units {
                let i = *at.entry(r.unit.unit_id).or_insert_with(|| {
                    units.push((
                        r.unit.unit_id,
                        r.unit.name.clone(),
                        ranking.kind,
                        Facts::default(),
                    ));
                    units.len() - 1
                });
                let f = &mut units[i].3;
                f.monthly_totals.push(r.score.total);
                f.on_time += r.unit.on_time;
                f.late += r.unit.late;
                f.missed += r.unit.missed;
                f.enforcement += r.unit.inspections + r.unit.crackdowns;
                f.accidents += r.unit.accidents;
                f.unlisted += r.unit.unlisted;
                f.serious += r.unit.serious_accidents;
            }
        }
    }
    for kind in [Kind::Township, Kind::Department] {
        let best = units
            .iter()
            .filter(|u| u.2 == kind)
            .map(|u| u.3.enforcement)
            .max()
            .unwrap_or(0);
        for u in units.iter_mut().filter(|u| u.2 == kind) {
            u.3.peers_best = best;
        }
    }
    // The duty files: every official's quota periods of the year so far.
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let last = NaiveDate::from_ymd_opt(year, 12, 31)
        .unwrap_or(today)
        .min(today);
    if first <= last {
        let standings =
            crate::duty::standings(db, &Scope::All, Span::new(first, last), today).await?;
        for p in standings {
            let Some(&i) = at.get(&p.unit_id) else {
                continue;
            };
            for x in &p.quotas {
                units[i].3.duty_periods += x.standing.required / x.minimum.max(1);
                units[i].3.duty_missed += x.standing.missed;
            }
        }
    }
    let adjustments: Vec<Adjustment> = db
        .read()
        .all(
            q("SELECT id, unit_id, points_tenths, reason, created_at FROM assessment_adjustments WHERE year = $1 ORDER BY id")
                .bind(i64::from(year)),
        )
        .await?;
    let vetoes = crate::rankings::annual_vetoes(db, year).await?;
    let mut townships = Vec::new();
    let mut departments = Vec::new();
    for (unit_id, name, kind, facts) in units {
        let parts = score(&scheme, &facts);
        let mine: Vec<Adjustment> = adjustments
            .iter()
            .filter(|a| a.unit_id == unit_id)
            .cloned()
            .collect();
        let total = parts.iter().map(|p| p.points).sum::<i64>()
            + mine.iter().map(|a| a.points_tenths * 10).sum::<i64>();
        let veto_reasons = vetoes
            .iter()
            .find(|v| v.unit_id == unit_id)
            .map(|v| v.reasons.clone())
            .unwrap_or_default();
        let vetoed = !veto_reasons.is_empty();
        let a = Assessed {
            unit_id,
            name,
            kind,
            facts,
            parts,
            adjustments: mine,
            total,
            vetoed,
            veto_reasons,
            grade: grade(total, vetoed).to_string(),
            rank: 0,
        };
        match kind {
            Kind::Township => townships.push(a),
            Kind::Department => departments.push(a),
        }
    }
    for list in [&mut townships, &mut departments] {
        list.sort_by(|a, b| {
            a.vetoed
                .cmp(&b.vetoed)
                .then(b.total.cmp(&a.total))
                .then(a.name.cmp(&b.name))
        });
        for (i, a) in list.iter_mut().enumerate() {
            a.rank = i + 1;
        }
    }
    Ok(Assessment {
        year,
        scheme,
        months: months.iter().map(|p| p[0].month.clone()).collect(),
        townships,
        departments,
    })
}

/// The year's table as an official document like the monthly bulletin (the same
/// layout, `Bulletin::to_docx` and `to_xlsx`): each kind of unit's rank, parts,
/// adjustments, total and grade, and the vetoes with their reasons.
pub async fn document(
    db: &Db,
    a: &Assessment,
    today: NaiveDate,
) -> Result<anjian_core::bulletin::Bulletin> {
    use anjian_core::bulletin::{Bulletin, BulletinTable, Section};
    let issuer = crate::settings::get(db, crate::bulletins::ISSUER)
        .await?
        .unwrap_or_else(|| "区安全生产委员会办公室".into());
    let mut header: Vec<String> = vec!["名次".into(), "单位".into()];
    header.extend(
        a.scheme
            .parts
            .iter()
            .map(|p| format!("{}（{}分）", p.kind.label(), p.weight)),
    );
    header.extend(["加减分".into(), "总分".into(), "等次".into()]);
    let table = |caption: &str, list: &[Assessed]| BulletinTable {
        caption: caption.to_string(),
        header: header.clone(),
        rows: list
            .iter()
            .map(|x| {
                let mut row = vec![x.rank.to_string(), x.name.clone()];
                row.extend(
                    x.parts
                        .iter()
                        .map(|p| anjian_core::assessment::hundredths(p.points)),
                );
                row.push(anjian_core::assessment::hundredths(
                    x.adjustments.iter().map(|j| j.points_tenths * 10).sum(),
                ));
                row.push(x.total_label());
                row.push(x.grade.clone());
                row
            })
            .collect(),
    };
    let vetoes: Vec<String> = a
        .townships
        .iter()
        .chain(&a.departments)
        .filter(|x| x.vetoed)
        .map(|x| format!("{}：{}", x.name, x.veto_reasons.join("；")))
        .collect();
    let adjustments: Vec<String> = a
        .townships
        .iter()
        .chain(&a.departments)
        .flat_map(|x| {
            x.adjustments
                .iter()
                .map(move |j| format!("{}{}分：{}", x.name, j.points_label(), j.reason))
        })
        .collect();
    let weights = a
        .scheme
        .parts
        .iter()
        .map(|p| format!("{}{}分", p.kind.label(), p.weight))
        .collect::<Vec<_>>()
        .join("、");
    let mut sections = vec![Section {
        heading: "一、考核办法".into(),
        paragraphs: vec![format!(
            "按照区安委办年度考核方案，考核内容及分值为：{weights}。各项得分依据每月排名、工作方案事项按时完成情况、执法检查和打非治违、事故（含未列入清单的重大隐患）及干部履职档案逐月汇总计算；对政府和部门瞒报事故、发生较大及以上事故的，实行“一票否决”。"
        )],
    }];
    sections.push(Section {
        heading: "二、一票否决".into(),
        paragraphs: if vetoes.is_empty() {
            vec!["本年度无一票否决情形。".into()]
        } else {
            vetoes
        },
    });
    if !adjustments.is_empty() {
        sections.push(Section {
            heading: "三、加减分".into(),
            paragraphs: adjustments,
        });
    }
    Ok(Bulletin {
        issuer,
        doc_no: format!("{}年度考核", a.year),
        title: format!("关于{}安全生产工作考核结果的通报", a.period_label()),
        addressees: "各镇人民政府、街道办事处，区安委会各成员单位：".into(),
        opening: format!(
            "根据《{}年安全生产大检查工作方案》关于“实施考核和督办”的要求，区安委办对各镇街、区级部门{}安全生产工作进行了考核，现将结果通报如下。",
            a.year,
            a.period_label()
        ),
        sections,
        tables: vec![
            table("镇街考核结果", &a.townships),
            table("区级部门考核结果", &a.departments),
        ],
        issued_on: today,
    })
}
