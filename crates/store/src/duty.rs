//! Duty records and quotas: officials and leaders log what they did (a record can name
//! the enforcement it was); records back-dated beyond the window wait for the office's
//! approval before they count; each official's and leader's records are counted
//! against the quotas of their post (the plan's, until the office sets others) over the
//! periods that overlap a month or a week, and the responsible officials' half-year
//! coverage of their listed enterprises is counted beside.

use anjian_core::time::Moment;
use anjian_core::time::Span;
use std::collections::HashMap;

use anjian_core::duty::{
    Activity, Approval, NewPost, Period, Post, PostDef, Quota, RecordState, RecordStep, Standing,
};
use anjian_core::machine::States;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::responsible::Official;
use crate::scope::{Actor, Scope};
use crate::transition::{Kept, Move, apply};

/// Setting key of the days a record may be back-dated without approval.
pub const BACKDATE_WINDOW: &str = "duty_backdate_days";
/// The default window.
pub const DEFAULT_WINDOW: i64 = 7;

/// The posts in force: the plan's (migration 47) and those the office added, in the
/// order added.
pub async fn posts(db: &Db) -> Result<Vec<PostDef>> {
    let rows: Vec<(String, String, String, String)> = db
        .read()
        .all(q("SELECT code, name, unit_kind, source FROM duty_posts ORDER BY created_at, code LIMIT 1000"))
        .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, unit_kind, source)| PostDef {
            code: Post(code),
            name,
            unit_kind,
            source,
        })
        .collect())
}

/// Adds a post (the office) held by the officials of one kind of unit, in one
/// transaction with its audit entry; returns its code. A name already taken is refused
/// (field `name`).
pub async fn add_post(db: &Db, now_ms: i64, actor: &Actor, p: &NewPost) -> Result<Post> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let (name, kind, source) = anjian_core::duty::check_post(p)?;
    let code = Post(format!("post_{}", next_id(now_ms)));
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO duty_posts (code, name, unit_kind, source, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(code.as_str())
            .bind(name.as_str())
            .bind(kind.as_str())
            .bind(source.as_str())
            .bind(now_ms),
    )
    .await
    .map_err(|e| match e {
        e if e.is_unique_violation() => {
            Error::invalid("duplicate_post", "name", "已有同名岗位")
        }
        e => e,
    })?;
    let entry = Entry::ok("duty.post", "duty_post", code.as_str())
        .detail(format!("{name}（{kind}）{source}"));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(code)
}

/// A quota as a form or the API adds it: every value as text, checked here.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewQuota {
    /// The post's code.
    #[serde(default)]
    pub post: String,
    #[serde(default)]
    pub activity: String,
    /// week, month, quarter or half_year.
    #[serde(default)]
    pub period: String,
    /// 1–100.
    #[serde(default)]
    pub minimum: String,
    /// The work item it comes from, e.g. "（34）".
    #[serde(default)]
    pub source: String,
}

/// Adds a quota to those in force (the office): a post that exists (field `post`), an
/// activity, a period (field `period`) and a minimum of 1 to 100 (field `minimum`),
/// every problem at once; one post has one quota per activity.
pub async fn add_quota(db: &Db, now_ms: i64, actor: &Actor, n: &NewQuota) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let posts = posts(db).await?;
    let mut c = anjian_core::error::Checks::default();
    let post = posts.iter().find(|p| p.code.as_str() == n.post.trim());
    if post.is_none() {
        c.note(anjian_core::FieldError::new(
            "invalid_post",
            "post",
            "请选择岗位",
        ));
    }
    let activity = c.take(Activity::parse(&n.activity));
    let period = if n.period.trim().is_empty() {
        c.note(anjian_core::FieldError::new(
            "required",
            "period",
            "请选择定额周期",
        ));
        None
    } else {
        c.take(Period::parse(&n.period))
    };
    let minimum = match n.minimum.trim().parse::<i64>() {
        Ok(m) if (1..=100).contains(&m) => Some(m),
        _ => {
            c.note(anjian_core::FieldError::new(
                "invalid_minimum",
                "minimum",
                "最低次数应为1到100的整数",
            ));
            None
        }
    };
    let source = c.take(anjian_core::error::optional_text(
        "source", "依据", &n.source, 50,
    ));
    c.finish()?;
    let (Some(post), Some(activity), Some(period), Some(minimum), Some(source)) =
        (post, activity, period, minimum, source)
    else {
        return Err(Error::invalid(
            "unreadable",
            "post",
            "表单无法读取，请重新填写",
        ));
    };
    let mut all = quotas(db).await?;
    all.push(Quota {
        post: post.code.clone(),
        post_name: post.name.clone(),
        activity,
        period,
        minimum,
        source: source.unwrap_or_default(),
    });
    set_quotas(db, now_ms, actor, &all).await
}

/// The quotas in force: the office's table, or the plan's when it has set none.
pub async fn quotas(db: &Db) -> Result<Vec<Quota>> {
    let rows: Vec<(String, String, String, String, i64, String)> = db
        .read()
        .all(q("SELECT q.post, COALESCE(p.name, q.post), q.activity, q.period, q.minimum, q.source FROM duty_quotas q LEFT JOIN duty_posts p ON p.code = q.post ORDER BY p.created_at, q.post, q.activity"))
        .await?;
    if rows.is_empty() {
        return Ok(anjian_core::duty::plan_quotas());
    }
    Ok(rows
        .into_iter()
        .filter_map(|(p, post_name, a, per, minimum, source)| {
            Some(Quota {
                post: Post(p),
                post_name,
                activity: Activity::parse(&a).ok()?,
                period: Period::parse(&per).ok()?,
                minimum,
                source,
            })
        })
        .collect())
}

/// Replaces the quotas (the office), in one transaction with its audit entry.
pub async fn set_quotas(db: &Db, now_ms: i64, actor: &Actor, quotas: &[Quota]) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    if let Some(bad) = quotas.iter().find(|q| !(1..=100).contains(&q.minimum)) {
        return Err(Error::invalid(
            "invalid_minimum",
            "minimum",
            format!("{}的最低次数应为1到100", bad.activity.label()),
        ));
    }
    let posts = posts(db).await?;
    if let Some(bad) = quotas
        .iter()
        .find(|x| !posts.iter().any(|p| p.code == x.post))
    {
        return Err(Error::invalid(
            "invalid_post",
            "post",
            format!("岗位“{}”不存在", bad.post.as_str()),
        ));
    }
    let mut tx = db.begin().await?;
    tx.execute(q("DELETE FROM duty_quotas")).await?;
    if !quotas.is_empty() {
        let rows: Vec<Vec<crate::db::Arg>> = quotas
            .iter()
            .map(|x| {
                vec![
                    x.post.as_str().into(),
                    x.activity.as_str().into(),
                    x.period.as_str().into(),
                    x.minimum.into(),
                    x.source.clone().into(),
                ]
            })
            .collect();
        let insert = crate::db::insert_rows(
            "INSERT INTO duty_quotas (post, activity, period, minimum, source) VALUES ",
            &rows,
        );
        tx.execute(insert).await.map_err(|e| match e {
            e if e.is_unique_violation() => Error::invalid(
                "duplicate_quota",
                "activity",
                "同一岗位的同一履职活动只能设一条定额",
            ),
            e => e,
        })?;
    }
    let entry =
        Entry::ok("duty.quotas", "setting", 0).detail(format!("履职定额{}条", quotas.len()));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// A duty record as logged: the official (the caller's own when empty), the activity,
/// the day, place, participants, topic, the listed enterprise (for the activities at
/// one), and the enforcement record or supervision visit it was, if any.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewRecord {
    pub official: Option<i64>,
    #[serde(default)]
    pub activity: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub topic: String,
    pub enterprise: Option<i64>,
    pub enforcement: Option<i64>,
    /// The supervision visit it was, if any.
    pub visit: Option<i64>,
    /// The stored evidence file (its SHA-256 in the file store), if any.
    #[serde(skip)]
    pub evidence: Option<String>,
}

/// A logged record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Record {
    pub id: i64,
    pub official_id: i64,
    pub official: String,
    pub unit_name: String,
    pub activity: String,
    pub on_day: String,
    pub place: String,
    pub participants: Option<String>,
    pub topic: String,
    pub enterprise_id: Option<i64>,
    pub enterprise: Option<String>,
    pub enforcement_id: Option<i64>,
    pub visit_id: Option<i64>,
    /// counted, pending (back-dated, awaiting the office) or refused.
    pub state: String,
    /// The evidence file's SHA-256, if one was attached.
    pub evidence_sha256: Option<String>,
}

impl Record {
    /// Whether it counts (logged in time, or approved by the office).
    pub fn counted(&self) -> bool {
        RecordState::parse(&self.state) == Some(RecordState::Counted)
    }

    /// The state's Chinese name.
    pub fn state_label(&self) -> &'static str {
        RecordState::label_of(&self.state)
    }

    /// The activity's Chinese name.
    pub fn activity_label(&self) -> &'static str {
        Activity::parse(&self.activity).map_or("", Activity::label)
    }
}

pub(crate) const RECORD: &str = "SELECT r.id, r.official_id, o.name AS official, u.name AS unit_name, r.activity, r.on_day, r.place, r.participants, r.topic, r.enterprise_id, x.name AS enterprise, r.enforcement_id, r.visit_id, r.state, r.evidence_sha256 FROM duty_records r JOIN officials o ON o.id = r.official_id JOIN units u ON u.id = o.unit_id LEFT JOIN units x ON x.id = r.enterprise_id WHERE ";

/// Logs a duty record on `today`: for an official of a unit in scope (or the caller's
/// own); never in the future; back-dated beyond the window it waits for approval.
/// Returns the record.
pub async fn record(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    r: &NewRecord,
) -> Result<Record> {
    use anjian_core::error::{optional_text, required_date, required_text};
    let official = match r.official {
        Some(id) => crate::responsible::official(db, scope, id)
            .await
            .map_err(|e| match e {
                Error::NotFound => Error::invalid(
                    "unknown_official",
                    "official",
                    "履职人不存在或不在本单位范围内",
                ),
                e => e,
            })?,
        None => match actor.user_id {
            Some(u) => crate::responsible::official_of_user(db, u)
                .await?
                .ok_or_else(|| Error::invalid("required", "official", "请选择履职人"))?,
            None => return Err(Error::invalid("required", "official", "请选择履职人")),
        },
    };
    let activity = Activity::parse(&r.activity)?;
    let on = required_date("on", "履职日期", &r.on)?;
    let window = crate::settings::get(db, BACKDATE_WINDOW)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_WINDOW);
    let late = anjian_core::duty::check_day(on, today, window)?;
    let place = required_text("place", "地点", &r.place, 200)?;
    let topic = anjian_core::error::required_paragraphs("topic", "主题或内容", &r.topic, 1000)?;
    let participants = optional_text("participants", "参加人员", &r.participants, 500)?;
    if activity.at_enterprise() {
        let e = r
            .enterprise
            .ok_or_else(|| Error::invalid("required", "enterprise", "请选择挂牌企业"))?;
        let listed: Option<(i64,)> = db
            .read()
            .opt(q("SELECT listed FROM enterprises WHERE unit_id = $1").bind(e))
            .await?;
        if listed.map(|(l,)| l) != Some(1) {
            return Err(Error::invalid(
                "not_listed",
                "enterprise",
                "所选企业不是挂牌企业",
            ));
        }
    }
    if let Some(x) = r.enforcement {
        crate::enforcements::get(db, scope, today, x)
            .await
            .map_err(|e| match e {
                Error::NotFound => {
                    Error::invalid("unknown_enforcement", "enforcement", "执法检查记录不存在")
                }
                e => e,
            })?;
    }
    if let Some(v) = r.visit {
        crate::visits::get(db, scope, actor.unit_id, v)
            .await
            .map_err(|e| match e {
                Error::NotFound => Error::invalid("unknown_visit", "visit", "督查检查记录不存在"),
                e => e,
            })?;
    }
    let state = if late {
        RecordState::Pending
    } else {
        RecordState::Counted
    };
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO duty_records (id, official_id, activity, on_day, place, participants, topic, enterprise_id, enforcement_id, state, created_by, created_at, evidence_sha256, visit_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
            .bind(id)
            .bind(official.id)
            .bind(activity.as_str())
            .bind(day(on))
            .bind(place.as_str())
            .bind(participants)
            .bind(topic.as_str())
            .bind(r.enterprise.filter(|_| activity.at_enterprise()))
            .bind(r.enforcement)
            .bind(state.as_str())
            .bind(actor.user_id)
            .bind(now_ms)
            .bind(r.evidence.clone())
            .bind(r.visit),
    )
    .await?;
    let entry = Entry::ok("duty.record", "duty_record", id).detail(format!(
        "{} {} {}：{}",
        official.name,
        on,
        activity.label(),
        topic
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    db.read().one(q(RECORD).push("r.id = ").push_bind(id)).await
}

/// The evidence file of record `id`, if the record is in scope and has one.
pub async fn evidence(db: &Db, scope: &Scope, id: i64) -> Result<Option<String>> {
    let r: Record = db
        .read()
        .one(
            scope
                .units(q(RECORD), "u")
                .push(" AND r.id = ")
                .push_bind(id),
        )
        .await?;
    Ok(r.evidence_sha256)
}

/// Records of officials in scope on days `first..=last`, newest first (by day, then
/// id), optionally only those in `state`, a page at a time.
pub async fn records(
    db: &Db,
    scope: &Scope,
    Span { first, last }: Span,
    state: Option<&str>,
    page: crate::paging::Page,
) -> Result<Vec<Record>> {
    let mut query = scope
        .units(q(RECORD), "u")
        .push(" AND r.on_day >= ")
        .push_bind(day(first))
        .push(" AND r.on_day <= ")
        .push_bind(day(last));
    if let Some(s) = state {
        query = query.push(" AND r.state = ").push_bind(s.to_string());
    }
    if let Some(a) = page.after {
        query = crate::paging::before_row(
            query,
            scope,
            "r.on_day, r.id",
            "SELECT c.on_day, c.id FROM duty_records c JOIN officials co ON co.id = c.official_id JOIN units cu ON cu.id = co.unit_id WHERE c.id = ",
            a,
        );
    }
    db.read()
        .all(
            query
                .push(" ORDER BY r.on_day DESC, r.id DESC LIMIT ")
                .push_bind(page.limit()),
        )
        .await
}

/// The office approves (the record counts) or refuses a back-dated record.
pub async fn decide(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    approve: bool,
) -> Result<()> {
    let step = if approve {
        RecordStep::Approve
    } else {
        RecordStep::Refuse
    };
    let by = crate::transition::relation(scope, actor, None);
    crate::transition::may::<Approval>(step, &by)?;
    let mut tx = db.begin().await?;
    let (state,): (String,) = tx
        .opt(q("SELECT state FROM duty_records WHERE id = $1").bind(id))
        .await?
        .ok_or(Error::NotFound)?;
    let from = RecordState::parse(&state).unwrap_or(RecordState::Refused);
    let mv = Move::<Approval>::new(id, step, from, &by).set("decided_at", now_ms);
    apply(
        &mut tx,
        now_ms,
        actor,
        mv,
        Entry::ok("duty.decide", "duty_record", id),
    )
    .await?;
    tx.commit().await
}

impl Kept for Approval {
    const RELATION: &'static str = "duty_records";
    const COLUMN: &'static str = "state";
    const UPDATED_AT: Option<&'static str> = None;
    const CONFLICT: &'static str = "该履职记录已由他人审批，请刷新后查看";
}

/// One quota of one person over the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QuotaStanding {
    pub activity: Activity,
    pub period: Period,
    pub minimum: i64,
    pub label: String,
    #[serde(flatten)]
    pub standing: Standing,
}

/// An official's or leader's standing over a range: each quota of their post, and for
/// a responsible official the listed enterprises they answer for and how many of those
/// they inspected in the half-year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PersonStanding {
    pub official_id: i64,
    /// The official's unit.
    pub unit_id: i64,
    pub name: String,
    pub title: String,
    pub unit_name: String,
    pub post: Post,
    /// The post's name.
    pub post_name: String,
    pub quotas: Vec<QuotaStanding>,
    /// (listed enterprises answered for, of those inspected in the half-year).
    pub coverage: Option<(i64, i64)>,
}

impl PersonStanding {
    /// Whether a quota's period ended short (未完成).
    pub fn missed(&self) -> bool {
        self.quotas.iter().any(|q| q.standing.missed > 0)
    }

    /// Whether, none having ended short, a period still running is short so far.
    pub fn in_progress(&self) -> bool {
        !self.missed() && self.quotas.iter().any(|q| q.standing.pending > 0)
    }
}

/// An activity's index in [`Activity::ALL`], as the standings' query encodes it.
fn index(a: Activity) -> i64 {
    Activity::ALL
        .iter()
        .position(|x| *x == a)
        .unwrap_or(usize::MAX) as i64
}

/// Every official and leader of a unit in scope with a post, against their quotas over
/// the periods overlapping `first..=last` as of `as_of`: officials and their days of
/// counted records read in four queries at once whatever their number (the officials,
/// their current roles, the counted records of the span, the enterprises covered).
pub async fn standings(
    db: &Db,
    scope: &Scope,
    Span { first, last }: Span,
    as_of: NaiveDate,
) -> Result<Vec<PersonStanding>> {
    // Leaders by post; responsible officials by their current official roles. The
    // officials and their roles are two queries, not a count per official: over the
    // city's 5,000 officials and 144,000 roles on PostgreSQL the correlated counts took
    // about 230 ms, the officials alone 20–40 ms and the grouped roles 65–78 ms.
    // CROSS JOIN keeps SQLite's loop order (officials, then their units' scope, then
    // their roles), so that a township's page starts from its own officials.
    let officials = scope
        .units(
            q("SELECT o.id, o.unit_id, u.name AS unit_name, o.name, o.title, o.post, (SELECT p.name FROM duty_posts p WHERE p.code = o.post) AS post_name, o.phone, o.user_id FROM officials o JOIN units u ON u.id = o.unit_id WHERE o.active = 1 AND "),
            "u",
        )
        .push(" ORDER BY u.name, o.name LIMIT 20000");
    // Whether a role's enterprise is listed: for a unit's subtree a probe per role of its
    // few officials; over the whole district one set of the listed enterprises, built
    // once (PostgreSQL over the city's 72,000 current roles: 65–78 ms, against 260–320 ms
    // probing each role's enterprise, which the planner chose for the joined form).
    let (listed, join) = if scope.reads_unit() {
        (
            "e.listed = 1",
            " LEFT JOIN enterprises e ON e.unit_id = r.enterprise_id",
        )
    } else {
        (
            "r.enterprise_id IN (SELECT e.unit_id FROM enterprises e WHERE e.listed = 1)",
            "",
        )
    };
    let roles = scope
        .units(
            q(format!("SELECT r.official_id, CAST(COUNT(DISTINCT CASE WHEN {listed} THEN r.enterprise_id END) AS BIGINT) FROM officials o CROSS JOIN units u CROSS JOIN responsible_persons r{join} WHERE u.id = o.unit_id AND r.official_id = o.id AND r.until_on IS NULL AND o.active = 1 AND ")),
            "u",
        )
        .push(" GROUP BY r.official_id");
    // The span every period overlapping the range covers.
    let quotas = quotas(db).await?;
    let (mut from, mut to) = (first, last);
    for quota in &quotas {
        for (pf, pl) in quota.period.overlapping(first, last) {
            from = from.min(pf);
            to = to.max(pl);
        }
    }
    let half = Period::HalfYear.containing(last);
    from = from.min(half.0);
    to = to.max(half.1).min(as_of.max(last));
    // Days as YYYYMMDD and activities as their index: integers decode without an
    // allocation per row (the city's 5,000 officials log about 40,000 records in the
    // span of a month's periods). No GROUP BY: grouping made SQLite walk every record
    // of the span in index order instead of the township's officials' (13 → 68 ms).
    let mut activity = String::from("CASE r.activity");
    for (i, a) in Activity::ALL.iter().enumerate() {
        activity.push_str(&format!(" WHEN '{}' THEN {i}", a.as_str()));
    }
    activity.push_str(" ELSE -1 END");
    let counted = RecordState::Counted.sql();
    let days = scope
        .units(
            q(format!("SELECT r.official_id, CAST({activity} AS BIGINT), CAST(REPLACE(r.on_day, '-', '') AS BIGINT), COALESCE(r.enterprise_id, 0) FROM duty_records r JOIN officials o ON o.id = r.official_id JOIN units u ON u.id = o.unit_id WHERE r.state = {counted} AND r.on_day >= "))
                .push_bind(day(from))
                .push(" AND r.on_day <= ")
                .push_bind(day(to))
                .push(" AND "),
            "u",
        );
    let covered = scope
        .units(
            q(format!("SELECT r.official_id, CAST(COUNT(DISTINCT r.enterprise_id) AS BIGINT) FROM duty_records r JOIN officials o ON o.id = r.official_id JOIN units u ON u.id = o.unit_id JOIN responsible_persons p ON p.official_id = r.official_id AND p.enterprise_id = r.enterprise_id AND p.until_on IS NULL WHERE r.state = {} AND r.activity = 'inspection' AND r.on_day >= ", RecordState::Counted.sql()))
                .push_bind(day(half.0))
                .push(" AND r.on_day <= ")
                .push_bind(day(half.1))
                .push(" AND "),
            "u",
        )
        .push(" GROUP BY r.official_id");
    // The four reads are independent: run at once, on connections of their own, the
    // page waits for the longest instead of their sum.
    let (mut a, mut b, mut c, mut d) = (db.read(), db.read(), db.read(), db.read());
    let (names, officials, roles, days, covered) = tokio::try_join!(
        posts(db),
        a.all::<Official>(officials),
        b.all::<(i64, i64)>(roles),
        c.all::<(i64, i64, i64, i64)>(days),
        d.all::<(i64, i64)>(covered),
    )?;
    let roles: HashMap<i64, i64> = roles.into_iter().collect();
    let rows = officials.into_iter().filter_map(|o| {
        let listed = roles.get(&o.id).copied();
        (o.post.is_some() || listed.is_some()).then(|| (o, listed.unwrap_or(0)))
    });
    let mut by: HashMap<(i64, i64), Vec<(NaiveDate, i64)>> = HashMap::new();
    for (o, a, d, enterprise) in days {
        let on = NaiveDate::from_ymd_opt(
            (d / 10_000) as i32,
            (d / 100 % 100) as u32,
            (d % 100) as u32,
        );
        if let Some(on) = on {
            by.entry((o, a)).or_default().push((on, enterprise));
        }
    }
    let covered: HashMap<i64, i64> = covered.into_iter().collect();
    let mut out = Vec::new();
    for (o, listed) in rows {
        let mut posts: Vec<Post> = o.post.clone().map(Post).into_iter().collect();
        if listed > 0 {
            posts.push(Post(Post::RESPONSIBLE_OFFICIAL.into()));
        }
        for post in posts {
            let post_name = names
                .iter()
                .find(|p| p.code == post)
                .map_or_else(|| post.as_str().to_string(), |p| p.name.clone());
            let qs = quotas
                .iter()
                .filter(|x| x.post == post)
                .map(|x| QuotaStanding {
                    activity: x.activity,
                    period: x.period,
                    minimum: x.minimum,
                    label: x.label(),
                    standing: anjian_core::duty::standing(
                        x,
                        Span::new(first, last),
                        as_of,
                        by.get(&(o.id, index(x.activity)))
                            .map_or(&[][..], |v| v.as_slice()),
                    ),
                })
                .collect();
            out.push(PersonStanding {
                official_id: o.id,
                unit_id: o.unit_id,
                name: o.name.clone(),
                title: o.title.clone(),
                unit_name: o.unit_name.clone(),
                coverage: post
                    .is_responsible_official()
                    .then(|| (listed, covered.get(&o.id).copied().unwrap_or(0))),
                post,
                post_name,
                quotas: qs,
            });
        }
    }
    Ok(out)
}
