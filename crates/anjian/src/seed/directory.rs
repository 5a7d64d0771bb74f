//! The synthetic directory of the benchmarks and the test harness: a district (30
//! townships, 60 departments, 5,000 enterprises, 2,000 users) or a city (1,000
//! townships, 200,000 enterprises), names shaped like Tongliang's, every account sharing
//! one password hash. The demo's own directory is `demo::load`'s (the real townships and
//! departments); this one is for scale.

use super::*;

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

/// The synthetic directory's `n`th account (the office's is the first: `u00000`).
pub fn username(n: usize) -> String {
    format!("u{n:05}")
}

/// The synthetic directory's accounts of `size`, in order, as [`load`] names them (a
/// benchmark measuring a database an earlier run seeded reads them from here).
pub fn usernames(size: Size) -> Vec<String> {
    (0..size.users).map(username).collect()
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
            let username = username(n * 200 + i);
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
