//! The duty page: each official and leader against the quotas of their post over a
//! month (the monthly circulation, printable and as .xlsx) or a week (the weekly check);
//! logging a duty record; the office's approval of back-dated records; the officials.

use anjian_core::duty::{Activity, Period, PostDef, RecordState};
use anjian_core::machine::States;
use anjian_core::monthly_report::Month;
use anjian_store::duty::{self, NewRecord, PersonStanding, Record};
use anjian_store::responsible::{self, NewOfficial, Official};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

/// How many back-dated records awaiting the office's decision its quota page lists.
const PENDING_SHOWN: i64 = 200;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};

type User = anjian_store::accounts::SessionUser;

/// The duty page.
#[derive(Template)]
#[template(path = "quotas.html")]
pub struct QuotasPage {
    pub layout: Option<Layout>,
    /// "2022年7月" or "2022年7月18日至7月24日".
    pub range_label: String,
    pub month: String,
    pub week: String,
    /// A period ended short of a quota.
    pub short: Vec<PersonStanding>,
    /// Short so far in a period still running.
    pub running: Vec<PersonStanding>,
    pub met: Vec<PersonStanding>,
    pub pending: Vec<Record>,
    /// How many back-dated records the office's list shows at most.
    pub pending_shown: i64,
    pub recent: Vec<Record>,
    /// The quotas in force, with each period's choices (the office edits them).
    pub quotas: Vec<anjian_core::duty::Quota>,
    pub periods: Vec<(&'static str, &'static str)>,
    /// The posts in force and the choices a new post or quota offers.
    pub posts: Vec<PostDef>,
    pub activities: Vec<(&'static str, &'static str)>,
    pub unit_kinds: Vec<(&'static str, &'static str)>,
    pub office: bool,
    pub today: String,
    /// The year of the range, for the links to the duty files.
    pub year: i32,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// `?month=YYYY-MM` or `?week=YYYY-MM-DD` (any day of the week).
#[derive(Deserialize, Default)]
pub struct RangeQuery {
    pub month: Option<String>,
    pub week: Option<String>,
    pub ok: Option<String>,
}

/// The range asked for: its first and last days, label, and the month and week fields.
fn range(q: &RangeQuery, today: NaiveDate) -> Result<(NaiveDate, NaiveDate, String), Problem> {
    if let Some(w) = q.week.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        let d = NaiveDate::parse_from_str(w, "%Y-%m-%d")
            .map_err(|_| Problem::bad_field("invalid_week", "week", "周应为该周任一天的日期"))?;
        let (f, l) = Period::Week.containing(d);
        return Ok((
            f,
            l,
            format!(
                "{}至{}（周检查）",
                f.format("%Y年%-m月%-d日"),
                l.format("%-m月%-d日")
            ),
        ));
    }
    let m = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => crate::input::month(m)?,
        None => Month::of(today),
    };
    Ok((m.first, m.last, m.label()))
}

/// Standings split into those who missed a quota, those short so far in a period
/// still running, and those meeting all.
fn split(
    all: Vec<PersonStanding>,
) -> (
    Vec<PersonStanding>,
    Vec<PersonStanding>,
    Vec<PersonStanding>,
) {
    let (short, rest): (Vec<_>, Vec<_>) = all.into_iter().partition(PersonStanding::missed);
    let (running, met) = rest.into_iter().partition(PersonStanding::in_progress);
    (short, running, met)
}

async fn page(
    state: &AppState,
    u: &User,
    q: &RangeQuery,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let today = state.today();
    let (first, last, range_label) = range(q, today)?;
    let scope = scope.clone();
    let (short, running, met) = split(
        duty::standings(
            &state.db,
            &scope,
            anjian_core::time::Span::new(first, last),
            today,
        )
        .await?,
    );
    let office = u.role().sees_everything();
    let pending = if office {
        duty::records(
            &state.db,
            &scope,
            anjian_core::time::Span::new(first - chrono::Days::new(366), today),
            Some(RecordState::Pending.as_str()),
            anjian_store::paging::Page::first(PENDING_SHOWN),
        )
        .await?
    } else {
        Vec::new()
    };
    let recent = duty::records(
        &state.db,
        &scope,
        anjian_core::time::Span::new(first, last),
        None,
        anjian_store::paging::Page::first(50),
    )
    .await?;
    let refused = error.is_some();
    Ok(render_form(
        &QuotasPage {
            layout: Layout::of(u),
            range_label,
            month: Month::of(first.max(last.min(today))).name(),
            week: q.week.clone().unwrap_or_default(),
            short,
            running,
            met,
            pending,
            pending_shown: PENDING_SHOWN,
            recent,
            quotas: duty::quotas(&state.db).await?,
            periods: Period::ALL
                .iter()
                .map(|p| (p.as_str(), p.label()))
                .collect(),
            posts: duty::posts(&state.db).await?,
            activities: Activity::ALL
                .iter()
                .map(|a| (a.as_str(), a.label()))
                .collect(),
            unit_kinds: anjian_core::unit::UnitKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
            office,
            today: today.to_string(),
            year: chrono::Datelike::year(&first),
            flash,
            error,
        },
        refused,
    ))
}

/// GET /quotas.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<RangeQuery>,
) -> Result<Response, PageError> {
    let flash = q.ok.as_ref().map(|o| match o.as_str() {
        "pending" => "已记录；补录超过时限，待区安委办审核后计入".to_string(),
        _ => "已保存".to_string(),
    });
    page(&state, &u, &q, Notice::flash(flash)).await
}

/// The form to log a duty record, and the officials.
#[derive(Template)]
#[template(path = "duty_new.html")]
pub struct RecordPage {
    pub layout: Option<Layout>,
    pub officials: Vec<Official>,
    pub enterprises: Vec<(i64, String)>,
    pub activities: Vec<(&'static str, &'static str)>,
    pub posts: Vec<(String, String)>,
    pub units: Vec<(i64, String)>,
    pub today: String,
    pub error: Option<String>,
}

async fn record_page(
    state: &AppState,
    u: &User,
    error: Option<String>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let scope = scope.clone();
    let officials = responsible::officials(&state.db, &scope).await?;
    let enterprises = anjian_store::enterprises::list(
        &state.db,
        &scope,
        &anjian_store::enterprises::Filter {
            listed: Some(true),
            limit: 1000,
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|e| (e.id, e.name))
    .collect();
    let units = super::unit_choices(
        state,
        u,
        &[
            "township",
            "zone_committee",
            "department",
            "committee_office",
        ],
    )
    .await?;
    let refused = error.is_some();
    Ok(render_form(
        &RecordPage {
            layout: Layout::of(u),
            officials,
            enterprises,
            activities: Activity::ALL
                .iter()
                .map(|a| (a.as_str(), a.label()))
                .collect(),
            posts: duty::posts(&state.db)
                .await?
                .into_iter()
                .filter(|p| !p.code.is_responsible_official())
                .map(|p| (p.code.0, p.name))
                .collect(),
            units,
            today: state.today().to_string(),
            error,
        },
        refused,
    ))
}

/// GET /duty-records/new.
pub async fn new(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    record_page(&state, &u, None).await
}

/// GET /quotas.xlsx: the circulation of the range: every official and leader, each
/// quota with done and required, and whether met.
pub async fn export(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<RangeQuery>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let today = state.today();
    let (first, last, label) = range(&q, today)?;
    let all = duty::standings(
        &state.db,
        &scope,
        anjian_core::time::Span::new(first, last),
        today,
    )
    .await?;
    let mut rows = Vec::new();
    for p in &all {
        for x in &p.quotas {
            rows.push(vec![
                p.unit_name.clone(),
                p.name.clone(),
                p.title.clone(),
                p.post_name.clone(),
                x.label.clone(),
                x.standing.done.to_string(),
                x.standing.required.to_string(),
                x.standing.label().to_string(),
            ]);
        }
        if let Some((n, c)) = p.coverage {
            rows.push(vec![
                p.unit_name.clone(),
                p.name.clone(),
                p.title.clone(),
                p.post_name.clone(),
                "半年检查挂牌企业全覆盖".into(),
                c.to_string(),
                n.to_string(),
                if c >= n { "已覆盖" } else { "未覆盖" }.to_string(),
            ]);
        }
    }
    super::xlsx_response(
        &format!("履职通报{}", label.chars().take(20).collect::<String>()),
        &[
            "单位",
            "姓名",
            "职务",
            "岗位",
            "定额",
            "完成",
            "应完成",
            "情况",
        ],
        &rows,
        "履职纪实定额完成情况.xlsx",
        &u.unit_name,
    )
}

/// The duty record form.
#[derive(Deserialize, Default)]
pub struct RecordForm {
    #[serde(default)]
    pub official: String,
    #[serde(default)]
    pub activity: String,
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub enterprise: String,
    #[serde(default)]
    pub enforcement: String,
    #[serde(default)]
    pub visit: String,
}

/// POST /duty-records (multipart when evidence is attached, in `photos`).
pub async fn record(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    crate::upload::PhotoForm { form: f, photos }: crate::upload::PhotoForm<RecordForm>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let result = async {
        let photos = crate::upload::store(&state, &photos).await?;
        let r = duty::record(
            &state.db,
            state.moment(),
            &u.actor(),
            &scope,
            &NewRecord {
                official: f.official.trim().parse().ok(),
                activity: f.activity.clone(),
                on: f.on.clone(),
                place: f.place.clone(),
                participants: f.participants.clone(),
                topic: f.topic.clone(),
                enterprise: f.enterprise.trim().parse().ok(),
                enforcement: f.enforcement.trim().parse().ok(),
                visit: f.visit.trim().parse().ok(),
                evidence: photos.first().map(|p| p.sha256.clone()),
            },
        )
        .await?;
        Ok::<_, Problem>(
            if RecordState::parse(&r.state) == Some(RecordState::Pending) {
                "/quotas?ok=pending".to_string()
            } else {
                "/quotas?ok=1".to_string()
            },
        )
    }
    .await;
    after_form(result, |msg| record_page(&state, &u, Some(msg))).await
}

/// The office's decision form.
#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    pub approve: String,
}

/// POST /duty-records/{id}/decision (the office).
pub async fn decide(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<DecisionForm>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let result = async {
        duty::decide(
            &state.db,
            state.now(),
            &u.actor(),
            &u.scope(),
            id,
            f.approve == "1",
        )
        .await?;
        Ok::<_, Problem>("/quotas?ok=1".to_string())
    }
    .await;
    let blank = RangeQuery::default();
    after_form(result, |msg| page(&state, &u, &blank, Notice::error(msg))).await
}

/// The official form.
#[derive(Deserialize, Default)]
pub struct OfficialForm {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub post: String,
    #[serde(default)]
    pub phone: String,
}

/// POST /officials.
pub async fn add_official(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<OfficialForm>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let result = async {
        responsible::add_official(
            &state.db,
            state.now(),
            &u.actor(),
            &scope,
            &NewOfficial {
                unit: f.unit.trim().parse().ok(),
                name: f.name.clone(),
                title: f.title.clone(),
                post: f.post.clone(),
                phone: f.phone.clone(),
                user: None,
            },
        )
        .await?;
        Ok::<_, Problem>("/duty-records/new".to_string())
    }
    .await;
    after_form(result, |msg| record_page(&state, &u, Some(msg))).await
}

/// GET /duty-records/{id}/evidence: the evidence of a record in scope.
pub async fn evidence(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let id = crate::input::path_id(&id)?;
    let sha = duty::evidence(&state.db, &scope, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    super::stored_file(&state, &sha).await
}

/// POST /duty-quotas (the office): each quota's period (`period_N`) and minimum
/// (`minimum_N`), N its place in the table as shown.
pub async fn set_quotas(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let result = async {
        let mut quotas = duty::quotas(&state.db).await?;
        for (i, x) in quotas.iter_mut().enumerate() {
            if let Some(p) = f.get(&format!("period_{i}")) {
                x.period = Period::parse(p)?;
            }
            if let Some(m) = f.get(&format!("minimum_{i}")) {
                x.minimum = m.trim().parse().map_err(|_| {
                    Problem::bad_field("invalid_minimum", "minimum", "最低次数应填整数")
                })?;
            }
        }
        duty::set_quotas(&state.db, state.now(), &u.actor(), &quotas).await?;
        Ok::<_, Problem>("/quotas?ok=1".to_string())
    }
    .await;
    let blank = RangeQuery::default();
    after_form(result, |msg| page(&state, &u, &blank, Notice::error(msg))).await
}

/// POST /duty-posts (the office): a post's name, unit kind and source.
pub async fn add_post(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<anjian_core::duty::NewPost>,
) -> Result<Response, PageError> {
    let result = async {
        duty::add_post(&state.db, state.now(), &u.actor(), &f).await?;
        Ok::<_, Problem>("/quotas?ok=1#quota-table".to_string())
    }
    .await;
    let blank = RangeQuery::default();
    after_form(result, |msg| page(&state, &u, &blank, Notice::error(msg))).await
}

/// POST /duty-quotas/new (the office): a quota's post, activity, period, minimum and
/// source.
pub async fn add_quota(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<duty::NewQuota>,
) -> Result<Response, PageError> {
    let result = async {
        duty::add_quota(&state.db, state.now(), &u.actor(), &f).await?;
        Ok::<_, Problem>("/quotas?ok=1#quota-table".to_string())
    }
    .await;
    let blank = RangeQuery::default();
    after_form(result, |msg| page(&state, &u, &blank, Notice::error(msg))).await
}
