//! `anjian bench --scale province`: a city or province office above many districts
//! (issue 21 parts 3 and 7). Each district is its own database holding the synthetic
//! district (30 townships, 60 departments, 5,000 enterprises) and its hazards; the
//! office's process is given them all. Times the districts rolled up and ranked
//! (`GET /api/v1/city` and the `/city` page) with each district's July ranking kept, as
//! its own process keeps it after the month, and a district's ledger page beside it.
//! `ANJIAN_BENCH_DISTRICTS` (default 40) and `ANJIAN_BENCH_HAZARDS` (per district,
//! default 25,000) size it; on PostgreSQL the districts are databases `<name>_d1…`
//! created beside the one `--database-url` names. `ANJIAN_BENCH_REUSE=1` reads the
//! districts a previous run left (on PostgreSQL) instead of generating them again.
//! `ANJIAN_BENCH_COPY=1` (PostgreSQL) generates the first district only and creates the
//! others as copies of its database (`CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`):
//! each is still its own database with its own hazards, which makes the province's
//! 10,000,000 hazards (`ANJIAN_BENCH_HAZARDS=250000`) a matter of minutes instead of the
//! two hours that generating them through the write path takes here.

use std::time::Instant;

use anjian_core::monthly_report::Month;
use anjian_store::city::District;

use super::{BenchArgs, CITY_NOW, CITY_PASSWORD, fresh_db, login, start_server, state_at, table};
use crate::seed::{self, Size};
use crate::setup::{Common, open};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

/// District `i`'s PostgreSQL database beside the one `url` names: the server's base
/// URL and the database's name (`<name>_d<i>`).
fn district_name(url: &str, i: usize) -> Result<(String, String), String> {
    let (base, name) = url.rsplit_once('/').ok_or("数据库地址")?;
    let name = name.split('?').next().unwrap_or(name);
    Ok((base.to_string(), format!("{name}_d{i}")))
}

/// Seeds the synthetic district and `per` hazards into `db`: its office's user name and
/// the hazards written.
async fn seed_district(
    db: &anjian_store::Db,
    per: usize,
    hash: &str,
) -> Result<(String, usize), String> {
    let e = |e: anjian_store::Error| e.to_string();
    let seeded = seed::load(db, CITY_NOW, Size::DISTRICT, hash)
        .await
        .map_err(e)?;
    let hazards = seed::city_hazards(db, CITY_NOW, per).await.map_err(e)?;
    db.settle().await.map_err(e)?;
    Ok((seeded.usernames[0].clone(), hazards))
}

/// Drops PostgreSQL database `name` if it exists and creates it empty, or as a copy of
/// `template` (which must have no connection while it is copied).
async fn recreate(
    admin: &anjian_store::Db,
    name: &str,
    template: Option<&str>,
) -> Result<(), String> {
    let create = match template {
        Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t} STRATEGY FILE_COPY"),
        None => format!("CREATE DATABASE {name}"),
    };
    for sql in [format!("DROP DATABASE IF EXISTS {name}"), create] {
        admin
            .read()
            .execute(anjian_store::q(sql))
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A fresh database for district `i`: a SQLite file, or a PostgreSQL database created
/// beside the one the command names.
async fn district_db(c: &Common, i: usize) -> Result<(anjian_store::Db, String), String> {
    match &c.database_url {
        Some(url) if url.starts_with("postgres") => {
            let (base, name) = district_name(url, i)?;
            let admin = anjian_store::Db::connect(url)
                .await
                .map_err(|e| e.to_string())?;
            recreate(&admin, &name, None).await?;
            admin.close().await;
            let url = format!("{base}/{name}");
            Ok((open(&url).await?, url))
        }
        _ => {
            let dir = c.data_dir.join(format!("bench-province-d{i}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let url = format!("sqlite:{}", dir.join("bench.db").display());
            Ok((open(&url).await?, url))
        }
    }
}

/// Generates district 1 (its directory, `per` hazards and its kept July ranking), then
/// creates districts 2..=n as copies of its database. PostgreSQL only.
async fn copy_districts(c: &Common, n: usize, per: usize, hash: &str) -> Result<(), String> {
    let e = |e: anjian_store::Error| e.to_string();
    let url = c.database_url.clone().unwrap_or_default();
    let t = Instant::now();
    let (db, _) = district_db(c, 1).await?;
    seed_district(&db, per, hash).await?;
    let today = anjian_core::time::local_date(CITY_NOW).ok_or("date")?;
    let july = Month::parse("2022-07").map_err(|e| e.message)?;
    anjian_store::rankings::ensure_kept(&db, CITY_NOW, today, july)
        .await
        .map_err(e)?;
    // A template database must have no connection while it is copied.
    db.close().await;
    println!(
        "第1区：{per} 条隐患，生成用时 {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let admin = anjian_store::Db::connect(&url).await.map_err(e)?;
    let (_, first) = district_name(&url, 1)?;
    for i in 2..=n {
        recreate(&admin, &district_name(&url, i)?.1, Some(&first)).await?;
    }
    admin.close().await;
    println!(
        "第2–{n}区：复制第1区的数据库用时 {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common, args: &BenchArgs) -> Result<(), String> {
    let n = env_number("ANJIAN_BENCH_DISTRICTS", 40).clamp(1, 200);
    let per = env_number("ANJIAN_BENCH_HAZARDS", 25_000);
    let e = |e: anjian_store::Error| e.to_string();
    let now = CITY_NOW;
    let today = anjian_core::time::local_date(now).ok_or("date")?;
    let july = Month::parse("2022-07").map_err(|e| e.message)?;
    let hash = anjian_web::password::hash_now(CITY_PASSWORD);
    let on_postgres = c
        .database_url
        .as_deref()
        .is_some_and(|u| u.starts_with("postgres"));
    let copy = on_postgres && std::env::var_os("ANJIAN_BENCH_COPY").is_some();
    if copy {
        copy_districts(c, n, per, &hash).await?;
    }
    let t = Instant::now();
    let mut districts = Vec::with_capacity(n);
    let mut first_office = None;
    let mut hazards = 0;
    for i in 1..=n {
        let reuse = copy || (on_postgres && std::env::var_os("ANJIAN_BENCH_REUSE").is_some());
        let (db, url) = if reuse {
            let (base, name) = district_name(c.database_url.as_deref().unwrap_or_default(), i)?;
            let url = format!("{base}/{name}");
            (open(&url).await?, url)
        } else {
            district_db(c, i).await?
        };
        let office = if reuse {
            hazards +=
                super::count(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM hazards").await? as usize;
            // The phone a previous run enrolled for district 1's office (the one that
            // logs in) lived in that run's memory: this run's login enrols a new one.
            if i == 1 {
                db.read()
                    .execute(anjian_store::q(
                        "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_pending = NULL WHERE username = 'u00000'",
                    ))
                    .await
                    .map_err(e)?;
            }
            // The synthetic district's first account is its office's.
            seed::username(0)
        } else {
            let (office, written) = seed_district(&db, per, &hash).await?;
            hazards += written;
            office
        };
        anjian_store::rankings::ensure_kept(&db, now, today, july)
            .await
            .map_err(e)?;
        // Seeded through a full pool; read by the city through its small one.
        db.close().await;
        let db = anjian_store::city::connect(&url).await.map_err(e)?;
        if first_office.is_none() {
            first_office = Some((url.clone(), office));
        }
        districts.push(District {
            no: i,
            name: format!("第{i}区"),
            db,
        });
    }
    let engine = if c.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "{n} 个区县，每区 30 个镇街、60 个部门、5000 家企业，共 {hazards} 条隐患；生成并保存7月排名用时 {:.1} s（{engine}）",
        t.elapsed().as_secs_f64()
    );
    // The office's own database: a small directory with its administrator.
    let (city_db, city_url, dir) = fresh_db(c, "province").await?;
    let office_size = Size {
        townships: 1,
        departments: 1,
        enterprises: 1,
        users: 4,
    };
    let city_seeded = seed::load(&city_db, now, office_size, &hash)
        .await
        .map_err(e)?;
    let city_base = start_server(state_at(city_db, now).with_districts(districts)).await?;
    let (district_url, district_user) = first_office.ok_or("no district")?;
    // The first district's own process, with its own pool, beside the city's.
    let district_base = start_server(state_at(open(&district_url).await?, now)).await?;
    let client = reqwest::Client::new();
    let office = login(
        &client,
        &city_base,
        &city_seeded.usernames[0],
        CITY_PASSWORD,
    )
    .await?;
    let t = Instant::now();
    let first = super::get_json(
        &client,
        &format!("{city_base}/api/v1/city?month=2022-07"),
        &office,
    )
    .await?;
    println!(
        "首次汇总排名（{} 个区县）：{:.0} ms",
        first["districts"].as_array().map_or(0, Vec::len),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let scenarios: Vec<(&str, String, &String)> = vec![
        (
            "市安委办 各区县汇总排名 API 7月",
            "/api/v1/city?month=2022-07".into(),
            &office,
        ),
        (
            "市安委办 全市汇总页 7月",
            "/city?month=2022-07".into(),
            &office,
        ),
    ];
    table(
        &client,
        &city_base,
        &scenarios,
        args.seconds,
        &[1, args.concurrency],
    )
    .await;
    let district_office = login(&client, &district_base, &district_user, CITY_PASSWORD).await?;
    let scenarios: Vec<(&str, String, &String)> = vec![
        (
            "区安委办 隐患台账第一页（第1区）",
            "/hazards".into(),
            &district_office,
        ),
        (
            "区安委办 隐患台账 整改中（第1区）",
            "/hazards?status=rectifying".into(),
            &district_office,
        ),
        (
            "区安委办 看板 API 7月（第1区）",
            "/api/v1/dashboard?month=2022-07".into(),
            &district_office,
        ),
        (
            "区安委办 隐患统计 按单位（第1区）",
            "/hazards/stats".into(),
            &district_office,
        ),
        (
            "区安委办 隐患统计 按行业（第1区）",
            "/hazards/stats?by=sector".into(),
            &district_office,
        ),
        (
            "区安委办 隐患统计 按月份（第1区）",
            "/hazards/stats?by=month".into(),
            &district_office,
        ),
    ];
    table(
        &client,
        &district_base,
        &scenarios,
        args.seconds,
        &[1, args.concurrency],
    )
    .await;
    super::finish(&city_url, &dir);
    Ok(())
}
