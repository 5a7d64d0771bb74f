//! Special periods (特殊时段: the Congress, National Day, the flood season): declared by
//! the office, on the warning desk or as a campaign's special period (the plan's body:
//! "在党的二十大、市第六次党代会等特殊重点时段，落实日工作开展情况报告制度"), they make every
//! township and supervising department owe a daily report (situation, incidents, the
//! leader on duty) for each day, as obligations; the office reads a matrix of days ×
//! units. There is one mechanism: a campaign's periods are special periods with the
//! campaign's id.

use anjian_core::machine::States as _;
use anjian_core::obligation::State;
use anjian_core::time::Moment;
use anjian_core::time::Span;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, Tx, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::obligations::Source;
use crate::scope::{Actor, Scope};

/// A special period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SpecialPeriod {
    pub id: i64,
    pub name: String,
    pub first_day: String,
    pub last_day: String,
}

/// The units that owe daily reports: active localities (镇街、管委会) and departments with safety
/// supervision duties.
const REPORTERS: &str = "SELECT u.id, u.name FROM units u WHERE u.active = 1 AND (u.kind IN ('township', 'zone_committee') OR (u.kind = 'department' AND u.supervises_safety = 1))";

/// Declares a special period (the office): every reporting unit owes a report for
/// each day, in one transaction.
pub async fn declare(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    name: &str,
    Span { first, last }: Span,
) -> Result<i64> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let mut tx = db.begin().await?;
    let (id, e) = declare_in(
        &mut tx,
        now_ms,
        actor,
        name,
        Span::new(first, last),
        None,
        None,
    )
    .await?;
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(id)
}

/// Declares a special period inside the caller's transaction, for `campaign` when it is
/// a campaign's: every reporting unit owes a report for each day (from `owed_from` when
/// given); the audit entry.
pub(crate) async fn declare_in(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    name: &str,
    Span { first, last }: Span,
    campaign: Option<i64>,
    owed_from: Option<NaiveDate>,
) -> Result<(i64, Entry)> {
    let name = anjian_core::error::required_text("name", "时段名称", name, 100)?;
    if campaign.is_none() {
        anjian_core::warning::check_period(first, last)?;
    }
    let units: Vec<(i64, String)> = tx.all(q(REPORTERS).push(" ORDER BY u.id")).await?;
    let mut owed = Vec::new();
    for d in first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| owed_from.is_none_or(|f| *d >= f))
    {
        owed.extend(units.iter().map(|(u, _)| (*u, d)));
    }
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO special_periods (id, name, first_day, last_day, created_by, created_at, campaign_id) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(name.as_str())
            .bind(day(first))
            .bind(day(last))
            .bind(actor.user_id)
            .bind(now_ms)
            .bind(campaign),
    )
    .await?;
    crate::obligations::owe_many(tx, now_ms, Source::SpecialPeriod(id), &owed, |d| {
        format!("日报告：{name}（{}）", d.format("%-m月%-d日"))
    })
    .await?;
    let entry = Entry::ok("special_period.declare", "special_period", id)
        .detail(format!("{name} {first}至{last}"));
    Ok((id, entry))
}

/// Declares the special period of every campaign period named before a campaign's
/// periods were special periods (a database from before migration 0025), in one
/// transaction: the matrix and the daily reports appear for it, owed from today on,
/// nothing retroactive. Returns how many were declared; none on a later database.
pub async fn backfill_campaign_periods(db: &Db, now_ms: i64) -> Result<usize> {
    const MISSING: &str = "SELECT cp.campaign_id, cp.name, cp.starts_on, cp.ends_on FROM campaign_periods cp WHERE NOT EXISTS (SELECT 1 FROM special_periods sp WHERE sp.campaign_id = cp.campaign_id AND sp.name = cp.name AND sp.first_day = cp.starts_on AND sp.last_day = cp.ends_on) ORDER BY cp.campaign_id, cp.starts_on";
    let missing: Vec<(i64, String, String, String)> = db.read().all(q(MISSING)).await?;
    if missing.is_empty() {
        return Ok(0);
    }
    let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
    let parse = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let actor = Actor::system("migration");
    let mut tx = db.begin().await?;
    let mut n = 0;
    for (campaign, name, first, last) in &missing {
        let (Some(first), Some(last)) = (parse(first), parse(last)) else {
            continue;
        };
        let (_, e) = declare_in(
            &mut tx,
            now_ms,
            &actor,
            name,
            Span::new(first, last),
            Some(*campaign),
            Some(today),
        )
        .await?;
        audit::append(&mut tx, now_ms, &actor, e).await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}

/// Withdraws a campaign's special period named `name` from `first` to `last` inside the
/// caller's transaction: the days nobody reported on are removed; a period with reports
/// keeps them (and its row).
pub(crate) async fn withdraw_in(
    tx: &mut Tx,
    campaign: i64,
    name: &str,
    first: &str,
    last: &str,
) -> Result<()> {
    let found: Option<(i64,)> = tx
        .opt(
            q("SELECT id FROM special_periods WHERE campaign_id = $1 AND name = $2 AND first_day = $3 AND last_day = $4 ORDER BY id DESC LIMIT 1")
                .bind(campaign)
                .bind(name)
                .bind(first)
                .bind(last),
        )
        .await?;
    let Some((id,)) = found else {
        return Ok(());
    };
    tx.execute(
        q(format!("DELETE FROM notifications WHERE obligation_id IN (SELECT o.id FROM obligations o WHERE o.special_period_id = $1 AND o.state = {})", State::Pending.sql()))
            .bind(id),
    )
    .await?;
    tx.execute(
        q(format!(
            "DELETE FROM obligations WHERE special_period_id = $1 AND state = {}",
            State::Pending.sql()
        ))
        .bind(id),
    )
    .await?;
    let (left,): (i64,) = tx
        .one(
            q("SELECT CAST(COUNT(*) AS BIGINT) FROM obligations WHERE special_period_id = $1")
                .bind(id),
        )
        .await?;
    if left == 0 {
        tx.execute(q("DELETE FROM special_periods WHERE id = $1").bind(id))
            .await?;
    }
    Ok(())
}

/// Special periods, newest first.
pub async fn list(db: &Db) -> Result<Vec<SpecialPeriod>> {
    db.read()
        .all(q("SELECT id, name, first_day, last_day FROM special_periods ORDER BY first_day DESC, id DESC LIMIT 100"))
        .await
}

/// One special period, or `NotFound`.
pub async fn get(db: &Db, id: i64) -> Result<SpecialPeriod> {
    db.read()
        .one(q("SELECT id, name, first_day, last_day FROM special_periods WHERE id = $1").bind(id))
        .await
}

/// A day's report.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewReport {
    /// YYYY-MM-DD; today when empty.
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub situation: String,
    #[serde(default)]
    pub incidents: String,
    #[serde(default)]
    pub on_duty_leader: String,
}

/// The caller's unit reports day `r.day` of period `id`: the day must be in the period
/// and not after today, the unit must owe it, and once only. Closes that day's
/// obligation.
pub async fn report(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    id: i64,
    r: &NewReport,
) -> Result<()> {
    use anjian_core::error::{optional_date, optional_text, required_text};
    let p = get(db, id).await?;
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    let on = optional_date("day", "报告日期", &r.day)?.unwrap_or(today);
    if day(on) < p.first_day || day(on) > p.last_day {
        return Err(Error::invalid(
            "out_of_period",
            "day",
            "报告日期不在该时段内",
        ));
    }
    if on > today {
        return Err(Error::invalid(
            "future_date",
            "day",
            "不能提前报送以后的日报告",
        ));
    }
    let owes: Option<(i64,)> = db
        .read()
        .opt(q("SELECT id FROM obligations WHERE special_period_id = $1 AND unit_id = $2 AND due_on = $3").bind(id).bind(unit).bind(day(on)))
        .await?;
    if owes.is_none() {
        return Err(Error::invalid("not_owed", "day", "本单位无需报送该日报告"));
    }
    let situation =
        anjian_core::error::required_paragraphs("situation", "总体情况", &r.situation, 2000)?;
    let incidents = optional_text("incidents", "突发事件", &r.incidents, 2000)?;
    let leader = required_text("on_duty_leader", "带班领导", &r.on_duty_leader, 50)?;
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO daily_reports (id, period_id, unit_id, day, situation, incidents, on_duty_leader, submitted_at, submitted_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(next_id(now_ms))
            .bind(id)
            .bind(unit)
            .bind(day(on))
            .bind(situation.as_str())
            .bind(incidents)
            .bind(leader.as_str())
            .bind(now_ms)
            .bind(actor.user_id),
    )
    .await
    .map_err(|e| match e {
        e if e.is_unique_violation() => {
            Error::invalid("already_reported", "day", "该日报告已报送")
        }
        e => e,
    })?;
    crate::obligations::fulfil_of(
        &mut tx,
        Moment::new(now_ms, today),
        Source::SpecialPeriod(id),
        Some((unit, Some(on))),
    )
    .await?;
    let entry = Entry::ok("daily_report.submit", "special_period", id)
        .detail(format!("{on} 带班领导{leader}"));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// One cell of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// Reported on its day.
    OnTime,
    /// Reported after its day.
    Late,
    /// Not reported, its day past.
    Missing,
    /// Not yet due.
    Due,
}

impl Cell {
    /// The mark printed in the matrix.
    pub fn mark(self) -> &'static str {
        match self {
            Cell::OnTime => "✓",
            Cell::Late => "迟",
            Cell::Missing => "✗",
            Cell::Due => "·",
        }
    }
}

/// The matrix of period `id`: its days, and each reporting unit in scope with a cell
/// per day; two queries.
pub async fn matrix(
    db: &Db,
    scope: &Scope,
    id: i64,
    today: NaiveDate,
) -> Result<(SpecialPeriod, Vec<NaiveDate>, Vec<(String, Vec<Cell>)>)> {
    let p = get(db, id).await?;
    let first = NaiveDate::parse_from_str(&p.first_day, "%Y-%m-%d").unwrap_or(today);
    let last = NaiveDate::parse_from_str(&p.last_day, "%Y-%m-%d").unwrap_or(today);
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let units: Vec<(i64, String)> = db
        .read()
        .all(
            scope
                .units(q(REPORTERS).push(" AND "), "u")
                .push(" ORDER BY u.kind DESC, u.name"),
        )
        .await?;
    let reports: std::collections::HashMap<(i64, String), i64> = db
        .read()
        .all::<(i64, String, i64)>(
            q("SELECT unit_id, day, submitted_at FROM daily_reports WHERE period_id = $1").bind(id),
        )
        .await?
        .into_iter()
        .map(|(u, d, at)| ((u, d), at))
        .collect();
    let rows = units
        .into_iter()
        .map(|(u, name)| {
            let cells = days
                .iter()
                .map(|d| match reports.get(&(u, day(*d))) {
                    Some(at) => {
                        if anjian_core::time::local_date(*at).is_some_and(|s| s > *d) {
                            Cell::Late
                        } else {
                            Cell::OnTime
                        }
                    }
                    None if *d < today => Cell::Missing,
                    None => Cell::Due,
                })
                .collect();
            (name, cells)
        })
        .collect();
    Ok((p, days, rows))
}
