//! Named unit groups (各镇街, 区级负有安全生产监管职责的部门, …) defined by rule (kind and
//! flag) or by an explicit member list, and the resolution of a written name to a unit
//! or a group through names and aliases.

use anjian_core::unit::{UnitKind, normalize_name};
use serde::Serialize;

use super::units::{COLUMNS, Unit};
use crate::audit::{self, Entry};
use crate::db::{Db, Tx, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// A named group of units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub rule_kind: Option<String>,
    pub rule_supervises_safety: Option<i64>,
    pub description: String,
}

/// How a group picks its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    /// Every active unit of a kind, optionally only those with the supervision flag.
    Rule {
        kind: UnitKind,
        supervises_safety: bool,
    },
    /// The listed units.
    Explicit(Vec<i64>),
}

/// Creates a group with its aliases.
pub async fn create(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    name: &str,
    description: &str,
    membership: &Membership,
    aliases: &[&str],
) -> Result<Group> {
    let mut tx = db.begin().await?;
    if let Membership::Explicit(ids) = membership {
        if ids.is_empty() || ids.len() > 2000 {
            return Err(Error::Invalid(anjian_core::FieldError::new(
                "members_required",
                "members",
                "指定单位的分组须列出1到2000个成员单位",
            )));
        }
        let mut query = q("SELECT CAST(COUNT(*) AS BIGINT) FROM units WHERE id IN (");
        for (i, u) in ids.iter().enumerate() {
            query = if i == 0 {
                query.push_bind(*u)
            } else {
                query.push(", ").push_bind(*u)
            };
        }
        let (found,): (i64,) = tx.one(query.push(")")).await?;
        let distinct = ids.iter().collect::<std::collections::HashSet<_>>().len();
        if found as usize != distinct {
            return Err(Error::Invalid(anjian_core::FieldError::new(
                "member_not_found",
                "members",
                "成员单位中有不存在的单位",
            )));
        }
    }
    let taken: Option<(i64,)> = tx
        .opt(q("SELECT id FROM unit_groups WHERE name = $1").bind(name))
        .await?;
    if taken.is_some() {
        return Err(Error::conflict(
            "duplicate_group",
            "name",
            format!("分组「{name}」已存在"),
        ));
    }
    let id = next_id(now_ms);
    let (kind, flag) = match membership {
        Membership::Rule {
            kind,
            supervises_safety,
        } => (Some(kind.as_str()), Some(*supervises_safety)),
        Membership::Explicit(_) => (None, None),
    };
    tx.execute(
        q("INSERT INTO unit_groups (id, name, rule_kind, rule_supervises_safety, description, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(name)
            .bind(kind)
            .bind(flag.map(i64::from))
            .bind(description)
            .bind(now_ms),
    )
    .await?;
    if let Membership::Explicit(ids) = membership {
        let unique: std::collections::BTreeSet<i64> = ids.iter().copied().collect();
        let mut insert = q("INSERT INTO unit_group_members (group_id, unit_id) VALUES ");
        for (n, u) in unique.into_iter().enumerate() {
            insert = insert
                .push(if n == 0 { "(" } else { ", (" })
                .push_bind(id)
                .push(", ")
                .push_bind(u)
                .push(")");
        }
        tx.execute(insert).await?;
    }
    for a in std::iter::once(&name).chain(aliases.iter()) {
        add_alias(&mut tx, None, Some(id), a).await?;
    }
    let g: Group = tx
        .one(q("SELECT id, name, rule_kind, rule_supervises_safety, description FROM unit_groups WHERE id = $1").bind(id))
        .await?;
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("group.create", "unit_group", id).detail(name),
    )
    .await?;
    tx.commit().await?;
    crate::follow::follow_directory(db, now_ms).await?;
    Ok(g)
}

async fn add_alias(tx: &mut Tx, unit: Option<i64>, group: Option<i64>, alias: &str) -> Result<()> {
    let key = normalize_name(alias);
    let taken: Option<(String,)> = tx
        .opt(q("SELECT alias FROM unit_aliases WHERE alias = $1").bind(key.clone()))
        .await?;
    if taken.is_some() {
        return Err(Error::conflict(
            "duplicate_alias",
            "aliases",
            format!("别名「{alias}」已被使用"),
        ));
    }
    tx.execute(
        q("INSERT INTO unit_aliases (alias, unit_id, group_id) VALUES ($1, $2, $3)")
            .bind(key)
            .bind(unit)
            .bind(group),
    )
    .await?;
    Ok(())
}

/// Every group, by name.
pub async fn list(db: &Db) -> Result<Vec<Group>> {
    db.read()
        .all(q("SELECT id, name, rule_kind, rule_supervises_safety, description FROM unit_groups ORDER BY name"))
        .await
}

/// The members of a group that are in scope, by name.
pub async fn members(db: &Db, scope: &Scope, group_id: i64) -> Result<Vec<Unit>> {
    let g: Group = db
        .read()
        .one(q("SELECT id, name, rule_kind, rule_supervises_safety, description FROM unit_groups WHERE id = $1").bind(group_id))
        .await?;
    let mut query = scope.units(
        q(format!(
            "SELECT {COLUMNS} FROM units u WHERE u.active = 1 AND "
        )),
        "u",
    );
    query = match &g.rule_kind {
        Some(kind) => {
            let query = query
                .push(" AND u.in_groups = 1 AND u.kind = ")
                .push_bind(kind.clone());
            if g.rule_supervises_safety == Some(1) {
                query.push(" AND u.supervises_safety = 1")
            } else {
                query
            }
        }
        None => query
            .push(" AND u.id IN (SELECT m.unit_id FROM unit_group_members m WHERE m.group_id = ")
            .push_bind(group_id)
            .push(")"),
    };
    db.read().all(query.push(" ORDER BY u.name")).await
}

/// What a written name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Unit(i64),
    Group(i64),
    Unknown,
}

/// Resolves a name as a document writes it: unit names, then aliases of units and
/// groups, after normalising brackets and spaces. For many names, load a [`Resolver`]
/// once instead.
pub async fn resolve(db: &Db, name: &str) -> Result<Resolved> {
    Ok(Resolver::load(db).await?.resolve(name))
}

/// The directory held in memory to resolve many written names at once (4 queries, then
/// no query per name): unit names, aliases, and group memberships.
pub struct Resolver {
    /// (id, name, kind, supervises safety, counts in rule groups).
    units: Vec<(i64, String, String, bool, bool)>,
    names: std::collections::HashMap<String, Resolved>,
    explicit: std::collections::HashMap<i64, Vec<i64>>,
    rules: std::collections::HashMap<i64, (String, bool)>,
    /// The departments' sectors (names and aliases).
    sectors: std::collections::HashMap<i64, Vec<String>>,
}

impl Resolver {
    /// Loads the active directory.
    pub async fn load(db: &Db) -> Result<Resolver> {
        #[derive(sqlx::FromRow)]
        struct U {
            id: i64,
            name: String,
            kind: String,
            supervises_safety: i64,
            in_groups: i64,
        }
        let units: Vec<U> = db
            .read()
            .all(q(
                "SELECT id, name, kind, supervises_safety, in_groups FROM units WHERE active = 1",
            ))
            .await?;
        let aliases: Vec<(String, Option<i64>, Option<i64>)> = db
            .read()
            .all(q("SELECT alias, unit_id, group_id FROM unit_aliases"))
            .await?;
        let sector_rows: Vec<(i64, String)> = db
            .read()
            .all(q("SELECT us.unit_id, s.name FROM unit_sectors us JOIN sectors s ON s.id = us.sector_id JOIN units u ON u.id = us.unit_id WHERE u.kind = 'department'"))
            .await?;
        let mut sectors: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for (u, s) in sector_rows {
            sectors.entry(u).or_default().push(s);
        }
        let groups: Vec<Group> = list(db).await?;
        let members: Vec<(i64, i64)> = db
            .read()
            .all(q("SELECT group_id, unit_id FROM unit_group_members"))
            .await?;
        let mut names = std::collections::HashMap::new();
        for (alias, unit, group) in aliases {
            let r = match (unit, group) {
                (Some(u), _) => Resolved::Unit(u),
                (None, Some(g)) => Resolved::Group(g),
                _ => continue,
            };
            names.insert(alias, r);
        }
        for u in &units {
            names.insert(normalize_name(&u.name), Resolved::Unit(u.id));
        }
        let mut explicit: std::collections::HashMap<i64, Vec<i64>> =
            std::collections::HashMap::new();
        for (g, u) in members {
            explicit.entry(g).or_default().push(u);
        }
        let rules = groups
            .into_iter()
            .filter_map(|g| {
                g.rule_kind
                    .map(|k| (g.id, (k, g.rule_supervises_safety == Some(1))))
            })
            .collect();
        Ok(Resolver {
            units: units
                .into_iter()
                .map(|u| {
                    (
                        u.id,
                        u.name,
                        u.kind,
                        u.supervises_safety == 1,
                        u.in_groups == 1,
                    )
                })
                .collect(),
            names,
            explicit,
            rules,
            sectors,
        })
    }

    /// Of `units`, the departments that supervise a sector `text` names.
    pub fn of_sectors_named(&self, units: Vec<i64>, text: &str) -> Vec<i64> {
        units
            .into_iter()
            .filter(|u| {
                self.sectors.get(u).is_some_and(|ss| {
                    ss.iter()
                        .any(|s| anjian_core::responsibility::names_sector(text, s))
                })
            })
            .collect()
    }

    /// What a written name stands for.
    pub fn resolve(&self, name: &str) -> Resolved {
        self.names
            .get(&normalize_name(name))
            .cloned()
            .unwrap_or(Resolved::Unknown)
    }

    /// The active units a written name stands for; `None` when the name is unknown.
    pub fn units_of(&self, name: &str) -> Option<Vec<i64>> {
        match self.names.get(&normalize_name(name))? {
            Resolved::Unit(u) => self.units.iter().any(|x| x.0 == *u).then(|| vec![*u]),
            Resolved::Group(g) => match self.rules.get(g) {
                Some((kind, sup)) => Some(
                    self.units
                        .iter()
                        .filter(|u| u.4 && &u.2 == kind && (!sup || u.3))
                        .map(|u| u.0)
                        .collect(),
                ),
                None => Some(self.explicit.get(g).cloned().unwrap_or_default()),
            },
            Resolved::Unknown => None,
        }
    }
}
