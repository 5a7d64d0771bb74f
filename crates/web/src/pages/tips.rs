//! The handlers' tip page: tips in scope without identity; the office triages (route,
//! merge, reject) and decides rewards; the routed unit records its outcome; the tip
//! custodian opens an identity with a reason, shown on this page once.

use anjian_core::machine::States;
use anjian_core::role::Role;
use anjian_core::tip::{Category, Reporter};
use anjian_core::tip_state::Status;
use anjian_store::tips::{self, TipRow, Triage};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};
use crate::shared::tips::TipQuery;

type User = anjian_store::accounts::SessionUser;

/// The tip page.
#[derive(Template)]
#[template(path = "tips.html")]
pub struct TipsPage {
    pub layout: Option<Layout>,
    pub tips: Vec<TipRow>,
    /// The next page's link, when this one is full.
    pub next: Option<String>,
    /// The filters in force, and the choices they offer.
    pub narrow: TipQuery,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub categories: [(&'static str, &'static str); 4],
    /// The questions and answers of the tips listed.
    pub messages: Vec<(i64, anjian_store::tips::Message)>,
    pub office: bool,
    pub custodian: bool,
    pub own_unit: i64,
    pub units: Vec<(i64, String)>,
    /// The office's view: the reward rules and this year's figures beside last year's.
    pub rules: Option<anjian_core::tip::RewardRules>,
    pub stats: Vec<anjian_store::tips::MonthStats>,
    pub last_year: Option<anjian_store::tips::MonthStats>,
    /// This year's tips by channel, the reward budget, and item (86)'s target: each
    /// figure so far this year beside last year's whole year.
    pub channels: Vec<(anjian_core::tip::Channel, anjian_store::tips::MonthStats)>,
    pub budget: Option<anjian_store::tips::Budget>,
    pub target: Vec<Target>,
    pub year: i32,
    /// Whoever records tips from other channels sees the link to do so.
    pub records: bool,
    /// The verification deadlines in force.
    pub deadlines: anjian_core::tip::Deadlines,
    /// An identity the custodian just opened: the tip and the reporter.
    pub revealed: Option<(i64, Option<Reporter>)>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// The list as a page answers after an action: unfiltered.
static UNFILTERED: TipQuery = TipQuery {
    status: None,
    unit: None,
    category: None,
    q: None,
    before: None,
    limit: None,
};

/// How many tips the page lists at once (each with its action forms).
const PAGE: i64 = 50;

async fn page(
    state: &AppState,
    u: &User,
    n: &TipQuery,
    revealed: Option<(i64, Option<Reporter>)>,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let scope = u.tips_scope()?;
    let office = u.role().sees_everything();
    let custodian = u.role().can_see_reporters();
    let f = n.filter(PAGE)?;
    let tips = tips::page(&state.db, &scope, &f).await?;
    let next = (tips.len() as i64 == f.limit)
        .then(|| tips.last().map(|t| n.next(t.id)))
        .flatten();
    let ids: Vec<i64> = tips.iter().map(|t| t.id).collect();
    let messages = tips::messages_of(&state.db, &ids).await?;
    let units = if office {
        super::unit_choices(state, u, &["township", "zone_committee", "department"]).await?
    } else {
        Vec::new()
    };
    use chrono::Datelike;
    let year = state.today().year();
    let (rules, stats, last_year) = if office {
        let (months, last) = tips::stats(&state.db, &u.actor(), year).await?;
        (
            Some(tips::reward_rules(&state.db).await?),
            months,
            Some(last),
        )
    } else {
        (None, Vec::new(), None)
    };
    let (channels, budget, target) = if office {
        let channels = tips::channel_stats(&state.db, &u.actor(), year).await?;
        let budget = tips::budget(&state.db, &u.actor(), year).await?;
        let target = last_year
            .as_ref()
            .map(|l| Target::of(&stats, l))
            .unwrap_or_default();
        (channels, Some(budget), target)
    } else {
        (Vec::new(), None, Vec::new())
    };
    let refused = error.is_some();
    let deadlines = tips::deadlines(&state.db).await?;
    Ok(render_form(
        &TipsPage {
            deadlines,
            rules,
            stats,
            last_year,
            channels,
            budget,
            target,
            year,
            records: u.role().records_tips(),
            layout: Layout::of(u),
            tips,
            next,
            narrow: n.clone(),
            statuses: Status::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            categories: Category::ALL.map(|c| (c.as_str(), c.label())),
            messages,
            office,
            custodian,
            own_unit: u.unit_id,
            units,
            revealed,
            flash,
            error,
        },
        refused,
    ))
}

/// `?ok=` (the flash after an action) and the list's filters.
#[derive(Deserialize, Default)]
pub struct TipsQuery {
    pub ok: Option<String>,
    #[serde(flatten)]
    pub narrow: TipQuery,
}

/// GET /tips?status=&unit=&category=&q=&before=.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<TipsQuery>,
) -> Result<Response, PageError> {
    page(
        &state,
        &u,
        &q.narrow,
        None,
        Notice::flash(q.ok.map(|_| "已处理".to_string())),
    )
    .await
}

/// The action forms of a tip.
#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub into: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub fine_yuan: String,
    #[serde(default)]
    pub method: String,
    /// The hazards the verification produced: numbers separated by commas or spaces.
    #[serde(default)]
    pub hazards: String,
    /// The enforcement records it produced, likewise.
    #[serde(default)]
    pub enforcements: String,
    /// The step-up code that opening an identity asks for.
    #[serde(default)]
    pub totp: String,
}

/// Record numbers typed into one box, separated by commas (either width), 、 or spaces.
fn numbers(field: &'static str, label: &str, text: &str) -> Result<Vec<i64>, Problem> {
    text.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<i64>().map_err(|_| {
                Problem::from(anjian_core::FieldError::new(
                    "invalid",
                    field,
                    format!("{label}应为记录编号，多个用逗号分隔"),
                ))
            })
        })
        .collect()
}

/// A step of the tip page: each is its own route (`POST /tips/{id}/accept`, …), its
/// button posting there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TipStep {
    Accept,
    Merge,
    Reject,
    RequestExtension,
    ApproveExtension,
    RefuseExtension,
    Substantiated,
    Unsubstantiated,
    Propose,
    Approve,
    Pay,
    Ask,
    Identity,
}

macro_rules! tip_step {
    ($(#[$doc:meta] $name:ident => $step:expr;)*) => {$(
        #[$doc]
        pub async fn $name(
            State(state): State<AppState>,
            headers: axum::http::HeaderMap,
            PageUser(u): PageUser,
            Path(id): Path<String>,
            PageForm(f): PageForm<ActionForm>,
        ) -> Result<Response, PageError> {
            act(state, headers, u, id, $step, f).await
        }
    )*};
}

tip_step! {
    /// POST /tips/{id}/accept: the office routes the tip to the unit in `unit`.
    accept => TipStep::Accept;
    /// POST /tips/{id}/merge: the office merges it into tip `into`.
    merge => TipStep::Merge;
    /// POST /tips/{id}/reject: the office does not accept it, with a reason.
    reject => TipStep::Reject;
    /// POST /tips/{id}/extension: the routed unit asks for more time, with a reason.
    request_extension => TipStep::RequestExtension;
    /// POST /tips/{id}/extension/approve: the office grants it.
    approve_extension => TipStep::ApproveExtension;
    /// POST /tips/{id}/extension/refuse: the office refuses it, with a reason.
    refuse_extension => TipStep::RefuseExtension;
    /// POST /tips/{id}/substantiated: the routed unit found it true.
    substantiated => TipStep::Substantiated;
    /// POST /tips/{id}/unsubstantiated: the routed unit found it untrue.
    unsubstantiated => TipStep::Unsubstantiated;
    /// POST /tips/{id}/reward/propose: the office computes the reward from the fine.
    propose => TipStep::Propose;
    /// POST /tips/{id}/reward/approve: the office approves it.
    approve => TipStep::Approve;
    /// POST /tips/{id}/reward/pay: the office records how it was paid.
    pay => TipStep::Pay;
    /// POST /tips/{id}/messages: a question to the reporter.
    ask => TipStep::Ask;
    /// POST /tips/{id}/identity: the custodian opens the reporter's identity.
    identity => TipStep::Identity;
}

/// Takes a step of the tip page.
async fn act(
    state: AppState,
    headers: axum::http::HeaderMap,
    u: anjian_store::accounts::SessionUser,
    id: String,
    step: TipStep,
    f: ActionForm,
) -> Result<Response, PageError> {
    u.tips_scope()?;
    let id = crate::input::path_id(&id)?;
    let now = state.moment();
    let result: Result<Option<Option<Reporter>>, Problem> = async {
        match step {
            TipStep::Accept | TipStep::Merge | TipStep::Reject => {
                let t = match step {
                    TipStep::Accept => Triage::Accept {
                        unit: f.unit.trim().parse().map_err(|_| {
                            Problem::from(anjian_core::FieldError::new(
                                "required",
                                "unit",
                                "请选择负责核查的单位",
                            ))
                        })?,
                    },
                    TipStep::Merge => Triage::Merge {
                        into: f.into.trim().parse().map_err(|_| {
                            Problem::from(anjian_core::FieldError::new(
                                "required",
                                "into",
                                "请填写合并到的举报编号",
                            ))
                        })?,
                    },
                    _ => Triage::Reject {
                        reason: f.reason.clone(),
                    },
                };
                tips::triage(&state.db, now, &u.actor(), &u.scope(), id, &t).await?;
            }
            TipStep::RequestExtension | TipStep::ApproveExtension | TipStep::RefuseExtension => {
                let step = match step {
                    TipStep::RequestExtension => tips::ExtensionStep::Request {
                        reason: f.reason.clone(),
                    },
                    TipStep::ApproveExtension => tips::ExtensionStep::Approve,
                    _ => tips::ExtensionStep::Refuse {
                        reason: f.reason.clone(),
                    },
                };
                tips::extension(&state.db, now.ms, &u.actor(), &u.scope(), id, &step).await?;
            }
            TipStep::Substantiated | TipStep::Unsubstantiated => {
                tips::outcome(
                    &state.db,
                    now,
                    &u.actor(),
                    &u.scope(),
                    id,
                    tips::Verdict {
                        substantiated: step == TipStep::Substantiated,
                        note: &f.note,
                        accident: None,
                        produced: &tips::Produced {
                            hazards: numbers("hazards", "关联隐患", &f.hazards)?,
                            enforcements: numbers("enforcements", "关联执法检查", &f.enforcements)?,
                            concealed_by: None,
                        },
                    },
                )
                .await?;
            }
            TipStep::Propose | TipStep::Approve | TipStep::Pay => {
                let step = match step {
                    TipStep::Propose => tips::RewardStep::Propose {
                        fine_fen: anjian_core::error::optional_yuan(
                            "fine_yuan",
                            "罚款金额",
                            &f.fine_yuan,
                        )?
                        .unwrap_or(0),
                    },
                    TipStep::Approve => tips::RewardStep::Approve,
                    _ => tips::RewardStep::Pay {
                        method: f.method.clone(),
                    },
                };
                tips::reward(&state.db, now, &u.actor(), &u.scope(), id, &step).await?;
            }
            TipStep::Ask => {
                tips::get(&state.db, &u.scope(), id).await?;
                tips::message(&state.db, state.now(), &u.actor(), id, &f.note).await?;
            }
            TipStep::Identity => {
                anjian_store::authz::require(&u.actor(), Role::can_see_reporters)?;
                anjian_core::error::required_text("reason", "查看理由", &f.reason, 500)?;
                let step_up =
                    crate::second_factor::pending(&state, &u, &headers, Some(&f.totp), false)
                        .await?;
                let who = tips::reveal(
                    &state.db,
                    &state.config.keyring,
                    state.now(),
                    &u.actor(),
                    id,
                    &f.reason,
                    step_up.as_ref(),
                )
                .await
                .map_err(crate::second_factor::spent)?;
                return Ok(Some(who));
            }
        }
        Ok(None)
    }
    .await;
    match result {
        // The identity is rendered on this response only, never in a redirect's URL.
        Ok(Some(who)) => page(&state, &u, &UNFILTERED, Some((id, who)), Notice::default()).await,
        other => {
            after_form(other.map(|_| "/tips?ok=1".to_string()), |msg| {
                page(&state, &u, &UNFILTERED, None, Notice::error(msg))
            })
            .await
        }
    }
}

/// GET /tips.xlsx?status=&unit=&category=&q=: the tip ledger in the caller's scope as
/// narrowed on the page (every keyset page), without
/// identity: whether one was given, never who.
pub async fn export(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    PageUser(u): PageUser,
    PageQuery(n): PageQuery<TipQuery>,
) -> Result<Response, PageError> {
    let scope = u.tips_scope()?;
    let narrowed = n.filter(500)?;
    if let Some(r) = super::second_factor::export_gate(&state, &u, &uri) {
        return Ok(r);
    }
    let ids = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join("、");
    let mut rows = Vec::new();
    let mut before = None;
    loop {
        let f = tips::TipFilter {
            before,
            limit: 500,
            ..narrowed.clone()
        };
        let page = tips::page(&state.db, &scope, &f).await?;
        let full = page.len() == 500;
        before = page.last().map(|t| t.id);
        rows.extend(page.into_iter().map(|t| {
            vec![
                t.id.to_string(),
                t.received_on.clone(),
                t.category_label().to_string(),
                t.sector.clone(),
                t.place.clone(),
                t.reported_unit.clone().unwrap_or_default(),
                t.description.clone(),
                if t.anonymous { "匿名" } else { "实名" }.to_string(),
                t.status_label().to_string(),
                t.unit_name.clone().unwrap_or_default(),
                ids(&t.produced.hazards),
                ids(&t.produced.enforcements),
            ]
        }));
        if !full {
            break;
        }
    }
    super::xlsx_response(
        "举报台账",
        &[
            "编号",
            "受理日期",
            "类别",
            "行业领域",
            "地点",
            "被举报单位",
            "举报内容",
            "实名/匿名",
            "状态",
            "承办单位",
            "关联隐患",
            "关联执法检查",
        ],
        &rows,
        "举报台账.xlsx",
        &u.unit_name,
    )
}

/// GET /tips/{id}/files/{n}: the `n`th file of a tip, the copy without metadata, for
/// its handlers (404 for anyone else).
pub async fn file(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, n)): Path<(String, usize)>,
) -> Result<Response, PageError> {
    let scope = u.tips_scope()?;
    let id = crate::input::path_id(&id)?;
    tips::get(&state.db, &scope, id).await?;
    let files = tips::clean_files(&state.db, id).await?;
    let (sha, mime) = files.get(n).ok_or_else(Problem::not_found)?;
    Ok(crate::download::stored(&state, sha, Some(mime), sha).await?)
}

/// The reward rules form.
#[derive(Deserialize, Default)]
pub struct RulesForm {
    #[serde(default)]
    pub hazard_percent: String,
    #[serde(default)]
    pub hazard_min_yuan: String,
    #[serde(default)]
    pub hazard_max_yuan: String,
    #[serde(default)]
    pub ordinary: String,
    #[serde(default)]
    pub larger: String,
    #[serde(default)]
    pub major: String,
    #[serde(default)]
    pub especially_major: String,
    #[serde(default)]
    pub accident_max_yuan: String,
}

/// POST /tips/rules (office): the reward rules.
pub async fn set_rules(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<RulesForm>,
) -> Result<Response, PageError> {
    let n = |raw: &str| -> Result<i64, Problem> {
        raw.trim().parse().map_err(|_| {
            Problem::from(anjian_core::FieldError::new(
                "invalid_rules",
                "rules",
                "奖励规则应填整数",
            ))
        })
    };
    let result = async {
        let rules = anjian_core::tip::RewardRules {
            hazard_percent: n(&f.hazard_percent)?,
            hazard_min_yuan: n(&f.hazard_min_yuan)?,
            hazard_max_yuan: n(&f.hazard_max_yuan)?,
            per_death_yuan: [
                n(&f.ordinary)?,
                n(&f.larger)?,
                n(&f.major)?,
                n(&f.especially_major)?,
            ],
            accident_max_yuan: n(&f.accident_max_yuan)?,
        };
        tips::set_reward_rules(&state.db, state.now(), &u.actor(), rules).await?;
        Ok::<_, Problem>("/tips?ok=1".to_string())
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, &UNFILTERED, None, Notice::error(msg))
    })
    .await
}

/// The verification deadlines form.
#[derive(Deserialize, Default)]
pub struct DeadlinesForm {
    #[serde(default)]
    pub verify_days: String,
    #[serde(default)]
    pub extension_days: String,
}

/// POST /tips/deadlines (office): the verification deadlines.
pub async fn set_deadlines(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<DeadlinesForm>,
) -> Result<Response, PageError> {
    let n = |field: &'static str, raw: &str| -> Result<i64, Problem> {
        raw.trim().parse().map_err(|_| {
            Problem::from(anjian_core::FieldError::new(
                "invalid_days",
                field,
                "天数应填整数",
            ))
        })
    };
    let result = async {
        let d = anjian_core::tip::Deadlines {
            verify_days: n("verify_days", &f.verify_days)?,
            extension_days: n("extension_days", &f.extension_days)?,
        };
        tips::set_deadlines(&state.db, state.now(), &u.actor(), d).await?;
        Ok::<_, Problem>("/tips?ok=1".to_string())
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, &UNFILTERED, None, Notice::error(msg))
    })
    .await
}

/// The form to record a tip received by another channel, and the receipt once recorded.
#[derive(Template)]
#[template(path = "tip_offline.html")]
pub struct OfflinePage {
    pub layout: Option<Layout>,
    pub channels: Vec<(&'static str, &'static str)>,
    pub categories: Vec<(&'static str, &'static str)>,
    pub sectors: Vec<String>,
    /// The latest time the form accepts (now, Beijing time, `YYYY-MM-DDTHH:MM`).
    pub now: String,
    pub f: OfflineForm,
    /// The tip recorded and its receipt, grouped, shown once.
    pub tip_id: i64,
    pub receipt: Option<String>,
    pub error: Option<String>,
}

/// The offline tip form's fields: the tip's, the channel and when it came in.
#[derive(Deserialize, Default, Clone)]
pub struct OfflineForm {
    #[serde(flatten)]
    pub tip: super::tip::TipForm,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub received_at: String,
}

async fn offline_page(
    state: &AppState,
    u: &User,
    f: OfflineForm,
    recorded: Option<(i64, String)>,
    error: Option<String>,
) -> Result<Response, PageError> {
    if !u.role().records_tips() {
        return Err(Problem::not_found().into());
    }
    let now = anjian_core::time::local_datetime(state.now())
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    let refused = error.is_some();
    let (tip_id, receipt) = match recorded {
        Some((id, r)) => (id, Some(anjian_core::tip::group_receipt(&r))),
        None => (0, None),
    };
    Ok(render_form(
        &OfflinePage {
            layout: Layout::of(u),
            channels: anjian_core::tip::Channel::OFFLINE
                .iter()
                .map(|c| (c.as_str(), c.label()))
                .collect(),
            categories: Category::ALL
                .iter()
                .map(|c| (c.as_str(), c.label()))
                .collect(),
            sectors: anjian_store::hazards::sectors(&state.db)
                .await?
                .into_iter()
                .map(|(_, s)| s)
                .collect(),
            now,
            f,
            tip_id,
            receipt,
            error,
        },
        refused,
    ))
}

/// GET /tips/offline: the form (whoever records tips).
pub async fn offline_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    offline_page(&state, &u, OfflineForm::default(), None, None).await
}

/// POST /tips/offline: records the tip with its channel and received-at time, and shows
/// its receipt once, to be read out or mailed to the reporter.
pub async fn offline(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<OfflineForm>,
) -> Result<Response, PageError> {
    let input = anjian_core::tip::OfflineTipInput {
        tip: f.tip.input(),
        channel: f.channel.clone(),
        received_at: f.received_at.clone(),
    };
    let result = crate::shared::tips::record_offline(&state, &u.actor(), &input).await;
    match result {
        Ok(recorded) => {
            offline_page(&state, &u, OfflineForm::default(), Some(recorded), None).await
        }
        Err(p) if p.status.is_client_error() => {
            let r = crate::pages::Refusal::of(&p);
            // The identity is never put back into the page.
            let mut kept = f;
            kept.tip.name.clear();
            kept.tip.phone.clear();
            kept.tip.id_number.clear();
            let page = offline_page(&state, &u, kept, None, Some(r.summary.clone())).await?;
            Ok(crate::pages::with_refusal(page, r))
        }
        Err(p) => Err(p.into()),
    }
}

/// One figure of item (86) "9月底，举报、查核、奖励兑现量较去年底明显上升": so far this
/// year against last year's whole year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub label: &'static str,
    pub this_year: i64,
    pub last_year: i64,
}

impl Target {
    /// The three figures from this year's months and last year's sums.
    pub fn of(
        months: &[anjian_store::tips::MonthStats],
        last: &anjian_store::tips::MonthStats,
    ) -> Vec<Target> {
        let sum = |f: fn(&anjian_store::tips::MonthStats) -> i64| months.iter().map(f).sum();
        vec![
            Target {
                label: "举报受理量",
                this_year: sum(|m| m.received),
                last_year: last.received,
            },
            Target {
                label: "查核量",
                this_year: sum(|m| m.verified),
                last_year: last.verified,
            },
            Target {
                label: "奖励兑现量",
                this_year: sum(|m| m.rewarded),
                last_year: last.rewarded,
            },
        ]
    }

    /// Whether this year's figure is above last year's.
    pub fn up(&self) -> bool {
        self.this_year > self.last_year
    }
}

/// The budget form: the year and the two funds in yuan.
#[derive(Deserialize, Default)]
pub struct BudgetForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub fiscal_yuan: String,
    #[serde(default)]
    pub enterprise_yuan: String,
}

/// Reads an amount in yuan (up to two decimals) as fen (field `field`); empty is 0.
fn fen(field: &'static str, label: &str, raw: &str) -> Result<i64, Problem> {
    Ok(anjian_core::error::optional_yuan(field, label, raw)?.unwrap_or(0))
}

/// POST /tips/budget (the office): the year's reward budget, fiscal and enterprises'.
pub async fn set_budget(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<BudgetForm>,
) -> Result<Response, PageError> {
    let result = async {
        let year: i32 = f
            .year
            .trim()
            .parse()
            .map_err(|_| Problem::bad_field("invalid_year", "year", "请填写年度"))?;
        tips::set_budget(
            &state.db,
            state.now(),
            &u.actor(),
            year,
            fen("fiscal_yuan", "财政预算", &f.fiscal_yuan)?,
            fen("enterprise_yuan", "企业预算", &f.enterprise_yuan)?,
        )
        .await?;
        Ok::<_, Problem>("/tips?ok=1#tip-budget".to_string())
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, &UNFILTERED, None, Notice::error(msg))
    })
    .await
}
