//! Public tips as kept: submitted without login with the identity sealed and the receipt
//! only as a slow hash; followed by receipt (wrong codes lock a locator for a while);
//! listed for handlers without identity, ever; the identity opened for the tip
//! custodian alone, each time with a reason in the audit chain; triaged by the office
//! (accepted and routed to the unit responsible for the sector with a verification
//! deadline as an obligation, merged into an earlier tip, or rejected with a reason);
//! and closed by the unit with its outcome.

use anjian_core::machine::{Machine, States};
use anjian_core::sealed::Keyring;
use anjian_core::time::Moment;
use anjian_core::tip::{Category, Channel, Reporter, Tip};
use anjian_core::tip_state::{
    Extension, ExtensionState, ExtensionStep as ExtensionMove, Handling, Reward, RewardState,
    RewardStep as RewardMove, Status, Step,
};

use crate::transition::{Kept, Move, apply};
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, Tx, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// Wrong receipt codes in a row before a locator is locked, and for how long.
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_MS: i64 = 15 * 60 * 1000;

/// The actor of the public path: nobody, and nothing about them.
pub fn public() -> Actor {
    Actor {
        user_id: None,
        username: "公众".into(),
        role: "public".into(),
        unit_id: None,
    }
}

/// The associated data that binds a sealed identity to its tip.
fn aad(id: i64) -> Vec<u8> {
    format!("tip:{id}").into_bytes()
}

/// A tip as the public sends it.
#[derive(Debug, Clone, Copy)]
pub struct NewTip<'a> {
    /// Its id, chosen before (its files are sealed with it); `crate::ids::next_id`.
    pub id: i64,
    pub tip: &'a Tip,
    /// The receipt's locator, kept in clear to find the tip.
    pub locator: &'a str,
    /// The slow hash of the whole receipt code.
    pub receipt_hash: &'a str,
    /// The photos it came with (already stored).
    pub files: &'a [TipFile],
}

/// Where and when a tip came in, and who recorded it: the web form's at the moment it
/// was sent by the public, another channel's (12350, e-mail, WeChat, letter, visit) at
/// the time the handler says, recorded by the handler.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    pub channel: Channel,
    pub at: Moment,
    pub by: &'a Actor,
}

/// Keeps a submitted tip received on `today` (the day only) with its photos, in one
/// transaction and one audit entry; `nonce` seals the identity. Returns its id; a
/// locator already taken is a unique violation the caller retries with a new code.
pub async fn submit(
    db: &Db,
    keyring: &Keyring,
    nonce: [u8; 24],
    now_ms: i64,
    NewTip {
        id,
        tip,
        locator,
        receipt_hash,
        files,
    }: NewTip<'_>,
    Received { channel, at, by }: Received<'_>,
) -> Result<i64> {
    if channel != Channel::Web {
        crate::authz::require(by, anjian_core::role::Role::records_tips)?;
    }
    let sectors = crate::hazards::sectors(db).await?;
    let Some((sector_id, _)) = sectors
        .iter()
        .find(|(_, s)| s == anjian_core::sector::canonical(&tip.sector))
    else {
        return Err(Error::invalid("unknown_sector", "sector", "请选择行业领域"));
    };
    let sealed = tip.reporter.as_ref().map(|r| {
        keyring.seal(
            serde_json::to_string(r).unwrap_or_default().as_bytes(),
            &aad(id),
            nonce,
        )
    });
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO tips (id, locator, receipt_hash, category, sector_id, place, reported_unit, description, anonymous, identity_sealed, received_on, updated_at, status, channel, received_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
            .bind(id)
            .bind(locator)
            .bind(receipt_hash)
            .bind(tip.category.as_str())
            .bind(*sector_id)
            .bind(tip.place.as_str())
            .bind(tip.reported_unit.clone())
            .bind(tip.description.as_str())
            .bind(i64::from(tip.reporter.is_none()))
            .bind(sealed)
            .bind(day(at.today))
            .bind(now_ms)
            .bind(Status::Received.as_str())
            .bind(channel.as_str())
            // The web form keeps no time of day (nothing about the sender); a handler's
            // record keeps when the call, mail or visit came in.
            .bind((channel != Channel::Web).then_some(at.ms))
            .bind(by.user_id),
    )
    .await?;
    insert_files(&mut tx, now_ms, id, files).await?;
    let entry = Entry::ok("tip.submit", "tip", id).detail(format!(
        "{}：{}（{}）{}{}",
        channel.label(),
        tip.category.label(),
        tip.sector,
        if tip.reporter.is_none() {
            "匿名"
        } else {
            "实名"
        },
        material(files)
    ));
    audit::append(&mut tx, now_ms, by, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// The tip a locator names: its id and receipt hash, unless the locator is locked
/// (`Err` with field `receipt`) or unknown (`None`).
pub async fn locate(db: &Db, now_ms: i64, locator: &str) -> Result<Option<(i64, String)>> {
    let lock: Option<(i64, i64)> = db
        .read()
        .opt(
            q("SELECT failures, locked_until FROM tip_receipt_failures WHERE locator = $1")
                .bind(locator),
        )
        .await?;
    if lock.is_some_and(|(_, until)| until > now_ms) {
        return Err(Error::invalid(
            "receipt_locked",
            "receipt",
            "回执码错误次数过多，请15分钟后再试",
        ));
    }
    db.read()
        .opt(q("SELECT id, receipt_hash FROM tips WHERE locator = $1").bind(locator))
        .await
}

/// Counts a wrong code for `locator`; the fifth in a row locks it.
pub async fn wrong_code(db: &Db, now_ms: i64, locator: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let row: Option<(i64,)> = tx
        .opt(q("SELECT failures FROM tip_receipt_failures WHERE locator = $1").bind(locator))
        .await?;
    let failures = row.map_or(0, |(f,)| f) + 1;
    let (failures, until) = if failures >= MAX_FAILURES {
        (0, now_ms + LOCK_MS)
    } else {
        (failures, 0)
    };
    tx.execute(
        q("INSERT INTO tip_receipt_failures (locator, failures, locked_until) VALUES ($1, $2, $3) ON CONFLICT (locator) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until")
            .bind(locator)
            .bind(failures)
            .bind(until),
    )
    .await?;
    tx.commit().await
}

/// Forgets the wrong codes of `locator` after a right one.
pub async fn right_code(db: &Db, locator: &str) -> Result<()> {
    db.read()
        .execute(q("DELETE FROM tip_receipt_failures WHERE locator = $1").bind(locator))
        .await?;
    Ok(())
}

/// The status names as the reporter and handlers read them (`core::tip_state`).
pub fn status_label(s: &str) -> &'static str {
    Status::parse(s).map_or("", Status::label)
}

/// What the reporter sees by receipt: never anyone's identity, nor the handling unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicView {
    pub category: Category,
    /// What the reporter sent, repeated to them: the place and the description.
    pub place: String,
    pub description: String,
    pub received_on: String,
    pub status: String,
    pub status_label: &'static str,
    /// The outcome or the reason of a rejection, as told to the reporter.
    pub note: Option<String>,
    pub messages: Vec<Message>,
    pub reward: Option<RewardView>,
}

/// A question from the handler or an answer from the reporter.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Message {
    pub from_reporter: bool,
    pub text: String,
    pub at: i64,
}

impl PublicView {
    /// The category's Chinese name.
    pub fn category_label(&self) -> &'static str {
        self.category.label()
    }
}

/// A reward as the reporter sees it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RewardView {
    pub amount_fen: i64,
    pub state: String,
    pub approved_on: Option<String>,
    pub paid_on: Option<String>,
}

impl RewardView {
    /// The state's Chinese name.
    pub fn state_label(&self) -> &'static str {
        match self.state.as_str() {
            "approved" => "已批准",
            "paid" => "已发放",
            _ => "拟奖励",
        }
    }
}

/// The reporter's view of tip `id`.
pub async fn public_view(db: &Db, id: i64) -> Result<PublicView> {
    #[derive(sqlx::FromRow)]
    struct Row {
        category: String,
        place: String,
        description: String,
        received_on: String,
        status: String,
        outcome: Option<String>,
        reason: Option<String>,
    }
    let r: Row = db
        .read()
        .one(q("SELECT t.category, t.place, t.description, t.received_on, t.status, COALESCE(t.outcome_note, m.outcome_note) AS outcome, t.reject_reason AS reason FROM tips t LEFT JOIN tips m ON m.id = t.merged_into WHERE t.id = $1").bind(id))
        .await?;
    let messages: Vec<Message> = db
        .read()
        .all(q("SELECT CAST(from_reporter AS BIGINT) = 1 AS from_reporter, text, at FROM tip_messages WHERE tip_id = $1 ORDER BY id").bind(id))
        .await?;
    let reward: Option<RewardView> = db
        .read()
        .opt(q(format!("SELECT amount_fen, state, approved_on, paid_on FROM tip_rewards WHERE COALESCE(payee_tip_id, tip_id) = $1 AND state IN {}", RewardState::sql_list(&RewardState::DECIDED))).bind(id))
        .await?;
    Ok(PublicView {
        category: Category::parse(&r.category).unwrap_or(Category::Other),
        place: r.place,
        description: r.description,
        received_on: r.received_on,
        status_label: status_label(&r.status),
        status: r.status,
        note: r.outcome.or(r.reason),
        messages,
        reward,
    })
}

/// A tip as handlers see it: no identity, only whether one was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TipRow {
    pub id: i64,
    pub category: String,
    pub sector: String,
    pub place: String,
    pub reported_unit: Option<String>,
    pub description: String,
    pub anonymous: bool,
    pub status: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub merged_into: Option<i64>,
    pub received_on: String,
    /// Where it came in: web, hotline, email, wechat, letter or visit.
    pub channel: String,
    /// How many files the reporter sent.
    pub files: i64,
    /// The routed unit's request to extend the verification: requested, approved or
    /// refused, and its reason.
    pub extension_state: Option<String>,
    pub extension_reason: Option<String>,
    /// The reward decided for it (proposed, approved, paid), in fen, and the tip whose
    /// reporter receives it (the first real-name reporter of merged duplicates).
    pub reward_state: Option<String>,
    pub reward_fen: Option<i64>,
    pub reward_payee: Option<i64>,
    /// The hazards and enforcement records its verification produced.
    #[sqlx(skip)]
    pub produced: Produced,
}

/// What a tip's verification produced, named with its outcome: hazards (隐患) and
/// enforcement records (执法检查), each in the verifying unit's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Produced {
    #[serde(default)]
    pub hazards: Vec<i64>,
    #[serde(default)]
    pub enforcements: Vec<i64>,
    /// Who concealed the linked accident: `enterprise` or `unit` (by default the
    /// accident's enterprise when it has one, else its unit).
    #[serde(default)]
    pub concealed_by: Option<String>,
}

impl Produced {
    /// At most this many links of each kind.
    pub const MAX: usize = 50;

    fn kinds(&self) -> [(&'static str, &Vec<i64>); 2] {
        [
            ("hazard", &self.hazards),
            ("enforcement", &self.enforcements),
        ]
    }
}

impl TipRow {
    /// The category's Chinese name.
    pub fn category_label(&self) -> &'static str {
        Category::parse(&self.category).map_or("", Category::label)
    }

    /// The status's Chinese name.
    /// The channel's Chinese name.
    pub fn channel_label(&self) -> &'static str {
        Channel::parse(&self.channel).map_or("", Channel::label)
    }

    pub fn status_label(&self) -> &'static str {
        status_label(&self.status)
    }

    /// The extension's state in Chinese, empty when none was asked.
    pub fn extension_label(&self) -> &'static str {
        match self.extension() {
            ExtensionState::NotRequested => "",
            e => e.label(),
        }
    }

    /// The reward's state in Chinese.
    pub fn reward_label(&self) -> &'static str {
        RewardState::label_of(self.reward_state.as_deref().unwrap_or_default())
    }

    /// Where the tip stands.
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Received)
    }

    /// Where its extension stands.
    pub fn extension(&self) -> ExtensionState {
        ExtensionState::parse(self.extension_state.as_deref().unwrap_or_default())
            .unwrap_or(ExtensionState::NotRequested)
    }

    /// Whether a viewer (the office, or unit `own_unit`) may take `step` of the tip's
    /// handling now: the table the store applies, asked before a button is shown.
    pub fn may(&self, step: Step, office: bool, own_unit: i64) -> bool {
        let by = anjian_core::machine::relation(office, Some(own_unit), self.unit_id);
        Handling::may(step, self.status(), &by)
    }

    /// Whether the viewer may take `step` of the extension now (while verifying).
    pub fn may_extend(&self, step: ExtensionMove, office: bool, own_unit: i64) -> bool {
        let by = anjian_core::machine::relation(office, Some(own_unit), self.unit_id);
        self.status() == Status::Accepted && Extension::may(step, self.extension(), &by)
    }

    /// Whether the viewer may decide the reward of the tip (substantiated) now.
    pub fn may_reward(&self, office: bool) -> bool {
        let by = anjian_core::machine::relation(office, None, None);
        self.status() == Status::Substantiated && Reward::allows(RewardMove::Propose, &by)
    }
}

/// Never the identity columns.
const ROW: &str = "SELECT t.id, t.category, s.name AS sector, t.place, t.reported_unit, t.description, CAST(t.anonymous AS BIGINT) = 1 AS anonymous, t.status, t.unit_id, u.name AS unit_name, t.merged_into, t.received_on, t.channel, t.extension_state, t.extension_reason, r.state AS reward_state, r.amount_fen AS reward_fen, COALESCE(r.payee_tip_id, r.tip_id) AS reward_payee, (SELECT CAST(COUNT(*) AS BIGINT) FROM tip_files f WHERE f.tip_id = t.id) AS files FROM tips t JOIN sectors s ON s.id = t.sector_id LEFT JOIN units u ON u.id = t.unit_id LEFT JOIN tip_rewards r ON r.tip_id = t.id WHERE ";

/// Tips for handlers: the office sees all; a unit those routed to it or below it.
fn visible(scope: &Scope) -> crate::db::Q {
    match scope {
        Scope::All => q(ROW).push("1 = 1"),
        Scope::Nothing => q(ROW).push("1 = 0"),
        Scope::Subtree { .. } => scope.units(q(ROW).push("t.unit_id IS NOT NULL AND "), "u"),
    }
}

/// What a tip list is narrowed to, and its keyset page.
#[derive(Debug, Clone, Default)]
pub struct TipFilter {
    pub status: Option<anjian_core::tip_state::Status>,
    /// The unit it was routed to.
    pub unit: Option<i64>,
    pub category: Option<anjian_core::tip::Category>,
    /// Words in the place, the description or the reported unit.
    pub search: Option<String>,
    /// Only tips with an id below this one (the next page, newest first).
    pub before: Option<i64>,
    /// At most this many (1–500).
    pub limit: i64,
}

/// Tips in scope, newest first, optionally in one status (at most 500).
pub async fn list(
    db: &Db,
    scope: &Scope,
    status: Option<anjian_core::tip_state::Status>,
) -> Result<Vec<TipRow>> {
    page(
        db,
        scope,
        &TipFilter {
            status,
            limit: 500,
            ..Default::default()
        },
    )
    .await
}

/// One keyset page of tips in scope narrowed by `f`, newest first.
pub async fn page(db: &Db, scope: &Scope, f: &TipFilter) -> Result<Vec<TipRow>> {
    use anjian_core::machine::States;
    let mut query = visible(scope);
    if let Some(s) = f.status {
        query = query.push(" AND t.status = ").push_bind(s.as_str());
    }
    if let Some(u) = f.unit {
        query = query.push(" AND t.unit_id = ").push_bind(u);
    }
    if let Some(c) = f.category {
        query = query.push(" AND t.category = ").push_bind(c.as_str());
    }
    if let Some(s) = &f.search {
        let like = crate::db::contains(s);
        query = query
            .push(" AND (t.place LIKE ")
            .push_bind(like.clone())
            .push(" OR t.description LIKE ")
            .push_bind(like.clone())
            .push(" OR t.reported_unit LIKE ")
            .push_bind(like)
            .push(")");
    }
    if let Some(b) = f.before {
        query = query.push(" AND t.id < ").push_bind(b);
    }
    let mut rows: Vec<TipRow> = db
        .read()
        .all(
            query
                .push(" ORDER BY t.id DESC LIMIT ")
                .push_bind(f.limit.clamp(1, 500)),
        )
        .await?;
    with_produced(db, &mut rows).await?;
    Ok(rows)
}

/// One tip in scope, or `NotFound`.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<TipRow> {
    let mut row: TipRow = db
        .read()
        .one(visible(scope).push(" AND t.id = ").push_bind(id))
        .await?;
    with_produced(db, std::slice::from_mut(&mut row)).await?;
    Ok(row)
}

/// Fills in what the verification of `rows` produced, in one query.
async fn with_produced(db: &Db, rows: &mut [TipRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links: Vec<(i64, String, i64)> = db
        .read()
        .all(
            q("SELECT tip_id, kind, target_id FROM tip_links WHERE tip_id IN (")
                .push_list(&ids)
                .push(") ORDER BY tip_id, kind, target_id"),
        )
        .await?;
    for (tip, kind, target) in links {
        if let Some(r) = rows.iter_mut().find(|r| r.id == tip) {
            match kind.as_str() {
                "hazard" => r.produced.hazards.push(target),
                _ => r.produced.enforcements.push(target),
            }
        }
    }
    Ok(())
}

/// Checks that every hazard and enforcement record named is in `scope` (one query per
/// kind): a record out of scope answers `NotFound`, too many an invalid field.
async fn check_produced(db: &Db, scope: &Scope, produced: &Produced) -> Result<Produced> {
    let mut checked = Produced::default();
    for (kind, ids) in produced.kinds() {
        let mut ids = ids.clone();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > Produced::MAX {
            return Err(Error::invalid(
                "too_many",
                if kind == "hazard" {
                    "hazards"
                } else {
                    "enforcements"
                },
                format!("关联记录不能超过{}条", Produced::MAX),
            ));
        }
        if ids.is_empty() {
            continue;
        }
        let table = if kind == "hazard" {
            "hazards"
        } else {
            "enforcements"
        };
        let query = q(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM {table} x JOIN units u ON u.id = x.unit_id WHERE x.id IN ("
        ))
        .push_list(&ids);
        let (n,): (i64,) = db
            .read()
            .one(scope.units(query.push(") AND "), "u"))
            .await?;
        if n != ids.len() as i64 {
            return Err(Error::NotFound);
        }
        if kind == "hazard" {
            checked.hazards = ids;
        } else {
            checked.enforcements = ids;
        }
    }
    Ok(checked)
}

/// Opens the identity of tip `id` for the custodian, with the reason in the audit
/// chain; `None` for an anonymous tip. A step-up typed with the opening is spent in the
/// same transaction and named in the same entry.
pub async fn reveal(
    db: &Db,
    keyring: &Keyring,
    now_ms: i64,
    actor: &Actor,
    id: i64,
    reason: &str,
    step_up: Option<&crate::accounts::second_factor::StepUp>,
) -> Result<Option<Reporter>> {
    crate::authz::require(actor, anjian_core::role::Role::can_see_reporters)?;
    let reason = anjian_core::error::required_text("reason", "查看理由", reason, 500)?;
    let mut tx = db.begin().await?;
    let row: Option<(Option<String>,)> = tx
        .opt(q("SELECT identity_sealed FROM tips WHERE id = $1").bind(id))
        .await?;
    let (sealed,) = row.ok_or(Error::NotFound)?;
    let detail = match (step_up, actor.user_id) {
        (Some(s), Some(user_id)) => {
            let how =
                crate::accounts::second_factor::step_up_in(&mut tx, now_ms, user_id, s).await?;
            format!("{reason}（{how}）")
        }
        _ => reason.to_string(),
    };
    let entry = Entry::ok("tip.identity.view", "tip", id).detail(detail);
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let plain = keyring
        .open(&sealed, &aad(id))
        .map_err(|e| Error::Config(e.to_string()))?;
    Ok(serde_json::from_slice(&plain).ok())
}

/// The office's triage of a received tip.
#[derive(Debug, Clone)]
pub enum Triage {
    /// Route to `unit` (the one responsible for the sector), which verifies it.
    Accept {
        unit: i64,
    },
    /// The same matter as tip `into`, accepted before.
    Merge {
        into: i64,
    },
    Reject {
        reason: String,
    },
}

/// Triages tip `id` (still received) on `today`; an accepted tip owes its verification
/// in the configured days (`deadlines`) as an obligation of the unit.
pub async fn triage(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    t: &Triage,
) -> Result<()> {
    let step = match t {
        Triage::Accept { .. } => Step::Accept,
        Triage::Merge { .. } => Step::Merge,
        Triage::Reject { .. } => Step::Reject,
    };
    let by = crate::transition::relation(scope, actor, None);
    crate::transition::may::<Handling>(step, &by)?;
    let days = deadlines(db).await?.verify_days;
    let mut tx = db.begin().await?;
    let row: Option<(String, String, String)> = tx
        .opt(q("SELECT t.status, t.place, t.category FROM tips t WHERE t.id = $1").bind(id))
        .await?;
    let (status, place, category) = row.ok_or(Error::NotFound)?;
    let from = Status::parse(&status).unwrap_or(Status::Received);
    let mv = Move::<Handling>::new(id, step, from, &by);
    mv.check()?;
    let (mv, detail) = match t {
        Triage::Accept { unit } => {
            let found: Option<(String,)> = tx
                .opt(q("SELECT name FROM units WHERE id = $1 AND kind <> 'enterprise' AND active = 1").bind(*unit))
                .await?;
            let (name,) = found
                .ok_or_else(|| Error::invalid("unknown_unit", "unit", "请选择负责核查的单位"))?;
            crate::obligations::owe(
                &mut tx,
                now_ms,
                crate::obligations::Source::Tip(id),
                crate::obligations::Due {
                    unit: *unit,
                    on: today + chrono::Days::new(days as u64),
                },
                format!("举报核查：{place}（{days}日内）"),
            )
            .await?;
            // The routed unit is told the category and the deadline: never the
            // reporter, never the description.
            crate::outbox::notify_in(
                &mut tx,
                now_ms,
                anjian_core::channel::Event::Tip,
                &[*unit],
                &anjian_core::channel::Message {
                    title: "举报分办".into(),
                    text: format!(
                        "区安委办分办举报{id}（{}），请于{}前核查并反馈结果。",
                        anjian_core::tip::Category::parse(&category)
                            .map_or("举报", |c| c.label()),
                        today + chrono::Days::new(days as u64)
                    ),
                    link: "/tips".into(),
                },
                crate::outbox::About {
                    subject: &format!("tip:{id}"),
                    round: "routed",
                },
            )
            .await?;
            (mv.set("unit_id", *unit), format!("分办至{name}"))
        }
        Triage::Merge { into } => {
            let target: Option<(String,)> = tx
                .opt(
                    q("SELECT status FROM tips WHERE id = $1 AND id <> $2")
                        .bind(*into)
                        .bind(id),
                )
                .await?;
            if target.is_none_or(|(s,)| !Status::parse(&s).is_some_and(Status::takes_merges)) {
                return Err(Error::invalid(
                    "invalid_merge",
                    "into",
                    "只能合并到已受理的举报",
                ));
            }
            (mv.set("merged_into", *into), format!("合并至举报 {into}"))
        }
        Triage::Reject { reason } => {
            let reason =
                anjian_core::error::required_paragraphs("reason", "不予受理理由", reason, 500)?;
            (mv.set("reject_reason", reason.as_str()), reason)
        }
    };
    // Applied only from the state read: a concurrent triage finds nothing to change.
    let entry = Entry::ok("tip.triage", "tip", id).detail(detail);
    apply(&mut tx, now_ms, actor, mv, entry).await?;
    tx.commit().await
}

impl Kept for Handling {
    const RELATION: &'static str = "tips";
    const COLUMN: &'static str = "status";
    const CONFLICT: &'static str = "该举报已由他人办理，请刷新后查看";
}

impl Kept for Extension {
    const RELATION: &'static str = "tips";
    const COLUMN: &'static str = "extension_state";
    const CONFLICT: &'static str = "该举报的延期已由他人办理，请刷新后查看";
}

impl Kept for Reward {
    const RELATION: &'static str = "tip_rewards";
    const KEY: &'static str = "tip_id";
    const COLUMN: &'static str = "state";
    const CONFLICT: &'static str = "该奖励已由他人办理，请刷新后查看";
}

/// The routed unit's finding on a tip it verified.
#[derive(Debug, Clone, Copy)]
pub struct Verdict<'a> {
    /// 属实 or 不属实.
    pub substantiated: bool,
    /// What the reporter reads.
    pub note: &'a str,
    /// The concealed accident it proved, for a tip of that category.
    pub accident: Option<i64>,
    /// The hazards and enforcement records it produced.
    pub produced: &'a Produced,
}

/// The routed unit's outcome of tip `id` (in scope) on `today`: substantiated or not,
/// with the note the reporter reads and the hazards and enforcement records it
/// produced (in the unit's scope); its verification obligation is closed (late if
/// after its day).
pub async fn outcome(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    Verdict {
        substantiated,
        note,
        accident,
        produced,
    }: Verdict<'_>,
) -> Result<()> {
    let note = anjian_core::error::required_paragraphs("note", "核查结果说明", note, 2000)?;
    let tip = get(db, scope, id).await?;
    let produced_by = produced.concealed_by.clone();
    let produced = check_produced(db, scope, produced).await?;
    let step = if substantiated {
        Step::Substantiate
    } else {
        Step::Unsubstantiate
    };
    let from = Status::parse(&tip.status).unwrap_or(Status::Received);
    let by = crate::transition::relation(scope, actor, tip.unit_id);
    let mv = Move::<Handling>::new(id, step, from, &by);
    if mv.check().is_err() {
        return Err(Error::invalid(
            "not_verifying",
            "status",
            "该举报不在本单位核查中",
        ));
    }
    // A concealed accident the tip proved is marked so (a one-vote veto of its unit):
    // only an accident the routed unit itself sees, never another locality's.
    let accident = if substantiated && tip.category == "concealed_accident" {
        accident
    } else {
        None
    };
    if let Some(a) = accident
        && crate::accidents::get(db, scope, a).await.is_err()
    {
        return Err(Error::invalid(
            "unknown_accident",
            "accident",
            "事故不存在或不在本单位范围内",
        ));
    }
    let mut tx = db.begin().await?;
    if let Some(a) = accident {
        crate::accidents::mark_concealed(
            &mut tx,
            Moment::new(now_ms, today),
            a,
            produced_by.as_deref(),
        )
        .await?;
    }
    let links: Vec<Vec<crate::db::Arg>> = produced
        .kinds()
        .into_iter()
        .flat_map(|(kind, ids)| {
            ids.iter()
                .map(move |t| vec![id.into(), kind.into(), (*t).into()])
        })
        .collect();
    if !links.is_empty() {
        tx.execute(crate::db::insert_rows(
            "INSERT INTO tip_links (tip_id, kind, target_id) VALUES ",
            &links,
        ))
        .await?;
    }
    crate::obligations::fulfil(
        &mut tx,
        Moment::new(now_ms, today),
        crate::obligations::Source::Tip(id),
    )
    .await?;
    let mv = mv
        .set("outcome_note", note.as_str())
        .set("accident_id", accident);
    apply(
        &mut tx,
        now_ms,
        actor,
        mv,
        Entry::ok("tip.outcome", "tip", id).detail(note),
    )
    .await?;
    // A concealed accident's month, if already ranked, is ranked again with it.
    if let Some(a) = accident {
        let (on,): (String,) = tx
            .one(q("SELECT occurred_on FROM accidents WHERE id = $1").bind(a))
            .await?;
        if let Ok(on) = NaiveDate::parse_from_str(&on, "%Y-%m-%d") {
            crate::rankings::forget(&mut tx, on).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A file the reporter sends: the original and the copy without metadata.
#[derive(Debug, Clone)]
pub struct TipFile {
    pub sha256: String,
    pub clean_sha256: String,
    pub size: i64,
    pub mime: String,
}

/// "；附材料N份", or nothing without files.
fn material(files: &[TipFile]) -> String {
    if files.is_empty() {
        String::new()
    } else {
        format!("；附材料{}份", files.len())
    }
}

/// The reporter's follow-up by receipt on tip `id`: an answer in words, further
/// material (files already stored), or both, in one transaction and one audit entry.
pub async fn follow_up(
    db: &Db,
    now_ms: i64,
    id: i64,
    text: Option<&str>,
    files: &[TipFile],
) -> Result<()> {
    let text = text
        .map(|t| anjian_core::error::required_paragraphs("text", "内容", t, 2000))
        .transpose()?;
    if text.is_none() && files.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    if let Some(text) = &text {
        tx.execute(
            q("INSERT INTO tip_messages (id, tip_id, from_reporter, text, at) VALUES ($1, $2, 1, $3, $4)")
                .bind(next_id(now_ms))
                .bind(id)
                .bind(text.as_str())
                .bind(now_ms),
        )
        .await?;
    }
    insert_files(&mut tx, now_ms, id, files).await?;
    let said = if text.is_some() {
        "举报人回复"
    } else {
        "举报人补充材料"
    };
    let entry = Entry::ok("tip.follow_up", "tip", id).detail(format!("{said}{}", material(files)));
    audit::append(&mut tx, now_ms, &public(), entry).await?;
    tx.commit().await
}

/// Inserts the rows of `files` (already stored) for tip `id`.
async fn insert_files(tx: &mut Tx, now_ms: i64, id: i64, files: &[TipFile]) -> Result<()> {
    for f in files {
        tx.execute(
            q("INSERT INTO tip_files (id, tip_id, sha256, clean_sha256, size, mime) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(next_id(now_ms))
                .bind(id)
                .bind(f.sha256.as_str())
                .bind(f.clean_sha256.as_str())
                .bind(f.size)
                .bind(f.mime.as_str()),
        )
        .await?;
    }
    Ok(())
}

/// A handler's question on tip `id` (the reporter reads it by receipt and answers with
/// [`follow_up`]).
pub async fn message(db: &Db, now_ms: i64, actor: &Actor, id: i64, text: &str) -> Result<()> {
    let text = anjian_core::error::required_paragraphs("text", "内容", text, 2000)?;
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO tip_messages (id, tip_id, from_reporter, text, at) VALUES ($1, $2, 0, $3, $4)")
            .bind(next_id(now_ms))
            .bind(id)
            .bind(text.as_str())
            .bind(now_ms),
    )
    .await?;
    let entry = Entry::ok("tip.message", "tip", id).detail("承办人提问");
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// Setting key of the reward rules (JSON).
pub const REWARD_RULES: &str = "tip_reward_rules";
/// Setting key of the verification deadlines.
pub const DEADLINES: &str = "tip_deadlines";

/// The verification deadlines in force (the defaults unless the office set others).
pub async fn deadlines(db: &Db) -> Result<anjian_core::tip::Deadlines> {
    Ok(crate::settings::get(db, DEADLINES)
        .await?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// Sets the verification deadlines (the office; audited as a setting), for tips
/// accepted from now on.
pub async fn set_deadlines(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    d: anjian_core::tip::Deadlines,
) -> Result<anjian_core::tip::Deadlines> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let d = d.check()?;
    let json = serde_json::to_string(&d).unwrap_or_default();
    crate::settings::set(db, now_ms, actor, "tip.deadlines", DEADLINES, &json).await?;
    Ok(d)
}

/// A step of the extension of a tip's verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionStep {
    /// The routed unit asks, with its reason.
    Request { reason: String },
    /// The office approves: the verification's due day moves by the configured days.
    Approve,
    /// The office refuses, with its reason.
    Refuse { reason: String },
}

/// Takes `step` of the extension of tip `id`'s verification: the routed unit requests
/// (once, while verifying), the office approves (the obligation's due day moves by
/// the configured days, once) or refuses. Returns the new due day on approval.
pub async fn extension(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    step: &ExtensionStep,
) -> Result<Option<NaiveDate>> {
    let tip = get(db, scope, id).await?;
    let from = ExtensionState::parse(tip.extension_state.as_deref().unwrap_or_default())
        .unwrap_or(ExtensionState::NotRequested);
    let days = deadlines(db).await?.extension_days;
    if Status::parse(&tip.status) != Some(Status::Accepted) {
        return Err(Error::invalid(
            "not_verifying",
            "status",
            "该举报不在核查中",
        ));
    }
    let by = crate::transition::relation(scope, actor, tip.unit_id);
    let which = match step {
        ExtensionStep::Request { .. } => anjian_core::tip_state::ExtensionStep::Request,
        ExtensionStep::Approve => anjian_core::tip_state::ExtensionStep::Approve,
        ExtensionStep::Refuse { .. } => anjian_core::tip_state::ExtensionStep::Refuse,
    };
    // Only while the tip is still being verified, from the state read: a concurrent
    // step makes this one a conflict.
    let mv =
        Move::<Extension>::new(id, which, from, &by).guard("status", Status::Accepted.as_str());
    mv.check()?;
    let mut tx = db.begin().await?;
    let (mv, due, detail) = match step {
        ExtensionStep::Request { reason } => {
            let reason =
                anjian_core::error::required_paragraphs("reason", "延期理由", reason, 500)?;
            let detail = format!("申请延期核查：{reason}");
            (mv.set("extension_reason", reason), None, detail)
        }
        ExtensionStep::Refuse { reason } => {
            let reason =
                anjian_core::error::required_paragraphs("reason", "不予延期理由", reason, 500)?;
            (mv, None, format!("不予延期：{reason}"))
        }
        ExtensionStep::Approve => {
            if days == 0 {
                return Err(Error::invalid(
                    "no_extension",
                    "action",
                    "按现行规则举报核查不能延期",
                ));
            }
            let (_, due) = crate::obligations::extend(
                &mut tx,
                now_ms,
                crate::obligations::Source::Tip(id),
                "action",
                days,
            )
            .await?;
            (mv, Some(due), format!("批准延期{days}日，至{due}"))
        }
    };
    let entry = Entry::ok("tip.extension", "tip", id).detail(detail);
    apply(&mut tx, now_ms, actor, mv, entry).await?;
    tx.commit().await?;
    Ok(due)
}

/// The office's reward rules, or the national defaults.
pub async fn reward_rules(db: &Db) -> Result<anjian_core::tip::RewardRules> {
    Ok(crate::settings::get(db, REWARD_RULES)
        .await?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// Replaces the reward rules after checking them (audited).
pub async fn set_reward_rules(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    rules: anjian_core::tip::RewardRules,
) -> Result<anjian_core::tip::RewardRules> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let rules = rules.check()?;
    let json = serde_json::to_string(&rules).unwrap_or_default();
    crate::settings::set(db, now_ms, actor, "tip.reward_rules", REWARD_RULES, &json).await?;
    Ok(rules)
}

/// A step of a reward.
#[derive(Debug, Clone)]
pub enum RewardStep {
    /// Compute it from the rules: for a hazard or violation, from the fine imposed.
    Propose {
        fine_fen: i64,
    },
    Approve,
    Pay {
        method: String,
    },
}

/// Proposes, approves or records the payment of the reward of substantiated tip `id`
/// (the office), on `today`. Returns the amount in fen.
pub async fn reward(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    step: &RewardStep,
) -> Result<i64> {
    let by = crate::transition::relation(scope, actor, None);
    let which = match step {
        RewardStep::Propose { .. } => RewardMove::Propose,
        RewardStep::Approve => RewardMove::Approve,
        RewardStep::Pay { .. } => RewardMove::Pay,
    };
    crate::transition::may::<Reward>(which, &by)?;
    let rules = reward_rules(db).await?;
    let mut tx = db.begin().await?;
    let row: Option<(String, String, Option<i64>)> = tx
        .opt(q("SELECT status, category, accident_id FROM tips WHERE id = $1").bind(id))
        .await?;
    let (status, category, accident) = row.ok_or(Error::NotFound)?;
    if Status::parse(&status) != Some(Status::Substantiated) {
        return Err(Error::invalid(
            "not_substantiated",
            "status",
            "只有经核查属实的举报才能奖励",
        ));
    }
    let current: Option<(i64, String)> = tx
        .opt(q("SELECT amount_fen, state FROM tip_rewards WHERE tip_id = $1").bind(id))
        .await?;
    let entry = |amount: i64, what: &str| {
        Entry::ok("tip.reward", "tip", id)
            .detail(format!("{what}：{}元", anjian_core::error::yuan(amount)))
    };
    let from = |state: &str| RewardState::parse(state).unwrap_or(RewardState::Proposed);
    let amount = match (step, current) {
        (RewardStep::Propose { fine_fen }, current) => {
            // A first proposal creates the reward; a later one recomputes a proposed one.
            match &current {
                Some((_, state)) => {
                    Move::<Reward>::new(id, RewardMove::Propose, from(state), &by).check()?;
                }
                None if !<Reward as anjian_core::machine::Machine>::allows(
                    RewardMove::Propose,
                    &by,
                ) =>
                {
                    return Err(Error::Forbidden);
                }
                None => {}
            }
            let category = Category::parse(&category).unwrap_or(Category::Other);
            let grade: Option<(anjian_core::accident::Grade, i64)> = match accident {
                Some(a) => tx
                    .opt(q("SELECT grade, deaths + missing FROM accidents WHERE id = $1").bind(a))
                    .await?
                    .and_then(|(g, d): (String, i64)| {
                        Some((anjian_core::accident::Grade::parse(&g)?, d))
                    }),
                None => None,
            };
            let amount = rules.reward_fen(category, *fine_fen, grade);
            // The first real-name reporter of the tip and its merged duplicates keeps
            // priority; with none, the tip's own (anonymous) reporter.
            let payee: Option<(i64,)> = tx
                .opt(q("SELECT id FROM tips WHERE (id = $1 OR merged_into = $1) AND anonymous = 0 ORDER BY id LIMIT 1").bind(id))
                .await?;
            let payee = payee.map_or(id, |(p,)| p);
            tx.execute(
                q("INSERT INTO tip_rewards (tip_id, amount_fen, basis, updated_at, payee_tip_id, state) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tip_id) DO UPDATE SET amount_fen = excluded.amount_fen, basis = excluded.basis, updated_at = excluded.updated_at, payee_tip_id = excluded.payee_tip_id")
                    .bind(id)
                    .bind(amount)
                    .bind(format!("{}；罚款{}元", category.label(), anjian_core::error::yuan(*fine_fen)))
                    .bind(now_ms)
                    .bind(payee)
                    .bind(RewardState::Proposed.as_str()),
            )
            .await?;
            audit::append(&mut tx, now_ms, actor, entry(amount, "拟奖励")).await?;
            amount
        }
        (RewardStep::Approve, Some((amount, state))) => {
            use chrono::Datelike;
            let b = budget_in(&mut tx, today.year()).await?;
            if b.set && amount > b.remaining_fen() {
                return Err(Error::invalid(
                    "over_budget",
                    "amount",
                    format!(
                        "奖励{}元超出本年度举报奖励预算余额{}元",
                        anjian_core::error::yuan(amount),
                        anjian_core::error::yuan(b.remaining_fen().max(0))
                    ),
                ));
            }
            let mv = Move::<Reward>::new(id, RewardMove::Approve, from(&state), &by)
                .set("approved_on", day(today));
            apply(&mut tx, now_ms, actor, mv, entry(amount, "批准奖励")).await?;
            amount
        }
        (RewardStep::Pay { method }, Some((amount, state))) => {
            let method = anjian_core::error::required_text("method", "发放方式", method, 100)?;
            let mv = Move::<Reward>::new(id, RewardMove::Pay, from(&state), &by)
                .set("paid_on", day(today))
                .set("paid_method", method);
            apply(&mut tx, now_ms, actor, mv, entry(amount, "发放奖励")).await?;
            amount
        }
        (_, None) => {
            return Err(Error::invalid(
                "reward_order",
                "state",
                "奖励须依次拟定、批准、发放",
            ));
        }
    };
    tx.commit().await?;
    Ok(amount)
}

/// The files of tip `id`: the copy without metadata, in the order sent.
pub async fn clean_files(db: &Db, id: i64) -> Result<Vec<(String, String)>> {
    db.read()
        .all(q("SELECT clean_sha256, mime FROM tip_files WHERE tip_id = $1 ORDER BY id").bind(id))
        .await
}

/// A month's figures of the tips received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MonthStats {
    pub month: String,
    pub received: i64,
    /// Verified: substantiated or not.
    pub verified: i64,
    pub substantiated: i64,
    /// With a reward approved or paid.
    pub rewarded: i64,
    pub reward_fen: i64,
}

/// A month's sums of tips `t` and their rewards `r` (`received`, `verified`,
/// `substantiated`, `rewarded`, `reward_fen`), the states named from core: the one
/// definition the tip statistics and the monthly bulletin share.
pub(crate) fn month_sums(t: &str, r: &str) -> String {
    let verified = Status::sql_list(&Status::VERIFIED);
    let substantiated = Status::Substantiated.sql();
    let decided = RewardState::sql_list(&RewardState::DECIDED);
    format!(
        "CAST(COUNT(*) AS BIGINT) AS received, \
        CAST(COALESCE(SUM(CASE WHEN {t}.status IN {verified} THEN 1 ELSE 0 END), 0) AS BIGINT) AS verified, \
        CAST(COALESCE(SUM(CASE WHEN {t}.status = {substantiated} THEN 1 ELSE 0 END), 0) AS BIGINT) AS substantiated, \
        CAST(COALESCE(SUM(CASE WHEN {r}.state IN {decided} THEN 1 ELSE 0 END), 0) AS BIGINT) AS rewarded, \
        CAST(COALESCE(SUM(CASE WHEN {r}.state IN {decided} THEN {r}.amount_fen ELSE 0 END), 0) AS BIGINT) AS reward_fen"
    )
}

/// The tips of `year` per month, and the whole previous year for comparison (the plan
/// asks for more tips than by the end of last year).
pub async fn stats(db: &Db, reader: &Actor, year: i32) -> Result<(Vec<MonthStats>, MonthStats)> {
    crate::authz::require(reader, anjian_core::role::Role::sees_everything)?;
    let select = month_sums("t", "r");
    let select = format!(
        "{select} FROM tips t LEFT JOIN tip_rewards r ON r.tip_id = t.id WHERE t.received_on >= $1 AND t.received_on < $2"
    );
    let months: Vec<MonthStats> = db
        .read()
        .all(
            q(format!("SELECT SUBSTR(t.received_on, 1, 7) AS month, {select} GROUP BY SUBSTR(t.received_on, 1, 7) ORDER BY month"))
                .bind(format!("{year}-01-01"))
                .bind(format!("{}-01-01", year + 1)),
        )
        .await?;
    let mut last: MonthStats = db
        .read()
        .one(
            q(format!("SELECT '' AS month, {select}"))
                .bind(format!("{}-01-01", year - 1))
                .bind(format!("{year}-01-01")),
        )
        .await?;
    last.month = format!("{}年全年", year - 1);
    Ok((months, last))
}

/// The tips of `year` by channel (the channels with none left out), in the order of
/// [`Channel::ALL`].
pub async fn channel_stats(
    db: &Db,
    reader: &Actor,
    year: i32,
) -> Result<Vec<(Channel, MonthStats)>> {
    crate::authz::require(reader, anjian_core::role::Role::sees_everything)?;
    let select = month_sums("t", "r");
    let rows: Vec<MonthStats> = db
        .read()
        .all(
            q(format!("SELECT t.channel AS month, {select} FROM tips t LEFT JOIN tip_rewards r ON r.tip_id = t.id WHERE t.received_on >= $1 AND t.received_on < $2 GROUP BY t.channel"))
                .bind(format!("{year}-01-01"))
                .bind(format!("{}-01-01", year + 1)),
        )
        .await?;
    Ok(Channel::ALL
        .into_iter()
        .filter_map(|c| {
            rows.iter()
                .find(|r| r.month == c.as_str())
                .map(|r| (c, r.clone()))
        })
        .collect())
}

/// The reward budget of a year (item (103): fiscal and enterprises' funds) and the
/// rewards counted against it: approved (not yet paid) and paid that year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Budget {
    pub year: i32,
    /// None set: rewards are not held to a budget.
    pub set: bool,
    pub fiscal_fen: i64,
    pub enterprise_fen: i64,
    pub paid_fen: i64,
    pub approved_fen: i64,
}

impl Budget {
    /// The whole budget.
    pub fn total_fen(&self) -> i64 {
        self.fiscal_fen + self.enterprise_fen
    }

    /// What remains after the rewards paid and approved.
    pub fn remaining_fen(&self) -> i64 {
        self.total_fen() - self.paid_fen - self.approved_fen
    }
}

/// The budget of `year` inside a read or a transaction.
async fn budget_in(tx: &mut Tx, year: i32) -> Result<Budget> {
    let set: Option<(i64, i64)> = tx
        .opt(
            q("SELECT fiscal_fen, enterprise_fen FROM tip_budgets WHERE year = $1")
                .bind(i64::from(year)),
        )
        .await?;
    let (paid_fen, approved_fen): (i64, i64) = tx
        .one(
            q(format!("SELECT CAST(COALESCE(SUM(CASE WHEN state = {paid} AND paid_on >= $1 AND paid_on < $2 THEN amount_fen ELSE 0 END), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN state = {approved} AND approved_on >= $1 AND approved_on < $2 THEN amount_fen ELSE 0 END), 0) AS BIGINT) FROM tip_rewards WHERE state IN ({paid}, {approved})",
                paid = RewardState::Paid.sql(),
                approved = RewardState::Approved.sql()))
                .bind(format!("{year}-01-01"))
                .bind(format!("{}-01-01", year + 1)),
        )
        .await?;
    Ok(Budget {
        year,
        set: set.is_some(),
        fiscal_fen: set.map_or(0, |s| s.0),
        enterprise_fen: set.map_or(0, |s| s.1),
        paid_fen,
        approved_fen,
    })
}

/// The reward budget of `year` (the office).
pub async fn budget(db: &Db, reader: &Actor, year: i32) -> Result<Budget> {
    crate::authz::require(reader, anjian_core::role::Role::sees_everything)?;
    let mut tx = db.begin().await?;
    let b = budget_in(&mut tx, year).await?;
    tx.commit().await?;
    Ok(b)
}

/// Sets the reward budget of `year` (the office): fiscal and enterprises' funds in fen,
/// each 0 or more, together not below what was already paid that year (field
/// `fiscal_yuan`); one transaction with its audit entry.
pub async fn set_budget(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    year: i32,
    fiscal_fen: i64,
    enterprise_fen: i64,
) -> Result<Budget> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid("invalid_year", "year", "年度应为2000到2100"));
    }
    let max = 10_000_000_000_i64;
    if !(0..=max).contains(&fiscal_fen) {
        return Err(Error::invalid(
            "invalid_amount",
            "fiscal_yuan",
            "财政预算金额不正确",
        ));
    }
    if !(0..=max).contains(&enterprise_fen) {
        return Err(Error::invalid(
            "invalid_amount",
            "enterprise_yuan",
            "企业预算金额不正确",
        ));
    }
    let mut tx = db.begin().await?;
    let before = budget_in(&mut tx, year).await?;
    if fiscal_fen + enterprise_fen < before.paid_fen {
        return Err(Error::invalid(
            "budget_below_paid",
            "fiscal_yuan",
            format!(
                "预算合计不能低于本年已发放的奖励{}元",
                anjian_core::error::yuan(before.paid_fen)
            ),
        ));
    }
    tx.execute(
        q("INSERT INTO tip_budgets (year, fiscal_fen, enterprise_fen, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (year) DO UPDATE SET fiscal_fen = excluded.fiscal_fen, enterprise_fen = excluded.enterprise_fen, updated_at = excluded.updated_at")
            .bind(i64::from(year))
            .bind(fiscal_fen)
            .bind(enterprise_fen)
            .bind(now_ms),
    )
    .await?;
    let entry = Entry::ok("tip.budget", "tip_budget", i64::from(year)).detail(format!(
        "{year}年举报奖励预算：财政{}元，企业{}元",
        anjian_core::error::yuan(fiscal_fen),
        anjian_core::error::yuan(enterprise_fen)
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    let after = budget_in(&mut tx, year).await?;
    tx.commit().await?;
    Ok(after)
}

/// The messages of tips `ids` in one query: (tip, message), oldest first.
pub async fn messages_of(db: &Db, ids: &[i64]) -> Result<Vec<(i64, Message)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        tip_id: i64,
        #[sqlx(flatten)]
        message: Message,
    }
    let query = q(
        "SELECT tip_id, CAST(from_reporter AS BIGINT) = 1 AS from_reporter, text, at FROM tip_messages WHERE tip_id IN (",
    )
    .push_list(ids);
    let rows: Vec<Row> = db.read().all(query.push(") ORDER BY id")).await?;
    Ok(rows.into_iter().map(|r| (r.tip_id, r.message)).collect())
}
/// The key ids that sealed the stored identities and second-factor secrets (at most a
/// few, distinct), so that a server started with another key file is refused instead
/// of failing later.
pub async fn sealing_key_ids(db: &Db) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = db
        .read()
        .all(q("SELECT s FROM (SELECT identity_sealed AS s FROM tips WHERE identity_sealed IS NOT NULL ORDER BY id DESC LIMIT 200) t UNION ALL SELECT s FROM (SELECT totp_secret AS s FROM users WHERE totp_secret IS NOT NULL ORDER BY id DESC LIMIT 200) u"))
        .await?;
    let mut ids: Vec<String> = rows
        .iter()
        .filter_map(|(s,)| anjian_core::sealed::Keyring::key_id_of(s).map(str::to_string))
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}
