//! Plans and campaigns: a parsed plan stored in one transaction, read back whole with one
//! query per level, and campaigns that run a plan in a year.

use anjian_core::plan::{Duty, KeyTask, Measure, Phase, Plan, WorkItem};
use anjian_core::responsibility::Responsibility;
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use std::collections::HashMap;

use crate::db::{Db, Tx, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::Actor;

/// A campaign: a plan run in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub plan_id: i64,
    pub title: String,
    pub year: i64,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

fn date(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// The ids a stored plan gave its work items and duties, by number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanIds {
    pub plan_id: i64,
    pub work_items: HashMap<u32, i64>,
    pub duties: HashMap<u32, i64>,
}

/// Stores a parsed plan and its duties; returns the plan's id.
pub async fn import(db: &Db, now_ms: i64, actor: &Actor, plan: &Plan) -> Result<i64> {
    let mut tx = db.begin().await?;
    let (ids, e) = import_in(&mut tx, now_ms, plan).await?;
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(ids.plan_id)
}

/// Stores a parsed plan inside the caller's transaction, with its audit entry.
pub(crate) async fn import_in(tx: &mut Tx, now_ms: i64, plan: &Plan) -> Result<(PlanIds, Entry)> {
    let plan_id = next_id(now_ms);
    let mut ids = PlanIds {
        plan_id,
        ..Default::default()
    };
    tx.execute(
        q("INSERT INTO plans (id, title, doc_number, issuers, issued_on, year, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(plan_id)
            .bind(plan.title.as_str())
            .bind(plan.doc_number.as_str())
            .bind(plan.issuers.join("、"))
            .bind(date(plan.issued_on))
            .bind(i64::from(plan.year))
            .bind(now_ms),
    )
    .await?;
    for p in &plan.phases {
        tx.execute(
            q("INSERT INTO plan_phases (id, plan_id, no, title, starts_on, ends_on, text) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(next_id(now_ms))
                .bind(plan_id)
                .bind(i64::from(p.no))
                .bind(p.title.as_str())
                .bind(date(p.starts_on))
                .bind(date(p.ends_on))
                .bind(p.text.as_str()),
        )
        .await?;
    }
    for d in &plan.duties {
        let duty_id = next_id(now_ms);
        ids.duties.insert(d.no, duty_id);
        tx.execute(
            q("INSERT INTO plan_duties (id, plan_id, no, text, responsibility_text, schedule_json, min_count, special_periods, monthly_report) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(duty_id)
                .bind(plan_id)
                .bind(i64::from(d.no))
                .bind(d.text.as_str())
                .bind(d.responsibility_text.as_str())
                .bind(json(&d.schedule))
                .bind(i64::from(d.min_count))
                .bind(i64::from(d.special_periods))
                .bind(i64::from(d.is_monthly_report())),
        )
        .await?;
    }
    for m in &plan.measures {
        let measure_id = next_id(now_ms);
        tx.execute(
            q("INSERT INTO measures (id, plan_id, no, title, content) VALUES ($1, $2, $3, $4, $5)")
                .bind(measure_id)
                .bind(plan_id)
                .bind(i64::from(m.no))
                .bind(m.title.as_str())
                .bind(m.content.as_str()),
        )
        .await?;
        for k in &m.key_tasks {
            let key_task_id = next_id(now_ms);
            tx.execute(
                q("INSERT INTO key_tasks (id, plan_id, measure_id, no, text) VALUES ($1, $2, $3, $4, $5)")
                    .bind(key_task_id)
                    .bind(plan_id)
                    .bind(measure_id)
                    .bind(i64::from(k.no))
                    .bind(k.text.as_str()),
            )
            .await?;
            for w in &k.work_items {
                let item_id = next_id(now_ms);
                ids.work_items.insert(w.no, item_id);
                tx.execute(
                    q("INSERT INTO work_items (id, plan_id, key_task_id, no, text, responsibility_text, lead_json, co_json, invited_json, schedule_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                        .bind(item_id)
                        .bind(plan_id)
                        .bind(key_task_id)
                        .bind(i64::from(w.no))
                        .bind(w.text.as_str())
                        .bind(w.responsibility_text.as_str())
                        .bind(json(&w.responsibility.lead))
                        .bind(json(&w.responsibility.co))
                        .bind(json(&w.responsibility.invited))
                        .bind(json(&w.schedule)),
                )
                .await?;
            }
        }
    }
    let items = plan.work_items().count();
    let e = Entry::ok("plan.import", "plan", plan_id)
        .change(None, Some(plan))
        .detail(format!(
            "{}：{}项措施，{}项工作要点",
            plan.doc_number,
            plan.measures.len(),
            items
        ));
    Ok((ids, e))
}

/// The ids of a stored plan's work items and duties.
pub async fn plan_ids(db: &Db, plan_id: i64) -> Result<PlanIds> {
    let items: Vec<(i64, i64)> = work_item_ids(db, plan_id).await?;
    let duties: Vec<(i64, i64)> = db
        .read()
        .all(q("SELECT no, id FROM plan_duties WHERE plan_id = $1").bind(plan_id))
        .await?;
    Ok(PlanIds {
        plan_id,
        work_items: items.into_iter().map(|(n, id)| (n as u32, id)).collect(),
        duties: duties.into_iter().map(|(n, id)| (n as u32, id)).collect(),
    })
}

/// A campaign to start.
#[derive(Debug, Clone)]
pub struct NewCampaign<'a> {
    pub plan_id: i64,
    pub title: &'a str,
    pub year: i32,
    pub starts_on: NaiveDate,
    /// `None` until the office sets the end (this one ran "until the end of the 20th
    /// Party Congress").
    pub ends_on: Option<NaiveDate>,
}

/// Starts a campaign of a plan.
pub async fn start_campaign(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    new: &NewCampaign<'_>,
) -> Result<Campaign> {
    let mut tx = db.begin().await?;
    let (c, e) = start_campaign_in(&mut tx, now_ms, new).await?;
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(c)
}

/// Starts a campaign inside the caller's transaction, with its audit entry.
pub(crate) async fn start_campaign_in(
    tx: &mut Tx,
    now_ms: i64,
    new: &NewCampaign<'_>,
) -> Result<(Campaign, Entry)> {
    let NewCampaign {
        plan_id,
        title,
        year,
        starts_on,
        ends_on,
    } = new.clone();
    let exists: Option<(i64,)> = tx
        .opt(q("SELECT id FROM plans WHERE id = $1").bind(plan_id))
        .await?;
    if exists.is_none() {
        return Err(Error::NotFound);
    }
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO campaigns (id, plan_id, title, year, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(plan_id)
            .bind(title)
            .bind(i64::from(year))
            .bind(date(Some(starts_on)))
            .bind(date(ends_on))
            .bind(now_ms),
    )
    .await?;
    let e = Entry::ok("campaign.start", "campaign", id).detail(format!("{title}（{year}年）"));
    let c = tx
        .one(
            q("SELECT id, plan_id, title, year, starts_on, ends_on FROM campaigns WHERE id = $1")
                .bind(id),
        )
        .await?;
    Ok((c, e))
}

/// Every campaign, newest first.
pub async fn campaigns(db: &Db) -> Result<Vec<Campaign>> {
    db.read().all(q("SELECT id, plan_id, title, year, starts_on, ends_on FROM campaigns ORDER BY year DESC, id DESC LIMIT 200")).await
}

/// A campaign as the list of campaigns shows it, with its plan's document number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CampaignLine {
    pub id: i64,
    pub plan_id: i64,
    pub title: String,
    pub year: i64,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub doc_number: String,
}

/// Every campaign with its plan's document number, newest first.
pub async fn campaign_lines(db: &Db) -> Result<Vec<CampaignLine>> {
    db.read().all(q("SELECT c.id, c.plan_id, c.title, c.year, c.starts_on, c.ends_on, p.doc_number FROM campaigns c JOIN plans p ON p.id = c.plan_id ORDER BY c.year DESC, c.id DESC LIMIT 200")).await
}

/// One campaign.
pub async fn campaign(db: &Db, id: i64) -> Result<Campaign> {
    db.read()
        .one(
            q("SELECT id, plan_id, title, year, starts_on, ends_on FROM campaigns WHERE id = $1")
                .bind(id),
        )
        .await
}

fn parse_date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

fn names(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// The plan of a campaign, its dates moved to the campaign's year (see
/// [`Plan::rebased`]), with the office's edits of that campaign applied: edited work
/// items read as edited, added ones are in their key task, retired ones are gone.
pub async fn load_for(db: &Db, c: &Campaign) -> Result<Plan> {
    let mut plan = load(db, c.plan_id).await?.rebased(c.year as i32);
    for o in overrides(db, c.id).await? {
        let no = o.no as u32;
        let items = plan
            .measures
            .iter_mut()
            .flat_map(|m| m.key_tasks.iter_mut())
            .find(|k| i64::from(k.no) == o.key_task_no)
            .map(|k| &mut k.work_items);
        let Some(items) = items else {
            continue;
        };
        items.retain(|w| w.no != no);
        if o.retired_reason.is_some() {
            continue;
        }
        let item = o.item();
        let at = items.iter().position(|w| w.no > no).unwrap_or(items.len());
        items.insert(at, item);
    }
    Ok(plan)
}

/// The campaign's plan (as [`load_for`]) and the ids of its work items and duties,
/// including the work items the campaign added.
pub async fn campaign_plan(db: &Db, c: &Campaign) -> Result<(Plan, PlanIds)> {
    let plan = load_for(db, c).await?;
    let mut ids = plan_ids(db, c.plan_id).await?;
    let added: Vec<(i64, i64)> = db
        .read()
        .all(q("SELECT no, id FROM work_items WHERE campaign_id = $1").bind(c.id))
        .await?;
    ids.work_items
        .extend(added.into_iter().map(|(n, id)| (n as u32, id)));
    Ok((plan, ids))
}

/// A campaign's own version of a work item (edited, added or retired).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Override {
    pub work_item_id: i64,
    pub no: i64,
    pub key_task_no: i64,
    pub text: String,
    pub lead_json: String,
    pub co_json: String,
    pub invited_json: String,
    pub schedule_json: String,
    pub retired_reason: Option<String>,
    /// Set when the campaign added the item (after a new directive).
    pub added: i64,
}

impl Override {
    /// The work item as the campaign now has it.
    pub fn item(&self) -> WorkItem {
        let responsibility = Responsibility {
            lead: names(&self.lead_json),
            co: names(&self.co_json),
            invited: names(&self.invited_json),
            notes: Vec::new(),
        };
        WorkItem {
            no: self.no as u32,
            text: self.text.clone(),
            responsibility_text: responsibility_text(&responsibility),
            responsibility,
            schedule: serde_json::from_str(&self.schedule_json).unwrap_or_default(),
        }
    }
}

/// A responsibility written back as the plan's column writes it: leads, then
/// co-responsible units after "，", then "必要时邀请" units after "；".
pub fn responsibility_text(r: &Responsibility) -> String {
    let mut s = r.lead.join("、");
    if !r.co.is_empty() {
        s.push('，');
        s.push_str(&r.co.join("、"));
    }
    if !r.invited.is_empty() {
        s.push_str("；必要时邀请");
        s.push_str(&r.invited.join("、"));
    }
    s
}

/// The campaign's own versions of its work items, by number.
pub async fn overrides(db: &Db, campaign_id: i64) -> Result<Vec<Override>> {
    db.read()
        .all(q("SELECT cw.work_item_id, w.no, k.no AS key_task_no, cw.text, cw.lead_json, cw.co_json, cw.invited_json, cw.schedule_json, cw.retired_reason, CAST(CASE WHEN w.campaign_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS added FROM campaign_work_items cw JOIN work_items w ON w.id = cw.work_item_id JOIN key_tasks k ON k.id = w.key_task_id WHERE cw.campaign_id = $1 ORDER BY w.no").bind(campaign_id))
        .await
}

/// A stored plan read back whole (one query per level).
pub async fn load(db: &Db, plan_id: i64) -> Result<Plan> {
    #[derive(sqlx::FromRow)]
    struct P {
        title: String,
        doc_number: String,
        issuers: String,
        issued_on: Option<String>,
        year: i64,
    }
    let p: P = db
        .read()
        .one(
            q("SELECT title, doc_number, issuers, issued_on, year FROM plans WHERE id = $1")
                .bind(plan_id),
        )
        .await?;
    #[derive(sqlx::FromRow)]
    struct PhaseRow {
        no: i64,
        title: String,
        starts_on: Option<String>,
        ends_on: Option<String>,
        text: String,
    }
    let phases: Vec<PhaseRow> =
        db.read().all(q("SELECT no, title, starts_on, ends_on, text FROM plan_phases WHERE plan_id = $1 ORDER BY no").bind(plan_id)).await?;
    #[derive(sqlx::FromRow)]
    struct DutyRow {
        no: i64,
        text: String,
        responsibility_text: String,
        schedule_json: String,
        min_count: i64,
        special_periods: i64,
    }
    let duties: Vec<DutyRow> =
        db.read().all(q("SELECT no, text, responsibility_text, schedule_json, min_count, special_periods FROM plan_duties WHERE plan_id = $1 ORDER BY no").bind(plan_id)).await?;
    let measures: Vec<(i64, i64, String, String)> = db
        .read()
        .all(
            q("SELECT id, no, title, content FROM measures WHERE plan_id = $1 ORDER BY no")
                .bind(plan_id),
        )
        .await?;
    let tasks: Vec<(i64, i64, i64, String)> = db
        .read()
        .all(
            q("SELECT id, measure_id, no, text FROM key_tasks WHERE plan_id = $1 ORDER BY no")
                .bind(plan_id),
        )
        .await?;
    #[derive(sqlx::FromRow)]
    struct W {
        key_task_id: i64,
        no: i64,
        text: String,
        responsibility_text: String,
        lead_json: String,
        co_json: String,
        invited_json: String,
        schedule_json: String,
    }
    let items: Vec<W> = db
        .read()
        .all(q("SELECT key_task_id, no, text, responsibility_text, lead_json, co_json, invited_json, schedule_json FROM work_items WHERE plan_id = $1 AND campaign_id IS NULL ORDER BY no").bind(plan_id))
        .await?;
    let mut by_task: std::collections::HashMap<i64, Vec<WorkItem>> =
        std::collections::HashMap::new();
    for w in items {
        by_task.entry(w.key_task_id).or_default().push(WorkItem {
            no: w.no as u32,
            text: w.text,
            responsibility: Responsibility {
                lead: names(&w.lead_json),
                co: names(&w.co_json),
                invited: names(&w.invited_json),
                notes: Vec::new(),
            },
            responsibility_text: w.responsibility_text,
            schedule: serde_json::from_str(&w.schedule_json).unwrap_or_default(),
        });
    }
    let mut by_measure: std::collections::HashMap<i64, Vec<KeyTask>> =
        std::collections::HashMap::new();
    for (id, measure_id, no, text) in tasks {
        by_measure.entry(measure_id).or_default().push(KeyTask {
            no: no as u32,
            text,
            work_items: by_task.remove(&id).unwrap_or_default(),
        });
    }
    let duties = duties
        .into_iter()
        .map(|d| Duty {
            no: d.no as u32,
            text: d.text,
            responsibility_text: d.responsibility_text,
            schedule: serde_json::from_str(&d.schedule_json).unwrap_or_default(),
            min_count: d.min_count.clamp(1, 1000) as u32,
            special_periods: d.special_periods != 0,
        })
        .collect();
    let plan = Plan {
        title: p.title,
        doc_number: p.doc_number,
        issuers: p
            .issuers
            .split('、')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        issued_on: parse_date(&p.issued_on),
        year: p.year as i32,
        phases: phases
            .into_iter()
            .map(|r| Phase {
                no: r.no as u32,
                title: r.title,
                starts_on: parse_date(&r.starts_on),
                ends_on: parse_date(&r.ends_on),
                text: r.text,
            })
            .collect(),
        duties,
        measures: measures
            .into_iter()
            .map(|(id, no, title, content)| Measure {
                no: no as u32,
                title,
                content,
                key_tasks: by_measure.remove(&id).unwrap_or_default(),
            })
            .collect(),
    };
    Ok(plan)
}

/// The ids of a plan's own work items by number (not those a campaign added).
pub async fn work_item_ids(db: &Db, plan_id: i64) -> Result<Vec<(i64, i64)>> {
    db.read()
        .all(q("SELECT no, id FROM work_items WHERE plan_id = $1 AND campaign_id IS NULL ORDER BY no").bind(plan_id))
        .await
}

/// The ids of a campaign's work items by number: the plan's and those it added.
pub async fn campaign_item_ids(db: &Db, c: &Campaign) -> Result<Vec<(i64, i64)>> {
    db.read()
        .all(q("SELECT no, id FROM work_items WHERE plan_id = $1 AND (campaign_id IS NULL OR campaign_id = $2) ORDER BY no").bind(c.plan_id).bind(c.id))
        .await
}
