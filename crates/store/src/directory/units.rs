//! Units: list, read, create, edit, move, deactivate. Every call takes the caller's
//! scope; an out-of-scope id is `NotFound`.

use anjian_core::unit::{UnitDraft, UnitKind, normalize_name};
use serde::Serialize;

use crate::audit::{self, Entry};
use std::collections::{HashMap, HashSet};

use crate::db::{Arg, Db, Q, Tx, insert_rows, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope, path_end};

/// A unit as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub path: String,
    pub depth: i64,
    pub supervises_safety: i64,
    pub active: i64,
}

impl Unit {
    /// The kind as a value.
    pub fn kind(&self) -> UnitKind {
        UnitKind::parse(&self.kind).unwrap_or(UnitKind::Enterprise)
    }
}

/// A unit with what its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct UnitDetail {
    pub unit: Unit,
    pub parent: Option<Unit>,
    pub aliases: Vec<String>,
    pub sectors: Vec<String>,
    pub child_count: i64,
}

pub(crate) const COLUMNS: &str = "u.id, u.code, u.name, u.short_name, u.kind, u.parent_id, u.path, u.depth, u.supervises_safety, u.active";

/// Filters of the unit list; keyset on id.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub after: Option<i64>,
    pub limit: i64,
    pub search: Option<String>,
    pub kind: Option<UnitKind>,
    pub parent: Option<i64>,
    pub include_inactive: bool,
}

fn scoped(scope: &Scope, select: &str) -> Q {
    scope.units(q(format!("{select} WHERE ")), "u")
}

/// Appends "unit `u`'s name, code or one of its aliases holds `s`": the directory's
/// search, which every list that finds a unit by words reads through.
pub(crate) fn matching(query: Q, s: &str) -> Q {
    let like = crate::db::contains(s);
    query
        .push(" AND (u.name LIKE ")
        .push_bind(like.clone())
        .push(" OR u.code LIKE ")
        .push_bind(like.clone())
        .push(" OR u.id IN (SELECT a.unit_id FROM unit_aliases a WHERE a.alias LIKE ")
        .push_bind(like)
        .push("))")
}

/// Lists units in scope, ordered by id.
pub async fn list(db: &Db, scope: &Scope, f: &UnitFilter) -> Result<Vec<Unit>> {
    let mut query = scoped(scope, &format!("SELECT {COLUMNS} FROM units u"));
    if let Some(a) = f.after {
        query = query.push(" AND u.id > ").push_bind(a);
    }
    if let Some(s) = &f.search {
        query = matching(query, s);
    }
    if let Some(k) = f.kind {
        query = query.push(" AND u.kind = ").push_bind(k.as_str());
    }
    if let Some(p) = f.parent {
        query = query.push(" AND u.parent_id = ").push_bind(p);
    }
    if !f.include_inactive {
        query = query.push(" AND u.active = 1");
    }
    query = query
        .push(" ORDER BY u.id LIMIT ")
        .push_bind(f.limit.clamp(1, 1000));
    db.read().all(query).await
}

/// "Active unit `u` of one of `kinds` in scope", the select of forms' choices.
fn of_kinds(scope: &Scope, kinds: &[&str]) -> Q {
    let mut query =
        scoped(scope, "SELECT u.id, u.name FROM units u").push(" AND u.active = 1 AND u.kind IN (");
    for (i, k) in kinds.iter().enumerate() {
        query = query
            .push(if i == 0 { "" } else { ", " })
            .push_bind(k.to_string());
    }
    if kinds.is_empty() {
        query = query.push("''");
    }
    query.push(")")
}

/// Active units in scope of the given kinds, to choose from in a form: id and name in
/// the directory's order (by path), at most `limit`.
pub async fn choices(
    db: &Db,
    scope: &Scope,
    kinds: &[&str],
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    db.read()
        .all(
            of_kinds(scope, kinds)
                .push(" ORDER BY u.path, u.id LIMIT ")
                .push_bind(limit.clamp(1, 5000)),
        )
        .await
}

/// Active units in scope of the given kinds whose name, code or alias holds `find`
/// (all when it is blank), as the directory's search matches them, to choose from
/// among thousands (a form's enterprises): by id, at most `limit`. The id order walks
/// the kind's index (`units_kind (kind, id)`) and stops at `limit`; in the directory's
/// order SQLite tested every enterprise of a sector department's scope, then sorted
/// them (277 ms of the department's enforcement page at city scale, against 5 ms).
pub async fn choices_found(
    db: &Db,
    scope: &Scope,
    kinds: &[&str],
    find: Option<&str>,
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    let mut query = of_kinds(scope, kinds);
    if let Some(s) = find.map(str::trim).filter(|s| !s.is_empty()) {
        query = matching(query, s);
    }
    db.read()
        .all(
            query
                .push(" ORDER BY u.id LIMIT ")
                .push_bind(limit.clamp(1, 5000)),
        )
        .await
}

/// How many children the directory lists on one page.
pub const CHILDREN_PAGE: i64 = 500;

/// A page of a unit's children.
#[derive(Debug, Clone)]
pub struct Children {
    /// Each child with the number of its own children.
    pub rows: Vec<(Unit, i64)>,
    /// The last child shown, when more follow: the next page starts after it.
    pub next_after: Option<i64>,
}

/// The children of `parent` (or the roots of the scope when `None`) ordered by kind,
/// then name, then id, [`CHILDREN_PAGE`] at a time, each with the number of its own
/// children (kept on the unit by triggers, migration 0063). The page starts after the
/// child `after` (the previous page's `next_after`); an `after` that names no child of
/// `parent` in scope is `NotFound`.
pub async fn children(
    db: &Db,
    scope: &Scope,
    parent: Option<i64>,
    after: Option<i64>,
) -> Result<Children> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        unit: Unit,
        child_count: i64,
    }
    let select = format!("SELECT {COLUMNS}, u.child_count FROM units u");
    let mut query = scoped(scope, &select);
    query = match (parent, scope) {
        (Some(p), _) => query.push(" AND u.parent_id = ").push_bind(p),
        (None, Scope::Subtree { unit_id, .. }) => query.push(" AND u.id = ").push_bind(*unit_id),
        (None, _) => query.push(" AND u.parent_id IS NULL"),
    };
    if let Some(a) = after {
        let from = get(db, scope, a).await?;
        if from.parent_id != parent {
            return Err(Error::NotFound);
        }
        query = query
            .push(" AND (u.kind, u.name, u.id) > (")
            .push_bind(from.kind)
            .push(", ")
            .push_bind(from.name)
            .push(", ")
            .push_bind(from.id)
            .push(")");
    }
    query = query
        .push(" ORDER BY u.kind, u.name, u.id LIMIT ")
        .push_bind(CHILDREN_PAGE + 1);
    let mut rows: Vec<Row> = db.read().all(query).await?;
    let more = rows.len() as i64 > CHILDREN_PAGE;
    rows.truncate(CHILDREN_PAGE as usize);
    let next_after = if more {
        rows.last().map(|r| r.unit.id)
    } else {
        None
    };
    Ok(Children {
        rows: rows.into_iter().map(|r| (r.unit, r.child_count)).collect(),
        next_after,
    })
}

/// One unit in scope.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Unit> {
    let query = scoped(scope, &format!("SELECT {COLUMNS} FROM units u"))
        .push(" AND u.id = ")
        .push_bind(id);
    db.read().one(query).await
}

/// One unit in scope, inside a transaction.
async fn get_in(tx: &mut Tx, scope: &Scope, id: i64) -> Result<Unit> {
    let query = scoped(scope, &format!("SELECT {COLUMNS} FROM units u"))
        .push(" AND u.id = ")
        .push_bind(id);
    tx.one(query).await
}

/// A unit by code (no scope: for imports and the command line).
pub async fn by_code(db: &Db, code: &str) -> Result<Option<Unit>> {
    // A string that cannot be a code names no unit (and never reaches the database).
    if anjian_core::unit::UnitCode::parse(code).is_err() {
        return Ok(None);
    }
    db.read()
        .opt(q(format!("SELECT {COLUMNS} FROM units u WHERE u.code = $1")).bind(code))
        .await
}

/// The unit page: the unit, its parent, aliases, sectors and number of children.
pub async fn detail(db: &Db, scope: &Scope, id: i64) -> Result<UnitDetail> {
    let unit = get(db, scope, id).await?;
    let parent = match unit.parent_id {
        Some(p) => {
            db.read()
                .opt(q(format!("SELECT {COLUMNS} FROM units u WHERE u.id = $1")).bind(p))
                .await?
        }
        None => None,
    };
    let aliases: Vec<(String,)> = db
        .read()
        .all(q("SELECT alias FROM unit_aliases WHERE unit_id = $1 ORDER BY alias").bind(id))
        .await?;
    let sectors = sector_names(db, id).await?;
    let (child_count,): (i64,) = db
        .read()
        .one(q("SELECT child_count FROM units WHERE id = $1").bind(id))
        .await?;
    Ok(UnitDetail {
        unit,
        parent,
        aliases: aliases.into_iter().map(|(a,)| a).collect(),
        sectors,
        child_count,
    })
}

async fn sector_names(db: &Db, id: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = db
        .read()
        .all(q("SELECT s.name FROM sectors s JOIN unit_sectors us ON us.sector_id = s.id WHERE us.unit_id = $1 ORDER BY s.name").bind(id))
        .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// What the audit digests of a unit cover.
#[derive(Serialize)]
struct Snapshot<'a> {
    unit: &'a Unit,
    aliases: &'a [String],
    sectors: &'a [String],
}

fn snapshot<'a>(u: &'a Unit, aliases: &'a [String], sectors: &'a [String]) -> Snapshot<'a> {
    Snapshot {
        unit: u,
        aliases,
        sectors,
    }
}

/// Creates a unit under `parent` (a root when `None`). The parent must be in scope.
pub async fn create(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    draft: &UnitDraft,
    parent: Option<i64>,
) -> Result<Unit> {
    crate::authz::require(actor, anjian_core::role::Role::can_edit_directory)?;
    let follow = crate::follow::Follow::prepare(db, now_ms).await?;
    let mut tx = db.begin().await?;
    let unit = insert(&mut tx, now_ms, scope, draft, parent, true).await?;
    let e = Entry::ok("unit.create", "unit", unit.id)
        .change(None, Some(&snapshot(&unit, &draft.aliases, &draft.sectors)))
        .detail(format!("{} {}", unit.code, unit.name));
    follow
        .apply_to(&mut tx, &[unit.id])
        .await?
        .recorded(&mut tx, now_ms, actor, e)
        .await?;
    tx.commit().await?;
    Ok(unit)
}

/// Inserts a unit with its aliases and sectors inside `tx`.
pub(crate) async fn insert(
    tx: &mut Tx,
    now_ms: i64,
    scope: &Scope,
    draft: &UnitDraft,
    parent: Option<i64>,
    active: bool,
) -> Result<Unit> {
    // An office inside a department (区委办督查室) does not count in rule groups.
    let (parent_path, depth, in_groups) = match parent {
        Some(p) => {
            let pu = get_in(tx, scope, p).await.map_err(|e| match e {
                Error::NotFound => Error::Invalid(anjian_core::FieldError::new(
                    "parent_not_found",
                    "parent",
                    "上级单位不存在",
                )),
                e => e,
            })?;
            (pu.path, pu.depth + 1, pu.kind != "department")
        }
        None => {
            if *scope != Scope::All {
                return Err(Error::Forbidden);
            }
            ("/".to_string(), 0, true)
        }
    };
    check_code_free(tx, draft.code.as_str(), None).await?;
    let id = next_id(now_ms);
    let path = format!("{parent_path}{id}/");
    tx.execute(
        q("INSERT INTO units (id, code, name, short_name, kind, parent_id, path, depth, supervises_safety, active, created_at, updated_at, in_groups) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)")
            .bind(id)
            .bind(draft.code.as_str())
            .bind(draft.name.as_str())
            .bind(draft.short_name.clone())
            .bind(draft.kind.as_str())
            .bind(parent)
            .bind(path)
            .bind(depth)
            .bind(draft.supervises_safety)
            .bind(active)
            .bind(now_ms)
            .bind(i64::from(in_groups)),
    )
    .await?;
    write_names(tx, now_ms, id, draft).await?;
    tx.one(q(format!("SELECT {COLUMNS} FROM units u WHERE u.id = $1")).bind(id))
        .await
}

/// Inserts many units without aliases (an import's enterprises) inside `tx`, each under
/// its parent in `scope`, in multi-row statements: the same rows as [`insert`], but an
/// import of 1,000 enterprises made 9,000 single-row round trips that way (1.2 s on
/// PostgreSQL). Returns the new ids in the order of `rows`.
pub(crate) async fn insert_many(
    tx: &mut Tx,
    now_ms: i64,
    scope: &Scope,
    rows: &[(&UnitDraft, i64)],
    active: bool,
) -> Result<Vec<i64>> {
    let mut parent_ids: Vec<i64> = rows.iter().map(|(_, p)| *p).collect();
    parent_ids.sort_unstable();
    parent_ids.dedup();
    let mut parents: HashMap<i64, Unit> = HashMap::new();
    for chunk in parent_ids.chunks(300) {
        let query = scoped(scope, &format!("SELECT {COLUMNS} FROM units u"))
            .push(" AND u.id IN (")
            .push_list(chunk)
            .push(")");
        parents.extend(tx.all::<Unit>(query).await?.into_iter().map(|u| (u.id, u)));
    }
    // Codes are checked by the caller, with the row they stand on (the register's
    // `Known` reads the taken ones once per import); the unique index stays the last guard.
    if rows.iter().any(|(d, _)| !d.aliases.is_empty()) {
        return Err(Error::invalid(
            "aliases",
            "aliases",
            "批量登记的单位不能带别名",
        ));
    }
    let mut units: Vec<Vec<Arg>> = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    for (d, parent) in rows {
        let pu = parents.get(parent).ok_or_else(|| {
            Error::Invalid(anjian_core::FieldError::new(
                "parent_not_found",
                "parent",
                "上级单位不存在",
            ))
        })?;
        let id = next_id(now_ms);
        ids.push(id);
        units.push(vec![
            id.into(),
            d.code.as_str().into(),
            d.name.as_str().into(),
            d.short_name.as_deref().into(),
            d.kind.as_str().into(),
            Some(*parent).into(),
            format!("{}{id}/", pu.path).into(),
            (pu.depth + 1).into(),
            i64::from(d.supervises_safety).into(),
            i64::from(active).into(),
            now_ms.into(),
            now_ms.into(),
            i64::from(pu.kind != "department").into(),
        ]);
    }
    for chunk in units.chunks(300) {
        tx.execute(insert_rows(
            "INSERT INTO units (id, code, name, short_name, kind, parent_id, path, depth, supervises_safety, active, created_at, updated_at, in_groups) VALUES ",
            chunk,
        ))
        .await?;
    }
    let linked: Vec<(i64, &[String])> = rows
        .iter()
        .zip(&ids)
        .map(|((d, _), id)| (*id, d.sectors.as_slice()))
        .collect();
    link_sectors(tx, now_ms, &linked).await?;
    Ok(ids)
}

/// Links units to their sectors by name inside `tx` (sectors are created on first
/// use), in multi-row statements.
async fn link_sectors(tx: &mut Tx, now_ms: i64, units: &[(i64, &[String])]) -> Result<()> {
    // Every spelling of a sector reads as the name kept (危险化学品 as 危化品).
    let mut names: Vec<&str> = units
        .iter()
        .flat_map(|(_, s)| s.iter().map(|n| anjian_core::sector::canonical(n)))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut sectors: HashMap<String, i64> = HashMap::new();
    for chunk in names.chunks(300) {
        let mut query = q("SELECT name, id FROM sectors WHERE name IN (");
        for (i, n) in chunk.iter().enumerate() {
            query = query.push(if i == 0 { "" } else { ", " }).push_bind(*n);
        }
        sectors.extend(tx.all::<(String, i64)>(query.push(")")).await?);
    }
    for n in names {
        if !sectors.contains_key(n) {
            let sid = next_id(now_ms);
            tx.execute(
                q("INSERT INTO sectors (id, name) VALUES ($1, $2)")
                    .bind(sid)
                    .bind(n),
            )
            .await?;
            sectors.insert(n.to_string(), sid);
        }
    }
    let mut links: Vec<Vec<Arg>> = Vec::new();
    for (id, names) in units {
        let mut seen = HashSet::new();
        for n in names.iter() {
            let n = anjian_core::sector::canonical(n);
            if let Some(sid) = sectors.get(n).filter(|s| seen.insert(**s)) {
                links.push(vec![(*id).into(), (*sid).into()]);
            }
        }
    }
    for chunk in links.chunks(300) {
        tx.execute(insert_rows(
            "INSERT INTO unit_sectors (unit_id, sector_id) VALUES ",
            chunk,
        ))
        .await?;
    }
    Ok(())
}

/// Updates many units whose aliases stay as they are (an import's corrected rows) inside
/// `tx`, in multi-row statements: names, kind, flag and active state, then their
/// sectors. One by one (`update_in`) a 100,000-row re-import would take minutes.
pub(crate) async fn update_many(
    tx: &mut Tx,
    now_ms: i64,
    rows: &[(i64, &UnitDraft, bool)],
) -> Result<()> {
    for chunk in rows.chunks(200) {
        // `VALUES` columns are column1, column2, … on both engines.
        let mut query = q("UPDATE units SET name = v.column2, short_name = v.column3, kind = v.column4, supervises_safety = v.column5, active = v.column6, updated_at = ")
            .push_bind(now_ms)
            .push(" FROM (VALUES ");
        for (i, (id, d, active)) in chunk.iter().enumerate() {
            query = query
                .push(if i == 0 { "(" } else { ", (" })
                .push_bind(*id)
                .push(", ")
                .push_bind(d.name.as_str())
                .push(", ")
                .push_bind(d.short_name.as_deref())
                .push(", ")
                .push_bind(d.kind.as_str())
                .push(", ")
                .push_bind(i64::from(d.supervises_safety))
                .push(", ")
                .push_bind(i64::from(*active))
                .push(")");
        }
        tx.execute(query.push(") AS v WHERE units.id = v.column1"))
            .await?;
        let ids: Vec<i64> = chunk.iter().map(|(id, _, _)| *id).collect();
        tx.execute(
            q("DELETE FROM unit_sectors WHERE unit_id IN (")
                .push_list(&ids)
                .push(")"),
        )
        .await?;
    }
    let linked: Vec<(i64, &[String])> = rows
        .iter()
        .map(|(id, d, _)| (*id, d.sectors.as_slice()))
        .collect();
    link_sectors(tx, now_ms, &linked).await
}

fn duplicate_code(code: &str) -> Error {
    Error::conflict(
        "duplicate_code",
        "code",
        format!("单位编码 {code} 已被使用"),
    )
}

async fn check_code_free(tx: &mut Tx, code: &str, except: Option<i64>) -> Result<()> {
    let hit: Option<(i64,)> = tx
        .opt(q("SELECT id FROM units WHERE code = $1").bind(code))
        .await?;
    match hit {
        Some((id,)) if Some(id) != except => Err(duplicate_code(code)),
        _ => Ok(()),
    }
}

/// Replaces a unit's aliases and sectors (sectors are created on first use).
async fn write_names(tx: &mut Tx, now_ms: i64, id: i64, draft: &UnitDraft) -> Result<()> {
    tx.execute(q("DELETE FROM unit_aliases WHERE unit_id = $1").bind(id))
        .await?;
    for alias in &draft.aliases {
        let key = normalize_name(alias);
        let hit: Option<(Option<i64>, Option<i64>)> = tx
            .opt(q("SELECT unit_id, group_id FROM unit_aliases WHERE alias = $1").bind(key.clone()))
            .await?;
        if hit.is_some() {
            return Err(Error::conflict(
                "duplicate_alias",
                "aliases",
                format!("别名「{alias}」已被其他单位或分组使用"),
            ));
        }
        tx.execute(
            q("INSERT INTO unit_aliases (alias, unit_id) VALUES ($1, $2)")
                .bind(key)
                .bind(id),
        )
        .await?;
    }
    tx.execute(q("DELETE FROM unit_sectors WHERE unit_id = $1").bind(id))
        .await?;
    // Every spelling of a sector reads as the name kept, listed once.
    let mut names: Vec<&str> = Vec::new();
    for n in &draft.sectors {
        let n = anjian_core::sector::canonical(n);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    for name in names {
        let sid = match tx
            .opt::<(i64,)>(q("SELECT id FROM sectors WHERE name = $1").bind(name))
            .await?
        {
            Some((sid,)) => sid,
            None => {
                let sid = next_id(now_ms);
                tx.execute(
                    q("INSERT INTO sectors (id, name) VALUES ($1, $2)")
                        .bind(sid)
                        .bind(name),
                )
                .await?;
                sid
            }
        };
        tx.execute(
            q("INSERT INTO unit_sectors (unit_id, sector_id) VALUES ($1, $2)")
                .bind(id)
                .bind(sid),
        )
        .await?;
    }
    Ok(())
}

async fn names_in(tx: &mut Tx, id: i64) -> Result<(Vec<String>, Vec<String>)> {
    let a: Vec<(String,)> = tx
        .all(q("SELECT alias FROM unit_aliases WHERE unit_id = $1 ORDER BY alias").bind(id))
        .await?;
    let s: Vec<(String,)> = tx
        .all(q("SELECT s.name FROM sectors s JOIN unit_sectors us ON us.sector_id = s.id WHERE us.unit_id = $1 ORDER BY s.name").bind(id))
        .await?;
    Ok((
        a.into_iter().map(|x| x.0).collect(),
        s.into_iter().map(|x| x.0).collect(),
    ))
}

/// Edits a unit's code, names, kind, flag, aliases and sectors.
pub async fn update(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    draft: &UnitDraft,
) -> Result<Unit> {
    crate::authz::require(actor, anjian_core::role::Role::can_edit_directory)?;
    let follow = crate::follow::Follow::prepare(db, now_ms).await?;
    let mut tx = db.begin().await?;
    let (after, e) = update_in(&mut tx, now_ms, scope, id, draft).await?;
    follow
        .apply_to(&mut tx, &[id])
        .await?
        .recorded(&mut tx, now_ms, actor, e)
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// Writes a unit's edit inside `tx`; answers the unit after it and the entry that
/// records it, for the acting caller to append.
pub(crate) async fn update_in(
    tx: &mut Tx,
    now_ms: i64,
    scope: &Scope,
    id: i64,
    draft: &UnitDraft,
) -> Result<(Unit, Entry)> {
    let before = get_in(tx, scope, id).await?;
    let (ba, bs) = names_in(tx, id).await?;
    check_code_free(tx, draft.code.as_str(), Some(id)).await?;
    tx.execute(
        q("UPDATE units SET code = $1, name = $2, short_name = $3, kind = $4, supervises_safety = $5, updated_at = $6 WHERE id = $7")
            .bind(draft.code.as_str())
            .bind(draft.name.as_str())
            .bind(draft.short_name.clone())
            .bind(draft.kind.as_str())
            .bind(draft.supervises_safety)
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    write_names(tx, now_ms, id, draft).await?;
    let after = get_in(tx, &Scope::All, id).await?;
    let e = Entry::ok("unit.update", "unit", id)
        .change(
            Some(&snapshot(&before, &ba, &bs)),
            Some(&snapshot(&after, &draft.aliases, &draft.sectors)),
        )
        .detail(format!("{} {}", after.code, after.name));
    Ok((after, e))
}

/// Moves a unit (and its subtree) under a new parent in scope.
pub async fn move_to(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    new_parent: i64,
) -> Result<Unit> {
    crate::authz::require(actor, anjian_core::role::Role::can_edit_directory)?;
    let follow = crate::follow::Follow::prepare(db, now_ms).await?;
    let mut tx = db.begin().await?;
    let unit = get_in(&mut tx, scope, id).await?;
    let parent = get_in(&mut tx, scope, new_parent)
        .await
        .map_err(|e| match e {
            Error::NotFound => Error::Invalid(anjian_core::FieldError::new(
                "parent_not_found",
                "parent",
                "上级单位不存在",
            )),
            e => e,
        })?;
    if parent.path.starts_with(&unit.path) {
        return Err(Error::Invalid(anjian_core::FieldError::new(
            "move_into_own_subtree",
            "parent",
            "不能把单位移到它自己或它的下级单位之下",
        )));
    }
    let new_path = format!("{}{}/", parent.path, unit.id);
    let shift = parent.depth + 1 - unit.depth;
    tx.execute(
        q("UPDATE units SET path = $1 || substr(path, CAST($2 AS INTEGER)), depth = depth + $3, updated_at = $4 WHERE path >= $5 AND path < $6")
            .bind(new_path.clone())
            .bind(unit.path.len() as i64 + 1)
            .bind(shift)
            .bind(now_ms)
            .bind(unit.path.clone())
            .bind(path_end(&unit.path)),
    )
    .await?;
    tx.execute(
        q("UPDATE units SET parent_id = $1 WHERE id = $2")
            .bind(parent.id)
            .bind(id),
    )
    .await?;
    // The subtree's hazards now roll up to the new locality (属地).
    tx.execute(
        q("UPDATE hazards SET locality_id = $1 WHERE unit_id IN (SELECT id FROM units WHERE path >= $2 AND path < $3)")
            .bind(crate::scope::locality(&new_path).unwrap_or(id))
            .bind(new_path.clone())
            .bind(path_end(&new_path)),
    )
    .await?;
    let after = get_in(&mut tx, &Scope::All, id).await?;
    let e = Entry::ok("unit.move", "unit", id)
        .change(Some(&unit), Some(&after))
        .detail(format!("移至 {}", parent.name));
    follow
        .apply_to(&mut tx, &[id])
        .await?
        .recorded(&mut tx, now_ms, actor, e)
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deactivates or reactivates a unit. A unit with active children cannot be deactivated.
pub async fn set_active(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    active: bool,
) -> Result<Unit> {
    crate::authz::require(actor, anjian_core::role::Role::can_edit_directory)?;
    let follow = crate::follow::Follow::prepare(db, now_ms).await?;
    let mut tx = db.begin().await?;
    let before = get_in(&mut tx, scope, id).await?;
    if !active {
        let (n,): (i64,) = tx
            .one(
                q("SELECT CAST(COUNT(*) AS BIGINT) FROM units WHERE parent_id = $1 AND active = 1")
                    .bind(id),
            )
            .await?;
        if n > 0 {
            return Err(Error::conflict(
                "has_active_children",
                "active",
                format!("该单位还有{n}个启用的下级单位，请先停用或移走下级单位"),
            ));
        }
    }
    tx.execute(
        q("UPDATE units SET active = $1, updated_at = $2 WHERE id = $3")
            .bind(active)
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    let after = get_in(&mut tx, &Scope::All, id).await?;
    let action = if active {
        "unit.activate"
    } else {
        "unit.deactivate"
    };
    let e = Entry::ok(action, "unit", id).change(Some(&before), Some(&after));
    follow
        .apply_to(&mut tx, &[id])
        .await?
        .recorded(&mut tx, now_ms, actor, e)
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// Counts units by kind in scope (for the home page).
pub async fn count_by_kind(db: &Db, scope: &Scope) -> Result<Vec<(String, i64)>> {
    let query = scoped(
        scope,
        "SELECT u.kind, CAST(COUNT(*) AS BIGINT) FROM units u",
    )
    .push(" AND u.active = 1 GROUP BY u.kind ORDER BY u.kind");
    db.read().all(query).await
}

/// The units among `ids` that are in scope (for breadcrumbs; one query).
pub async fn list_ids(db: &Db, scope: &Scope, ids: &[i64]) -> Result<Vec<Unit>> {
    let mut query = scoped(scope, &format!("SELECT {COLUMNS} FROM units u")).push(" AND u.id IN (");
    for (i, id) in ids.iter().take(64).enumerate() {
        if i > 0 {
            query = query.push(", ");
        }
        query = query.push_bind(*id);
    }
    db.read().all(query.push(")")).await
}

/// The ids of the units with these codes (one query; unknown codes are absent).
pub async fn ids_by_codes(db: &Db, codes: &[String]) -> Result<Vec<(String, i64)>> {
    let valid: Vec<&String> = codes
        .iter()
        .filter(|c| anjian_core::unit::UnitCode::parse(c).is_ok())
        .take(2000)
        .collect();
    if valid.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = q("SELECT code, id FROM units WHERE code IN (");
    for (i, c) in valid.into_iter().enumerate() {
        query = if i == 0 {
            query.push_bind(c.clone())
        } else {
            query.push(", ").push_bind(c.clone())
        };
    }
    db.read().all(query.push(")")).await
}

/// Sets whether a unit counts in the groups that select members by rule (the office):
/// the procuratorate and the discipline commission, say, are named by the plan where it
/// means them and are not "区级有关部门". One transaction with its audit entry.
pub async fn set_in_groups(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    id: i64,
    in_groups: bool,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_edit_directory)?;
    let follow = crate::follow::Follow::prepare(db, now_ms).await?;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            q("UPDATE units SET in_groups = $1, updated_at = $2 WHERE id = $3")
                .bind(i64::from(in_groups))
                .bind(now_ms)
                .bind(id),
        )
        .await?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    let e = Entry::ok("unit.set_in_groups", "unit", id).detail(if in_groups {
        "计入按规则确定的单位组"
    } else {
        "不计入按规则确定的单位组（须逐项点名）"
    });
    follow
        .apply_to(&mut tx, &[id])
        .await?
        .recorded(&mut tx, now_ms, actor, e)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets whether a unit oversees others (督查: the discipline commission, the 督查室), so
/// that it may plan 明查暗访 of every locality and department (the office). One
/// transaction with its audit entry.
pub async fn set_oversees(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    id: i64,
    oversees: bool,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_edit_directory)?;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            q("UPDATE units SET oversees = $1, updated_at = $2 WHERE id = $3 AND kind = 'department'")
                .bind(i64::from(oversees))
                .bind(now_ms)
                .bind(id),
        )
        .await?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    let e = Entry::ok("unit.set_oversees", "unit", id).detail(if oversees {
        "具有督查职能：可对各镇街、管委会和区级部门明查暗访"
    } else {
        "不具有督查职能"
    });
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await
}
