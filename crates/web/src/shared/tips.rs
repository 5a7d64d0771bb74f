//! Keeping a public tip with its receipt code and finding a tip by receipt: the public
//! API and the public pages take the same steps.

use crate::AppState;
use crate::error::Problem;
use anjian_store::tips::{self, PublicView};

/// Keeps a checked tip as `id` with its `files` (already stored), received as
/// `received` says, and returns its id and receipt code (22 digits), generating a new
/// code if its locator is taken.
pub async fn keep(
    state: &AppState,
    tip: &anjian_core::tip::Tip,
    id: i64,
    files: &[tips::TipFile],
    received: tips::Received<'_>,
) -> Result<(i64, String), Problem> {
    for _ in 0..3 {
        let mut random = [0u8; 32];
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut random).map_err(|_| Problem::internal())?;
        getrandom::fill(&mut nonce).map_err(|_| Problem::internal())?;
        let receipt = anjian_core::tip::receipt_from(&random);
        let hash = crate::password::hash_receipt(receipt.clone()).await;
        let locator = &receipt[..anjian_core::tip::LOCATOR_DIGITS];
        match tips::submit(
            &state.db,
            &state.config.keyring,
            nonce,
            state.now(),
            tips::NewTip {
                id,
                tip,
                locator,
                receipt_hash: &hash,
                files,
            },
            received,
        )
        .await
        {
            Ok(id) => return Ok((id, receipt)),
            Err(e) if e.is_unique_violation() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Problem::internal())
}

/// The tip a receipt names, if the code is right; a wrong code counts towards the
/// locator's lock and answers 404 like an unknown one.
pub async fn by_receipt(state: &AppState, raw: &str) -> Result<(i64, PublicView), Problem> {
    let (locator, receipt) = anjian_core::tip::parse_receipt(raw)?;
    let Some((id, hash)) = tips::locate(&state.db, state.now(), &locator).await? else {
        return Err(Problem::not_found());
    };
    if !crate::password::verify_receipt(receipt, hash).await {
        tips::wrong_code(&state.db, state.now(), &locator).await?;
        return Err(Problem::not_found());
    }
    tips::right_code(&state.db, &locator).await?;
    Ok((id, tips::public_view(&state.db, id).await?))
}

/// A tip list's filters and page, read by the API (`GET /api/v1/tips`) and the tip page.
/// Every value is text so that a form's empty choice reads as "all".
#[derive(serde::Deserialize, utoipa::IntoParams, Default, Clone)]
pub struct TipQuery {
    /// received, accepted, merged, rejected, substantiated, unsubstantiated.
    pub status: Option<String>,
    /// The id of the unit it was routed to.
    pub unit: Option<String>,
    /// The category: major_hazard, violation, concealed_accident, other.
    pub category: Option<String>,
    /// Words in the place, the description or the reported unit (at most 50 characters).
    #[param(max_length = 50)]
    pub q: Option<String>,
    /// The next page: the last listed tip's id.
    pub before: Option<String>,
    /// At most this many (1–500; the page shows 50).
    pub limit: Option<String>,
}

use crate::input::filled;

impl TipQuery {
    /// The store's filter, each bad value refused naming its field; `limit` when none
    /// is asked for.
    pub fn filter(&self, limit: i64) -> Result<tips::TipFilter, Problem> {
        use anjian_core::machine::States;
        use anjian_core::tip_state::Status;
        let number = |v: &Option<String>, field: &'static str, msg: &'static str| {
            filled(v)
                .map(|s| {
                    s.parse::<i64>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| Problem::bad_field("invalid_number", field, msg))
                })
                .transpose()
        };
        Ok(tips::TipFilter {
            status: filled(&self.status)
                .map(|s| {
                    Status::parse(s).ok_or_else(|| {
                        Problem::bad_field("invalid_status", "status", "请选择举报状态")
                    })
                })
                .transpose()?,
            unit: number(&self.unit, "unit", "请选择承办单位")?,
            category: filled(&self.category)
                .map(|s| {
                    anjian_core::tip::Category::parse(s).map_err(|_| {
                        Problem::bad_field("invalid_category", "category", "请选择举报类别")
                    })
                })
                .transpose()?,
            search: anjian_core::error::search_term(self.q.as_deref(), 50),
            before: number(&self.before, "before", "翻页位置无效，请从第一页重新查看")?,
            limit: number(&self.limit, "limit", "limit 应为1至500的整数")?
                .unwrap_or(limit)
                .min(500),
        })
    }

    /// Whether any filter is set.
    pub fn any(&self) -> bool {
        [&self.status, &self.unit, &self.category, &self.q]
            .iter()
            .any(|v| filled(v).is_some())
    }

    /// The link to the page after the tip `last`, with the same filters.
    pub fn next(&self, last: i64) -> String {
        let last = last.to_string();
        crate::input::link_with(
            "/tips",
            &[
                ("status", self.status.as_deref()),
                ("unit", self.unit.as_deref()),
                ("category", self.category.as_deref()),
                ("q", self.q.as_deref()),
                ("before", Some(&last)),
            ],
        )
    }
}

/// How the public's own channel receives a tip: the web form, now, from nobody.
pub fn web<'a>(state: &AppState, public: &'a anjian_store::scope::Actor) -> tips::Received<'a> {
    tips::Received {
        channel: anjian_core::tip::Channel::Web,
        at: state.moment(),
        by: public,
    }
}

/// Records a tip received by another channel (the handler `by`): checked, kept with its
/// channel and received-at time, answered with its id and receipt code.
pub async fn record_offline(
    state: &AppState,
    by: &anjian_store::scope::Actor,
    input: &anjian_core::tip::OfflineTipInput,
) -> Result<(i64, String), Problem> {
    anjian_store::authz::require(by, anjian_core::role::Role::records_tips)?;
    let (tip, channel, at) = anjian_core::tip::check_offline(input, state.now())?;
    let id = anjian_store::ids::next_id(state.now());
    keep(
        state,
        &tip,
        id,
        &[],
        tips::Received {
            channel,
            at: anjian_core::time::Moment::at(at),
            by,
        },
    )
    .await
}
