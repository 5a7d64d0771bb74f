//! Officials and leaders, and the persons who answer for an enterprise: the three
//! responsible persons (行政、行业监管、企业单位负责人), the three tiers of each major
//! risk and the guarantee officials of major hazard installations. A change of person
//! closes the old row on the day of change and opens a new one, so the history stays.
//! Each township's public board lists its listed enterprises with their three persons.

use anjian_core::duty::Post;
use anjian_core::enterprise::PersonRole;
use anjian_core::time::Moment;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// Setting key of the most listed enterprises one official should answer for.
pub const CEILING: &str = "max_enterprises_per_official";
/// The default ceiling (避免"一人承包").
pub const DEFAULT_CEILING: i64 = 8;

/// An official or leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Official {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub title: String,
    /// The post whose quotas they carry, if any.
    pub post: Option<String>,
    /// Its name (`duty_posts`).
    pub post_name: Option<String>,
    pub phone: Option<String>,
    pub user_id: Option<i64>,
}

impl Official {
    /// The post's Chinese name, empty without one.
    pub fn post_label(&self) -> &str {
        self.post_name.as_deref().unwrap_or("")
    }
}

/// A new official: unit, name, title, post (`district_head`, `township_head`,
/// `other_leader` or none), phone, and the account they log in with.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewOfficial {
    pub unit: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub post: String,
    #[serde(default)]
    pub phone: String,
    pub user: Option<i64>,
}

const OFFICIAL: &str = "SELECT o.id, o.unit_id, u.name AS unit_name, o.name, o.title, o.post, (SELECT p.name FROM duty_posts p WHERE p.code = o.post) AS post_name, o.phone, o.user_id FROM officials o JOIN units u ON u.id = o.unit_id WHERE o.active = 1 AND ";

/// Officials of units in scope, by unit and name.
pub async fn officials(db: &Db, scope: &Scope) -> Result<Vec<Official>> {
    db.read()
        .all(
            scope
                .units(q(OFFICIAL), "u")
                .push(" ORDER BY u.name, o.name LIMIT 10000"),
        )
        .await
}

/// One official in scope, or `NotFound`.
pub async fn official(db: &Db, scope: &Scope, id: i64) -> Result<Official> {
    db.read()
        .one(
            scope
                .units(q(OFFICIAL), "u")
                .push(" AND o.id = ")
                .push_bind(id),
        )
        .await
}

/// The official a user logs in as, if any.
pub async fn official_of_user(db: &Db, user_id: i64) -> Result<Option<Official>> {
    db.read()
        .opt(
            q(OFFICIAL)
                .push("o.user_id = ")
                .push_bind(user_id)
                .push(" LIMIT 1"),
        )
        .await
}

/// Adds an official to a unit in scope.
pub async fn add_official(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    o: &NewOfficial,
) -> Result<i64> {
    use anjian_core::error::{optional_text, required_text};
    let unit = o
        .unit
        .or(actor.unit_id)
        .ok_or_else(|| Error::invalid("required", "unit", "请选择所在单位"))?;
    let name = required_text("name", "姓名", &o.name, 50)?;
    let title = required_text("title", "职务", &o.title, 100)?;
    let phone = optional_text("phone", "电话", &o.phone, 30)?;
    let at = crate::directory::units::get(db, scope, unit)
        .await
        .map_err(|e| match e {
            Error::NotFound => Error::invalid("unknown_unit", "unit", "所在单位不存在"),
            e => e,
        })?;
    let post = if o.post.trim().is_empty() {
        None
    } else {
        let posts = crate::duty::posts(db).await?;
        let Some(def) = posts.into_iter().find(|p| p.code.as_str() == o.post.trim()) else {
            return Err(Error::invalid("invalid_post", "post", "岗位类别不正确"));
        };
        if def.code.is_responsible_official() {
            return Err(Error::invalid(
                "invalid_post",
                "post",
                "挂牌企业负责人由企业责任人公示自动确定，无需设置",
            ));
        }
        if !def.held_in(&at.kind) {
            return Err(Error::invalid(
                "post_unit_kind",
                "post",
                format!("“{}”应由{}的人员担任", def.name, def.unit_kind_label()),
            ));
        }
        Some(def.code)
    };
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO officials (id, unit_id, name, title, post, phone, user_id, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)")
            .bind(id)
            .bind(unit)
            .bind(name.as_str())
            .bind(title.as_str())
            .bind(post.as_ref().map(Post::as_str))
            .bind(phone)
            .bind(o.user)
            .bind(now_ms),
    )
    .await?;
    let entry = Entry::ok("official.create", "official", id).detail(format!("{name} {title}"));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// A person answering for an enterprise, current or past.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub enterprise_id: i64,
    pub role: String,
    pub risk: Option<String>,
    pub official_id: Option<i64>,
    pub name: String,
    pub title: String,
    pub phone: Option<String>,
    pub from_on: String,
    pub until_on: Option<String>,
}

impl Person {
    /// The role's Chinese name.
    pub fn role_label(&self) -> &'static str {
        PersonRole::parse(&self.role).map_or("", PersonRole::label)
    }
}

/// A person to name: the role, the major risk or installation for the three tiers and
/// guarantee, the official (for the administrative and industry roles: their name and
/// title come from the official) or a name and title, a phone, the first day.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewPerson {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub risk: String,
    pub official: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub phone: String,
    /// YYYY-MM-DD; today when empty.
    #[serde(default)]
    pub from_on: String,
}

/// Names a person for enterprise `id` (in scope) from a day: the current holder of the
/// same role (and risk) is closed on that day. Returns the new row's id and, for an
/// official, how many listed enterprises they now answer for with whether that passes
/// the ceiling.
pub async fn assign(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    enterprise: i64,
    p: &NewPerson,
) -> Result<(i64, Option<(i64, bool)>)> {
    use anjian_core::error::{optional_date, optional_text, required_text};
    crate::enterprises::get(db, scope, enterprise).await?;
    let role = PersonRole::parse(&p.role)?;
    let risk = if role.needs_risk() {
        Some(required_text(
            "risk",
            "重大风险（隐患）或危险源名称",
            &p.risk,
            100,
        )?)
    } else {
        None
    };
    let (official, name, title) = if role.is_official() {
        let id = p
            .official
            .ok_or_else(|| Error::invalid("required", "official", "请选择负责人（干部）"))?;
        let o = official(db, &Scope::All, id).await.map_err(|e| match e {
            Error::NotFound => Error::invalid("unknown_official", "official", "所选干部不存在"),
            e => e,
        })?;
        let title = if o.title.starts_with(&o.unit_name) {
            o.title
        } else {
            format!("{}{}", o.unit_name, o.title)
        };
        (Some(o.id), o.name, title)
    } else {
        (
            None,
            required_text("name", "姓名", &p.name, 50)?,
            required_text("title", "职务", &p.title, 100)?,
        )
    };
    let phone = optional_text("phone", "电话", &p.phone, 30)?;
    let from = optional_date("from_on", "任职日期", &p.from_on)?.unwrap_or(today);
    if from > today {
        return Err(Error::invalid(
            "future_date",
            "from_on",
            "任职日期不能晚于今天",
        ));
    }
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    tx.execute(
        q("UPDATE responsible_persons SET until_on = $1 WHERE enterprise_id = $2 AND role = $3 AND COALESCE(risk, '') = $4 AND until_on IS NULL")
            .bind(day(from))
            .bind(enterprise)
            .bind(role.as_str())
            .bind(risk.clone().unwrap_or_default()),
    )
    .await?;
    tx.execute(
        q("INSERT INTO responsible_persons (id, enterprise_id, role, risk, official_id, name, title, phone, from_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(id)
            .bind(enterprise)
            .bind(role.as_str())
            .bind(risk)
            .bind(official)
            .bind(name.as_str())
            .bind(title.as_str())
            .bind(phone)
            .bind(day(from))
            .bind(now_ms),
    )
    .await?;
    let entry = Entry::ok("enterprise.person", "unit", enterprise).detail(format!(
        "{}：{} {}（{}起）",
        role.label(),
        name,
        title,
        from
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    let load = match official {
        Some(o) => {
            let n = load_of(db, o).await?;
            Some((n, n > ceiling(db).await?))
        }
        None => None,
    };
    Ok((id, load))
}

/// How many listed enterprises official `id` currently answers for.
pub async fn load_of(db: &Db, id: i64) -> Result<i64> {
    let (n,): (i64,) = db
        .read()
        .one(q("SELECT CAST(COUNT(DISTINCT r.enterprise_id) AS BIGINT) FROM responsible_persons r JOIN enterprises e ON e.unit_id = r.enterprise_id WHERE r.official_id = $1 AND r.until_on IS NULL AND e.listed = 1").bind(id))
        .await?;
    Ok(n)
}

/// The ceiling in force.
pub async fn ceiling(db: &Db) -> Result<i64> {
    Ok(crate::settings::get(db, CEILING)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CEILING))
}

/// Officials in scope over the ceiling: the official and their count, most first.
pub async fn overloaded(db: &Db, scope: &Scope) -> Result<Vec<(Official, i64)>> {
    let limit = ceiling(db).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        o: Official,
        n: i64,
    }
    let rows: Vec<Row> = db
        .read()
        .all(
            scope
                .units(
                    q("SELECT o.id, o.unit_id, u.name AS unit_name, o.name, o.title, o.post, (SELECT p.name FROM duty_posts p WHERE p.code = o.post) AS post_name, o.phone, o.user_id, CAST(COUNT(DISTINCT r.enterprise_id) AS BIGINT) AS n FROM responsible_persons r JOIN enterprises e ON e.unit_id = r.enterprise_id JOIN officials o ON o.id = r.official_id JOIN units u ON u.id = o.unit_id WHERE r.until_on IS NULL AND e.listed = 1 AND "),
                    "u",
                )
                .push(" GROUP BY o.id, o.unit_id, u.name, o.name, o.title, o.post, o.phone, o.user_id HAVING COUNT(DISTINCT r.enterprise_id) > ")
                .push_bind(limit)
                .push(" ORDER BY n DESC LIMIT 200"),
        )
        .await?;
    Ok(rows.into_iter().map(|r| (r.o, r.n)).collect())
}

/// The persons of enterprise `id` (in scope): current first by role, then the past.
pub async fn persons(db: &Db, scope: &Scope, id: i64) -> Result<Vec<Person>> {
    crate::enterprises::get(db, scope, id).await?;
    db.read()
        .all(q("SELECT id, enterprise_id, role, risk, official_id, name, title, phone, from_on, until_on FROM responsible_persons WHERE enterprise_id = $1 ORDER BY CASE WHEN until_on IS NULL THEN 0 ELSE 1 END, role, risk, from_on DESC, id DESC LIMIT 500").bind(id))
        .await
}

/// One listed enterprise on a public board with its three persons (names and titles
/// only: no phone is published).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BoardEntry {
    pub enterprise: String,
    pub sector: String,
    pub risk_level: String,
    pub administrative: Option<(String, String)>,
    pub industry: Option<(String, String)>,
    pub enterprise_head: Option<(String, String)>,
    /// The heads of the three levels of its major risks (重大风险（隐患）“三个层级负责人”):
    /// management, technical and shop-floor, each (name, title, the risk).
    pub management: Vec<(String, String, String)>,
    pub technical: Vec<(String, String, String)>,
    pub shop_floor: Vec<(String, String, String)>,
    /// The officials answering for its major hazard installations (包保责任人).
    pub guarantee: Vec<(String, String, String)>,
}

impl BoardEntry {
    /// Whether any of the three levels or a 包保 official is named.
    pub fn has_levels(&self) -> bool {
        !(self.management.is_empty()
            && self.technical.is_empty()
            && self.shop_floor.is_empty()
            && self.guarantee.is_empty())
    }
}

/// A township's public board (挂牌公示).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub township_id: i64,
    pub township: String,
    pub hotline: String,
    pub entries: Vec<BoardEntry>,
}

/// The public board of township `id`: its listed enterprises with their current three
/// responsible persons, the heads of the three levels of their major risks and their
/// 包保 officials (item (52)), in three queries. `NotFound` for anything but an active township.
pub async fn board(db: &Db, id: i64) -> Result<Board> {
    let (township,): (String,) = db
        .read()
        .one(
            q(format!(
                "SELECT name FROM units WHERE id = $1 AND kind IN {} AND active = 1",
                anjian_core::unit::LOCALITY_KINDS
            ))
            .bind(id),
        )
        .await?;
    let ents: Vec<(i64, String, String, String)> = db
        .read()
        .all(q("SELECT u.id, u.name, s.name, e.risk_level FROM enterprises e JOIN units u ON u.id = e.unit_id JOIN sectors s ON s.id = e.sector_id WHERE e.township_id = $1 AND e.listed = 1 AND u.active = 1 ORDER BY s.name, u.name LIMIT 2000").bind(id))
        .await?;
    // Current entries only (an ended one is no longer published); names and titles,
    // never phone numbers.
    let people: Vec<(i64, String, String, String, Option<String>)> = db
        .read()
        .all(q("SELECT r.enterprise_id, r.role, r.name, r.title, r.risk FROM responsible_persons r JOIN enterprises e ON e.unit_id = r.enterprise_id WHERE e.township_id = $1 AND e.listed = 1 AND r.until_on IS NULL ORDER BY r.id LIMIT 20000").bind(id))
        .await?;
    let mut entries: Vec<BoardEntry> = ents
        .iter()
        .map(|(_, name, sector, level)| BoardEntry {
            enterprise: name.clone(),
            sector: sector.clone(),
            risk_level: anjian_core::enterprise::RiskLevel::parse(level)
                .map_or("", |l| l.label())
                .to_string(),
            ..BoardEntry::default()
        })
        .collect();
    let index: std::collections::HashMap<i64, usize> =
        ents.iter().enumerate().map(|(i, e)| (e.0, i)).collect();
    for (ent, role, name, title, risk) in people {
        let Some(e) = index.get(&ent).map(|i| &mut entries[*i]) else {
            continue;
        };
        let risk = risk.unwrap_or_default();
        match role.as_str() {
            "administrative" => e.administrative = Some((name, title)),
            "industry" => e.industry = Some((name, title)),
            "enterprise" => e.enterprise_head = Some((name, title)),
            "management" => e.management.push((name, title, risk)),
            "technical" => e.technical.push((name, title, risk)),
            "shop_floor" => e.shop_floor.push((name, title, risk)),
            "guarantee" => e.guarantee.push((name, title, risk)),
            _ => {}
        }
    }
    Ok(Board {
        township_id: id,
        township,
        hotline: "12350".into(),
        entries,
    })
}
