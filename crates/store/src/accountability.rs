//! The accountability ladder (问责) as kept: forms recorded against a unit or a named
//! person, the rules' suggestions for a month (from the kept ranking and the ledger),
//! and the office's confirmation or dismissal of each, every change in one transaction
//! with its audit entry. Read in scope: a township or department sees the forms against
//! units of its own subtree.

use anjian_core::accountability::{
    Facts, Form, Ladder, Rule, State as AState, Step, check_rules, default_rules, suggest,
};
use anjian_core::machine::{Machine, States};
use anjian_core::monthly_report::Month;
use anjian_core::obligation::State;
use anjian_core::time::Moment;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::rankings::Kind;
use crate::scope::{Actor, Scope};
use crate::transition::{Kept, Move, apply};

/// Setting key of the rules (JSON).
pub const RULES: &str = "accountability_rules";

/// The office's rules, or the default ones.
pub async fn rules(db: &Db) -> Result<Vec<Rule>> {
    let stored = crate::settings::get(db, RULES).await?;
    Ok(stored
        .and_then(|s| serde_json::from_str::<Vec<Rule>>(&s).ok())
        .unwrap_or_else(default_rules))
}

/// Replaces the rules after checking their thresholds (audited).
pub async fn set_rules(db: &Db, now_ms: i64, actor: &Actor, rules: Vec<Rule>) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let rules = check_rules(rules)?;
    let json = serde_json::to_string(&rules).unwrap_or_default();
    crate::settings::set(db, now_ms, actor, "accountability.rules", RULES, &json).await
}

/// A link to the figures behind a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub label: String,
    pub href: String,
}

/// A form as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FormRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub person: Option<String>,
    pub form: String,
    pub reason: String,
    pub evidence_json: String,
    pub month: Option<String>,
    /// suggested, confirmed or dismissed.
    pub state: String,
    pub decided_on: Option<String>,
    pub dismissed_reason: Option<String>,
}

impl FormRow {
    /// The form's Chinese name.
    pub fn form_label(&self) -> &'static str {
        Form::parse(&self.form).map(|f| f.label()).unwrap_or("")
    }

    /// The state's Chinese name.
    pub fn state_label(&self) -> &'static str {
        AState::label_of(&self.state)
    }

    /// Whether it still waits for the office's decision (a rule's suggestion).
    pub fn suggested(&self) -> bool {
        AState::parse(&self.state) == Some(AState::Suggested)
    }

    /// The evidence links.
    pub fn evidence(&self) -> Vec<Evidence> {
        serde_json::from_str(&self.evidence_json).unwrap_or_default()
    }
}

/// Makes the rules' suggestions for `month` (a month that has ended) from its kept
/// rankings; a suggestion already made for a unit, rule and month is not made again.
/// Returns how many are new.
pub async fn suggest_for(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    month: Month,
) -> Result<usize> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    if month.last >= today {
        return Err(Error::invalid(
            "month_not_ended",
            "month",
            format!("{}尚未结束，不能据此提出问责建议", month.label()),
        ));
    }
    let rules = rules(db).await?;
    // Units whose monthly report of the month was never submitted (自查自改不认真).
    let missing: Vec<(i64,)> = db
        .read()
        .all(
            q(format!("SELECT DISTINCT o.unit_id FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN plan_duties d ON d.id = a.duty_id WHERE d.monthly_report = 1 AND o.due_on >= $1 AND o.due_on <= $2 AND o.state IN {}", State::sql_list(&State::OPEN)))
                .bind(crate::db::day(month.first))
                .bind(crate::db::day(month.last)),
        )
        .await?;
    let missing: std::collections::HashSet<i64> = missing.into_iter().map(|(u,)| u).collect();
    let mut facts = Vec::new();
    let mut kinds = std::collections::HashMap::new();
    for kind in [Kind::Township, Kind::Department] {
        let ranking = crate::rankings::ranking(db, now_ms, today, month, kind).await?;
        for r in ranking.units {
            kinds.insert(r.unit.unit_id, kind);
            facts.push(Facts {
                unit_id: r.unit.unit_id,
                listed_overdue: r.unit.listed_overdue,
                bottom_run: r.bottom_run,
                behind_run: r.behind_run,
                zero_enforcement: r.unit.inspections == 0,
                visit_findings: r.unit.visit_findings,
                serious_accidents: r.unit.serious_accidents,
                accidents: r.unit.accidents + r.unit.unlisted,
                monthly_report_missing: missing.contains(&r.unit.unit_id),
                late_obligations: (r.unit.due - r.unit.on_time).max(0),
            });
        }
    }
    let suggestions = suggest(&rules, &facts);
    // The month's rankings, kept with the suggestions: computed before their transaction.
    let ranked = crate::rankings::to_keep(db, Moment::new(now_ms, today), month, false).await?;
    let mut tx = db.begin().await?;
    let mut made = 0;
    for s in &suggestions {
        let kind = kinds.get(&s.unit_id).copied().unwrap_or(Kind::Township);
        let evidence = evidence_for(&s.rule_key, month, kind, s.unit_id);
        let id = next_id(now_ms);
        let done = tx
            .execute(
                q("INSERT INTO accountability (id, unit_id, form, reason, evidence_json, month, rule_key, created_by, created_at, updated_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) ON CONFLICT (unit_id, rule_key, month) DO NOTHING")
                    .bind(id)
                    .bind(s.unit_id)
                    .bind(s.form.as_str())
                    .bind(s.reason.as_str())
                    .bind(serde_json::to_string(&evidence).unwrap_or_default())
                    .bind(month.name())
                    .bind(s.rule_key.as_str())
                    .bind(actor.user_id)
                    .bind(now_ms)
                    .bind(Ladder::INITIAL[0].as_str()),
            )
            .await?;
        made += done as usize;
    }
    let kept = crate::rankings::keep_in(&mut tx, &ranked).await?;
    let entry = Entry::ok("accountability.suggest", "month", month.name()).detail(format!(
        "{}：按规则新提出{}条问责建议{}",
        month.label(),
        made,
        crate::bulletins::kept_note(&kept)
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(made)
}

/// The links behind a suggestion: the ranking always, and the list its rule reads.
fn evidence_for(rule_key: &str, month: Month, kind: Kind, unit: i64) -> Vec<Evidence> {
    let mut out = vec![Evidence {
        label: format!("{}排名", month.label()),
        href: format!("/rankings/{}?kind={}#u{unit}", month.name(), kind.as_str()),
    }];
    let trigger = rule_key.split(':').next().unwrap_or_default();
    match trigger {
        "listed_overdue" => out.push(Evidence {
            label: "逾期隐患".into(),
            href: format!("/hazards?locality={unit}&status=overdue"),
        }),
        "zero_enforcement" => out.push(Evidence {
            label: "执法检查".into(),
            href: format!("/enforcements?month={}", month.name()),
        }),
        "self_inspection_lax" => out.push(Evidence {
            label: "月报报送情况".into(),
            href: "/monthly-reports".into(),
        }),
        "serious_accident" | "many_accidents" => out.push(Evidence {
            label: "生产安全事故".into(),
            href: format!("/accidents?month={}", month.name()),
        }),
        "visit_findings" => out.push(Evidence {
            label: "暗访发现问题".into(),
            href: format!("/hazards?locality={unit}&month={}", month.name()),
        }),
        _ => {}
    }
    out
}

/// A form recorded directly by the office.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FormInput {
    pub unit: Option<i64>,
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub form: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub decided_on: String,
    /// Evidence links, one per line (`label|href` or just the address).
    #[serde(default)]
    pub evidence: String,
}

/// Records a form against a unit (and optionally a named person), confirmed at once.
pub async fn record(db: &Db, now_ms: i64, actor: &Actor, input: &FormInput) -> Result<i64> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let form = Form::parse(&input.form)?;
    let unit = input
        .unit
        .ok_or_else(|| Error::invalid("required", "unit", "请选择被问责单位"))?;
    let reason = anjian_core::error::required_text("reason", "问责事由", &input.reason, 2000)?;
    let person = anjian_core::error::optional_text("person", "被问责人", &input.person, 50)?;
    let decided = anjian_core::error::required_date("decided_on", "决定日期", &input.decided_on)?;
    let evidence: Vec<Evidence> = input
        .evidence
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(20)
        .map(|l| match l.split_once('|') {
            Some((label, href)) => Evidence {
                label: label.trim().chars().take(50).collect(),
                href: href.trim().chars().take(300).collect(),
            },
            None => Evidence {
                label: "佐证".into(),
                href: l.chars().take(300).collect(),
            },
        })
        .collect();
    let mut tx = db.begin().await?;
    let exists: Option<(i64,)> = tx
        // Any unit, an enterprise included: an accident's employer, qualification holder,
        // contractor or dispatching agency is held accountable like a township (issue 23
        // part 4).
        .opt(q("SELECT id FROM units WHERE id = $1").bind(unit))
        .await?;
    if exists.is_none() {
        return Err(Error::invalid("unknown_unit", "unit", "被问责单位不存在"));
    }
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO accountability (id, unit_id, person, form, reason, evidence_json, month, decided_on, created_by, created_at, updated_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)")
            .bind(id)
            .bind(unit)
            .bind(person.clone())
            .bind(form.as_str())
            .bind(reason.as_str())
            .bind(serde_json::to_string(&evidence).unwrap_or_default())
            .bind(Month::of(decided).name())
            .bind(day(decided))
            .bind(actor.user_id)
            .bind(now_ms)
            .bind(AState::Confirmed.as_str()),
    )
    .await?;
    let entry = Entry::ok("accountability.record", "accountability", id)
        .change(None, Some(AState::Confirmed.as_str()))
        .detail(format!("{}：{}", form.label(), reason));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// Confirms (with the decision's date) or dismisses (with a reason) a suggestion.
pub async fn decide(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    confirm: bool,
    reason: &str,
) -> Result<()> {
    let by = crate::transition::relation(scope, actor, None);
    let step = if confirm {
        Step::Confirm
    } else {
        Step::Dismiss
    };
    crate::transition::may::<Ladder>(step, &by)?;
    let reason = anjian_core::error::optional_text("reason", "驳回理由", reason, 1000)?;
    if !confirm && reason.is_none() {
        return Err(Error::invalid(
            "reason_required",
            "reason",
            "驳回建议须写明理由",
        ));
    }
    let mut tx = db.begin().await?;
    let (state,): (String,) = tx
        .opt(q("SELECT state FROM accountability WHERE id = $1").bind(id))
        .await?
        .ok_or(Error::NotFound)?;
    let from = AState::parse(&state).unwrap_or(AState::Dismissed);
    let mv = Move::<Ladder>::new(id, step, from, &by)
        .set("decided_on", confirm.then(|| day(today)))
        .set("dismissed_reason", reason.clone());
    let entry =
        Entry::ok("accountability.decide", "accountability", id).detail(reason.unwrap_or_default());
    apply(&mut tx, now_ms, actor, mv, entry).await?;
    tx.commit().await
}

impl Kept for Ladder {
    const RELATION: &'static str = "accountability";
    const COLUMN: &'static str = "state";
    const CONFLICT: &'static str = "该问责建议已由他人确认或驳回，请刷新后查看";
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub month: Option<String>,
    pub unit: Option<i64>,
    pub state: Option<String>,
}

/// Forms against units in scope, newest first (at most 500).
pub async fn list(db: &Db, scope: &Scope, filter: &Filter) -> Result<Vec<FormRow>> {
    let mut query = scope.units(
        q("SELECT a.id, a.unit_id, u.name AS unit_name, a.person, a.form, a.reason, a.evidence_json, a.month, a.state, a.decided_on, a.dismissed_reason FROM accountability a JOIN units u ON u.id = a.unit_id WHERE "),
        "u",
    );
    if let Some(m) = &filter.month {
        query = query.push(" AND a.month = ").push_bind(m.clone());
    }
    if let Some(u) = filter.unit {
        query = query.push(" AND a.unit_id = ").push_bind(u);
    }
    if let Some(s) = &filter.state {
        query = query.push(" AND a.state = ").push_bind(s.clone());
    }
    db.read()
        .all(query.push(" ORDER BY a.id DESC LIMIT 500"))
        .await
}
