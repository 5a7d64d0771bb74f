//! The enterprise register: an enterprise is a unit of the directory (kind
//! `enterprise`, under its township, coded by its credit code) with the register's
//! facts beside it (credit code, sector, staff, risk level, major hazard
//! installations, supervising department, listed or not, the small business's risk
//! card). Read in scope like any unit: the township sees its own, a supervising
//! department those of its sectors.

use anjian_core::enterprise::{EnterpriseInput, RiskCard, RiskLevel};
use anjian_core::unit::{LOCALITY_KINDS, UnitCode, UnitDraft, UnitKind};
use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Arg, Db, Q, Tx, insert_rows, q};
use crate::error::{Error, Result};
use crate::scope::{Actor, Scope};

/// An enterprise as the register lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EnterpriseRow {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub township_id: i64,
    pub township: String,
    pub sector: String,
    pub staff: i64,
    pub risk_level: String,
    pub major_hazards: i64,
    pub supervisor_id: Option<i64>,
    pub supervisor: Option<String>,
    pub listed: bool,
    pub address: Option<String>,
    #[serde(skip)]
    pub risk_card_json: Option<String>,
}

impl EnterpriseRow {
    /// Whether it is a small business (under 30 staff) that needs a risk card.
    pub fn small(&self) -> bool {
        anjian_core::enterprise::is_small(self.staff)
    }

    /// The risk level's Chinese name.
    pub fn risk_label(&self) -> &'static str {
        RiskLevel::parse(&self.risk_level).map_or("", RiskLevel::label)
    }

    /// Its risk card, if written.
    pub fn risk_card(&self) -> Option<RiskCard> {
        self.risk_card_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
    }
}

const ROW: &str = "SELECT u.id, u.name, e.credit_code, e.township_id, t.name AS township, s.name AS sector, e.staff, e.risk_level, e.major_hazards, e.supervisor_id, d.name AS supervisor, CAST(e.listed AS BIGINT) = 1 AS listed, e.address, e.risk_card_json FROM enterprises e JOIN units u ON u.id = e.unit_id JOIN units t ON t.id = e.township_id JOIN sectors s ON s.id = e.sector_id LEFT JOIN units d ON d.id = e.supervisor_id WHERE ";

fn visible(scope: &Scope) -> Q {
    scope.units(q(ROW), "u")
}

/// The register's filter: township, sector (by name), listed or not; keyset by id.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub township: Option<i64>,
    pub sector: Option<String>,
    pub listed: Option<bool>,
    pub after: Option<i64>,
    pub limit: i64,
}

/// Enterprises in scope matching `f`, by id.
pub async fn list(db: &Db, scope: &Scope, f: &Filter) -> Result<Vec<EnterpriseRow>> {
    let mut query = visible(scope);
    if let Some(t) = f.township {
        query = query.push(" AND e.township_id = ").push_bind(t);
    }
    if let Some(s) = &f.sector {
        query = query
            .push(" AND s.name = ")
            .push_bind(anjian_core::sector::canonical(s).to_string());
    }
    if let Some(l) = f.listed {
        query = query.push(" AND e.listed = ").push_bind(i64::from(l));
    }
    if let Some(a) = f.after {
        query = query.push(" AND e.unit_id > ").push_bind(a);
    }
    db.read()
        .all(
            query
                .push(" ORDER BY e.unit_id LIMIT ")
                .push_bind(f.limit.clamp(1, 1000)),
        )
        .await
}

/// One enterprise in scope, or `NotFound`.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<EnterpriseRow> {
    db.read()
        .one(visible(scope).push(" AND u.id = ").push_bind(id))
        .await
}

/// What registrations check their rows against, read once for a whole import: the
/// sectors by name, the townships in scope, the departments, and which of the rows'
/// credit codes are registered already (codes registered by earlier rows join them).
struct Known {
    sectors: HashMap<String, i64>,
    towns: HashSet<i64>,
    depts: HashSet<i64>,
    taken: HashSet<String>,
}

impl Known {
    /// Reads what `inputs` will be checked against, in five queries (the codes in
    /// chunks of 500).
    async fn load(tx: &mut Tx, scope: &Scope, inputs: &[&EnterpriseInput]) -> Result<Known> {
        let sectors: Vec<(i64, String)> = tx.all(q("SELECT id, name FROM sectors")).await?;
        let towns: Vec<(i64,)> = tx
            .all(scope.units(
                q(format!(
                    "SELECT u.id FROM units u WHERE u.kind IN {LOCALITY_KINDS} AND "
                )),
                "u",
            ))
            .await?;
        let depts: Vec<(i64,)> = tx
            .all(q("SELECT id FROM units WHERE kind = 'department'"))
            .await?;
        let mut taken = HashSet::new();
        // A code is taken by a register row or by a unit of the directory.
        for chunk in inputs.chunks(500) {
            for head in [
                "SELECT credit_code FROM enterprises WHERE credit_code IN (",
                "SELECT code FROM units WHERE code IN (",
            ] {
                let mut query = q(head);
                for (i, input) in chunk.iter().enumerate() {
                    query = query
                        .push(if i == 0 { "" } else { ", " })
                        .push_bind(input.credit_code.as_str());
                }
                let codes: Vec<(String,)> = tx.all(query.push(")")).await?;
                taken.extend(codes.into_iter().map(|(c,)| c));
            }
        }
        Ok(Known {
            sectors: sectors.into_iter().map(|(id, n)| (n, id)).collect(),
            towns: towns.into_iter().map(|(t,)| t).collect(),
            depts: depts.into_iter().map(|(d,)| d).collect(),
            taken,
        })
    }

    /// Checks `input`'s sector, township (in scope), supervising department and credit
    /// code (not registered, nor by an earlier row); returns the sector's id and marks
    /// the code taken.
    fn check(&mut self, input: &EnterpriseInput) -> Result<i64> {
        let sector = *self
            .sectors
            .get(anjian_core::sector::canonical(&input.sector))
            .ok_or_else(|| Error::invalid("unknown_sector", "sector", "行业领域不存在"))?;
        if !self.towns.contains(&input.township) {
            return Err(Error::invalid(
                "unknown_township",
                "township",
                "所在镇街（管委会）不存在或不在本单位管辖范围内",
            ));
        }
        if input.supervisor.is_some_and(|d| !self.depts.contains(&d)) {
            return Err(Error::invalid(
                "unknown_supervisor",
                "supervisor",
                "行业主管部门不存在",
            ));
        }
        if !self.taken.insert(input.credit_code.clone()) {
            return Err(Error::invalid(
                "duplicate_credit_code",
                "credit_code",
                format!("统一社会信用代码{}已登记", input.credit_code),
            ));
        }
        Ok(sector)
    }
}

/// Inserts one enterprise (its unit and its register row) inside `tx`.
async fn insert(
    tx: &mut Tx,
    now_ms: i64,
    scope: &Scope,
    known: &mut Known,
    input: &EnterpriseInput,
) -> Result<i64> {
    let sector = known.check(input)?;
    let draft = draft_of(input)?;
    let unit =
        crate::directory::units::insert(tx, now_ms, scope, &draft, Some(input.township), true)
            .await?;
    insert_row(tx, now_ms, unit.id, sector, input).await?;
    Ok(unit.id)
}

/// The directory's unit for an enterprise: coded by its credit code, in its sector.
fn draft_of(input: &EnterpriseInput) -> Result<UnitDraft> {
    Ok(UnitDraft {
        code: UnitCode::parse(&input.credit_code)?,
        name: input.name.clone(),
        short_name: None,
        kind: UnitKind::Enterprise,
        supervises_safety: false,
        aliases: Vec::new(),
        sectors: vec![input.sector.clone()],
    })
}

const REGISTER_INSERT: &str = "INSERT INTO enterprises (unit_id, credit_code, township_id, sector_id, staff, risk_level, major_hazards, supervisor_id, listed, address, updated_at) VALUES ";

/// The register row of enterprise unit `unit`, in [`REGISTER_INSERT`]'s column order.
fn register_row(now_ms: i64, unit: i64, sector: i64, input: &EnterpriseInput) -> Vec<Arg> {
    vec![
        unit.into(),
        input.credit_code.as_str().into(),
        input.township.into(),
        sector.into(),
        input.staff.into(),
        input.risk_level.as_str().into(),
        input.major_hazards.into(),
        input.supervisor.into(),
        i64::from(input.listed).into(),
        input.address.clone().into(),
        now_ms.into(),
    ]
}

/// Writes the register row of enterprise unit `unit`.
async fn insert_row(
    tx: &mut Tx,
    now_ms: i64,
    unit: i64,
    sector: i64,
    input: &EnterpriseInput,
) -> Result<()> {
    let row = register_row(now_ms, unit, sector, input);
    tx.execute(insert_rows(REGISTER_INSERT, [&row])).await?;
    Ok(())
}

/// Adds the register's facts to an enterprise unit already in the directory (one a
/// directory import made), in scope, with an audit entry.
pub async fn register_unit(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    unit: i64,
    input: &EnterpriseInput,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let found: Option<(i64,)> = tx
        .opt(scope.units(
            q("SELECT u.id FROM units u WHERE u.kind = 'enterprise' AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.unit_id = u.id) AND u.id = ")
                .push_bind(unit)
                .push(" AND "),
            "u",
        ))
        .await?;
    found.ok_or(Error::NotFound)?;
    let sector = Known::load(&mut tx, scope, &[input]).await?.check(input)?;
    insert_row(&mut tx, now_ms, unit, sector, input).await?;
    let entry = Entry::ok("enterprise.register", "unit", unit)
        .detail(format!("{} {}", input.credit_code, input.name));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// Registers an enterprise under its township (in scope): its unit, coded by its
/// credit code, and its register row, with an audit entry, in one transaction.
pub async fn create(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    input: &EnterpriseInput,
) -> Result<i64> {
    let follow = crate::follow::Follow::prepare(db, now_ms).await?;
    let mut tx = db.begin().await?;
    let mut known = Known::load(&mut tx, scope, &[input]).await?;
    let id = insert(&mut tx, now_ms, scope, &mut known, input).await?;
    let entry = Entry::ok("enterprise.create", "unit", id)
        .detail(format!("{} {}", input.credit_code, input.name));
    follow
        .apply_to(&mut tx, &[id])
        .await?
        .recorded(&mut tx, now_ms, actor, entry)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Registers every enterprise of an import in one transaction, or none: the first row
/// at fault is named with its field.
pub async fn import(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    rows: &[EnterpriseInput],
) -> Result<usize> {
    let follow = crate::follow::Follow::prepare(db, now_ms).await?;
    let mut tx = db.begin().await?;
    let all: Vec<&EnterpriseInput> = rows.iter().collect();
    let mut known = Known::load(&mut tx, scope, &all).await?;
    let at_row = |i: usize| {
        move |e| match e {
            Error::Invalid(f) => {
                Error::invalid(f.code, f.field, format!("第{}行：{}", i + 2, f.message))
            }
            e => e,
        }
    };
    let mut checked = Vec::with_capacity(rows.len());
    for (i, input) in rows.iter().enumerate() {
        let sector = known.check(input).map_err(at_row(i))?;
        let draft = draft_of(input).map_err(at_row(i))?;
        checked.push((draft, input.township, sector));
    }
    // The units and register rows in multi-row statements (the rows were checked above).
    let placed: Vec<(&UnitDraft, i64)> = checked.iter().map(|(d, t, _)| (d, *t)).collect();
    let ids = crate::directory::units::insert_many(&mut tx, now_ms, scope, &placed, true).await?;
    let register: Vec<Vec<Arg>> = rows
        .iter()
        .zip(&checked)
        .zip(&ids)
        .map(|((input, (_, _, sector)), id)| register_row(now_ms, *id, *sector, input))
        .collect();
    for chunk in register.chunks(300) {
        tx.execute(insert_rows(REGISTER_INSERT, chunk)).await?;
    }
    let entry =
        Entry::ok("enterprise.import", "unit", 0).detail(format!("导入企业{}家", rows.len()));
    follow
        .apply_to(&mut tx, &ids)
        .await?
        .recorded(&mut tx, now_ms, actor, entry)
        .await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// Sets whether enterprise `id` (in scope) is listed on its township's public board.
pub async fn set_listed(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    listed: bool,
) -> Result<()> {
    let e = get(db, scope, id).await?;
    let mut tx = db.begin().await?;
    tx.execute(
        q("UPDATE enterprises SET listed = $1, updated_at = $2 WHERE unit_id = $3")
            .bind(i64::from(listed))
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    let entry = Entry::ok("enterprise.listed", "unit", id)
        .change(Some(&e.listed), Some(&listed))
        .detail(e.name);
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// Writes the risk card of enterprise `id` (in scope: the enterprise itself, its
/// township or its supervising department).
pub async fn set_risk_card(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    card: RiskCard,
) -> Result<()> {
    let card = card.check()?;
    let e = get(db, scope, id).await?;
    let json = serde_json::to_string(&card).unwrap_or_default();
    let mut tx = db.begin().await?;
    tx.execute(
        q("UPDATE enterprises SET risk_card_json = $1, risk_card_updated_at = $2, updated_at = $2 WHERE unit_id = $3")
            .bind(json.as_str())
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    let entry = Entry::ok("enterprise.risk_card", "unit", id)
        .change(
            e.risk_card_json
                .as_deref()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
                .as_ref(),
            serde_json::to_value(&card).ok().as_ref(),
        )
        .detail(e.name);
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// The townships in scope: id and name, for forms and filters.
pub async fn townships(db: &Db, scope: &Scope) -> Result<Vec<(i64, String)>> {
    db.read()
        .all(scope.units(
            q(format!("SELECT u.id, u.name FROM units u WHERE u.kind IN {LOCALITY_KINDS} AND u.active = 1 AND ")),
            "u",
        ).push(" ORDER BY u.name"))
        .await
}

/// Sets the group company (上级公司) of enterprise `id` (in scope), to which a finding
/// of an inspection is reported (item (77)); `None` clears it.
pub async fn set_parent_company(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    parent: Option<i64>,
) -> Result<()> {
    crate::authz::require(actor, |r| r.keeps_register())?;
    let e = get(db, scope, id).await?;
    let mut tx = db.begin().await?;
    if let Some(p) = parent {
        let found: Option<(String,)> = tx
            .opt(q("SELECT kind FROM units WHERE active = 1 AND id = $1").bind(p))
            .await?;
        if found.is_none_or(|(k,)| k != "enterprise" && k != "soe") || p == id {
            return Err(Error::invalid(
                "unknown_enterprise",
                "parent_company",
                "上级公司应为名录中的另一家企业",
            ));
        }
    }
    tx.execute(
        q("UPDATE enterprises SET parent_company_id = $1, updated_at = $2 WHERE unit_id = $3")
            .bind(parent)
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    let entry = Entry::ok("enterprise.parent_company", "unit", id).detail(e.name);
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// The name of enterprise `id` when it is an enterprise in `scope`, read inside `tx`
/// (an action about an enterprise: an inspection, a blacklist decision).
pub(crate) async fn name_in(
    tx: &mut crate::db::Tx,
    scope: &Scope,
    id: i64,
) -> Result<Option<String>> {
    let found: Option<(String, String)> = tx
        .opt(
            scope
                .units(q("SELECT u.kind, u.name FROM units u WHERE "), "u")
                .push(" AND u.id = ")
                .push_bind(id),
        )
        .await?;
    Ok(found.filter(|(k, _)| k == "enterprise").map(|(_, n)| n))
}
