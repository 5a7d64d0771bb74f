//! `anjian bench --scale workforce`: the synthetic city (1,000 townships, 200,000
//! registered enterprises) with measures 七–九 at city scale: 20,000 projects, 200,000
//! contracts and 2,000,000 workers on the enterprises' rosters, the server's clock at
//! 15 August 2022. Times an enterprise's roster (page and API), a sector department's
//! flag list (keyset-paged, page and API), the project register and a project's chain
//! over HTTP, and a 10,000-row roster import with the process's memory before and after
//! (issue 23 part 10: roster and flag list p95 < 50 ms, the import < 10 s in flat
//! memory).

use std::time::Instant;

use super::memory::rss_kib;
use super::{BenchArgs, CITY_NOW, CITY_PASSWORD, city, finish, login, serve_at, table};
use crate::seed;
use crate::setup::Common;

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common, args: &BenchArgs) -> Result<(), String> {
    let t = Instant::now();
    let (db, url, dir, engine, seeded) = city(c, "workforce").await?;
    let e = |e: anjian_store::Error| e.to_string();
    seed::responsibility::city(&db, CITY_NOW).await.map_err(e)?;
    let keys = anjian_core::sealed::Keyring::from_secret([7u8; 32]);
    let (projects, contracts, workers) = seed::measures::city(&db, &keys, CITY_NOW)
        .await
        .map_err(e)?;
    db.settle().await.map_err(e)?;
    db.analyze().await.map_err(e)?;
    println!(
        "城市规模：{projects} 个建设项目，{contracts} 份合同，{workers} 名从业人员（200,000 家企业）；生成用时 {:.1} s（{engine}）",
        t.elapsed().as_secs_f64()
    );
    // An enterprise of the first township, and a department that supervises sectors.
    let (ent, town): (i64, i64) = db
        .read()
        .one(anjian_store::q(
            "SELECT unit_id, township_id FROM enterprises ORDER BY unit_id LIMIT 1",
        ))
        .await
        .map_err(e)?;
    let (dept_user, sector): (String, String) = db
        .read()
        .one(anjian_store::q("SELECT us.username, s.name FROM users us JOIN unit_sectors ds ON ds.unit_id = us.unit_id JOIN units d ON d.id = us.unit_id JOIN sectors s ON s.id = ds.sector_id WHERE d.kind = 'department' ORDER BY us.id LIMIT 1"))
        .await
        .map_err(e)?;
    let (town_user,): (String,) = db
        .read()
        .one(anjian_store::q("SELECT username FROM users WHERE unit_id = $1").bind(town))
        .await
        .map_err(e)?;
    let (project,): (i64,) = db
        .read()
        .one(anjian_store::q(
            "SELECT id FROM projects ORDER BY id LIMIT 1",
        ))
        .await
        .map_err(e)?;
    let base = serve_at(db.clone(), CITY_NOW).await?;
    let client = reqwest::Client::new();
    let office = login(&client, &base, &seeded.usernames[0], CITY_PASSWORD).await?;
    let township = login(&client, &base, &town_user, CITY_PASSWORD).await?;
    let department = login(&client, &base, &dept_user, CITY_PASSWORD).await?;
    // The second page of the department's list, by its keyset.
    let first: serde_json::Value = super::get_json(
        &client,
        &format!("{base}/api/v1/workers/flags"),
        &department,
    )
    .await?;
    let last = first
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_default();
    let second = format!(
        "/api/v1/workers/flags?after_count={}&after_id={}",
        last["dispatched_flexible"], last["enterprise_id"]
    );
    let sector_q = format!("/api/v1/workers/flags?sector={}", urlencode(&sector));
    let scenarios: Vec<(&str, String, &String)> = vec![
        (
            "区安委办 企业名册页",
            format!("/enterprises/{ent}/workers"),
            &office,
        ),
        (
            "镇街 企业名册 API",
            format!("/api/v1/enterprises/{ent}/workers"),
            &township,
        ),
        (
            "部门 重点监管清单 API 第1页",
            "/api/v1/workers/flags".into(),
            &department,
        ),
        ("部门 重点监管清单 API 第2页", second, &department),
        ("部门 重点监管清单 API 按行业", sector_q, &department),
        ("部门 重点监管清单页", "/workers/flags".into(), &department),
        ("区安委办 项目清单 API", "/api/v1/projects".into(), &office),
        (
            "区安委办 项目发包分包 API",
            format!("/api/v1/projects/{project}/contracts"),
            &office,
        ),
        ("镇街 项目清单 API", "/api/v1/projects".into(), &township),
    ];
    table(
        &client,
        &base,
        &scenarios,
        args.seconds,
        &[1, args.concurrency],
    )
    .await;
    // A 10,000-row roster import through the API, with the process's memory.
    let sheet = roster_sheet(10_000)?;
    let (rss0, _) = rss_kib();
    let t = Instant::now();
    let part = reqwest::multipart::Part::bytes(sheet.clone()).file_name("roster.xlsx");
    let r = client
        .post(format!("{base}/api/v1/enterprises/{ent}/workers/import"))
        .header("cookie", &office)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    let took = t.elapsed().as_secs_f64();
    let (rss1, hwm) = rss_kib();
    println!(
        "\n名册导入 10,000 行（{} KB .xlsx，经 API）：{status}，用时 {took:.2} s（目标 < 10 s）；进程内存 导入前 {} MB，导入后 {} MB，峰值 {} MB",
        sheet.len() / 1024,
        rss0 / 1024,
        rss1 / 1024,
        hwm / 1024
    );
    if !status.is_success() {
        println!("{body}");
    }
    finish(&url, &dir);
    Ok(())
}

/// A roster sheet of `rows` valid rows, written as the export writes sheets.
fn roster_sheet(rows: usize) -> Result<Vec<u8>, String> {
    let rows: Vec<Vec<String>> = (0..rows)
        .map(|r| {
            vec![
                format!("导入工人{r}"),
                seed::measures::id_number_for(3_000_000 + r),
                "灵活用工".into(),
                "装卸工".into(),
                "是".into(),
                "否".into(),
                String::new(),
                "2022-03-01".into(),
                "24".into(),
                "合格".into(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    anjian_core::sheet::table("名册", &anjian_core::worker::HEADERS, &rows)
        .map_err(|e| e.to_string())
}

fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
