//! Synthetic directories for benchmarks: a district (30 townships, 60 departments,
//! 5,000 enterprises, 2,000 users) or a city (1,000 townships, 200,000 enterprises),
//! with names shaped like Tongliang's. Rows go in with multi-row INSERTs in one
//! transaction; the audit chain records one entry for the whole load.

use anjian_store::audit::{self, Entry};
use anjian_store::ids::next_id;
use anjian_store::{Actor, Db, q};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub townships: usize,
    pub departments: usize,
    pub enterprises: usize,
    pub users: usize,
}

impl Size {
    /// One district.
    pub const DISTRICT: Size = Size {
        townships: 30,
        departments: 60,
        enterprises: 5_000,
        users: 2_000,
    };
    /// A city of about 38 districts.
    pub const CITY: Size = Size {
        townships: 1_000,
        departments: 60,
        enterprises: 200_000,
        users: 2_000,
    };
}

const TOWN_STEMS: &[&str] = &[
    "巴川", "东城", "南城", "蒲吕", "旧县", "土桥", "二坪", "水口", "安居", "白羊", "平滩", "小林",
    "双山", "虎峰", "福果", "庆隆", "石鱼", "少云", "维新", "高楼", "大庙", "围龙", "华兴", "永嘉",
    "安溪", "西河", "侣俸", "太平",
];
const TRADES: &[(&str, &str)] = &[
    ("化工", "危险化学品"),
    ("燃气", "城镇燃气"),
    ("建筑工程", "建筑施工"),
    ("机械制造", "工贸"),
    ("石材开采", "非煤矿山"),
    ("客运", "道路运输"),
    ("旅游开发", "旅游景区"),
    ("商贸", "商贸"),
];
const DEPT_SECTORS: &[&str] = &[
    "危险化学品",
    "城镇燃气",
    "建筑施工",
    "工贸",
    "非煤矿山",
    "道路运输",
    "旅游景区",
    "商贸",
];

struct UnitRow {
    id: i64,
    code: String,
    name: String,
    kind: &'static str,
    parent: i64,
    path: String,
    depth: i64,
    sup: bool,
}

/// What the benchmark needs back: the accounts (office first, then townships,
/// departments, enterprises) and a keyset page key.
pub struct Seeded {
    pub usernames: Vec<String>,
    /// The unit id after which the 20th page of 100 starts (for keyset benchmarks).
    pub page_key: i64,
}

/// Loads a synthetic directory and `size.users` accounts sharing `password_hash`.
pub async fn load(
    db: &Db,
    now: i64,
    size: Size,
    password_hash: &str,
) -> Result<Seeded, anjian_store::Error> {
    let mut rows = Vec::new();
    let id = || next_id(now);
    let root = id();
    rows.push(UnitRow {
        id: root,
        code: "root".into(),
        name: "区安委会".into(),
        kind: "committee_office",
        parent: 0,
        path: format!("/{root}/"),
        depth: 0,
        sup: false,
    });
    let office = id();
    rows.push(UnitRow {
        id: office,
        code: "office".into(),
        name: "区安委办".into(),
        kind: "committee_office",
        parent: root,
        path: format!("/{root}/{office}/"),
        depth: 1,
        sup: false,
    });
    let mut towns = Vec::new();
    for i in 0..size.townships {
        let t = id();
        let stem = TOWN_STEMS[i % TOWN_STEMS.len()];
        let suffix = if i < TOWN_STEMS.len() {
            String::new()
        } else {
            format!("{}", i / TOWN_STEMS.len() + 1)
        };
        let name = if i % 6 == 0 {
            format!("{stem}{suffix}街道")
        } else {
            format!("{stem}{suffix}镇")
        };
        rows.push(UnitRow {
            id: t,
            code: format!("town-{i:04}"),
            name,
            kind: "township",
            parent: root,
            path: format!("/{root}/{t}/"),
            depth: 1,
            sup: false,
        });
        towns.push(t);
    }
    let mut depts = Vec::new();
    for i in 0..size.departments {
        let d = id();
        rows.push(UnitRow {
            id: d,
            code: format!("dept-{i:03}"),
            name: format!("区级部门{:02}", i + 1),
            kind: "department",
            parent: root,
            path: format!("/{root}/{d}/"),
            depth: 1,
            sup: i % 2 == 0,
        });
        depts.push(d);
    }
    let mut ent_sector = Vec::new();
    for i in 0..size.enterprises {
        let e = id();
        let t = towns[i % towns.len()];
        let (trade, sector) = TRADES[i % TRADES.len()];
        let town_name = rows
            .iter()
            .find(|r| r.id == t)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        rows.push(UnitRow {
            id: e,
            code: format!("ent-{i:06}"),
            name: format!("重庆{town_name}{trade}有限公司{:05}号", i + 1),
            kind: "enterprise",
            parent: t,
            path: format!("/{root}/{t}/{e}/"),
            depth: 2,
            sup: false,
        });
        ent_sector.push((e, sector));
    }
    let mut tx = db.begin().await?;
    for chunk in rows.chunks(200) {
        let mut query = q(
            "INSERT INTO units (id, code, name, short_name, kind, parent_id, path, depth, supervises_safety, active, created_at, updated_at) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                query = query.push(", ");
            }
            query = query
                .push("(")
                .push_bind(r.id)
                .push(", ")
                .push_bind(r.code.clone())
                .push(", ")
                .push_bind(r.name.clone())
                .push(", NULL, ")
                .push_bind(r.kind)
                .push(", ")
                .push_bind((r.parent != 0).then_some(r.parent))
                .push(", ")
                .push_bind(r.path.clone())
                .push(", ")
                .push_bind(r.depth)
                .push(", ")
                .push_bind(r.sup)
                .push(", 1, ")
                .push_bind(now)
                .push(", ")
                .push_bind(now)
                .push(")");
        }
        tx.execute(query).await?;
    }
    let mut sector_ids = Vec::new();
    for name in DEPT_SECTORS {
        let sid = next_id(now);
        tx.execute(
            q("INSERT INTO sectors (id, name) VALUES ($1, $2)")
                .bind(sid)
                .bind(*name),
        )
        .await?;
        sector_ids.push((*name, sid));
    }
    let sid_of = |n: &str| {
        sector_ids
            .iter()
            .find(|(s, _)| *s == n)
            .map(|(_, id)| *id)
            .unwrap_or(sector_ids[0].1)
    };
    let mut links: Vec<(i64, i64)> = depts
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(i, d)| (*d, sector_ids[(i / 2) % sector_ids.len()].1))
        .collect();
    links.extend(ent_sector.iter().map(|(e, s)| (*e, sid_of(s))));
    for chunk in links.chunks(400) {
        let mut query = q("INSERT INTO unit_sectors (unit_id, sector_id) VALUES ");
        for (i, (u, s)) in chunk.iter().enumerate() {
            if i > 0 {
                query = query.push(", ");
            }
            query = query
                .push("(")
                .push_bind(*u)
                .push(", ")
                .push_bind(*s)
                .push(")");
        }
        tx.execute(query).await?;
    }
    let mut usernames = Vec::new();
    let user_units: Vec<(i64, &str)> = std::iter::once((office, "office_admin"))
        .chain(towns.iter().map(|t| (*t, "unit_operator")))
        .chain(depts.iter().map(|d| (*d, "unit_operator")))
        .chain(ent_sector.iter().map(|(e, _)| (*e, "enterprise_user")))
        .take(size.users)
        .collect();
    for (n, chunk) in user_units.chunks(200).enumerate() {
        let mut query = q(
            "INSERT INTO users (id, username, display_name, unit_id, role, password_hash, password_changed_at, must_change_password, active, created_at, updated_at) VALUES ",
        );
        for (i, (unit, role)) in chunk.iter().enumerate() {
            let username = format!("u{:05}", n * 200 + i);
            if i > 0 {
                query = query.push(", ");
            }
            query = query
                .push("(")
                .push_bind(next_id(now))
                .push(", ")
                .push_bind(username.clone())
                .push(", ")
                .push_bind(format!("用户{username}"))
                .push(", ")
                .push_bind(*unit)
                .push(", ")
                .push_bind(*role)
                .push(", ")
                .push_bind(password_hash)
                .push(", ")
                .push_bind(now)
                .push(", 0, 1, ")
                .push_bind(now)
                .push(", ")
                .push_bind(now)
                .push(")");
            usernames.push(username);
        }
        tx.execute(query).await?;
    }
    let detail = format!(
        "合成数据：{} 个单位，{} 个账户",
        rows.len(),
        usernames.len()
    );
    audit::append(
        &mut tx,
        now,
        &Actor::system("bench seed"),
        Entry::ok("directory.seed", "directory", "synthetic").detail(detail),
    )
    .await?;
    tx.commit().await?;
    let page_key = rows[1900.min(rows.len() - 1)].id;
    Ok(Seeded {
        usernames,
        page_key,
    })
}

/// Loads about `per_unit` obligations for every township, department and enterprise into
/// a campaign of `plan_id` (10 work items a unit), due from 16 May to 22 October 2022,
/// in a realistic mix of states: most accepted, some late, returned, submitted, and the
/// rest pending (overdue or not, depending on the day). Returns how many rows it wrote.
pub async fn obligations(
    db: &Db,
    now: i64,
    campaign_id: i64,
    plan_id: i64,
    per_unit: usize,
) -> Result<usize, anjian_store::Error> {
    let items: Vec<(i64,)> = db
        .read()
        .all(q("SELECT id FROM work_items WHERE plan_id = $1 ORDER BY no").bind(plan_id))
        .await?;
    let units: Vec<(i64,)> = db.read().all(q("SELECT id FROM units WHERE kind IN ('township', 'department', 'enterprise') ORDER BY id")).await?;
    let start = chrono::NaiveDate::from_ymd_opt(2022, 5, 16).expect("date");
    let per_item = per_unit.div_ceil(10).max(1);
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut tx = db.begin().await?;
    let mut written = 0;
    let mut assignments = Vec::new();
    let mut rows: Vec<(i64, i64, String, &'static str)> = Vec::new();
    for (n, (unit,)) in units.iter().enumerate() {
        for k in 0..10 {
            let item = items[(n * 7 + k * 11) % items.len()].0;
            let aid = next_id(now);
            assignments.push((aid, item, *unit, if k == 0 { "lead" } else { "co" }));
            for i in 0..per_item {
                let due =
                    start + chrono::Duration::days(((i * 160) / per_item) as i64 + (k as i64 % 7));
                let state = match next() % 100 {
                    0..=59 => "accepted",
                    60..=69 => "done_late",
                    70..=74 => "returned",
                    75..=79 => "submitted",
                    _ => "pending",
                };
                let state = if due > chrono::NaiveDate::from_ymd_opt(2022, 8, 15).expect("date")
                    && state != "pending"
                    && next() % 2 == 0
                {
                    "pending"
                } else {
                    state
                };
                rows.push((aid, *unit, due.format("%Y-%m-%d").to_string(), state));
            }
        }
    }
    for chunk in assignments.chunks(300) {
        let mut insert = q(
            "INSERT INTO assignments (id, campaign_id, work_item_id, duty_id, unit_id, role, created_at) VALUES ",
        );
        for (i, (id, item, unit, role)) in chunk.iter().enumerate() {
            insert = insert
                .push(if i == 0 { "(" } else { ", (" })
                .push_bind(*id)
                .push(", ")
                .push_bind(campaign_id)
                .push(", ")
                .push_bind(*item)
                .push(", NULL, ")
                .push_bind(*unit)
                .push(", ")
                .push_bind(*role)
                .push(", ")
                .push_bind(now)
                .push(")");
        }
        tx.execute(insert).await?;
    }
    for chunk in rows.chunks(300) {
        let mut insert = q(
            "INSERT INTO obligations (id, campaign_id, assignment_id, unit_id, due_on, label, min_count, state, created_at, updated_at) VALUES ",
        );
        for (i, (aid, unit, due, state)) in chunk.iter().enumerate() {
            insert = insert
                .push(if i == 0 { "(" } else { ", (" })
                .push_bind(next_id(now))
                .push(", ")
                .push_bind(campaign_id)
                .push(", ")
                .push_bind(*aid)
                .push(", ")
                .push_bind(*unit)
                .push(", ")
                .push_bind(due.clone())
                .push(", ")
                .push_bind(format!("{}前", &due[5..]))
                .push(", 1, ")
                .push_bind(*state)
                .push(", ")
                .push_bind(now)
                .push(", ")
                .push_bind(now)
                .push(")");
        }
        written += tx.execute(insert).await? as usize;
    }
    tx.commit().await?;
    db.analyze().await?;
    Ok(written)
}

/// Generates a campaign's activity up to `as_of` for the demo: of the obligations due by
/// then, most were reported and accepted on time, some accepted late, some returned with
/// a reason, some submitted and waiting, and the rest never reported (overdue). Written
/// in bulk, with one audit entry saying the activity is generated.
pub async fn activity(
    db: &Db,
    now: i64,
    campaign_id: i64,
    as_of: chrono::NaiveDate,
) -> Result<usize, anjian_store::Error> {
    let due: Vec<(i64, i64, String)> = db
        .read()
        .all(q("SELECT o.id, o.unit_id, o.due_on FROM obligations o JOIN assignments a ON a.id = o.assignment_id WHERE o.campaign_id = $1 AND o.due_on <= $2 AND a.role <> 'invited' ORDER BY o.id").bind(campaign_id).bind(as_of.format("%Y-%m-%d").to_string()))
        .await?;
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % 100
    };
    let mut tx = db.begin().await?;
    let mut reports = Vec::new();
    let mut states: Vec<(i64, &'static str)> = Vec::new();
    for (id, unit, due_on) in &due {
        let due = chrono::NaiveDate::parse_from_str(due_on, "%Y-%m-%d").unwrap_or(as_of);
        let (state, submitted, decision, reason) = match next() {
            0..=61 => (
                "accepted",
                due - chrono::Duration::days(1 + (next() % 5) as i64),
                Some("accepted"),
                None,
            ),
            62..=73 => (
                "done_late",
                due + chrono::Duration::days(1 + (next() % 9) as i64),
                Some("accepted"),
                None,
            ),
            74..=79 => (
                "returned",
                due - chrono::Duration::days(1),
                Some("returned"),
                Some("佐证材料不全，请补充会议记录或照片"),
            ),
            80..=84 => ("submitted", due, None, None),
            _ => continue,
        };
        let submitted = submitted.min(as_of);
        let at = anjian_core::time::at_local(submitted, 10).unwrap_or(now);
        reports.push((
            next_id(now),
            *id,
            *unit,
            at,
            submitted.format("%Y-%m-%d").to_string(),
            decision,
            reason,
        ));
        states.push((*id, state));
    }
    for chunk in reports.chunks(200) {
        let mut insert = q(
            "INSERT INTO progress_reports (id, obligation_id, unit_id, author_id, text, submitted_at, submitted_on, decision, reason, reviewed_at) VALUES ",
        );
        for (i, (id, obligation, unit, at, on, decision, reason)) in chunk.iter().enumerate() {
            insert = insert
                .push(if i == 0 { "(" } else { ", (" })
                .push_bind(*id)
                .push(", ")
                .push_bind(*obligation)
                .push(", ")
                .push_bind(*unit)
                .push(", NULL, '已按要求落实，相关材料已归档（演示数据）', ")
                .push_bind(*at)
                .push(", ")
                .push_bind(on.clone())
                .push(", ")
                .push_bind(decision.map(str::to_string))
                .push(", ")
                .push_bind(reason.map(str::to_string))
                .push(", ")
                .push_bind(decision.map(|_| *at + 86_400_000))
                .push(")");
        }
        tx.execute(insert).await?;
    }
    for state in ["accepted", "done_late", "returned", "submitted"] {
        let ids: Vec<i64> = states
            .iter()
            .filter(|(_, s)| *s == state)
            .map(|(id, _)| *id)
            .collect();
        for chunk in ids.chunks(500) {
            let mut update = q("UPDATE obligations SET state = ")
                .push_bind(state)
                .push(", updated_at = ")
                .push_bind(now)
                .push(" WHERE id IN (");
            for (i, id) in chunk.iter().enumerate() {
                update = if i == 0 {
                    update.push_bind(*id)
                } else {
                    update.push(", ").push_bind(*id)
                };
            }
            tx.execute(update.push(")")).await?;
        }
    }
    let detail = format!("演示数据：截至{as_of}生成{}条报送记录", reports.len());
    audit::append(
        &mut tx,
        now,
        &Actor::system("demo"),
        Entry::ok("demo.activity", "campaign", campaign_id).detail(detail),
    )
    .await?;
    tx.commit().await?;
    db.analyze().await?;
    Ok(reports.len())
}
