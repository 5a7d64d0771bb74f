//! The synthetic city's responsibility for the benchmarks (`bench --scale
//! responsibility`): 200,000 enterprises registered, 5,000 officials and their duty
//! records, written in bulk.

use super::*;

/// The synthetic city's responsibility for benchmarks: every enterprise registered
/// (one in five listed), a head and four responsible officials per township (5,000
/// officials in all), each listed enterprise's administrative official (or, for
/// townships without listed enterprises, industry officials of ten elsewhere) and head,
/// and
/// the officials' and heads' duty records from May to `now` (some months short), in
/// multi-row inserts within one transaction. Returns (enterprises, officials,
/// records).
pub async fn city(db: &Db, now: i64) -> Result<(usize, usize, usize), anjian_store::Error> {
    use anjian_store::db::{Arg, day, insert_rows};
    use anjian_store::ids::next_id;
    let sectors: Vec<(i64,)> = db
        .read()
        .all(q("SELECT id FROM sectors ORDER BY id"))
        .await?;
    let towns: Vec<(i64, String)> = db
        .read()
        .all(q(
            "SELECT id, name FROM units WHERE kind = 'township' ORDER BY id",
        ))
        .await?;
    let ents: Vec<(i64, String, i64)> = db
        .read()
        .all(q("SELECT u.id, u.name, u.parent_id FROM units u JOIN units t ON t.id = u.parent_id WHERE u.kind = 'enterprise' AND t.kind = 'township' ORDER BY u.id"))
        .await?;
    let start = NaiveDate::from_ymd_opt(2022, 5, 1).expect("date");
    let today = anjian_core::time::local_date(now).unwrap_or(start);
    let levels = ["red", "orange", "yellow", "blue", "yellow"];
    let mut tx = db.begin().await?;
    let mut listed_of: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    for (c, chunk) in ents.chunks(500).enumerate() {
        let rows: Vec<Vec<Arg>> = chunk
            .iter()
            .enumerate()
            .map(|(k, (id, _, town))| {
                let i = c * 500 + k;
                let listed = i % 5 == 0;
                if listed {
                    listed_of.entry(*town).or_default().push(*id);
                }
                vec![
                    (*id).into(),
                    credit_code(1_000_000 + i).into(),
                    (*town).into(),
                    sectors[i % sectors.len().max(1)].0.into(),
                    ([8i64, 25, 60, 140, 18][i % 5]).into(),
                    levels[i % 5].into(),
                    i64::from(i % 97 == 0).into(),
                    listed.into(),
                    now.into(),
                ]
            })
            .collect();
        tx.execute(insert_rows(
            "INSERT INTO enterprises (unit_id, credit_code, township_id, sector_id, staff, risk_level, major_hazards, listed, updated_at) VALUES ",
            &rows,
        ))
        .await?;
    }
    // Officials: the head and four responsible officials of each township.
    let mut officials = Vec::new();
    let mut heads = Vec::new();
    let mut deputies: Vec<(i64, i64)> = Vec::new();
    for (ti, (town, tname)) in towns.iter().enumerate() {
        let h = next_id(now);
        heads.push(h);
        officials.push(vec![
            h.into(),
            (*town).into(),
            name(ti).into(),
            format!("{tname}党委书记").into(),
            Some("township_head").into(),
            now.into(),
            now.into(),
        ]);
        for k in 0..4 {
            let o = next_id(now);
            deputies.push((*town, o));
            officials.push(vec![
                o.into(),
                (*town).into(),
                name(ti * 4 + k + 7).into(),
                format!("{tname}副职领导").into(),
                None::<String>.into(),
                now.into(),
                now.into(),
            ]);
        }
    }
    for chunk in officials.chunks(500) {
        tx.execute(insert_rows(
            "INSERT INTO officials (id, unit_id, name, title, post, created_at, updated_at) VALUES ",
            chunk,
        ))
        .await?;
    }
    // Persons and records.
    let mut persons: Vec<Vec<Arg>> = Vec::new();
    let mut records: Vec<Vec<Arg>> = Vec::new();
    let months: Vec<NaiveDate> = (5..=12)
        .filter_map(|m| NaiveDate::from_ymd_opt(2022, m, 1))
        .filter(|d| *d <= today)
        .collect();
    let push_record =
        |records: &mut Vec<Vec<Arg>>, o: i64, activity: &str, on: NaiveDate, ent: Option<i64>| {
            if on <= today {
                records.push(vec![
                    next_id(now).into(),
                    o.into(),
                    activity.into(),
                    day(on).into(),
                    "现场".into(),
                    "检查".into(),
                    ent.into(),
                    "counted".into(),
                    now.into(),
                ]);
            }
        };
    // Officials of townships without listed enterprises supervise ten elsewhere, as a
    // department's industry officials would.
    let all_listed: Vec<i64> = listed_of.values().flatten().copied().collect();
    let mut spare = 0usize;
    for (i, (town, o)) in deputies.iter().enumerate() {
        let (role, mine): (&str, Vec<i64>) = match listed_of.get(town) {
            Some(v) => (
                "administrative",
                v.iter().skip(i % 4).step_by(4).copied().collect(),
            ),
            None if !all_listed.is_empty() => {
                let v = (0..10)
                    .map(|k| all_listed[(spare * 10 + k) % all_listed.len()])
                    .collect();
                spare += 1;
                ("industry", v)
            }
            None => ("administrative", Vec::new()),
        };
        for e in &mine {
            persons.push(vec![
                next_id(now).into(),
                (*e).into(),
                role.into(),
                Some(*o).into(),
                name(i).into(),
                "副职领导".into(),
                day(start).into(),
                now.into(),
            ]);
            persons.push(vec![
                next_id(now).into(),
                (*e).into(),
                "enterprise".into(),
                None::<i64>.into(),
                name(i + 3).into(),
                "总经理".into(),
                day(start).into(),
                now.into(),
            ]);
        }
        let Some(first) = mine.first().copied() else {
            continue;
        };
        let second = mine.get(1).copied().unwrap_or(first);
        for (mi, m) in months.iter().enumerate() {
            let short = (i + mi) % 6 == 0;
            for (activity, d, ent) in [
                ("inspection", 3u64, first),
                ("inspection", 17, second),
                ("problem_fixed", 9, first),
                ("problem_fixed", 23, second),
                ("difficulty_solved", 11, first),
                ("difficulty_solved", 25, second),
            ] {
                if short && d == 17 {
                    continue;
                }
                push_record(
                    &mut records,
                    *o,
                    activity,
                    *m + chrono::Days::new(d),
                    Some(ent),
                );
            }
        }
    }
    for (i, h) in heads.iter().enumerate() {
        for m in &months {
            if i % 7 != 3 {
                push_record(&mut records, *h, "study", *m + chrono::Days::new(7), None);
            }
            push_record(
                &mut records,
                *h,
                "site_inspection",
                *m + chrono::Days::new(19),
                None,
            );
        }
    }
    for chunk in persons.chunks(500) {
        tx.execute(insert_rows(
            "INSERT INTO responsible_persons (id, enterprise_id, role, official_id, name, title, from_on, created_at) VALUES ",
            chunk,
        ))
        .await?;
    }
    for chunk in records.chunks(500) {
        tx.execute(insert_rows(
            "INSERT INTO duty_records (id, official_id, activity, on_day, place, topic, enterprise_id, state, created_at) VALUES ",
            chunk,
        ))
        .await?;
    }
    tx.analyze(&[
        "enterprises",
        "officials",
        "responsible_persons",
        "duty_records",
    ])
    .await?;
    tx.commit().await?;
    Ok((ents.len(), officials.len(), records.len()))
}
