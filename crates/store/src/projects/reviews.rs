//! The (70) 项目审批“回头看” review: "9月底，完成项目审批“回头看”，对发现的落后产能企业坚决一律
//! 取缔。对达不到安全标准的产业项目，不能上马和开工，已经运行的要坚决整改". A unit (the 区发展改革委)
//! opens it over the approved projects it sees; each gets a result with its reason: 合规,
//! 限期整改 (an obligation of the owner and of its sector department, reported and reviewed
//! like any other), or 淘汰取缔 as 落后产能 (the project is closed). Its progress is what
//! item (70) shows.

use anjian_core::project::Verdict;
use anjian_core::time::Moment;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::obligations::{Due, Source};
use crate::scope::{Actor, Scope};

/// The most projects one review covers.
pub const MAX_PROJECTS: usize = 20_000;

/// A review as the API takes it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewReview {
    #[serde(default)]
    pub name: String,
    /// The day it is due (default: 30 September of this year).
    #[serde(default)]
    pub due: String,
    /// The projects it covers (default: every approved, active project in scope).
    #[serde(default)]
    pub projects: Vec<i64>,
}

/// A project's result as the API takes it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ResultInput {
    pub project: Option<i64>,
    /// `compliant`, `rectify` or `eliminate`.
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub reason: String,
    /// For `rectify`: rectify by this day (YYYY-MM-DD).
    #[serde(default)]
    pub due: String,
}

/// Opens a review by the actor's unit (a department or the office). Returns its id.
pub async fn open(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    n: &NewReview,
) -> Result<i64> {
    crate::authz::require(actor, |r| r.can_enforce())?;
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    let name = anjian_core::error::required_text("name", "名称", &n.name, 200)?;
    let due = anjian_core::error::optional_date("due", "完成时限", &n.due)?
        .unwrap_or_else(|| anjian_core::project::review_due(chrono::Datelike::year(&today)));
    if n.projects.len() > MAX_PROJECTS {
        return Err(Error::invalid(
            "too_many",
            "projects",
            format!("一次复核最多{MAX_PROJECTS}个项目"),
        ));
    }
    let mut tx = db.begin().await?;
    let kind: (String,) = tx
        .one(q("SELECT kind FROM units WHERE id = $1").bind(unit))
        .await?;
    if kind.0 != "department" && kind.0 != "committee_office" {
        return Err(Error::Forbidden);
    }
    let mut query = super::visible(
        scope,
        q(
            "SELECT p.id FROM projects p JOIN units o ON o.id = p.owner_id WHERE p.state = 'active' AND EXISTS (SELECT 1 FROM project_steps s WHERE s.project_id = p.id AND s.step = 'approval') AND ",
        ),
    );
    if !n.projects.is_empty() {
        query = query
            .push(" AND p.id IN (")
            .push_list(&n.projects)
            .push(")");
    }
    let ids: Vec<(i64,)> = tx.all(query.push(" ORDER BY p.id LIMIT 20001")).await?;
    if ids.len() > MAX_PROJECTS {
        return Err(Error::invalid(
            "too_many",
            "projects",
            format!("一次复核最多{MAX_PROJECTS}个项目"),
        ));
    }
    if !n.projects.is_empty()
        && ids.len() != {
            let mut asked = n.projects.clone();
            asked.sort_unstable();
            asked.dedup();
            asked.len()
        }
    {
        return Err(Error::invalid(
            "unknown_project",
            "projects",
            "所列项目不存在、不在您的范围内或尚未审批",
        ));
    }
    if ids.is_empty() {
        return Err(Error::invalid(
            "no_projects",
            "projects",
            "范围内没有已审批的项目可复核",
        ));
    }
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO project_reviews (id, name, unit_id, due_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(name.as_str())
            .bind(unit)
            .bind(day(due))
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    let rows: Vec<Vec<crate::db::Arg>> = ids
        .iter()
        .map(|(p,)| vec![id.into(), (*p).into()])
        .collect();
    for chunk in rows.chunks(500) {
        tx.execute(crate::db::insert_rows(
            "INSERT INTO project_review_items (review_id, project_id) VALUES ",
            chunk,
        ))
        .await?;
    }
    let entry = Entry::ok("project_review.open", "project_review", id).detail(format!(
        "{name}：{}个项目，{}前完成",
        ids.len(),
        day(due)
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// Records the result for one project of review `id` (the reviewing unit's, or the
/// office's): once (a second answer is 409).
pub async fn decide(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    r: &ResultInput,
) -> Result<()> {
    crate::authz::require(actor, |r| r.can_enforce())?;
    let project = r
        .project
        .ok_or_else(|| Error::invalid("required", "project", "请选择项目"))?;
    let verdict = Verdict::parse(&r.result)?;
    let reason = anjian_core::error::required_paragraphs("reason", "理由", &r.reason, 1000)?;
    let due = match verdict {
        Verdict::Rectify => {
            let d = anjian_core::error::required_date("due", "整改期限", &r.due)?;
            if d < today {
                return Err(Error::invalid("past_due", "due", "整改期限不能早于今天"));
            }
            Some(d)
        }
        _ => None,
    };
    let mut tx = db.begin().await?;
    let review: Option<(i64, String)> = tx
        .opt(
            reviewer(scope, q("SELECT r.unit_id, r.name FROM project_reviews r JOIN units ru ON ru.id = r.unit_id WHERE "), actor)
                .push(" AND r.id = ")
                .push_bind(id),
        )
        .await?;
    let Some((_, review_name)) = review else {
        return Err(Error::NotFound);
    };
    let item: Option<(Option<String>, String, i64, i64)> = tx
        .opt(q("SELECT i.result, p.name, p.owner_id, p.sector_id FROM project_review_items i JOIN projects p ON p.id = i.project_id WHERE i.review_id = $1 AND i.project_id = $2").bind(id).bind(project))
        .await?;
    let Some((None, project_name, owner, sector)) = item else {
        return match item {
            Some(_) => Err(Error::conflict(
                "result_recorded",
                "project",
                "该项目的复核结论已登记",
            )),
            None => Err(Error::invalid(
                "unknown_project",
                "project",
                "该项目不在本次复核中",
            )),
        };
    };
    let changed = tx
        .execute(
            q("UPDATE project_review_items SET result = $1, reason = $2, decided_on = $3 WHERE review_id = $4 AND project_id = $5 AND result IS NULL")
                .bind(verdict.as_str())
                .bind(reason.as_str())
                .bind(day(today))
                .bind(id)
                .bind(project),
        )
        .await?;
    if changed == 0 {
        return Err(Error::conflict(
            "result_recorded",
            "project",
            "该项目的复核结论已登记",
        ));
    }
    match verdict {
        Verdict::Eliminate => {
            tx.execute(
                q("UPDATE projects SET state = 'eliminated', updated_at = $1 WHERE id = $2 AND state = 'active'")
                    .bind(now_ms)
                    .bind(project),
            )
            .await?;
        }
        Verdict::Rectify => {
            // The owner rectifies; the department of its sector sees it done.
            let dept: Option<(i64,)> = tx
                .opt(q("SELECT COALESCE((SELECT e.supervisor_id FROM enterprises e WHERE e.unit_id = $2), (SELECT u.id FROM units u JOIN unit_sectors us ON us.unit_id = u.id WHERE us.sector_id = $1 AND u.kind = 'department' AND u.active = 1 ORDER BY u.depth, u.id LIMIT 1))").bind(sector).bind(owner))
                .await?;
            let on = due.unwrap_or(today);
            let mut owed = vec![owner];
            owed.extend(dept.map(|(d,)| d));
            owed.dedup();
            for unit in owed {
                crate::obligations::owe(
                    &mut tx,
                    now_ms,
                    Source::Project(project),
                    Due { unit, on },
                    format!("项目审批“回头看”限期整改：{project_name}（{reason}）"),
                )
                .await?;
            }
        }
        Verdict::Compliant => {}
    }
    let entry = Entry::ok("project_review.result", "project", project)
        .change(None, Some(verdict.as_str()))
        .detail(format!(
            "{review_name}：{project_name} {}（{reason}）",
            verdict.label()
        ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// Reviews `actor` decides (as `r` joined to its unit `ru`): its own unit's, or any
/// for the office.
fn reviewer(scope: &Scope, query: crate::db::Q, actor: &Actor) -> crate::db::Q {
    match scope {
        Scope::All => query.push("1 = 1"),
        _ => query
            .push("r.unit_id = ")
            .push_bind(actor.unit_id.unwrap_or(0)),
    }
}

/// A review with its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ReviewRow {
    pub id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub due_on: String,
    pub projects: i64,
    pub decided: i64,
    pub rectify: i64,
    pub eliminate: i64,
}

const ROW: &str = "SELECT r.id, r.name, r.unit_id, ru.name AS unit_name, r.due_on, CAST(COUNT(i.project_id) AS BIGINT) AS projects, CAST(COUNT(i.result) AS BIGINT) AS decided, CAST(SUM(CASE WHEN i.result = 'rectify' THEN 1 ELSE 0 END) AS BIGINT) AS rectify, CAST(SUM(CASE WHEN i.result = 'eliminate' THEN 1 ELSE 0 END) AS BIGINT) AS eliminate FROM project_reviews r JOIN units ru ON ru.id = r.unit_id LEFT JOIN project_review_items i ON i.review_id = r.id WHERE ";

/// The reviews in scope (their unit is), newest first (by id), a page at a time.
pub async fn list(db: &Db, scope: &Scope, page: crate::paging::Page) -> Result<Vec<ReviewRow>> {
    let mut query = scope.units(q(ROW), "ru");
    if let Some(a) = page.after {
        query = query.push(" AND r.id < ").push_bind(a);
    }
    db.read()
        .all(
            query
                .push(" GROUP BY r.id, r.name, r.unit_id, ru.name, r.due_on ORDER BY r.id DESC LIMIT ")
                .push_bind(page.limit()),
        )
        .await
}

/// A project of a review with its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ItemRow {
    pub project_id: i64,
    pub project_name: String,
    pub owner_name: String,
    pub flags: String,
    pub result: Option<String>,
    pub reason: Option<String>,
    pub decided_on: Option<String>,
}

impl ItemRow {
    /// The result's Chinese name (待复核 while there is none).
    pub fn result_label(&self) -> &'static str {
        Verdict::label_of(self.result.as_deref())
    }
}

/// A review with its projects.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewDetail {
    #[serde(flatten)]
    pub review: ReviewRow,
    pub items: Vec<ItemRow>,
}

/// One review in scope with its projects, newest first, a page at a time (`page.after`
/// is the last project of the previous page).
pub async fn get(
    db: &Db,
    scope: &Scope,
    id: i64,
    page: crate::paging::Page,
) -> Result<ReviewDetail> {
    let review: ReviewRow = db
        .read()
        .opt(
            scope
                .units(q(ROW), "ru")
                .push(" AND r.id = ")
                .push_bind(id)
                .push(" GROUP BY r.id, r.name, r.unit_id, ru.name, r.due_on"),
        )
        .await?
        .ok_or(Error::NotFound)?;
    let mut query = q("SELECT p.id AS project_id, p.name AS project_name, o.name AS owner_name, p.flags, i.result, i.reason, i.decided_on FROM project_review_items i JOIN projects p ON p.id = i.project_id JOIN units o ON o.id = p.owner_id WHERE i.review_id = ")
        .push_bind(id);
    if let Some(b) = page.after {
        query = query.push(" AND p.id < ").push_bind(b);
    }
    let items = db
        .read()
        .all(
            query
                .push(" ORDER BY p.id DESC LIMIT ")
                .push_bind(page.limit()),
        )
        .await?;
    Ok(ReviewDetail { review, items })
}
