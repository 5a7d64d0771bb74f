//! Keyset pages of the lists that are read newest first: a page starts after the last
//! row of the previous one (named by its id) and holds at most a bounded number of rows.

use crate::db::Q;
use crate::scope::Scope;

/// A page of a list: the rows after row `after` (the last of the previous page), at
/// most `limit` (held to 1–[`MAX_LIMIT`] when read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub after: Option<i64>,
    pub limit: i64,
}

/// The most rows a page may hold.
pub const MAX_LIMIT: i64 = 1000;

impl Page {
    /// The first `limit` rows.
    pub fn first(limit: i64) -> Page {
        Page { after: None, limit }
    }

    /// The page size as a query binds it: 1–[`MAX_LIMIT`].
    pub fn limit(&self) -> i64 {
        self.limit.clamp(1, MAX_LIMIT)
    }

    /// What names the next page: `key` of the last row, when `rows` fill this page
    /// (a shorter page is the last).
    pub fn next<T, K>(&self, rows: &[T], key: impl FnOnce(&T) -> K) -> Option<K> {
        (rows.len() as i64 >= self.limit())
            .then(|| rows.last().map(key))
            .flatten()
    }
}

/// Appends " AND (`key`) < (the same key of row `after`)" to a list read newest first
/// by a key of several columns (a day, then the id), the cursor row read in `scope`:
/// `cursor` selects the key of a row `c` joined to its unit as `cu` and ends in
/// `WHERE c.id = `. A row that does not exist, or that the caller may not see, orders
/// nothing: the page is empty, and a cursor tells nothing of where another unit's row
/// falls.
pub fn before_row(query: Q, scope: &Scope, key: &str, cursor: &str, after: i64) -> Q {
    scope
        .units(
            query
                .push(&format!(" AND ({key}) < ({cursor}"))
                .push_bind(after)
                .push(" AND "),
            "cu",
        )
        .push(")")
}
