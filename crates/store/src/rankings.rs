//! The monthly ranking (每月通报排名): each township's and department's figures for a
//! month read from the obligations, the hazard ledger (by locality), enforcement and
//! visit findings in a handful of grouped queries; scored under the office's scheme
//! (`core::ranking`) among peers of the same kind; and kept per month and kind so that
//! the bulletin, the ladder and the dashboard read the same numbers. A ranking of a
//! month that has ended is computed once and kept until the office recomputes it.

use anjian_core::time::Moment;
use std::collections::HashMap;

use anjian_core::case::Status as HazardStatus;
use anjian_core::machine::States as _;
use anjian_core::monthly_report::Month;
use anjian_core::obligation::State;
use anjian_core::ranking::{Figures, Part, Scheme, Score};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::db::{Db, Tx, day, q};
use crate::error::{Error, Result};
use crate::scope::{Actor, Scope, locality};

/// Setting key of the scoring scheme (JSON list of `[part, weight]`).
pub const SCHEME: &str = "ranking_scheme";

/// Peers ranked together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Township,
    Department,
}

impl Kind {
    /// The stored name (the units' kind).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Township => "township",
            Kind::Department => "department",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Township => "镇街及管委会",
            Kind::Department => "区级部门",
        }
    }

    /// Reads `township` or `department` (field `kind`).
    pub fn parse(s: &str) -> Result<Kind> {
        match s.trim() {
            "township" | "" => Ok(Kind::Township),
            "department" => Ok(Kind::Department),
            _ => Err(Error::invalid(
                "invalid_kind",
                "kind",
                "排名类别应为 township（镇街）或 department（部门）",
            )),
        }
    }
}

/// The office's scheme, or the default one.
pub async fn scheme(db: &Db) -> Result<Scheme> {
    let stored = crate::settings::get(db, SCHEME).await?;
    Ok(stored
        .and_then(|s| serde_json::from_str::<Vec<(Part, i64)>>(&s).ok())
        .and_then(|w| Scheme::check(w).ok())
        .unwrap_or_else(Scheme::default_scheme))
}

/// Sets the scheme after checking that its weights add up to 100 (audited).
pub async fn set_scheme(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    weights: Vec<(Part, i64)>,
    shown: Option<Month>,
) -> Result<Scheme> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let scheme = Scheme::check(weights)?;
    let json = serde_json::to_string(&scheme.weights).unwrap_or_default();
    let mut tx = db.begin().await?;
    crate::settings::set_in(&mut tx, now_ms, actor, "ranking.scheme", SCHEME, &json).await?;
    // The month the office is looking at is ranked under the new scheme from now on.
    if let Some(m) = shown {
        forget(&mut tx, m.first).await?;
    }
    tx.commit().await?;
    Ok(scheme)
}

/// One unit's month: the figures the score reads and those the dashboard and the
/// bulletin show beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnitMonth {
    pub unit_id: i64,
    pub name: String,
    /// Obligations due in the month (campaign work, not hazard deadlines), waived aside.
    pub due: i64,
    /// Of those, done by their day (accepted on a report made in time).
    pub on_time: i64,
    /// Done after their day.
    #[serde(default)]
    pub late: i64,
    /// Still open past their day.
    #[serde(default)]
    pub missed: i64,
    /// Hazards of the locality found in the month.
    pub found: i64,
    pub closed: i64,
    pub major: i64,
    pub listed: i64,
    /// Hazards of the locality open past their deadline at the month's end.
    pub overdue: i64,
    pub listed_overdue: i64,
    /// Hazards found by supervision and unannounced visits in the month.
    pub visit_findings: i64,
    pub inspections: i64,
    /// 打非治违 cases recorded or joined in the month.
    #[serde(default)]
    pub crackdowns: i64,
    pub enterprises: i64,
    pub problems: i64,
    pub penalties: i64,
    pub amount_fen: i64,
    /// Production-safety accidents in the month.
    pub accidents: i64,
    /// Major hazards of the locality found in the month by a visit, an inspection or a
    /// tip, never in the unit's own ledger (未列入清单, item (63)): counted with the
    /// accidents in the ranking and the ladder, as the plan says "未列入清单、经查实属于
    /// 重大隐患的，要当作事故对待".
    #[serde(default)]
    pub unlisted: i64,
    /// Of those, larger or worse, or concealed.
    #[serde(default)]
    pub serious_accidents: i64,
    /// Campaign obligations due by the month's end, and of those closed or submitted:
    /// the campaign's progress.
    #[serde(default)]
    pub due_to_date: i64,
    #[serde(default)]
    pub done_to_date: i64,
    /// The reason of a one-vote veto (一票否决) the office recorded for the month.
    #[serde(default)]
    pub veto: Option<String>,
}

impl UnitMonth {
    /// On-time rate, 0–100, as `core::obligation::on_time_rate` defines it; `None` when
    /// nothing fell due.
    pub fn on_time_rate(&self) -> Option<i64> {
        anjian_core::obligation::on_time_percent(self.on_time, self.late, self.missed)
    }

    /// The on-time rate as pages and the bulletin show it ("—" when nothing fell due).
    pub fn on_time_label(&self) -> String {
        anjian_core::obligation::percent_label(self.on_time_rate())
    }

    /// Campaign progress as pages show it: "无应办事项" when nothing was due yet.
    pub fn progress_label(&self) -> String {
        if self.due_to_date == 0 {
            "无应办事项".into()
        } else {
            format!("{}%", self.progress())
        }
    }

    /// The rectification rate as pages and the bulletin show it: "无隐患" when none was
    /// found.
    pub fn rectification_label(&self) -> String {
        if self.found == 0 {
            "无隐患".into()
        } else {
            format!("{}%", self.rectification_rate())
        }
    }

    /// Campaign progress at the month's end, 0–100 (nothing due yet: 100).
    pub fn progress(&self) -> i64 {
        if self.due_to_date == 0 {
            100
        } else {
            self.done_to_date.min(self.due_to_date) * 100 / self.due_to_date
        }
    }

    /// Rectification rate of the month's hazards, 0–100 (none found: 100).
    pub fn rectification_rate(&self) -> i64 {
        if self.found == 0 {
            100
        } else {
            self.closed * 100 / self.found
        }
    }

    /// The figures the score reads (`core::ranking`).
    pub fn figures(&self) -> Figures {
        Figures {
            unit_id: self.unit_id,
            on_time_rate: self.on_time_rate(),
            rectification_rate: self.rectification_rate(),
            overdue: self.overdue,
            inspections: self.inspections,
            crackdowns: self.crackdowns,
            visit_findings: self.visit_findings,
            accidents: self.accidents + self.unlisted,
            veto: self.veto.is_some(),
        }
    }
}

/// A unit's place in the month's ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Ranked {
    /// Township or department: the peers it is ranked among.
    pub kind: Kind,
    pub unit: UnitMonth,
    pub score: Score,
    /// Last place among its peers.
    pub bottom: bool,
    /// In the bottom third among its peers.
    pub behind: bool,
    /// Months running, ending with this one, in last place / in the bottom third.
    pub bottom_run: i64,
    pub behind_run: i64,
}

impl Ranked {
    /// The total as shown, 87.50.
    pub fn total_label(&self) -> String {
        format!("{}.{:02}", self.score.total / 100, self.score.total % 100)
    }
}

/// The month's ranking of one kind of unit, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Ranking {
    pub month: String,
    pub kind: Kind,
    pub computed_at: i64,
    pub units: Vec<Ranked>,
}

impl Ranking {
    /// Units marked behind several months running (at least `months`).
    pub fn behind_for(&self, months: i64) -> Vec<&Ranked> {
        self.units
            .iter()
            .filter(|r| r.behind_run >= months)
            .collect()
    }
}

/// The figures of every township and department for `month` as of `today` (five grouped
/// queries, none per unit).
pub async fn month_figures(
    db: &Db,
    month: Month,
    today: NaiveDate,
) -> Result<Vec<(Kind, UnitMonth)>> {
    let enforcement = crate::enforcements::tally(db, &Scope::All, month).await?;
    let mut units: Vec<(Kind, UnitMonth)> = enforcement
        .into_iter()
        .map(|t| {
            let kind = if t.kind == "department" {
                Kind::Department
            } else {
                Kind::Township
            };
            (
                kind,
                UnitMonth {
                    unit_id: t.unit_id,
                    name: t.unit_name,
                    inspections: t.inspections,
                    crackdowns: t.crackdowns,
                    enterprises: t.enterprises,
                    problems: t.problems,
                    penalties: t.penalties,
                    amount_fen: t.amount_fen,
                    ..UnitMonth::default()
                },
            )
        })
        .collect();
    let at: HashMap<i64, usize> = units
        .iter()
        .enumerate()
        .map(|(i, (_, u))| (u.unit_id, i))
        .collect();
    let (first, last) = (day(month.first), day(month.last));
    // Obligations due in the month, per unit, rolled up to the locality, counted as
    // `core::obligation::on_time_rate` defines on time.
    #[derive(sqlx::FromRow)]
    struct InMonth {
        path: String,
        due: i64,
        on_time: i64,
        late: i64,
        missed: i64,
    }
    let dues: Vec<InMonth> = db
        .read()
        .all(
            q(format!("SELECT u.path, t.due, t.on_time, t.late, t.missed FROM (SELECT o.unit_id, \
               CAST(SUM(CASE WHEN o.state <> {waived} THEN 1 ELSE 0 END) AS BIGINT) AS due, \
               CAST(SUM(CASE WHEN o.state = {accepted} THEN 1 ELSE 0 END) AS BIGINT) AS on_time, \
               CAST(SUM(CASE WHEN o.state = {late} THEN 1 ELSE 0 END) AS BIGINT) AS late, \
               CAST(SUM(CASE WHEN o.state IN {open} AND o.due_on < $3 THEN 1 ELSE 0 END) AS BIGINT) AS missed \
               FROM obligations o WHERE o.case_id IS NULL AND o.due_on >= $1 AND o.due_on <= $2 GROUP BY o.unit_id) t \
               JOIN units u ON u.id = t.unit_id",
               waived = State::Waived.sql(),
               accepted = State::Accepted.sql(),
               late = State::DoneLate.sql(),
               open = State::sql_list(&State::OPEN)))
            .bind(first.clone())
            .bind(last.clone())
            .bind(day(today)),
        )
        .await?;
    for d in dues {
        if let Some(&i) = locality(&d.path).and_then(|l| at.get(&l)) {
            let u = &mut units[i].1;
            u.due += d.due;
            u.on_time += d.on_time;
            u.late += d.late;
            u.missed += d.missed;
        }
    }
    #[derive(sqlx::FromRow)]
    struct Due {
        path: String,
        due: i64,
        on_time: i64,
    }
    // The campaigns' progress: obligations due by the month's end, per unit.
    let progress: Vec<Due> = db
        .read()
        .all(
            q(format!(
                "SELECT u.path, t.due, t.on_time FROM (SELECT o.unit_id, \
               CAST(SUM(CASE WHEN o.state <> {waived} THEN 1 ELSE 0 END) AS BIGINT) AS due, \
               CAST(SUM(CASE WHEN o.state IN {done} THEN 1 ELSE 0 END) AS BIGINT) AS on_time \
               FROM obligations o WHERE o.case_id IS NULL AND o.due_on <= $1 GROUP BY o.unit_id) t \
               JOIN units u ON u.id = t.unit_id",
                waived = State::Waived.sql(),
                done = State::sql_list(&[State::Accepted, State::DoneLate, State::Submitted])
            ))
            .bind(last.clone()),
        )
        .await?;
    for d in progress {
        if let Some(&i) = locality(&d.path).and_then(|l| at.get(&l)) {
            units[i].1.due_to_date += d.due;
            units[i].1.done_to_date += d.on_time;
        }
    }
    // Accidents of the month per unit, rolled up to the locality; a larger accident or
    // worse, or one the township or department itself concealed ("对政府和部门瞒报一律实行
    // “一票否决”"), is a one-vote veto.
    #[derive(sqlx::FromRow)]
    struct Accidents {
        path: String,
        accidents: i64,
        serious: i64,
    }
    let accidents: Vec<Accidents> = db
        .read()
        .all(
            q("SELECT u.path, t.accidents, t.serious FROM (SELECT a.unit_id, CAST(COUNT(*) AS BIGINT) AS accidents, \
               CAST(SUM(CASE WHEN a.grade <> 'ordinary' OR (a.concealed = 1 AND a.concealed_by = 'unit') THEN 1 ELSE 0 END) AS BIGINT) AS serious \
               FROM accidents a WHERE a.occurred_on >= $1 AND a.occurred_on <= $2 GROUP BY a.unit_id) t JOIN units u ON u.id = t.unit_id")
            .bind(day(month.first))
            .bind(day(month.last)),
        )
        .await?;
    for a in accidents {
        if let Some(&i) = locality(&a.path).and_then(|l| at.get(&l)) {
            let u = &mut units[i].1;
            u.accidents += a.accidents;
            u.serious_accidents += a.serious;
            if a.serious > 0 {
                u.veto = Some("发生较大及以上或瞒报的生产安全事故".into());
            }
        }
    }
    // One-vote vetoes the office recorded for the month.
    let vetoes: Vec<(i64, String)> = db
        .read()
        .all(q("SELECT unit_id, reason FROM ranking_vetoes WHERE month = $1").bind(month.name()))
        .await?;
    for (unit, reason) in vetoes {
        if let Some(&i) = at.get(&unit) {
            units[i].1.veto = Some(reason);
        }
    }
    // Hazards found in the month, per locality.
    #[derive(sqlx::FromRow)]
    struct Found {
        locality_id: Option<i64>,
        found: i64,
        closed: i64,
        major: i64,
        listed: i64,
        visit_findings: i64,
        unlisted: i64,
    }
    let found: Vec<Found> = db
        .read()
        .all(
            q(format!("SELECT h.locality_id, CAST(COUNT(*) AS BIGINT) AS found, \
               CAST(SUM(CASE WHEN h.status = {closed} THEN 1 ELSE 0 END) AS BIGINT) AS closed, \
               CAST(SUM(CASE WHEN h.level = 'major' THEN 1 ELSE 0 END) AS BIGINT) AS major, \
               CAST(SUM(h.listed) AS BIGINT) AS listed, \
               CAST(SUM(CASE WHEN h.source IN ('unannounced_visit', 'supervision_visit') THEN 1 ELSE 0 END) AS BIGINT) AS visit_findings, \
               CAST(SUM(CASE WHEN h.level = 'major' AND h.source <> 'self_inspection' THEN 1 ELSE 0 END) AS BIGINT) AS unlisted \
               FROM hazards h WHERE h.discovered_on >= $1 AND h.discovered_on <= $2 GROUP BY h.locality_id",
               closed = HazardStatus::Closed.sql()))
            .bind(first)
            .bind(last.clone()),
        )
        .await?;
    for f in found {
        if let Some(&i) = f.locality_id.and_then(|l| at.get(&l)) {
            let u = &mut units[i].1;
            (
                u.found,
                u.closed,
                u.major,
                u.listed,
                u.visit_findings,
                u.unlisted,
            ) = (
                f.found,
                f.closed,
                f.major,
                f.listed,
                f.visit_findings,
                f.unlisted,
            );
        }
    }
    // Hazards open past their deadline at the month's end (or today, if sooner).
    let end = day(month.last.min(today.pred_opt().unwrap_or(today)));
    let overdue: Vec<(Option<i64>, i64, i64)> = db
        .read()
        .all(
            q(format!(
                "SELECT h.locality_id, CAST(COUNT(*) AS BIGINT), CAST(SUM(h.listed) AS BIGINT) \
               FROM hazards h WHERE h.status IN {} \
               AND h.deadline <= $1 AND h.discovered_on <= $2 GROUP BY h.locality_id",
                HazardStatus::sql_list(&HazardStatus::OPEN)
            ))
            .bind(end)
            .bind(last),
        )
        .await?;
    for (l, n, listed) in overdue {
        if let Some(&i) = l.and_then(|l| at.get(&l)) {
            (units[i].1.overdue, units[i].1.listed_overdue) = (n, listed);
        }
    }
    Ok(units)
}

/// Records a one-vote veto (一票否决) of `unit` (a township or department) in `month`
/// with its reason, and recomputes the month if it has ended (audited). A second veto
/// of the same unit and month replaces the reason.
pub async fn set_veto(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    month: Month,
    unit: Option<i64>,
    reason: &str,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let unit = unit.ok_or_else(|| Error::invalid("required", "unit", "请选择一票否决的单位"))?;
    let reason = anjian_core::error::required_text("reason", "否决事由", reason, 500)?;
    if month.first > today {
        return Err(Error::invalid(
            "month_not_begun",
            "month",
            format!("{}尚未开始", month.label()),
        ));
    }
    let mut tx = db.begin().await?;
    let found: Option<(String,)> = tx
        .opt(
            q("SELECT name FROM units WHERE id = $1 AND kind IN ('township', 'zone_committee', 'department')")
                .bind(unit),
        )
        .await?;
    let Some((name,)) = found else {
        return Err(Error::invalid(
            "unknown_unit",
            "unit",
            "一票否决的单位应为镇街或部门",
        ));
    };
    tx.execute(
        q("DELETE FROM ranking_vetoes WHERE month = $1 AND unit_id = $2")
            .bind(month.name())
            .bind(unit),
    )
    .await?;
    tx.execute(
        q("INSERT INTO ranking_vetoes (month, unit_id, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(month.name())
            .bind(unit)
            .bind(reason.as_str())
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    let entry = crate::audit::Entry::ok("ranking.veto", "unit", unit)
        .detail(format!("{} {name} 一票否决：{reason}", month.label()));
    crate::audit::append(&mut tx, now_ms, actor, entry).await?;
    // A month already kept is ranked again with the veto.
    forget(&mut tx, month.first).await?;
    tx.commit().await?;
    Ok(())
}

/// Ranks the figures of `kind` under `scheme`, marking last places and the bottom
/// third, with the runs carried on from the previous month's ranking when given.
pub fn rank_units(
    scheme: &Scheme,
    kind: Kind,
    units: Vec<UnitMonth>,
    previous: Option<&Ranking>,
) -> Vec<Ranked> {
    let figures: Vec<Figures> = units.iter().map(UnitMonth::figures).collect();
    let scores = anjian_core::ranking::rank(scheme, &figures);
    let mut by_id: HashMap<i64, UnitMonth> = units.into_iter().map(|u| (u.unit_id, u)).collect();
    let last_rank = scores.iter().map(|s| s.rank).max().unwrap_or(0);
    let n = scores.len();
    let before: HashMap<i64, (i64, i64)> = previous
        .filter(|p| p.kind == kind)
        .map(|p| {
            p.units
                .iter()
                .map(|r| (r.unit.unit_id, (r.bottom_run, r.behind_run)))
                .collect()
        })
        .unwrap_or_default();
    scores
        .into_iter()
        .filter_map(|score| {
            let unit = by_id.remove(&score.unit_id)?;
            let bottom = n > 1 && score.rank == last_rank;
            // The bottom third: ranked after two thirds of the peers.
            let behind = n > 2 && score.rank * 3 > n * 2;
            let (b, h) = before.get(&score.unit_id).copied().unwrap_or((0, 0));
            Some(Ranked {
                kind,
                unit,
                bottom,
                behind,
                bottom_run: if bottom { b + 1 } else { 0 },
                behind_run: if behind { h + 1 } else { 0 },
                score,
            })
        })
        .collect()
}

/// The kept ranking of `month` and `kind`, if any.
async fn kept(db: &Db, month: &str, kind: Kind) -> Result<Option<Ranking>> {
    let header: Option<(i64,)> = db
        .read()
        .opt(
            q("SELECT computed_at FROM rankings WHERE month = $1 AND kind = $2")
                .bind(month)
                .bind(kind.as_str()),
        )
        .await?;
    let Some((computed_at,)) = header else {
        return Ok(None);
    };
    let rows: Vec<(String,)> = db
        .read()
        .all(
            q("SELECT ranked_json FROM ranking_units WHERE month = $1 AND kind = $2 ORDER BY position")
                .bind(month)
                .bind(kind.as_str()),
        )
        .await?;
    Ok(Some(Ranking {
        month: month.to_string(),
        kind,
        computed_at,
        units: parse_rows(rows),
    }))
}

/// Kept rows, read back.
pub(crate) fn parse_rows(rows: Vec<(String,)>) -> Vec<Ranked> {
    rows.into_iter()
        .filter_map(|(json,)| serde_json::from_str(&json).ok())
        .collect()
}

/// Whether the rankings of `month` are kept.
pub async fn is_kept(db: &Db, month: &str) -> Result<bool> {
    let n: Option<(i64,)> = db
        .read()
        .opt(q("SELECT computed_at FROM rankings WHERE month = $1").bind(month))
        .await?;
    Ok(n.is_some())
}

/// Writes `ranking` in place of the one kept before, inside `tx`. Keeping is part of
/// an action (the job's, the office's recomputation, a bulletin, the accountability
/// suggestions), whose one audit entry names the months kept.
async fn write_kept(tx: &mut Tx, ranking: &Ranking) -> Result<()> {
    let kind = ranking.kind.as_str();
    for table in ["ranking_units", "rankings"] {
        tx.execute(
            q(format!(
                "DELETE FROM {table} WHERE month = $1 AND kind = $2"
            ))
            .bind(ranking.month.clone())
            .bind(kind),
        )
        .await?;
    }
    tx.execute(
        q("INSERT INTO rankings (month, kind, computed_at) VALUES ($1, $2, $3)")
            .bind(ranking.month.clone())
            .bind(kind)
            .bind(ranking.computed_at),
    )
    .await?;
    let rows: Vec<Vec<crate::db::Arg>> = ranking
        .units
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                ranking.month.as_str().into(),
                kind.into(),
                r.unit.unit_id.into(),
                (i as i64).into(),
                r.unit.found.into(),
                r.unit.closed.into(),
                r.unit.overdue.into(),
                r.unit.inspections.into(),
                serde_json::to_string(r).unwrap_or_default().into(),
            ]
        })
        .collect();
    for chunk in rows.chunks(200) {
        tx.execute(crate::db::insert_rows(
            "INSERT INTO ranking_units (month, kind, unit_id, position, found, closed, overdue, inspections, ranked_json) VALUES ",
            chunk,
        ))
        .await?;
    }
    Ok(())
}

/// The rankings of the ended months up to `month` that are not kept (back to a kept
/// month or the first campaign's month, at most a year), computed oldest first so that
/// the runs of last places and of months behind carry on; with `again`, `month` itself
/// too when it has ended (the office's recomputation). Reads what is committed and
/// writes nothing: computed before the keeping action opens its transaction, so that no
/// writer waits on the computation.
pub async fn to_keep(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    month: Month,
    again: bool,
) -> Result<Vec<[Ranking; 2]>> {
    let mut months = missing(db, today, month).await?;
    if again && month.last < today && !months.contains(&month) {
        months.push(month);
    }
    let mut ranked: Vec<[Ranking; 2]> = Vec::with_capacity(months.len());
    for m in &months {
        let r = rank_month(db, now_ms, today, *m, ranked.last()).await?;
        ranked.push(r);
    }
    Ok(ranked)
}

/// Keeps `ranked` ([`to_keep`]) inside the acting transaction `tx`; answers the months
/// kept, for the action's one entry of the chain.
pub async fn keep_in(tx: &mut Tx, ranked: &[[Ranking; 2]]) -> Result<Vec<String>> {
    let mut months = Vec::with_capacity(ranked.len());
    for pair in ranked {
        for r in pair {
            write_kept(tx, r).await?;
        }
        months.push(pair[0].month.clone());
    }
    Ok(months)
}

/// The ended months up to `month` whose rankings are not kept, oldest first (back to a
/// kept month or the first campaign's month, at most a year).
async fn missing(db: &Db, today: NaiveDate, month: Month) -> Result<Vec<Month>> {
    let mut missing = Vec::new();
    let mut m = month;
    if m.last >= today {
        m = Month::of(m.first.pred_opt().unwrap_or(m.first));
    }
    let started = first_month(db).await?;
    for _ in 0..12 {
        if started.is_some_and(|f| m.first < f.first) || is_kept(db, &m.name()).await? {
            break;
        }
        missing.push(m);
        m = Month::of(m.first.pred_opt().unwrap_or(m.first));
    }
    missing.reverse();
    Ok(missing)
}

/// Forgets, inside `tx`, the kept rankings of the month of `day` after a late change to
/// what they read (an accident recorded, or found concealed, afterwards): the month is
/// computed on reading again until the job keeps it anew.
pub async fn forget(tx: &mut Tx, day: NaiveDate) -> Result<()> {
    let month = Month::of(day).name();
    for table in ["ranking_units", "rankings"] {
        tx.execute(q(format!("DELETE FROM {table} WHERE month = $1")).bind(month.clone()))
            .await?;
    }
    Ok(())
}

/// The job's keeping of the ended months up to `month` not kept yet: one transaction,
/// one entry of the chain naming them (nothing when every month is kept).
pub async fn ensure_kept(db: &Db, now_ms: i64, today: NaiveDate, month: Month) -> Result<()> {
    let ranked = to_keep(db, Moment::new(now_ms, today), month, false).await?;
    if ranked.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let kept = keep_in(&mut tx, &ranked).await?;
    let e = crate::audit::Entry::ok("ranking.keep", "ranking", kept.join(","))
        .detail(format!("留存{}个月的排名", kept.len()));
    crate::audit::append(&mut tx, now_ms, &Actor::system("ranking"), e).await?;
    tx.commit().await
}

/// The office's recomputation of `month`: the months before it are kept first when they
/// are not (oldest first), so that the runs carry on, then `month` is computed and, if
/// it has ended, kept anew; one transaction, one entry of the chain.
pub async fn recompute(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    month: Month,
) -> Result<Vec<String>> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let ranked = to_keep(db, Moment::new(now_ms, today), month, true).await?;
    let mut tx = db.begin().await?;
    let kept = keep_in(&mut tx, &ranked).await?;
    let e = crate::audit::Entry::ok("ranking.recompute", "ranking", month.name()).detail(
        if kept.is_empty() {
            format!("{}尚未结束，排名按读取时计算", month.label())
        } else {
            format!("重新计算并留存：{}", kept.join("、"))
        },
    );
    crate::audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(kept)
}

/// Ranks `month` (both kinds) without writing, carrying the runs of last places and
/// months behind on from `previous` (the month before, ranked here), or else from the
/// month before as kept.
async fn rank_month(
    db: &Db,
    now_ms: i64,
    today: NaiveDate,
    month: Month,
    previous: Option<&[Ranking; 2]>,
) -> Result<[Ranking; 2]> {
    let scheme = scheme(db).await?;
    let figures = month_figures(db, month, today).await?;
    let previous_month = Month::of(month.first.pred_opt().unwrap_or(month.first));
    // Runs start with the campaigns: a month before the first one is not carried on.
    let started = first_month(db).await?;
    let carried = started.is_none_or(|f| previous_month.first >= f.first);
    let mut out = Vec::with_capacity(2);
    for (i, kind) in [Kind::Township, Kind::Department].into_iter().enumerate() {
        let before = if previous_month.first < month.first && carried {
            match previous {
                Some(p) => Some(p[i].clone()),
                None => kept(db, &previous_month.name(), kind).await?,
            }
        } else {
            None
        };
        let units: Vec<UnitMonth> = figures
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, u)| u.clone())
            .collect();
        out.push(Ranking {
            month: month.name(),
            kind,
            computed_at: now_ms,
            units: rank_units(&scheme, kind, units, before.as_ref()),
        });
    }
    let department = out.pop().unwrap_or_else(|| empty(month, Kind::Department));
    let township = out.pop().unwrap_or_else(|| empty(month, Kind::Township));
    Ok([township, department])
}

/// The rankings of `month` as they stand, without writing anything (what a page or an
/// API read shows): the kept ones of an ended month that is kept; otherwise computed,
/// carrying the runs on from the kept months before it, or from the months before it
/// computed here in memory when those are not kept either (at most a year back, not
/// before the first campaign's month).
pub async fn standing(
    db: &Db,
    now_ms: i64,
    today: NaiveDate,
    month: Month,
) -> Result<[Ranking; 2]> {
    let started = first_month(db).await?;
    let mut chain = Vec::new();
    let mut m = month;
    for _ in 0..13 {
        if m.last < today
            && let (Some(t), Some(d)) = (
                kept(db, &m.name(), Kind::Township).await?,
                kept(db, &m.name(), Kind::Department).await?,
            )
        {
            if chain.is_empty() {
                return Ok([t, d]);
            }
            break;
        }
        chain.push(m);
        let before = Month::of(m.first.pred_opt().unwrap_or(m.first));
        if before.first >= m.first || started.is_some_and(|f| before.first < f.first) {
            break;
        }
        m = before;
    }
    let mut previous: Option<[Ranking; 2]> = None;
    for m in chain.into_iter().rev() {
        previous = Some(rank_month(db, now_ms, today, m, previous.as_ref()).await?);
    }
    Ok(previous.unwrap_or_else(|| [empty(month, Kind::Township), empty(month, Kind::Department)]))
}

/// The rankings of every ended month of `year` since the first campaign's month, oldest
/// first: the kept ones read, the others computed once in order so that the runs carry
/// on (read, never written; the annual assessment's months).
pub async fn year_months(
    db: &Db,
    now_ms: i64,
    today: NaiveDate,
    year: i32,
) -> Result<Vec<[Ranking; 2]>> {
    let started = first_month(db).await?;
    let mut out: Vec<[Ranking; 2]> = Vec::new();
    for m in 1..=12u32 {
        let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else {
            continue;
        };
        let month = Month::of(first);
        if month.last >= today || started.is_some_and(|f| month.first < f.first) {
            continue;
        }
        let kept_pair = (
            kept(db, &month.name(), Kind::Township).await?,
            kept(db, &month.name(), Kind::Department).await?,
        );
        let pair = match kept_pair {
            (Some(t), Some(d)) => [t, d],
            _ if out.is_empty() => standing(db, now_ms, today, month).await?,
            _ => rank_month(db, now_ms, today, month, out.last()).await?,
        };
        out.push(pair);
    }
    Ok(out)
}

fn empty(month: Month, kind: Kind) -> Ranking {
    Ranking {
        month: month.name(),
        kind,
        computed_at: 0,
        units: Vec::new(),
    }
}

/// The month the first campaign started in: rankings, and their runs of last places and
/// months behind, start with it ("排名连续落后" counts the campaign's months only).
pub async fn first_month(db: &Db) -> Result<Option<Month>> {
    let (first,): (Option<String>,) = db
        .read()
        .one(q("SELECT MIN(starts_on) FROM campaigns"))
        .await?;
    Ok(first
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .map(Month::of))
}

/// The ranking of `month` and `kind` as it stands ([`standing`]: read, never written;
/// keeping is the job's and the office's audited action). A month that has not begun
/// is refused (field `month`).
pub async fn ranking(
    db: &Db,
    now_ms: i64,
    today: NaiveDate,
    month: Month,
    kind: Kind,
) -> Result<Ranking> {
    if month.first > today {
        return Err(Error::invalid(
            "month_not_begun",
            "month",
            format!("{}尚未开始，无法排名", month.label()),
        ));
    }
    let [township, department] = standing(db, now_ms, today, month).await?;
    Ok(match kind {
        Kind::Township => township,
        Kind::Department => department,
    })
}

/// A unit's annual rating mark: a one-vote veto in the year, with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AnnualVeto {
    pub unit_id: i64,
    pub name: String,
    pub reasons: Vec<String>,
}

/// The townships and departments whose annual rating `year` is vetoed (一票否决): a veto
/// the office recorded in a month of the year, or a larger-or-worse or concealed
/// accident in their locality (two queries).
pub async fn annual_vetoes(db: &Db, year: i32) -> Result<Vec<AnnualVeto>> {
    let (from, to) = (format!("{year}-01"), format!("{year}-12"));
    let recorded: Vec<(i64, String, String, String)> = db
        .read()
        .all(q("SELECT v.unit_id, u.path, v.month, v.reason FROM ranking_vetoes v JOIN units u ON u.id = v.unit_id WHERE v.month >= $1 AND v.month <= $2 ORDER BY v.month").bind(from).bind(to))
        .await?;
    let accidents: Vec<(i64, String, String, String, String, i64)> = db
        .read()
        .all(q("SELECT a.unit_id, u.path, a.occurred_on, a.grade, a.place, CAST(CASE WHEN a.concealed = 1 AND a.concealed_by = 'unit' THEN 1 ELSE 0 END AS BIGINT) AS concealed FROM accidents a JOIN units u ON u.id = a.unit_id WHERE a.occurred_on >= $1 AND a.occurred_on <= $2 AND (a.grade <> 'ordinary' OR (a.concealed = 1 AND a.concealed_by = 'unit')) ORDER BY a.occurred_on")
            .bind(format!("{year}-01-01"))
            .bind(format!("{year}-12-31")))
        .await?;
    let mut by_unit: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
    for (unit, path, month, reason) in recorded {
        by_unit
            .entry(locality(&path).unwrap_or(unit))
            .or_default()
            .push(format!("{month}：{reason}"));
    }
    for (unit, path, on, grade, place, concealed) in accidents {
        let what = if concealed == 1 {
            "瞒报事故".to_string()
        } else {
            anjian_core::accident::Grade::parse(&grade)
                .map_or("", |g| g.label())
                .to_string()
        };
        by_unit
            .entry(locality(&path).unwrap_or(unit))
            .or_default()
            .push(format!("{on}：{place}{what}"));
    }
    let ids: Vec<i64> = by_unit.keys().copied().collect();
    let names = crate::hazards::unit_names(db, &ids).await?;
    Ok(by_unit
        .into_iter()
        .map(|(unit_id, reasons)| AnnualVeto {
            name: names.get(&unit_id).cloned().unwrap_or_default(),
            unit_id,
            reasons,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::UnitMonth;
    use crate::hazards::StatLine;

    /// Nothing due is not 100 %: the pages say so (issue 17 part 5).
    #[test]
    fn nothing_due_or_found_reads_as_words_not_as_a_full_score() {
        let none = UnitMonth::default();
        assert_eq!(none.progress_label(), "无应办事项");
        assert_eq!(none.rectification_label(), "无隐患");
        let some = UnitMonth {
            due_to_date: 4,
            done_to_date: 3,
            found: 5,
            closed: 4,
            ..UnitMonth::default()
        };
        assert_eq!(some.progress_label(), "75%");
        assert_eq!(some.rectification_label(), "80%");
        assert_eq!(StatLine::default().rate_label(), "无隐患");
    }
}
