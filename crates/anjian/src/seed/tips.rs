//! The demo's public tips and accidents of 2022: tips in every state for the office's
//! desk and the custodian's identity route (`tipkeeper`), and accidents of several
//! grades (one reported late, one supplemented, one investigation closed) for the
//! emergency bureau and the ranking's vetoes.

use super::*;

/// The demo's tips and accidents of 2022: tips in every state (received, routed,
/// merged, rejected, substantiated with a reward paid, unsubstantiated), one with the
/// reporter's identity sealed; accidents of several grades, one reported late, one
/// supplemented, one investigation closed. Returns (tips, accidents).
pub async fn tips_and_accidents(
    db: &Db,
    keyring: &anjian_core::sealed::Keyring,
    as_of: chrono::NaiveDate,
) -> Result<(usize, usize), String> {
    use anjian_core::tip::{Reporter, TipInput};
    use anjian_store::scope::Scope;
    let e = |e: anjian_store::Error| e.to_string();
    let unit = |name: &'static str| async move {
        db.read()
            .one::<(i64,)>(q("SELECT id FROM units WHERE name = $1").bind(name))
            .await
            .map(|(id,)| id)
            .map_err(|e| e.to_string())
    };
    let (office, yjj, xf, bachuan, dongcheng) = (
        unit("区安委办").await?,
        unit("区应急局").await?,
        unit("区消防救援支队").await?,
        unit("巴川街道").await?,
        unit("东城街道").await?,
    );
    let chem = unit("重庆铜梁某化工有限公司").await?;
    let at = |d: chrono::NaiveDate, h: u32| anjian_core::time::at_local(d, h).unwrap_or_default();
    let date = |m: u32, d: u32| {
        chrono::NaiveDate::from_ymd_opt(2022, m, d)
            .unwrap_or(as_of)
            .min(as_of)
    };
    let actor = |u: i64| Actor {
        user_id: None,
        username: "demo".into(),
        role: "office_admin".into(),
        unit_id: Some(u),
    };
    // Accidents.
    let report =
        |sector: &str, occurred: &str, reported: &str, place: &str, deaths: i64, injuries: i64| {
            (
                reported.to_string(),
                anjian_store::accidents::NewAccident {
                    unit: None,
                    enterprise: None,
                    project: None,
                    parties: Vec::new(),
                    report: anjian_core::accident::AccidentInput {
                        sector: sector.into(),
                        occurred_at: occurred.into(),
                        learned_at: String::new(),
                        place: place.into(),
                        account: "详见事故快报".into(),
                        deaths: Some(deaths),
                        missing: Some(0),
                        serious_injuries: Some(injuries),
                        direct_loss_yuan: Some(serde_json::json!(deaths * 1_200_000 + 80_000)),
                        measures_taken: "已组织救援并保护现场".into(),
                    },
                },
            )
        };
    let mut accidents = 0;
    // Each report is received at the time given (the server's receipt), the head having
    // learned of the accident when it happened.
    let list: Vec<(
        i64,
        (String, anjian_store::accidents::NewAccident),
        chrono::NaiveDate,
    )> = vec![
        (
            dongcheng,
            report(
                "道路交通",
                "2022-06-14T07:40:00+08:00",
                "2022-06-14T08:15:00+08:00",
                "东城街道迎宾大道与金龙大道交叉口",
                1,
                2,
            ),
            date(6, 14),
        ),
        (
            bachuan,
            report(
                "危险化学品",
                "2022-07-21T14:10:00+08:00",
                "2022-07-21T15:40:00+08:00",
                "重庆铜梁某化工有限公司储罐区",
                3,
                4,
            ),
            date(7, 21),
        ),
        (
            bachuan,
            report(
                "建筑施工",
                "2022-08-03T10:00:00+08:00",
                "2022-08-03T10:40:00+08:00",
                "巴川街道某在建住宅项目",
                1,
                0,
            ),
            date(8, 3),
        ),
    ];
    let mut ids = Vec::new();
    for (u, (received, mut n), on) in list {
        if on >= as_of {
            continue;
        }
        n.unit = Some(u);
        if u == bachuan && n.report.sector == "危险化学品" {
            n.enterprise = Some(chem);
        }
        let now = anjian_core::time::instant("reported_at", "", &received)
            .map_or(at(on, 18), |t| t.timestamp_millis());
        let id = anjian_store::accidents::create(db, now, &actor(u), &Scope::All, &n)
            .await
            .map_err(e)?;
        ids.push((id, on));
        accidents += 1;
    }
    // The road accident: a second death the next day (within seven days); closed.
    if let Some((id, on)) = ids.first().copied() {
        let s = anjian_store::accidents::Supplement {
            deaths: Some(2),
            note: "一名重伤者经抢救无效死亡".into(),
            ..Default::default()
        };
        anjian_store::accidents::supplement(
            db,
            at(on + chrono::Days::new(1), 10),
            &actor(dongcheng),
            &Scope::All,
            id,
            &s,
        )
        .await
        .map_err(e)?;
        let closed = on + chrono::Days::new(40);
        if closed < as_of {
            anjian_store::accidents::close(
                db,
                anjian_core::time::Moment::new(at(closed, 10), closed),
                &actor(office),
                &Scope::All,
                id,
            )
            .await
            .map_err(e)?;
        }
    }
    // Tips.
    let tip = |category: &str,
               sector: &str,
               place: &str,
               description: &str,
               reporter: Option<Reporter>| TipInput {
        category: category.into(),
        sector: sector.into(),
        place: place.into(),
        reported_unit: String::new(),
        description: description.into(),
        reporter,
    };
    let inputs = [
        tip(
            "violation",
            "消防",
            "铜梁区某商场三楼东侧",
            "安全出口被货物堵死，夜间上锁",
            Some(Reporter {
                name: "王某某".into(),
                phone: "13800000001".into(),
                id_number: String::new(),
            }),
        ),
        tip(
            "violation",
            "消防",
            "铜梁区某商场三楼",
            "三楼安全出口堵塞（同一问题）",
            None,
        ),
        tip(
            "major_hazard",
            "危险化学品",
            "重庆铜梁某化工有限公司",
            "储罐区可燃气体报警器长期不工作",
            None,
        ),
        tip("other", "工贸", "某小区", "楼下噪音扰民", None),
        tip(
            "violation",
            "建筑施工",
            "巴川街道某在建住宅项目",
            "工人高处作业不系安全带",
            None,
        ),
        tip(
            "major_hazard",
            "城镇燃气",
            "东城街道某餐馆",
            "液化气钢瓶放在后厨通道",
            None,
        ),
    ];
    let mut tip_ids = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let on = date(6, 10 + i as u32 * 6);
        let id = submit_tip(
            db,
            keyring,
            input,
            anjian_core::time::Moment::new(at(on, 9), on),
        )
        .await?;
        tip_ids.push((id, on));
    }
    use anjian_store::tips::{RewardStep, Triage, outcome, reward, triage};
    let day = |on: chrono::NaiveDate, n: u64| {
        anjian_core::time::Moment::new(at(on + chrono::Days::new(n), 10), on + chrono::Days::new(n))
    };
    let (t0, t1, t2, t3, t4) = (tip_ids[0], tip_ids[1], tip_ids[2], tip_ids[3], tip_ids[4]);
    triage(
        db,
        day(t0.1, 1),
        &actor(office),
        &Scope::All,
        t0.0,
        &Triage::Accept { unit: xf },
    )
    .await
    .map_err(e)?;
    triage(
        db,
        day(t1.1, 1),
        &actor(office),
        &Scope::All,
        t1.0,
        &Triage::Merge { into: t0.0 },
    )
    .await
    .map_err(e)?;
    let xf_scope = Scope::All;
    outcome(
        db,
        day(t0.1, 12),
        &actor(xf),
        &xf_scope,
        t0.0,
        anjian_store::tips::Verdict {
            substantiated: true,
            note: "经现场核查属实，已责令整改并罚款3万元",
            accident: None,
            produced: &anjian_store::tips::Produced::default(),
        },
    )
    .await
    .map_err(e)?;
    reward(
        db,
        day(t0.1, 20),
        &actor(office),
        &Scope::All,
        t0.0,
        &RewardStep::Propose {
            fine_fen: 3_000_000,
        },
    )
    .await
    .map_err(e)?;
    reward(
        db,
        day(t0.1, 25),
        &actor(office),
        &Scope::All,
        t0.0,
        &RewardStep::Approve,
    )
    .await
    .map_err(e)?;
    reward(
        db,
        day(t0.1, 30),
        &actor(office),
        &Scope::All,
        t0.0,
        &RewardStep::Pay {
            method: "银行转账".into(),
        },
    )
    .await
    .map_err(e)?;
    triage(
        db,
        day(t2.1, 1),
        &actor(office),
        &Scope::All,
        t2.0,
        &Triage::Accept { unit: yjj },
    )
    .await
    .map_err(e)?;
    // 区应急局 asked to extend its verification; the office has yet to decide.
    anjian_store::tips::extension(
        db,
        day(t2.1, 40).ms,
        &actor(yjj),
        &Scope::All,
        t2.0,
        &anjian_store::tips::ExtensionStep::Request {
            reason: "需委托第三方机构检测储罐，检测报告待出".into(),
        },
    )
    .await
    .map_err(e)?;
    triage(
        db,
        day(t3.1, 1),
        &actor(office),
        &Scope::All,
        t3.0,
        &Triage::Reject {
            reason: "不属于安全生产举报范围，已告知向相关部门反映".into(),
        },
    )
    .await
    .map_err(e)?;
    triage(
        db,
        day(t4.1, 1),
        &actor(office),
        &Scope::All,
        t4.0,
        &Triage::Accept { unit: bachuan },
    )
    .await
    .map_err(e)?;
    outcome(
        db,
        day(t4.1, 5),
        &actor(bachuan),
        &Scope::All,
        t4.0,
        anjian_store::tips::Verdict {
            substantiated: false,
            note: "经现场核查，作业人员均按规定佩戴安全带",
            accident: None,
            produced: &anjian_store::tips::Produced::default(),
        },
    )
    .await
    .map_err(e)?;
    Ok((tip_ids.len(), accidents))
}

/// Submits `input` as the public does at `now`: checked, with a fresh receipt (its hash
/// kept) and nonce. Returns the tip's id.
pub(crate) async fn submit_tip(
    db: &Db,
    keyring: &anjian_core::sealed::Keyring,
    input: &anjian_core::tip::TipInput,
    now: anjian_core::time::Moment,
) -> Result<i64, String> {
    let t = anjian_core::tip::check(input).map_err(|e| e.message)?;
    let mut random = [0u8; 32];
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut random).map_err(|e| e.to_string())?;
    getrandom::fill(&mut nonce).map_err(|e| e.to_string())?;
    let receipt = anjian_core::tip::receipt_from(&random);
    let hash = anjian_web::password::hash_receipt(receipt.clone()).await;
    anjian_store::tips::submit(
        db,
        keyring,
        nonce,
        now.ms,
        anjian_store::tips::NewTip {
            id: anjian_store::ids::next_id(now.ms),
            tip: &t,
            locator: &receipt[..6],
            receipt_hash: &hash,
            files: &[],
        },
        anjian_store::tips::Received {
            channel: anjian_core::tip::Channel::Web,
            at: now,
            by: &anjian_store::tips::public(),
        },
    )
    .await
    .map_err(|e| e.to_string())
}
