//! Data scope: what a user may see, as a SQL predicate on the unit tree.
//!
//! A scope is never a list of ids fetched into the program: it is a range on the
//! materialised path (the user's subtree) plus, for departments, the enterprises in
//! the sectors the department supervises. The office sees everything.

use anjian_core::role::Role;
use anjian_core::unit::UnitKind;

use crate::db::Q;

/// Who performs an action: recorded in the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
    pub unit_id: Option<i64>,
}

impl Actor {
    /// The command line, acting as the machine's operator.
    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            username: format!("cli:{what}"),
            role: "system".into(),
            unit_id: None,
        }
    }

    /// Whether this is the command line acting as the machine's operator.
    pub fn is_system(&self) -> bool {
        self.role == "system" && self.user_id.is_none()
    }

    /// Someone not logged in (a failed login names the user they tried).
    pub fn anonymous(name: &str) -> Actor {
        Actor {
            user_id: None,
            username: name.chars().take(64).collect(),
            role: "anonymous".into(),
            unit_id: None,
        }
    }
}

/// The data a request may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole directory.
    All,
    /// Nothing (the auditor's scope over business data).
    Nothing,
    /// A unit's subtree, plus supervised sectors for a department.
    Subtree {
        unit_id: i64,
        path: String,
        sector_supervisor: bool,
    },
}

impl Scope {
    /// The business scope of a user with `role` in a unit of `kind` at `path`: the
    /// office sees everything; the three separated administrators and the tip custodian
    /// see no business data at all (`core::permission`).
    pub fn for_user(role: Role, unit_id: i64, unit_kind: UnitKind, path: &str) -> Scope {
        Scope::of(
            role.sees_everything(),
            role.enters(anjian_core::permission::Area::Business),
            unit_id,
            unit_kind,
            path,
        )
    }

    /// The scope over the directory and the accounts: the account administrators place
    /// accounts anywhere; the others read the directory as their business scope.
    pub fn directory_for(role: Role, unit_id: i64, unit_kind: UnitKind, path: &str) -> Scope {
        Scope::of(
            role.sees_everything() || role.can_manage_accounts() || role.can_grant_roles(),
            role.enters(anjian_core::permission::Area::Directory),
            unit_id,
            unit_kind,
            path,
        )
    }

    /// Everything, nothing, or the unit's subtree (with its sectors for a department).
    fn of(everything: bool, enters: bool, unit_id: i64, unit_kind: UnitKind, path: &str) -> Scope {
        if everything {
            Scope::All
        } else if !enters {
            Scope::Nothing
        } else {
            Scope::Subtree {
                unit_id,
                path: path.to_string(),
                sector_supervisor: unit_kind == UnitKind::Department,
            }
        }
    }

    /// Appends the predicate "unit `alias` is in scope" to `query`.
    pub fn units(&self, query: Q, alias: &str) -> Q {
        match self {
            Scope::All => query.push("1=1"),
            Scope::Nothing => query.push("1=0"),
            Scope::Subtree {
                unit_id,
                path,
                sector_supervisor,
            } => {
                let query = in_subtree(query.push("("), alias, path);
                if *sector_supervisor {
                    query
                        .push(&format!(" OR EXISTS (SELECT 1 FROM unit_sectors es JOIN unit_sectors ds ON ds.sector_id = es.sector_id WHERE es.unit_id = {alias}.id AND {alias}.kind = 'enterprise' AND ds.unit_id = "))
                        .push_bind(*unit_id)
                        .push("))")
                } else {
                    query.push(")")
                }
            }
        }
    }
}

impl Scope {
    /// Appends "`id` is one of the rows some unit of which is in scope", where a row
    /// names its units in several places (a record's recording unit and its enterprise,
    /// a case's joint units in a table of their own).
    ///
    /// A narrow scope (a subtree) is written as `id IN` a union of indexed lookups: for
    /// each [`UnitRef`], `{select} WHERE {column} IN` (the units in scope), reading the
    /// rows of the scope's own units from `column`'s index. The units' predicates joined
    /// by OR made both engines read the whole table: a township's first page of
    /// enforcement records took 367 ms over the city's 200,000 on PostgreSQL, and a
    /// township's crackdown cases 87 ms over 100,000 on SQLite.
    ///
    /// A department's scope also holds every enterprise of the sectors it supervises
    /// (25,000 of the city's 200,000 for one sector), and there the lookups cost more
    /// than the rows: each built the set of units and read its rows through a hash of
    /// the whole table (a department's month of enforcement records: 600 ms on
    /// PostgreSQL). Its rows are tested one by one instead, each of their own columns
    /// against the set of units in scope (`wide_units`), built once per
    /// statement: the list reads its month, or its newest records, in order (25 ms).
    pub fn rows_of_units(&self, query: Q, id: &str, refs: &[UnitRef]) -> Q {
        match self {
            Scope::All => query.push("1=1"),
            Scope::Subtree {
                unit_id,
                path,
                sector_supervisor: true,
            } => {
                let mut query = query.push("(");
                for (i, r) in refs.iter().enumerate() {
                    if i > 0 {
                        query = query.push(" OR ");
                    }
                    // `+` keeps SQLite from reading each of the 25,000 units' rows
                    // through the column's index (a MULTI-INDEX OR, then a sort);
                    // it walks the list's order and tests each row instead.
                    query = match r.own {
                        Some(own) => {
                            wide_units(query.push(&format!("+{own} IN (")), *unit_id, path, false)
                                .push(")")
                        }
                        None => wide_units(
                            query.push(&format!("{id} IN ({} WHERE {} IN (", r.select, r.column)),
                            *unit_id,
                            path,
                            false,
                        )
                        .push("))"),
                    };
                }
                query.push(")")
            }
            _ => {
                let mut query = query.push(&format!("{id} IN ("));
                for (i, r) in refs.iter().enumerate() {
                    if i > 0 {
                        query = query.push(" UNION ");
                    }
                    query = self.unit_column(query.push(&format!("{} WHERE ", r.select)), r.column);
                }
                query.push(")")
            }
        }
    }

    /// Appends "`column` names a unit in scope": `column IN` the units in scope, read by
    /// their own predicate ([`Scope::units`]), for a query that filters rows by a unit
    /// column without joining the unit. The whole district (`Scope::All`) has nothing
    /// to check: written as a list of every unit, it had SQLite build the list of the
    /// city's 201,000 units for each request (153 ms p50 for the office's enforcement
    /// watch, which grouped the month's records then; it reads kept months now).
    pub fn unit_column(&self, query: Q, column: &str) -> Q {
        if matches!(self, Scope::All) {
            return query.push("1=1");
        }
        self.units(
            query.push(&format!("{column} IN (SELECT s.id FROM units s WHERE ")),
            "s",
        )
        .push(")")
    }

    /// Whether the predicates of this scope ([`Scope::units`], [`Scope::obligations`])
    /// read the unit's row: a query that joins the unit only for them leaves the join
    /// out when they do not (the office's count of reports to review took 220 ms joined
    /// to every unit over 66,000 rows on PostgreSQL, 24 ms on the state index alone).
    pub fn reads_unit(&self) -> bool {
        matches!(self, Scope::Subtree { .. })
    }

    /// Appends the predicate "obligation `o` is visible" to `query`, `u` being the
    /// obligation's unit: its unit is in scope, or it is a co-responsible unit's and the
    /// viewer's own unit alone leads its work item in that campaign (a lead unit reviews the
    /// co-responsible units' reports, so it sees their obligations on its items in lists, counts and
    /// detail alike).
    pub fn obligations(&self, query: Q, o: &str, u: &str) -> Q {
        match self {
            Scope::Subtree { unit_id, .. } => {
                leads_item(self.units(query.push("("), u).push(" OR "), o, *unit_id).push(")")
            }
            _ => self.units(query, u),
        }
    }
}

impl Scope {
    /// Appends the predicate "hazard `h` is visible": its responsible unit `u` is in
    /// scope, or the viewer is a department and the hazard is in a sector it supervises
    /// (区应急局 sees every township's 危化品 hazards). A locality's subtree (a
    /// township's, a zone's) is read as the hazards of that locality (`h.locality_id`,
    /// kept when a unit moves: `directory::units`): one index range in id order, where
    /// the units' path range walked the district's ledger backwards until it had found
    /// a page (7,682 hazards read for a township's first 50 of 100,000 on PostgreSQL).
    /// It is written by [`one_locality`] as a range; a list orders such a query by
    /// locality, then id ([`Scope::hazard_locality`]).
    pub fn hazards(&self, query: Q, h: &str, u: &str) -> Q {
        if let Some(locality) = self.hazard_locality() {
            return one_locality(query, h, locality);
        }
        match self {
            Scope::Subtree {
                unit_id,
                sector_supervisor: true,
                ..
            } => self
                .units(query.push("("), u)
                .push(&format!(
                    " OR {h}.sector_id IN (SELECT ds.sector_id FROM unit_sectors ds WHERE ds.unit_id = "
                ))
                .push_bind(*unit_id)
                .push("))"),
            _ => self.units(query, u),
        }
    }
}

impl Scope {
    /// The locality whose hazards alone [`Scope::hazards`] selects (a township's, a
    /// zone's), if the scope is one.
    pub fn hazard_locality(&self) -> Option<i64> {
        match self {
            Scope::Subtree {
                unit_id,
                path,
                sector_supervisor: false,
            } if is_locality(path, *unit_id) => Some(*unit_id),
            _ => None,
        }
    }

    /// The predicate of [`Scope::hazards`] for a query over hazards alone, without their
    /// units, as disjoint parts: `query` (which ends in `WHERE `) once per part, each
    /// with its predicate appended; together they select exactly the hazards in scope.
    /// The responsible unit is in scope (its subtree, or for a department an enterprise
    /// of a sector it supervises), or the hazard is in such a sector. A department gets
    /// two parts, each answered from one covering index: the hazards of its sectors, and
    /// the others of its subtree and of its sectors' enterprises ([`Supervised`]; one
    /// scan with the three tests joined by OR read the whole ledger: 311 ms p50 over
    /// 1,000,000 hazards on PostgreSQL). The statistics use it instead of joining every
    /// hazard to its unit.
    pub fn hazards_alone(&self, query: Q, h: &str) -> Vec<Q> {
        if let Some(department) = self.supervised() {
            let theirs = department.sectors(query.clone(), &format!("{h}.sector_id"));
            return vec![theirs, department.others(query, h)];
        }
        match self {
            Scope::All => vec![query.push("1=1")],
            Scope::Nothing => vec![query.push("1=0")],
            Scope::Subtree { path, .. } => vec![
                in_subtree(
                    query.push(&format!(
                        "{h}.unit_id IN (SELECT su.id FROM units su WHERE "
                    )),
                    "su",
                    path,
                )
                .push(")"),
            ],
        }
    }

    /// Appends "project `p` is visible": the viewer approves it; or it lies in the
    /// viewer's locality (a township's own, `p.township_id`) or its owner in the
    /// viewer's subtree (an enterprise's own); or, for a department, its industry is a
    /// sector the department supervises (区住房城乡建委 sees every 建筑施工 project,
    /// whoever owns it). Each term reads its own index, so the OR is a union of index
    /// ranges on both engines (the owner's unit tested through [`Scope::units`] read
    /// every project: a township's register took 15 ms p50, 280 ms p95 with eight
    /// clients, over 20,000 projects on PostgreSQL).
    pub fn projects(&self, query: Q, p: &str) -> Q {
        match self {
            Scope::All => query.push("1=1"),
            Scope::Nothing => query.push("1=0"),
            Scope::Subtree {
                unit_id,
                path,
                sector_supervisor,
            } => {
                let query = query
                    .push(&format!("({p}.approver_id = "))
                    .push_bind(*unit_id);
                let query = if locality(path) == Some(*unit_id) {
                    query
                        .push(&format!(" OR {p}.township_id = "))
                        .push_bind(*unit_id)
                } else {
                    in_subtree(
                        query.push(&format!(
                            " OR {p}.owner_id IN (SELECT su.id FROM units su WHERE "
                        )),
                        "su",
                        path,
                    )
                    .push(")")
                };
                let query = if *sector_supervisor {
                    query
                        .push(&format!(
                            " OR {p}.sector_id IN (SELECT ds.sector_id FROM unit_sectors ds WHERE ds.unit_id = "
                        ))
                        .push_bind(*unit_id)
                        .push(")")
                } else {
                    query
                };
                query.push(")")
            }
        }
    }

    /// The predicate "the roster `w` (a `workforce` row) is in scope" as disjoint
    /// parts, as [`Scope::hazards_alone`] does: `query` (ending in `WHERE `) once per part
    /// with its predicate appended. The enterprises of the subtree; for a department
    /// also the rosters of the sectors it supervises (`w.sector_id`, the register's
    /// sector), read in rank order from `workforce_sector`. (One predicate with the OR
    /// of [`Scope::units`] read every roster of a city: 327 ms p50 on SQLite for a
    /// department's flag list over 200,000 rosters; an `IN (…)` over the 25,000
    /// enterprises of its sector still 70 ms on PostgreSQL; these parts, 3 ms.)
    pub fn rosters_alone(&self, query: Q, w: &str) -> Vec<Q> {
        match self {
            Scope::All => vec![query.push("1=1")],
            Scope::Nothing => vec![query.push("1=0")],
            Scope::Subtree {
                unit_id,
                path,
                sector_supervisor,
            } => {
                let subtree = |query: Q| {
                    in_subtree(
                        query.push(&format!(
                            "{w}.enterprise_id IN (SELECT su.id FROM units su WHERE su.kind = 'enterprise' AND "
                        )),
                        "su",
                        path,
                    )
                    .push(")")
                };
                if !*sector_supervisor {
                    return vec![subtree(query)];
                }
                let sectors = |query: Q, op: &str| {
                    query
                        .push(&format!(
                            "{w}.sector_id {op} (SELECT ds.sector_id FROM unit_sectors ds WHERE ds.unit_id = "
                        ))
                        .push_bind(*unit_id)
                        .push(")")
                };
                let theirs = sectors(query.clone(), "IN");
                let others = sectors(subtree(query).push(" AND "), "NOT IN");
                vec![theirs, others]
            }
        }
    }

    /// Appends the predicate "obligation `o` is visible and a report `reviewer` reviews"
    /// (see [`leads_item`]; `u` is the obligation's unit, as for
    /// [`Scope::obligations`]). A unit reviewing for itself reads the reports it reviews
    /// alone: they are the second half of its visibility, so the first (its subtree,
    /// through the unit's row) adds nothing but an `OR`, over which PostgreSQL joined
    /// every unit of the city to the submitted obligations (a lead department's to-do
    /// page: 28 ms against 12.5 ms without, `EXPLAIN ANALYZE`).
    pub fn obligations_reviewed_by(&self, query: Q, o: &str, u: &str, reviewer: i64) -> Q {
        match self {
            Scope::Subtree { unit_id, .. } if *unit_id == reviewer => {
                leads_item(query, o, reviewer)
            }
            _ => leads_item(self.obligations(query, o, u).push(" AND "), o, reviewer),
        }
    }

    /// The viewer's own locality (属地), for a subtree scope.
    pub fn own_locality(&self) -> Option<i64> {
        match self {
            Scope::Subtree { path, .. } => locality(path),
            _ => None,
        }
    }
}

/// Where rows name a unit, for [`Scope::rows_of_units`]: the ids of the rows whose
/// `column` is that unit (`select`, e.g. `SELECT v.id FROM enforcements v` with
/// `v.enterprise_id`), and the same unit as a column of the row itself (`own`, e.g.
/// `e.enterprise_id`), none when it lies in another table (a case's joint units).
pub struct UnitRef<'a> {
    pub select: &'a str,
    pub column: &'a str,
    pub own: Option<&'a str>,
}

/// A department's scope over hazards, in the two disjoint parts the statistics read
/// apart ([`Scope::supervised`]): the hazards of the sectors it supervises, which the
/// kept tallies count, and the others.
#[derive(Debug, Clone, Copy)]
pub struct Supervised<'a> {
    unit_id: i64,
    path: &'a str,
}

impl Supervised<'_> {
    /// Appends "`column` is a sector the department supervises" (a hazard's
    /// `sector_id`, or a kept tally's).
    pub fn sectors(&self, query: Q, column: &str) -> Q {
        query
            .push(&format!(
                "{column} IN (SELECT ds.sector_id FROM unit_sectors ds WHERE ds.unit_id = "
            ))
            .push_bind(self.unit_id)
            .push(")")
    }

    /// Appends "hazard `h` is in scope and not of a sector the department supervises":
    /// a hazard of its subtree, or of an enterprise of its sectors that may have hazards
    /// elsewhere (`cross_sector_units`: two sectors or more, or a hazard outside its
    /// own; migration 0062). An enterprise with one sector and its hazards in it has
    /// none here, so the part no longer probes each of a sector's 25,000 enterprises
    /// (140 ms on PostgreSQL over the city, finding none).
    pub fn others(&self, query: Q, h: &str) -> Q {
        let query = query
            .push(&format!(
                "{h}.sector_id NOT IN (SELECT ds.sector_id FROM unit_sectors ds WHERE ds.unit_id = "
            ))
            .push_bind(self.unit_id)
            .push(&format!(") AND {h}.unit_id IN ("));
        wide_units(query, self.unit_id, self.path, true).push(")")
    }
}

impl Scope {
    /// A department's scope over hazards told apart ([`Supervised`]), if the scope is a
    /// sector supervisor's.
    pub fn supervised(&self) -> Option<Supervised<'_>> {
        match self {
            Scope::Subtree {
                unit_id,
                path,
                sector_supervisor: true,
            } => Some(Supervised {
                unit_id: *unit_id,
                path,
            }),
            _ => None,
        }
    }
}

/// Appends the units in a department's scope as one `SELECT` of their ids: its subtree,
/// and the enterprises of the sectors it supervises (the enterprises told from the other
/// units that share a sector, the departments, by the partial index
/// `units_not_enterprise` of the few units that are not enterprises: a join to every
/// unit read all 201,000 of them, 57 ms on PostgreSQL). With `cross_sector_only`, only
/// those of the enterprises in `cross_sector_units` ([`Supervised::others`]).
fn wide_units(query: Q, unit_id: i64, path: &str, cross_sector_only: bool) -> Q {
    let query = in_subtree(query.push("SELECT su.id FROM units su WHERE "), "su", path)
        .push(" UNION ALL SELECT es.unit_id FROM unit_sectors ds JOIN unit_sectors es ON es.sector_id = ds.sector_id WHERE ds.unit_id = ")
        .push_bind(unit_id);
    let query = if cross_sector_only {
        query.push(" AND es.unit_id IN (SELECT c.unit_id FROM cross_sector_units c)")
    } else {
        query
    };
    query.push(" AND NOT EXISTS (SELECT 1 FROM units n WHERE n.id = es.unit_id AND n.kind <> 'enterprise')")
}

/// Appends the predicate "obligation `o` is a co-responsible unit's, on a work item
/// `unit` alone leads" (the assignment's reviewer). Joint leads, as when 各镇街 lead an
/// item, review no one: the office does.
///
/// Written as `IN (…)` over the reviewer index: the engine reads the few assignments the
/// unit reviews once, instead of looking one up for every obligation it scans
/// (measured: a township's to-do page over 509,000 obligations went from 493 ms p95).
/// The `IS NOT NULL` it implies is written out: where nearly every obligation has no
/// assignment (a city's hazards, cases and tips), PostgreSQL's estimate of the `IN`
/// over a column of NULLs kept half the submitted obligations, and it walked all 66,000
/// of them in due order for a township's first page (520 ms); told, it reads the
/// partial index `obligations_assignment` (0.1 ms).
pub fn leads_item(query: Q, o: &str, unit: i64) -> Q {
    query
        .push(&format!(
            "({o}.assignment_id IS NOT NULL AND {o}.assignment_id IN (SELECT oa.id FROM assignments oa WHERE oa.reviewer_unit_id = "
        ))
        .push_bind(unit)
        .push("))")
}

/// The locality (属地) of the unit at `path`: its ancestor directly under the root
/// committee (a township, street or department; the unit itself at that level), or the
/// root for the root. Statistics roll up to it.
pub fn locality(path: &str) -> Option<i64> {
    let mut ids = path.split('/').filter(|s| !s.is_empty());
    let root = ids.next()?;
    ids.next().unwrap_or(root).parse().ok()
}

/// Whether `unit_id` (at `path`) is a locality (属地): its own [`locality`], below the
/// root (the root is the root's locality, not a locality of its own), so that its
/// subtree's hazards all carry it as their `locality_id`.
fn is_locality(path: &str, unit_id: i64) -> bool {
    locality(path) == Some(unit_id) && path.trim_matches('/').contains('/')
}

/// Appends "hazard `h` is in locality `id`" as the range `id ..= id`, not as an
/// equality. Given `locality_id = id`, PostgreSQL drops the locality from a list's
/// `ORDER BY h.locality_id DESC, h.id DESC` (a constant orders nothing) and may walk
/// the whole ledger backwards by id instead of the locality's index. It skips every
/// newer hazard of the other localities: 19,845 rows and 18.9 ms for a township's first
/// page, after a benchmark's writes in another township, against 1.0 ms from the index.
/// The range keeps the order, which only the `(locality_id, id)` indexes give.
pub(crate) fn one_locality(query: Q, h: &str, id: i64) -> Q {
    query
        .push(&format!("({h}.locality_id >= "))
        .push_bind(id)
        .push(&format!(" AND {h}.locality_id <= "))
        .push_bind(id)
        .push(")")
}

/// Appends "(unit `alias` is `path` or below it)": a range over the materialised path.
fn in_subtree(query: Q, alias: &str, path: &str) -> Q {
    query
        .push(&format!("({alias}.path >= "))
        .push_bind(path.to_string())
        .push(&format!(" AND {alias}.path < "))
        .push_bind(path_end(path))
        .push(")")
}

/// The first path after every path that starts with `path` ('/' + 1 = '0').
pub fn path_end(path: &str) -> String {
    let mut s = path.trim_end_matches('/').to_string();
    s.push('0');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::q;

    #[test]
    fn locality_is_the_first_level_ancestor() {
        assert_eq!(locality("/1/"), Some(1));
        assert_eq!(locality("/1/22/"), Some(22));
        assert_eq!(locality("/1/22/333/"), Some(22));
        assert_eq!(locality("/1/22/333/4444/"), Some(22));
        assert_eq!(locality(""), None);
        assert_eq!(locality("/1/x/"), None);
    }

    #[test]
    fn subtree_is_a_path_range() {
        assert_eq!(path_end("/1/22/"), "/1/220");
        assert!("/1/22/" < "/1/220" && "/1/22/999/" < "/1/220" && "/1/23/" > "/1/220");
        let s = Scope::Subtree {
            unit_id: 22,
            path: "/1/22/".into(),
            sector_supervisor: true,
        };
        let built = s.units(q("SELECT 1 FROM units u WHERE "), "u");
        assert_eq!(built.arg_count(), 3);
        assert!(built.sql().contains("u.path >= $1 AND u.path < $2"));
        assert!(built.sql().contains("ds.unit_id = $3"));
    }

    #[test]
    fn rows_of_units_is_a_union_of_lookups_by_the_units_in_scope() {
        let lookups = [
            UnitRef {
                select: "SELECT v.id FROM enforcements v",
                column: "v.unit_id",
                own: Some("e.unit_id"),
            },
            UnitRef {
                select: "SELECT v.case_id FROM crackdown_units v",
                column: "v.unit_id",
                own: None,
            },
        ];
        let all =
            Scope::All.rows_of_units(q("SELECT 1 FROM enforcements e WHERE "), "e.id", &lookups);
        assert!(all.sql().ends_with("WHERE 1=1"), "{}", all.sql());
        let town = Scope::Subtree {
            unit_id: 22,
            path: "/1/22/".into(),
            sector_supervisor: false,
        }
        .rows_of_units(q("SELECT 1 FROM enforcements e WHERE "), "e.id", &lookups);
        assert_eq!(
            town.sql(),
            "SELECT 1 FROM enforcements e WHERE e.id IN (SELECT v.id FROM enforcements v WHERE v.unit_id IN (SELECT s.id FROM units s WHERE ((s.path >= $1 AND s.path < $2))) UNION SELECT v.case_id FROM crackdown_units v WHERE v.unit_id IN (SELECT s.id FROM units s WHERE ((s.path >= $3 AND s.path < $4))))"
        );
        // A department's: each place tested against its units, built once.
        let department = Scope::Subtree {
            unit_id: 22,
            path: "/1/22/".into(),
            sector_supervisor: true,
        }
        .rows_of_units(q("SELECT 1 FROM enforcements e WHERE "), "e.id", &lookups);
        let units = |n: usize| {
            format!(
                "SELECT su.id FROM units su WHERE (su.path >= ${} AND su.path < ${}) UNION ALL SELECT es.unit_id FROM unit_sectors ds JOIN unit_sectors es ON es.sector_id = ds.sector_id WHERE ds.unit_id = ${} AND NOT EXISTS (SELECT 1 FROM units n WHERE n.id = es.unit_id AND n.kind <> 'enterprise')",
                n,
                n + 1,
                n + 2
            )
        };
        assert_eq!(
            department.sql(),
            format!(
                "SELECT 1 FROM enforcements e WHERE (+e.unit_id IN ({}) OR e.id IN (SELECT v.case_id FROM crackdown_units v WHERE v.unit_id IN ({})))",
                units(1),
                units(4)
            )
        );
    }

    #[test]
    fn a_localitys_hazards_are_those_of_its_locality() {
        assert!(is_locality("/1/22/", 22));
        assert!(!is_locality("/1/", 1), "the root is no locality of its own");
        assert!(
            !is_locality("/1/22/333/", 333),
            "an enterprise below a township"
        );
        assert!(!is_locality("/1/22/", 23));
        let hazards = |unit_id: i64, path: &str| {
            Scope::Subtree {
                unit_id,
                path: path.into(),
                sector_supervisor: false,
            }
            .hazards(
                q("SELECT 1 FROM hazards h JOIN units u ON u.id = h.unit_id WHERE "),
                "h",
                "u",
            )
        };
        let town = hazards(22, "/1/22/");
        assert!(
            town.sql()
                .ends_with("WHERE (h.locality_id >= $1 AND h.locality_id <= $2)"),
            "{}",
            town.sql()
        );
        assert_eq!(town.arg_count(), 2);
        let town_scope = Scope::Subtree {
            unit_id: 22,
            path: "/1/22/".into(),
            sector_supervisor: false,
        };
        assert_eq!(town_scope.hazard_locality(), Some(22));
        let enterprise = hazards(333, "/1/22/333/");
        assert!(enterprise.sql().contains("u.path >= $1 AND u.path < $2"));
        let enterprise_scope = Scope::Subtree {
            unit_id: 333,
            path: "/1/22/333/".into(),
            sector_supervisor: false,
        };
        assert_eq!(enterprise_scope.hazard_locality(), None);
        assert_eq!(Scope::All.hazard_locality(), None);
    }

    #[test]
    fn roles_get_their_scope() {
        assert_eq!(
            Scope::for_user(Role::OfficeAdmin, 1, UnitKind::CommitteeOffice, "/1/"),
            Scope::All
        );
        assert_eq!(
            Scope::for_user(Role::Auditor, 1, UnitKind::CommitteeOffice, "/1/"),
            Scope::Nothing
        );
        assert!(matches!(
            Scope::for_user(Role::UnitOperator, 5, UnitKind::Township, "/1/5/"),
            Scope::Subtree {
                sector_supervisor: false,
                ..
            }
        ));
    }
}
