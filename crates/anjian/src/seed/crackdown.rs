//! The demo's enforcement to the end (issue 19 part 8): 打非治违 cases in three
//! townships (one referred to the judicial organs, closed and exposed), an accident's
//! investigation with its report file and approval and a typical accident listed for
//! supervision with its team, penalties decided after inspections with their rechecks
//! owed, and a department whose year's inspection plan is behind.

use anjian_core::time::{Moment, at_local};
use anjian_store::files::FileStore;
use anjian_store::scope::{Actor, Scope};
use anjian_store::{Db, q};
use chrono::NaiveDate;

/// A unit's id by name.
pub(super) async fn unit(db: &Db, name: &str) -> Result<i64, String> {
    db.read()
        .one::<(i64,)>(q("SELECT id FROM units WHERE name = $1").bind(name.to_string()))
        .await
        .map(|(id,)| id)
        .map_err(|e| format!("{name}：{e}"))
}

/// A demo actor of `unit` in `role`.
pub(super) fn actor(unit: i64, role: &str) -> Actor {
    Actor {
        user_id: None,
        username: "demo".into(),
        role: role.into(),
        unit_id: Some(unit),
    }
}

/// A day of 2022, not after `as_of`.
pub(super) fn day(as_of: NaiveDate, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, m, d)
        .unwrap_or(as_of)
        .min(as_of)
}

/// 10:00 on `d`.
pub(super) fn moment(d: NaiveDate) -> Moment {
    Moment::new(at_local(d, 10).unwrap_or_default(), d)
}

/// Loads it all as of `as_of`. Returns how many crackdown cases were recorded.
pub async fn load(db: &Db, files: &FileStore, as_of: NaiveDate) -> Result<usize, String> {
    let e = |e: anjian_store::Error| e.to_string();
    let (office, yjj, police, bachuan, anju, dongcheng, zjw) = (
        unit(db, "区安委办").await?,
        unit(db, "区应急局").await?,
        unit(db, "区公安局").await?,
        unit(db, "巴川街道").await?,
        unit(db, "安居镇").await?,
        unit(db, "东城街道").await?,
        unit(db, "区住房城乡建委").await?,
    );
    // 打非治违: three townships.
    let case = |locality: i64,
                place: &str,
                subject: &str,
                facts: &str,
                by: &str,
                on: NaiveDate,
                joint: Vec<i64>| {
        anjian_core::crackdown::CaseInput {
            locality: Some(locality),
            place: place.into(),
            subject: subject.into(),
            enterprise: None,
            facts: facts.into(),
            found_by: by.into(),
            found_on: on.to_string(),
            joint_units: joint,
        }
    };
    let step =
        |step: &str, kind: &str, note: &str, on: NaiveDate| anjian_core::crackdown::StepInput {
            step: step.into(),
            kind: kind.into(),
            note: note.into(),
            on: on.to_string(),
        };
    let found = day(as_of, 8, 2);
    let fireworks = anjian_store::crackdown::open(
        db,
        moment(found),
        &actor(bachuan, "unit_operator"),
        &Scope::All,
        &case(
            bachuan,
            "巴川街道某村废弃厂房",
            "无证烟花爆竹储存点（张某）",
            "经群众举报查实，张某在废弃厂房内非法储存烟花爆竹约200箱，无任何许可",
            "tip",
            found,
            vec![yjj, police],
        ),
    )
    .await
    .map_err(e)?;
    for (who, s) in [
        (
            yjj,
            step(
                "measure",
                "seized",
                "查封扣押烟花爆竹200箱，铜应急扣〔2022〕7号",
                found,
            ),
        ),
        (
            police,
            step(
                "measure",
                "referred",
                "涉嫌非法储存爆炸物品，移送区公安局立案侦查",
                found,
            ),
        ),
        (
            bachuan,
            step("close", "", "物品已依法销毁，当事人已移送公安机关", found),
        ),
    ] {
        anjian_store::crackdown::step(
            db,
            moment(found),
            &actor(who, "unit_operator"),
            &Scope::All,
            fireworks,
            &s,
        )
        .await
        .map_err(e)?;
    }
    anjian_store::crackdown::step(
        db,
        moment(found),
        &actor(office, "office_admin"),
        &Scope::All,
        fireworks,
        &step("expose", "", "", found),
    )
    .await
    .map_err(e)?;
    let sand = day(as_of, 8, 5);
    let mining = anjian_store::crackdown::open(
        db,
        moment(sand),
        &actor(anju, "unit_operator"),
        &Scope::All,
        &case(
            anju,
            "安居镇涪江某河段",
            "非法采砂点（无名采砂船2艘）",
            "夜间巡查发现无证采砂作业，现场采砂船2艘",
            "patrol",
            sand,
            vec![yjj],
        ),
    )
    .await
    .map_err(e)?;
    anjian_store::crackdown::step(
        db,
        moment(sand),
        &actor(anju, "unit_operator"),
        &Scope::All,
        mining,
        &step(
            "measure",
            "banned",
            "责令立即停止采砂，取缔非法采砂点",
            sand,
        ),
    )
    .await
    .map_err(e)?;
    let gas = day(as_of, 8, 10);
    anjian_store::crackdown::open(
        db,
        moment(gas),
        &actor(yjj, "unit_operator"),
        &Scope::All,
        &case(
            dongcheng,
            "东城街道某小区底商",
            "非法燃气充装点",
            "执法检查发现无证向小钢瓶充装液化石油气",
            "inspection",
            gas,
            Vec::new(),
        ),
    )
    .await
    .map_err(e)?;
    accidents(db, files, as_of, office).await?;
    penalties(db, as_of).await?;
    // 区住房城乡建委 plans far more inspections than it makes: behind.
    anjian_store::inspection_plans::put(
        db,
        at_local(day(as_of, 7, 1), 10).unwrap_or_default(),
        &actor(zjw, "unit_operator"),
        2022,
        &anjian_core::enforcement::InspectionPlanInput {
            q1: Some(20),
            q2: Some(30),
            q3: Some(40),
            q4: Some(30),
            note: "建筑施工、燃气工程全覆盖".into(),
        },
    )
    .await
    .map_err(e)?;
    Ok(3)
}

/// The road accident's investigation with its report and approval; the construction
/// accident listed as typical, its team formed.
async fn accidents(
    db: &Db,
    files: &FileStore,
    as_of: NaiveDate,
    office: i64,
) -> Result<(), String> {
    let e = |e: anjian_store::Error| e.to_string();
    let found: Vec<(i64, Option<i64>, String)> = db
        .read()
        .all(q(
            "SELECT id, lead_unit_id, sector FROM accidents ORDER BY occurred_at",
        ))
        .await
        .map_err(e)?;
    let road = found.iter().find(|(_, _, s)| s == "道路交通");
    let building = found.iter().find(|(_, _, s)| s == "建筑施工");
    if let Some((id, lead, _)) = road {
        let lead = lead.unwrap_or(office);
        let pdf = b"%PDF-1.4\n% demo: accident investigation report\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF";
        let sha = files.put(pdf).await.map_err(|e| e.to_string())?;
        let report = anjian_store::reports::EvidenceFile {
            sha256: sha,
            size: pdf.len() as i64,
            mime: "application/pdf".into(),
            file_name: "东城街道“6·14”道路交通事故调查报告.pdf".into(),
        };
        let by = actor(lead, "unit_operator");
        let on = day(as_of, 7, 20);
        anjian_store::investigations::record(
            db,
            moment(as_of),
            &by,
            &Scope::All,
            *id,
            &anjian_core::investigation::InvestigationInput {
                lead_unit: None,
                members: "区应急局 王某 副局长（组长）\n区公安局交巡警支队 李某\n区交通局 赵某\n东城街道 钱某".into(),
                approval_no: "铜府函〔2022〕96号".into(),
                approved_on: on.to_string(),
                accountability: vec![
                    anjian_core::investigation::AccountInput {
                        person: "孙某".into(),
                        post: "肇事车辆驾驶员".into(),
                        unit: None,
                        form: "移送司法机关".into(),
                    },
                    anjian_core::investigation::AccountInput {
                        person: "周某".into(),
                        post: "运输公司安全管理员".into(),
                        unit: None,
                        form: "行政处罚（罚款）".into(),
                    },
                ],
                measures: vec![anjian_core::investigation::MeasureInput {
                    unit: Some(unit(db, "东城街道").await?),
                    measure: "迎宾大道与金龙大道交叉口增设信号灯和减速设施，排查辖区事故多发路段".into(),
                    due_on: "2022-09-30".into(),
                }],
            },
            Some(&report),
        )
        .await
        .map_err(e)?;
    }
    if let Some((id, lead, _)) = building {
        anjian_store::investigations::list_typical(
            db,
            moment(as_of),
            &actor(office, "office_admin"),
            &Scope::All,
            *id,
            &anjian_store::investigations::ListingInput {
                leader: "刘某 副区长".into(),
                until: "2022-10-10".into(),
            },
        )
        .await
        .map_err(e)?;
        anjian_store::investigations::record(
            db,
            moment(as_of),
            &actor(lead.unwrap_or(office), "unit_operator"),
            &Scope::All,
            *id,
            &anjian_core::investigation::InvestigationInput {
                members: "区应急局 王某 副局长（组长）\n区住房城乡建委 陈某\n巴川街道 吴某".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .map_err(e)?;
    }
    Ok(())
}

/// Penalties decided after two inspections whose orders to rectify are still running,
/// by their enforcing units: their rechecks are owed at the orders' deadlines.
async fn penalties(db: &Db, as_of: NaiveDate) -> Result<(), String> {
    let e = |e: anjian_store::Error| e.to_string();
    let picks: Vec<(i64, i64)> = db
        .read()
        .all(
            q("SELECT id, unit_id FROM enforcements WHERE step = 'inspection' AND penalty_kind IS NULL AND order_deadline >= $1 ORDER BY id DESC LIMIT 2")
                .bind(as_of.to_string()),
        )
        .await
        .map_err(e)?;
    for (id, unit) in picks {
        anjian_store::enforcements::penalise(
            db,
            moment(as_of),
            &actor(unit, "unit_operator"),
            id,
            &anjian_core::enforcement::PenaltyInput {
                kind: "罚款".into(),
                amount: "10000".into(),
                legal_basis: "《安全生产法》第一百零一条".into(),
                decided_on: as_of.to_string(),
                paid_by: String::new(),
                discretion: "裁量基准第8项 一般".into(),
            },
        )
        .await
        .map_err(e)?;
    }
    Ok(())
}

/// A concealed accident of the demo: where, at which enterprise, what happened, what
/// the tip said, the verdict, and who concealed it (`enterprise` or `unit`).
struct Concealed<'a> {
    town: &'a str,
    plant: &'a str,
    sector: &'a str,
    place: &'a str,
    account: &'a str,
    tip: &'a str,
    note: &'a str,
    by: &'a str,
    /// Occurred, tipped, routed and verified: (month, day) of 2022.
    days: [(u32, u32); 4],
}

/// Two accidents found concealed through public tips (key task 61: "对瞒报事故的企业……纳入
/// “黑名单”……对政府和部门瞒报一律实行“一票否决”"): 土桥镇 reports one death at the machinery
/// plant, a tip says two died, the township substantiates it and the enterprise enters
/// the blacklist; at a 南城街道 construction site the township itself kept a death from
/// the office, and its year is vetoed.
pub async fn concealment(
    db: &Db,
    keyring: &anjian_core::sealed::Keyring,
    as_of: NaiveDate,
) -> Result<(), String> {
    conceal(
        db,
        keyring,
        as_of,
        &Concealed {
            town: "土桥镇",
            plant: "重庆某机械制造有限公司",
            sector: "工贸",
            place: "重庆某机械制造有限公司冲压车间",
            account: "冲压作业时一名工人被机械伤害",
            tip: "7月25日冲压车间事故实际死亡2人，企业只报了1人",
            note: "经核查属实：事故实际死亡2人，企业瞒报1人，已依法处理",
            by: "enterprise",
            days: [(7, 25), (7, 28), (7, 29), (8, 5)],
        },
    )
    .await?;
    conceal(
        db,
        keyring,
        as_of,
        &Concealed {
            town: "南城街道",
            plant: "重庆某建设工程有限公司",
            sector: "建筑施工",
            place: "重庆某建设工程有限公司施工工地",
            account: "脚手架拆除时一名工人坠落",
            tip: "7月上旬工地坠落事故，街道知情后未上报",
            note: "经核查属实：街道接报后未按规定上报，属瞒报",
            by: "unit",
            days: [(7, 6), (7, 20), (7, 21), (8, 2)],
        },
    )
    .await
}

async fn conceal(
    db: &Db,
    keyring: &anjian_core::sealed::Keyring,
    as_of: NaiveDate,
    c: &Concealed<'_>,
) -> Result<(), String> {
    let e = |e: anjian_store::Error| e.to_string();
    let (office, town, plant) = (
        unit(db, "区安委办").await?,
        unit(db, c.town).await?,
        unit(db, c.plant).await?,
    );
    let [occurred, tipped, routed, verified] = c.days.map(|(m, d)| day(as_of, m, d));
    if verified >= as_of {
        return Ok(());
    }
    let accident = anjian_store::accidents::create(
        db,
        at_local(occurred, 10).unwrap_or_default(),
        &actor(town, "unit_operator"),
        &Scope::All,
        &anjian_store::accidents::NewAccident {
            unit: Some(town),
            enterprise: Some(plant),
            project: None,
            parties: Vec::new(),
            report: anjian_core::accident::AccidentInput {
                sector: c.sector.into(),
                occurred_at: format!("{occurred}T08:40:00+08:00"),
                learned_at: format!("{occurred}T09:20:00+08:00"),
                place: c.place.into(),
                account: c.account.into(),
                deaths: Some(1),
                missing: Some(0),
                serious_injuries: Some(0),
                direct_loss_yuan: Some(serde_json::json!(900000)),
                measures_taken: "停机并保护现场".into(),
            },
        },
    )
    .await
    .map_err(e)?;
    let input = anjian_core::tip::TipInput {
        category: "concealed_accident".into(),
        sector: c.sector.into(),
        place: c.plant.into(),
        reported_unit: String::new(),
        description: c.tip.into(),
        reporter: None,
    };
    let tip = super::tips::submit_tip(db, keyring, &input, moment(tipped)).await?;
    anjian_store::tips::triage(
        db,
        moment(routed),
        &actor(office, "office_admin"),
        &Scope::All,
        tip,
        &anjian_store::tips::Triage::Accept { unit: town },
    )
    .await
    .map_err(e)?;
    anjian_store::tips::outcome(
        db,
        moment(verified),
        &actor(town, "unit_operator"),
        &Scope::All,
        tip,
        anjian_store::tips::Verdict {
            substantiated: true,
            note: c.note,
            accident: Some(accident),
            produced: &anjian_store::tips::Produced {
                concealed_by: Some(c.by.into()),
                ..Default::default()
            },
        },
    )
    .await
    .map_err(e)?;
    Ok(())
}
