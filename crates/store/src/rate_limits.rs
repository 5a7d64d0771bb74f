//! Rate limits shared by every server process: requests are counted per (limit, client
//! address, minute) in the database, so that a limit holds whichever process the load
//! balancer picks. The count is a sliding window estimated from the current and the
//! previous minute (the previous minute weighted by how much of it still lies within
//! the last 60 seconds), so that a client cannot double its budget at a minute's edge.

use crate::db::{Db, q};
use crate::error::Result;

const MINUTE_MS: i64 = 60_000;

/// Counts one request of `client` against `bucket` at `now_ms` and answers whether it
/// stays within `per_minute`. One short transaction: the counter's upsert and the
/// previous minute's read.
pub async fn allow(
    db: &Db,
    bucket: &str,
    client: &str,
    per_minute: u32,
    now_ms: i64,
) -> Result<bool> {
    let minute = now_ms.div_euclid(MINUTE_MS);
    let mut tx = db.begin().await?;
    let (hits,): (i64,) = tx
        .one(
            q("INSERT INTO rate_counts (bucket, client, minute, hits) VALUES ($1, $2, $3, 1) ON CONFLICT (bucket, client, minute) DO UPDATE SET hits = rate_counts.hits + 1 RETURNING hits")
                .bind(bucket)
                .bind(client)
                .bind(minute),
        )
        .await?;
    let previous: Option<(i64,)> = tx
        .opt(
            q("SELECT hits FROM rate_counts WHERE bucket = $1 AND client = $2 AND minute = $3")
                .bind(bucket)
                .bind(client)
                .bind(minute - 1),
        )
        .await?;
    tx.commit().await?;
    Ok(within(
        hits,
        previous.map_or(0, |(n,)| n),
        now_ms.rem_euclid(MINUTE_MS),
        per_minute,
    ))
}

/// Whether `hits` this minute plus the part of `previous` still inside the sliding
/// minute (`elapsed_ms` into the current one) stay within `per_minute`.
fn within(hits: i64, previous: i64, elapsed_ms: i64, per_minute: u32) -> bool {
    let carried = previous * (MINUTE_MS - elapsed_ms) / MINUTE_MS;
    hits + carried <= i64::from(per_minute)
}

/// Forgets the counts of minutes before the previous one; answers how many rows went.
pub async fn sweep(db: &Db, now_ms: i64) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            q("DELETE FROM rate_counts WHERE minute < $1").bind(now_ms.div_euclid(MINUTE_MS) - 1),
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::within;

    #[test]
    fn the_previous_minute_counts_for_the_part_still_inside_the_window() {
        // 60 a minute: 60 requests at the very end of one minute leave no room at the
        // start of the next, half the room half a minute later.
        assert!(!within(1, 60, 0, 60));
        assert!(within(30, 60, 30_000, 60));
        assert!(!within(31, 60, 30_000, 60));
        assert!(within(60, 0, 59_999, 60));
        assert!(!within(61, 0, 0, 60));
    }
}
