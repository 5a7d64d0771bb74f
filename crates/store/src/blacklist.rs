//! The blacklist (黑名单, issue 19 part 4): a unit that supervises an enterprise (the
//! office, a department, a township) enters it by a recorded decision and the deciding
//! unit or the office lifts it by another, each in one transaction with its audit
//! entry; lists in scope (the enterprise's), newest first, keyset-paged; the active
//! entry of one enterprise for its pages.

use anjian_core::blacklist::{EntryInput, Reason, check};
use anjian_core::role::Role;
use anjian_core::time::Moment;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// An entry as lists and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BlacklistRow {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// The enterprise's unified social credit code (统一社会信用代码), when registered.
    pub credit_code: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub reason_kind: String,
    pub reason: String,
    pub decided_on: String,
    pub until_on: String,
    pub lifted_on: Option<String>,
    pub lift_reason: Option<String>,
}

impl BlacklistRow {
    /// The reason's Chinese name.
    pub fn reason_label(&self) -> &str {
        anjian_core::blacklist::reason_label(&self.reason_kind)
    }

    /// Whether the entry holds on `today`: not lifted and within its term.
    pub fn active_on(&self, today: &str) -> bool {
        self.lifted_on.is_none() && self.until_on.as_str() >= today
    }
}

const ROW: &str = "SELECT b.id, b.enterprise_id, x.name AS enterprise_name, en.credit_code, b.unit_id, u.name AS unit_name, b.reason_kind, b.reason, b.decided_on, b.until_on, b.lifted_on, b.lift_reason FROM blacklist b JOIN units x ON x.id = b.enterprise_id JOIN units u ON u.id = b.unit_id LEFT JOIN enterprises en ON en.unit_id = b.enterprise_id WHERE ";

/// Who may decide: a supervising unit's user or the office (never an enterprise).
fn decider(actor: &Actor) -> Result<i64> {
    crate::authz::require(actor, Role::can_enforce)?;
    actor.unit_id.ok_or(Error::Forbidden)
}

/// Blacklists an enterprise in the actor's scope by the actor's unit's decision.
/// Refused: a bad decision (422 naming the field), an enterprise out of scope (404),
/// one already on the list (409). Returns the entry's id.
pub async fn enter(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    input: &EntryInput,
) -> Result<i64> {
    let unit = decider(actor)?;
    let e = check(input, today)?;
    let enterprise = input
        .enterprise
        .ok_or_else(|| Error::invalid("required", "enterprise", "请选择企业"))?;
    let mut tx = db.begin().await?;
    let Some(name) = crate::enterprises::name_in(&mut tx, scope, enterprise).await? else {
        return Err(Error::NotFound);
    };
    let active: Option<(i64,)> = tx
        .opt(
            q("SELECT id FROM blacklist WHERE enterprise_id = $1 AND lifted_on IS NULL AND until_on >= $2 LIMIT 1")
                .bind(enterprise)
                .bind(day(today)),
        )
        .await?;
    if active.is_some() {
        return Err(Error::Conflict {
            code: "already_blacklisted",
            field: "enterprise",
            message: format!("{name}已在黑名单中"),
        });
    }
    let id = insert_in(
        &mut tx,
        now_ms,
        &Listing {
            enterprise,
            unit,
            reason_kind: e.reason_kind,
            reason: &e.reason,
            decided_on: e.decided_on,
            until: e.until,
            accident: None,
            by: actor.user_id,
        },
    )
    .await?
    .ok_or(Error::Conflict {
        code: "already_blacklisted",
        field: "enterprise",
        message: format!("{name}已在黑名单中"),
    })?;
    let entry = Entry::ok("blacklist.enter", "blacklist", id)
        .change(None, Some(&e))
        .detail(format!(
            "{name}：{}，至{}",
            e.reason_kind.label(),
            day(e.until)
        ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// Lifts entry `id` by a recorded decision with its reason (field `reason`): the
/// deciding unit or the office. Refused: an entry out of scope (404), another unit's
/// (403), one already lifted (409).
pub async fn lift(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    reason: &str,
) -> Result<()> {
    let unit = decider(actor)?;
    let reason = anjian_core::error::required_paragraphs("reason", "移出理由", reason, 1000)?;
    let mut tx = db.begin().await?;
    let row: Option<(i64, Option<String>)> = tx
        .opt(
            scope
                .units(
                    q("SELECT b.unit_id, b.lifted_on FROM blacklist b JOIN units x ON x.id = b.enterprise_id WHERE "),
                    "x",
                )
                .push(" AND b.id = ")
                .push_bind(id),
        )
        .await?;
    let Some((by, _)) = row else {
        return Err(Error::NotFound);
    };
    let office = Role::parse(&actor.role).is_ok_and(Role::sees_everything);
    if by != unit && !office {
        return Err(Error::Forbidden);
    }
    let n = tx
        .execute(
            q("UPDATE blacklist SET lifted_on = $1, lift_reason = $2, lifted_by = $3, lifted_at = $4 WHERE id = $5 AND lifted_on IS NULL")
                .bind(day(today))
                .bind(reason.as_str())
                .bind(actor.user_id)
                .bind(now_ms)
                .bind(id),
        )
        .await?;
    if n == 0 {
        return Err(Error::Conflict {
            code: "already_lifted",
            field: "reason",
            message: "该企业已移出黑名单".into(),
        });
    }
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("blacklist.lift", "blacklist", id).detail(reason),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A listing written by another workflow (an accident found concealed, a party of an
/// accident the office lists), inside its transaction.
pub(crate) struct Listing<'a> {
    pub enterprise: i64,
    /// The deciding unit.
    pub unit: i64,
    pub reason_kind: Reason,
    pub reason: &'a str,
    pub decided_on: chrono::NaiveDate,
    pub until: chrono::NaiveDate,
    /// The accident that brought it (once per enterprise and accident).
    pub accident: Option<i64>,
    pub by: Option<i64>,
}

/// The term of a listing no decision sets (an accident found concealed): three years.
pub fn default_until(from: chrono::NaiveDate) -> chrono::NaiveDate {
    from.checked_add_months(chrono::Months::new(36))
        .unwrap_or(from)
}

/// Writes `l` inside `tx`; answers its id, or None when that enterprise was already
/// listed for that accident.
pub(crate) async fn insert_in(
    tx: &mut crate::db::Tx,
    now_ms: i64,
    l: &Listing<'_>,
) -> Result<Option<i64>> {
    let id = next_id(now_ms);
    let written = tx.execute(
        q("INSERT INTO blacklist (id, enterprise_id, unit_id, reason_kind, reason, decided_on, until_on, accident_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (enterprise_id, accident_id) DO NOTHING")
            .bind(id)
            .bind(l.enterprise)
            .bind(l.unit)
            .bind(l.reason_kind.as_str())
            .bind(l.reason)
            .bind(day(l.decided_on))
            .bind(day(l.until))
            .bind(l.accident)
            .bind(l.by)
            .bind(now_ms),
    )
    .await?;
    Ok((written > 0).then_some(id))
}

/// Narrowing of the list.
#[derive(Debug, Clone, Default)]
pub struct BlacklistFilter {
    /// Only entries holding on this day (not lifted, within their term).
    pub active_on: Option<chrono::NaiveDate>,
    /// Keyset: entries older than this id.
    pub after: Option<i64>,
    pub limit: i64,
}

/// The entries whose enterprise is in scope, newest first: for the units that decide
/// them (an enterprise sees its own entries on its register page).
pub async fn list(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    f: &BlacklistFilter,
) -> Result<Vec<BlacklistRow>> {
    crate::authz::require(actor, Role::can_enforce)?;
    let mut query = scope.units(q(ROW), "x");
    if let Some(d) = f.active_on {
        query = query
            .push(" AND b.lifted_on IS NULL AND b.until_on >= ")
            .push_bind(day(d));
    }
    if let Some(a) = f.after {
        query = query.push(" AND b.id < ").push_bind(a);
    }
    db.read()
        .all(
            query
                .push(" ORDER BY b.id DESC LIMIT ")
                .push_bind(f.limit.clamp(1, 1000)),
        )
        .await
}

/// The entries of one enterprise in scope, newest first (its pages show the active one
/// and the history).
pub async fn of_enterprise(db: &Db, scope: &Scope, enterprise: i64) -> Result<Vec<BlacklistRow>> {
    db.read()
        .all(
            scope
                .units(q(ROW), "x")
                .push(" AND b.enterprise_id = ")
                .push_bind(enterprise)
                .push(" ORDER BY b.id DESC LIMIT 50"),
        )
        .await
}

/// The reasons as (name, label) for forms.
pub fn reasons() -> Vec<(&'static str, &'static str)> {
    Reason::ALL
        .iter()
        .map(|r| (r.as_str(), r.label()))
        .collect()
}

/// Of `enterprises`, those with an entry holding on `today` (one query): the pages that
/// list enterprises mark them.
pub async fn active_among(
    db: &Db,
    enterprises: &[i64],
    today: chrono::NaiveDate,
) -> Result<Vec<i64>> {
    if enterprises.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64,)> = db
        .read()
        .all(
            q("SELECT DISTINCT enterprise_id FROM blacklist WHERE lifted_on IS NULL AND until_on >= $1 AND enterprise_id IN (")
                .bind(day(today))
                .push_list(enterprises)
                .push(")"),
        )
        .await?;
    Ok(rows.into_iter().map(|(e,)| e).collect())
}
