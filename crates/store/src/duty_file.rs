//! A person's duty file (履职档案, item (110): "建立各级各部门负责人安全履职档案，严格周检查、
//! 月通报。发生事故核查履职"): one official's year — every record, every quota of their
//! posts period by period (met, missed or running), the warnings addressed to their
//! unit and how they were answered, and the accidents in their area or at the
//! enterprises they answer for. Read in five bounded queries.

use anjian_core::duty::{Activity, PeriodLine, Post, RecordState};
use anjian_core::machine::States;
use anjian_core::time::Span;
use chrono::NaiveDate;
use serde::Serialize;

use crate::db::{Db, day, q};
use crate::duty::Record;
use crate::error::{Error, Result};
use crate::responsible::Official;
use crate::scope::Scope;

/// One quota of the file with its periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QuotaFile {
    pub post_name: String,
    pub label: String,
    pub source: String,
    pub periods: Vec<PeriodLine>,
}

impl QuotaFile {
    /// Periods ended short.
    pub fn missed(&self) -> usize {
        self.periods.iter().filter(|p| p.ended && !p.met()).count()
    }

    /// Periods met.
    pub fn met(&self) -> usize {
        self.periods.iter().filter(|p| p.met()).count()
    }
}

/// A warning addressed to the official's unit and its answer (叫应).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct WarningLine {
    pub id: i64,
    pub title: String,
    pub issued_at: i64,
    pub answer_by: i64,
    pub acked_at: Option<i64>,
    pub reply: Option<String>,
}

impl WarningLine {
    /// When it was issued, Beijing time.
    pub fn issued_label(&self) -> String {
        anjian_core::time::format_local(self.issued_at)
    }

    /// "按时回应", "逾期回应" or "未回应".
    pub fn answer_label(&self) -> &'static str {
        match self.acked_at {
            Some(at) if at <= self.answer_by => "按时回应",
            Some(_) => "逾期回应",
            None => "未回应",
        }
    }
}

/// An accident in the official's area or at an enterprise they answer for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AccidentLine {
    pub id: i64,
    pub occurred_on: String,
    pub place: String,
    pub grade: String,
    pub deaths: i64,
    pub concealed: bool,
}

impl AccidentLine {
    /// The grade's Chinese name, "瞒报" added when concealed.
    pub fn label(&self) -> String {
        let g = anjian_core::accident::Grade::parse(&self.grade).map_or("", |g| g.label());
        if self.concealed {
            format!("{g}（瞒报）")
        } else {
            g.to_string()
        }
    }
}

/// An official's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DutyFile {
    pub official: Official,
    pub year: i32,
    /// The day it is read as of.
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub records: Vec<Record>,
    pub quotas: Vec<QuotaFile>,
    pub warnings: Vec<WarningLine>,
    pub accidents: Vec<AccidentLine>,
}

impl DutyFile {
    /// Periods ended short over every quota.
    pub fn missed(&self) -> usize {
        self.quotas.iter().map(QuotaFile::missed).sum()
    }
}

/// At most this many records in a year's file (the benchmark's busiest official logs
/// 2,000).
const MAX_RECORDS: i64 = 5000;

/// The duty file of official `id` (in scope, else `NotFound`) for `year` as of `as_of`.
pub async fn of(db: &Db, scope: &Scope, id: i64, year: i32, as_of: NaiveDate) -> Result<DutyFile> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1)
        .filter(|_| (2000..=2100).contains(&year))
        .ok_or_else(|| Error::invalid("invalid_year", "year", "年度应为2000到2100"))?;
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(first);
    let official = crate::responsible::official(db, scope, id).await?;
    let records: Vec<Record> = db
        .read()
        .all(
            q(crate::duty::RECORD)
                .push("r.official_id = ")
                .push_bind(id)
                .push(" AND r.on_day >= ")
                .push_bind(day(first))
                .push(" AND r.on_day <= ")
                .push_bind(day(last))
                .push(" ORDER BY r.on_day, r.id LIMIT ")
                .push_bind(MAX_RECORDS),
        )
        .await?;
    // The posts: appointed, and responsible official while named on a listed
    // enterprise.
    let (listed,): (i64,) = db
        .read()
        .one(q("SELECT CAST(COUNT(*) AS BIGINT) FROM responsible_persons r JOIN enterprises e ON e.unit_id = r.enterprise_id WHERE r.official_id = $1 AND r.until_on IS NULL AND e.listed = 1").bind(id))
        .await?;
    let mut posts: Vec<Post> = official.post.clone().map(Post).into_iter().collect();
    if listed > 0 {
        posts.push(Post(Post::RESPONSIBLE_OFFICIAL.into()));
    }
    let counted = RecordState::Counted.as_str();
    let span = Span::new(first, last.min(as_of.max(first)));
    let mut quotas = Vec::new();
    for quota in crate::duty::quotas(db)
        .await?
        .into_iter()
        .filter(|x| posts.contains(&x.post))
    {
        let days: Vec<(NaiveDate, i64)> = records
            .iter()
            .filter(|r| {
                r.state == counted && Activity::parse(&r.activity).ok() == Some(quota.activity)
            })
            .filter_map(|r| {
                let d = NaiveDate::parse_from_str(&r.on_day, "%Y-%m-%d").ok()?;
                Some((d, r.enterprise_id.unwrap_or(0)))
            })
            .collect();
        quotas.push(QuotaFile {
            post_name: quota.post_name.clone(),
            label: quota.label(),
            source: quota.source.clone(),
            periods: anjian_core::duty::period_lines(&quota, span, as_of, &days),
        });
    }
    let from = anjian_core::time::at_local(first, 0).unwrap_or(0);
    let to = anjian_core::time::at_local(last, 0).unwrap_or(0) + 86_400_000;
    let warnings: Vec<WarningLine> = db
        .read()
        .all(
            q("SELECT w.id, w.title, w.issued_at, w.answer_by, r.acked_at, r.reply FROM warning_recipients r JOIN warnings w ON w.id = r.warning_id WHERE r.unit_id = $1 AND w.issued_at >= $2 AND w.issued_at < $3 ORDER BY w.issued_at LIMIT 500")
                .bind(official.unit_id)
                .bind(from)
                .bind(to),
        )
        .await?;
    let accidents: Vec<AccidentLine> = db
        .read()
        .all(
            q("SELECT a.id, a.occurred_on, a.place, a.grade, a.deaths, CAST(a.concealed AS BIGINT) = 1 AS concealed FROM accidents a WHERE (a.unit_id = $1 OR a.enterprise_id IN (SELECT r.enterprise_id FROM responsible_persons r WHERE r.official_id = $2 AND r.until_on IS NULL)) AND a.occurred_on >= $3 AND a.occurred_on <= $4 ORDER BY a.occurred_on LIMIT 500")
                .bind(official.unit_id)
                .bind(id)
                .bind(day(first))
                .bind(day(last)),
        )
        .await?;
    Ok(DutyFile {
        official,
        year,
        as_of,
        records,
        quotas,
        warnings,
        accidents,
    })
}

/// The file as a printable document in the layout of the office's bulletins: the
/// quotas period by period, the records, the warnings and the accidents as tables.
pub fn document(f: &DutyFile, issuer: &str) -> anjian_core::bulletin::Bulletin {
    use anjian_core::bulletin::{Bulletin, BulletinTable, Section};
    let o = &f.official;
    let quota_rows = f
        .quotas
        .iter()
        .flat_map(|x| {
            x.periods.iter().map(move |p| {
                vec![
                    x.post_name.clone(),
                    x.label.clone(),
                    format!("{}至{}", p.first, p.last),
                    p.done.to_string(),
                    p.label().to_string(),
                ]
            })
        })
        .collect();
    let record_rows = f
        .records
        .iter()
        .map(|r| {
            vec![
                r.on_day.clone(),
                r.activity_label().to_string(),
                r.place.clone(),
                r.topic.clone(),
                r.participants.clone().unwrap_or_default(),
                r.state_label().to_string(),
            ]
        })
        .collect();
    let warning_rows = f
        .warnings
        .iter()
        .map(|w| {
            vec![
                anjian_core::time::format_local(w.issued_at),
                w.title.clone(),
                w.answer_label().to_string(),
                w.reply.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let accident_rows = f
        .accidents
        .iter()
        .map(|a| {
            vec![
                a.occurred_on.clone(),
                a.place.clone(),
                a.label(),
                a.deaths.to_string(),
            ]
        })
        .collect();
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Bulletin {
        issuer: issuer.to_string(),
        doc_no: format!("履职档案〔{}〕{}号", f.year, o.id),
        title: format!("{}{}{}年度安全生产履职档案", o.unit_name, o.name, f.year),
        addressees: String::new(),
        opening: format!(
            "{}，{}{}。截至{}，全年履职记录{}条，履职定额未完成{}个周期，预警叫应{}次，辖区（包保企业）事故{}起。",
            o.name,
            o.unit_name,
            o.title,
            f.as_of,
            f.records.len(),
            f.missed(),
            f.warnings.len(),
            f.accidents.len()
        ),
        sections: vec![Section {
            heading: "说明".into(),
            paragraphs: vec![
                "依据工作方案（110）“建立各级各部门负责人安全履职档案，严格周检查、月通报。发生事故核查履职”，本档案按周、月逐期列明履职定额完成情况。".into(),
            ],
        }],
        tables: vec![
            BulletinTable {
                caption: "履职定额完成情况".into(),
                header: h(&["岗位", "定额", "周期", "完成", "情况"]),
                rows: quota_rows,
            },
            BulletinTable {
                caption: "履职记录".into(),
                header: h(&["日期", "活动", "地点", "内容", "参加人员", "状态"]),
                rows: record_rows,
            },
            BulletinTable {
                caption: "预警叫应".into(),
                header: h(&["发布时间", "预警", "回应", "答复"]),
                rows: warning_rows,
            },
            BulletinTable {
                caption: "事故".into(),
                header: h(&["日期", "地点", "等级", "死亡"]),
                rows: accident_rows,
            },
        ],
        issued_on: f.as_of,
    }
}
