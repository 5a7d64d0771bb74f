//! The office dashboard (工作看板): a month's figures in the viewer's scope, read from
//! the month's rankings (so the dashboard, the ranking and the bulletin agree): the
//! office sees every township and department and their sum, a township or department
//! its own locality; with the six months before for the trend.

use anjian_core::monthly_report::Month;
use anjian_core::time::Moment;
use chrono::NaiveDate;
use serde::Serialize;

use crate::db::{Db, q};
use crate::error::Result;
use crate::rankings::{Kind, UnitMonth};
use crate::scope::Scope;

/// A township's or department's line on the dashboard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LocalityLine {
    pub kind: Kind,
    pub rank: usize,
    /// Score in hundredths.
    pub total: i64,
    pub bottom: bool,
    pub unit: UnitMonth,
}

/// One month of the trend.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    pub month: String,
    pub found: i64,
    pub closed: i64,
    pub overdue: i64,
    pub inspections: i64,
}

/// The dashboard of a month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub month: String,
    /// The sum over the localities in scope.
    pub totals: UnitMonth,
    /// `None` when no duty fell due in the month (shown "—").
    pub on_time_rate: Option<i64>,
    pub rectification_rate: i64,
    pub localities: Vec<LocalityLine>,
    pub trend: Vec<TrendPoint>,
}

/// The viewer's own locality, `Some(None)` for the office (all), `None` for no data.
fn own(scope: &Scope) -> Option<Option<i64>> {
    match scope {
        Scope::All => Some(None),
        Scope::Nothing => None,
        _ => Some(Some(scope.own_locality().unwrap_or(0))),
    }
}

/// The localities of both rankings of `month` within `scope`.
async fn lines(
    db: &Db,
    scope: &Scope,
    Moment { ms: now_ms, today }: Moment,
    month: Month,
) -> Result<Vec<LocalityLine>> {
    let Some(own) = own(scope) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    if month.last < today && crate::rankings::is_kept(db, &month.name()).await? {
        // Kept: read the rows in scope, not whole rankings.
        let mut query =
            q("SELECT ranked_json FROM ranking_units WHERE month = $1").bind(month.name());
        if let Some(o) = own {
            query = query.push(" AND unit_id = ").push_bind(o);
        }
        let rows: Vec<(String,)> = db
            .read()
            .all(query.push(" ORDER BY kind DESC, position"))
            .await?;
        for r in crate::rankings::parse_rows(rows) {
            let kind = r.kind;
            out.push(line(kind, r));
        }
        return Ok(out);
    }
    // The month under way, or an ended one not kept yet: as it stands, not written.
    for r in crate::rankings::standing(db, now_ms, today, month).await? {
        let kind = r.kind;
        out.extend(
            r.units
                .into_iter()
                .filter(|r| own.is_none_or(|o| o == r.unit.unit_id))
                .map(|r| line(kind, r)),
        );
    }
    Ok(out)
}

fn line(kind: Kind, r: crate::rankings::Ranked) -> LocalityLine {
    LocalityLine {
        kind,
        rank: r.score.rank,
        total: r.score.total,
        bottom: r.bottom,
        unit: r.unit,
    }
}

/// The trend figures of the months `months` in scope, summed per month: the kept
/// rankings in one grouped read, and the figures of a month not kept yet computed
/// (nothing is written on a read).
async fn trend(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    months: &[Month],
) -> Result<Vec<TrendPoint>> {
    let Some(own) = own(scope) else {
        return Ok(Vec::new());
    };
    let mut query = q(
        "SELECT month, CAST(SUM(found) AS BIGINT), CAST(SUM(closed) AS BIGINT), CAST(SUM(overdue) AS BIGINT), CAST(SUM(inspections) AS BIGINT) FROM ranking_units WHERE month IN (",
    );
    for (i, m) in months.iter().enumerate() {
        query = query
            .push(if i == 0 { "" } else { ", " })
            .push_bind(m.name());
    }
    query = query.push(")");
    if let Some(o) = own {
        query = query.push(" AND unit_id = ").push_bind(o);
    }
    let rows: Vec<(String, i64, i64, i64, i64)> =
        db.read().all(query.push(" GROUP BY month")).await?;
    let mut out = Vec::with_capacity(months.len());
    for m in months {
        let point = match rows.iter().find(|r| r.0 == m.name()) {
            Some(r) => TrendPoint {
                month: m.name(),
                found: r.1,
                closed: r.2,
                overdue: r.3,
                inspections: r.4,
            },
            None if crate::rankings::is_kept(db, &m.name()).await? => TrendPoint {
                month: m.name(),
                ..TrendPoint::default()
            },
            None => {
                let mut p = TrendPoint {
                    month: m.name(),
                    ..TrendPoint::default()
                };
                for (_, u) in crate::rankings::month_figures(db, *m, today).await? {
                    if own.is_none_or(|o| o == u.unit_id) {
                        p.found += u.found;
                        p.closed += u.closed;
                        p.overdue += u.overdue;
                        p.inspections += u.inspections;
                    }
                }
                p
            }
        };
        out.push(point);
    }
    Ok(out)
}

/// The sum of `units`' months, named 合计 (a district's dashboard total; the city's
/// over its districts).
pub fn sum<'a>(units: impl IntoIterator<Item = &'a UnitMonth>) -> UnitMonth {
    let mut t = UnitMonth {
        name: "合计".into(),
        ..UnitMonth::default()
    };
    for u in units {
        t.due += u.due;
        t.on_time += u.on_time;
        t.late += u.late;
        t.missed += u.missed;
        t.found += u.found;
        t.closed += u.closed;
        t.major += u.major;
        t.listed += u.listed;
        t.overdue += u.overdue;
        t.listed_overdue += u.listed_overdue;
        t.visit_findings += u.visit_findings;
        t.inspections += u.inspections;
        t.crackdowns += u.crackdowns;
        t.unlisted += u.unlisted;
        t.enterprises += u.enterprises;
        t.problems += u.problems;
        t.penalties += u.penalties;
        t.amount_fen += u.amount_fen;
        t.accidents += u.accidents;
        t.serious_accidents += u.serious_accidents;
        t.due_to_date += u.due_to_date;
        t.done_to_date += u.done_to_date;
    }
    t
}

/// The dashboard of `month` (begun by `today`) in `scope`: the months before it are
/// kept rankings (computed once), so the trend is one grouped read.
pub async fn month(
    db: &Db,
    scope: &Scope,
    Moment { ms: now_ms, today }: Moment,
    month: Month,
) -> Result<Dashboard> {
    let localities = lines(db, scope, Moment::new(now_ms, today), month).await?;
    let totals = sum(localities.iter().map(|l| &l.unit));
    let mut months = Vec::new();
    let mut m = month;
    for _ in 0..6 {
        m = Month::of(m.first.pred_opt().unwrap_or(m.first));
        months.push(m);
    }
    months.reverse();
    let mut trend = trend(db, scope, today, &months).await?;
    trend.push(TrendPoint {
        month: month.name(),
        found: totals.found,
        closed: totals.closed,
        overdue: totals.overdue,
        inspections: totals.inspections,
    });
    Ok(Dashboard {
        month: month.name(),
        on_time_rate: totals.on_time_rate(),
        rectification_rate: totals.rectification_rate(),
        totals,
        localities,
        trend,
    })
}
