//! `anjian bench --scale memory` (issue 16 part 14): the district; 50 members of the
//! public post tips for `--seconds` (60 by default for this scale) while 10 office
//! clients read the hazard ledger, then the server idles for a minute. Targets: peak
//! resident memory under 600 MB, and under 300 MB after the minute of idling.
//!
//! The server and the load generator share the process, so the figures include the
//! clients' own memory: they are an upper bound of the server's.

use std::time::{Duration, Instant};

use super::{Outcome, finish, load};
use crate::setup::Common;

/// Clients posting tips.
const POSTERS: usize = 50;
/// Clients reading the ledger.
const READERS: usize = 10;
/// Seconds of idling after the load.
const IDLE_SECONDS: u64 = 60;

/// The process's resident memory now and its peak so far (KiB), from /proc (0 where
/// there is none).
pub(super) fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common, seconds: u64) -> Result<(), String> {
    let super::TipStage {
        url,
        dir,
        base,
        client,
        office,
        sector,
    } = super::tip_stage(c, "memory").await?;
    // A first read of each, so that the baseline holds the warmed caches.
    let _ = client
        .get(format!("{base}/api/v1/hazards?limit=100"))
        .header("cookie", &office)
        .send()
        .await;
    let (baseline, _) = rss_kib();
    let tip = serde_json::json!({
        "category": "violation", "sector": sector, "place": "某商场三楼东侧",
        "description": "安全出口被货物堵死，夜间上锁。".repeat(20),
        "reporter": {"name": "王某某", "phone": "13800000001"}
    });
    let sampling = tokio::spawn(async {
        let mut peak = 0;
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            peak = peak.max(rss_kib().0);
            if STOP.load(std::sync::atomic::Ordering::Relaxed) {
                return peak;
            }
        }
    });
    let submit = load(
        "公众 提交举报 POST /api/v1/public/tips",
        &client,
        format!("{base}/api/v1/public/tips"),
        Some(tip),
        String::new(),
        seconds,
        POSTERS,
    );
    let ledger = load(
        "同时 区安委办 隐患台账 API（100 条一页）",
        &client,
        format!("{base}/api/v1/hazards?limit=100"),
        None,
        office,
        seconds,
        READERS,
    );
    let (mut a, mut b): (Outcome, Outcome) = tokio::join!(submit, ledger);
    let (after_load, hwm) = rss_kib();
    let t = Instant::now();
    let mut idle = Vec::new();
    while t.elapsed() < Duration::from_secs(IDLE_SECONDS) {
        tokio::time::sleep(Duration::from_secs(10)).await;
        idle.push(rss_kib().0 / 1024);
    }
    STOP.store(true, std::sync::atomic::Ordering::Relaxed);
    let sampled = sampling.await.unwrap_or(0);
    println!(
        "\n| {:<44} | {:>8} | {:>6} | {:>8} | {:>7} | {:>7} | {:>7} |",
        "endpoint", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"
    );
    println!("{}\n{}", a.row(), b.row());
    println!(
        "\n内存（整个进程，含压测客户端）：加载前 {} MB；峰值 {} MB（VmHWM，目标 < 600 MB）；负载结束 {} MB；空闲每 10 s：{:?} MB（目标 1 分钟内 < 300 MB）",
        baseline / 1024,
        hwm.max(sampled) / 1024,
        after_load / 1024,
        idle
    );
    finish(&url, &dir);
    Ok(())
}

/// Ends the sampler.
static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
