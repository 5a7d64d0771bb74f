//! A city office's pages above its districts (`store::city`): the month's districts
//! ranked under the city's scheme, each score explained part by part, their sum and
//! their campaigns; the city's campaigns issued to the districts; a district's major
//! hazards listed for supervision at city level. A district's own process answers 404.

use anjian_core::chart;
use anjian_core::monthly_report::Month;
use anjian_store::city::{self, CityMonth, MajorHazard};
use anjian_store::plans::CampaignLine;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::api::city::{district_no, roll_up};
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};

type User = anjian_store::accounts::SessionUser;

/// The city's month.
#[derive(Template)]
#[template(path = "city.html")]
pub struct CityPage {
    pub layout: Option<Layout>,
    pub month: String,
    pub month_label: String,
    pub c: CityMonth,
    pub scores_svg: String,
    /// The city's own campaigns, to issue to the districts.
    pub campaigns: Vec<CampaignLine>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// `?month=YYYY-MM&issued=`.
#[derive(Deserialize, Default)]
pub struct CityQuery {
    pub month: Option<String>,
    pub issued: Option<String>,
}

async fn page(
    state: &AppState,
    u: &User,
    month: Option<&str>,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let districts = state.districts().map_err(Problem::from)?;
    let m: Month = crate::input::month_or_last(state, month)?;
    let c = roll_up(state, &u.actor(), districts, m).await?;
    let scores_svg = chart::bars(
        "各区县得分",
        &c.districts
            .iter()
            .filter(|d| d.reachable)
            .map(|d| (d.name.clone(), d.total / 100))
            .collect::<Vec<_>>(),
        60,
        chart::Measure::Points,
    );
    let campaigns = anjian_store::plans::campaign_lines(&state.db).await?;
    let refused = error.is_some();
    Ok(render_form(
        &CityPage {
            layout: Layout::of(u),
            month: m.name(),
            month_label: m.label(),
            c,
            scores_svg,
            campaigns,
            flash,
            error,
        },
        refused,
    ))
}

/// GET /city: the month picked (`?month=`), or the last month that has ended.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<CityQuery>,
) -> Result<Response, PageError> {
    let flash = q
        .issued
        .filter(|s| !s.is_empty())
        .map(|s| format!("已下发：{}", s.chars().take(500).collect::<String>()));
    page(&state, &u, q.month.as_deref(), Notice::flash(flash)).await
}

/// POST /city/campaigns/{id}/issue: the city's campaign to every district.
pub async fn issue(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(_f): PageForm<Empty>,
) -> Result<Response, PageError> {
    let result = async {
        let districts = state.districts()?;
        let id = crate::input::path_id(&id)?;
        let issued = city::issue(&state.db, districts, state.now(), &u.actor(), id).await?;
        let said: Vec<String> = issued
            .iter()
            .map(|i| match (&i.campaign_id, &i.note) {
                (Some(_), _) => format!("{}（{} 项应办事项）", i.district, i.obligations),
                (None, Some(n)) => format!("{}{n}", i.district),
                (None, None) => i.district.clone(),
            })
            .collect();
        Ok::<_, Problem>(format!(
            "/city?issued={}",
            crate::auth::urlencode(&said.join("；"))
        ))
    }
    .await;
    after_form(result, |msg| page(&state, &u, None, Notice::error(msg))).await
}

/// An empty form (the CSRF check is the layer's).
#[derive(Deserialize, Default)]
pub struct Empty {}

/// A district's major hazards, with the city's listing form.
#[derive(Template)]
#[template(path = "city_district.html")]
pub struct DistrictPage {
    pub layout: Option<Layout>,
    pub no: usize,
    pub name: String,
    pub hazards: Vec<MajorHazard>,
    /// The next page's address, when this one is full.
    pub next: Option<String>,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// `?after=&ok=`: the hazards after hazard `after` (the next page), and the flash of
/// the listing that led to the page.
#[derive(Deserialize, Default)]
pub struct DistrictQuery {
    pub after: Option<i64>,
    pub ok: Option<String>,
}

/// How many major hazards a district's page lists at a time (each with its form).
const HAZARDS_SHOWN: i64 = 50;

async fn district_page(
    state: &AppState,
    u: &User,
    no: &str,
    after: Option<i64>,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let districts = state.districts().map_err(Problem::from)?;
    let d = city::district(districts, district_no(no)?).map_err(Problem::from)?;
    let page = anjian_store::paging::Page {
        after,
        limit: HAZARDS_SHOWN,
    };
    let hazards = city::major_hazards(d, &u.actor(), page).await?;
    let next = page.next(&hazards, |h| {
        format!("/city/districts/{}?after={}", d.no, h.id)
    });
    let refused = error.is_some();
    Ok(render_form(
        &DistrictPage {
            layout: Layout::of(u),
            no: d.no,
            name: d.name.clone(),
            hazards,
            next,
            today: state.today().format("%Y-%m-%d").to_string(),
            flash,
            error,
        },
        refused,
    ))
}

/// GET /city/districts/{no}.
pub async fn district(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(no): Path<String>,
    PageQuery(q): PageQuery<DistrictQuery>,
) -> Result<Response, PageError> {
    let flash =
        q.ok.filter(|s| !s.is_empty())
            .map(|_| "已由市级挂牌督办，区安委办负责落实和验收".to_string());
    district_page(&state, &u, &no, q.after, Notice::flash(flash)).await
}

/// The city's listing form.
#[derive(Deserialize, Default)]
pub struct ListingForm {
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub note: String,
}

/// POST /city/districts/{no}/hazards/{id}/list.
pub async fn list(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((no, id)): Path<(String, String)>,
    PageForm(f): PageForm<ListingForm>,
) -> Result<Response, PageError> {
    let result = async {
        let districts = state.districts()?;
        let d = city::district(districts, district_no(&no)?)?;
        let id = crate::input::path_id(&id)?;
        city::list_for_city(
            &state.db,
            d,
            state.now(),
            &u.actor(),
            id,
            anjian_store::hazards::Listing {
                leader: &f.leader,
                deadline: &f.deadline,
                note: &f.note,
            },
        )
        .await?;
        Ok::<_, Problem>(format!("/city/districts/{}?ok=1#h{id}", d.no))
    }
    .await;
    after_form(result, |msg| {
        district_page(&state, &u, &no, None, Notice::error(msg))
    })
    .await
}
