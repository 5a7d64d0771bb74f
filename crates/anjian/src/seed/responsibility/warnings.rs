//! The demo's July rainstorm warning (叫应: most townships answer in time, some late,
//! one not at all) with its circuit breaker, and the daily reports of the special period
//! before the Congress, as the office (区安委办) and the townships see them.

use super::*;

/// The July rainstorm: the warning (most townships answer in time, some late, one not
/// at all) and the circuit breaker on three townships, lifted the next evening.
pub(super) async fn warning_and_breaker(
    db: &Db,
    towns: &[(i64, String)],
    office: i64,
    date: impl Fn(u32, u32) -> NaiveDate,
    at: impl Fn(NaiveDate, u32) -> i64,
) -> Result<(), String> {
    let issued = at(date(7, 5), 18);
    let id = anjian_store::warnings::issue(
        db,
        issued,
        &actor(office),
        &anjian_store::warnings::NewWarning {
            kind: "weather".into(),
            title: "暴雨红色预警：7月5日夜间至6日白天".into(),
            body: "区气象台发布暴雨红色预警，预计5日20时至6日14时累计雨量100—150毫米。请立即落实地质灾害隐患点、低洼易涝区、在建工地和危险化学品企业防范措施，人员转移到位，并于20时前回应。".into(),
            answer_by: issued + 2 * 3_600_000,
            units: towns.iter().map(|t| t.0).collect(),
        },
    )
    .await
    .map_err(err)?;
    for (i, (t, _)) in towns.iter().enumerate() {
        let minutes = match i % 7 {
            3 => Some(150),
            5 if i < 14 => Some(200),
            6 if i > 20 => None,
            _ => Some(20 + (i as i64 % 5) * 15),
        };
        if let Some(m) = minutes {
            let when = issued + m * 60_000;
            anjian_store::warnings::ack(
                db,
                anjian_core::time::Moment::at(when),
                &actor(*t),
                id,
                "已收到，已通知村（社区）和企业落实防范措施",
            )
            .await
            .map_err(err)?;
        }
    }
    let areas: Vec<i64> = towns.iter().take(3).map(|t| t.0).collect();
    let b = anjian_store::warnings::trip(
        db,
        issued + 30 * 60_000,
        &actor(office),
        &anjian_store::warnings::NewBreaker {
            activities: "户外高处作业、涉水旅游项目、地质灾害隐患点周边施工".into(),
            reason: "暴雨红色预警，地质灾害气象风险高".into(),
            from_at: at(date(7, 5), 20),
            until_at: at(date(7, 7), 8),
            areas,
            sectors: vec!["地质灾害".into()],
        },
    )
    .await
    .map_err(err)?;
    anjian_store::warnings::lift(
        db,
        at(date(7, 6), 18),
        &actor(office),
        b,
        "降雨结束，预警解除",
    )
    .await
    .map_err(err)
}

/// The special period before the Congress from 1 August: most townships and
/// departments report daily, some miss days, a few report late.
pub(super) async fn special_period(
    db: &Db,
    office: i64,
    as_of: NaiveDate,
    at: impl Fn(NaiveDate, u32) -> i64,
) -> Result<(), String> {
    let first = NaiveDate::from_ymd_opt(2022, 8, 1).unwrap_or(as_of);
    let last = NaiveDate::from_ymd_opt(2022, 8, 10).unwrap_or(as_of);
    let id = anjian_store::special_periods::declare(
        db,
        at(first - chrono::Days::new(2), 9),
        &actor(office),
        "迎接党的二十大安全防范特护期",
        anjian_core::time::Span::new(first, last),
    )
    .await
    .map_err(err)?;
    let owing: Vec<(i64,)> = db
        .read()
        .all(q("SELECT DISTINCT unit_id FROM obligations WHERE special_period_id = $1 ORDER BY unit_id").bind(id))
        .await
        .map_err(err)?;
    for (i, (t,)) in owing.iter().enumerate() {
        for d in first.iter_days().take_while(|d| *d <= last && *d < as_of) {
            let n = d.signed_duration_since(first).num_days() as usize;
            if (i + n) % 11 == 4 {
                continue;
            }
            let late = (i + n) % 13 == 6;
            let sent = if late { d + chrono::Days::new(1) } else { d };
            if sent > as_of {
                continue;
            }
            anjian_store::special_periods::report(
                db,
                anjian_core::time::Moment::new(at(sent, if late { 9 } else { 17 }), sent),
                &actor(*t),
                id,
                &anjian_store::special_periods::NewReport {
                    day: d.to_string(),
                    situation: "辖区安全形势总体平稳，重点企业和人员密集场所检查无异常".into(),
                    incidents: String::new(),
                    on_duty_leader: name(i),
                },
            )
            .await
            .map_err(err)?;
        }
    }
    Ok(())
}
