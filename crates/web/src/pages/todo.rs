//! The to-do list: what the user's unit owes (overdue, returned, due within two weeks);
//! for the office, the district's overdue list.

use anjian_core::obligation::State;
use anjian_core::responsibility::Part;
use anjian_store::obligations::{self, ObligationFilter, ObligationRow};
use askama::Template;
use axum::extract::State as AxumState;
use axum::response::Response;
use chrono::{Duration, NaiveDate};

use super::{Layout, Notice, PageForm, PageQuery};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render};

/// A row of the to-do list.
#[derive(Clone)]
pub struct TodoRow {
    pub id: i64,
    /// Rows fold by this: the assignment, or (a case's deadline) the row itself.
    pub group: i64,
    /// Where the row leads: the obligation's page, or its case's.
    pub href: String,
    pub due_on: String,
    /// Rows of the same duty folded into this one (a daily duty's missed days): how
    /// many, and the last one's due date.
    pub count: usize,
    pub last_due_on: String,
    pub label: String,
    pub work_item_no: Option<i64>,
    pub title: String,
    pub unit: String,
    pub role: &'static str,
    pub state: String,
    pub state_label: &'static str,
}

impl From<ObligationRow> for TodoRow {
    fn from(r: ObligationRow) -> Self {
        // A work item's or a duty's text is the task, its label the period; what is
        // owed for a tip, an accident, a warning or a bulletin says it in its label.
        let (title, label) = match (r.case_id, r.work_item_text.or(r.duty_text)) {
            (Some(_), _) => (r.label, "整改时限".to_string()),
            (None, Some(task)) => (task, r.label),
            (None, None) => (r.label, String::new()),
        };
        TodoRow {
            id: r.id,
            group: r.assignment_id.unwrap_or(-r.id),
            href: match r.case_id {
                Some(c) => format!("/cases/{c}"),
                None => format!("/obligations/{}", r.id),
            },
            count: 1,
            last_due_on: r.due_on.clone(),
            due_on: r.due_on,
            label,
            work_item_no: r.work_item_no,
            title: if title.chars().count() > 60 {
                format!("{}…", title.chars().take(60).collect::<String>())
            } else {
                title
            },
            unit: r.unit_name,
            role: Part::parse(&r.role).map(Part::label).unwrap_or("邀请"),
            state_label: State::parse(&r.state).map(|s| s.label()).unwrap_or("—"),
            state: r.state,
        }
    }
}

/// The shape of a period label with its numbers taken out ("2022-08-09" and
/// "2022-08-10" share one; a week "8月8日至8月14日" has another), so that one work
/// item's daily and weekly instances fold apart.
fn label_shape(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl TodoRow {
    /// The row as sheet cells: 到期日, 周期 (or the folded count), 序号, 事项, 单位, 责任, 状态.
    pub fn cells(self) -> Vec<String> {
        vec![
            self.due_on,
            if self.count > 1 {
                format!("共{}项，至{}", self.count, self.last_due_on)
            } else {
                self.label
            },
            self.work_item_no
                .map(|n| format!("（{n}）"))
                .unwrap_or_default(),
            self.title,
            self.unit,
            self.role.to_string(),
            self.state_label.to_string(),
        ]
    }
}

/// Folds the rows of one assignment and period into its first (earliest) row, keeping
/// the order: a daily duty missed for 60 days is one line "共60项", not 60 lines. Stops
/// at `lines` lines, before the first row that would open one more; returns the lines
/// and how many rows they hold, so that the next page starts after the last of them
/// and no row is shown twice.
pub fn fold(rows: Vec<TodoRow>, lines: usize) -> (Vec<TodoRow>, usize) {
    let mut out: Vec<TodoRow> = Vec::new();
    let mut at: std::collections::HashMap<(i64, String), usize> = std::collections::HashMap::new();
    let mut taken = 0;
    for r in rows {
        let key = (r.group, label_shape(&r.label));
        match at.get(&key) {
            Some(&i) => {
                out[i].count += 1;
                out[i].last_due_on = r.due_on;
            }
            None if out.len() == lines => break,
            None => {
                at.insert(key, out.len());
                out.push(r);
            }
        }
        taken += 1;
    }
    (out, taken)
}

/// How many lines a page of a unit's own section shows (each may fold many rows).
const UNIT_LINES: usize = 100;

/// How many reports to review a page of the queue holds, for the office and a lead
/// unit alike: a review pass decides at most [`REVIEW_PASS`] of them.
const REVIEW_PAGE: i64 = 100;

/// The most decisions one review pass reads.
const REVIEW_PASS: usize = 201;

/// A section of the to-do list.
pub struct Section {
    pub title: &'static str,
    /// Its HTML id, and its name in the `show` filter.
    pub id: &'static str,
    pub rows: Vec<TodoRow>,
    /// The next page's link when the section was cut at its page size.
    pub next: Option<String>,
}

/// The sections the to-do page may be narrowed to (`show`), with their labels.
pub const SHOWN: [(&str, &str); 4] = [
    ("to-review", "待审核"),
    ("overdue", "已逾期"),
    ("returned", "已退回"),
    ("due-soon", "两周内到期"),
];

/// A reminder as the to-do page lists it.
pub struct ReminderLine {
    pub obligation_id: i64,
    pub kind: &'static str,
    pub due_on: String,
    /// The task it reminds of.
    pub task: String,
}

/// The to-do page.
#[derive(Template)]
#[template(path = "todo.html")]
pub struct TodoPage {
    pub layout: Option<Layout>,
    pub who: String,
    pub today: String,
    pub sections: Vec<Section>,
    pub reminders: Vec<ReminderLine>,
    /// The latest notices to the user's unit (a flagged project, a finding).
    pub notices: Vec<anjian_store::notices::NoticeRow>,
    /// The reports to review, by work item, each with the text sent.
    pub queue: Vec<ReviewGroup>,
    /// How many reports the queue holds.
    pub queued: usize,
    /// The queue's next page.
    pub queue_next: Option<String>,
    /// Whether the queue is shown alone (it then shows even when empty).
    pub shown: bool,
    /// The parts a row may be filtered by: stored name, label.
    pub parts: [(&'static str, &'static str); 4],
    /// The units the office may narrow the lists to (none for a unit).
    pub units: Vec<(i64, String)>,
    /// The filters in force.
    pub narrow: Narrow,
    /// A refused review pass's fields (each report's decision and reason), so that
    /// the choices come back as they were made.
    pub kept: Vec<(String, String)>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl TodoPage {
    fn kept(&self, name: &str) -> &str {
        self.kept
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether the refused pass chose `decision` for report `id`.
    pub fn chose(&self, id: &i64, decision: &str) -> bool {
        self.kept(&format!("d{id}")) == decision
    }

    /// The reason the refused pass gave for returning report `id`.
    pub fn reason(&self, id: &i64) -> &str {
        self.kept(&format!("r{id}"))
    }
}

/// The reports waiting for review on one work item (or one duty), reviewed in one pass.
pub struct ReviewGroup {
    pub title: String,
    pub work_item_no: Option<i64>,
    pub rows: Vec<(TodoRow, String)>,
}

/// Groups the review section's rows by their work item (or title), in order of first
/// appearance, each with its latest report's text.
fn queue(rows: &[TodoRow], texts: &std::collections::HashMap<i64, String>) -> Vec<ReviewGroup> {
    let mut groups: Vec<ReviewGroup> = Vec::new();
    for r in rows {
        let text = texts.get(&r.id).cloned().unwrap_or_default();
        match groups
            .iter_mut()
            .find(|g| g.work_item_no == r.work_item_no && g.title == r.title)
        {
            Some(g) => g.rows.push((r.clone(), text)),
            None => groups.push(ReviewGroup {
                title: r.title.clone(),
                work_item_no: r.work_item_no,
                rows: vec![(r.clone(), text)],
            }),
        }
    }
    groups
}

/// The to-do page's filters: a section, a unit (the office), a due date, a part, a work
/// item, words; and the page (`after`, the last row's `due_on,id` of the section shown).
#[derive(serde::Deserialize, Default, Clone)]
pub struct Narrow {
    pub ok: Option<String>,
    pub show: Option<String>,
    pub unit: Option<String>,
    /// YYYY-MM-DD: only what is due on or before this day.
    pub due: Option<String>,
    pub part: Option<String>,
    pub item: Option<String>,
    pub q: Option<String>,
    pub after: Option<String>,
}

use crate::input::filled;

impl Narrow {
    fn unit(&self) -> Result<Option<i64>, Problem> {
        filled(&self.unit)
            .map(|s| {
                s.parse::<i64>()
                    .map_err(|_| Problem::bad_field("invalid_unit", "unit", "请选择单位"))
            })
            .transpose()
    }

    fn item(&self) -> Result<Option<i64>, Problem> {
        let n = filled(&self.item)
            .map(|s| {
                s.parse::<i64>().map_err(|_| {
                    Problem::bad_field("invalid_item", "item", "工作要点序号应为1至999的整数")
                })
            })
            .transpose()?;
        crate::shared::obligations::item_no(n)
    }

    fn search(&self) -> Option<String> {
        anjian_core::error::search_term(self.q.as_deref(), 50)
    }

    /// The section shown alone, if one is chosen.
    fn show(&self) -> Result<Option<&'static str>, Problem> {
        filled(&self.show)
            .map(|s| {
                SHOWN
                    .iter()
                    .find(|(id, _)| *id == s)
                    .map(|(id, _)| *id)
                    .ok_or_else(|| Problem::bad_field("invalid_show", "show", "请选择类别"))
            })
            .transpose()
    }

    /// The day after the last due day asked for (the store's bound is exclusive).
    fn due_before(&self) -> Result<Option<NaiveDate>, Problem> {
        filled(&self.due)
            .map(|s| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(|d| d + Duration::days(1))
                    .map_err(|_| {
                        Problem::bad_field(
                            "invalid_date",
                            "due",
                            "到期日应为 YYYY-MM-DD 格式的日期",
                        )
                    })
            })
            .transpose()
    }

    fn part(&self) -> Result<Option<Part>, Problem> {
        crate::shared::obligations::part(self.part.as_deref())
    }

    fn after(&self) -> Result<Option<(NaiveDate, i64)>, Problem> {
        crate::shared::obligations::after_key(self.after.as_deref())
    }

    /// Whether any filter is set (the page then says how to clear them).
    pub fn any(&self) -> bool {
        [
            &self.show, &self.unit, &self.due, &self.part, &self.item, &self.q,
        ]
        .iter()
        .any(|v| filled(v).is_some())
    }

    /// The link to the filters' section `show` after the row `after`.
    fn link(&self, show: &str, after: &str) -> String {
        crate::input::link_with(
            "/todo",
            &[
                ("unit", self.unit.as_deref()),
                ("due", self.due.as_deref()),
                ("part", self.part.as_deref()),
                ("item", self.item.as_deref()),
                ("q", self.q.as_deref()),
                ("show", Some(show)),
                ("after", Some(after)),
            ],
        )
    }
}

/// The sections of the to-do list for a user on the clock's day, narrowed by `n`; a
/// unit's own sections show up to `lines` folded lines each.
async fn sections(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    n: &Narrow,
    lines: usize,
) -> Result<Vec<Section>, PageError> {
    let today = anjian_core::time::local_date(state.now()).unwrap_or_default();
    let scope = u.scope();
    let office = u.role().sees_everything();
    // A unit's lists are its own; the office may narrow the district's to one unit.
    let unit = if office { n.unit()? } else { Some(u.unit_id) };
    let (work_item_no, search, part) = (n.item()?, n.search(), n.part()?);
    let (show, due_before, after) = (n.show()?, n.due_before()?, n.after()?);
    // A page is a section shown alone: `after` reads only with `show`.
    let after = after.filter(|_| show.is_some());
    // A unit's lists read up to 1,000 rows and fold each duty's rows into one line (a
    // page shows `lines` of them); the office's district-wide lists show 100 rows a page
    // as they are, and the reports to review, 100 a page for everyone.
    let limit = if office { 100 } else { 1000 };
    let f = |state: State, before: Option<NaiveDate>| ObligationFilter {
        unit,
        state: Some(state),
        due_before: match (before, due_before) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        },
        work_item_no,
        search: search.clone(),
        part,
        after,
        limit,
        ..Default::default()
    };
    let list = |title: &'static str, id: &'static str, f: ObligationFilter| {
        let (db, scope) = (&state.db, &scope);
        async move {
            let rows = obligations::list(db, scope, today, &f).await?;
            let keys: Vec<String> = rows
                .iter()
                .map(|r| format!("{},{}", r.due_on, r.id))
                .collect();
            let rows = rows.into_iter().map(TodoRow::from).collect::<Vec<_>>();
            // Reports to review are each decided on their own, so they never fold.
            let (rows, taken) = if office || id == "to-review" {
                let n = rows.len();
                (rows, n)
            } else {
                fold(rows, lines)
            };
            // The next page starts after the last row shown: cut at the page's lines,
            // or at the rows read.
            let next = if taken < keys.len() {
                taken.checked_sub(1).and_then(|i| keys.get(i))
            } else if keys.len() as i64 == f.limit {
                keys.last()
            } else {
                None
            }
            .map(|key| n.link(id, key));
            Ok::<_, PageError>(Section {
                title,
                id,
                rows,
                next,
            })
        }
    };
    let wanted = |id: &str| show.is_none_or(|s| s == id);
    let mut sections = Vec::new();
    // Reports waiting for this user's review come first: the office reviews every
    // unit's; a unit reviews the co-responsible units' reports on the items it leads.
    if wanted("to-review") {
        let review = list(
            "待审核的报送",
            "to-review",
            ObligationFilter {
                unit: if office { unit } else { None },
                reviewer: if office { None } else { unit },
                limit: REVIEW_PAGE,
                ..f(State::Submitted, None)
            },
        )
        .await?;
        if office || !review.rows.is_empty() || show.is_some() {
            sections.push(review);
        }
    }
    // A unit's overdue list leaves out what was returned: that has its own section, with
    // the reason, overdue or not.
    if wanted("overdue") {
        let overdue = ObligationFilter {
            stored: (!office).then_some(State::Pending),
            ..f(State::Overdue, None)
        };
        sections.push(list("已逾期", "overdue", overdue).await?);
    }
    if !office && wanted("returned") {
        let returned = ObligationFilter {
            state: None,
            stored: Some(State::Returned),
            ..f(State::Returned, None)
        };
        sections.push(list("已退回，待重新报送", "returned", returned).await?);
    }
    if !office && wanted("due-soon") {
        let soon = f(State::Pending, Some(today + Duration::days(15)));
        sections.push(list("两周内到期", "due-soon", soon).await?);
    }
    Ok(sections)
}

/// GET /todo.xlsx: the same list as a sheet.
pub async fn export(
    AxumState(state): AxumState<AppState>,
    PageUser(u): PageUser,
    PageQuery(n): PageQuery<Narrow>,
) -> Result<Response, PageError> {
    let rows: Vec<Vec<String>> = sections(&state, &u, &n, usize::MAX)
        .await?
        .into_iter()
        .flat_map(|Section { title, rows, .. }| {
            rows.into_iter().map(move |r| {
                let mut cells = vec![title.to_string()];
                cells.extend(r.cells());
                cells
            })
        })
        .collect();
    super::xlsx_response(
        "待办事项",
        &[
            "分类",
            "到期日",
            "周期",
            "序号",
            "事项",
            "单位",
            "责任",
            "状态",
        ],
        &rows,
        "待办事项.xlsx",
        &u.unit_name,
    )
}

/// The most rows one export holds.
const EXPORT_MAX: usize = 50_000;

/// GET /obligations.xlsx?unit=&state=&due_before=&campaign=&to_review=: the obligations
/// in scope with the API list's filters, as a sheet (read by keyset pages of 1,000).
pub async fn list_export(
    AxumState(state): AxumState<AppState>,
    PageUser(u): PageUser,
    super::PageQuery(q): super::PageQuery<crate::shared::obligations::ObligationQuery>,
) -> Result<Response, PageError> {
    let today = anjian_core::time::local_date(state.now()).unwrap_or_default();
    let mut f = crate::shared::obligations::filter_of(&q, &u)?;
    f.limit = 1000;
    let scope = u.scope();
    let mut rows: Vec<Vec<String>> = Vec::new();
    loop {
        let page = obligations::list(&state.db, &scope, today, &f).await?;
        let last = page.last().map(|r| (r.due_on.clone(), r.id));
        let full = page.len() as i64 == f.limit;
        rows.extend(page.into_iter().map(|r| TodoRow::from(r).cells()));
        match last {
            Some((due, id)) if full && rows.len() < EXPORT_MAX => {
                f.after = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d")
                    .ok()
                    .map(|d| (d, id));
            }
            _ => break,
        }
    }
    super::xlsx_response(
        "应办事项",
        &["到期日", "周期", "序号", "事项", "单位", "责任", "状态"],
        &rows,
        "工作任务清单.xlsx",
        &u.unit_name,
    )
}

/// GET /todo.
pub async fn todo(
    AxumState(state): AxumState<AppState>,
    PageUser(u): PageUser,
    PageQuery(n): PageQuery<Narrow>,
) -> Result<Response, PageError> {
    let flash = n.ok.as_ref().map(|k| format!("已审核{k}份报送"));
    page(&state, &u, &n, Vec::new(), Notice::flash(flash)).await
}

async fn page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    n: &Narrow,
    kept: Vec<(String, String)>,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let (state, u) = (state.clone(), u.clone());
    let today = anjian_core::time::local_date(state.now()).unwrap_or_default();
    let office = u.role().sees_everything();
    let mut sections = sections(&state, &u, n, UNIT_LINES).await?;
    // The review section is shown as its queue (by work item, with the texts).
    let mut queue_groups = Vec::new();
    let mut queue_next = None;
    if let Some(i) = sections.iter().position(|s| s.id == "to-review") {
        let Section { rows, next, .. } = sections.remove(i);
        queue_next = next;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let texts = anjian_store::reports::latest_texts(&state.db, &ids).await?;
        queue_groups = queue(&rows, &texts);
    }
    let reminders = anjian_store::reminders::list(&state.db, &u.scope(), u.unit_id, 50)
        .await?
        .into_iter()
        .filter(|n| n.read_at.is_none())
        .map(|n| ReminderLine {
            obligation_id: n.obligation_id,
            kind: if n.kind == "overdue" {
                "已逾期"
            } else {
                "即将到期"
            },
            due_on: n.due_on,
            task: n.task,
        })
        .collect();
    Ok(render(&TodoPage {
        layout: Layout::of(&u),
        who: if office {
            "全区".to_string()
        } else {
            u.unit_name.clone()
        },
        today: today.format("%Y-%m-%d").to_string(),
        sections,
        reminders,
        notices: anjian_store::notices::to_unit(&state.db, u.unit_id).await?,
        queued: queue_groups.iter().map(|g| g.rows.len()).sum(),
        queue: queue_groups,
        queue_next,
        shown: n.show().ok().flatten() == Some("to-review"),
        parts: Part::ALL.map(|p| (p.as_str(), p.label())),
        units: if office {
            super::unit_filter_choices(&state, &u, &["township", "zone_committee", "department"])
                .await?
        } else {
            Vec::new()
        },
        narrow: n.clone(),
        kept,
        flash,
        error,
    }))
}

/// POST /obligations/review: one pass over a work item's reports. For each `id`, the
/// decision `d{id}` (`accept` or `return`) and, for a return, the reason `r{id}`;
/// `all=accept` accepts every one. Every decision or none is kept.
pub async fn review_batch(
    AxumState(state): AxumState<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let all = value("all") == "accept";
    let result: Result<String, Problem> = async {
        let mut decisions = Vec::new();
        for (_, v) in f.iter().filter(|(k, _)| k == "id").take(REVIEW_PASS) {
            let id: i64 = v.trim().parse().map_err(|_| {
                Problem::bad_field("invalid_id", "id", "报送编号无效，请刷新页面后再审核")
            })?;
            let decision = if all {
                "accept".to_string()
            } else {
                value(&format!("d{id}"))
            };
            let accept = match decision.as_str() {
                "accept" => true,
                "return" => false,
                _ => continue,
            };
            decisions.push(anjian_store::reports::Decision {
                obligation_id: id,
                accept,
                reason: value(&format!("r{id}")),
            });
        }
        if decisions.is_empty() {
            return Err(Problem::bad_field(
                "decision_required",
                "decision",
                "请为至少一份报送选择通过或退回",
            ));
        }
        let n = decisions.len();
        anjian_store::reports::review_many(
            &state.db,
            state.now(),
            &u.actor(),
            &u.scope(),
            &decisions,
        )
        .await?;
        Ok(format!("/todo?ok={n}"))
    }
    .await;
    let unfiltered = Narrow::default();
    let kept: Vec<(String, String)> = f
        .iter()
        .filter(|(k, _)| k.starts_with('d') || k.starts_with('r'))
        .take(2 * REVIEW_PASS)
        .cloned()
        .collect();
    super::after_form(result, |msg| {
        page(&state, &u, &unfiltered, kept, Notice::error(msg))
    })
    .await
}

/// POST /notifications/read: marks the unit's reminders read.
pub async fn mark_read(
    AxumState(state): AxumState<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    use axum::response::IntoResponse;
    anjian_store::reminders::mark_read(&state.db, state.now(), &u.actor()).await?;
    Ok(axum::response::Redirect::to("/todo").into_response())
}
