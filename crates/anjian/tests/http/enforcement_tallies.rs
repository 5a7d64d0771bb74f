//! The month's watch of 零执法 and 零处罚 units reads each unit's month from tallies the
//! database keeps (migration 0059); after any sequence of changes to the enforcement
//! records they equal a fresh grouping of the records.

use anjian_store::{Db, q};
use proptest::prelude::*;

use crate::harness::{TestApp, engines, proptest_async};

/// One change to the records, by any code path (the tallies are kept by the database,
/// so raw statements count as much as the store's own).
#[derive(Debug, Clone)]
enum Change {
    /// A new record, a copy of the `i`th.
    Insert(usize),
    /// The `i`th record (modulo their number) recorded by the `u`th watched unit.
    Unit(usize, usize),
    /// Of the `x`th enterprise.
    Enterprise(usize, usize),
    /// Inspected on another day (maybe another month).
    Inspected(usize, u32),
    /// With `n` problems.
    Problems(usize, i64),
    /// Fined (an amount in fen), given another penalty (no amount) or no penalty.
    Penalty(usize, Option<Option<i64>>),
    /// The two must-checks (the principal, the heads) done or not.
    Checks(usize, bool, bool),
    /// Deleted, if it is a copy (nothing else refers to a copy).
    Delete(usize),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        any::<usize>().prop_map(Change::Insert),
        (any::<usize>(), any::<usize>()).prop_map(|(i, u)| Change::Unit(i, u)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, x)| Change::Enterprise(i, x)),
        (any::<usize>(), 0u32..240).prop_map(|(i, d)| Change::Inspected(i, d)),
        (any::<usize>(), 0i64..9).prop_map(|(i, n)| Change::Problems(i, n)),
        (
            any::<usize>(),
            proptest::option::of(proptest::option::of(0i64..5_000_000))
        )
            .prop_map(|(i, p)| Change::Penalty(i, p)),
        (any::<usize>(), any::<bool>(), any::<bool>())
            .prop_map(|(i, a, b)| Change::Checks(i, a, b)),
        any::<usize>().prop_map(Change::Delete),
    ]
}

async fn ids(db: &Db, sql: &str) -> Vec<i64> {
    let rows: Vec<(i64,)> = db.read().all(q(sql)).await.unwrap();
    rows.into_iter().map(|(i,)| i).collect()
}

/// What the changes draw from, read once: the largest id of the seeded records (only
/// copies are deleted), the recording units and a few enterprises.
struct Pools {
    seeded: i64,
    units: Vec<i64>,
    enterprises: Vec<i64>,
}

impl Pools {
    async fn read(db: &Db) -> Pools {
        let (seeded,): (i64,) = db
            .read()
            .one(q("SELECT MAX(id) FROM enforcements"))
            .await
            .unwrap();
        Pools {
            seeded,
            units: ids(
                db,
                "SELECT id FROM units WHERE kind IN ('township', 'department') ORDER BY id",
            )
            .await,
            enterprises: ids(
                db,
                "SELECT id FROM units WHERE kind = 'enterprise' ORDER BY id LIMIT 6",
            )
            .await,
        }
    }
}

/// Applies one change in `tx`.
async fn apply(tx: &mut anjian_store::Tx, pools: &Pools, c: &Change) {
    let records: Vec<(i64,)> = tx
        .all(q("SELECT id FROM enforcements ORDER BY id"))
        .await
        .unwrap();
    let pick = |i: usize| records[i % records.len()].0;
    let statement = match c {
        Change::Insert(i) => q("INSERT INTO enforcements (id, unit_id, enterprise_id, inspected_on, place, checked, problems, problem_count, handling, signed, principal_checked, heads_checked, order_deadline, step, penalty_kind, penalty_amount_fen, penalty_legal_basis, penalty_decided_on, created_at, updated_at) \
               SELECT (SELECT MAX(id) + 1 FROM enforcements), unit_id, enterprise_id, inspected_on, place, checked, problems, problem_count, handling, signed, principal_checked, heads_checked, order_deadline, step, penalty_kind, penalty_amount_fen, penalty_legal_basis, penalty_decided_on, created_at, updated_at FROM enforcements WHERE id = $1")
            .bind(pick(*i)),
        Change::Unit(i, u) => q("UPDATE enforcements SET unit_id = $1 WHERE id = $2")
            .bind(pools.units[u % pools.units.len()])
            .bind(pick(*i)),
        Change::Enterprise(i, x) => q("UPDATE enforcements SET enterprise_id = $1 WHERE id = $2")
            .bind(pools.enterprises[x % pools.enterprises.len()])
            .bind(pick(*i)),
        Change::Inspected(i, d) => q("UPDATE enforcements SET inspected_on = $1 WHERE id = $2")
            .bind(day_after(*d).to_string())
            .bind(pick(*i)),
        Change::Problems(i, n) => q("UPDATE enforcements SET problem_count = $1 WHERE id = $2")
            .bind(*n)
            .bind(pick(*i)),
        Change::Penalty(i, p) => {
            let (kind, amount) = match p {
                None => (None, None),
                Some(None) => (Some("警告"), None),
                Some(Some(fen)) => (Some("罚款"), Some(*fen)),
            };
            q("UPDATE enforcements SET penalty_kind = $1, penalty_amount_fen = $2 WHERE id = $3")
                .bind(kind)
                .bind(amount)
                .bind(pick(*i))
        }
        Change::Checks(i, principal, heads) => {
            q("UPDATE enforcements SET principal_checked = $1, heads_checked = $2 WHERE id = $3")
                .bind(i64::from(*principal))
                .bind(i64::from(*heads))
                .bind(pick(*i))
        }
        Change::Delete(i) => q("DELETE FROM enforcements WHERE id = $1 AND id > $2")
            .bind(pick(*i))
            .bind(pools.seeded),
    };
    tx.execute(statement).await.unwrap();
}

/// 2022-01-01 plus `d` days.
fn day_after(d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Duration::days(i64::from(d))
}

type Line = (i64, String, i64, i64, i64, i64, i64, i64);

/// The kept tallies with any record (a unit's month that lost its last record reads
/// zeros, as a missing one does).
async fn kept(db: &Db) -> Vec<Line> {
    db.read()
        .all(q("SELECT unit_id, month, inspections, enterprises, problems, penalties, amount_fen, must_checked FROM enforcement_tallies WHERE inspections <> 0 ORDER BY unit_id, month"))
        .await
        .unwrap()
}

/// The same made afresh from the records.
async fn grouped(db: &Db) -> Vec<Line> {
    db.read()
        .all(q("SELECT unit_id, substr(inspected_on, 1, 7) AS month, CAST(COUNT(*) AS BIGINT), CAST(COUNT(DISTINCT enterprise_id) AS BIGINT), \
                CAST(SUM(problem_count) AS BIGINT), CAST(COUNT(penalty_kind) AS BIGINT), CAST(COALESCE(SUM(penalty_amount_fen), 0) AS BIGINT), \
                CAST(SUM(CASE WHEN principal_checked = 1 AND heads_checked = 1 THEN 1 ELSE 0 END) AS BIGINT) \
                FROM enforcements GROUP BY unit_id, substr(inspected_on, 1, 7) ORDER BY 1, 2"))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_enforcement_tallies_equal_a_fresh_grouping_after_any_changes() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let db = app.db.clone();
        let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
        let today = chrono::NaiveDate::from_ymd_opt(2022, 8, 9).unwrap();
        anjian::seed::township_enterprises(&db, now).await.unwrap();
        let seeded = anjian::seed::enforcements(&db, today).await.unwrap();
        assert!(seeded > 0, "{e:?}: the demo's records");
        let pools = &Pools::read(&db).await;
        assert_eq!(kept(&db).await, grouped(&db).await, "{e:?}: seeded");
        proptest_async(
            12,
            &(prop::collection::vec(change(), 1..25), 1usize..5),
            |(changes, per_tx)| {
                let db = db.clone();
                async move {
                    for batch in changes.chunks(per_tx) {
                        let mut tx = db.begin().await.unwrap();
                        for c in batch {
                            apply(&mut tx, pools, c).await;
                        }
                        tx.commit().await.unwrap();
                    }
                    let (k, g) = (kept(&db).await, grouped(&db).await);
                    prop_assert_eq!(
                        k,
                        g,
                        "{:?} after {:?}, {} per transaction",
                        e,
                        changes,
                        per_tx
                    );
                    Ok(())
                }
            },
        );
    }
}
