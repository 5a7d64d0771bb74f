//! The office dashboard (工作看板), the home page's upper half for the office, townships
//! and departments: a month's figures in scope with server-drawn SVG charts (scores as
//! bars, hazards per locality stacked, the trend as lines), a month selector, and every
//! figure a link to the list behind it.

use anjian_core::chart;
use anjian_core::monthly_report::Month;
use anjian_store::dashboard::{self, Dashboard};
use anjian_store::rankings::Kind;

use crate::AppState;
use crate::error::Problem;

type User = anjian_store::accounts::SessionUser;

/// What the home page shows of the dashboard.
pub struct DashboardView {
    pub d: Dashboard,
    pub month_label: String,
    /// The months to choose from: the twelve up to this one, newest first.
    pub months: Vec<(String, String)>,
    pub office: bool,
    /// The lines of the table (all of a district; the lowest ranked of a city).
    pub rows: Vec<anjian_store::dashboard::LocalityLine>,
    pub scores_svg: String,
    pub stacked_svg: String,
    pub trend_svg: String,
}

/// The dashboard of `month` (default: the last month that has ended) for `u`, or
/// `None` for users it is not for (enterprises, the separated administrators).
pub async fn view(
    state: &AppState,
    u: &User,
    month: Option<&str>,
) -> Result<Option<DashboardView>, Problem> {
    let Ok(scope) = u.rankings_scope() else {
        return Ok(None);
    };
    let month = crate::input::month_or_last(state, month)?;
    if month.first > state.today() {
        return Err(Problem::from(anjian_core::FieldError::new(
            "month_not_begun",
            "month",
            format!("{}尚未开始", month.label()),
        )));
    }
    let d = dashboard::month(&state.db, &scope, state.moment(), month).await?;
    let mut months = Vec::new();
    let mut m = Month::of(state.today());
    for _ in 0..12 {
        months.push((m.name(), m.label()));
        m = Month::of(m.first.pred_opt().unwrap_or(m.first));
    }
    let townships: Vec<_> = d
        .localities
        .iter()
        .filter(|l| l.kind == Kind::Township)
        .collect();
    // A city has a thousand townships: the chart shows the lowest fifteen.
    let shown = townships
        .len()
        .saturating_sub(if townships.len() > 30 { 15 } else { 30 });
    let scores_svg = chart::bars(
        if shown > 0 {
            "得分最低的15个镇街"
        } else {
            "镇街得分"
        },
        &townships[shown..]
            .iter()
            .map(|l| {
                let name = match l.unit.veto {
                    Some(_) => format!("{}（否决）", l.unit.name),
                    None => l.unit.name.clone(),
                };
                (name, l.total / 100)
            })
            .collect::<Vec<_>>(),
        60,
        chart::Measure::Points,
    );
    // The table lists every unit of a district, and the last twenty of a city.
    let rows: Vec<_> = if d.localities.len() > 100 {
        let mut worst: Vec<_> = d.localities.iter().collect();
        worst.sort_by_key(|l| (std::cmp::Reverse(l.rank), l.unit.unit_id));
        worst.into_iter().take(20).cloned().collect()
    } else {
        d.localities.clone()
    };
    let mut by_found: Vec<_> = d.localities.iter().collect();
    by_found.sort_by_key(|l| std::cmp::Reverse(l.unit.found + l.unit.overdue));
    let stacked_svg = chart::stacked_bars(
        "隐患：已整改 / 未整改 / 逾期（前15个单位）",
        &[
            ("已整改", "#2e7d32"),
            ("未整改", "#f9a825"),
            ("逾期", "#c62828"),
        ],
        &by_found
            .iter()
            .take(15)
            .map(|l| {
                let open = (l.unit.found - l.unit.closed).max(0);
                (
                    l.unit.name.clone(),
                    format!("/hazards?locality={}&month={}", l.unit.unit_id, d.month),
                    vec![l.unit.closed, open, l.unit.overdue],
                )
            })
            .collect::<Vec<_>>(),
    );
    let labels: Vec<String> = d
        .trend
        .iter()
        .map(|t| {
            format!(
                "{}月",
                t.month.get(5..).unwrap_or("").trim_start_matches('0')
            )
        })
        .collect();
    let trend_svg = chart::lines(
        "近七个月走势",
        &labels,
        &[
            (
                "发现隐患",
                "#1565c0",
                d.trend.iter().map(|t| t.found).collect(),
            ),
            (
                "已整改",
                "#2e7d32",
                d.trend.iter().map(|t| t.closed).collect(),
            ),
            (
                "执法检查",
                "#6a1b9a",
                d.trend.iter().map(|t| t.inspections).collect(),
            ),
        ],
    );
    Ok(Some(DashboardView {
        month_label: month.label(),
        months,
        office: u.role().sees_everything(),
        rows,
        scores_svg,
        stacked_svg,
        trend_svg,
        d,
    }))
}
