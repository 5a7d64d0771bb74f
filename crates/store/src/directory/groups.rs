//! Named unit groups (各镇街, 区级负有安全生产监管职责的部门, …) defined by rule (kind and
//! flag) or by an explicit member list, and the resolution of a written name to a unit
//! or a group through names and aliases.

use anjian_core::unit::{UnitKind, normalize_name};
use serde::Serialize;

use super::units::{COLUMNS, Unit};
use crate::audit::Entry;
use crate::db::{Conn, Db, Tx, q};
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
    crate::authz::require(actor, anjian_core::role::Role::can_edit_directory)?;
    let follow = crate::follow::Follow::prepare(db, now_ms).await?;
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
    let e = Entry::ok("group.create", "unit_group", id).detail(name);
    follow
        .apply(&mut tx, None)
        .await?
        .recorded(&mut tx, now_ms, actor, e)
        .await?;
    tx.commit().await?;
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

/// Every group, by name, for a reader of the directory (403 otherwise).
pub async fn list(db: &Db, reader: &Actor) -> Result<Vec<Group>> {
    crate::authz::require(reader, anjian_core::role::Role::can_read_directory)?;
    db.read().all(q(GROUPS)).await
}

const GROUPS: &str = "SELECT id, name, rule_kind, rule_supervises_safety, description FROM unit_groups ORDER BY name";

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

/// The directory held in memory to resolve many written names at once (a handful of
/// queries, then no query per name): unit names, aliases, and group memberships.
///
/// Enterprises are the directory's bulk (200,000 in a city, against about a thousand
/// townships and departments), so a resolver may hold only some of them: every other
/// active unit is always held, and [`Resolver::load_for`] adds the enterprises only when
/// a name it is asked about stands for them, [`Resolver::load_around`] only the
/// enterprises a directory change touched.
pub struct Resolver {
    /// (id, name, kind, supervises safety, counts in rule groups).
    units: Vec<(i64, String, String, bool, bool)>,
    /// The ids of `units`.
    held: std::collections::HashSet<i64>,
    names: std::collections::HashMap<String, Resolved>,
    explicit: std::collections::HashMap<i64, Vec<i64>>,
    rules: std::collections::HashMap<i64, (String, bool)>,
    /// The departments' sectors (names and aliases).
    sectors: std::collections::HashMap<i64, Vec<String>>,
    /// Held around a change ([`Resolver::load_around`]): a unit not held may be an
    /// enterprise outside the change, not a unit gone from the directory.
    around: bool,
}

/// Which enterprises a resolver holds.
enum Enterprises {
    All,
    Only(Vec<i64>),
}

#[derive(sqlx::FromRow)]
struct HeldUnit {
    id: i64,
    name: String,
    kind: String,
    supervises_safety: i64,
    in_groups: i64,
}

const HELD_UNIT: &str =
    "SELECT id, name, kind, supervises_safety, in_groups FROM units WHERE active = 1 AND ";

impl Resolver {
    /// Loads the whole active directory.
    pub async fn load(db: &Db) -> Result<Resolver> {
        Self::load_in(&mut Conn::Pool(db)).await
    }

    /// [`Resolver::load`] through `c` (a transaction that just changed the directory).
    pub async fn load_in(c: &mut Conn<'_>) -> Result<Resolver> {
        let mut r = Self::load_bodies(c).await?;
        r.hold(c, Enterprises::All).await?;
        Ok(r)
    }

    /// Loads what resolving `names` needs: every active unit that is not an enterprise,
    /// and the enterprises a name stands for (all of them for a group of enterprises such
    /// as 各企业, the members of a listed group, an enterprise named by its name or an
    /// alias). Resolves each of `names` as [`Resolver::load`] would.
    pub async fn load_for(db: &Db, names: &[&str]) -> Result<Resolver> {
        let c = &mut Conn::Pool(db);
        let mut r = Self::load_bodies(c).await?;
        let mut wanted: Vec<i64> = Vec::new();
        let mut unknown: Vec<&str> = Vec::new();
        let mut all = false;
        for name in names {
            let name = anjian_core::responsibility::sector_category(name).unwrap_or(name);
            match r.names.get(&normalize_name(name)) {
                Some(Resolved::Unit(u)) => wanted.push(*u),
                Some(Resolved::Group(g)) => match r.rules.get(g) {
                    Some((kind, _)) => all |= kind == UnitKind::Enterprise.as_str(),
                    None => wanted.extend(r.explicit.get(g).into_iter().flatten()),
                },
                _ => unknown.push(name),
            }
        }
        if all {
            r.hold(c, Enterprises::All).await?;
            return Ok(r);
        }
        for chunk in unknown.chunks(300) {
            let found: Vec<(i64,)> = db
                .read()
                .all(
                    chunk.iter().enumerate().fold(
                        q("SELECT id FROM units WHERE kind = 'enterprise' AND active = 1 AND name IN ("),
                        |query, (i, n)| query.push(if i == 0 { "" } else { ", " }).push_bind(n.to_string()),
                    )
                    .push(")"),
                )
                .await?;
            wanted.extend(found.into_iter().map(|(u,)| u));
        }
        r.hold(c, Enterprises::Only(wanted)).await?;
        Ok(r)
    }

    /// Loads the directory around `units` (those a directory change touched): every
    /// active unit that is not an enterprise, and of the enterprises only those of
    /// `units` that are active. What it answers for a name is the name's units among
    /// those it holds.
    pub async fn load_around(c: &mut Conn<'_>, units: &[i64]) -> Result<Resolver> {
        let mut r = Self::load_bodies(c).await?;
        r.around = true;
        r.hold(c, Enterprises::Only(units.to_vec())).await?;
        Ok(r)
    }

    /// Whether the units given for `name` are all the units it stands for: always,
    /// unless the resolver holds only the units around a change and the name may stand
    /// for an enterprise it does not hold.
    pub fn answers_whole(&self, name: &str) -> bool {
        if !self.around {
            return true;
        }
        let name = anjian_core::responsibility::sector_category(name).unwrap_or(name);
        match self.names.get(&normalize_name(name)) {
            Some(Resolved::Unit(u)) => self.held.contains(u),
            Some(Resolved::Group(g)) => self
                .rules
                .get(g)
                .is_some_and(|(kind, _)| kind != UnitKind::Enterprise.as_str()),
            _ => true,
        }
    }

    /// Aliases, groups, sectors, and every active unit but the enterprises.
    async fn load_bodies(c: &mut Conn<'_>) -> Result<Resolver> {
        let units: Vec<HeldUnit> = c.all(q(format!("{HELD_UNIT}kind <> 'enterprise'"))).await?;
        let aliases: Vec<(String, Option<i64>, Option<i64>)> = c
            .all(q("SELECT alias, unit_id, group_id FROM unit_aliases"))
            .await?;
        let sector_rows: Vec<(i64, String)> = c
            .all(q("SELECT us.unit_id, s.name FROM unit_sectors us JOIN sectors s ON s.id = us.sector_id JOIN units u ON u.id = us.unit_id WHERE u.kind = 'department'"))
            .await?;
        let mut sectors: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for (u, s) in sector_rows {
            sectors.entry(u).or_default().push(s);
        }
        let groups: Vec<Group> = c.all(q(GROUPS)).await?;
        let members: Vec<(i64, i64)> = c
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
        let mut r = Resolver {
            units: Vec::new(),
            held: Default::default(),
            names,
            explicit,
            rules,
            sectors,
            around: false,
        };
        r.add(units);
        Ok(r)
    }

    /// Adds enterprises to those held.
    async fn hold(&mut self, c: &mut Conn<'_>, which: Enterprises) -> Result<()> {
        match which {
            Enterprises::All => {
                let units: Vec<HeldUnit> =
                    c.all(q(format!("{HELD_UNIT}kind = 'enterprise'"))).await?;
                self.add(units);
            }
            Enterprises::Only(mut ids) => {
                ids.sort_unstable();
                ids.dedup();
                ids.retain(|u| !self.held.contains(u));
                for chunk in ids.chunks(300) {
                    let units: Vec<HeldUnit> = c
                        .all(
                            q(format!("{HELD_UNIT}kind = 'enterprise' AND id IN ("))
                                .push_list(chunk)
                                .push(")"),
                        )
                        .await?;
                    self.add(units);
                }
            }
        }
        Ok(())
    }

    fn add(&mut self, units: Vec<HeldUnit>) {
        for u in units {
            // A unit's own name wins over an alias that happens to read the same.
            self.names
                .insert(normalize_name(&u.name), Resolved::Unit(u.id));
            self.held.insert(u.id);
            self.units.push((
                u.id,
                u.name,
                u.kind,
                u.supervises_safety == 1,
                u.in_groups == 1,
            ));
        }
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
            Resolved::Unit(u) if self.held.contains(u) => Some(vec![*u]),
            // Inactive (an unknown name, as for a unit never registered), unless the
            // resolver holds only the units around a change.
            Resolved::Unit(_) => self.around.then(Vec::new),
            Resolved::Group(g) => match self.rules.get(g) {
                Some((kind, sup)) => Some(
                    self.units
                        .iter()
                        .filter(|u| u.4 && &u.2 == kind && (!sup || u.3))
                        .map(|u| u.0)
                        .collect(),
                ),
                None => Some(
                    self.explicit
                        .get(g)
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|u| self.held.contains(u))
                        .collect(),
                ),
            },
            Resolved::Unknown => None,
        }
    }
}
