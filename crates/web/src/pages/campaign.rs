//! The campaign at a glance: the plan as a tree (measure → key task → work item) with
//! completion of what is due so far, a work item's units, and on-time rates per unit.
//! Every figure is counted over the viewer's scope.

use std::collections::HashMap;

use anjian_core::plan::chinese_numeral;
use anjian_store::obligations::{self, Counts};
use anjian_store::plans;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::Layout;
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render};
use crate::input::path_id;

/// A work item's line.
pub struct ItemLine {
    pub no: u32,
    pub text: String,
    pub who: String,
    /// Everything the item's units owe in scope, due or not.
    pub total: i64,
    /// 已修改 / 新增 when the office edited or added the item in this campaign.
    pub mark: &'static str,
    /// A leaders' own routine, counted by a post's quota in the duty records.
    pub by_quota: bool,
    /// A daily duty, counted by daily entries (`/daily`) rather than reported.
    pub daily: bool,
    pub due: i64,
    pub done: i64,
    pub overdue: i64,
    pub percent: i64,
    /// What the records of measures 七–九 say of the item (`core::records`).
    pub record: Option<String>,
}

/// A key task with its items.
pub struct TaskLine {
    pub no: u32,
    pub text: String,
    pub items: Vec<ItemLine>,
}

/// A measure with its tasks.
pub struct MeasureLine {
    pub numeral: String,
    pub title: String,
    /// Its items' work done, of obligations due and of the records that measure work;
    /// none when nothing is due yet.
    pub percent: Option<i64>,
    pub overdue: i64,
    pub key_tasks: Vec<TaskLine>,
}

/// The campaign page.
#[derive(Template)]
#[template(path = "campaign.html")]
pub struct CampaignPage {
    pub layout: Option<Layout>,
    pub id: i64,
    pub title: String,
    pub doc_number: String,
    pub year: i64,
    pub window: String,
    pub today: String,
    pub scope_label: &'static str,
    pub phases: Vec<String>,
    pub measures: Vec<MeasureLine>,
    pub office: bool,
    pub flash: Option<&'static str>,
}

/// The page's query: a confirmation after the editor.
#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    ok: String,
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        format!("{}…", s.chars().take(n).collect::<String>())
    } else {
        s.to_string()
    }
}

/// GET /campaigns/{id}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    super::PageQuery(query): super::PageQuery<ShowQuery>,
) -> Result<Response, PageError> {
    let (c, plan, counts) = tree(&state, &u, path_id(&id)?).await?;
    let marks = anjian_store::plan_editor::marks(&state.db, c.id).await?;
    let routines = anjian_store::expansion::leaders_routines(&state.db, &plan).await?;
    let today = state.today();
    let of = |no: u32| counts.get(&no).cloned().unwrap_or_default();
    let figures = anjian_store::records::figures(&state.db, &u.scope()).await?;
    let measures = plan
        .measures
        .iter()
        .map(|m| {
            let mut sum = Counts::default();
            let (mut record_done, mut record_total) = (0, 0);
            let key_tasks = m
                .key_tasks
                .iter()
                .map(|k| TaskLine {
                    no: k.no,
                    text: short(&k.text, 80),
                    items: k
                        .work_items
                        .iter()
                        .map(|w| {
                            let n = of(w.no);
                            let record = anjian_core::records::of(&w.text).map(|r| figures.line(r));
                            if let Some((d, t)) = record.as_ref().and_then(|l| l.progress) {
                                record_done += d.min(t);
                                record_total += t;
                            }
                            sum.due += n.due;
                            sum.accepted += n.accepted;
                            sum.done_late += n.done_late;
                            sum.waived += n.waived;
                            sum.overdue += n.overdue;
                            ItemLine {
                                no: w.no,
                                text: short(&w.text, 60),
                                who: short(&w.responsibility_text, 40),
                                total: n.total,
                                mark: marks.get(&w.no).copied().unwrap_or(""),
                                by_quota: routines.contains(&w.no),
                                daily: w.schedule.iter().any(anjian_core::daily::is_daily),
                                due: n.due,
                                done: n.done(),
                                overdue: n.overdue,
                                percent: n.completion_percent(),
                                record: record.map(|l| l.text),
                            }
                        })
                        .collect(),
                })
                .collect();
            MeasureLine {
                numeral: chinese_numeral(m.no),
                title: m.title.clone(),
                percent: {
                    let due = sum.due + record_total;
                    (due > 0).then(|| (sum.done().min(sum.due) + record_done) * 100 / due)
                },
                overdue: sum.overdue,
                key_tasks,
            }
        })
        .collect();
    Ok(render(&CampaignPage {
        layout: Layout::of(&u),
        id: c.id,
        title: c.title.clone(),
        doc_number: plan.doc_number.clone(),
        year: c.year,
        window: format!(
            "{} 至 {}",
            c.starts_on,
            c.ends_on.clone().unwrap_or_else(|| "结束日待定".into())
        ),
        today: today.format("%Y-%m-%d").to_string(),
        scope_label: if u.role().sees_everything() {
            "全区"
        } else {
            "本单位数据范围"
        },
        phases: plan
            .phases
            .iter()
            .map(|p| {
                let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.format("%Y-%m-%d").to_string());
                format!(
                    "（{}）{}：{} 至 {}",
                    chinese_numeral(p.no),
                    p.title,
                    d(p.starts_on).unwrap_or_else(|| "即日起".into()),
                    d(p.ends_on).unwrap_or_else(|| "专项行动结束".into())
                )
            })
            .collect(),
        measures,
        office: u.role().can_run_campaigns(),
        flash: match query.ok.as_str() {
            "retired" => Some("已撤销该工作要点：各单位未办结的应办事项已豁免并注明理由"),
            _ => None,
        },
    }))
}

/// A campaign, its plan, and each work item's counts (by number) over the scope.
async fn tree(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: i64,
) -> Result<
    (
        plans::Campaign,
        anjian_core::plan::Plan,
        HashMap<u32, Counts>,
    ),
    PageError,
> {
    let c = plans::campaign(&state.db, id).await?;
    let plan = plans::load_for(&state.db, &c).await?;
    let ids = plans::campaign_item_ids(&state.db, &c).await?;
    let mut counts = obligations::item_counts(&state.db, &u.scope(), c.id, state.today()).await?;
    let by_no = ids
        .into_iter()
        .filter_map(|(no, id)| counts.remove(&id).map(|n| (no as u32, n)))
        .collect();
    Ok((c, plan, by_no))
}

/// GET /campaigns/{id}/export.xlsx: the campaign's work items with their figures.
pub async fn export(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (_, plan, counts) = tree(&state, &u, path_id(&id)?).await?;
    let mut rows = Vec::new();
    for m in &plan.measures {
        for k in &m.key_tasks {
            for w in &k.work_items {
                let n = counts.get(&w.no).cloned().unwrap_or_default();
                rows.push(vec![
                    format!("{}、{}", chinese_numeral(m.no), m.title),
                    format!("{}. {}", k.no, k.text),
                    format!("（{}）{}", w.no, w.text),
                    w.responsibility_text.clone(),
                    n.due.to_string(),
                    n.done().to_string(),
                    n.overdue.to_string(),
                    format!("{}%", n.completion_percent()),
                ]);
            }
        }
    }
    super::xlsx_response(
        "专项行动进度",
        &[
            "措施",
            "重点任务",
            "工作要点",
            "责任单位",
            "到期应办",
            "已办",
            "逾期",
            "完成率",
        ],
        &rows,
        "专项行动进度.xlsx",
        &u.unit_name,
    )
}

/// A unit's line in a rates table.
pub struct RateLine {
    pub unit: String,
    pub role: &'static str,
    pub due: i64,
    pub done: i64,
    pub submitted: i64,
    pub overdue: i64,
    pub rate: String,
}

/// Per-unit figures of a campaign or of one work item.
#[derive(Template)]
#[template(path = "unit_rates.html")]
pub struct RatesPage {
    pub layout: Option<Layout>,
    pub id: i64,
    pub title: String,
    pub heading: String,
    pub item_text: Option<String>,
    pub today: String,
    /// The same table as .xlsx.
    pub export: String,
    pub rows: Vec<RateLine>,
    /// The work item's number, schedule in words and history (its page only).
    pub item_no: Option<u32>,
    pub schedule_words: String,
    pub history: Vec<HistoryRow>,
    /// What the records of measures 七–九 say of the item, if it names such a duty.
    pub record: Option<String>,
    pub office: bool,
    pub flash: Option<&'static str>,
}

/// A line of a work item's history.
pub struct HistoryRow {
    pub at: String,
    pub who: String,
    pub action: &'static str,
    pub reason: String,
    pub summary: String,
}

/// A rates table: the campaign, its heading, the item's text and the rows.
struct Rates {
    campaign: plans::Campaign,
    heading: String,
    item_text: Option<String>,
    schedule_words: String,
    today: chrono::NaiveDate,
    rows: Vec<RateLine>,
}

/// Per-unit figures of a campaign, or of one work item, over the viewer's scope.
async fn rate_rows(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    campaign: i64,
    item_no: Option<i64>,
) -> Result<Rates, PageError> {
    let c = plans::campaign(&state.db, campaign).await?;
    let today = state.today();
    let (item, heading, item_text, schedule_words) = match item_no {
        Some(no) => {
            let ids = plans::campaign_item_ids(&state.db, &c).await?;
            let id = ids
                .iter()
                .find(|(n, _)| *n == no)
                .map(|(_, id)| *id)
                .ok_or_else(Problem::not_found)?;
            let plan = plans::load_for(&state.db, &c).await?;
            let w = plan.work_items().find(|w| i64::from(w.no) == no);
            let text = w.map(|w| format!("{}（责任单位：{}）", w.text, w.responsibility_text));
            let words = w
                .map(|w| anjian_core::plan::describe(&w.schedule))
                .unwrap_or_else(|| "已撤销".into());
            (
                Some(id),
                format!("工作要点（{no}）各单位完成情况"),
                text,
                words,
            )
        }
        None => (None, "各单位按时完成率".to_string(), None, String::new()),
    };
    let rows = obligations::unit_counts(&state.db, &u.scope(), c.id, item, today).await?;
    Ok(Rates {
        campaign: c,
        heading,
        item_text,
        schedule_words,
        today,
        rows: rows
            .into_iter()
            .map(|(_, unit, role, n)| RateLine {
                unit,
                role: if item.is_none() {
                    ""
                } else {
                    match role.as_str() {
                        "lead" => "牵头",
                        "co" => "配合",
                        _ => "邀请",
                    }
                },
                due: n.due,
                done: n.done(),
                submitted: n.submitted,
                overdue: n.overdue,
                rate: anjian_core::obligation::percent_label(n.on_time_percent()),
            })
            .collect(),
    })
}

async fn rates(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    campaign: i64,
    item_no: Option<i64>,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let r = rate_rows(state, u, campaign, item_no).await?;
    let history = match item_no {
        Some(no) => anjian_store::plan_editor::history(&state.db, &r.campaign, no as u32)
            .await?
            .into_iter()
            .map(|h| HistoryRow {
                at: anjian_core::time::format_local(h.at),
                action: h.action_label(),
                who: h.username,
                reason: h.reason,
                summary: h.summary,
            })
            .collect(),
        None => Vec::new(),
    };
    let record = match r.item_text.as_deref().and_then(anjian_core::records::of) {
        Some(rec) => Some(
            anjian_store::records::figures(&state.db, &u.scope())
                .await?
                .line(rec)
                .text,
        ),
        None => None,
    };
    let export = match item_no {
        Some(no) => format!("/campaigns/{campaign}/items/{no}/export.xlsx"),
        None => format!("/campaigns/{campaign}/units.xlsx"),
    };
    Ok(render(&RatesPage {
        layout: Layout::of(u),
        id: r.campaign.id,
        title: r.campaign.title.clone(),
        heading: r.heading,
        item_text: r.item_text,
        today: r.today.format("%Y-%m-%d").to_string(),
        export,
        rows: r.rows,
        item_no: item_no.map(|n| n as u32),
        schedule_words: r.schedule_words,
        history,
        record,
        office: u.role().can_run_campaigns(),
        flash,
    }))
}

async fn rates_export(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    campaign: i64,
    item_no: Option<i64>,
) -> Result<Response, PageError> {
    let r = rate_rows(state, u, campaign, item_no).await?;
    let rows: Vec<Vec<String>> = r
        .rows
        .into_iter()
        .map(|l| {
            vec![
                l.unit,
                l.role.to_string(),
                l.due.to_string(),
                l.done.to_string(),
                l.submitted.to_string(),
                l.overdue.to_string(),
                l.rate,
            ]
        })
        .collect();
    let file = match item_no {
        Some(no) => format!("工作要点（{no}）各单位完成情况.xlsx"),
        None => "各单位按时完成率.xlsx".to_string(),
    };
    super::xlsx_response(
        &r.heading,
        &["单位", "责任", "应办", "已办", "待审核", "逾期", "按时率"],
        &rows,
        &file,
        &u.unit_name,
    )
}

/// GET /campaigns/{id}/units.xlsx: the on-time rates as a sheet.
pub async fn units_export(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    rates_export(&state, &u, path_id(&id)?, None).await
}

/// GET /campaigns/{id}/items/{no}/export.xlsx: a work item's units as a sheet.
pub async fn item_export(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, no)): Path<(String, String)>,
) -> Result<Response, PageError> {
    rates_export(&state, &u, path_id(&id)?, Some(path_id(&no)?)).await
}

/// GET /campaigns/{id}/units.
pub async fn units(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    rates(&state, &u, path_id(&id)?, None, None).await
}

/// GET /campaigns/{id}/items/{no}.
pub async fn item(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, no)): Path<(String, String)>,
    super::PageQuery(query): super::PageQuery<ShowQuery>,
) -> Result<Response, PageError> {
    let flash = (query.ok == "edited")
        .then_some("已保存：各相关单位的应办事项已按修改后的要求调整，已报送的保留");
    rates(&state, &u, path_id(&id)?, Some(path_id(&no)?), flash).await
}
