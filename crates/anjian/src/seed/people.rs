//! The demo's people and year (issue 20): a tip taken on the 12350 hotline, the year's
//! reward budget, the expert pool with an inspection and a large event's evaluation,
//! and a risk assessment before the 龙灯 festival whose measures the townships owe.

use anjian_core::sealed::Keyring;
use anjian_store::Db;
use anjian_store::scope::Scope;
use chrono::NaiveDate;

use super::crackdown::{actor, day, moment, unit};

/// Loads it as of `as_of`.
pub async fn load(db: &Db, keyring: &Keyring, as_of: NaiveDate) -> Result<(), String> {
    let e = |e: anjian_store::Error| e.to_string();
    let (office, bachuan, nancheng, chem) = (
        unit(db, "区安委办").await?,
        unit(db, "巴川街道").await?,
        unit(db, "南城街道").await?,
        unit(db, "重庆铜梁某化工有限公司").await?,
    );
    let office_actor = actor(office, "office_admin");
    let on = day(as_of, 8, 3);
    if on >= as_of {
        return Ok(());
    }
    // A tip taken on the 12350 hotline, recorded with its channel.
    let input = anjian_core::tip::TipInput {
        category: "violation".into(),
        sector: "建筑施工".into(),
        place: "南城街道某在建小区".into(),
        reported_unit: "重庆某建设工程有限公司".into(),
        description: "夜间塔吊作业无人指挥".into(),
        reporter: None,
    };
    let tip = anjian_core::tip::check(&input).map_err(|x| x.message)?;
    let mut random = [0u8; 32];
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut random).map_err(|x| x.to_string())?;
    getrandom::fill(&mut nonce).map_err(|x| x.to_string())?;
    let receipt = anjian_core::tip::receipt_from(&random);
    let hash = anjian_web::password::hash_receipt(receipt.clone()).await;
    let at = moment(on);
    anjian_store::tips::submit(
        db,
        keyring,
        nonce,
        at.ms,
        anjian_store::tips::NewTip {
            id: anjian_store::ids::next_id(at.ms),
            tip: &tip,
            locator: &receipt[..anjian_core::tip::LOCATOR_DIGITS],
            receipt_hash: &hash,
            files: &[],
        },
        anjian_store::tips::Received {
            channel: anjian_core::tip::Channel::Hotline,
            at,
            by: &office_actor,
        },
    )
    .await
    .map_err(e)?;
    // The year's reward budget (item (103)).
    anjian_store::tips::set_budget(db, at.ms, &office_actor, 2022, 20_000_000, 5_000_000)
        .await
        .map_err(e)?;
    // The expert pool, an inspection of the chemical plant and the festival's evaluation.
    let mut ids = Vec::new();
    for (name, field, qualification, employer, phone) in [
        (
            "陈志强",
            "危险化学品",
            "注册安全工程师",
            "重庆化工设计研究院",
            "13911110001",
        ),
        (
            "刘敏",
            "建筑施工",
            "高级工程师",
            "重庆建筑科学研究院",
            "13911110002",
        ),
        (
            "王海",
            "消防",
            "一级注册消防工程师",
            "重庆消防技术服务中心",
            "13911110003",
        ),
    ] {
        getrandom::fill(&mut nonce).map_err(|x| x.to_string())?;
        ids.push(
            anjian_store::experts::add(
                db,
                keyring,
                nonce,
                at.ms,
                &office_actor,
                &anjian_store::experts::NewExpert {
                    name: name.into(),
                    field: field.into(),
                    qualification: qualification.into(),
                    employer: employer.into(),
                    phone: phone.into(),
                },
            )
            .await
            .map_err(e)?,
        );
    }
    anjian_store::experts::engage(
        db,
        at,
        &actor(bachuan, "unit_operator"),
        &Scope::All,
        &anjian_store::experts::NewEngagement {
            kind: "inspection".into(),
            subject: String::new(),
            enterprise: Some(chem),
            on: on.to_string(),
            conclusion: "储罐区可燃气体报警器联网不全，建议限期整改".into(),
            experts: vec![ids[0]],
            report: None,
        },
    )
    .await
    .map_err(e)?;
    anjian_store::experts::engage(
        db,
        at,
        &office_actor,
        &Scope::All,
        &anjian_store::experts::NewEngagement {
            kind: "event".into(),
            subject: "铜梁龙灯艺术节主会场".into(),
            enterprise: None,
            on: on.to_string(),
            conclusion: "临时看台承载检测合格；疏散通道宽度不足，需加宽至4米".into(),
            experts: vec![ids[1], ids[2]],
            report: None,
        },
    )
    .await
    .map_err(e)?;
    // A risk assessment before the festival: each measure owed by its township.
    let due = (as_of + chrono::Days::new(10)).to_string();
    anjian_store::warnings::assess(
        db,
        at,
        &office_actor,
        &Scope::All,
        &anjian_store::warnings::NewAssessment {
            kind: "major_event".into(),
            held_on: on.to_string(),
            title: "龙灯艺术节安全风险研判".into(),
            conclusion: "主会场人员密集，存在踩踏和临时用电风险".into(),
            measures: vec![
                anjian_store::risk_measures::NewMeasure {
                    risk: "人员踩踏".into(),
                    level: "red".into(),
                    measure: "设置单向通道，分区限流".into(),
                    unit: Some(bachuan),
                    due_on: due.clone(),
                },
                anjian_store::risk_measures::NewMeasure {
                    risk: "临时用电".into(),
                    level: "yellow".into(),
                    measure: "临时线路专人巡查".into(),
                    unit: Some(nancheng),
                    due_on: due,
                },
            ],
        },
    )
    .await
    .map_err(e)?;
    Ok(())
}
