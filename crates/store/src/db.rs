//! One database handle over SQLite or PostgreSQL, chosen by the URL at run time.
//!
//! Every query is one SQL text with `$1…$n` parameters, run unchanged on both drivers
//! (sqlx's SQLite driver numbers `$n` parameters like PostgreSQL). Rows decode through
//! `sqlx::FromRow`, derived once and compiled for both row types.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{
    Arguments, AssertSqlSafe, Database, Encode, FromRow, PgPool, Postgres, Sqlite, SqlitePool,
    Transaction, Type,
};

use crate::error::{Error, Result};

/// A value bound to a `$n` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Int(Some(i64::from(v)))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_string))
    }
}

/// A multi-row `INSERT`: `head` is `INSERT INTO t (a, b) VALUES `, each row its values
/// in column order. One statement for many rows: one round trip on PostgreSQL (an
/// import of 100,000 hazards made 400,000 single-row round trips and took 43.7 s).
pub fn insert_rows<'a>(head: &str, rows: impl IntoIterator<Item = &'a Vec<Arg>>) -> Q {
    let mut query = q(head);
    for (i, row) in rows.into_iter().enumerate() {
        query = query.push(if i == 0 { "(" } else { ", (" });
        for (j, v) in row.iter().enumerate() {
            if j > 0 {
                query = query.push(", ");
            }
            query = query.push_bind(v.clone());
        }
        query = query.push(")");
    }
    query
}

/// A query: SQL text plus its arguments in `$n` order.
#[derive(Debug, Clone)]
pub struct Q {
    sql: String,
    args: Vec<Arg>,
}

/// A `LIKE` pattern matching text that contains the search term `s` (its own `%` and
/// `_` dropped, so that a term cannot widen the match).
pub fn contains(s: &str) -> String {
    format!("%{}%", s.replace(['%', '_'], ""))
}

/// Starts a query from SQL text.
pub fn q(sql: impl Into<String>) -> Q {
    Q {
        sql: sql.into(),
        args: Vec::new(),
    }
}

impl Q {
    /// Binds the next `$n`.
    pub fn bind(mut self, v: impl Into<Arg>) -> Self {
        self.args.push(v.into());
        self
    }

    /// Appends text to the SQL (for builders that compose predicates).
    pub fn push(mut self, sql: &str) -> Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends `$n` for a new argument and binds it.
    pub fn push_bind(mut self, v: impl Into<Arg>) -> Self {
        self.args.push(v.into());
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Appends `$a, $b, …` binding each of `ids` (for `IN (…)`; the caller writes the
    /// parentheses and never passes an empty list).
    pub fn push_list(mut self, ids: &[i64]) -> Self {
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self = self.push(", ");
            }
            self = self.push_bind(*id);
        }
        self
    }

    /// The number of bound arguments so far.
    pub fn arg_count(&self) -> usize {
        self.args.len()
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The statement as SQLite is given it. SQLite finds a numbered parameter's name by
    /// a linear scan at every bind, so a statement of 3,000 `$N` parameters (a 300-row
    /// insert) spent more time binding than writing: an obligation row cost 60 µs
    /// against 22 µs in SQLite itself. When the parameters appear once each and in
    /// order, as the builders write them, they become anonymous `?`, bound by position.
    fn sqlite_sql(&self) -> String {
        if self.args.len() < 16 {
            return self.sql.clone();
        }
        let bytes = self.sql.as_bytes();
        let mut out = String::with_capacity(self.sql.len());
        let (mut expected, mut copied, mut i, mut quoted) = (1usize, 0usize, 0usize, false);
        while i < bytes.len() {
            match bytes[i] {
                b'\'' => quoted = !quoted,
                b'$' if !quoted => {
                    let digits = bytes[i + 1..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    if digits > 0 {
                        let end = i + 1 + digits;
                        if self.sql[i + 1..end].parse::<usize>().ok() != Some(expected) {
                            return self.sql.clone();
                        }
                        expected += 1;
                        out.push_str(&self.sql[copied..i]);
                        out.push('?');
                        copied = end;
                        i = end;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        if expected - 1 != self.args.len() {
            return self.sql.clone();
        }
        out.push_str(&self.sql[copied..]);
        out
    }

    fn arguments<DB: Database>(&self) -> Result<DB::Arguments>
    where
        for<'a> Option<i64>: Encode<'a, DB> + Type<DB>,
        for<'a> Option<String>: Encode<'a, DB> + Type<DB>,
    {
        let mut a = DB::Arguments::default();
        for v in &self.args {
            match v {
                Arg::Int(i) => a.add(*i),
                Arg::Text(t) => a.add(t.clone()),
            }
            .map_err(Error::Encode)?;
        }
        Ok(a)
    }
}

/// A row type that decodes on both backends.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// Which engine a handle talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: a typed pool of one backend.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `command` (ANALYZE, VACUUM) on the product's own tables of the current schema
/// in one statement: database-wide, as a non-superuser, PostgreSQL prints a warning for
/// every system table it may not touch (issue 21: "skipping pg_toast_… --- only
/// superuser can analyze it" on a newcomer's first screen).
async fn own_tables(p: &PgPool, command: &str) -> Result<()> {
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
    )
    .fetch_all(p)
    .await?;
    if tables.is_empty() {
        return Ok(());
    }
    let list = tables
        .iter()
        .map(|(t,)| format!("\"{}\"", t.replace('"', "")))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(sqlx::AssertSqlSafe(format!("{command} {list}")))
        .execute(p)
        .await?;
    Ok(())
}

/// An open transaction. Dropped without `commit` it rolls back, so nothing is
/// half-written.
#[derive(Debug)]
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Generates the four fetch/execute methods for a connection-like receiver.
macro_rules! run_methods {
    ($recv:ty, $sqlite:pat => $sconn:expr, $pg:pat => $pconn:expr) => {
        impl $recv {
            /// Runs a statement; returns the affected row count.
            pub async fn execute(self: &mut Self, query: Q) -> Result<u64> {
                match self {
                    $sqlite => Ok(sqlx::query_with(
                        AssertSqlSafe(query.sqlite_sql()),
                        query.arguments::<Sqlite>()?,
                    )
                    .execute($sconn)
                    .await?
                    .rows_affected()),
                    $pg => Ok(sqlx::query_with(
                        AssertSqlSafe(query.sql.clone()),
                        query.arguments::<Postgres>()?,
                    )
                    .execute($pconn)
                    .await?
                    .rows_affected()),
                }
            }

            /// Fetches every row.
            pub async fn all<T: Row>(self: &mut Self, query: Q) -> Result<Vec<T>> {
                match self {
                    $sqlite => Ok(sqlx::query_as_with::<_, T, _>(
                        AssertSqlSafe(query.sqlite_sql()),
                        query.arguments::<Sqlite>()?,
                    )
                    .fetch_all($sconn)
                    .await?),
                    $pg => Ok(sqlx::query_as_with::<_, T, _>(
                        AssertSqlSafe(query.sql.clone()),
                        query.arguments::<Postgres>()?,
                    )
                    .fetch_all($pconn)
                    .await?),
                }
            }

            /// Fetches at most one row.
            pub async fn opt<T: Row>(self: &mut Self, query: Q) -> Result<Option<T>> {
                match self {
                    $sqlite => Ok(sqlx::query_as_with::<_, T, _>(
                        AssertSqlSafe(query.sqlite_sql()),
                        query.arguments::<Sqlite>()?,
                    )
                    .fetch_optional($sconn)
                    .await?),
                    $pg => Ok(sqlx::query_as_with::<_, T, _>(
                        AssertSqlSafe(query.sql.clone()),
                        query.arguments::<Postgres>()?,
                    )
                    .fetch_optional($pconn)
                    .await?),
                }
            }

            /// Fetches exactly one row; none is `Error::NotFound`.
            pub async fn one<T: Row>(self: &mut Self, query: Q) -> Result<T> {
                self.opt(query).await?.ok_or(Error::NotFound)
            }
        }
    };
}

/// A borrowed pool, so `Db` reads use the same methods as transactions.
pub struct PoolRef<'a>(&'a Db);

run_methods!(PoolRef<'_>, PoolRef(Db::Sqlite(p)) => p, PoolRef(Db::Postgres(p)) => p);
run_methods!(Tx, Tx::Sqlite(t) => &mut **t, Tx::Postgres(t) => &mut **t);

/// Where reads go: the pool, or a transaction whose own uncommitted writes they must
/// see (the directory read again after a unit is registered, inside the same action).
pub enum Conn<'a> {
    Pool(&'a Db),
    Tx(&'a mut Tx),
}

impl Conn<'_> {
    /// Fetches every row.
    pub async fn all<T: Row>(&mut self, query: Q) -> Result<Vec<T>> {
        match self {
            Conn::Pool(db) => db.read().all(query).await,
            Conn::Tx(tx) => tx.all(query).await,
        }
    }
}

impl Db {
    /// Connects to `url`: `sqlite:PATH` (created if missing; WAL, foreign keys, busy
    /// timeout) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        let pool = std::env::var("ANJIAN_DB_POOL")
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|n| (1..=256).contains(n));
        Db::connect_with(url, pool).await
    }

    /// Connects with at most `max_connections` pooled connections (default: 16 on
    /// PostgreSQL, 4 on SQLite, where each connection is a thread and writes serialise).
    pub async fn connect_with(url: &str, max_connections: Option<u32>) -> Result<Db> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // No JIT compilation: PostgreSQL compiles a query whose estimated cost passes
            // `jit_above_cost`, and for the product's short queries that costs more than
            // it saves (measured over the city's million hazards: the quota page's
            // officials query spent 32 ms of its 300 ms compiling, 226 ms without).
            let opts = sqlx::postgres::PgConnectOptions::from_str(url)?.options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(max_connections.unwrap_or(16))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // A 32 MiB page cache per connection (SQLite's default is 2 MiB): a
                // campaign's expansion writes every obligation through fourteen indexes.
                .pragma("cache_size", "-32768");
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections.unwrap_or(4))
                .min_connections(1)
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(Error::Config(format!(
                "数据库地址须以 sqlite: 或 postgres:// 开头：{url}"
            )))
        }
    }

    /// A second, small pool on the same database for work done apart from the requests
    /// (the outbox's dispatcher on its own thread and runtime): on PostgreSQL `max`
    /// connections of its own, opened by the runtime that first uses them, so that no
    /// request waits on a socket another thread's runtime drives; on SQLite the same
    /// pool (its connections are threads, not sockets of a runtime, and writes
    /// serialise anyway). Call it inside the runtime that will use it.
    pub fn apart(&self, max: u32) -> Db {
        match self {
            Db::Sqlite(_) => self.clone(),
            Db::Postgres(p) => Db::Postgres(
                PgPoolOptions::new()
                    .max_connections(max.max(1))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_lazy_with((*p.connect_options()).clone()),
            ),
        }
    }

    /// The engine behind this handle.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The pool's connections: (open, idle), for the metrics.
    pub fn pool_use(&self) -> (u32, usize) {
        match self {
            Db::Sqlite(p) => (p.size(), p.num_idle()),
            Db::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    /// The pool, for single-statement reads.
    pub fn read(&self) -> PoolRef<'_> {
        PoolRef(self)
    }

    /// Begins a read-then-write transaction. On SQLite it is `BEGIN IMMEDIATE`, so the
    /// write lock is taken up front and two writers never deadlock on an upgrade.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Refreshes the query planner's statistics. SQLite plans without statistics until
    /// `ANALYZE` runs, and then picks, for example, the state index over the partial
    /// index of open obligations for the overdue list (144 ms against 0.3 ms over 509,000
    /// rows); it runs at start-up and after bulk writes, on PostgreSQL too.
    pub async fn analyze(&self) -> Result<()> {
        match self {
            // A full ANALYZE: with sampled statistics (`PRAGMA analysis_limit = 2000`)
            // SQLite went back to the state index for the office's overdue list (150 ms
            // p50 against 1.1 ms over 509,000 obligations).
            Db::Sqlite(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
                // Every other pooled connection keeps the statistics it read with the
                // schema until the schema changes: recreating a view makes each reload
                // them on its next statement. Without it, connections opened before a
                // bulk load planned a township's major hazards over the level index
                // (69 ms p50 against 4 ms over 1,000,000 hazards).
                sqlx::query("DROP VIEW IF EXISTS statistics_loaded")
                    .execute(p)
                    .await?;
                sqlx::query("CREATE VIEW statistics_loaded AS SELECT 1 AS loaded")
                    .execute(p)
                    .await?;
            }
            // Autovacuum gets there too, but only after the first requests have been
            // planned without statistics (measured: a township's to-do list at 15.9 ms
            // p50 right after 509,000 obligations were written, 0.4 ms once analysed).
            // The product's own tables only: a database-wide ANALYZE run as a
            // non-superuser prints a warning for every system table it may not analyze
            // (issue 21: "skipping pg_toast_… --- only superuser can analyze it").
            Db::Postgres(p) => own_tables(p, "ANALYZE").await?,
        }
        Ok(())
    }

    /// After a bulk write: [`Db::analyze`], and on PostgreSQL `VACUUM` as well, which
    /// marks the new pages all-visible so the statistics read covering indexes alone
    /// (index-only scans) at once instead of after autovacuum's next round (a
    /// department's statistics over 1,000,000 hazards: 139 ms p50).
    pub async fn settle(&self) -> Result<()> {
        match self {
            Db::Sqlite(_) => self.analyze().await,
            Db::Postgres(p) => own_tables(p, "VACUUM (ANALYZE)").await,
        }
    }

    /// After a bulk write of `rows` rows into `table`: [`Db::settle`] when the planner's
    /// statistics no longer describe the table (none yet, or the write adds a tenth or
    /// more of the rows they counted), otherwise nothing. Statistics that are still
    /// proportionally right keep the plans right, and a full `ANALYZE` grows with the
    /// whole database: a plan launched into one holding 509,000 obligations spent 1.9 s
    /// of its 2.0 s there.
    pub async fn settle_after(&self, table: &'static str, rows: usize) -> Result<()> {
        let counted: Option<i64> = match self {
            Db::Sqlite(p) => {
                let has: Option<(String,)> = sqlx::query_as(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
                )
                .fetch_optional(p)
                .await?;
                match has {
                    None => None,
                    Some(_) => {
                        // Each index's row starts with the rows it counted; a partial
                        // index counts only its own, so the table's is the largest.
                        let stats: Vec<(String,)> =
                            sqlx::query_as("SELECT stat FROM sqlite_stat1 WHERE tbl = ?")
                                .bind(table)
                                .fetch_all(p)
                                .await?;
                        stats
                            .iter()
                            .filter_map(|(s,)| s.split(' ').next()?.parse::<i64>().ok())
                            .max()
                    }
                }
            }
            Db::Postgres(p) => {
                let (n,): (f64,) = sqlx::query_as(
                    "SELECT COALESCE(MAX(reltuples), -1)::float8 FROM pg_class WHERE relname = $1",
                )
                .bind(table)
                .fetch_one(p)
                .await?;
                (n >= 0.0).then_some(n as i64)
            }
        };
        match counted {
            Some(n) if (rows as i64).saturating_mul(10) < n => Ok(()),
            _ => self.settle().await,
        }
    }

    /// Lets SQLite refresh only the statistics that are stale (`PRAGMA optimize`): cheap
    /// enough for the periodic job; start-up calls [`Db::analyze`], bulk writes [`Db::settle`].
    pub async fn optimize(&self) -> Result<()> {
        if let Db::Sqlite(p) = self {
            sqlx::query("PRAGMA optimize").execute(p).await?;
        }
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    /// On PostgreSQL, refreshes the planner's statistics of `tables` inside this
    /// transaction (it counts the rows written so far). A bulk write calls it once the
    /// tables have a few thousand rows: PostgreSQL plans each foreign-key check once per
    /// connection, and planned against small tables the checks scanned the growing
    /// parent table for every new row (a 1,000,000-hazard load wrote 8% in 14 minutes;
    /// statistics taken at 150 rows still chose the scan). New statistics invalidate
    /// those plans. SQLite checks keys by primary key and needs nothing here.
    pub async fn analyze(&mut self, tables: &[&'static str]) -> Result<()> {
        if let Tx::Postgres(t) = self {
            for table in tables {
                sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table}")))
                    .execute(&mut **t)
                    .await?;
            }
        }
        Ok(())
    }

    /// Commits.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// The engine behind this transaction.
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A day as stored: `YYYY-MM-DD` text, which sorts as dates do.
pub fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::q;

    fn many(n: usize) -> super::Q {
        (0..n).fold(q("INSERT INTO t (a) VALUES "), |query, i| {
            query
                .push(if i == 0 { "(" } else { ", (" })
                .push_bind(i as i64)
                .push(")")
        })
    }

    #[test]
    fn sqlite_gets_positional_parameters_when_they_run_in_order() {
        let query = many(20);
        let sql = query.sqlite_sql();
        assert!(sql.starts_with("INSERT INTO t (a) VALUES (?), (?)"));
        assert!(!sql.contains('$'));
        assert_eq!(sql.matches('?').count(), 20);
    }

    #[test]
    fn sqlite_keeps_numbered_parameters_used_twice_or_out_of_order_or_quoted() {
        let twice = (0..20).fold(q("SELECT $1, $1"), |query, i| query.bind(i as i64));
        assert_eq!(twice.sqlite_sql(), "SELECT $1, $1");
        let quoted = many(20).push(" WHERE b = '$1'");
        assert!(quoted.sqlite_sql().ends_with("WHERE b = '$1'"));
        assert!(!quoted.sqlite_sql().contains("$2"));
        let few = q("SELECT $1").bind(1);
        assert_eq!(few.sqlite_sql(), "SELECT $1");
    }
}
