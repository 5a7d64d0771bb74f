//! Directory import and export as .xlsx: validated row by row, imported all-or-nothing.

use anjian_core::directory::{ExportRow, RowProblem, SheetRow, read_sheet};
use anjian_core::unit::UnitKind;

use std::collections::HashMap;

use super::units::{self, COLUMNS, Unit};
use crate::audit::Entry;
use crate::db::{Db, q};
use crate::error::{Error, Result};
use crate::scope::{Actor, Scope};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    /// Known units whose row says what the directory already holds: left untouched.
    pub unchanged: usize,
    pub problems: Vec<RowProblem>,
}

/// Imports a sheet: new codes create units, known codes update them. Any problem in any
/// row imports nothing and reports every problem.
pub async fn import(db: &Db, now_ms: i64, actor: &Actor, bytes: &[u8]) -> Result<ImportReport> {
    crate::authz::require(actor, anjian_core::role::Role::can_edit_directory)?;
    let (rows, mut problems) = read_sheet(bytes);
    // Order rows so that each parent comes before its children; report every problem
    // of every row together.
    let ordered = match order_rows(db, &rows).await? {
        Ok(o) if problems.is_empty() => o,
        Ok(_) => {
            return Ok(ImportReport {
                problems,
                ..Default::default()
            });
        }
        Err(p) => {
            problems.extend(p);
            problems.sort_by_key(|p| p.row);
            return Ok(ImportReport {
                problems,
                ..Default::default()
            });
        }
    };
    let follow = crate::follow::Follow::prepare(db, now_ms).await?;
    let mut tx = db.begin().await?;
    let mut report = ImportReport::default();
    // The units the sheet names (its codes and its parents' codes), read once.
    let mut named: Vec<&str> = ordered
        .iter()
        .flat_map(|r| std::iter::once(r.draft.code.as_str()).chain(r.parent_code.as_deref()))
        .collect();
    named.sort_unstable();
    named.dedup();
    let mut known: HashMap<String, Unit> = HashMap::new();
    for chunk in named.chunks(300) {
        let mut query = q(format!("SELECT {COLUMNS} FROM units u WHERE u.code IN ("));
        for (i, c) in chunk.iter().enumerate() {
            query = query.push(if i == 0 { "" } else { ", " }).push_bind(*c);
        }
        for u in tx.all::<Unit>(query.push(")")).await? {
            known.insert(u.code.clone(), u);
        }
    }
    let held = Held::load(&mut tx, &known).await?;
    // New units go in batches of multi-row statements (a unit's parent is written in an
    // earlier batch); a new unit with aliases, or without a parent, and every update go
    // one by one, as the unit pages write them.
    let mut created: HashMap<String, i64> = HashMap::new();
    let mut updates: Vec<(i64, &anjian_core::unit::UnitDraft, bool)> = Vec::new();
    let mut batch: Vec<&SheetRow> = Vec::new();
    let mut in_batch: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for row in ordered {
        let code = row.draft.code.as_str();
        let bulk =
            !known.contains_key(code) && row.draft.aliases.is_empty() && row.parent_code.is_some();
        let parent_in_batch = row
            .parent_code
            .as_deref()
            .is_some_and(|pc| in_batch.contains(pc));
        if !bulk || parent_in_batch || batch.len() >= 2_000 {
            insert_batch(&mut tx, now_ms, &known, &mut created, &batch).await?;
            report.created += batch.len();
            batch.clear();
            in_batch.clear();
        }
        if bulk {
            batch.push(row);
            in_batch.insert(code);
            continue;
        }
        let parent_id = row.parent_code.as_deref().and_then(|pc| {
            known
                .get(pc)
                .map(|u| u.id)
                .or_else(|| created.get(pc).copied())
        });
        let result = match known.get(code) {
            // A row that says what the directory holds changes nothing: re-importing the
            // exported sheet with a few edits writes only those.
            Some(u) if held.same(u, row, parent_id) => {
                report.unchanged += 1;
                Ok(())
            }
            // Aliases as they are and no move asked: updated with the others at the end,
            // in multi-row statements.
            Some(u)
                if held.same_aliases(u, row)
                    && (parent_id.is_none() || u.parent_id == parent_id) =>
            {
                updates.push((u.id, &row.draft, row.active));
                report.updated += 1;
                Ok(())
            }
            Some(u) => {
                let r = units::update_in(&mut tx, now_ms, &Scope::All, u.id, &row.draft).await;
                if r.is_ok() {
                    report.updated += 1;
                    if u.parent_id != parent_id && parent_id.is_some() {
                        problems.push(RowProblem {
                            row: row.row,
                            column: "上级编码".into(),
                            message: "导入不能移动已有单位，请在单位页面中调整上级".into(),
                        });
                    }
                    if (u.active == 1) != row.active {
                        tx.execute(
                            q("UPDATE units SET active = $1 WHERE id = $2")
                                .bind(row.active)
                                .bind(u.id),
                        )
                        .await?;
                    }
                }
                r.map(|_| ())
            }
            None => {
                let r = units::insert(
                    &mut tx,
                    now_ms,
                    &Scope::All,
                    &row.draft,
                    parent_id,
                    row.active,
                )
                .await;
                if let Ok(u) = &r {
                    report.created += 1;
                    created.insert(u.code.clone(), u.id);
                }
                r.map(|_| ())
            }
        };
        if let Err(e) = result {
            let column = match &e {
                Error::Conflict {
                    field: "aliases", ..
                } => "别名".into(),
                Error::Conflict { field: "code", .. } => "编码".into(),
                _ => "整行".into(),
            };
            if matches!(e, Error::Db(_)) {
                return Err(e);
            }
            problems.push(RowProblem {
                row: row.row,
                column,
                message: e.to_string(),
            });
        }
    }
    insert_batch(&mut tx, now_ms, &known, &mut created, &batch).await?;
    report.created += batch.len();
    units::update_many(&mut tx, now_ms, &updates).await?;
    if !problems.is_empty() {
        // Dropping the transaction rolls everything back.
        return Ok(ImportReport {
            problems,
            ..Default::default()
        });
    }
    // One entry for the sheet: the units it created, by code, how many it updated and
    // how many it found unchanged.
    let mut codes: Vec<&str> = created.keys().map(String::as_str).collect();
    codes.sort_unstable();
    let listed = if codes.len() > 20 {
        format!(
            "{} … {}",
            codes[..10].join("、"),
            codes[codes.len() - 10..].join("、")
        )
    } else {
        codes.join("、")
    };
    let e = Entry::ok("directory.import", "directory", "sheet").detail(format!(
        "新增{}个，更新{}个，{}个未变化；新增编码：{listed}",
        report.created, report.updated, report.unchanged
    ));
    follow
        .apply(&mut tx, None)
        .await?
        .recorded(&mut tx, now_ms, actor, e)
        .await?;
    tx.commit().await?;
    Ok(report)
}

/// Writes a batch of new units (each with a parent known before the batch) in
/// multi-row statements, grouped by whether they are active; records their ids.
async fn insert_batch(
    tx: &mut crate::db::Tx,
    now_ms: i64,
    known: &HashMap<String, Unit>,
    created: &mut HashMap<String, i64>,
    batch: &[&SheetRow],
) -> Result<()> {
    for active in [true, false] {
        let rows: Vec<(&anjian_core::unit::UnitDraft, i64)> = batch
            .iter()
            .filter(|r| r.active == active)
            .filter_map(|r| {
                let pc = r.parent_code.as_deref()?;
                let parent = known
                    .get(pc)
                    .map(|u| u.id)
                    .or_else(|| created.get(pc).copied())?;
                Some((&r.draft, parent))
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let before = created.len();
        let ids = units::insert_many(tx, now_ms, &Scope::All, &rows, active).await?;
        for ((d, _), id) in rows.iter().zip(ids) {
            created.insert(d.code.as_str().to_string(), id);
        }
        // Once 3,000 new units are in, PostgreSQL plans its key checks on `units` again,
        // with the index: planned against the small directory, every sector link's
        // check scanned the growing table (100,000 rows took 61 s, 58 of them there).
        if before < 3_000 && created.len() >= 3_000 {
            tx.analyze(&["units"]).await?;
        }
    }
    Ok(())
}

/// The aliases and sectors of the sheet's known units, read in chunks, to tell which
/// rows change nothing.
struct Held {
    aliases: HashMap<i64, Vec<String>>,
    sectors: HashMap<i64, Vec<String>>,
}

impl Held {
    async fn load(tx: &mut crate::db::Tx, known: &HashMap<String, Unit>) -> Result<Held> {
        let ids: Vec<i64> = known.values().map(|u| u.id).collect();
        let mut held = Held {
            aliases: HashMap::new(),
            sectors: HashMap::new(),
        };
        for chunk in ids.chunks(500) {
            let rows: Vec<(i64, String)> = tx
                .all(
                    q("SELECT unit_id, alias FROM unit_aliases WHERE unit_id IN (")
                        .push_list(chunk)
                        .push(")"),
                )
                .await?;
            for (id, a) in rows {
                held.aliases.entry(id).or_default().push(a);
            }
            let rows: Vec<(i64, String)> = tx
                .all(
                    q("SELECT us.unit_id, s.name FROM unit_sectors us JOIN sectors s ON s.id = us.sector_id WHERE us.unit_id IN (")
                        .push_list(chunk)
                        .push(")"),
                )
                .await?;
            for (id, s) in rows {
                held.sectors.entry(id).or_default().push(s);
            }
        }
        Ok(held)
    }

    /// Whether `row` names the aliases `u` has.
    fn same_aliases(&self, u: &Unit, row: &SheetRow) -> bool {
        let mut aliases: Vec<String> = row
            .draft
            .aliases
            .iter()
            .map(|a| anjian_core::unit::normalize_name(a))
            .collect();
        aliases.sort_unstable();
        aliases.dedup();
        sorted(self.aliases.get(&u.id)) == aliases
    }

    /// Whether `row` says exactly what the directory holds of `u` (its parent too, when
    /// the row names one).
    fn same(&self, u: &Unit, row: &SheetRow, parent_id: Option<i64>) -> bool {
        let d = &row.draft;
        let mut sectors = d.sectors.clone();
        sectors.sort_unstable();
        sectors.dedup();
        self.same_aliases(u, row)
            && u.name == d.name
            && u.short_name == d.short_name
            && u.kind == d.kind.as_str()
            && (u.supervises_safety == 1) == d.supervises_safety
            && (u.active == 1) == row.active
            && (parent_id.is_none() || u.parent_id == parent_id)
            && sorted(self.sectors.get(&u.id)) == sectors
    }
}

/// A held list, sorted and without repeats.
fn sorted(v: Option<&Vec<String>>) -> Vec<String> {
    let mut v = v.cloned().unwrap_or_default();
    v.sort_unstable();
    v.dedup();
    v
}

/// Orders rows parents first; reports unknown parents and cycles.
async fn order_rows<'a>(
    db: &Db,
    rows: &'a [SheetRow],
) -> Result<std::result::Result<Vec<&'a SheetRow>, Vec<RowProblem>>> {
    let mut problems = Vec::new();
    let known: std::collections::HashSet<String> = db
        .read()
        .all::<(String,)>(q("SELECT code FROM units"))
        .await?
        .into_iter()
        .map(|(c,)| c)
        .collect();
    let in_sheet: std::collections::HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.draft.code.as_str(), i))
        .collect();
    for r in rows {
        if let Some(pc) = &r.parent_code
            && !in_sheet.contains_key(pc.as_str())
            && !known.contains(pc)
        {
            problems.push(RowProblem {
                row: r.row,
                column: "上级编码".into(),
                message: format!("上级编码 {pc} 既不在本表中，也不在系统中"),
            });
        }
        if r.parent_code.is_none()
            && r.draft.kind != UnitKind::CommitteeOffice
            && !known.contains(r.draft.code.as_str())
        {
            problems.push(RowProblem {
                row: r.row,
                column: "上级编码".into(),
                message: "新单位须填写上级编码（只有安委会及办公室可作为顶级单位）".into(),
            });
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let mut out: Vec<&SheetRow> = Vec::with_capacity(rows.len());
    let mut placed = vec![false; rows.len()];
    while out.len() < rows.len() {
        let mut progressed = false;
        for (i, r) in rows.iter().enumerate() {
            if placed[i] {
                continue;
            }
            let ready = match &r.parent_code {
                None => true,
                Some(pc) => match in_sheet.get(pc.as_str()) {
                    Some(j) => placed[*j],
                    None => true,
                },
            };
            if ready {
                placed[i] = true;
                out.push(r);
                progressed = true;
            }
        }
        if !progressed {
            let cyc = rows
                .iter()
                .enumerate()
                .filter(|(i, _)| !placed[*i])
                .map(|(_, r)| RowProblem {
                    row: r.row,
                    column: "上级编码".into(),
                    message: "上级关系形成了循环".into(),
                });
            return Ok(Err(cyc.collect()));
        }
    }
    Ok(Ok(out))
}

/// The units in scope as sheet rows, in tree order.
pub async fn export(db: &Db, reader: &Actor, scope: &Scope) -> Result<Vec<ExportRow>> {
    crate::authz::require(reader, anjian_core::role::Role::can_read_directory)?;
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        unit: Unit,
        parent_code: Option<String>,
    }
    let query = scope
        .units(q(format!("SELECT {COLUMNS}, p.code AS parent_code FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE ")), "u")
        .push(" ORDER BY u.path");
    let rows: Vec<Row> = db.read().all(query).await?;
    let aliases: Vec<(i64, String)> = db
        .read()
        .all(q(
            "SELECT unit_id, alias FROM unit_aliases WHERE unit_id IS NOT NULL ORDER BY alias",
        ))
        .await?;
    let sectors: Vec<(i64, String)> = db
        .read()
        .all(q("SELECT us.unit_id, s.name FROM unit_sectors us JOIN sectors s ON s.id = us.sector_id ORDER BY s.name"))
        .await?;
    let group = |list: Vec<(i64, String)>| {
        let mut m: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
        for (u, s) in list {
            m.entry(u).or_default().push(s);
        }
        m
    };
    let (aliases, sectors) = (group(aliases), group(sectors));
    let join = |m: &std::collections::HashMap<i64, Vec<String>>, id: i64| {
        m.get(&id).map(|v| v.join("、")).unwrap_or_default()
    };
    Ok(rows
        .into_iter()
        .map(|r| ExportRow {
            aliases: join(&aliases, r.unit.id),
            sectors: join(&sectors, r.unit.id),
            code: r.unit.code.clone(),
            name: r.unit.name.clone(),
            short_name: r.unit.short_name.clone().unwrap_or_default(),
            kind_label: r.unit.kind().label().to_string(),
            parent_code: r.parent_code.unwrap_or_default(),
            supervises_safety: r.unit.supervises_safety == 1,
            active: r.unit.active == 1,
        })
        .collect())
}
