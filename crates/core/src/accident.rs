//! Production-safety accidents (生产安全事故) as State Council Decree 493 has them
//! reported and graded: the grade from deaths, serious injuries and direct economic loss
//! ("以上" includes the bound, "以下" excludes it; the highest grade any measure reaches
//! wins), a report received more than one hour after the unit's head learned of the
//! accident flagged late (article 9; the time of reporting is the server's receipt, never
//! a time the reporter types), supplementary reports of casualty changes within 30 days
//! (7 for road traffic and fire) that regrade the accident (article 13), and who
//! investigates it (article 19).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::error::{Result, optional_yuan, required_text};
use crate::time::instant;

/// The grade of an accident, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 一般事故
    Ordinary,
    /// 较大事故
    Larger,
    /// 重大事故
    Major,
    /// 特别重大事故
    EspeciallyMajor,
}

impl Grade {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Ordinary => "ordinary",
            Grade::Larger => "larger",
            Grade::Major => "major",
            Grade::EspeciallyMajor => "especially_major",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Grade::Ordinary => "一般事故",
            Grade::Larger => "较大事故",
            Grade::Major => "重大事故",
            Grade::EspeciallyMajor => "特别重大事故",
        }
    }

    /// Every grade, lowest first.
    pub const ALL: [Grade; 4] = [
        Grade::Ordinary,
        Grade::Larger,
        Grade::Major,
        Grade::EspeciallyMajor,
    ];

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// Ten thousand yuan, in yuan.
const WAN: i64 = 10_000;

/// The grade by Decree 493, article 3: especially major with 30 deaths or more, 100
/// serious injuries (acute industrial poisoning included) or more, or 100 million yuan
/// of direct loss or more; major with 10–29 deaths, 50–99 serious injuries or 50–100
/// million yuan; larger with 3–9, 10–49 or 10–50 million yuan; ordinary below. The lower
/// bound of each band counts in it ("以上" includes it, "以下" excludes it); the highest
/// grade that any of the three measures reaches is the accident's.
pub fn grade(deaths: i64, serious_injuries: i64, direct_loss_yuan: i64) -> Grade {
    let by = |value: i64, larger: i64, major: i64, especially: i64| {
        if value >= especially {
            Grade::EspeciallyMajor
        } else if value >= major {
            Grade::Major
        } else if value >= larger {
            Grade::Larger
        } else {
            Grade::Ordinary
        }
    };
    by(deaths, 3, 10, 30)
        .max(by(serious_injuries, 10, 50, 100))
        .max(by(direct_loss_yuan, 1_000 * WAN, 5_000 * WAN, 10_000 * WAN))
}

/// Minutes after the unit's head learned of the accident by which it must be reported
/// (Decree 493, article 9: "单位负责人接到报告后，应当于1小时内向事故发生地县级以上人民政府安全
/// 生产监督管理部门和负有安全生产监督管理职责的有关部门报告").
pub const REPORT_WITHIN_MINUTES: i64 = 60;

/// Whether a report received at `received_at` is late: more than an hour after the unit's
/// head learned of the accident at `learned_at`.
pub fn is_late(learned_at: DateTime<FixedOffset>, received_at: DateTime<FixedOffset>) -> bool {
    (received_at - learned_at).num_seconds() > REPORT_WITHIN_MINUTES * 60
}

/// Whether the district investigates an accident of this grade itself. Decree 493,
/// article 19: "重大事故、较大事故、一般事故分别由事故发生地省级人民政府、设区的市级人民政府、
/// 县级人民政府负责调查" — a 较大 or worse accident is investigated above the district,
/// which owes its cooperation and the follow-up, not the investigation report.
pub fn investigated_by_district(grade: Grade) -> bool {
    grade == Grade::Ordinary
}

/// Who investigates an accident of this grade, in words.
pub fn investigator(grade: Grade) -> &'static str {
    match grade {
        Grade::Ordinary => "区（县）人民政府",
        Grade::Larger => "市人民政府",
        Grade::Major => "省级人民政府",
        Grade::EspeciallyMajor => "国务院",
    }
}

/// Days after the accident in which casualty changes are reported and regrade it: 7 for
/// road traffic and fire accidents, 30 for the others (Decree 493, article 13).
pub fn supplement_days(sector: &str) -> i64 {
    if sector.contains("道路交通") || sector.contains("消防") || sector.contains("火灾") {
        7
    } else {
        30
    }
}

/// An accident report as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AccidentInput {
    #[serde(default)]
    pub sector: String,
    /// RFC 3339.
    #[serde(default)]
    pub occurred_at: String,
    /// When the unit's head learned of the accident (RFC 3339, optional; defaults to
    /// `occurred_at`). The time of reporting is the server's receipt: a `reported_at`
    /// in a body is ignored.
    #[serde(default)]
    pub learned_at: String,
    #[serde(default)]
    pub place: String,
    /// 事故简要经过.
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub deaths: Option<i64>,
    #[serde(default)]
    pub missing: Option<i64>,
    /// 重伤（包括急性工业中毒）.
    #[serde(default)]
    pub serious_injuries: Option<i64>,
    /// Estimated direct economic loss in yuan (a number or a decimal string).
    #[serde(default)]
    pub direct_loss_yuan: Option<serde_json::Value>,
    #[serde(default)]
    pub measures_taken: String,
}

/// A checked report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accident {
    pub sector: String,
    pub occurred_at: DateTime<FixedOffset>,
    pub learned_at: DateTime<FixedOffset>,
    /// The server's receipt.
    pub reported_at: DateTime<FixedOffset>,
    pub place: String,
    pub account: String,
    pub casualties: Casualties,
    pub measures_taken: Option<String>,
    pub grade: Grade,
    pub late: bool,
}

/// The casualties and loss of an accident; the grade counts the missing with the dead
/// (死亡（含失踪）).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Casualties {
    pub deaths: i64,
    pub missing: i64,
    pub serious_injuries: i64,
    /// Fen.
    pub direct_loss_fen: i64,
}

impl Casualties {
    /// The grade these figures reach.
    pub fn grade(&self) -> Grade {
        grade(
            self.deaths + self.missing,
            self.serious_injuries,
            self.direct_loss_fen / 100,
        )
    }
}

fn count(field: &'static str, label: &str, v: Option<i64>) -> Result<i64> {
    let v = v.unwrap_or(0);
    if !(0..=100_000).contains(&v) {
        return Err(FieldError::new(
            "invalid_count",
            field,
            format!("{label}应为0到100000之间的整数"),
        ));
    }
    Ok(v)
}

/// The loss as fen from a JSON number or a decimal string.
fn loss(v: &Option<serde_json::Value>) -> Result<i64> {
    let raw = match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => "x".into(),
    };
    Ok(optional_yuan("direct_loss_yuan", "直接经济损失", &raw)?.unwrap_or(0))
}

/// The casualty figures of a report or a supplement.
pub fn casualties(
    deaths: Option<i64>,
    missing: Option<i64>,
    serious_injuries: Option<i64>,
    direct_loss_yuan: &Option<serde_json::Value>,
) -> Result<Casualties> {
    Ok(Casualties {
        deaths: count("deaths", "死亡人数", deaths)?,
        missing: count("missing", "失踪人数", missing)?,
        serious_injuries: count("serious_injuries", "重伤人数", serious_injuries)?,
        direct_loss_fen: loss(direct_loss_yuan)?,
    })
}

/// Checks a report received at `now` (the time of reporting): the accident and the
/// moment the unit's head learned of it not in the future, and learned not before it
/// happened.
pub fn check(input: &AccidentInput, now: DateTime<FixedOffset>) -> Result<Accident> {
    // Every field is checked and every problem told at once (one per field).
    let mut c = crate::error::Checks::default();
    let sector = c.take(required_text("sector", "行业领域", &input.sector, 50));
    let occurred_at = c.take(instant("occurred_at", "事故发生时间", &input.occurred_at));
    let learned_at = if input.learned_at.trim().is_empty() {
        occurred_at
    } else {
        c.take(instant(
            "learned_at",
            "单位负责人接报时间",
            &input.learned_at,
        ))
    };
    if occurred_at.is_some_and(|o| o > now) {
        c.note(FieldError::new(
            "in_future",
            "occurred_at",
            "事故发生时间不能晚于现在",
        ));
    }
    if learned_at.is_some_and(|l| l > now + chrono::Duration::minutes(5)) {
        c.note(FieldError::new(
            "in_future",
            "learned_at",
            "单位负责人接报时间不能晚于现在",
        ));
    }
    if let (Some(l), Some(o)) = (learned_at, occurred_at)
        && l < o
    {
        c.note(FieldError::new(
            "learned_before_occurred",
            "learned_at",
            "单位负责人接报时间不能早于事故发生时间",
        ));
    }
    let place = c.take(required_text("place", "事故地点", &input.place, 200));
    let account = c.take(crate::error::required_paragraphs(
        "account",
        "事故简要经过",
        &input.account,
        5000,
    ));
    let casualties = c.take(casualties(
        input.deaths,
        input.missing,
        input.serious_injuries,
        &input.direct_loss_yuan,
    ));
    let measures_taken = c.take(crate::error::optional_paragraphs(
        "measures_taken",
        "已采取的措施",
        &input.measures_taken,
        2000,
    ));
    c.finish()?;
    let (
        Some(sector),
        Some(occurred_at),
        Some(learned_at),
        Some(place),
        Some(account),
        Some(casualties),
        Some(measures_taken),
    ) = (
        sector,
        occurred_at,
        learned_at,
        place,
        account,
        casualties,
        measures_taken,
    )
    else {
        // Each is None only with its problem noted, which `finish` refused above.
        return Err(FieldError::new(
            "unreadable",
            "sector",
            "表单无法读取，请重新填写",
        ));
    };
    Ok(Accident {
        grade: casualties.grade(),
        late: is_late(learned_at, now),
        sector,
        occurred_at,
        learned_at,
        reported_at: now,
        place,
        account,
        casualties,
        measures_taken,
    })
}

/// Whether a supplement at `at` is within the window after the accident.
pub fn supplement_allowed(
    sector: &str,
    occurred_at: DateTime<FixedOffset>,
    at: DateTime<FixedOffset>,
) -> bool {
    at >= occurred_at && (at - occurred_at).num_days() < supplement_days(sector)
}

/// Where an accident's record stands. A record exists from the moment the accident is
/// reported, and its investigation starts at once (the grade decides who investigates,
/// [`investigator`]): reported and investigating are one state. The late-report and
/// concealment marks are marks on the record, not states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 调查中.
    Investigating,
    /// 已结案.
    Closed,
}

impl crate::machine::States for Status {
    const ALL: &'static [Status] = &[Status::Investigating, Status::Closed];

    fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Closed => "closed",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Status::Investigating => "调查中",
            Status::Closed => "已结案",
        }
    }
}

/// A step of an accident's investigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// 结案: the lead unit (or the office) closes the investigation.
    Close,
}

/// An accident's investigation.
pub struct Investigation;

impl crate::machine::Machine for Investigation {
    type State = Status;
    type Step = Step;
    const INITIAL: &'static [Status] = &[Status::Investigating];
    const TABLE: &'static [crate::machine::Transition<Status, Step>] =
        &[crate::machine::Transition::new(
            Step::Close,
            Status::Investigating,
            Status::Closed,
            &[crate::machine::By::Office, crate::machine::By::Assignee],
            &[],
        )];

    fn refusal(_: Step, _: Status) -> FieldError {
        FieldError::new("already_closed", "status", "该事故调查已结案")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const YI: i64 = 10_000 * WAN;

    #[test]
    fn every_threshold_of_decree_493() {
        // Deaths: 3, 10, 30 start a band ("以上" includes the bound).
        for (d, g) in [
            (0, Grade::Ordinary),
            (2, Grade::Ordinary),
            (3, Grade::Larger),
            (9, Grade::Larger),
            (10, Grade::Major),
            (29, Grade::Major),
            (30, Grade::EspeciallyMajor),
        ] {
            assert_eq!(grade(d, 0, 0), g, "{d} deaths");
        }
        // Serious injuries: 10, 50, 100.
        for (s, g) in [
            (9, Grade::Ordinary),
            (10, Grade::Larger),
            (49, Grade::Larger),
            (50, Grade::Major),
            (99, Grade::Major),
            (100, Grade::EspeciallyMajor),
        ] {
            assert_eq!(grade(0, s, 0), g, "{s} serious injuries");
        }
        // Direct loss: 10 million, 50 million, 100 million yuan.
        for (l, g) in [
            (1_000 * WAN - 1, Grade::Ordinary),
            (1_000 * WAN, Grade::Larger),
            (5_000 * WAN - 1, Grade::Larger),
            (5_000 * WAN, Grade::Major),
            (YI - 1, Grade::Major),
            (YI, Grade::EspeciallyMajor),
        ] {
            assert_eq!(grade(0, 0, l), g, "{l} yuan");
        }
        // The highest grade reached by any measure wins.
        assert_eq!(grade(2, 50, 0), Grade::Major);
        assert_eq!(grade(3, 0, YI), Grade::EspeciallyMajor);
    }

    #[test]
    fn the_missing_count_with_the_dead_and_loss_is_in_fen() {
        let c = Casualties {
            deaths: 2,
            missing: 1,
            serious_injuries: 0,
            direct_loss_fen: 0,
        };
        assert_eq!(c.grade(), Grade::Larger);
        let c = Casualties {
            direct_loss_fen: 1_000 * WAN * 100,
            ..Casualties::default()
        };
        assert_eq!(c.grade(), Grade::Larger);
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn a_report_after_one_hour_is_late() {
        let t = at("2022-07-12T09:00:00+08:00");
        assert!(
            !is_late(t, at("2022-07-12T10:00:00+08:00")),
            "one hour is in time"
        );
        assert!(is_late(t, at("2022-07-12T10:00:01+08:00")));
        assert!(
            is_late(t, at("2022-07-12T02:30:00Z")),
            "90 minutes, another zone"
        );
    }

    #[test]
    fn supplements_run_thirty_days_or_seven_for_road_traffic_and_fire() {
        let t = at("2022-07-01T09:00:00+08:00");
        assert!(supplement_allowed(
            "危险化学品",
            t,
            at("2022-07-30T09:00:00+08:00")
        ));
        assert!(!supplement_allowed(
            "危险化学品",
            t,
            at("2022-07-31T09:00:00+08:00")
        ));
        assert!(supplement_allowed(
            "道路交通",
            t,
            at("2022-07-07T23:00:00+08:00")
        ));
        assert!(!supplement_allowed(
            "道路交通",
            t,
            at("2022-07-08T09:00:00+08:00")
        ));
        assert!(!supplement_allowed(
            "消防",
            t,
            at("2022-07-08T09:00:00+08:00")
        ));
    }

    #[test]
    fn bad_reports_name_their_field() {
        let now = at("2022-07-12T10:30:00+08:00");
        let good = AccidentInput {
            sector: "建筑施工".into(),
            occurred_at: "2022-07-12T09:00:00+08:00".into(),
            place: "某工地".into(),
            account: "塔吊倒塌".into(),
            deaths: Some(3),
            direct_loss_yuan: Some(serde_json::json!("1200000.50")),
            ..AccidentInput::default()
        };
        let a = check(&good, now).unwrap();
        assert_eq!((a.grade, a.late), (Grade::Larger, true));
        assert_eq!(a.reported_at, now, "the time of reporting is the receipt");
        assert_eq!(a.casualties.direct_loss_fen, 120_000_050);
        // The head learned of it at 9:45: received 45 minutes later, in time.
        let mut learned = good.clone();
        learned.learned_at = "2022-07-12T09:45:00+08:00".into();
        assert!(!check(&learned, now).unwrap().late);
        type Change = Box<dyn Fn(&mut AccidentInput)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|i| i.occurred_at = "昨天".into()), "occurred_at"),
            (Box::new(|i| i.occurred_at = String::new()), "occurred_at"),
            (
                Box::new(|i| i.learned_at = "2022-07-12T08:00:00+08:00".into()),
                "learned_at",
            ),
            (
                Box::new(|i| i.learned_at = "2022-07-13T08:00:00+08:00".into()),
                "learned_at",
            ),
            (
                Box::new(|i| i.occurred_at = "2022-09-01T08:00:00+08:00".into()),
                "occurred_at",
            ),
            (Box::new(|i| i.deaths = Some(-1)), "deaths"),
            (
                Box::new(|i| i.direct_loss_yuan = Some(serde_json::json!("很多"))),
                "direct_loss_yuan",
            ),
            (Box::new(|i| i.place = " ".into()), "place"),
            (Box::new(|i| i.sector = String::new()), "sector"),
        ];
        for (change, field) in cases {
            let mut i = good.clone();
            change(&mut i);
            assert_eq!(check(&i, now).unwrap_err().field, field);
        }
    }

    proptest! {
        #[test]
        fn grades_never_fall_as_figures_rise(d in 0i64..200, s in 0i64..300, l in 0i64..(3 * YI), dd in 0i64..50, ds in 0i64..50, dl in 0i64..YI) {
            prop_assert!(grade(d, s, l) <= grade(d + dd, s + ds, l + dl));
        }

        #[test]
        fn instants_never_panic(raw in ".{0,40}") {
            let _ = instant("occurred_at", "时间", &raw);
        }
    }

    #[test]
    fn an_investigation_as_a_table() {
        use crate::machine::{By, Machine, check_table};
        check_table::<Investigation>(
            &[Step::Close],
            &[(Step::Close, Status::Investigating, Status::Closed)],
        )
        .unwrap();
        assert_eq!(
            Investigation::next(Step::Close, Status::Closed)
                .unwrap_err()
                .code,
            "already_closed"
        );
        // The lead unit or the office closes it; the reporting enterprise does not.
        assert!(Investigation::allows(Step::Close, &[By::Assignee]));
        assert!(!Investigation::allows(Step::Close, &[By::Recorder]));
    }
}
