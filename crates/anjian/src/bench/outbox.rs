//! `anjian bench --scale outbox`: 10,000 messages through the outbox to a local receiver
//! (a signed webhook per unit, the district's 90 townships, zones and departments × 112
//! warnings), sent by two dispatchers on one
//! database as two server processes would, each with its own connections; prints the
//! time until every message is sent and checks that none arrived twice. A township's
//! to-do page is measured at rest and while the outbox drains (its p95 should stay
//! within 20% of the value at rest).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anjian_web::{AppState, WebConfig};

use super::{FixedClock, fresh_db};
use crate::seed::{self, Size};
use crate::setup::Common;

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common) -> Result<(), String> {
    let (db, url, dir) = fresh_db(c, "outbox").await?;
    let e = |e: anjian_store::Error| e.to_string();
    let now = 1_660_521_600_000; // 2022-08-15 08:00 Shanghai
    let password = "Bench#2022pass";
    let seeded = seed::load(
        &db,
        now,
        Size::DISTRICT,
        &anjian_web::password::hash_now(password),
    )
    .await
    .map_err(e)?;
    // The receiver: answers every POST at once and keeps its idempotency key.
    let keys: Arc<Mutex<Vec<String>>> = Default::default();
    let k = keys.clone();
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let k = k.clone();
        async move {
            let key = headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            k.lock().map(|mut v| v.push(key)).ok();
            "{}"
        }
    });
    // It stands for the vendors' servers, elsewhere in production: here a thread and
    // runtime of its own, at the requests' priority, as another process would be.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let receiver = listener.local_addr().map_err(|e| e.to_string())?;
    anjian_web::background::apart("bench-receiver", 0, move || async move {
        if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
            axum::serve(listener, app).await.ok();
        }
    })
    .map_err(|e| e.to_string())?;
    // One key for every process (as they share the secret key file).
    let shared = WebConfig {
        outbound_allow: vec![receiver.to_string()],
        ..WebConfig::default()
    };
    let config = || shared.clone();
    // The dispatchers' clock stands after every warning was issued.
    let state =
        |config: WebConfig| AppState::new(db.clone(), Arc::new(FixedClock(now + 1000)), config);
    let office = anjian_store::Actor::system("bench");
    let office = anjian_store::Actor {
        role: "office_admin".into(),
        ..office
    };
    let units: Vec<(i64,)> = db
        .read()
        .all(anjian_store::q(
            "SELECT id FROM units WHERE kind IN ('township', 'zone_committee', 'department') AND active = 1 ORDER BY id LIMIT 100",
        ))
        .await
        .map_err(e)?;
    let units: Vec<i64> = units.into_iter().map(|(u,)| u).collect();
    let first = state(config());
    for (i, u) in units.iter().enumerate() {
        let mut nonce = [[0u8; 24]; 2];
        nonce[0][0] = i as u8;
        nonce[1][1] = i as u8;
        anjian_store::outbox::create_channel(
            &db,
            &first.config.keyring,
            nonce,
            now,
            &office,
            &first.config.outbound_allow,
            &anjian_store::outbox::NewChannel {
                unit: *u,
                vendor: "webhook".into(),
                url: format!("http://{receiver}/hook/{u}"),
                secret: "bench".into(),
                ..Default::default()
            },
        )
        .await
        .map_err(e)?;
    }
    let t = Instant::now();
    // Warnings enough for 10,000 messages (the district has 90 such units).
    let rounds = 10_000usize.div_ceil(units.len().max(1)) as i64;
    for n in 0..rounds {
        anjian_store::warnings::issue(
            &db,
            now + n,
            &office,
            &anjian_store::warnings::NewWarning {
                kind: "weather".into(),
                title: format!("第{n}号预警"),
                body: "请立即落实防范措施".into(),
                answer_by: now + 3_600_000,
                units: units.clone(),
            },
        )
        .await
        .map_err(e)?;
    }
    let (queued, due): (i64, i64) = db
        .read()
        .one(anjian_store::q(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(SUM(CASE WHEN next_at <= $1 THEN 1 ELSE 0 END) AS BIGINT) FROM deliveries",
        ).bind(now + 1000))
        .await
        .map_err(e)?;
    println!(
        "{queued} 条消息入队（{due} 条到期；{} 个单位 × {rounds} 次预警），用时 {:.1} s",
        units.len(),
        t.elapsed().as_secs_f64()
    );
    // A township's to-do page, at rest.
    let base = super::serve_at(db.clone(), now + 1000).await?;
    let client = reqwest::Client::new();
    let town = super::login(&client, &base, &seeded.usernames[1], password).await?;
    let todo = format!("{base}/todo");
    let rest = super::load(
        "GET /todo（静止）",
        &client,
        todo.clone(),
        None,
        town.clone(),
        5,
        2,
    )
    .await;
    let rest_p95 = p95(&rest.latencies);
    // Two dispatchers, each with its own state and client, until nothing is due, while
    // two clients keep asking for the to-do page.
    let draining = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let pages = (0..2)
        .map(|_| {
            let (client, url, cookie, draining) =
                (client.clone(), todo.clone(), town.clone(), draining.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while draining.load(std::sync::atomic::Ordering::SeqCst) {
                    let t = Instant::now();
                    if let Ok(r) = client.get(&url).header("cookie", &cookie).send().await
                        && r.status().is_success()
                    {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                }
                lat
            })
        })
        .collect::<Vec<_>>();
    let t = Instant::now();
    // Each dispatcher as the server runs it (`outbound::spawn_dispatcher`): a thread of
    // its own below the requests' priority, its own connections; ANJIAN_BENCH_NICE and
    // ANJIAN_BENCH_PER_SECOND change its niceness and pacing for comparisons.
    let knob = |name: &str, default: i64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(default)
    };
    let niceness = knob("ANJIAN_BENCH_NICE", anjian_web::background::NICENESS.into()) as i32;
    let per_second = knob(
        "ANJIAN_BENCH_PER_SECOND",
        anjian_web::outbound::PER_SECOND as i64,
    )
    .max(0) as u64;
    println!("发送线程：nice +{niceness}，每进程每秒至多 {per_second} 条（0：不限）");
    let run = |s: AppState| {
        anjian_web::background::apart("bench-outbox", niceness, move || async move {
            let s = s.apart(anjian_web::outbound::DISPATCHER_POOL);
            let http = anjian_web::outbound::client();
            while anjian_web::outbound::dispatch_paced(&s, &http, per_second)
                .await
                .map_err(e)?
                > 0
            {}
            Ok::<_, String>(())
        })
        .map_err(|e| e.to_string())
    };
    let (a, b) = (run(state(config()))?, run(state(config()))?);
    let (a, b) = tokio::task::spawn_blocking(move || (a.join(), b.join()))
        .await
        .map_err(|e| e.to_string())?;
    let took = t.elapsed().as_secs_f64();
    draining.store(false, std::sync::atomic::Ordering::SeqCst);
    for done in [a, b] {
        done.map_err(|_| "发送线程异常退出".to_string())?
            .ok_or("发送线程提前停止")??;
    }
    let mut busy = Vec::new();
    for p in pages {
        busy.extend(p.await.unwrap_or_default());
    }
    let busy_p95 = p95(&busy);
    let got = keys.lock().map(|v| v.clone()).unwrap_or_default();
    let distinct: HashSet<&String> = got.iter().collect();
    let (sent,): (i64,) = db
        .read()
        .one(anjian_store::q(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM deliveries WHERE state = 'sent'",
        ))
        .await
        .map_err(e)?;
    println!(
        "两个发送进程：{sent} 条已送达，接收方收到 {} 条（不同幂等键 {} 条），用时 {took:.1} s，{:.0} 条/秒（目标：10,000 条 < 10 s）",
        got.len(),
        distinct.len(),
        got.len() as f64 / took
    );
    println!(
        "镇街待办页 /todo：静止时 {} 次 p95 {rest_p95:.2} ms；发送期间 {} 次 p95 {busy_p95:.2} ms（{:+.0}%；目标：不超过 +20%）",
        rest.latencies.len(),
        busy.len(),
        (busy_p95 / rest_p95.max(f64::MIN_POSITIVE) - 1.0) * 100.0
    );
    super::finish(&url, &dir);
    Ok(())
}

/// The 95th percentile of `l`, in milliseconds.
fn p95(l: &[std::time::Duration]) -> f64 {
    let mut v: Vec<f64> = l.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    v.sort_by(f64::total_cmp);
    v.get(((v.len() as f64 * 0.95).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or(0.0)
}
