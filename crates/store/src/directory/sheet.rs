//! Directory import and export as .xlsx: validated row by row, imported all-or-nothing.

use anjian_core::directory::{ExportRow, RowProblem, SheetRow, read_sheet};
use anjian_core::unit::UnitKind;

use super::units::{self, COLUMNS, Unit};
use crate::audit::{self, Entry};
use crate::db::{Db, q};
use crate::error::{Error, Result};
use crate::scope::{Actor, Scope};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub problems: Vec<RowProblem>,
}

/// Imports a sheet: new codes create units, known codes update them. Any problem in any
/// row imports nothing and reports every problem.
pub async fn import(db: &Db, now_ms: i64, actor: &Actor, bytes: &[u8]) -> Result<ImportReport> {
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
    for row in ordered {
        let parent_id = match &row.parent_code {
            Some(code) => {
                let p: Option<(i64,)> = tx
                    .opt(q("SELECT id FROM units WHERE code = $1").bind(code.as_str()))
                    .await?;
                p.map(|(id,)| id)
            }
            None => None,
        };
        let existing: Option<Unit> = tx
            .opt(
                q(format!("SELECT {COLUMNS} FROM units u WHERE u.code = $1"))
                    .bind(row.draft.code.as_str()),
            )
            .await?;
        let result = match existing {
            Some(u) => {
                let r =
                    units::update_in(&mut tx, now_ms, actor, &Scope::All, u.id, &row.draft).await;
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
                    audit::append(
                        &mut tx,
                        now_ms,
                        actor,
                        Entry::ok("unit.create", "unit", u.id)
                            .detail(format!("导入 {} {}", u.code, u.name)),
                    )
                    .await?;
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
    if !problems.is_empty() {
        // Dropping the transaction rolls everything back.
        return Ok(ImportReport {
            problems,
            ..Default::default()
        });
    }
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("directory.import", "directory", "sheet").detail(format!(
            "新增{}个，更新{}个",
            report.created, report.updated
        )),
    )
    .await?;
    follow.apply(&mut tx, None).await?;
    tx.commit().await?;
    Ok(report)
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
pub async fn export(db: &Db, scope: &Scope) -> Result<Vec<ExportRow>> {
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
