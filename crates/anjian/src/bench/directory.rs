//! `anjian bench --scale directory`: the office imports a 100,000-row directory sheet
//! (issue 16 part 9: under 30 s, peak RSS under 300 MB): 100 new townships under the
//! district's committee and 99,900 enterprises under them, into a district's directory
//! with no campaign running, in one all-or-nothing import, as `/directory/import` and
//! `anjian directory import` run it.

use std::time::Instant;

use anjian_core::directory::{ExportRow, write_sheet};
use anjian_core::unit::UnitKind;
use anjian_store::q;

use super::finish;
use crate::setup::Common;

/// Rows in the sheet.
const ROWS: usize = 100_000;

/// Townships among them (the rest are enterprises, spread over the townships).
const TOWNSHIPS: usize = 100;

/// The process's peak resident memory so far (KiB).
fn peak_kib() -> u64 {
    super::memory::rss_kib().1
}

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common) -> Result<(), String> {
    let (db, url, dir) = super::fresh_db(c, "directory").await?;
    let now = super::CITY_NOW;
    // A district's directory with no campaign running: the import's own cost (a running
    // campaign's duties reaching 100,000 new enterprises is `--scale follow`'s subject).
    crate::seed::load(
        &db,
        now,
        crate::seed::Size {
            townships: 30,
            departments: 60,
            enterprises: 0,
            users: 1,
        },
        &anjian_web::password::hash_now(super::CITY_PASSWORD),
    )
    .await
    .map_err(|e| e.to_string())?;
    let (root,): (String,) = db
        .read()
        .one(q(
            "SELECT code FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1",
        ))
        .await
        .map_err(|e| e.to_string())?;
    let row = |code: String, name: String, kind: UnitKind, parent: &str| ExportRow {
        code,
        name,
        short_name: String::new(),
        kind_label: kind.label().to_string(),
        parent_code: parent.to_string(),
        supervises_safety: false,
        aliases: String::new(),
        sectors: if kind == UnitKind::Enterprise {
            "危险化学品".into()
        } else {
            String::new()
        },
        active: true,
    };
    let mut rows = Vec::with_capacity(ROWS);
    for t in 0..TOWNSHIPS {
        rows.push(row(
            format!("bt-{t:03}"),
            format!("基准镇{t:03}"),
            UnitKind::Township,
            &root,
        ));
    }
    for e in 0..ROWS - TOWNSHIPS {
        let parent = format!("bt-{:03}", e % TOWNSHIPS);
        rows.push(row(
            format!("be-{e:06}"),
            format!("基准企业{e:06}有限公司"),
            UnitKind::Enterprise,
            &parent,
        ));
    }
    let sheet = write_sheet(&rows).map_err(|e| e.to_string())?;
    // The same sheet with every enterprise renamed: the worst re-import, every row an
    // update.
    for r in rows.iter_mut().skip(TOWNSHIPS) {
        r.name = format!("{}（更名）", r.name);
    }
    let edited = write_sheet(&rows).map_err(|e| e.to_string())?;
    drop(rows);
    let before = peak_kib();
    let t = Instant::now();
    let report = anjian_store::directory::sheet::import(
        &db,
        now,
        &anjian_store::Actor::system("bench"),
        &sheet,
    )
    .await
    .map_err(|e| e.to_string())?;
    let took = t.elapsed();
    if !report.problems.is_empty() {
        return Err(format!(
            "导入报错：{:?}",
            &report.problems[..3.min(report.problems.len())]
        ));
    }
    println!(
        "导入 {ROWS} 行单位名录（{:.1} MB .xlsx）：新增 {} 个，用时 {:.1} s（目标 < 30 s）；进程内存峰值 {} MB → {} MB（目标 < 300 MB）",
        sheet.len() as f64 / 1e6,
        report.created,
        took.as_secs_f64(),
        before / 1024,
        peak_kib() / 1024
    );
    for (what, bytes) in [
        ("原表再次导入", &sheet),
        ("99,900 家企业全部改名后再导入", &edited),
    ] {
        let t = Instant::now();
        let r = anjian_store::directory::sheet::import(
            &db,
            now,
            &anjian_store::Actor::system("bench"),
            bytes,
        )
        .await
        .map_err(|e| e.to_string())?;
        println!(
            "{what}：新增 {}，更新 {}，未变化 {}，问题 {}，用时 {:.1} s；进程内存峰值 {} MB",
            r.created,
            r.updated,
            r.unchanged,
            r.problems.len(),
            t.elapsed().as_secs_f64(),
            peak_kib() / 1024
        );
    }
    finish(&url, &dir);
    Ok(())
}
