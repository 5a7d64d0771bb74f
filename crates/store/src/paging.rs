//! Keyset pages of the lists that are read newest first: a page starts after the last
//! row of the previous one (named by its id) and holds at most a bounded number of rows.

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
