//! A campaign's obligations and their activity: `obligations` gives every unit of a
//! synthetic directory about `per_unit` obligations for the benchmarks; `activity` plays
//! the demo campaign's months up to the demo's day, so that the office (区安委办) sees
//! reports to review and overdue units, and each township (巴川街道's `bachuan`) its
//! own to-do list.

use super::*;

/// Loads about `per_unit` obligations for every township, department and enterprise into
/// a campaign of `plan_id` (10 work items a unit), due from 16 May to 22 October 2022,
/// in a realistic mix of states: most accepted, some late, returned, submitted, and the
/// rest pending (overdue or not, depending on the day). Returns how many rows it wrote.
pub async fn obligations(
    db: &Db,
    now: i64,
    campaign_id: i64,
    plan_id: i64,
    per_unit: usize,
) -> Result<usize, anjian_store::Error> {
    let items: Vec<(i64,)> = db
        .read()
        .all(q("SELECT id FROM work_items WHERE plan_id = $1 ORDER BY no").bind(plan_id))
        .await?;
    let units: Vec<(i64,)> = db.read().all(q("SELECT id FROM units WHERE kind IN ('township', 'department', 'enterprise') ORDER BY id")).await?;
    let start = chrono::NaiveDate::from_ymd_opt(2022, 5, 16).expect("date");
    let per_item = per_unit.div_ceil(10).max(1);
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut tx = db.begin().await?;
    let mut written = 0;
    let mut assignments = Vec::new();
    let mut rows: Vec<(i64, i64, String, &'static str)> = Vec::new();
    for (n, (unit,)) in units.iter().enumerate() {
        for k in 0..10 {
            let item = items[(n * 7 + k * 11) % items.len()].0;
            let aid = next_id(now);
            assignments.push((aid, item, *unit, if k == 0 { "lead" } else { "co" }));
            for i in 0..per_item {
                let due =
                    start + chrono::Duration::days(((i * 160) / per_item) as i64 + (k as i64 % 7));
                use anjian_core::obligation::State;
                let state = match next() % 100 {
                    0..=59 => State::Accepted,
                    60..=69 => State::DoneLate,
                    70..=74 => State::Returned,
                    75..=79 => State::Submitted,
                    _ => State::Pending,
                };
                let state = if due > chrono::NaiveDate::from_ymd_opt(2022, 8, 15).expect("date")
                    && state != State::Pending
                    && next() % 2 == 0
                {
                    State::Pending
                } else {
                    state
                };
                rows.push((
                    aid,
                    *unit,
                    due.format("%Y-%m-%d").to_string(),
                    state.as_str(),
                ));
            }
        }
    }
    // Written 300 rows a statement with the store's multi-row insert.
    let assignment_rows: Vec<Vec<anjian_store::db::Arg>> = assignments
        .iter()
        .map(|(id, item, unit, role)| {
            vec![
                (*id).into(),
                campaign_id.into(),
                (*item).into(),
                None::<i64>.into(),
                (*unit).into(),
                (*role).into(),
                now.into(),
            ]
        })
        .collect();
    for chunk in assignment_rows.chunks(300) {
        tx.execute(anjian_store::db::insert_rows(
            "INSERT INTO assignments (id, campaign_id, work_item_id, duty_id, unit_id, role, created_at) VALUES ",
            chunk,
        ))
        .await?;
    }
    let obligation_rows: Vec<Vec<anjian_store::db::Arg>> = rows
        .iter()
        .map(|(aid, unit, due, state)| {
            vec![
                next_id(now).into(),
                campaign_id.into(),
                (*aid).into(),
                (*unit).into(),
                due.clone().into(),
                format!("{}前", &due[5..]).into(),
                1.into(),
                (*state).into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    for chunk in obligation_rows.chunks(300) {
        written += tx
            .execute(anjian_store::db::insert_rows(
                "INSERT INTO obligations (id, campaign_id, assignment_id, unit_id, due_on, label, min_count, state, created_at, updated_at) VALUES ",
                chunk,
            ))
            .await? as usize;
    }
    tx.commit().await?;
    db.settle().await?;
    Ok(written)
}

/// Generates a campaign's activity up to `as_of` for the demo: of the obligations due by
/// then, most were reported and accepted on time, some accepted late, some returned with
/// a reason, some submitted and waiting, and the rest never reported (overdue). Written
/// in bulk, with one audit entry saying the activity is generated.
pub async fn activity(
    db: &Db,
    now: i64,
    campaign_id: i64,
    as_of: chrono::NaiveDate,
) -> Result<usize, anjian_store::Error> {
    let due: Vec<(i64, i64, String)> = db
        .read()
        .all(q("SELECT o.id, o.unit_id, o.due_on FROM obligations o JOIN assignments a ON a.id = o.assignment_id WHERE o.campaign_id = $1 AND o.due_on <= $2 AND a.role <> 'invited' ORDER BY o.id").bind(campaign_id).bind(as_of.format("%Y-%m-%d").to_string()))
        .await?;
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % 100
    };
    let mut tx = db.begin().await?;
    let mut reports = Vec::new();
    let mut states: Vec<(i64, &'static str)> = Vec::new();
    for (id, unit, due_on) in &due {
        let due = chrono::NaiveDate::parse_from_str(due_on, "%Y-%m-%d").unwrap_or(as_of);
        let (state, submitted, decision, reason) = match next() {
            0..=61 => (
                "accepted",
                due - chrono::Duration::days(1 + (next() % 5) as i64),
                Some("accepted"),
                None,
            ),
            62..=73 => (
                "done_late",
                due + chrono::Duration::days(1 + (next() % 9) as i64),
                Some("accepted"),
                None,
            ),
            74..=79 => (
                "returned",
                due - chrono::Duration::days(1),
                Some("returned"),
                Some("佐证材料不全，请补充会议记录或照片"),
            ),
            80..=84 => ("submitted", due, None, None),
            _ => continue,
        };
        let submitted = submitted.min(as_of);
        let at = anjian_core::time::at_local(submitted, 10).unwrap_or(now);
        reports.push((
            next_id(now),
            *id,
            *unit,
            at,
            submitted.format("%Y-%m-%d").to_string(),
            decision,
            reason,
        ));
        states.push((*id, state));
    }
    for chunk in reports.chunks(200) {
        let mut insert = q(
            "INSERT INTO progress_reports (id, obligation_id, unit_id, author_id, text, submitted_at, submitted_on, decision, reason, reviewed_at) VALUES ",
        );
        for (i, (id, obligation, unit, at, on, decision, reason)) in chunk.iter().enumerate() {
            insert = insert
                .push(if i == 0 { "(" } else { ", (" })
                .push_bind(*id)
                .push(", ")
                .push_bind(*obligation)
                .push(", ")
                .push_bind(*unit)
                .push(", NULL, '已按要求落实，相关材料已归档（演示数据）', ")
                .push_bind(*at)
                .push(", ")
                .push_bind(on.clone())
                .push(", ")
                .push_bind(decision.map(str::to_string))
                .push(", ")
                .push_bind(reason.map(str::to_string))
                .push(", ")
                .push_bind(decision.map(|_| *at + 86_400_000))
                .push(")");
        }
        tx.execute(insert).await?;
    }
    for state in ["accepted", "done_late", "returned", "submitted"] {
        let ids: Vec<i64> = states
            .iter()
            .filter(|(_, s)| *s == state)
            .map(|(id, _)| *id)
            .collect();
        for chunk in ids.chunks(500) {
            let mut update = q("UPDATE obligations SET state = ")
                .push_bind(state)
                .push(", updated_at = ")
                .push_bind(now)
                .push(" WHERE id IN (");
            for (i, id) in chunk.iter().enumerate() {
                update = if i == 0 {
                    update.push_bind(*id)
                } else {
                    update.push(", ").push_bind(*id)
                };
            }
            tx.execute(update.push(")")).await?;
        }
    }
    let detail = format!("演示数据：截至{as_of}生成{}条报送记录", reports.len());
    audit::append(
        &mut tx,
        now,
        &Actor::system("demo"),
        Entry::ok("demo.activity", "campaign", campaign_id).detail(detail),
    )
    .await?;
    tx.commit().await?;
    db.settle().await?;
    Ok(reports.len())
}
