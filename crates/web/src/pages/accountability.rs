//! Accountability pages: a month's forms and the rules' suggestions, which the office
//! confirms or dismisses; a form recorded directly; the rules the office edits; and a
//! unit's history of forms on one page.

use anjian_core::accountability::{Form, Rule};
use anjian_core::monthly_report::Month;
use anjian_store::accountability::{self, Filter, FormInput, FormRow};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, MonthQuery, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render, render_form};
use crate::input::month_or_last;

type User = anjian_store::accounts::SessionUser;

/// The month's accountability page.
#[derive(Template)]
#[template(path = "accountability.html")]
pub struct AccountabilityPage {
    pub layout: Option<Layout>,
    pub month: String,
    pub month_label: String,
    pub forms: Vec<FormRow>,
    pub office: bool,
    pub rules: Vec<(usize, Rule, String)>,
    pub all_forms: Vec<(&'static str, &'static str)>,
    pub units: Vec<(i64, String)>,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

fn all_forms() -> Vec<(&'static str, &'static str)> {
    Form::ALL.iter().map(|f| (f.as_str(), f.label())).collect()
}

async fn page(
    state: &AppState,
    u: &User,
    month: Month,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let scope = u.rankings_scope()?;
    let filter = Filter {
        month: Some(month.name()),
        ..Filter::default()
    };
    let mut forms = accountability::list(&state.db, &scope, &filter).await?;
    // Suggestions waiting for a decision first.
    forms.sort_by_key(|f| (!f.suggested(), -f.id));
    let office = u.role().sees_everything();
    let rules = accountability::rules(&state.db)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let text = r.trigger.describe(r.threshold);
            (i, r, text)
        })
        .collect();
    let units = if office {
        super::unit_choices(state, u, &["township", "zone_committee", "department"]).await?
    } else {
        Vec::new()
    };
    let refused = error.is_some();
    Ok(render_form(
        &AccountabilityPage {
            layout: Layout::of(u),
            month: month.name(),
            month_label: month.label(),
            forms,
            office,
            rules,
            all_forms: all_forms(),
            units,
            today: state.today().format("%Y-%m-%d").to_string(),
            flash,
            error,
        },
        refused,
    ))
}

/// GET /accountability?month= (default: the last month that has ended).
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<MonthQuery>,
) -> Result<Response, PageError> {
    let month = month_or_last(&state, q.month.as_deref())?;
    let flash = q.ok.map(|k| match k.as_str() {
        "rules" => "规则已保存".to_string(),
        "record" => "问责已记录".to_string(),
        "decide" => "已处理该建议".to_string(),
        n => format!("按规则新提出{n}条问责建议"),
    });
    page(&state, &u, month, Notice::flash(flash)).await
}

/// The month a form posts back to.
#[derive(Deserialize, Default)]
pub struct MonthForm {
    #[serde(default)]
    pub month: String,
}

/// POST /accountability/suggest (office): the rules' suggestions for the month.
pub async fn suggest(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<MonthForm>,
) -> Result<Response, PageError> {
    let month = month_or_last(&state, Some(&f.month))?;
    let result = accountability::suggest_for(&state.db, state.moment(), &u.actor(), month)
        .await
        .map(|n| format!("/accountability?month={}&ok={n}", month.name()))
        .map_err(Problem::from);
    after_form(result, |msg| page(&state, &u, month, Notice::error(msg))).await
}

/// The confirm / dismiss buttons.
#[derive(Deserialize, Default)]
pub struct DecideForm {
    #[serde(default)]
    pub confirm: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub month: String,
}

/// POST /accountability/{id}/decide (office): `confirm` 1, or 0 with a reason.
pub async fn decide(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<DecideForm>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let month = month_or_last(&state, Some(&f.month))?;
    let result = accountability::decide(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        f.confirm == "1",
        &f.reason,
    )
    .await
    .map(|_| format!("/accountability?month={}&ok=decide", month.name()))
    .map_err(Problem::from);
    after_form(result, |msg| page(&state, &u, month, Notice::error(msg))).await
}

/// The record form.
#[derive(Deserialize, Default)]
pub struct RecordForm {
    #[serde(default)]
    pub unit: String,
    #[serde(flatten)]
    pub input: FormInput,
}

/// POST /accountability (office): records a form directly.
pub async fn record(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<RecordForm>,
) -> Result<Response, PageError> {
    let mut input = f.input;
    input.unit = f.unit.trim().parse().ok();
    let month = anjian_core::error::optional_date("decided_on", "决定日期", &input.decided_on)
        .ok()
        .flatten()
        .map(Month::of)
        .unwrap_or_else(|| Month::of(state.today()));
    let result = accountability::record(&state.db, state.now(), &u.actor(), &input)
        .await
        .map(|_| format!("/accountability?month={}&ok=record", month.name()))
        .map_err(Problem::from);
    after_form(result, |msg| page(&state, &u, month, Notice::error(msg))).await
}

/// The rules form: per rule, `enabled_i`, `threshold_i` and `form_i`.
#[derive(Deserialize, Default)]
pub struct RulesForm {
    #[serde(default)]
    pub month: String,
    #[serde(flatten)]
    pub fields: std::collections::HashMap<String, String>,
}

/// POST /accountability/rules (office): saves the rules.
pub async fn set_rules(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<RulesForm>,
) -> Result<Response, PageError> {
    let month = month_or_last(&state, Some(&f.month))?;
    let result = async {
        let mut rules = accountability::rules(&state.db).await?;
        for (i, r) in rules.iter_mut().enumerate() {
            let get = |k: &str| {
                f.fields
                    .get(&format!("{k}_{i}"))
                    .map(|s| s.trim().to_string())
            };
            r.enabled = get("enabled").is_some_and(|v| v == "1");
            if let Some(t) = get("threshold") {
                r.threshold = t.parse().map_err(|_| {
                    Problem::from(anjian_core::FieldError::new(
                        "invalid_threshold",
                        "rules",
                        "阈值应为1到12的整数",
                    ))
                })?;
            }
            if let Some(form) = get("form") {
                r.form = Form::parse(&form)?;
            }
        }
        accountability::set_rules(&state.db, state.now(), &u.actor(), rules).await?;
        Ok::<_, Problem>(format!("/accountability?month={}&ok=rules", month.name()))
    }
    .await;
    after_form(result, |msg| page(&state, &u, month, Notice::error(msg))).await
}

/// A unit's history of forms.
#[derive(Template)]
#[template(path = "unit_accountability.html")]
pub struct UnitHistoryPage {
    pub layout: Option<Layout>,
    pub unit_name: String,
    pub forms: Vec<FormRow>,
}

/// GET /units/{id}/accountability: every form against a unit in scope (404 outside).
pub async fn history(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let scope = u.rankings_scope()?;
    let id = crate::input::path_id(&id)?;
    let unit = anjian_store::directory::units::get(&state.db, &scope, id).await?;
    let filter = Filter {
        unit: Some(id),
        ..Filter::default()
    };
    let forms = accountability::list(&state.db, &scope, &filter).await?;
    Ok(render(&UnitHistoryPage {
        layout: Layout::of(&u),
        unit_name: unit.name,
        forms,
    }))
}
