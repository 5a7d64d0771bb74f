//! An enterprise's roster of dispatched and flexible workers (measure 九): each worker's
//! post, arrangement, dispatching agency, training and certificate, the ID number
//! sealed with the field cipher (shown masked). Added one at a time or by sheet, every
//! row or none, in one transaction with the audit entry and the enterprise's figures
//! (`workforce`), from which the sector departments' list reads the enterprises with
//! many dispatched or flexible workers first and flags those with untrained or
//! uncertified workers, or too many dispatched workers on hazardous posts.

use anjian_core::sealed::Keyring;
use anjian_core::time::Moment;
use anjian_core::worker::{Arrangement, Worker, WorkerInput, over_cap, uncertified};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Arg, Db, Tx, day, insert_rows, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// The setting that caps the share of dispatched workers on hazardous posts (percent).
pub const DISPATCHED_CAP: &str = "dispatched_cap_percent";

/// The cap on the share of dispatched workers on hazardous posts, in percent.
pub async fn cap(db: &Db) -> Result<i64> {
    Ok(crate::settings::get(db, DISPATCHED_CAP)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .filter(|v: &i64| (0..=100).contains(v))
        .unwrap_or(anjian_core::worker::DEFAULT_DISPATCHED_CAP_PERCENT))
}

/// Sets the cap (the office).
pub async fn set_cap(db: &Db, now_ms: i64, actor: &Actor, percent: i64) -> Result<()> {
    crate::authz::require(actor, |r| r.sees_everything())?;
    if !(0..=100).contains(&percent) {
        return Err(Error::invalid(
            "out_of_range",
            "percent",
            "比例应在0到100之间",
        ));
    }
    crate::settings::set(
        db,
        now_ms,
        actor,
        "workforce.cap",
        DISPATCHED_CAP,
        &percent.to_string(),
    )
    .await
}

/// The enterprise `id` if it is in scope: its name and sector (the register's, else
/// the directory's first).
async fn enterprise_in(tx: &mut Tx, scope: &Scope, id: i64) -> Result<(String, i64)> {
    let found: Option<(String, Option<i64>)> = tx
        .opt(
            scope
                .units(q("SELECT u.name, COALESCE((SELECT e.sector_id FROM enterprises e WHERE e.unit_id = u.id), (SELECT MIN(us.sector_id) FROM unit_sectors us WHERE us.unit_id = u.id)) FROM units u WHERE u.kind = 'enterprise' AND "), "u")
                .push(" AND u.id = ")
                .push_bind(id),
        )
        .await?;
    match found {
        None => Err(Error::NotFound),
        Some((name, Some(sector))) => Ok((name, sector)),
        Some(_) => Err(Error::invalid(
            "enterprise_without_sector",
            "enterprise",
            "该企业未设行业领域，请先在名录中补充",
        )),
    }
}

/// Adds `rows` to enterprise `id`'s roster (in scope): every row or none, the first
/// row at fault named (`rows[i].0` is its number as the user knows it). Agencies must
/// be enterprises of the directory. Returns how many were added.
pub async fn add(
    db: &Db,
    keyring: &Keyring,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    rows: &[(usize, WorkerInput)],
) -> Result<usize> {
    crate::authz::require(actor, |r| r.does_field_work())?;
    if rows.is_empty() {
        return Err(Error::invalid("required", "workers", "没有可登记的人员"));
    }
    let at = |row: usize, many: bool| {
        move |e: anjian_core::FieldError| {
            if many {
                Error::invalid(e.code, e.field, format!("第{row}行：{}", e.message))
            } else {
                Error::Invalid(e)
            }
        }
    };
    let many = rows.len() > 1;
    let mut checked: Vec<Worker> = Vec::with_capacity(rows.len());
    for (row, input) in rows {
        checked.push(input.check().map_err(at(*row, many))?);
    }
    let mut agencies: Vec<i64> = checked.iter().filter_map(|w| w.agency).collect();
    agencies.sort_unstable();
    agencies.dedup();
    let mut tx = db.begin().await?;
    let (name, sector) = enterprise_in(&mut tx, scope, id).await?;
    let known: Vec<(i64,)> = if agencies.is_empty() {
        Vec::new()
    } else {
        tx.all(
            q("SELECT id FROM units WHERE kind = 'enterprise' AND active = 1 AND id IN (")
                .push_list(&agencies)
                .push(")"),
        )
        .await?
    };
    if let Some(((row, _), _)) = rows
        .iter()
        .zip(&checked)
        .find(|(_, w)| w.agency.is_some_and(|a| !known.iter().any(|(k,)| *k == a)))
    {
        return Err(at(*row, many)(anjian_core::FieldError::new(
            "unknown_agency",
            "agency",
            "劳务派遣单位应为名录中的企业",
        )));
    }
    let mut batch: Vec<Vec<Arg>> = Vec::with_capacity(checked.len());
    for w in &checked {
        let wid = next_id(now_ms);
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| Error::Config(e.to_string()))?;
        let sealed = keyring.seal(w.id_number.as_bytes(), &aad(wid), nonce);
        batch.push(vec![
            wid.into(),
            id.into(),
            w.name.as_str().into(),
            sealed.into(),
            anjian_core::worker::masked(&w.id_number).into(),
            w.arrangement.as_str().into(),
            w.post.as_str().into(),
            i64::from(w.hazardous).into(),
            i64::from(w.special_operation).into(),
            w.agency.into(),
            w.trained_on.map(day).into(),
            w.training_hours.into(),
            i64::from(w.exam_passed).into(),
            i64::from(w.untrained()).into(),
            w.certificate.clone().into(),
            w.certificate_valid_until.map(day).into(),
            now_ms.into(),
            now_ms.into(),
        ]);
    }
    for chunk in batch.chunks(200) {
        tx.execute(insert_rows(
            "INSERT INTO workers (id, enterprise_id, name, id_sealed, id_masked, arrangement, post, hazardous, special_operation, agency_id, trained_on, training_hours, exam_passed, untrained, certificate, certificate_valid_until, created_at, updated_at) VALUES ",
            chunk,
        ))
        .await?;
    }
    refresh(&mut tx, now_ms, today, id, sector).await?;
    let untrained = checked.iter().filter(|w| w.untrained()).count();
    let entry = Entry::ok("workers.add", "unit", id).detail(format!(
        "{name}：登记从业人员{}人（未经培训合格{untrained}人）",
        checked.len()
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(checked.len())
}

/// The additional data sealed with a worker's ID number: its row.
fn aad(id: i64) -> Vec<u8> {
    format!("worker:{id}").into_bytes()
}

/// Recomputes enterprise `id`'s figures from its roster, inside the writing transaction.
async fn refresh(tx: &mut Tx, now_ms: i64, today: NaiveDate, id: i64, sector: i64) -> Result<()> {
    tx.execute(
        q("INSERT INTO workforce (enterprise_id, sector_id, total, dispatched_flexible, hazardous, hazardous_dispatched, untrained, special_operation, cert_earliest, uncertified, updated_at) SELECT $1, $2, CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN arrangement IN ('dispatched', 'flexible') THEN 1 ELSE 0 END), 0) AS BIGINT), CAST(COALESCE(SUM(hazardous), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN hazardous = 1 AND arrangement = 'dispatched' THEN 1 ELSE 0 END), 0) AS BIGINT), CAST(COALESCE(SUM(untrained), 0) AS BIGINT), CAST(COALESCE(SUM(special_operation), 0) AS BIGINT), MIN(CASE WHEN special_operation = 1 THEN certificate_valid_until END), CAST(COALESCE(SUM(CASE WHEN special_operation = 1 AND (certificate_valid_until IS NULL OR certificate_valid_until < $3) THEN 1 ELSE 0 END), 0) AS BIGINT), $4 FROM workers WHERE enterprise_id = $1 ON CONFLICT (enterprise_id) DO UPDATE SET sector_id = excluded.sector_id, total = excluded.total, dispatched_flexible = excluded.dispatched_flexible, hazardous = excluded.hazardous, hazardous_dispatched = excluded.hazardous_dispatched, untrained = excluded.untrained, special_operation = excluded.special_operation, cert_earliest = excluded.cert_earliest, uncertified = excluded.uncertified, updated_at = excluded.updated_at")
            .bind(id)
            .bind(sector)
            .bind(day(today))
            .bind(now_ms),
    )
    .await?;
    Ok(())
}

/// A worker as the roster shows it (the ID number masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct WorkerRow {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub name: String,
    pub id_masked: String,
    pub arrangement: String,
    pub post: String,
    pub hazardous: bool,
    pub special_operation: bool,
    pub agency_id: Option<i64>,
    pub agency_name: Option<String>,
    pub trained_on: Option<String>,
    pub training_hours: Option<i64>,
    pub exam_passed: bool,
    /// No safety training passed on record: "未经安全知识培训合格的不能上岗".
    pub untrained: bool,
    pub certificate: Option<String>,
    pub certificate_valid_until: Option<String>,
}

impl WorkerRow {
    /// The arrangement's Chinese name.
    pub fn arrangement_label(&self) -> &'static str {
        Arrangement::label_of(&self.arrangement)
    }

    /// On a special-operation post without a certificate valid on `today`.
    pub fn uncertified(&self, today: NaiveDate) -> bool {
        uncertified(
            self.special_operation,
            self.certificate_valid_until
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            today,
        )
    }
}

const ROW: &str = "SELECT w.id, w.enterprise_id, eu.name AS enterprise_name, w.name, w.id_masked, w.arrangement, w.post, CAST(w.hazardous AS BIGINT) = 1 AS hazardous, CAST(w.special_operation AS BIGINT) = 1 AS special_operation, w.agency_id, au.name AS agency_name, w.trained_on, w.training_hours, CAST(w.exam_passed AS BIGINT) = 1 AS exam_passed, CAST(w.untrained AS BIGINT) = 1 AS untrained, w.certificate, w.certificate_valid_until FROM workers w JOIN units eu ON eu.id = w.enterprise_id LEFT JOIN units au ON au.id = w.agency_id WHERE ";

/// An enterprise's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Figures {
    pub enterprise_id: i64,
    pub total: i64,
    pub dispatched_flexible: i64,
    pub hazardous: i64,
    pub hazardous_dispatched: i64,
    pub untrained: i64,
    pub uncertified: i64,
}

/// An enterprise's roster page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Roster {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub figures: Figures,
    /// The share of dispatched workers on hazardous posts is over the cap.
    pub over_cap: bool,
    pub cap_percent: i64,
    /// Its workers, 100 a page by id.
    pub workers: Vec<WorkerRow>,
    /// For a dispatching agency: the workers it sent to other enterprises, 100 a page
    /// by id.
    pub sent: Vec<WorkerRow>,
}

/// How many workers a page of a roster (its own, or those an agency sent) holds.
pub const ROSTER_PAGE: i64 = 100;

/// Where the two lists of a roster start: its own workers after worker `after`, and
/// the workers an agency sent after worker `sent_after` (each by id).
#[derive(Debug, Clone, Copy, Default)]
pub struct RosterPages {
    pub after: Option<i64>,
    pub sent_after: Option<i64>,
}

/// Enterprise `id`'s roster (in scope), [`ROSTER_PAGE`] workers a page of each list.
pub async fn roster(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    id: i64,
    pages: RosterPages,
) -> Result<Roster> {
    let name = enterprise_name(db, scope, id).await?;
    let mut query = q(ROW).push("w.enterprise_id = ").push_bind(id);
    if let Some(a) = pages.after {
        query = query.push(" AND w.id > ").push_bind(a);
    }
    let workers: Vec<WorkerRow> = db
        .read()
        .all(query.push(" ORDER BY w.id LIMIT ").push_bind(ROSTER_PAGE))
        .await?;
    let mut query = q(ROW)
        .push("w.agency_id = ")
        .push_bind(id)
        .push(" AND w.enterprise_id <> ")
        .push_bind(id);
    if let Some(a) = pages.sent_after {
        query = query.push(" AND w.id > ").push_bind(a);
    }
    let sent = db
        .read()
        .all(query.push(" ORDER BY w.id LIMIT ").push_bind(ROSTER_PAGE))
        .await?;
    let figures = figures(db, today, id).await?;
    let cap_percent = cap(db).await?;
    Ok(Roster {
        enterprise_id: id,
        enterprise_name: name,
        over_cap: over_cap(figures.hazardous_dispatched, figures.hazardous, cap_percent),
        figures,
        cap_percent,
        workers,
        sent,
    })
}

/// Which enterprises the flag list shows.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FlagFilter {
    /// A sector's name.
    pub sector: Option<String>,
    /// Keyset: after the enterprise with this many dispatched or flexible workers …
    pub after_count: Option<i64>,
    /// … and this id.
    pub after_id: Option<i64>,
}

/// An enterprise on the flag list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct FlaggedEnterprise {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub sector: String,
    pub total: i64,
    pub dispatched_flexible: i64,
    pub hazardous: i64,
    pub hazardous_dispatched: i64,
    pub untrained: i64,
    pub uncertified: i64,
    pub cert_earliest: Option<String>,
}

/// The enterprises in scope with untrained or uncertified workers, or more dispatched
/// workers on hazardous posts than the cap allows: those with the most dispatched or
/// flexible workers first ("对劳务派遣用工和灵活用工人员数量较多的行业领域，有关行业主管部门要
/// 重点加强安全监管"), 100 a page.
pub async fn flagged(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    f: &FlagFilter,
) -> Result<Vec<FlaggedEnterprise>> {
    let cap = cap(db).await?;
    let parts = scope.rosters_alone(
        q("SELECT w.enterprise_id, u.name AS enterprise_name, s.name AS sector, w.total, w.dispatched_flexible, w.hazardous, w.hazardous_dispatched, w.untrained, w.uncertified, w.cert_earliest FROM workforce w JOIN units u ON u.id = w.enterprise_id JOIN sectors s ON s.id = w.sector_id WHERE "),
        "w",
    );
    let mut out: Vec<FlaggedEnterprise> = Vec::new();
    // Each part in rank order, the first page of each merged (two queries at most).
    for part in parts {
        let mut query = part
            .push(" AND (w.untrained > 0 OR w.uncertified > 0 OR w.cert_earliest < ")
            .push_bind(day(today))
            .push(" OR w.hazardous_dispatched * 100 > w.hazardous * ")
            .push_bind(cap)
            .push(")");
        if let Some(sector) = f.sector.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            query = query
                .push(" AND w.sector_id IN (SELECT id FROM sectors WHERE name = ")
                .push_bind(anjian_core::sector::canonical(sector).to_string())
                .push(")");
        }
        if let (Some(c), Some(i)) = (f.after_count, f.after_id) {
            // A range of the rank index, then the tie broken (written with the OR alone
            // SQLite scanned the sector, 61 ms p50; as a row value PostgreSQL misjudged
            // it, 487 ms).
            query = query
                .push(" AND w.dispatched_flexible <= ")
                .push_bind(c)
                .push(" AND (w.dispatched_flexible < ")
                .push_bind(c)
                .push(" OR w.enterprise_id < ")
                .push_bind(i)
                .push(")");
        }
        let rows: Vec<FlaggedEnterprise> = db
            .read()
            .all(query.push(" ORDER BY w.dispatched_flexible DESC, w.enterprise_id DESC LIMIT 100"))
            .await?;
        out.extend(rows);
    }
    out.sort_by(|a, b| {
        (b.dispatched_flexible, b.enterprise_id).cmp(&(a.dispatched_flexible, a.enterprise_id))
    });
    out.truncate(100);
    Ok(out)
}

/// What an inspection of `enterprise` records of its workforce on `today` (item (80):
/// "重点核查企业危险岗位雇佣劳务派遣、灵活用工人员持证上岗和安全培训情况").
pub(crate) async fn inspection_note(
    tx: &mut Tx,
    today: NaiveDate,
    enterprise: i64,
) -> Result<String> {
    // The roster's figures, kept with every roster write.
    let f: Figures = tx
        .opt(figures_query(today, &[enterprise]))
        .await?
        .unwrap_or_default();
    Ok(format!(
        "\n持证上岗和安全培训情况：名册{}人，其中劳务派遣和灵活用工{}人；未经安全培训合格{}人；特种作业无有效证书{}人。",
        f.total, f.dispatched_flexible, f.untrained, f.uncertified
    ))
}

/// The enterprises (state-owned ones included) of the directory named `names` (an
/// agency named in a sheet, a contractor typed on a form): id and name.
pub async fn enterprises_named(db: &Db, names: &[String]) -> Result<Vec<(i64, String)>> {
    let mut out = Vec::new();
    for chunk in names.chunks(500) {
        let mut query = q(
            "SELECT id, name FROM units WHERE kind IN ('enterprise', 'soe') AND active = 1 AND name IN (",
        );
        for (i, n) in chunk.iter().enumerate() {
            if i > 0 {
                query = query.push(", ");
            }
            query = query.push_bind(n.clone());
        }
        let found: Vec<(i64, String)> = db.read().all(query.push(")")).await?;
        out.extend(found);
    }
    Ok(out)
}

/// The figures of the rosters of `ids` on `today` (the certificates expired since the
/// last write counted again where the earliest one has), as one query.
fn figures_query(today: NaiveDate, ids: &[i64]) -> crate::db::Q {
    q("SELECT w.enterprise_id, w.total, w.dispatched_flexible, w.hazardous, w.hazardous_dispatched, w.untrained, CAST(CASE WHEN w.cert_earliest < ")
        .push_bind(day(today))
        .push(" THEN (SELECT COUNT(*) FROM workers x WHERE x.enterprise_id = w.enterprise_id AND x.special_operation = 1 AND (x.certificate_valid_until IS NULL OR x.certificate_valid_until < ")
        .push_bind(day(today))
        .push(")) ELSE w.uncertified END AS BIGINT) AS uncertified FROM workforce w WHERE w.enterprise_id IN (")
        .push_list(ids)
        .push(")")
}

/// Enterprise `id`'s roster in figures on `today`, without scope: the caller has read
/// an object in scope that names it.
pub async fn figures(db: &Db, today: NaiveDate, id: i64) -> Result<Figures> {
    Ok(db
        .read()
        .opt(figures_query(today, &[id]))
        .await?
        .unwrap_or(Figures {
            enterprise_id: id,
            ..Figures::default()
        }))
}

/// The figures of the rosters of `ids` (at most 100) on `today`, without scope: the
/// caller has read an object in scope that names them (an accident's parties, for the
/// 双查问责 of item (81)). An enterprise without a roster has zero figures.
pub async fn figures_of(db: &Db, today: NaiveDate, ids: &[i64]) -> Result<Vec<Figures>> {
    let ids = &ids[..ids.len().min(100)];
    let found: Vec<Figures> = if ids.is_empty() {
        Vec::new()
    } else {
        db.read().all(figures_query(today, ids)).await?
    };
    Ok(ids
        .iter()
        .map(|id| {
            found
                .iter()
                .find(|f| f.enterprise_id == *id)
                .cloned()
                .unwrap_or(Figures {
                    enterprise_id: *id,
                    ..Figures::default()
                })
        })
        .collect())
}

/// The most workers an export holds (the import's bound).
pub const MAX_EXPORT: i64 = anjian_core::worker::MAX_SHEET_ROWS as i64;

/// Enterprise `id`'s name and whole roster (in scope) for an export, at most
/// [`MAX_EXPORT`] workers.
pub async fn export(db: &Db, scope: &Scope, id: i64) -> Result<(String, Vec<WorkerRow>)> {
    let name = enterprise_name(db, scope, id).await?;
    let workers = db
        .read()
        .all(
            q(ROW)
                .push("w.enterprise_id = ")
                .push_bind(id)
                .push(" ORDER BY w.id LIMIT ")
                .push_bind(MAX_EXPORT),
        )
        .await?;
    Ok((name, workers))
}

/// The name of enterprise `id` if it is in scope, or `NotFound`.
async fn enterprise_name(db: &Db, scope: &Scope, id: i64) -> Result<String> {
    let found: Option<(String,)> = db
        .read()
        .opt(
            scope
                .units(
                    q("SELECT u.name FROM units u WHERE u.kind = 'enterprise' AND "),
                    "u",
                )
                .push(" AND u.id = ")
                .push_bind(id),
        )
        .await?;
    found.map(|(n,)| n).ok_or(Error::NotFound)
}
