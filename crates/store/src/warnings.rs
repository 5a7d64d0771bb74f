//! Risk assessments, warnings with call-and-response (叫应), and circuit breakers (熔断).
//!
//! A warning names its addressees and the instant by which each must answer; every
//! addressee owes the answer as an obligation (so a missed one is overdue in the
//! to-do lists and escalated like any other), and the office sees who answered in
//! time, late, or not at all. A circuit breaker suspends named activities in named
//! areas (townships) and sectors between two instants until it ends or is lifted.

use anjian_core::time::Moment;
use anjian_core::warning::{AssessmentKind, WarningKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, Q, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::obligations::Source;
use crate::scope::{Actor, Scope};

/// A risk assessment to record.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewAssessment {
    #[serde(default)]
    pub kind: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub conclusion: String,
    /// The risks, their level and control measures, each owed by the unit named.
    #[serde(default)]
    pub measures: Vec<crate::risk_measures::NewMeasure>,
}

/// A recorded assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Assessment {
    pub id: i64,
    pub unit_name: String,
    pub kind: String,
    pub held_on: String,
    pub title: String,
    pub conclusion: String,
}

impl Assessment {
    /// The kind's Chinese name.
    pub fn kind_label(&self) -> &'static str {
        AssessmentKind::parse(&self.kind).map_or("", AssessmentKind::label)
    }
}

/// Records a risk assessment held by the caller's unit (not in the future) with its
/// control measures, each an obligation of the unit named (in `scope`), in one
/// transaction.
pub async fn assess(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    a: &NewAssessment,
) -> Result<i64> {
    use anjian_core::error::{optional_date, required_text};
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    let kind = AssessmentKind::parse(&a.kind)?;
    let on = optional_date("held_on", "研判日期", &a.held_on)?.unwrap_or(today);
    if on > today {
        return Err(Error::invalid(
            "future_date",
            "held_on",
            "研判日期不能晚于今天",
        ));
    }
    let title = required_text("title", "研判主题", &a.title, 200)?;
    let conclusion = required_text("conclusion", "研判结论", &a.conclusion, 4000)?;
    let measures = crate::risk_measures::check(unit, today, &a.measures)?;
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO risk_assessments (id, unit_id, kind, held_on, title, conclusion, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(id)
            .bind(unit)
            .bind(kind.as_str())
            .bind(day(on))
            .bind(title.as_str())
            .bind(conclusion.as_str())
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    crate::risk_measures::keep(&mut tx, now_ms, scope, id, &title, &measures).await?;
    let entry = Entry::ok("risk.assess", "risk_assessment", id).detail(format!(
        "{title}{}",
        if measures.is_empty() {
            String::new()
        } else {
            format!("：管控措施{}项", measures.len())
        }
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// One assessment with its measures, or `NotFound`: for the units in scope of the
/// assessing unit and for those owing one of its measures.
pub async fn assessment(
    db: &Db,
    scope: &Scope,
    id: i64,
) -> Result<(Assessment, Vec<crate::risk_measures::MeasureRow>)> {
    // Seen by the units in scope of the assessing unit, and by those owing a measure.
    let query = scope
        .units(
            q("SELECT a.id, u.name AS unit_name, a.kind, a.held_on, a.title, a.conclusion FROM risk_assessments a JOIN units u ON u.id = a.unit_id WHERE a.id = ")
                .push_bind(id)
                .push(" AND ("),
            "u",
        )
        .push(" OR EXISTS (SELECT 1 FROM risk_measures m JOIN units mu ON mu.id = m.unit_id WHERE m.assessment_id = a.id AND ");
    let a: Assessment = db.read().one(scope.units(query, "mu").push("))")).await?;
    let m = crate::risk_measures::of(db, id).await?;
    Ok((a, m))
}

/// Assessments of units in scope, newest first (by the day held, then id), a page at
/// a time.
pub async fn assessments(
    db: &Db,
    scope: &Scope,
    page: crate::paging::Page,
) -> Result<Vec<Assessment>> {
    let mut query = scope.units(q("SELECT a.id, u.name AS unit_name, a.kind, a.held_on, a.title, a.conclusion FROM risk_assessments a JOIN units u ON u.id = a.unit_id WHERE "), "u");
    if let Some(after) = page.after {
        query = crate::paging::before_row(
            query,
            scope,
            "a.held_on, a.id",
            "SELECT c.held_on, c.id FROM risk_assessments c JOIN units cu ON cu.id = c.unit_id WHERE c.id = ",
            after,
        );
    }
    db.read()
        .all(
            query
                .push(" ORDER BY a.held_on DESC, a.id DESC LIMIT ")
                .push_bind(page.limit()),
        )
        .await
}

/// A warning to issue: kind, title, text, the instant by which to answer (epoch ms),
/// the addressed units.
#[derive(Debug, Clone, Default)]
pub struct NewWarning {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub answer_by: i64,
    pub units: Vec<i64>,
}

/// A warning as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Warning {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub issued_at: i64,
    pub answer_by: i64,
    pub addressed: i64,
    pub answered: i64,
    pub late: i64,
}

impl Warning {
    /// The kind's Chinese name.
    pub fn kind_label(&self) -> &'static str {
        WarningKind::parse(&self.kind).map_or("", WarningKind::label)
    }
}

/// One addressee's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Recipient {
    pub unit_id: i64,
    pub unit_name: String,
    pub acked_at: Option<i64>,
    pub reply: Option<String>,
}

impl Recipient {
    /// answered (in time), late, overdue (not answered, past the instant) or waiting.
    pub fn status(&self, answer_by: i64, now_ms: i64) -> &'static str {
        match self.acked_at {
            Some(t) if t <= answer_by => "answered",
            Some(_) => "late",
            None if now_ms > answer_by => "overdue",
            None => "waiting",
        }
    }
}

/// The Chinese name of a recipient status.
pub fn status_label(s: &str) -> &'static str {
    match s {
        "answered" => "按时回应",
        "late" => "超时回应",
        "overdue" => "未回应（已超时）",
        _ => "待回应",
    }
}

/// How many of `ids` (distinct) are units matching `predicate`, in one query.
async fn count_units(db: &Db, predicate: &str, ids: &[i64]) -> Result<i64> {
    let (n,): (i64,) = db
        .read()
        .one(
            q(format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM units WHERE {predicate} AND id IN ("
            ))
            .push_list(ids)
            .push(")"),
        )
        .await?;
    Ok(n)
}

/// Issues a warning (the office): its addressees (active townships, departments and
/// other units, not enterprises) each owe an answer by `answer_by`, due that day.
pub async fn issue(db: &Db, now_ms: i64, actor: &Actor, w: &NewWarning) -> Result<i64> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    use anjian_core::error::required_text;
    let kind = WarningKind::parse(&w.kind)?;
    let title = required_text("title", "预警标题", &w.title, 200)?;
    let body = anjian_core::error::required_paragraphs("body", "预警内容", &w.body, 4000)?;
    anjian_core::warning::check_window("answer_by", now_ms, w.answer_by, 7)?;
    let mut units = w.units.clone();
    units.sort_unstable();
    units.dedup();
    if units.is_empty() {
        return Err(Error::invalid("required", "units", "请选择接收单位"));
    }
    if units.len() > 5000 {
        return Err(Error::invalid("too_many", "units", "接收单位过多"));
    }
    if count_units(db, "kind <> 'enterprise' AND active = 1", &units).await? != units.len() as i64 {
        return Err(Error::invalid(
            "unknown_unit",
            "units",
            "接收单位中有不存在或已停用的单位",
        ));
    }
    let due = anjian_core::time::local_date(w.answer_by).unwrap_or_default();
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO warnings (id, kind, title, body, issued_at, answer_by, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(kind.as_str())
            .bind(title.as_str())
            .bind(body.as_str())
            .bind(now_ms)
            .bind(w.answer_by)
            .bind(actor.user_id),
    )
    .await?;
    for chunk in units.chunks(500) {
        let rows: Vec<Vec<crate::db::Arg>> =
            chunk.iter().map(|u| vec![id.into(), (*u).into()]).collect();
        tx.execute(crate::db::insert_rows(
            "INSERT INTO warning_recipients (warning_id, unit_id) VALUES ",
            &rows,
        ))
        .await?;
    }
    let owed: Vec<(i64, NaiveDate)> = units.iter().map(|u| (*u, due)).collect();
    crate::obligations::owe_many(&mut tx, now_ms, Source::Warning(id), &owed, |_| {
        format!("叫应：{title}")
    })
    .await?;
    // The addressees' channels get it at once (确保喊得应).
    tell(
        &mut tx,
        now_ms,
        id,
        &units,
        title.clone(),
        format!(
            "{}请于{}前在平台回应（叫应）。",
            body.chars().take(300).collect::<String>(),
            anjian_core::time::format_local(w.answer_by)
                .chars()
                .take(16)
                .collect::<String>()
        ),
        "issue",
    )
    .await?;
    let entry = Entry::ok("warning.issue", "warning", id).detail(format!(
        "{}（{}个单位）",
        title,
        units.len()
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// The caller's unit answers warning `id` (喊得应、有回应): refused for a unit not
/// addressed, or answering twice. Its obligation is closed (late after its day).
pub async fn ack(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    id: i64,
    reply: &str,
) -> Result<Recipient> {
    let reply = anjian_core::error::optional_text("reply", "回应内容", reply, 1000)?;
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    let exists: Option<(i64,)> = db
        .read()
        .opt(q("SELECT id FROM warnings WHERE id = $1").bind(id))
        .await?;
    exists.ok_or(Error::NotFound)?;
    let row: Option<(Option<i64>,)> = db
        .read()
        .opt(
            q("SELECT acked_at FROM warning_recipients WHERE warning_id = $1 AND unit_id = $2")
                .bind(id)
                .bind(unit),
        )
        .await?;
    match row {
        // Not an addressee: the warning does not exist for this unit.
        None => return Err(Error::NotFound),
        Some((Some(_),)) => {
            return Err(Error::invalid(
                "already_answered",
                "unit",
                "本单位已回应该预警",
            ));
        }
        Some((None,)) => {}
    }
    let mut tx = db.begin().await?;
    tx.execute(
        q("UPDATE warning_recipients SET acked_at = $1, acked_by = $2, reply = $3 WHERE warning_id = $4 AND unit_id = $5 AND acked_at IS NULL")
            .bind(now_ms)
            .bind(actor.user_id)
            .bind(reply.clone())
            .bind(id)
            .bind(unit),
    )
    .await?;
    crate::obligations::fulfil_of(
        &mut tx,
        Moment::new(now_ms, today),
        Source::Warning(id),
        Some((unit, None)),
    )
    .await?;
    let entry = Entry::ok("warning.ack", "warning", id).detail(reply.clone().unwrap_or_default());
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    db
        .read()
        .one(q("SELECT r.unit_id, u.name AS unit_name, r.acked_at, r.reply FROM warning_recipients r JOIN units u ON u.id = r.unit_id WHERE r.warning_id = $1 AND r.unit_id = $2").bind(id).bind(unit))
        .await
}

const WARNING: &str = "SELECT w.id, w.kind, w.title, w.body, w.issued_at, w.answer_by, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM warning_recipients r WHERE r.warning_id = w.id) AS addressed, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM warning_recipients r WHERE r.warning_id = w.id AND r.acked_at IS NOT NULL) AS answered, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM warning_recipients r WHERE r.warning_id = w.id AND r.acked_at > w.answer_by) AS late \
    FROM warnings w WHERE ";

/// Appends "warning `w` is seen by the caller": the office sees all, a unit those
/// addressed to it, anyone else none. The list, its cursor and one warning's page read
/// through it alike.
fn seen_by(query: Q, scope: &Scope, unit: Option<i64>, w: &str) -> Q {
    match (scope, unit) {
        (Scope::All, _) => query.push("1 = 1"),
        (_, Some(u)) => query
            .push(&format!(
                "EXISTS (SELECT 1 FROM warning_recipients r WHERE r.warning_id = {w}.id AND r.unit_id = "
            ))
            .push_bind(u)
            .push(")"),
        _ => query.push("1 = 0"),
    }
}

/// Warnings the caller sees ([`seen_by`]); newest first (by the time issued, then id),
/// a page at a time.
pub async fn list(
    db: &Db,
    scope: &Scope,
    unit: Option<i64>,
    page: crate::paging::Page,
) -> Result<Vec<Warning>> {
    let mut query = seen_by(q(WARNING), scope, unit, "w");
    if let Some(a) = page.after {
        // The cursor is read as the list is: a warning that does not exist, or that is
        // not addressed to the caller, orders nothing (the page is empty).
        query = seen_by(
            query
                .push(" AND (w.issued_at, w.id) < (SELECT c.issued_at, c.id FROM warnings c WHERE c.id = ")
                .push_bind(a)
                .push(" AND "),
            scope,
            unit,
            "c",
        )
        .push(")");
    }
    db.read()
        .all(
            query
                .push(" ORDER BY w.issued_at DESC, w.id DESC LIMIT ")
                .push_bind(page.limit()),
        )
        .await
}

/// One warning the caller sees, with its addressees (all for the office, their own
/// unit for the rest).
pub async fn get(
    db: &Db,
    scope: &Scope,
    unit: Option<i64>,
    id: i64,
) -> Result<(Warning, Vec<Recipient>)> {
    let query = seen_by(
        q(WARNING).push("w.id = ").push_bind(id).push(" AND "),
        scope,
        unit,
        "w",
    );
    let w: Warning = db.read().one(query).await?;
    let mut query = q("SELECT r.unit_id, u.name AS unit_name, r.acked_at, r.reply FROM warning_recipients r JOIN units u ON u.id = r.unit_id WHERE r.warning_id = ").push_bind(id);
    if !matches!(scope, Scope::All) {
        query = query.push(" AND r.unit_id = ").push_bind(unit.unwrap_or(0));
    }
    let recipients = db
        .read()
        .all(query.push(" ORDER BY r.acked_at IS NULL DESC, u.name"))
        .await?;
    Ok((w, recipients))
}

/// A circuit breaker to set: activities, reason, window, areas and sectors.
#[derive(Debug, Clone, Default)]
pub struct NewBreaker {
    pub activities: String,
    pub reason: String,
    pub from_at: i64,
    pub until_at: i64,
    pub areas: Vec<i64>,
    pub sectors: Vec<String>,
}

/// A circuit breaker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Breaker {
    pub id: i64,
    pub activities: String,
    pub reason: String,
    pub from_at: i64,
    pub until_at: i64,
    pub lifted_at: Option<i64>,
    pub areas: Vec<String>,
    pub sectors: Vec<String>,
}

impl Breaker {
    /// Whether it suspends at `now_ms`.
    pub fn active(&self, now_ms: i64) -> bool {
        self.lifted_at.is_none() && self.from_at <= now_ms && now_ms < self.until_at
    }
}

/// Sets a circuit breaker (the office).
pub async fn trip(db: &Db, now_ms: i64, actor: &Actor, b: &NewBreaker) -> Result<i64> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    use anjian_core::error::required_text;
    let activities = required_text("activities", "暂停的活动", &b.activities, 500)?;
    let reason = required_text("reason", "熔断原因", &b.reason, 1000)?;
    anjian_core::warning::check_window("until", b.from_at, b.until_at, 30)?;
    if b.areas.is_empty() && b.sectors.is_empty() {
        return Err(Error::invalid(
            "required",
            "areas",
            "请选择熔断的区域或行业领域",
        ));
    }
    let sectors = crate::hazards::sectors(db).await?;
    let mut sector_ids = Vec::new();
    for name in &b.sectors {
        let (id, _) = sectors
            .iter()
            .find(|(_, s)| s == anjian_core::sector::canonical(name))
            .ok_or_else(|| {
                Error::invalid(
                    "unknown_sector",
                    "sectors",
                    format!("行业领域“{name}”不存在"),
                )
            })?;
        sector_ids.push(*id);
    }
    sector_ids.sort_unstable();
    sector_ids.dedup();
    let mut areas = b.areas.clone();
    areas.sort_unstable();
    areas.dedup();
    if !areas.is_empty()
        && count_units(
            db,
            &format!("kind IN {}", anjian_core::unit::LOCALITY_KINDS),
            &areas,
        )
        .await?
            != areas.len() as i64
    {
        return Err(Error::invalid(
            "unknown_unit",
            "areas",
            "熔断区域应为镇街或管委会",
        ));
    }
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO circuit_breakers (id, activities, reason, from_at, until_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(activities.as_str())
            .bind(reason.as_str())
            .bind(b.from_at)
            .bind(b.until_at)
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    for (table, column, ids) in [
        ("circuit_breaker_areas", "unit_id", &areas),
        ("circuit_breaker_sectors", "sector_id", &sector_ids),
    ] {
        if ids.is_empty() {
            continue;
        }
        let rows: Vec<Vec<crate::db::Arg>> =
            ids.iter().map(|x| vec![id.into(), (*x).into()]).collect();
        tx.execute(crate::db::insert_rows(
            &format!("INSERT INTO {table} (breaker_id, {column}) VALUES "),
            &rows,
        ))
        .await?;
    }
    // The townships of its areas (every locality when it names none) and the departments
    // of its sectors are told on their channels.
    let mut told: Vec<i64> = if areas.is_empty() {
        tx.all::<(i64,)>(q(format!(
            "SELECT id FROM units WHERE active = 1 AND kind IN {}",
            anjian_core::unit::LOCALITY_KINDS
        )))
        .await?
        .into_iter()
        .map(|(u,)| u)
        .collect()
    } else {
        areas.clone()
    };
    if !sector_ids.is_empty() {
        let depts: Vec<(i64,)> = tx
            .all(
                q("SELECT DISTINCT us.unit_id FROM unit_sectors us JOIN units u ON u.id = us.unit_id WHERE u.kind = 'department' AND u.active = 1 AND us.sector_id IN (")
                    .push_list(&sector_ids)
                    .push(")"),
            )
            .await?;
        told.extend(depts.into_iter().map(|(u,)| u));
    }
    crate::outbox::notify_in(
        &mut tx,
        now_ms,
        anjian_core::channel::Event::Breaker,
        &told,
        &anjian_core::channel::Message {
            title: "熔断".into(),
            text: format!(
                "自{}至{}暂停：{activities}。原因：{reason}",
                anjian_core::time::format_local(b.from_at)
                    .chars()
                    .take(16)
                    .collect::<String>(),
                anjian_core::time::format_local(b.until_at)
                    .chars()
                    .take(16)
                    .collect::<String>()
            ),
            link: "/warnings".into(),
        },
        crate::outbox::About {
            subject: &format!("breaker:{id}"),
            round: "trip",
        },
    )
    .await?;
    let entry =
        Entry::ok("breaker.trip", "circuit_breaker", id).detail(format!("{activities}：{reason}"));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// Lifts circuit breaker `id` now (the office), with a reason.
pub async fn lift(db: &Db, now_ms: i64, actor: &Actor, id: i64, reason: &str) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let reason = anjian_core::error::required_text("reason", "解除原因", reason, 500)?;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            q("UPDATE circuit_breakers SET lifted_at = $1, lift_reason = $2 WHERE id = $3 AND lifted_at IS NULL")
                .bind(now_ms)
                .bind(reason.as_str())
                .bind(id),
        )
        .await?;
    if n == 0 {
        return Err(Error::invalid("not_active", "id", "该熔断已解除或不存在"));
    }
    let entry = Entry::ok("breaker.lift", "circuit_breaker", id).detail(reason);
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// Breakers not yet ended or lifted at `now_ms` (in force or ahead) that touch `unit`
/// (its township is an area, or it supervises or belongs to a sector), or all of them
/// for `None`; three queries.
pub async fn current(db: &Db, now_ms: i64, unit: Option<i64>) -> Result<Vec<Breaker>> {
    breakers(db, Some(now_ms), unit).await
}

/// The latest breakers, ended and lifted ones included (at most 100).
pub async fn history(db: &Db) -> Result<Vec<Breaker>> {
    breakers(db, None, None).await
}

async fn breakers(db: &Db, now_ms: Option<i64>, unit: Option<i64>) -> Result<Vec<Breaker>> {
    let mut query = q(
        "SELECT b.id, b.activities, b.reason, b.from_at, b.until_at, b.lifted_at FROM circuit_breakers b WHERE ",
    );
    query = match now_ms {
        Some(now) => query
            .push("b.lifted_at IS NULL AND b.until_at > ")
            .push_bind(now),
        None => query.push("1 = 1"),
    };
    if let Some(u) = unit {
        query = query
            .push(" AND (EXISTS (SELECT 1 FROM circuit_breaker_areas a JOIN units t ON t.id = a.unit_id JOIN units x ON x.path >= t.path AND x.path < t.path || '~' WHERE a.breaker_id = b.id AND x.id = ")
            .push_bind(u)
            .push(") OR EXISTS (SELECT 1 FROM circuit_breaker_sectors s JOIN unit_sectors us ON us.sector_id = s.sector_id WHERE s.breaker_id = b.id AND us.unit_id = ")
            .push_bind(u)
            .push("))");
    }
    let rows: Vec<(i64, String, String, i64, i64, Option<i64>)> = db
        .read()
        .all(query.push(if now_ms.is_some() {
            " ORDER BY b.from_at, b.id LIMIT 100"
        } else {
            " ORDER BY b.from_at DESC, b.id DESC LIMIT 20"
        }))
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let list = |sql: &str| q(sql).push_list(&ids).push(") ORDER BY 2");
    let areas: Vec<(i64, String)> = db
        .read()
        .all(list("SELECT a.breaker_id, u.name FROM circuit_breaker_areas a JOIN units u ON u.id = a.unit_id WHERE a.breaker_id IN ("))
        .await?;
    let sectors: Vec<(i64, String)> = db
        .read()
        .all(list("SELECT s.breaker_id, x.name FROM circuit_breaker_sectors s JOIN sectors x ON x.id = s.sector_id WHERE s.breaker_id IN ("))
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, activities, reason, from_at, until_at, lifted_at)| Breaker {
                id,
                activities,
                reason,
                from_at,
                until_at,
                lifted_at,
                areas: areas
                    .iter()
                    .filter(|a| a.0 == id)
                    .map(|a| a.1.clone())
                    .collect(),
                sectors: sectors
                    .iter()
                    .filter(|s| s.0 == id)
                    .map(|s| s.1.clone())
                    .collect(),
            },
        )
        .collect())
}

/// Tells `units` about warning `id` on their channels (`round`: issue, escalate, office,
/// urge:…), linking to the warning's page.
async fn tell(
    tx: &mut crate::db::Tx,
    now_ms: i64,
    id: i64,
    units: &[i64],
    title: String,
    text: String,
    round: &str,
) -> Result<()> {
    crate::outbox::notify_in(
        tx,
        now_ms,
        anjian_core::channel::Event::Warning,
        units,
        &anjian_core::channel::Message {
            title,
            text,
            link: format!("/warnings/{id}"),
        },
        crate::outbox::About {
            subject: &format!("warning:{id}"),
            round,
        },
    )
    .await
}

/// How long after a warning's deadline the office is told who has not answered.
pub const OFFICE_AFTER_MS: i64 = 30 * 60 * 1000;

/// 叫应 escalation at `now_ms` (run by every server process; each step is a
/// conditional update, so that two processes tell nobody twice): an addressee that
/// has not answered by the deadline is told again on its channels; half an hour later
/// the office is told who has still not answered. Returns (units told again, warnings
/// reported to the office).
pub async fn escalate(db: &Db, now_ms: i64) -> Result<(usize, usize)> {
    // The warnings past their deadline with an addressee not yet told again; who is
    // told is decided by the conditional update itself.
    let late: Vec<(i64, String)> = db
        .read()
        .all(q("SELECT w.id, w.title FROM warnings w WHERE w.answer_by < $1 AND EXISTS (SELECT 1 FROM warning_recipients r WHERE r.warning_id = w.id AND r.acked_at IS NULL AND r.escalated_at IS NULL) ORDER BY w.id LIMIT 500").bind(now_ms))
        .await?;
    let mut told = 0;
    let system = Actor::system("escalation");
    for (id, title) in late {
        let mut tx = db.begin().await?;
        let again: Vec<i64> = tx
            .all::<(i64,)>(
                q("UPDATE warning_recipients SET escalated_at = $1 WHERE warning_id = $2 AND acked_at IS NULL AND escalated_at IS NULL RETURNING unit_id")
                    .bind(now_ms)
                    .bind(id),
            )
            .await?
            .into_iter()
            .map(|(u,)| u)
            .collect();
        tell(
            &mut tx,
            now_ms,
            id,
            &again,
            format!("未回应：{title}"),
            "已超过回应时限仍未回应，请立即在平台回应（叫应），并落实防范措施。".into(),
            "escalate",
        )
        .await?;
        let entry = Entry::ok("warning.escalate", "warning", id)
            .detail(format!("超时未回应，再次推送{}个单位", again.len()));
        audit::append(&mut tx, now_ms, &system, entry).await?;
        tx.commit().await?;
        told += again.len();
    }
    // The office, once per warning, half an hour after the deadline.
    let quiet: Vec<(i64, String)> = db
        .read()
        .all(q("SELECT w.id, w.title FROM warnings w WHERE w.answer_by < $1 AND w.office_told_at IS NULL AND EXISTS (SELECT 1 FROM warning_recipients r WHERE r.warning_id = w.id AND r.acked_at IS NULL) ORDER BY w.id LIMIT 100").bind(now_ms - OFFICE_AFTER_MS))
        .await?;
    let mut reported = 0;
    for (id, title) in quiet {
        let mut tx = db.begin().await?;
        let n = tx
            .execute(
                q("UPDATE warnings SET office_told_at = $1 WHERE id = $2 AND office_told_at IS NULL")
                    .bind(now_ms)
                    .bind(id),
            )
            .await?;
        if n != 1 {
            continue;
        }
        let (silent,): (i64,) = tx
            .one(q("SELECT CAST(COUNT(*) AS BIGINT) FROM warning_recipients WHERE warning_id = $1 AND acked_at IS NULL").bind(id))
            .await?;
        let names: Vec<(String,)> = tx
            .all(q("SELECT u.name FROM warning_recipients r JOIN units u ON u.id = r.unit_id WHERE r.warning_id = $1 AND r.acked_at IS NULL ORDER BY u.path LIMIT $2").bind(id).bind(NAMES_TOLD))
            .await?;
        let office: Vec<i64> = crate::notices::office(&mut tx).await?.into_iter().collect();
        let names: Vec<String> = names.into_iter().map(|(n,)| n).collect();
        tell(
            &mut tx,
            now_ms,
            id,
            &office,
            format!("叫应未回应：{title}"),
            silent_units(silent, &names),
            "office",
        )
        .await?;
        let entry = Entry::ok("warning.escalate", "warning", id)
            .detail(format!("报区安委办：{silent}个单位未回应"));
        audit::append(&mut tx, now_ms, &system, entry).await?;
        tx.commit().await?;
        reported += 1;
    }
    Ok((told, reported))
}

/// How many of the units that have not answered the office's message names; the
/// number it gives is all of them.
pub const NAMES_TOLD: i64 = 30;

/// The office's message about a warning `silent` units have not answered, naming
/// `names` (the first of them by the directory's order).
fn silent_units(silent: i64, names: &[String]) -> String {
    let more = if silent > names.len() as i64 {
        "等，详见平台预警页"
    } else {
        ""
    };
    format!(
        "超过回应时限半小时，仍有{silent}个单位未回应：{}{more}。",
        names.join("、")
    )
}

/// 催办 (the office): tells every addressee of warning `id` that has not answered again,
/// on its channels, now. One transaction, audited. Returns how many units were told.
pub async fn urge(db: &Db, now_ms: i64, actor: &Actor, id: i64) -> Result<usize> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let w: Option<(String,)> = db
        .read()
        .opt(q("SELECT title FROM warnings WHERE id = $1").bind(id))
        .await?;
    let (title,) = w.ok_or(Error::NotFound)?;
    let mut tx = db.begin().await?;
    let units: Vec<(i64,)> = tx
        .all(q("SELECT unit_id FROM warning_recipients WHERE warning_id = $1 AND acked_at IS NULL ORDER BY unit_id").bind(id))
        .await?;
    if units.is_empty() {
        return Err(Error::invalid(
            "all_answered",
            "units",
            "各单位均已回应，无需催办",
        ));
    }
    let units: Vec<i64> = units.into_iter().map(|(u,)| u).collect();
    tell(
        &mut tx,
        now_ms,
        id,
        &units,
        format!("催办：{title}"),
        "区安委办催办：请立即在平台回应（叫应）。".into(),
        &format!("urge:{now_ms}"),
    )
    .await?;
    let entry =
        Entry::ok("warning.urge", "warning", id).detail(format!("催办{}个未回应单位", units.len()));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(units.len())
}

/// A message sent about a warning to one addressee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SentLine {
    pub unit_id: i64,
    /// issue, escalate, urge or office.
    pub round: String,
    /// pending, sent or failed.
    pub state: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub last_answer: Option<String>,
}

impl SentLine {
    /// The round in Chinese.
    pub fn round_label(&self) -> &'static str {
        match self.round.as_str() {
            "issue" => "推送",
            "escalate" => "超时再推送",
            "office" => "报区安委办",
            _ => "催办",
        }
    }

    /// The state in Chinese.
    pub fn state_label(&self) -> &'static str {
        match self.state.as_str() {
            "sent" => "已送达",
            "failed" => "发送失败",
            _ => "待发送",
        }
    }
}

/// How many lines of what was sent [`sent`] gives for each addressee: its newest.
pub const SENT_PER_UNIT: i64 = 8;

/// What was sent about warning `id`: for each addressee (and the office) its newest
/// [`SENT_PER_UNIT`] deliveries, in the order they were made. However many addressees a
/// warning has, each one's lines are there (a cap over all the lines left the last
/// addressees looking as if they had no channel).
pub async fn sent(db: &Db, id: i64) -> Result<Vec<SentLine>> {
    // The round is the idempotency key's third part (`warning:17:escalate:5`).
    let mut rows: Vec<SentLine> = db
        .read()
        .all(q("SELECT x.unit_id, x.idempotency_key AS round, x.state, x.created_at, x.sent_at, x.last_answer FROM (SELECT d.id, d.unit_id, d.idempotency_key, d.state, d.created_at, d.sent_at, d.last_answer, ROW_NUMBER() OVER (PARTITION BY d.unit_id ORDER BY d.id DESC) AS k FROM deliveries d WHERE d.subject = $1) x WHERE x.k <= $2 ORDER BY x.unit_id, x.id").bind(format!("warning:{id}")).bind(SENT_PER_UNIT))
        .await?;
    for r in &mut rows {
        r.round = r.round.split(':').nth(2).unwrap_or("issue").to_string();
    }
    Ok(rows)
}
