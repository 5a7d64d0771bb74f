//! Bulletin pages: the archive and the drafts; the office drafts a month that has
//! ended, edits each section's text (the figures' tables stay computed), recomputes
//! it, and issues it after confirming (numbered, frozen, archived); the printable
//! bulletin and its .docx and .xlsx as issued.

use anjian_core::monthly_report::Month;
use anjian_store::bulletins::{self, Archived};
use askama::Template;
use axum::extract::{Path, State};

use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render, render_form};
use crate::input::month_or_last;

type User = anjian_store::accounts::SessionUser;

/// The archive.
#[derive(Template)]
#[template(path = "bulletins.html")]
pub struct BulletinsPage {
    pub layout: Option<Layout>,
    pub bulletins: Vec<(i64, String, String, String)>,
    /// The drafts being written: month, title, last saved (Beijing time).
    pub drafts: Vec<(String, String, String)>,
    pub office: bool,
    pub last_month: String,
    pub error: Option<String>,
}

async fn archive(state: &AppState, u: &User, error: Option<String>) -> Result<Response, PageError> {
    u.rankings_scope()?;
    let refused = error.is_some();
    Ok(render_form(
        &BulletinsPage {
            layout: Layout::of(u),
            bulletins: bulletins::list(&state.db).await?,
            drafts: if u.role().sees_everything() {
                bulletins::drafts(&state.db)
                    .await?
                    .into_iter()
                    .map(|(m, t, at)| (m, t, anjian_core::time::format_local(at)))
                    .collect()
            } else {
                Vec::new()
            },
            office: u.role().sees_everything(),
            last_month: month_or_last(state, None)?.name(),
            error,
        },
        refused,
    ))
}

/// GET /bulletins.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    archive(&state, &u, None).await
}

/// The generation form.
#[derive(Deserialize, Default)]
pub struct GenerateForm {
    #[serde(default)]
    pub month: String,
}

/// POST /bulletins (office): drafts the month's bulletin from its figures (or opens
/// the draft being written).
pub async fn generate(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<GenerateForm>,
) -> Result<Response, PageError> {
    let result = async {
        let month = Month::parse(&f.month)?;
        bulletins::draft(&state.db, state.moment(), &u.actor(), month, false).await?;
        Ok::<_, Problem>(format!("/bulletins/{}/draft", month.name()))
    }
    .await;
    after_form(result, |msg| archive(&state, &u, Some(msg))).await
}

/// The draft: every section's text editable, the tables as computed, the units its
/// demand names, and the issue form with its confirmation.
#[derive(Template)]
#[template(path = "bulletin_draft.html")]
pub struct DraftPage {
    pub layout: Option<Layout>,
    pub d: bulletins::Draft,
    /// The sections' paragraphs as one text each, a paragraph a line, with the rows
    /// its box needs on a phone.
    pub texts: Vec<(String, String, usize)>,
    pub saved: String,
    /// The day the named units report by, if it is issued today.
    pub report_by: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

async fn draft_page(
    state: &AppState,
    u: &User,
    month: &str,
    edited: Option<&DraftForm>,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    anjian_store::authz::require(&u.actor(), anjian_core::role::Role::sees_everything)?;
    let month = Month::parse(month)?;
    let mut d = bulletins::get_draft(&state.db, &month.name())
        .await?
        .ok_or_else(|| Problem::from(anjian_store::error::Error::NotFound))?;
    let mut texts: Vec<(String, String)> = d
        .content
        .sections
        .iter()
        .map(|s| (s.heading.clone(), s.paragraphs.join("\n")))
        .collect();
    // A refused save comes back as it was typed.
    if let Some(f) = edited {
        d.content.title = f.title.clone();
        d.content.opening = f.opening.clone();
        for (i, t) in texts.iter_mut().enumerate() {
            if let Some(v) = f.section(i) {
                t.1 = v.to_string();
            }
        }
    }
    // About 20 characters a row on a phone; at most 16 rows.
    let rows = |t: &str| {
        t.lines()
            .map(|l| l.chars().count() / 20 + 1)
            .sum::<usize>()
            .clamp(2, 16)
    };
    let texts = texts
        .into_iter()
        .map(|(h, t)| {
            let n = rows(&t);
            (h, t, n)
        })
        .collect();
    let refused = error.is_some();
    Ok(render_form(
        &DraftPage {
            layout: Layout::of(u),
            saved: anjian_core::time::format_local(d.updated_at),
            report_by: bulletins::report_by(state.today()).to_string(),
            texts,
            d,
            flash,
            error,
        },
        refused,
    ))
}

/// GET /bulletins/{YYYY-MM}/draft (office).
pub async fn show_draft(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
    PageQuery(q): PageQuery<super::OkQuery>,
) -> Result<Response, PageError> {
    let flash = q.ok.map(|k| {
        match k.as_str() {
            "redrafted" => "已按最新数据重新生成草稿",
            _ => "草稿已保存",
        }
        .to_string()
    });
    draft_page(&state, &u, &month, None, Notice::flash(flash)).await
}

/// The draft's form: its version, title, opening and sections (`s0`, `s1`, …, a
/// paragraph a line); for an issue, the confirmation.
#[derive(Deserialize, Default, Clone)]
pub struct DraftForm {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub opening: String,
    #[serde(default)]
    pub confirm: String,
    #[serde(flatten)]
    pub rest: std::collections::HashMap<String, String>,
}

impl DraftForm {
    fn version(&self) -> Result<i64, Problem> {
        self.version.trim().parse().map_err(|_| {
            Problem::bad_field("invalid_version", "version", "草稿版本无效，请刷新页面")
        })
    }

    fn section(&self, i: usize) -> Option<&str> {
        self.rest.get(&format!("s{i}")).map(String::as_str)
    }
}

/// The most sections a draft has (a form naming more is refused).
const MAX_SECTIONS: usize = 20;

/// POST /bulletins/{YYYY-MM}/draft (office): saves the edited text.
pub async fn save_draft(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
    PageForm(f): PageForm<DraftForm>,
) -> Result<Response, PageError> {
    let result = async {
        let m = Month::parse(&month)?;
        if f.rest.len() > MAX_SECTIONS + 2 {
            return Err(Problem::bad_field("too_many", "sections", "栏目过多"));
        }
        let sections: Vec<Vec<String>> = (0..MAX_SECTIONS)
            .map_while(|i| f.section(i))
            .map(|t| t.lines().map(str::to_string).collect())
            .collect();
        let edit = bulletins::Edit {
            title: f.title.clone(),
            opening: f.opening.clone(),
            sections,
        };
        bulletins::edit(&state.db, state.now(), &u.actor(), m, f.version()?, &edit).await?;
        Ok(format!("/bulletins/{}/draft?ok=saved", m.name()))
    }
    .await;
    super::after_form(result, |msg| {
        draft_page(&state, &u, &month, Some(&f), Notice::error(msg))
    })
    .await
}

/// POST /bulletins/{YYYY-MM}/redraft (office): composes the draft afresh from the
/// month's figures (the edits are dropped).
pub async fn redraft(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
) -> Result<Response, PageError> {
    let result = async {
        let m = Month::parse(&month)?;
        bulletins::draft(&state.db, state.moment(), &u.actor(), m, true).await?;
        Ok::<_, Problem>(format!("/bulletins/{}/draft?ok=redrafted", m.name()))
    }
    .await;
    super::after_form(result, |msg| {
        draft_page(&state, &u, &month, None, Notice::error(msg))
    })
    .await
}

/// POST /bulletins/{YYYY-MM}/issue (office): issues the draft once confirmed.
pub async fn issue(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
    PageForm(f): PageForm<DraftForm>,
) -> Result<Response, PageError> {
    let result = async {
        let m = Month::parse(&month)?;
        if f.confirm != "yes" {
            return Err(Problem::bad_field(
                "confirm_required",
                "confirm",
                "请勾选“已核对，确认印发”后再印发",
            ));
        }
        bulletins::issue(
            &state.db,
            &state.files,
            state.moment(),
            &u.actor(),
            m,
            f.version()?,
        )
        .await?;
        Ok(format!("/bulletins/{}?ok=issued", m.name()))
    }
    .await;
    super::after_form(result, |msg| {
        draft_page(&state, &u, &month, None, Notice::error(msg))
    })
    .await
}

/// The printable bulletin.
#[derive(Template)]
#[template(path = "bulletin.html")]
pub struct BulletinPage {
    pub layout: Option<Layout>,
    pub b: Archived,
    pub issued: String,
    pub flash: Option<String>,
}

async fn archived(state: &AppState, u: &User, month: &str) -> Result<Archived, Problem> {
    u.rankings_scope()?;
    let month = Month::parse(month)?;
    bulletins::get(&state.db, &month.name())
        .await?
        .ok_or_else(|| Problem::from(anjian_store::error::Error::NotFound))
}

/// GET /bulletins/{YYYY-MM}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
    PageQuery(q): PageQuery<super::OkQuery>,
) -> Result<Response, PageError> {
    let b = archived(&state, &u, &month).await?;
    Ok(render(&BulletinPage {
        layout: Layout::of(&u),
        issued: anjian_core::bulletin::chinese_date(b.content.issued_on),
        flash: q.ok.map(|_| {
            format!(
                "已印发：{}，已编号存档；通报点名的单位须于{}前报送整改情况",
                b.doc_no,
                anjian_store::bulletins::report_by(b.content.issued_on)
            )
        }),
        b,
    }))
}

/// GET /bulletins/{YYYY-MM}/docx and /xlsx.
pub async fn download(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((month, kind)): Path<(String, String)>,
) -> Result<Response, PageError> {
    if kind != "docx" && kind != "xlsx" {
        return Err(Problem::from(anjian_store::error::Error::NotFound).into());
    }
    let b = archived(&state, &u, &month).await?;
    Ok(crate::download::bulletin(&state, &b, &kind).await?)
}
