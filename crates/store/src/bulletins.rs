//! Monthly bulletins (通报): generated from the month's kept rankings, the
//! zero-enforcement watch, exposed findings of visits and the confirmed accountability
//! forms; numbered within the year of issue (铜安办通报〔2022〕3号); archived with their
//! content and the .docx and .xlsx files as issued. One bulletin per month: asking again
//! returns the archived one.

use anjian_core::bulletin::{Bulletin, BulletinTable, Section};
use anjian_core::machine::States;
use anjian_core::monthly_report::Month;
use anjian_core::time::Moment;
use anjian_core::tip_state::Status;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, day, q};
use crate::error::{Error, Result};
use crate::files::FileStore;
use crate::ids::next_id;
use crate::rankings::{Kind, Ranking};
use crate::scope::Actor;

/// The sources of a hazard found on a visit (督查、暗访), as the ranking counts them.
const VISIT_SOURCES: &str = "('unannounced_visit', 'supervision_visit')";

/// Setting key of the issuing office's full name (the red header and signature).
pub const ISSUER: &str = "bulletin_issuer";
/// Setting key of the document-number prefix (铜安办通报).
pub const PREFIX: &str = "bulletin_prefix";

/// An archived bulletin.
#[derive(Debug, Clone, Serialize)]
pub struct Archived {
    pub id: i64,
    pub month: String,
    pub doc_no: String,
    pub issued_on: String,
    pub content: Bulletin,
    pub docx_sha256: String,
    pub xlsx_sha256: String,
}

/// The bulletin of `month`, if issued.
pub async fn get(db: &Db, month: &str) -> Result<Option<Archived>> {
    let row: Option<(i64, String, String, String, String, String)> = db
        .read()
        .opt(q("SELECT id, doc_no, issued_on, content_json, docx_sha256, xlsx_sha256 FROM bulletins WHERE month = $1").bind(month))
        .await?;
    Ok(
        row.map(|(id, doc_no, issued_on, json, docx, xlsx)| Archived {
            id,
            month: month.to_string(),
            doc_no,
            issued_on,
            content: serde_json::from_str(&json).unwrap_or_default(),
            docx_sha256: docx,
            xlsx_sha256: xlsx,
        }),
    )
}

/// The archive, newest first: id, month, document number, day of issue.
pub async fn list(db: &Db) -> Result<Vec<(i64, String, String, String)>> {
    db.read()
        .all(q(
            "SELECT id, month, doc_no, issued_on FROM bulletins ORDER BY month DESC LIMIT 240",
        ))
        .await
}

/// A unit the bulletin's demand names: it owes the office its rectification report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Named {
    pub unit_id: i64,
    pub name: String,
}

/// A bulletin being drafted: its text as composed from the month's figures and as the
/// office has edited it since, unnumbered, and the units its demand names.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub month: String,
    pub content: Bulletin,
    pub named: Vec<Named>,
    /// Bumped by every save; a save or an issue names the version it was made on.
    pub version: i64,
    pub updated_at: i64,
}

/// The office's edits of a draft's text: the title, the opening and each section's
/// paragraphs, in the sections' order (the figures' tables are not edited).
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub title: String,
    pub opening: String,
    pub sections: Vec<Vec<String>>,
}

/// The document number a draft shows until it is issued.
const UNNUMBERED: &str = "（印发时编号）";

/// Refuses a month that has not ended or whose bulletin was issued.
async fn may_draft(db: &Db, today: NaiveDate, month: Month) -> Result<()> {
    if month.last >= today {
        return Err(Error::invalid(
            "month_not_ended",
            "month",
            format!("{}尚未结束，不能生成通报", month.label()),
        ));
    }
    if let Some(b) = get(db, &month.name()).await? {
        return Err(Error::conflict(
            "bulletin_issued",
            "month",
            format!(
                "{}的通报已于{}印发（{}），见通报存档",
                month.label(),
                b.issued_on,
                b.doc_no
            ),
        ));
    }
    Ok(())
}

/// The bulletin of `month` composed from its figures as of `today` (unnumbered), and the
/// units its demand names.
async fn composed(
    db: &Db,
    now_ms: i64,
    today: NaiveDate,
    month: Month,
) -> Result<(Bulletin, Vec<Named>)> {
    let township = crate::rankings::ranking(db, now_ms, today, month, Kind::Township).await?;
    let department = crate::rankings::ranking(db, now_ms, today, month, Kind::Department).await?;
    let issuer = crate::settings::get(db, ISSUER)
        .await?
        .unwrap_or_else(|| "区安全生产委员会办公室".into());
    let exposed: Vec<(i64, String, String, String)> = db
        .read()
        .all(q(format!("SELECT COALESCE(h.locality_id, h.unit_id), u.name, h.place, h.description FROM hazards h JOIN units u ON u.id = h.unit_id WHERE h.exposed = 1 AND h.source IN {VISIT_SOURCES} AND h.discovered_on >= $1 AND h.discovered_on <= $2 ORDER BY h.id LIMIT 30")).bind(day(month.first)).bind(day(month.last)))
        .await?;
    let forms: Vec<(String, Option<String>, String, String)> = db
        .read()
        .all(q(format!("SELECT u.name, a.person, a.form, a.reason FROM accountability a JOIN units u ON u.id = a.unit_id WHERE a.month = $1 AND a.state = {} ORDER BY a.id", anjian_core::accountability::State::Confirmed.sql())).bind(month.name()))
        .await?;
    let reports = reports_of(db, month).await?;
    let rankings = [&township, &department];
    let content = compose(
        Heading {
            issuer: &issuer,
            doc_no: UNNUMBERED,
            today,
        },
        month,
        rankings,
        &exposed,
        &reports,
        &forms,
    );
    Ok((content, named(rankings, &exposed)))
}

/// The units the demand names: the ranking's last and those behind three months
/// running, those that did no enforcement, and the ranked units whose problems were
/// exposed; each once, in the order named.
fn named(rankings: [&Ranking; 2], exposed: &[(i64, String, String, String)]) -> Vec<Named> {
    let mut out: Vec<Named> = Vec::new();
    let mut add = |unit_id: i64, name: &str| {
        if !out.iter().any(|n| n.unit_id == unit_id) {
            out.push(Named {
                unit_id,
                name: name.to_string(),
            });
        }
    };
    let all = || rankings.iter().flat_map(|r| r.units.iter());
    for u in all().filter(|u| u.bottom || u.behind_run >= 3) {
        add(u.unit.unit_id, &u.unit.name);
    }
    for u in all().filter(|u| u.unit.inspections == 0) {
        add(u.unit.unit_id, &u.unit.name);
    }
    for (id, _, _, _) in exposed {
        if let Some(u) = all().find(|u| u.unit.unit_id == *id) {
            add(u.unit.unit_id, &u.unit.name);
        }
    }
    out
}

/// The draft of `month`, if one is being written.
pub async fn get_draft(db: &Db, month: &str) -> Result<Option<Draft>> {
    let row: Option<(String, String, i64, i64)> = db
        .read()
        .opt(q("SELECT content_json, named_json, version, updated_at FROM bulletin_drafts WHERE month = $1").bind(month))
        .await?;
    Ok(row.map(|(content, named, version, updated_at)| Draft {
        month: month.to_string(),
        content: serde_json::from_str(&content).unwrap_or_default(),
        named: serde_json::from_str(&named).unwrap_or_default(),
        version,
        updated_at,
    }))
}

/// The drafts being written, newest month first: month, title, last saved.
pub async fn drafts(db: &Db) -> Result<Vec<(String, String, i64)>> {
    let rows: Vec<(String, String, i64)> = db
        .read()
        .all(q(
            "SELECT month, content_json, updated_at FROM bulletin_drafts ORDER BY month DESC LIMIT 24",
        ))
        .await?;
    Ok(rows
        .into_iter()
        .map(|(m, json, at)| {
            let b: Bulletin = serde_json::from_str(&json).unwrap_or_default();
            (m, b.title, at)
        })
        .collect())
}

/// Drafts the bulletin of `month` (ended before `today`, not yet issued) from the
/// month's figures. With `again`, an existing draft is composed afresh (the office's
/// edits are dropped: the figures may have changed); without, an existing draft is
/// kept as it is. One transaction, audited.
pub async fn draft(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    month: Month,
    again: bool,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    may_draft(db, today, month).await?;
    let existing = get_draft(db, &month.name()).await?;
    if existing.is_some() && !again {
        return Ok(());
    }
    let (content, named) = composed(db, now_ms, today, month).await?;
    let content_json = serde_json::to_string(&content).unwrap_or_default();
    let named_json = serde_json::to_string(&named).unwrap_or_default();
    let mut tx = db.begin().await?;
    let action = match existing {
        Some(d) => {
            let n = tx
                .execute(
                    q("UPDATE bulletin_drafts SET content_json = $1, named_json = $2, version = version + 1, updated_by = $3, updated_at = $4 WHERE month = $5 AND version = $6")
                        .bind(content_json)
                        .bind(named_json)
                        .bind(actor.user_id)
                        .bind(now_ms)
                        .bind(month.name())
                        .bind(d.version),
                )
                .await?;
            if n != 1 {
                return Err(stale());
            }
            "bulletin.redraft"
        }
        None => {
            tx.execute(
                q("INSERT INTO bulletin_drafts (id, month, content_json, named_json, version, created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $5, $6)")
                    .bind(next_id(now_ms))
                    .bind(month.name())
                    .bind(content_json)
                    .bind(named_json)
                    .bind(actor.user_id)
                    .bind(now_ms),
            )
            .await?;
            "bulletin.draft"
        }
    };
    let entry = Entry::ok(action, "bulletin_draft", month.name())
        .change(None, Some(&content))
        .detail(content.title.clone());
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}

fn stale() -> Error {
    Error::conflict(
        "draft_changed",
        "version",
        "草稿已被他人修改或重新生成，请刷新后再操作",
    )
}

/// Saves the office's edits of the draft of `month` made on `version` (one
/// transaction, audited with the text before and after).
pub async fn edit(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    month: Month,
    version: i64,
    e: &Edit,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let d = get_draft(db, &month.name()).await?.ok_or(Error::NotFound)?;
    if d.version != version {
        return Err(stale());
    }
    let mut content = d.content.clone();
    content.title = anjian_core::error::required_text("title", "标题", &e.title, 100)?;
    content.opening = anjian_core::error::required_paragraphs("opening", "开头", &e.opening, 2000)?;
    if e.sections.len() != content.sections.len() {
        return Err(stale());
    }
    for (section, paragraphs) in content.sections.iter_mut().zip(&e.sections) {
        let mut kept = Vec::new();
        for p in paragraphs {
            if let Some(p) =
                anjian_core::error::optional_text("sections", &section.heading, p, 2000)?
            {
                kept.push(p);
            }
        }
        if kept.is_empty() {
            return Err(Error::invalid(
                "required",
                "sections",
                format!("“{}”不能为空", section.heading),
            ));
        }
        section.paragraphs = kept;
    }
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            q("UPDATE bulletin_drafts SET content_json = $1, version = version + 1, updated_by = $2, updated_at = $3 WHERE month = $4 AND version = $5")
                .bind(serde_json::to_string(&content).unwrap_or_default())
                .bind(actor.user_id)
                .bind(now_ms)
                .bind(month.name())
                .bind(version),
        )
        .await?;
    if n != 1 {
        return Err(stale());
    }
    let entry = Entry::ok("bulletin.edit", "bulletin_draft", month.name())
        .change(Some(&d.content), Some(&content))
        .detail(content.title.clone());
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Issues the draft of `month` as saved at `version`: numbers it within the year,
/// dates it today, renders and stores its .docx and .xlsx, archives it, deletes the
/// draft, keeps the month's rankings and gives each unit its demand names an
/// obligation due on the 5th of the next month. Returns the bulletin's id.
pub async fn issue(
    db: &Db,
    files: &FileStore,
    moment: Moment,
    actor: &Actor,
    month: Month,
    version: i64,
) -> Result<i64> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    may_draft(db, moment.today, month).await?;
    let d = get_draft(db, &month.name()).await?.ok_or(Error::NotFound)?;
    if d.version != version {
        return Err(stale());
    }
    archive(
        db,
        files,
        moment,
        actor,
        month,
        d.content,
        &d.named,
        Some(version),
    )
    .await
}

/// Composes, numbers and archives the bulletin of `month` in one step, as it stands
/// from the figures (the API's generation; the pages draft first). An existing draft
/// is left as it is.
pub async fn generate(
    db: &Db,
    files: &FileStore,
    moment: Moment,
    actor: &Actor,
    month: Month,
) -> Result<i64> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    may_draft(db, moment.today, month).await?;
    let (content, named) = composed(db, moment.ms, moment.today, month).await?;
    archive(db, files, moment, actor, month, content, &named, None).await
}

/// The day a bulletin issued on `issued_on` asks its named units to report by: "于下月
/// 5日前将整改情况报区安委办", the 5th of the month after the month of issue.
pub fn report_by(issued_on: NaiveDate) -> NaiveDate {
    let first = Month::of(issued_on).first;
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|m| m.with_day(5))
        .unwrap_or(issued_on)
}

#[allow(clippy::too_many_arguments)]
async fn archive(
    db: &Db,
    files: &FileStore,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    month: Month,
    mut content: Bulletin,
    named: &[Named],
    draft: Option<i64>,
) -> Result<i64> {
    let prefix = crate::settings::get(db, PREFIX)
        .await?
        .unwrap_or_else(|| "安办通报".into());
    let year = i64::from(today.year());
    let (last_no,): (i64,) = db
        .read()
        .one(
            q("SELECT CAST(COALESCE(MAX(no), 0) AS BIGINT) FROM bulletins WHERE year = $1")
                .bind(year),
        )
        .await?;
    let no = last_no + 1;
    let doc_no = format!("{prefix}〔{year}〕{no}号");
    content.doc_no = doc_no.clone();
    content.issued_on = today;
    let docx = content.to_docx();
    let xlsx = content
        .to_xlsx()
        .map_err(|e| Error::Files(format!("xlsx: {e}")))?;
    let docx_sha = files
        .put(&docx)
        .await
        .map_err(|e| Error::Files(e.to_string()))?;
    let xlsx_sha = files
        .put(&xlsx)
        .await
        .map_err(|e| Error::Files(e.to_string()))?;
    // The month's rankings, kept with the bulletin: computed before its transaction.
    let ranked = crate::rankings::to_keep(db, Moment::new(now_ms, today), month, false).await?;
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    if let Some(version) = draft {
        let n = tx
            .execute(
                q("DELETE FROM bulletin_drafts WHERE month = $1 AND version = $2")
                    .bind(month.name())
                    .bind(version),
            )
            .await?;
        if n != 1 {
            return Err(stale());
        }
    }
    tx.execute(
        q("INSERT INTO bulletins (id, month, year, no, doc_no, issued_on, content_json, docx_sha256, xlsx_sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(id)
            .bind(month.name())
            .bind(year)
            .bind(no)
            .bind(doc_no.as_str())
            .bind(day(today))
            .bind(serde_json::to_string(&content).unwrap_or_default())
            .bind(docx_sha.as_str())
            .bind(xlsx_sha.as_str())
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    let due = report_by(today);
    let owed: Vec<(i64, NaiveDate)> = named.iter().map(|n| (n.unit_id, due)).collect();
    crate::obligations::owe_many(
        &mut tx,
        now_ms,
        crate::obligations::Source::Bulletin(id),
        &owed,
        |_| format!("按{doc_no}报送整改情况"),
    )
    .await?;
    let kept = crate::rankings::keep_in(&mut tx, &ranked).await?;
    let entry = Entry::ok("bulletin.generate", "bulletin", id)
        .change(None, Some(&content))
        .detail(format!(
            "{doc_no} {}（Word 文件 SHA-256 {docx_sha}）；{}个单位须于{}前报送整改情况{}",
            content.title,
            named.len(),
            due,
            kept_note(&kept)
        ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// The month's public tips and accidents as the bulletin states them: counts, and the
/// substantiated tips by what and where (never by whom).
#[derive(Debug, Default)]
struct Reports {
    /// Tips received, substantiated, and rewards approved or paid (with their total).
    tips: crate::tips::MonthStats,
    /// Substantiated tips: category, place, reported unit.
    substantiated: Vec<(String, String, Option<String>)>,
    /// Accidents: unit, place, grade, deaths, late, concealed.
    accidents: Vec<(String, String, String, i64, bool, bool)>,
}

async fn reports_of(db: &Db, month: Month) -> Result<Reports> {
    let (first, last) = (day(month.first), day(month.last));
    let sums = crate::tips::month_sums("t", "r");
    let tips: crate::tips::MonthStats = db
        .read()
        .one(q(format!("SELECT '' AS month, {sums} FROM tips t LEFT JOIN tip_rewards r ON r.tip_id = t.id WHERE t.received_on >= $1 AND t.received_on <= $2"))
            .bind(first.clone())
            .bind(last.clone()))
        .await?;
    let substantiated = db
        .read()
        .all(q(format!("SELECT category, place, reported_unit FROM tips WHERE status = {} AND received_on >= $1 AND received_on <= $2 ORDER BY id LIMIT 30", Status::Substantiated.sql()))
            .bind(first.clone())
            .bind(last.clone()))
        .await?;
    let rows: Vec<(String, String, String, i64, i64, i64)> = db
        .read()
        .all(q("SELECT u.name, a.place, a.grade, a.deaths, a.late, a.concealed FROM accidents a JOIN units u ON u.id = a.unit_id WHERE a.occurred_on >= $1 AND a.occurred_on <= $2 ORDER BY a.occurred_at LIMIT 50")
            .bind(first)
            .bind(last))
        .await?;
    Ok(Reports {
        tips,
        substantiated,
        accidents: rows
            .into_iter()
            .map(|(u, p, g, d, late, c)| (u, p, g, d, late == 1, c == 1))
            .collect(),
    })
}

/// The section on tips and accidents.
fn reports_section(month: Month, r: &Reports) -> Section {
    let crate::tips::MonthStats {
        received,
        substantiated,
        rewarded,
        reward_fen: fen,
        ..
    } = r.tips;
    let mut paragraphs = vec![format!(
        "{}，区安委办受理安全生产举报{received}件，经核查属实{substantiated}件，批准奖励{rewarded}件、奖励金额{}元。举报人信息依法严格保密。",
        month.label(),
        anjian_core::error::yuan(fen)
    )];
    for (i, (category, place, unit)) in r.substantiated.iter().enumerate() {
        let what = anjian_core::tip::Category::parse(category).map_or("", |c| c.label());
        let unit = unit
            .as_deref()
            .map(|u| format!("（{u}）"))
            .unwrap_or_default();
        paragraphs.push(format!("{}. 举报{place}{unit}{what}，经核查属实。", i + 1));
    }
    if r.accidents.is_empty() {
        paragraphs.push("本月未发生生产安全事故。".into());
    } else {
        paragraphs.push(format!("本月发生生产安全事故{}起：", r.accidents.len()));
        for (unit, place, grade, deaths, late, concealed) in &r.accidents {
            let grade = anjian_core::accident::Grade::parse(grade).map_or("", |g| g.label());
            let mut flags = Vec::new();
            if *late {
                flags.push("迟报");
            }
            if *concealed {
                flags.push("瞒报");
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!("，存在{}问题", flags.join("、"))
            };
            paragraphs.push(format!("{unit}{place}发生{grade}，死亡{deaths}人{flags}。"));
        }
    }
    Section {
        heading: "五、举报和事故情况".into(),
        paragraphs,
    }
}

/// Names joined with 、, or 无.
fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "无".into()
    } else {
        v.join("、")
    }
}

/// Who issues a bulletin, its document number and the day it is dated.
#[derive(Clone, Copy)]
struct Heading<'a> {
    issuer: &'a str,
    doc_no: &'a str,
    today: NaiveDate,
}

/// The bulletin's text and tables from the month's figures.
fn compose(
    Heading {
        issuer,
        doc_no,
        today,
    }: Heading<'_>,
    month: Month,
    rankings: [&Ranking; 2],
    exposed: &[(i64, String, String, String)],
    reports: &Reports,
    forms: &[(String, Option<String>, String, String)],
) -> Bulletin {
    let all = || rankings.iter().flat_map(|r| r.units.iter());
    let sum = |f: fn(&crate::rankings::UnitMonth) -> i64| all().map(|r| f(&r.unit)).sum::<i64>();
    let crackdowns = sum(|u| u.crackdowns);
    let (found, closed, overdue, inspections, penalties, amount) = (
        sum(|u| u.found),
        sum(|u| u.closed),
        sum(|u| u.overdue),
        sum(|u| u.inspections),
        sum(|u| u.penalties),
        sum(|u| u.amount_fen),
    );
    let mut sections = vec![Section {
        heading: "一、总体情况".into(),
        paragraphs: vec![format!(
            "{}，全区共排查发现隐患{found}项，已整改{closed}项，月末逾期未整改隐患{overdue}项；各镇街、部门开展执法检查{inspections}次，作出行政处罚{penalties}次，罚款{}元{}。",
            month.label(),
            anjian_core::error::yuan(amount),
            if crackdowns > 0 {
                format!("；查处打非治违案件{crackdowns}起次（含联合执法）")
            } else {
                String::new()
            }
        )],
    }];
    let mut ranking_lines = Vec::new();
    for r in rankings {
        if r.units.is_empty() {
            continue;
        }
        let bottom = names(
            r.units
                .iter()
                .filter(|u| u.bottom)
                .map(|u| u.unit.name.as_str()),
        );
        let behind = names(
            r.units
                .iter()
                .filter(|u| u.behind_run >= 3)
                .map(|u| u.unit.name.as_str()),
        );
        ranking_lines.push(format!(
            "{}排名末位的是：{bottom}；连续三个月排名靠后的是：{behind}。",
            r.kind.label()
        ));
    }
    ranking_lines.push("各单位得分及分项情况见附表。".into());
    sections.push(Section {
        heading: "二、排名情况".into(),
        paragraphs: ranking_lines,
    });
    let zero = names(
        all()
            .filter(|r| r.unit.inspections == 0)
            .map(|r| r.unit.name.as_str()),
    );
    sections.push(Section {
        heading: "三、零执法单位".into(),
        paragraphs: vec![format!(
            "{}未开展执法检查的单位：{zero}。请上述单位立即整改，确保执法检查常态化。",
            month.label()
        )],
    });
    // The count is the annex's 暗访问题 column summed, so that the text and the annex
    // say one thing; the exposed problems are among them.
    let found_on_visits = sum(|u| u.visit_findings);
    let mut exposed_lines = vec![if exposed.is_empty() {
        format!(
            "{}督查暗访共发现问题{found_on_visits}个（各单位数见附表“暗访问题”列），未曝光问题。",
            month.label()
        )
    } else {
        format!(
            "{}督查暗访共发现问题{found_on_visits}个（各单位数见附表“暗访问题”列），现将其中{}个问题曝光如下：",
            month.label(),
            exposed.len()
        )
    }];
    exposed_lines.extend(
        exposed
            .iter()
            .enumerate()
            .map(|(i, (_, unit, place, what))| format!("{}. {unit}（{place}）：{what}", i + 1)),
    );
    sections.push(Section {
        heading: "四、暗访曝光问题".into(),
        paragraphs: exposed_lines,
    });
    let mut form_lines: Vec<String> = forms
        .iter()
        .map(|(unit, person, form, reason)| {
            let label = anjian_core::accountability::Form::parse(form)
                .map(|f| f.label())
                .unwrap_or("");
            let who = person
                .as_deref()
                .map(|p| format!("{unit}{p}"))
                .unwrap_or_else(|| unit.clone());
            format!("对{who}予以{label}（{reason}）。")
        })
        .collect();
    if form_lines.is_empty() {
        form_lines.push("本月无问责事项。".into());
    }
    sections.push(reports_section(month, reports));
    sections.push(Section {
        heading: "六、问责情况".into(),
        paragraphs: form_lines,
    });
    sections.push(Section {
        heading: "七、工作要求".into(),
        paragraphs: vec!["各单位要对照通报问题举一反三，逾期隐患限期整改到位，零执法单位要立即开展执法检查，排名靠后单位要深入分析原因、制定整改措施，并于下月5日前将整改情况报区安委办。".into()],
    });
    let tables = rankings
        .iter()
        .filter(|r| !r.units.is_empty())
        .map(|r| BulletinTable {
            caption: format!("{}{}安全生产工作排名", month.label(), r.kind.label()),
            header: [
                "名次",
                "单位",
                "得分",
                "按时完成率",
                "隐患整改率",
                "逾期隐患",
                "执法检查",
                "暗访问题",
            ]
            .map(String::from)
            .to_vec(),
            rows: r
                .units
                .iter()
                .map(|u| {
                    vec![
                        u.score.rank.to_string(),
                        u.unit.name.clone(),
                        u.total_label(),
                        u.unit.on_time_label(),
                        u.unit.rectification_label(),
                        u.unit.overdue.to_string(),
                        u.unit.inspections.to_string(),
                        u.unit.visit_findings.to_string(),
                    ]
                })
                .collect(),
        })
        .collect();
    Bulletin {
        issuer: issuer.to_string(),
        doc_no: doc_no.to_string(),
        title: format!("关于{}全区安全生产工作情况的通报", month.label()),
        addressees: "各镇人民政府、街道办事处，区安委会各成员单位，各有关单位：".into(),
        opening: format!(
            "为压紧压实安全生产责任，推动隐患排查整治和执法检查落地落实，区安委办对{}各镇街、各部门安全生产工作情况进行了排名，现将有关情况通报如下。",
            month.label()
        ),
        sections,
        tables,
        issued_on: today,
    }
}

/// What an action's audit entry says of the rankings it kept.
pub(crate) fn kept_note(kept: &[String]) -> String {
    if kept.is_empty() {
        String::new()
    } else {
        format!("；同时留存排名：{}", kept.join("、"))
    }
}
