//! Enforcement records (执法检查): written by a supervising unit about an enterprise in
//! its scope, with their inspectors, in one transaction with the audit entry; read in
//! scope (the enforcing unit's or the enterprise's), newest first; and the month's
//! tally per unit for the zero-enforcement watch (零执法 and 零处罚 units; the plan's
//! goal of 执法"清零" is that there are none).

use anjian_core::enforcement::{EnforcementInput, Stage, Step, ThreeSteps};
use anjian_core::machine::{By, States};
use anjian_core::monthly_report::Month;
use anjian_core::time::Moment;
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, Q, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope, UnitRef};
use crate::transition::{Kept, Move, apply};

/// Working days after a penalty decision by which it must be made public.
pub const PUBLICATION_WORKING_DAYS: u32 = 7;

/// Records an inspection by the actor's unit of `enterprise` (an enterprise in scope) as
/// of `today`, in one transaction. Returns its id.
pub async fn create(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    enterprise: Option<i64>,
    input: &EnforcementInput,
) -> Result<i64> {
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    if !anjian_core::role::Role::parse(&actor.role).is_ok_and(|r| r.can_enforce()) {
        return Err(Error::Forbidden);
    }
    let e = anjian_core::enforcement::check(input, today)?;
    if let Some(p) = &e.penalty {
        let standard = crate::discretion::standard(db).await?;
        anjian_core::discretion::check_applied(&standard, &p.discretion, p.amount_fen)?;
    }
    let campaign = anjian_core::enforcement::Campaign::parse(&input.kind)?;
    if !input.contracts.is_empty()
        && campaign != Some(anjian_core::enforcement::Campaign::Subcontracting)
    {
        return Err(Error::invalid(
            "contracts_without_campaign",
            "contracts",
            "只有分包转包专项检查（kind 为 subcontracting）才登记合同问题",
        ));
    }
    if input.contracts.len() > 100 {
        return Err(Error::invalid(
            "too_many",
            "contracts",
            "一次检查最多登记100份合同",
        ));
    }
    let enterprise =
        enterprise.ok_or_else(|| Error::invalid("required", "enterprise", "请选择被检查企业"))?;
    let known = if e.to_ledger {
        crate::hazards::sectors(db).await?
    } else {
        Vec::new()
    };
    let calendar = if e.penalty.is_some() {
        Some(crate::calendar::load(db).await?)
    } else {
        None
    };
    let mut tx = db.begin().await?;
    let Some(enterprise_name) = crate::enterprises::name_in(&mut tx, scope, enterprise).await?
    else {
        return Err(Error::invalid(
            "unknown_enterprise",
            "enterprise",
            "被检查企业不存在或不在您的监管范围内",
        ));
    };
    let findings = crate::contracts::findings_of(&mut tx, enterprise, &input.contracts).await?;
    let mut checked = e.checked.clone();
    if campaign == Some(anjian_core::enforcement::Campaign::Workforce) {
        checked.push_str(&crate::workers::inspection_note(&mut tx, today, enterprise).await?);
    }
    let id = next_id(now_ms);
    let penalty = e.penalty.as_ref();
    tx.execute(
        q("INSERT INTO enforcements (id, unit_id, enterprise_id, inspected_on, place, checked, problems, problem_count, handling, signed, principal_checked, heads_checked, order_deadline, step, penalty_kind, penalty_amount_fen, penalty_legal_basis, penalty_decided_on, penalty_paid_by, penalty_discretion, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)")
            .bind(id)
            .bind(unit)
            .bind(enterprise)
            .bind(day(e.inspected_on))
            .bind(e.place.as_str())
            .bind(checked.as_str())
            .bind(e.problems.join("\n"))
            .bind(e.problems.len() as i64)
            .bind(e.handling.clone())
            .bind(i64::from(e.signed))
            .bind(i64::from(e.principal_checked))
            .bind(i64::from(e.heads_checked))
            .bind(e.order_deadline.map(day))
            .bind(e.step.as_str())
            .bind(penalty.map(|p| p.kind.clone()))
            .bind(penalty.and_then(|p| p.amount_fen))
            .bind(penalty.map(|p| p.legal_basis.clone()))
            .bind(penalty.map(|p| day(p.decided_on)))
            .bind(penalty.and_then(|p| p.paid_by).map(day))
            .bind(penalty.map(|p| p.discretion.clone()))
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    tx.execute(crate::db::insert_rows(
        "INSERT INTO enforcement_inspectors (enforcement_id, certificate, name) VALUES ",
        &e.inspectors
            .iter()
            .map(|i| {
                vec![
                    id.into(),
                    i.certificate.as_str().into(),
                    i.name.as_str().into(),
                ]
            })
            .collect::<Vec<_>>(),
    ))
    .await?;
    if let (Some(p), Some(calendar)) = (penalty, calendar) {
        owe_publication(&mut tx, now_ms, &calendar, (id, unit), &enterprise_name, p).await?;
    }
    if let Some(deadline) = e.order_deadline {
        // 整改复查: the enforcing unit's task at the order's deadline.
        crate::obligations::owe(
            &mut tx,
            now_ms,
            crate::obligations::Source::Enforcement(id),
            crate::obligations::Due { unit, on: deadline },
            format!("{RECHECK_LABEL}{enterprise_name}"),
        )
        .await?;
    }
    if e.to_ledger {
        to_ledger(&mut tx, now_ms, actor, &known, id, enterprise, &e).await?;
    }
    if let Some(c) = campaign {
        tx.execute(
            q("UPDATE enforcements SET kind = $1 WHERE id = $2")
                .bind(c.as_str())
                .bind(id),
        )
        .await?;
    }
    crate::contracts::record_findings(&mut tx, now_ms, id, &findings).await?;
    let entry = Entry::ok("enforcement.create", "enforcement", id)
        .change(None, Some(&e))
        .detail(format!("{}：{}", e.step.label(), e.place));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// The label that starts a record's recheck obligation.
pub const RECHECK_LABEL: &str = "整改复查：";

/// 行政处罚决定公示: the enforcing unit owes the decision's publication within seven
/// working days of it, inside the decision's transaction.
async fn owe_publication(
    tx: &mut crate::db::Tx,
    now_ms: i64,
    calendar: &anjian_core::calendar::WorkCalendar,
    (id, unit): (i64, i64),
    enterprise_name: &str,
    p: &anjian_core::enforcement::Penalty,
) -> Result<()> {
    let due = calendar.add_working_days(p.decided_on, PUBLICATION_WORKING_DAYS);
    crate::obligations::owe(
        tx,
        now_ms,
        crate::obligations::Source::Enforcement(id),
        crate::obligations::Due { unit, on: due },
        format!("行政处罚决定公示：{enterprise_name}（{}）", p.kind),
    )
    .await
}

/// 行政处罚 decided after the inspection of record `id` (the second of the three
/// steps), by the enforcing unit: checked like one entered with the record (the
/// discretion clause included), its publication owed. Refused: another unit's record
/// (404), a bad decision (422 naming the field), a record that has one already or was
/// found rectified (409).
pub async fn penalise(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    id: i64,
    input: &anjian_core::enforcement::PenaltyInput,
) -> Result<()> {
    let calendar = crate::calendar::load(db).await?;
    let standard = crate::discretion::standard(db).await?;
    let mut tx = db.begin().await?;
    let row: Option<(i64, String, String, String)> = tx
        .opt(
            q("SELECT e.unit_id, e.inspected_on, e.step, x.name FROM enforcements e JOIN units x ON x.id = e.enterprise_id WHERE e.id = $1")
                .bind(id),
        )
        .await?;
    let Some((unit, inspected_on, stage, enterprise_name)) = row else {
        return Err(Error::NotFound);
    };
    if Some(unit) != actor.unit_id {
        return Err(Error::NotFound);
    }
    let inspected = NaiveDate::parse_from_str(&inspected_on, "%Y-%m-%d").unwrap_or(today);
    let p = anjian_core::enforcement::check_penalty(input, inspected, today)?;
    anjian_core::discretion::check_applied(&standard, &p.discretion, p.amount_fen)?;
    let from = Stage::parse(&stage).unwrap_or(Stage::Recheck);
    let mv = Move::<ThreeSteps>::new(id, Step::Penalise, from, &[By::Recorder])
        .set("penalty_kind", p.kind.as_str())
        .set("penalty_amount_fen", p.amount_fen)
        .set("penalty_legal_basis", p.legal_basis.as_str())
        .set("penalty_decided_on", day(p.decided_on))
        .set("penalty_paid_by", p.paid_by.map(day))
        .set("penalty_discretion", p.discretion.as_str());
    apply(
        &mut tx,
        now_ms,
        actor,
        mv,
        Entry::ok("enforcement.penalty", "enforcement", id)
            .change(None, Some(&p))
            .detail(format!("行政处罚：{enterprise_name}（{}）", p.kind)),
    )
    .await?;
    owe_publication(&mut tx, now_ms, &calendar, (id, unit), &enterprise_name, &p).await?;
    tx.commit().await?;
    Ok(())
}

/// Enters each problem of record `id` in `enterprise`'s hazard ledger, assigned by the
/// enforcing unit with the order's deadline, inside the record's transaction.
async fn to_ledger(
    tx: &mut crate::db::Tx,
    now_ms: i64,
    actor: &Actor,
    known: &[(i64, String)],
    id: i64,
    enterprise: i64,
    e: &anjian_core::enforcement::Enforcement,
) -> Result<()> {
    let sector: Option<(String,)> = tx
        .opt(
            q("SELECT s.name FROM unit_sectors us JOIN sectors s ON s.id = us.sector_id WHERE us.unit_id = $1 ORDER BY s.name LIMIT 1")
                .bind(enterprise),
        )
        .await?;
    let Some((sector,)) = sector else {
        return Err(Error::invalid(
            "enterprise_without_sector",
            "to_ledger",
            "该企业未设行业领域，无法登记入隐患台账",
        ));
    };
    let inputs: Vec<anjian_core::hazard::HazardInput> = e
        .problems
        .iter()
        .map(|problem| anjian_core::hazard::HazardInput {
            level: "general".into(),
            sector: sector.clone(),
            source: "enforcement".into(),
            place: e.place.clone(),
            description: problem.clone(),
            discovered_on: day(e.inspected_on),
            measures: e
                .handling
                .clone()
                .unwrap_or_else(|| "按执法检查责令整改要求整改".into()),
            responsible_person: "企业主要负责人".into(),
            deadline: e.order_deadline.map(day).unwrap_or_default(),
            ..Default::default()
        })
        .collect();
    let hazards =
        crate::hazards::insert_findings(tx, now_ms, actor, known, &inputs, enterprise).await?;
    let link = q("UPDATE hazards SET enforcement_id = $1 WHERE id IN (")
        .bind(id)
        .push_list(&hazards);
    tx.execute(link.push(")")).await?;
    Ok(())
}

/// A record as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EnforcementRow {
    pub id: i64,
    /// The special campaign (`subcontracting`, `workforce`), if one.
    pub kind: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub inspected_on: String,
    pub place: String,
    pub problem_count: i64,
    pub step: String,
    pub order_deadline: Option<String>,
    pub penalty_kind: Option<String>,
    pub penalty_amount_fen: Option<i64>,
    pub penalty_legal_basis: Option<String>,
    pub penalty_decided_on: Option<String>,
    /// The day the fine must be paid by.
    pub penalty_paid_by: Option<String>,
    pub rectified_on: Option<String>,
    /// A recheck found the order not carried out after the penalty (1).
    pub refused_rectification: i64,
    /// The running total of the daily continuing penalty (按日连续处罚), in fen, as of
    /// the day asked; 0 unless rectification was refused after a fine.
    #[sqlx(default)]
    pub daily_penalty_fen: i64,
}

impl EnforcementRow {
    /// Fills [`EnforcementRow::daily_penalty_fen`] as of `today`: the fine for each day
    /// after the order's deadline until the day it was found rectified (or today).
    fn with_daily_penalty(mut self, today: NaiveDate) -> EnforcementRow {
        let parse = |s: &Option<String>| {
            s.as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        };
        // From the day after the order to correct was made (at the inspection), once a
        // recheck found the enterprise refused to rectify (安全生产法 art. 112).
        if self.refused_rectification == 1
            && self.order_deadline.is_some()
            && let (Some(fine), Some(ordered_on)) = (
                self.penalty_amount_fen,
                parse(&Some(self.inspected_on.clone())),
            )
        {
            let until = parse(&self.rectified_on).unwrap_or(today);
            self.daily_penalty_fen =
                anjian_core::enforcement::daily_penalty_total(fine, ordered_on, until);
        }
        self
    }
}

/// Filters of the list; keyset on id, newest first.
#[derive(Debug, Clone, Default)]
pub struct EnforcementFilter {
    /// The enforcing unit.
    pub unit: Option<i64>,
    /// The enterprise inspected.
    pub enterprise: Option<i64>,
    pub month: Option<Month>,
    pub after: Option<i64>,
    pub limit: i64,
}

/// "Record `e` is visible": its enforcing unit or its enterprise is in scope
/// ([`Scope::rows_of_units`]).
fn visible(scope: &Scope, query: Q) -> Q {
    scope.rows_of_units(
        query,
        "e.id",
        &[
            UnitRef {
                select: "SELECT v.id FROM enforcements v",
                column: "v.unit_id",
                own: Some("e.unit_id"),
            },
            UnitRef {
                select: "SELECT v.id FROM enforcements v",
                column: "v.enterprise_id",
                own: Some("e.enterprise_id"),
            },
        ],
    )
}

const ROW: &str = "SELECT e.id, e.unit_id, u.name AS unit_name, e.enterprise_id, x.name AS enterprise_name, e.inspected_on, e.place, e.problem_count, e.step, e.order_deadline, e.penalty_kind, e.penalty_amount_fen, e.penalty_legal_basis, e.penalty_decided_on, e.penalty_paid_by, e.rectified_on, e.refused_rectification, e.kind FROM enforcements e JOIN units u ON u.id = e.unit_id JOIN units x ON x.id = e.enterprise_id";

/// The records in scope, newest first.
pub async fn list(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    f: &EnforcementFilter,
) -> Result<Vec<EnforcementRow>> {
    let mut query = visible(scope, q(format!("{ROW} WHERE ")));
    if let Some(u) = f.unit {
        query = query.push(" AND e.unit_id = ").push_bind(u);
    }
    if let Some(x) = f.enterprise {
        query = query.push(" AND e.enterprise_id = ").push_bind(x);
    }
    if let Some(m) = f.month {
        query = query
            .push(" AND e.inspected_on >= ")
            .push_bind(day(m.first))
            .push(" AND e.inspected_on <= ")
            .push_bind(day(m.last));
    }
    if let Some(a) = f.after {
        query = query.push(" AND e.id < ").push_bind(a);
    }
    let rows: Vec<EnforcementRow> = db
        .read()
        .all(
            query
                .push(" ORDER BY e.id DESC LIMIT ")
                .push_bind(f.limit.clamp(1, 1000)),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| r.with_daily_penalty(today))
        .collect())
}

/// One unit's enforcement in a month (the zero-enforcement watch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Tally {
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    pub inspections: i64,
    /// 打非治违 cases the unit recorded or joined, found in the month.
    pub crackdowns: i64,
    pub enterprises: i64,
    pub problems: i64,
    pub penalties: i64,
    pub amount_fen: i64,
    /// Inspections that made both of the two must-checks (两个必查, item (56)).
    pub must_checked: i64,
    /// No inspection at all this month (零执法).
    #[sqlx(default)]
    pub zero: bool,
    /// Inspections but no penalty this month (零处罚).
    #[sqlx(default)]
    pub zero_penalty: bool,
}

impl Tally {
    /// No inspection at all this month: a 零执法 unit. The plan's goal of 执法"清零"
    /// (four(二): "坚决杜绝“零执法”、“零处罚”") is that no unit is one.
    pub fn is_zero(&self) -> bool {
        self.inspections == 0
    }

    /// Inspections but no penalty this month: a 零处罚 unit (watched, not ranked).
    pub fn is_zero_penalty(&self) -> bool {
        self.inspections > 0 && self.penalties == 0
    }
}

/// Every township and every department with supervisory duties (负有安全生产监管职责)
/// in scope with its enforcement in `month`; those with none have zeros.
///
/// Each unit's month is read from `enforcement_tallies`, which triggers keep in the
/// same transaction as every change to a record (migration 0059): one row per watched
/// unit instead of the month's records. Over the synthetic city's 58,815 records of
/// July the office's watch read every record, 25 ms on SQLite and 55 ms on PostgreSQL
/// at one client even from a covering index.
pub async fn tally(db: &Db, scope: &Scope, month: Month) -> Result<Vec<Tally>> {
    let (first, last) = (day(month.first), day(month.last));
    let watched = q("SELECT u.id AS unit_id, u.name AS unit_name, u.kind, \
               CAST(COALESCE(t.inspections, 0) AS BIGINT) AS inspections, \
               CAST(COALESCE(t.enterprises, 0) AS BIGINT) AS enterprises, \
               CAST(COALESCE(t.problems, 0) AS BIGINT) AS problems, \
               CAST(COALESCE(t.penalties, 0) AS BIGINT) AS penalties, \
               CAST(COALESCE(t.amount_fen, 0) AS BIGINT) AS amount_fen, \
               CAST(COALESCE(t.must_checked, 0) AS BIGINT) AS must_checked, \
               CAST((SELECT COUNT(*) FROM crackdown_cases c WHERE c.unit_id = u.id AND c.found_on >= $1 AND c.found_on <= $2) \
                  + (SELECT COUNT(*) FROM crackdown_units cu JOIN crackdown_cases c ON c.id = cu.case_id WHERE cu.unit_id = u.id AND c.found_on >= $1 AND c.found_on <= $2) AS BIGINT) AS crackdowns \
               FROM units u LEFT JOIN enforcement_tallies t ON t.unit_id = u.id AND t.month = $3 \
               WHERE (u.kind IN ('township', 'zone_committee') OR (u.kind = 'department' AND u.supervises_safety = 1)) AND u.active = 1 AND ")
        .bind(first)
        .bind(last)
        .bind(month.name());
    let query = scope
        .units(watched, "u")
        .push(" ORDER BY u.kind DESC, u.name");
    let mut lines: Vec<Tally> = db.read().all(query).await?;
    for l in &mut lines {
        l.zero = l.is_zero();
        l.zero_penalty = l.is_zero_penalty();
    }
    Ok(lines)
}

/// One record in scope, or `NotFound`.
pub async fn get(db: &Db, scope: &Scope, today: NaiveDate, id: i64) -> Result<EnforcementRow> {
    let row: EnforcementRow = db
        .read()
        .one(
            visible(scope, q(format!("{ROW} WHERE ")))
                .push(" AND e.id = ")
                .push_bind(id),
        )
        .await?;
    Ok(row.with_daily_penalty(today))
}

/// 整改复查: the enforcing unit rechecks record `id` on `today`. Rectified, the record
/// reaches its last step; not rectified after a fine, the daily continuing penalty runs
/// from the day after the order's deadline until a later recheck finds it rectified.
/// Refused: a recheck of another unit's record (404), a record without an order to
/// rectify, or one already found rectified.
pub async fn recheck(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    id: i64,
    rectified: bool,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let (unit, deadline, stage, fine): (i64, Option<String>, String, Option<i64>) = tx
        .opt(q("SELECT unit_id, order_deadline, step, penalty_amount_fen FROM enforcements WHERE id = $1").bind(id))
        .await?
        .ok_or(Error::NotFound)?;
    if Some(unit) != actor.unit_id {
        return Err(Error::NotFound);
    }
    if deadline.is_none() {
        return Err(Error::invalid(
            "no_order",
            "rectified",
            "该记录没有责令限期整改，无需复查",
        ));
    }
    let from = Stage::parse(&stage).unwrap_or(Stage::Recheck);
    let (step, action, detail) = if rectified {
        (
            Step::RecheckPassed,
            "enforcement.recheck_pass",
            "复查：已整改",
        )
    } else {
        (
            Step::RecheckFailed,
            "enforcement.recheck_fail",
            "复查：拒不整改",
        )
    };
    let mv = Move::<ThreeSteps>::new(id, step, from, &[By::Recorder]);
    let mv = if rectified {
        mv.set("rectified_on", day(today))
    } else {
        // Not rectified: a fine turns into a daily continuing penalty.
        mv.set("refused_rectification", fine.is_some())
    };
    apply(
        &mut tx,
        now_ms,
        actor,
        mv,
        Entry::ok(action, "enforcement", id).detail(detail),
    )
    .await?;
    // The recheck owed at the order's deadline is done (late when after it).
    let due = deadline
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    crate::obligations::fulfil_of(
        &mut tx,
        Moment { ms: now_ms, today },
        crate::obligations::Source::Enforcement(id),
        Some((unit, due)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

impl Kept for ThreeSteps {
    const RELATION: &'static str = "enforcements";
    const COLUMN: &'static str = "step";
    const CONFLICT: &'static str = "该记录已由他人复查，请刷新后查看";
}

/// A measure after an inspection (停产停工, 移送) as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MeasureRow {
    pub id: i64,
    pub enforcement_id: i64,
    pub kind: String,
    pub decided_on: String,
    pub organ: Option<String>,
    pub note: String,
    pub until_on: Option<String>,
    /// The document's file name, when one was attached.
    pub document_name: Option<String>,
}

impl MeasureRow {
    /// The measure's Chinese name.
    pub fn label(&self) -> &'static str {
        anjian_core::enforcement::MeasureKind::parse(&self.kind)
            .map_or("", anjian_core::enforcement::MeasureKind::label)
    }
}

/// Records a measure after the inspection of record `id` by the enforcing unit, with
/// its document: an order to suspend production or work, or a referral to the judicial
/// organs (行刑衔接). Refused: another unit's record (404), a bad measure (422 naming
/// the field). Returns its id.
pub async fn add_measure(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    id: i64,
    input: &anjian_core::enforcement::MeasureInput,
    document: Option<&crate::reports::EvidenceFile>,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let row: Option<(i64, String, String)> = tx
        .opt(
            q("SELECT e.unit_id, e.inspected_on, x.name FROM enforcements e JOIN units x ON x.id = e.enterprise_id WHERE e.id = $1")
                .bind(id),
        )
        .await?;
    let Some((unit, inspected_on, enterprise_name)) = row else {
        return Err(Error::NotFound);
    };
    if Some(unit) != actor.unit_id {
        return Err(Error::NotFound);
    }
    let inspected = NaiveDate::parse_from_str(&inspected_on, "%Y-%m-%d").unwrap_or(today);
    let m = anjian_core::enforcement::check_measure(input, inspected, today)?;
    let measure = next_id(now_ms);
    tx.execute(
        q("INSERT INTO enforcement_measures (id, enforcement_id, kind, decided_on, organ, note, until_on, document_sha256, document_name, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(measure)
            .bind(id)
            .bind(m.kind.as_str())
            .bind(day(m.decided_on))
            .bind(m.organ.clone())
            .bind(m.note.as_str())
            .bind(m.until.map(day))
            .bind(document.map(|d| d.sha256.clone()))
            .bind(document.map(|d| d.file_name.clone()))
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    let entry = Entry::ok(
        match m.kind {
            anjian_core::enforcement::MeasureKind::Suspension => "enforcement.suspension",
            anjian_core::enforcement::MeasureKind::Referral => "enforcement.referral",
        },
        "enforcement",
        id,
    )
    .change(None, Some(&m))
    .detail(format!("{}：{enterprise_name}", m.kind.label()));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(measure)
}

/// The measures of records `ids` (which the caller read in scope), oldest first.
pub async fn measures_of(db: &Db, ids: &[i64]) -> Result<Vec<MeasureRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(
            db.read()
                .all::<MeasureRow>(
                    q("SELECT id, enforcement_id, kind, decided_on, organ, note, until_on, document_name FROM enforcement_measures WHERE enforcement_id IN (")
                        .push_list(chunk)
                        .push(") ORDER BY id"),
                )
                .await?,
        );
    }
    Ok(out)
}

/// The document of measure `measure` whose record is in scope: its sha256.
pub async fn measure_document(db: &Db, scope: &Scope, measure: i64) -> Result<String> {
    let found: Option<(Option<String>,)> = db
        .read()
        .opt(
            visible(
                scope,
                q("SELECT m.document_sha256 FROM enforcement_measures m JOIN enforcements e ON e.id = m.enforcement_id JOIN units u ON u.id = e.unit_id JOIN units x ON x.id = e.enterprise_id WHERE "),
            )
            .push(" AND m.id = ")
            .push_bind(measure),
        )
        .await?;
    found.and_then(|(sha,)| sha).ok_or(Error::NotFound)
}
