//! A city (or province) committee office above its districts (issue 21 part 3).
//!
//! Each district keeps its own database (its directory, campaigns, ledgers, accounts
//! and audit chain), as each district office runs the product today; a city process
//! is given the districts' databases (`anjian serve --district 铜梁区=postgres://…`)
//! beside its own, which holds the city office's accounts, its plans and its ranking
//! scheme. A district therefore sees nothing of another district by construction (no
//! query of a district's process can name another district's rows), and inside each
//! district the scope stays the one SQL predicate of [`crate::Scope`]. The city reads
//! every district with [`Scope::All`] and rolls the figures up: the month's dashboard
//! totals per district, ranked under the city's scheme with the same explainable parts
//! as the townships (`core::ranking`); it issues its plans to the districts (each starts
//! a campaign of the plan, which the district completes with its own work items) and
//! lists a district's major hazard for supervision at city level.

use anjian_core::monthly_report::Month;
use anjian_core::ranking::{Line, Scheme};
use anjian_core::time::Moment;
use serde::Serialize;

use crate::db::{Db, day, q};
use crate::error::{Error, Result};
use crate::hazards::Listing;
use crate::ids::next_id;
use crate::rankings::UnitMonth;
use crate::scope::{Actor, Scope};

/// A district under the city: its name as the city calls it and its database.
#[derive(Debug, Clone)]
pub struct District {
    /// Its place in the city's list, from 1 (the city's pages name a district by it).
    pub no: usize,
    pub name: String,
    pub db: Db,
}

/// Connections the city's process keeps to each district's database: one, since a
/// district's month is read in a sequence of queries. Forty districts with the usual
/// pool of sixteen exhausted PostgreSQL's default hundred connections after 28
/// districts; with two each, the city's and a district's own pools beside them still
/// went past it under eight clients (a pool timeout, answered 500).
pub const DISTRICT_POOL: u32 = 1;

/// Opens a district's database for the city's process, with [`DISTRICT_POOL`]
/// connections at most.
pub async fn connect(url: &str) -> Result<Db> {
    Db::connect_with(url, Some(DISTRICT_POOL)).await
}

/// Reads a district's specification `NAME=URL` (the district's name, then its
/// database URL); the reason in Chinese when it is not one.
pub fn parse_spec(spec: &str) -> std::result::Result<(String, String), String> {
    let (name, url) = spec
        .split_once('=')
        .ok_or_else(|| format!("区县应写作“名称=数据库地址”，而不是 {spec}"))?;
    let (name, url) = (name.trim(), url.trim());
    if name.is_empty() || name.chars().count() > 50 {
        return Err(format!("区县名称应为1到50个字：{spec}"));
    }
    if !(url.starts_with("sqlite:") || url.starts_with("postgres")) {
        return Err(format!(
            "{name} 的数据库地址应以 sqlite: 或 postgres:// 开头"
        ));
    }
    Ok((name.to_string(), url.to_string()))
}

/// One district's line in the city's month: its totals, its score under the city's
/// scheme explained part by part, its campaigns.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct DistrictMonth {
    pub no: usize,
    pub name: String,
    /// False when the district's database did not answer: the line carries no figures
    /// and is left out of the ranking.
    pub reachable: bool,
    /// 1 for the best; equal totals share a rank (0 when not ranked).
    pub rank: usize,
    /// Score in hundredths.
    pub total: i64,
    pub lines: Vec<Line>,
    /// Last among the districts ranked.
    pub bottom: bool,
    /// The sum of the district's townships and departments for the month.
    pub totals: UnitMonth,
    pub on_time_rate: Option<i64>,
    pub rectification_rate: i64,
    /// Townships, streets and 管委会 ranked in the district.
    pub localities: usize,
    /// The district's campaigns, newest first.
    pub campaigns: Vec<crate::plans::CampaignLine>,
}

impl DistrictMonth {
    /// The total as shown, 87.50.
    pub fn total_label(&self) -> String {
        format!("{}.{:02}", self.total / 100, self.total % 100)
    }
}

/// The city's month: every district, ranked, and the city's sum.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CityMonth {
    pub month: String,
    /// The districts, best first; those not reachable last.
    pub districts: Vec<DistrictMonth>,
    /// The sum over the districts that answered.
    pub totals: UnitMonth,
    pub on_time_rate: Option<i64>,
    pub rectification_rate: i64,
}

/// The city's month: each district's dashboard totals read from its database (all of
/// them at once), ranked under `scheme` (the city's, with the parts and weights the
/// townships are ranked by). A district whose database fails is shown unreachable and
/// not ranked; the others are.
pub async fn month(
    districts: &[District],
    actor: &Actor,
    scheme: &Scheme,
    moment: Moment,
    month: Month,
) -> Result<CityMonth> {
    may_read(actor)?;
    if month.first > moment.today {
        return Err(Error::invalid(
            "month_not_begun",
            "month",
            format!("{}尚未开始，无法排名", month.label()),
        ));
    }
    let reads = districts.iter().map(|d| district_month(d, moment, month));
    let mut lines: Vec<DistrictMonth> = futures_util::future::join_all(reads).await;
    let figures: Vec<anjian_core::ranking::Figures> = lines
        .iter()
        .filter(|l| l.reachable)
        .map(|l| anjian_core::ranking::Figures {
            unit_id: l.no as i64,
            ..l.totals.figures()
        })
        .collect();
    let scores = anjian_core::ranking::rank(scheme, &figures);
    let last = scores.iter().map(|s| s.rank).max().unwrap_or(0);
    let ranked = scores.len();
    for s in scores {
        if let Some(l) = lines.iter_mut().find(|l| l.no as i64 == s.unit_id) {
            l.rank = s.rank;
            l.total = s.total;
            l.lines = s.lines;
            l.bottom = ranked > 1 && s.rank == last;
        }
    }
    lines.sort_by_key(|l| (!l.reachable, l.rank, l.no));
    let totals = crate::dashboard::sum(lines.iter().filter(|l| l.reachable).map(|l| &l.totals));
    Ok(CityMonth {
        month: month.name(),
        on_time_rate: totals.on_time_rate(),
        rectification_rate: totals.rectification_rate(),
        totals,
        districts: lines,
    })
}

/// One district's line, read from its database as its own office's dashboard reads it.
async fn district_month(d: &District, moment: Moment, month: Month) -> DistrictMonth {
    let read = async {
        let board = crate::dashboard::month(&d.db, &Scope::All, moment, month).await?;
        let mut campaigns = crate::plans::campaign_lines(&d.db).await?;
        campaigns.truncate(20);
        Ok::<_, Error>((board, campaigns))
    };
    let line = DistrictMonth {
        no: d.no,
        name: d.name.clone(),
        ..DistrictMonth::default()
    };
    match read.await {
        Ok((board, campaigns)) => DistrictMonth {
            reachable: true,
            localities: board
                .localities
                .iter()
                .filter(|l| l.kind == crate::rankings::Kind::Township)
                .count(),
            on_time_rate: board.on_time_rate,
            rectification_rate: board.rectification_rate,
            totals: board.totals,
            campaigns,
            ..line
        },
        Err(e) => {
            tracing::warn!(district = %d.name, error = %e, "district database unreachable");
            line
        }
    }
}

/// Whether `actor` may read and act on the city's districts: the city office's
/// accounts (the roles that see everything). Every read and write of this module
/// checks it; the menu's link to the city reads it too.
pub fn may_read(actor: &Actor) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)
}

/// The district numbered `no`, or not found.
pub fn district(districts: &[District], no: usize) -> Result<&District> {
    districts.iter().find(|d| d.no == no).ok_or(Error::NotFound)
}

/// The actor a city office user is in a district's audit chain: named with the city
/// and the user, with no account or unit of the district's, acting with the office's
/// role (the city directs the district's office).
pub fn actor_in_district(city: &Actor) -> Actor {
    Actor {
        user_id: None,
        username: format!("city:{}", city.username).chars().take(64).collect(),
        role: city.role.clone(),
        unit_id: None,
    }
}

/// What issuing a plan to the districts did in each.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Issued {
    pub district: String,
    /// The district's new campaign, or `None` when it already runs this plan (same
    /// title and document number) or could not be reached.
    pub campaign_id: Option<i64>,
    /// Obligations given to the district's units.
    pub obligations: usize,
    /// Why nothing was started, in Chinese.
    pub note: Option<String>,
}

/// Issues the city's campaign `campaign_id` (its plan, year and last day) to every
/// district: each district starts a campaign of the same plan, its work given to the
/// district's own units by the responsibility names the plan writes (the names the
/// district's directory does not know wait on its office's review, as any imported
/// plan's do), and completes it with its own work items in the plan editor. A district
/// that already runs the plan is left as it is, so issuing again adds nothing.
/// Each district's campaign is one transaction in its own database with its audit
/// entry; the city's audit chain records the issue.
pub async fn issue(
    city: &Db,
    districts: &[District],
    now_ms: i64,
    actor: &Actor,
    campaign_id: i64,
) -> Result<Vec<Issued>> {
    may_read(actor)?;
    let campaign = crate::plans::campaign(city, campaign_id).await?;
    let plan = crate::plans::load(city, campaign.plan_id).await?;
    let in_district = actor_in_district(actor);
    let mut out = Vec::with_capacity(districts.len());
    for d in districts {
        let issued = issue_one(d, now_ms, &in_district, &plan, &campaign).await;
        out.push(match issued {
            Ok(i) => i,
            Err(e) => Issued {
                district: d.name.clone(),
                campaign_id: None,
                obligations: 0,
                note: Some(format!("未能下发：{e}")),
            },
        });
    }
    let started: Vec<&str> = out
        .iter()
        .filter(|i| i.campaign_id.is_some())
        .map(|i| i.district.as_str())
        .collect();
    let mut tx = city.begin().await?;
    crate::audit::append(
        &mut tx,
        now_ms,
        actor,
        crate::audit::Entry::ok("city.issue", "campaign", campaign_id).detail(format!(
            "{} 下发至：{}",
            campaign.title,
            if started.is_empty() {
                "（无新增）".to_string()
            } else {
                started.join("、")
            }
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

async fn issue_one(
    d: &District,
    now_ms: i64,
    actor: &Actor,
    plan: &anjian_core::plan::Plan,
    campaign: &crate::plans::Campaign,
) -> Result<Issued> {
    let running: Option<(i64,)> = d
        .db
        .read()
        .opt(
            q("SELECT c.id FROM campaigns c JOIN plans p ON p.id = c.plan_id WHERE p.title = $1 AND p.doc_number = $2 AND c.year = $3 ORDER BY c.id LIMIT 1")
                .bind(plan.title.as_str())
                .bind(plan.doc_number.as_str())
                .bind(campaign.year),
        )
        .await?;
    if let Some((id,)) = running {
        return Ok(Issued {
            district: d.name.clone(),
            campaign_id: None,
            obligations: 0,
            note: Some(format!("已在开展（专项行动 {id}）")),
        });
    }
    let ends_on = campaign
        .ends_on
        .as_deref()
        .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let launch = crate::expansion::Launch {
        plan: crate::expansion::PlanSource::New(plan),
        title: Some(campaign.title.clone()),
        year: i32::try_from(campaign.year).unwrap_or(plan.year),
        ends_on,
        periods: Vec::new(),
    };
    let (c, report) = crate::expansion::launch(&d.db, now_ms, actor, &launch).await?;
    Ok(Issued {
        district: d.name.clone(),
        campaign_id: Some(c.id),
        obligations: report.obligations,
        note: None,
    })
}

/// A district's major hazard as the city sees it (its open 重大隐患).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MajorHazard {
    pub id: i64,
    pub unit_name: String,
    pub place: String,
    pub description: String,
    pub status: String,
    pub deadline: Option<String>,
    /// Listed for supervision at city level and not closed.
    pub city_listed: i64,
}

impl MajorHazard {
    /// The status in Chinese.
    pub fn status_label(&self) -> &'static str {
        use anjian_core::machine::States as _;
        anjian_core::case::Status::label_of(&self.status)
    }
}

/// The open major hazards of a district, newest first (by id), a page at a time.
pub async fn major_hazards(
    d: &District,
    actor: &Actor,
    page: crate::paging::Page,
) -> Result<Vec<MajorHazard>> {
    may_read(actor)?;
    let mut query = q(
        "SELECT h.id, u.name AS unit_name, h.place, h.description, h.status, c.deadline, CAST(CASE WHEN EXISTS (SELECT 1 FROM hazard_listings l WHERE l.hazard_id = h.id AND l.level = 'city' AND l.closed_at IS NULL) THEN 1 ELSE 0 END AS BIGINT) AS city_listed FROM hazards h JOIN units u ON u.id = h.unit_id JOIN cases c ON c.id = h.case_id WHERE h.level = 'major' AND h.status <> 'closed'",
    );
    if let Some(a) = page.after {
        query = query.push(" AND h.id < ").push_bind(a);
    }
    d.db.read()
        .all(
            query
                .push(" ORDER BY h.id DESC LIMIT ")
                .push_bind(page.limit()),
        )
        .await
}

/// Lists a district's open major hazard for supervision at city level: a listing of
/// level `city` in the district's database, carried out by the district office (which
/// verifies the closure, as for its own listings), a step on the hazard's case and the
/// district's audit entry in one transaction there; then the city's audit entry. A
/// hazard already listed by the city (and not closed) is refused.
pub async fn list_for_city(
    city: &Db,
    d: &District,
    now_ms: i64,
    actor: &Actor,
    id: i64,
    listing: Listing<'_>,
) -> Result<()> {
    may_read(actor)?;
    let today = anjian_core::time::local_date(now_ms).unwrap_or(chrono::NaiveDate::MIN);
    let (leader, note, deadline) = listing.checked(today)?;
    let in_district = actor_in_district(actor);
    let mut tx = d.db.begin().await?;
    let row: Option<(i64, String, String)> = tx
        .opt(q("SELECT h.case_id, h.level, h.status FROM hazards h WHERE h.id = $1").bind(id))
        .await?;
    let (case_id, level, status) = row.ok_or(Error::NotFound)?;
    crate::hazards::listable(&level, &status)?;
    let office: Option<(i64,)> = tx
        .opt(q("SELECT id FROM units WHERE kind = 'committee_office' ORDER BY LENGTH(path), id LIMIT 1"))
        .await?;
    let (office,) = office.ok_or(Error::NotFound)?;
    let listed: Option<(i64,)> = tx
        .opt(
            q("SELECT id FROM hazard_listings WHERE hazard_id = $1 AND level = 'city' AND closed_at IS NULL")
                .bind(id),
        )
        .await?;
    if listed.is_some() {
        return Err(Error::invalid(
            "already_listed",
            "status",
            "该隐患已由市级挂牌督办",
        ));
    }
    tx.execute(
        q("INSERT INTO hazard_listings (id, hazard_id, unit_id, leader, deadline, note, listed_by, listed_at, confirmed_at, level) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $7, 'city')")
            .bind(next_id(now_ms))
            .bind(id)
            .bind(office)
            .bind(leader.as_str())
            .bind(day(deadline))
            .bind(note.as_str())
            .bind(now_ms),
    )
    .await?;
    tx.execute(
        q("UPDATE hazards SET listed = 1, updated_at = $1 WHERE id = $2")
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    let st =
        anjian_core::case::Status::parse(&status).unwrap_or(anjian_core::case::Status::Assigned);
    let what = format!("市级挂牌督办：{leader}，督办期限 {}", day(deadline));
    crate::cases::add_step(
        &mut tx,
        now_ms,
        &in_district,
        crate::cases::CaseStep {
            case_id,
            step: "list",
            from: Some(st),
            to: st,
            note: &what,
        },
    )
    .await?;
    crate::audit::append(
        &mut tx,
        now_ms,
        &in_district,
        crate::audit::Entry::ok("hazard.city_list", "hazard", id).detail(what.clone()),
    )
    .await?;
    tx.commit().await?;
    let mut tx = city.begin().await?;
    crate::audit::append(
        &mut tx,
        now_ms,
        actor,
        crate::audit::Entry::ok("city.list", "hazard", id).detail(format!("{} {what}", d.name)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
