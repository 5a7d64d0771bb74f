//! The office dashboard (工作看板): a month's figures in the viewer's scope, read from
//! the month's rankings (so the dashboard, the ranking and the bulletin agree): the
//! office sees every township and department and their sum, a township or department
//! its own locality; with the six months before for the trend.

use anjian_core::monthly_report::Month;
use chrono::NaiveDate;
use serde::Serialize;

use crate::db::Db;
use crate::error::Result;
use crate::rankings::{Kind, UnitMonth};
use crate::scope::Scope;

/// A township's or department's line on the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct LocalityLine {
    pub kind: Kind,
    pub rank: usize,
    /// Score in hundredths.
    pub total: i64,
    pub bottom: bool,
    pub unit: UnitMonth,
}

/// One month of the trend.
#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub month: String,
    pub found: i64,
    pub closed: i64,
    pub overdue: i64,
    pub inspections: i64,
}

/// The dashboard of a month.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub month: String,
    /// The sum over the localities in scope.
    pub totals: UnitMonth,
    pub on_time_rate: i64,
    pub rectification_rate: i64,
    pub localities: Vec<LocalityLine>,
    pub trend: Vec<TrendPoint>,
}

/// The localities of both rankings of `month` within `scope`.
async fn lines(
    db: &Db,
    scope: &Scope,
    (now_ms, today): (i64, NaiveDate),
    month: Month,
) -> Result<Vec<LocalityLine>> {
    let own = match scope {
        Scope::All => None,
        Scope::Nothing => return Ok(Vec::new()),
        _ => Some(scope.own_locality()),
    };
    let mut out = Vec::new();
    for kind in [Kind::Township, Kind::Department] {
        let r = crate::rankings::ranking(db, now_ms, today, month, kind).await?;
        out.extend(
            r.units
                .into_iter()
                .filter(|r| own.is_none_or(|o| o == Some(r.unit.unit_id)))
                .map(|r| LocalityLine {
                    kind,
                    rank: r.score.rank,
                    total: r.score.total,
                    bottom: r.bottom,
                    unit: r.unit,
                }),
        );
    }
    Ok(out)
}


fn sum(lines: &[LocalityLine]) -> UnitMonth {
    let mut t = UnitMonth {
        name: "合计".into(),
        ..UnitMonth::default()
    };
    for l in lines {
        let u = &l.unit;
        t.due += u.due;
        t.on_time += u.on_time;
        t.found += u.found;
        t.closed += u.closed;
        t.major += u.major;
        t.listed += u.listed;
        t.overdue += u.overdue;
        t.listed_overdue += u.listed_overdue;
        t.visit_findings += u.visit_findings;
        t.inspections += u.inspections;
        t.enterprises += u.enterprises;
        t.problems += u.problems;
        t.penalties += u.penalties;
        t.amount_fen += u.amount_fen;
        t.accidents += u.accidents;
    }
    t
}

/// The dashboard of `month` (begun by `today`) in `scope`.
pub async fn month(
    db: &Db,
    scope: &Scope,
    (now_ms, today): (i64, NaiveDate),
    month: Month,
) -> Result<Dashboard> {
    let localities = lines(db, scope, (now_ms, today), month).await?;
    let totals = sum(&localities);
    let mut trend = Vec::new();
    let mut m = month;
    for _ in 0..6 {
        m = Month::of(m.first.pred_opt().unwrap_or(m.first));
        let t = sum(&lines(db, scope, (now_ms, today), m).await?);
        trend.push(TrendPoint {
            month: m.name(),
            found: t.found,
            closed: t.closed,
            overdue: t.overdue,
            inspections: t.inspections,
        });
    }
    trend.reverse();
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
