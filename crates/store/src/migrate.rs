//! Plain-SQL migrations, one directory per backend with matching version numbers,
//! embedded in the binary and applied at start-up and by `anjian migrate`.

use crate::db::{Backend, Db, q};
use crate::error::Result;

/// One migration: version, name, SQL for SQLite, SQL for PostgreSQL.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($v:expr, $name:literal) => {
        Migration {
            version: $v,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

/// Every migration in order.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_directory_accounts_audit"),
    migration!(2, "0002_plans"),
    migration!(3, "0003_obligations"),
    migration!(4, "0004_progress_reports"),
    migration!(5, "0005_open_obligations"),
    migration!(6, "0006_calendar"),
    migration!(7, "0007_notifications"),
    migration!(8, "0008_assignment_reviewer"),
    migration!(9, "0009_duty_periods"),
    migration!(10, "0010_obligation_tallies"),
    migration!(11, "0011_hazards"),
    migration!(12, "0012_hazard_listings"),
    migration!(13, "0013_case_obligations"),
    migration!(14, "0014_visits"),
    migration!(15, "0015_hazard_locality"),
    migration!(16, "0016_hazard_scope_indexes"),
    migration!(17, "0017_enforcements"),
    migration!(18, "0018_ranking_accountability_bulletins"),
    migration!(19, "0019_accidents"),
    migration!(20, "0020_tips"),
    migration!(21, "0021_tip_verification"),
    migration!(22, "0022_responsibility"),
    migration!(23, "0023_plan_editor"),
    migration!(24, "0024_accident_readings"),
    migration!(25, "0025_group_membership"),
    migration!(26, "0026_oversight"),
    migration!(27, "0027_daily_entries"),
    migration!(28, "0028_report_counts"),
    migration!(29, "0029_partial_obligation_links"),
    migration!(30, "0030_campaign_grace"),
    migration!(31, "0031_password_history"),
    migration!(32, "0032_keyed_audit_links"),
    migration!(33, "0033_second_factor"),
    migration!(34, "0034_audit_anchor"),
    migration!(35, "0035_projects_contracts_workforce"),
    migration!(36, "0036_one_name_per_sector"),
    migration!(37, "0037_bulletin_drafts"),
    migration!(38, "0038_channels_outbox"),
    migration!(39, "0039_blacklist"),
    migration!(40, "0040_penalty_discretion"),
    migration!(41, "0041_inspection_plans"),
    migration!(42, "0042_enforcement_measures"),
    migration!(43, "0043_deliveries_channel_sent"),
    migration!(44, "0044_crackdown_cases"),
    migration!(45, "0045_accident_investigations"),
    migration!(46, "0046_major_hazards_listed"),
    migration!(47, "0047_people_and_the_year"),
    migration!(48, "0048_experts_and_risk_measures"),
    migration!(49, "0049_shared_rate_limits"),
    migration!(50, "0050_hazard_tallies"),
    migration!(51, "0051_city_listings"),
    migration!(52, "0052_id_nodes"),
    migration!(53, "0053_hazard_tallies_rolled_up"),
    migration!(54, "0054_writes_lock_late"),
    migration!(55, "0055_hazards_by_locality"),
    migration!(56, "0056_obligations_by_assignment"),
    migration!(57, "0057_enforcements_watched"),
    migration!(58, "0058_enforcements_unit_covers_watch"),
    migration!(59, "0059_enforcement_tallies"),
    migration!(60, "0060_obligations_by_assignment_state"),
    migration!(61, "0061_units_not_enterprise"),
    migration!(62, "0062_cross_sector_units"),
    migration!(63, "0063_units_child_count"),
    migration!(64, "0064_cross_sector_units_locks"),
    migration!(65, "0065_units_children_order"),
];

/// Applies the migrations not yet applied; returns how many ran. Safe when several
/// processes start at once (PostgreSQL: an advisory lock; SQLite: `BEGIN IMMEDIATE`).
pub async fn run(db: &Db, now_ms: i64) -> Result<usize> {
    if let Db::Sqlite(pool) = db {
        return run_sqlite(pool, now_ms).await;
    }
    let mut tx = db.begin().await?;
    // Several processes starting together: the first to take this lock migrates, the
    // others wait for its commit and then find nothing left to do.
    tx.execute(q("SELECT pg_advisory_xact_lock(2021202108)"))
        .await?;
    tx.execute(q(
        "CREATE TABLE IF NOT EXISTS anjian_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    ))
    .await?;
    let done: Vec<(i64,)> = tx.all(q("SELECT version FROM anjian_migrations")).await?;
    let mut ran = 0;
    for m in MIGRATIONS {
        if done.iter().any(|(v,)| *v == m.version) {
            continue;
        }
        let sql = match db.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        for stmt in split_statements(sql) {
            tx.execute(q(stmt)).await?;
        }
        tx.execute(
            q("INSERT INTO anjian_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(now_ms),
        )
        .await?;
        ran += 1;
    }
    tx.commit().await?;
    Ok(ran)
}

/// SQLite's migrations run on one connection with foreign keys off, so that a table
/// can be rebuilt (SQLite cannot drop NOT NULL in place) while other tables reference
/// it; when a migration ran, every foreign key is checked before the transaction commits.
async fn run_sqlite(pool: &sqlx::SqlitePool, now_ms: i64) -> Result<usize> {
    let mut conn = pool.acquire().await?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    let ran = apply_sqlite(&mut conn, now_ms).await;
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    ran
}

async fn apply_sqlite(conn: &mut sqlx::SqliteConnection, now_ms: i64) -> Result<usize> {
    use sqlx::Connection;
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS anjian_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
        .execute(&mut *tx)
        .await?;
    let done: Vec<(i64,)> = sqlx::query_as("SELECT version FROM anjian_migrations")
        .fetch_all(&mut *tx)
        .await?;
    let mut ran = 0;
    for m in MIGRATIONS {
        if done.iter().any(|(v,)| *v == m.version) {
            continue;
        }
        for stmt in split_statements(m.sqlite) {
            // Our own embedded migration text, not user input.
            sqlx::query(sqlx::AssertSqlSafe(stmt))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO anjian_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        ran += 1;
    }
    // Only after a migration ran: the check reads every table, and on the SQLite city
    // (1.8 GB) it took 10 s of each start-up with nothing to check.
    let broken = if ran > 0 {
        sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut *tx)
            .await?
    } else {
        Vec::new()
    };
    if !broken.is_empty() {
        return Err(crate::error::Error::Config(format!(
            "迁移后有 {} 条外键引用不存在的记录",
            broken.len()
        )));
    }
    tx.commit().await?;
    Ok(ran)
}

/// Splits a migration into statements on `;` at line ends, dropping comment lines.
fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    // Inside a PostgreSQL `$$` body, or a SQLite trigger's `BEGIN … END;`, a `;` ends
    // a statement of the body, not the migration's statement.
    let (mut dollar, mut block) = (false, false);
    for line in sql.lines() {
        let t = line.trim();
        if t.starts_with("--") || t.is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if t.matches("$$").count() % 2 == 1 {
            dollar = !dollar;
        }
        if !dollar && t.eq_ignore_ascii_case("BEGIN") {
            block = true;
        }
        if !dollar && block && t.eq_ignore_ascii_case("END;") {
            block = false;
        }
        if t.ends_with(';') && !dollar && !block {
            out.push(cur.trim().trim_end_matches(';').to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(dir: &str) -> Vec<String> {
        let path = format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
        let mut v: Vec<String> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn both_backends_hold_the_same_versions() {
        let s = versions("sqlite");
        assert_eq!(s, versions("postgres"));
        let embedded: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{}.sql", m.name))
            .collect();
        assert_eq!(
            s, embedded,
            "every migration file must be listed in MIGRATIONS"
        );
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)));
        }
    }

    #[test]
    fn statements_split_at_semicolons() {
        let s = split_statements("-- c\nCREATE TABLE a (x BIGINT);\nINSERT INTO a\nVALUES (1);\n");
        assert_eq!(
            s,
            vec!["CREATE TABLE a (x BIGINT)", "INSERT INTO a\nVALUES (1)"]
        );
    }
}
