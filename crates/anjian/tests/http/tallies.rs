//! The office's hazard statistics are read from tallies the database keeps (issue 21
//! part 7); after any sequence of changes to the ledger they equal a fresh grouping of
//! the hazards (at each of the three grains kept), and the statistics read from them
//! equal those grouped per request: the office's, and each department's, whose
//! hazards outside its sectors are found through `cross_sector_units`.

use anjian_store::hazards::{StatLine, StatsBy, stats};
use anjian_store::scope::Scope;
use anjian_store::{Db, q};
use proptest::prelude::*;

use crate::harness::{TestApp, engines, proptest_async};

/// One change to the ledger, by any code path (the tallies are kept by the database,
/// so raw statements count as much as the store's own).
#[derive(Debug, Clone)]
enum Change {
    /// A new hazard, a copy of the `i`th with its own case.
    Insert(usize),
    /// The `i`th hazard (modulo their number) closed or reopened.
    Close(usize, bool),
    /// Its level made major or general.
    Major(usize, bool),
    /// Moved to the `s`th sector.
    Sector(usize, usize),
    /// Moved to the `l`th locality.
    Locality(usize, usize),
    /// Found on another day (maybe another month).
    Found(usize, u32),
    /// Its rectification deadline moved (or removed).
    Deadline(usize, Option<u32>),
    /// The day turns: the kept overdue counts are brought to another day.
    Roll(u32),
    /// Deleted, when nothing refers to it.
    Delete(usize),
    /// Given to the `u`th enterprise (the demo's hazards are the townships').
    Unit(usize, usize),
    /// The unit of the `i`th hazard given the `s`th sector as well, or no longer in it
    /// (a directory edit of its sectors).
    UnitSector(usize, usize, bool),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        any::<usize>().prop_map(Change::Insert),
        (any::<usize>(), any::<bool>()).prop_map(|(i, b)| Change::Close(i, b)),
        (any::<usize>(), any::<bool>()).prop_map(|(i, b)| Change::Major(i, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, s)| Change::Sector(i, s)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, l)| Change::Locality(i, l)),
        (any::<usize>(), 0u32..240).prop_map(|(i, d)| Change::Found(i, d)),
        (any::<usize>(), proptest::option::of(0u32..240)).prop_map(|(i, d)| Change::Deadline(i, d)),
        (150u32..240).prop_map(Change::Roll),
        any::<usize>().prop_map(Change::Delete),
        (any::<usize>(), any::<usize>()).prop_map(|(i, u)| Change::Unit(i, u)),
        (any::<usize>(), any::<usize>(), any::<bool>())
            .prop_map(|(i, s, add)| Change::UnitSector(i, s, add)),
    ]
}

async fn ids(db: &Db, sql: &str) -> Vec<i64> {
    let rows: Vec<(i64,)> = db.read().all(q(sql)).await.unwrap();
    rows.into_iter().map(|(i,)| i).collect()
}

/// Applies `changes` in transactions of `per_tx` changes each (a day's roll in its
/// own): on PostgreSQL the tallies change as a transaction commits, once for all its
/// statements.
async fn apply_all(db: &Db, now: i64, changes: &[Change], per_tx: usize) {
    let mut tx = db.begin().await.unwrap();
    let mut open = 0;
    for c in changes {
        if let Change::Roll(d) = c {
            tx.commit().await.unwrap();
            anjian_store::hazards::roll_tallies(db, day_after(*d))
                .await
                .unwrap();
            tx = db.begin().await.unwrap();
            open = 0;
            continue;
        }
        apply(db, &mut tx, now, c).await;
        open += 1;
        if open == per_tx {
            tx.commit().await.unwrap();
            tx = db.begin().await.unwrap();
            open = 0;
        }
    }
    tx.commit().await.unwrap();
}

/// Applies one change (not a roll) in `tx`.
async fn apply(db: &Db, tx: &mut anjian_store::Tx, now: i64, c: &Change) {
    let hazards: Vec<(i64,)> = tx
        .all(q("SELECT id FROM hazards ORDER BY id"))
        .await
        .unwrap();
    let pick = |i: usize| hazards[i % hazards.len()].0;
    match c {
        Change::Insert(i) => {
            let (case, hazard): (i64, i64) = tx
                .one(q(
                    "SELECT (SELECT MAX(id) FROM cases) + 1, (SELECT MAX(id) FROM hazards) + 1",
                ))
                .await
                .unwrap();
            tx.execute(
                q("INSERT INTO cases (id, kind, status, assigner_unit_id, unit_id, deadline, created_at, updated_at, closed_at) SELECT $1, c.kind, c.status, c.assigner_unit_id, c.unit_id, c.deadline, c.created_at, $2, c.closed_at FROM cases c JOIN hazards h ON h.case_id = c.id WHERE h.id = $3")
                    .bind(case)
                    .bind(now)
                    .bind(pick(*i)),
            )
            .await
            .unwrap();
            tx.execute(
                q("INSERT INTO hazards (id, case_id, unit_id, locality_id, sector_id, source, place, description, level, discovered_on, measures, responsible_person, funds_fen, deadline, contingency_plan, status, listed, created_at, updated_at) SELECT $1, $2, unit_id, locality_id, sector_id, source, place, description, level, discovered_on, measures, responsible_person, funds_fen, deadline, contingency_plan, status, 0, created_at, updated_at FROM hazards WHERE id = $3")
                    .bind(hazard)
                    .bind(case)
                    .bind(pick(*i)),
            )
            .await
            .unwrap();
        }
        Change::Close(i, closed) => {
            let status = if *closed { "closed" } else { "assigned" };
            tx.execute(
                q("UPDATE hazards SET status = $1 WHERE id = $2")
                    .bind(status)
                    .bind(pick(*i)),
            )
            .await
            .unwrap();
        }
        Change::Major(i, major) => {
            let level = if *major { "major" } else { "general" };
            tx.execute(
                q("UPDATE hazards SET level = $1 WHERE id = $2")
                    .bind(level)
                    .bind(pick(*i)),
            )
            .await
            .unwrap();
        }
        Change::Sector(i, s) => {
            let sectors = ids(db, "SELECT id FROM sectors ORDER BY id").await;
            tx.execute(
                q("UPDATE hazards SET sector_id = $1 WHERE id = $2")
                    .bind(sectors[s % sectors.len()])
                    .bind(pick(*i)),
            )
            .await
            .unwrap();
        }
        Change::Locality(i, l) => {
            let towns = ids(
                db,
                "SELECT id FROM units WHERE kind = 'township' ORDER BY id",
            )
            .await;
            tx.execute(
                q("UPDATE hazards SET locality_id = $1 WHERE id = $2")
                    .bind(towns[l % towns.len()])
                    .bind(pick(*i)),
            )
            .await
            .unwrap();
        }
        Change::Found(i, d) => {
            let day = day_after(*d);
            tx.execute(
                q("UPDATE hazards SET discovered_on = $1 WHERE id = $2")
                    .bind(day.to_string())
                    .bind(pick(*i)),
            )
            .await
            .unwrap();
        }
        Change::Deadline(i, d) => {
            let deadline = d.map(|d| day_after(d).to_string());
            tx.execute(
                q("UPDATE hazards SET deadline = $1 WHERE id = $2")
                    .bind(deadline)
                    .bind(pick(*i)),
            )
            .await
            .unwrap();
        }
        Change::Unit(i, u) => {
            let enterprises = ids(
                db,
                "SELECT id FROM units WHERE kind = 'enterprise' ORDER BY id",
            )
            .await;
            tx.execute(
                q("UPDATE hazards SET unit_id = $1 WHERE id = $2")
                    .bind(enterprises[u % enterprises.len()])
                    .bind(pick(*i)),
            )
            .await
            .unwrap();
        }
        Change::UnitSector(i, s, add) => {
            let sectors = ids(db, "SELECT id FROM sectors ORDER BY id").await;
            let (unit,): (i64,) = tx
                .one(q("SELECT unit_id FROM hazards WHERE id = $1").bind(pick(*i)))
                .await
                .unwrap();
            let sector = sectors[s % sectors.len()];
            let sql = if *add {
                "INSERT INTO unit_sectors (unit_id, sector_id) SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM unit_sectors WHERE unit_id = $1 AND sector_id = $2)"
            } else {
                "DELETE FROM unit_sectors WHERE unit_id = $1 AND sector_id = $2"
            };
            tx.execute(q(sql).bind(unit).bind(sector)).await.unwrap();
        }
        Change::Roll(_) => unreachable!("a roll is applied in its own transaction"),
        Change::Delete(i) => {
            tx.execute(
                q("DELETE FROM hazards WHERE id = $1 AND id NOT IN (SELECT hazard_id FROM hazard_listings) AND id NOT IN (SELECT hazard_id FROM obligations WHERE hazard_id IS NOT NULL)")
                    .bind(pick(*i)),
            )
            .await
            .unwrap();
        }
    }
}

/// 2022-01-01 plus `d` days.
fn day_after(d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Duration::days(i64::from(d))
}

type Tally = (i64, i64, String, i64, i64, i64, i64, i64);

/// The kept tallies at the three grains: per (locality, sector, month), per
/// (locality, month) and per (sector, month); a missing key reads 0.
async fn kept(db: &Db) -> Vec<Tally> {
    let mut all = Vec::new();
    for sql in [
        "SELECT locality_id, sector_id, month, found, closed, major, major_closed, overdue FROM hazard_tallies WHERE found <> 0 ORDER BY locality_id, sector_id, month",
        "SELECT locality_id, CAST(0 AS BIGINT), month, found, closed, major, major_closed, overdue FROM hazard_tallies_by_locality WHERE found <> 0 ORDER BY locality_id, month",
        "SELECT CAST(0 AS BIGINT), sector_id, month, found, closed, major, major_closed, overdue FROM hazard_tallies_by_sector WHERE found <> 0 ORDER BY sector_id, month",
    ] {
        let rows: Vec<Tally> = db.read().all(q(sql)).await.unwrap();
        all.extend(rows);
    }
    all
}

/// The same three groupings made afresh from the hazards.
async fn grouped(db: &Db) -> Vec<Tally> {
    let mut all = Vec::new();
    // (the columns selected, the grouping: a constant is no grouping key in SQL)
    for (locality, sector, keys) in [
        (
            "COALESCE(locality_id, 0)",
            "sector_id",
            "COALESCE(locality_id, 0), sector_id,",
        ),
        ("COALESCE(locality_id, 0)", "0", "COALESCE(locality_id, 0),"),
        ("0", "sector_id", "sector_id,"),
    ] {
        let rows: Vec<Tally> = db
            .read()
            .all(q(format!("SELECT CAST({locality} AS BIGINT), CAST({sector} AS BIGINT), substr(discovered_on, 1, 7) AS month, CAST(COUNT(*) AS BIGINT), \
                CAST(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN level = 'major' THEN 1 ELSE 0 END) AS BIGINT), \
                CAST(SUM(CASE WHEN level = 'major' AND status = 'closed' THEN 1 ELSE 0 END) AS BIGINT), \
                CAST(SUM(CASE WHEN status <> 'closed' AND deadline < (SELECT day FROM hazard_tally_day WHERE id = 1) THEN 1 ELSE 0 END) AS BIGINT) \
                FROM hazards GROUP BY {keys} substr(discovered_on, 1, 7) ORDER BY 1, 2, 3")))
            .await
            .unwrap();
        all.extend(rows);
    }
    all
}

/// The units a department's statistics must read hazard by hazard that
/// `cross_sector_units` does not hold: units with a sector and either a second one or a
/// hazard outside theirs (the list may hold more; it must not hold less).
async fn cross_sector_missing(db: &Db) -> Vec<i64> {
    ids(
        db,
        "SELECT u.id FROM units u WHERE u.id NOT IN (SELECT unit_id FROM cross_sector_units) \
         AND ((SELECT COUNT(*) FROM unit_sectors s WHERE s.unit_id = u.id) >= 2 \
         OR (EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = u.id) AND EXISTS (SELECT 1 FROM hazards h WHERE h.unit_id = u.id \
         AND NOT EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = u.id AND s.sector_id = h.sector_id)))) ORDER BY u.id",
    )
    .await
}

/// Every sector-supervising department's statistics, each way: as the page reads them
/// (its sectors' hazards from the tallies), and grouped afresh in the test from the
/// hazards its ledger lists (`Scope::hazards`, which reads neither the tallies nor
/// `cross_sector_units`).
async fn departments_both_ways(
    db: &Db,
    today: chrono::NaiveDate,
) -> Vec<(Scope, StatsBy, Vec<StatLine>, Vec<StatLine>)> {
    let departments: Vec<(i64, String)> = db
        .read()
        .all(q("SELECT u.id, u.path FROM units u WHERE u.kind = 'department' AND EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = u.id) ORDER BY u.id"))
        .await
        .unwrap();
    assert!(!departments.is_empty());
    let names: std::collections::HashMap<i64, String> = db
        .read()
        .all::<(i64, String)>(q("SELECT id, name FROM units"))
        .await
        .unwrap()
        .into_iter()
        .chain(
            db.read()
                .all::<(i64, String)>(q("SELECT id, name FROM sectors"))
                .await
                .unwrap()
                .into_iter()
                .map(|(id, name)| (-id, name)),
        )
        .collect();
    let mut all = Vec::new();
    for (unit_id, path) in departments {
        let scope = Scope::Subtree {
            unit_id,
            path,
            sector_supervisor: true,
        };
        type Row = (
            i64,
            Option<i64>,
            i64,
            String,
            String,
            String,
            Option<String>,
        );
        let rows: Vec<Row> = db
            .read()
            .all(scope.hazards(
                q("SELECT h.unit_id, h.locality_id, h.sector_id, h.discovered_on, h.status, h.level, h.deadline FROM hazards h JOIN units u ON u.id = h.unit_id WHERE "),
                "h",
                "u",
            ))
            .await
            .unwrap();
        let own = scope.own_locality();
        for by in [StatsBy::Unit, StatsBy::Sector, StatsBy::Month] {
            let mut lines: std::collections::BTreeMap<String, StatLine> = Default::default();
            for (unit, locality, sector, found, status, level, deadline) in &rows {
                let key = match by {
                    StatsBy::Unit if *locality == own => names[unit].clone(),
                    StatsBy::Unit => locality.map(|l| names[&l].clone()).unwrap_or_default(),
                    StatsBy::Sector => names[&-sector].clone(),
                    StatsBy::Month => found[..7].to_string(),
                };
                let line = lines.entry(key.clone()).or_insert_with(|| StatLine {
                    key,
                    ..StatLine::default()
                });
                let closed = status == "closed";
                let major = level == "major";
                line.found += 1;
                line.closed += i64::from(closed);
                line.major += i64::from(major);
                line.major_closed += i64::from(major && closed);
                line.overdue += i64::from(
                    !closed
                        && deadline
                            .as_deref()
                            .is_some_and(|d| d < today.to_string().as_str()),
                );
            }
            let fast = stats(db, &scope, today, by).await.unwrap();
            all.push((scope.clone(), by, fast, lines.into_values().collect()));
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_tallies_equal_a_fresh_grouping_after_any_changes() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let db = app.db.clone();
        let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
        let today = chrono::NaiveDate::from_ymd_opt(2022, 8, 9).unwrap();
        // The demo's ledger (the demo command loads it beside the directory).
        let files = anjian_store::files::FileStore::new(&app.data_dir());
        anjian::seed::hazards(&db, &files, today).await.unwrap();
        assert_eq!(
            kept(&db).await,
            grouped(&db).await,
            "{e:?}: after the seeding"
        );
        // The day's overdue counts, then again after the day turns.
        assert!(
            anjian_store::hazards::roll_tallies(&db, today)
                .await
                .unwrap()
        );
        assert!(
            !anjian_store::hazards::roll_tallies(&db, today)
                .await
                .unwrap()
        );
        assert_eq!(kept(&db).await, grouped(&db).await, "{e:?}: rolled");
        proptest_async(
            12,
            &(prop::collection::vec(change(), 1..25), 1usize..5),
            |(changes, per_tx)| {
                let db = db.clone();
                async move {
                    apply_all(&db, now, &changes, per_tx).await;
                    let (k, g) = (kept(&db).await, grouped(&db).await);
                    prop_assert_eq!(
                        k,
                        g,
                        "{:?} after {:?}, {} per transaction",
                        e,
                        changes,
                        per_tx
                    );
                    let missing = cross_sector_missing(&db).await;
                    prop_assert!(
                        missing.is_empty(),
                        "{:?}: units with hazards outside one sector, not kept: {:?} after {:?}",
                        e,
                        missing,
                        changes
                    );
                    for (scope, by, fast, slow) in departments_both_ways(&db, today).await {
                        prop_assert_eq!(
                            fast,
                            slow,
                            "{:?} {:?} {:?} after {:?}",
                            e,
                            scope,
                            by,
                            changes
                        );
                    }
                    Ok(())
                }
            },
        );
        // The office's figures from the tallies equal those grouped per request (a
        // subtree covering every hazard reads the ledger itself).
        let (office,): (i64,) = db
            .read()
            .one(q("SELECT id FROM units ORDER BY LENGTH(path), id LIMIT 1"))
            .await
            .unwrap();
        let path: (String,) = db
            .read()
            .one(q("SELECT path FROM units WHERE id = $1").bind(office))
            .await
            .unwrap();
        let everything = Scope::Subtree {
            unit_id: office,
            path: path.0,
            sector_supervisor: false,
        };
        for by in [StatsBy::Unit, StatsBy::Sector, StatsBy::Month] {
            let fast = stats(&db, &Scope::All, today, by).await.unwrap();
            let slow = stats(&db, &everything, today, by).await.unwrap();
            assert_eq!(fast, slow, "{e:?} {by:?}");
        }
    }
}

/// On PostgreSQL a hazard written for an enterprise while another transaction changes
/// that enterprise's sectors: each transaction, judging the enterprise alone under READ
/// COMMITTED, would leave it out of `cross_sector_units` (the hazard judged against the
/// old sectors, the recount without the uncommitted hazard), and its departments'
/// statistics would miss the hazard. The advisory lock of migration 0064 makes the
/// change wait for the hazard's transaction and judge after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hazard_written_while_its_enterprises_sectors_change_stays_counted() {
    for e in engines() {
        if e != crate::harness::Engine::Postgres {
            continue;
        }
        let app = TestApp::new(e).await;
        let db = app.db.clone();
        let files = anjian_store::files::FileStore::new(&app.data_dir());
        let today = chrono::NaiveDate::from_ymd_opt(2022, 8, 9).unwrap();
        anjian::seed::hazards(&db, &files, today).await.unwrap();
        // An enterprise with one sector and no hazard, and another sector.
        let (enterprise, sector): (i64, i64) = db
            .read()
            .one(q("SELECT u.id, MIN(s.sector_id) FROM units u JOIN unit_sectors s ON s.unit_id = u.id WHERE u.kind = 'enterprise' AND NOT EXISTS (SELECT 1 FROM hazards h WHERE h.unit_id = u.id) GROUP BY u.id HAVING COUNT(*) = 1 ORDER BY u.id LIMIT 1"))
            .await
            .unwrap();
        let (other,): (i64,) = db
            .read()
            .one(q("SELECT MIN(id) FROM sectors WHERE id <> $1").bind(sector))
            .await
            .unwrap();
        // The hazard, in the enterprise's sector, written and not yet committed.
        let mut hazard_tx = db.begin().await.unwrap();
        apply(&db, &mut hazard_tx, 0, &Change::Insert(0)).await;
        hazard_tx
            .execute(
                q("UPDATE hazards SET unit_id = $1, sector_id = $2 WHERE id = (SELECT MAX(id) FROM hazards)")
                    .bind(enterprise)
                    .bind(sector),
            )
            .await
            .unwrap();
        // Meanwhile the directory moves the enterprise from that sector to another.
        let edit = tokio::spawn({
            let db = db.clone();
            async move {
                let mut tx = db.begin().await.unwrap();
                tx.execute(
                    q("DELETE FROM unit_sectors WHERE unit_id = $1 AND sector_id = $2")
                        .bind(enterprise)
                        .bind(sector),
                )
                .await
                .unwrap();
                tx.execute(
                    q("INSERT INTO unit_sectors (unit_id, sector_id) VALUES ($1, $2)")
                        .bind(enterprise)
                        .bind(other),
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        hazard_tx.commit().await.unwrap();
        edit.await.unwrap();
        // The enterprise's hazard now lies outside its only sector: it must be listed.
        assert_eq!(cross_sector_missing(&db).await, Vec::<i64>::new(), "{e:?}");
        let (listed,): (i64,) = db
            .read()
            .one(
                q("SELECT CAST(COUNT(*) AS BIGINT) FROM cross_sector_units WHERE unit_id = $1")
                    .bind(enterprise),
            )
            .await
            .unwrap();
        assert_eq!(listed, 1);
    }
}
