//! A hazard (事故隐患) as recorded in a ledger, and the rules a record must meet: the
//! "five implementations" (整改措施、责任、资金、时限和预案), all five plus a governance
//! plan for a major hazard, at least measures, person and deadline for a general one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result, optional_text, required_text};

/// Hazard level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    General,
    Major,
}

impl Level {
    /// Parses `general` / `major` (or 一般 / 重大).
    pub fn parse(raw: &str) -> Result<Level> {
        match raw.trim() {
            "general" | "一般" | "一般隐患" => Ok(Level::General),
            "major" | "重大" | "重大隐患" => Ok(Level::Major),
            _ => Err(FieldError::new(
                "invalid_level",
                "level",
                "隐患等级应为 general（一般）或 major（重大）",
            )),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::General => "general",
            Level::Major => "major",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Level::General => "一般隐患",
            Level::Major => "重大隐患",
        }
    }
}

/// Where a hazard was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    SelfInspection,
    SupervisionVisit,
    UnannouncedVisit,
    Enforcement,
    PublicTip,
    /// 专家服务 (item (94)): found by experts the office or a department engaged.
    ExpertService,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 6] = [
        Source::SelfInspection,
        Source::SupervisionVisit,
        Source::UnannouncedVisit,
        Source::Enforcement,
        Source::PublicTip,
        Source::ExpertService,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::SelfInspection => "self_inspection",
            Source::SupervisionVisit => "supervision_visit",
            Source::UnannouncedVisit => "unannounced_visit",
            Source::Enforcement => "enforcement",
            Source::PublicTip => "public_tip",
            Source::ExpertService => "expert_service",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Source::SelfInspection => "自查",
            Source::SupervisionVisit => "督查检查",
            Source::UnannouncedVisit => "明查暗访",
            Source::Enforcement => "执法检查",
            Source::PublicTip => "群众举报",
            Source::ExpertService => "专家服务",
        }
    }

    /// Parses a stored name or a label; empty means self-inspection.
    pub fn parse(raw: &str) -> Result<Source> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Source::SelfInspection);
        }
        Source::ALL
            .into_iter()
            .find(|s| s.as_str() == raw || s.label() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    "invalid_source",
                    "source",
                    "隐患来源应为自查、督查检查、明查暗访、执法检查、群众举报或专家服务",
                )
            })
    }
}

/// A major hazard's governance plan (治理方案).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GovernancePlan {
    #[serde(default)]
    pub targets: String,
    #[serde(default)]
    pub methods: String,
    #[serde(default)]
    pub funds_and_materials: String,
    #[serde(default)]
    pub people: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub safety_measures: String,
}

impl GovernancePlan {
    /// The six parts in the order of 《重大事故隐患治理方案》: the field each is told
    /// under (`governance_plan.targets`, …), its text and its name.
    pub fn parts(&self) -> [(&'static str, &str, &'static str); 6] {
        [
            ("governance_plan.targets", &self.targets, "治理目标和任务"),
            ("governance_plan.methods", &self.methods, "采取的方法和措施"),
            (
                "governance_plan.funds_and_materials",
                &self.funds_and_materials,
                "经费和物资",
            ),
            (
                "governance_plan.people",
                &self.people,
                "负责治理的机构和人员",
            ),
            ("governance_plan.deadline", &self.deadline, "治理时限和要求"),
            (
                "governance_plan.safety_measures",
                &self.safety_measures,
                "安全措施和应急预案",
            ),
        ]
    }
}

/// A hazard as typed in (strings as they came), before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct HazardInput {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub discovered_on: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub responsible_person: String,
    /// Funds in yuan, up to two decimals ("12000", "3500.50").
    #[serde(default)]
    pub funds: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub contingency_plan: String,
    #[serde(default)]
    pub governance_plan: Option<GovernancePlan>,
    /// Fixed on the spot (即查即改): a general hazard recorded and closed in one step.
    /// Blank funds read as 0, a blank plan as "现场立即整改" and a blank deadline as the
    /// day it was found, so that all five of the 五落实 are stated.
    #[serde(default, deserialize_with = "flag")]
    pub fixed_on_spot: bool,
}

/// A yes/no field from JSON (`true`) or a form (`"true"`, `"1"`, `"on"`).
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match Flag::deserialize(d)? {
        Flag::Bool(b) => b,
        Flag::Text(t) => matches!(t.trim(), "true" | "1" | "on" | "yes"),
    })
}

/// What a hazard fixed on the spot states as its plan when none is written.
pub const ON_SPOT_PLAN: &str = "现场立即整改";

/// A checked hazard record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hazard {
    pub level: Level,
    pub sector: String,
    pub source: Source,
    pub place: String,
    pub description: String,
    pub discovered_on: NaiveDate,
    pub measures: Option<String>,
    pub responsible_person: Option<String>,
    /// In fen (0.01 yuan).
    pub funds_fen: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub contingency_plan: Option<String>,
    pub governance_plan: Option<GovernancePlan>,
    pub fixed_on_spot: bool,
}

fn date(field: &'static str, label: &str, raw: &str) -> Result<Option<NaiveDate>> {
    crate::error::optional_date(field, label, raw)
}

/// Parses an amount in yuan with at most two decimals into fen.
pub fn parse_funds(raw: &str) -> Result<Option<i64>> {
    crate::error::optional_yuan("funds", "整改资金", raw)
}

/// Checks a hazard against the rules as of `today`; `sectors` is the directory's list of
/// sectors (data the office edits; a department supervises the sectors it is given).
pub fn check(input: &HazardInput, sectors: &[String], today: NaiveDate) -> Result<Hazard> {
    // Every field is checked, and every problem told at once (one per field).
    let mut c = crate::error::Checks::default();
    let level = c.take(Level::parse(&input.level));
    let sector = crate::sector::canonical(&input.sector);
    if !sectors.iter().any(|s| s == sector) {
        c.note(FieldError::new(
            "invalid_sector",
            "sector",
            format!(
                "行业领域「{}」不在名录中",
                sector.chars().take(20).collect::<String>()
            ),
        ));
    }
    let source = c.take(Source::parse(&input.source));
    let place = c.take(required_text("place", "隐患部位", &input.place, 200));
    let description = c.take(crate::error::required_paragraphs(
        "description",
        "隐患描述",
        &input.description,
        2000,
    ));
    let discovered_on = c
        .take(date("discovered_on", "发现日期", &input.discovered_on))
        .and_then(|d| {
            if d.is_none() {
                c.note(FieldError::new(
                    "required",
                    "discovered_on",
                    "发现日期不能为空",
                ));
            }
            d
        });
    if discovered_on.is_some_and(|d| d > today) {
        c.note(FieldError::new(
            "future_date",
            "discovered_on",
            "发现日期不能晚于今天",
        ));
    }
    let measures = c.take(crate::error::optional_paragraphs(
        "measures",
        "整改措施",
        &input.measures,
        2000,
    ));
    let responsible_person = c.take(optional_text(
        "responsible_person",
        "整改责任人",
        &input.responsible_person,
        100,
    ));
    let funds = c.take(parse_funds(&input.funds));
    let deadline = c.take(date("deadline", "整改时限", &input.deadline));
    if let (Some(Some(d)), Some(found)) = (deadline, discovered_on)
        && d < found
    {
        c.note(FieldError::new(
            "deadline_before_discovery",
            "deadline",
            "整改时限不能早于发现日期",
        ));
    }
    let contingency = c.take(crate::error::optional_paragraphs(
        "contingency_plan",
        "应急预案",
        &input.contingency_plan,
        2000,
    ));
    // What could not be read is refused above; the five implementations are checked on
    // what could (a field already refused is not refused twice).
    let (mut funds_fen, mut deadline, mut contingency_plan) = (
        funds.flatten(),
        deadline.flatten(),
        contingency.clone().flatten(),
    );
    let level_known = level.unwrap_or(Level::General);
    if input.fixed_on_spot {
        if level == Some(Level::Major) {
            c.note(FieldError::new(
                "major_on_spot",
                "fixed_on_spot",
                "重大隐患不能即查即改",
            ));
        }
        funds_fen = funds_fen.or(Some(0));
        deadline = deadline.or(discovered_on);
        contingency_plan = contingency_plan.or_else(|| Some(ON_SPOT_PLAN.to_string()));
    }
    let mut missing = |read: bool, absent: bool, field: &'static str, what: &str| {
        if read && absent {
            c.note(FieldError::new(
                "five_implementations",
                field,
                format!("{}须落实“五落实”：缺少{what}", level_known.label()),
            ));
        }
    };
    let measures = measures.flatten();
    let responsible_person = responsible_person.flatten();
    missing(true, measures.is_none(), "measures", "整改措施");
    missing(
        true,
        responsible_person.is_none(),
        "responsible_person",
        "整改责任人",
    );
    missing(true, deadline.is_none(), "deadline", "整改时限");
    let mut governance_plan = None;
    if level == Some(Level::Major) {
        missing(funds.is_some(), funds_fen.is_none(), "funds", "整改资金");
        missing(
            contingency.is_some(),
            contingency_plan.is_none(),
            "contingency_plan",
            "应急预案",
        );
        let g = input.governance_plan.clone().unwrap_or_default();
        for (field, v, what) in g.parts() {
            if v.trim().is_empty() {
                c.note(FieldError::new(
                    "governance_plan",
                    field,
                    format!("重大隐患须制定治理方案：缺少{what}"),
                ));
            } else {
                c.take(crate::error::required_paragraphs(field, what, v, 2000));
            }
        }
        governance_plan = Some(g);
    }
    c.finish()?;
    let (Some(level), Some(source), Some(place), Some(description), Some(discovered_on)) =
        (level, source, place, description, discovered_on)
    else {
        // Each is None only with its problem noted, which `finish` refused above.
        return Err(FieldError::new(
            "unreadable",
            "level",
            "表单无法读取，请重新填写",
        ));
    };
    Ok(Hazard {
        level,
        sector: sector.to_string(),
        source,
        place,
        description,
        discovered_on,
        measures,
        responsible_person,
        funds_fen,
        deadline,
        contingency_plan,
        governance_plan,
        fixed_on_spot: input.fixed_on_spot,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sectors() -> Vec<String> {
        ["燃气", "危化品", "道路交通"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 8, 9).unwrap()
    }

    fn general() -> HazardInput {
        HazardInput {
            level: "general".into(),
            sector: "燃气".into(),
            place: "巴川街道某餐馆后厨".into(),
            description: "液化石油气钢瓶与灶具间距不足".into(),
            discovered_on: "2022-08-01".into(),
            measures: "钢瓶移至独立气瓶间".into(),
            responsible_person: "张三".into(),
            deadline: "2022-08-20".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_general_hazard_needs_measures_person_and_deadline() {
        let h = check(&general(), &sectors(), today()).unwrap();
        assert_eq!(
            (h.level, h.source),
            (Level::General, Source::SelfInspection)
        );
        let e = check(
            &HazardInput {
                responsible_person: " ".into(),
                ..general()
            },
            &sectors(),
            today(),
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field),
            ("five_implementations", "responsible_person")
        );
        let e = check(
            &HazardInput {
                deadline: "2022-07-01".into(),
                ..general()
            },
            &sectors(),
            today(),
        )
        .unwrap_err();
        assert_eq!(e.field, "deadline");
        assert!(e.message.contains("不能早于发现日期"));
        let e = check(
            &HazardInput {
                sector: "矿泉水".into(),
                ..general()
            },
            &sectors(),
            today(),
        )
        .unwrap_err();
        assert_eq!(e.field, "sector");
        let e = check(
            &HazardInput {
                discovered_on: "2022-09-01".into(),
                ..general()
            },
            &sectors(),
            today(),
        )
        .unwrap_err();
        assert_eq!(e.field, "discovered_on");
    }

    #[test]
    fn a_major_hazard_needs_all_five_and_a_governance_plan() {
        let major = HazardInput {
            level: "major".into(),
            ..general()
        };
        let e = check(&major, &sectors(), today()).unwrap_err();
        assert_eq!(e.field, "funds");
        let major = HazardInput {
            funds: "12000.5".into(),
            contingency_plan: "停气疏散预案".into(),
            ..major
        };
        let e = check(&major, &sectors(), today()).unwrap_err();
        assert_eq!(e.field, "governance_plan.targets");
        assert_eq!(e.all().count(), 6, "every missing part is told at once");
        let plan = GovernancePlan {
            targets: "消除钢瓶间距隐患".into(),
            methods: "改造气瓶间".into(),
            funds_and_materials: "1.2万元".into(),
            people: "街道安办".into(),
            deadline: "8月20日前".into(),
            safety_measures: "整改期间停用".into(),
        };
        let h = check(
            &HazardInput {
                governance_plan: Some(plan),
                ..major
            },
            &sectors(),
            today(),
        )
        .unwrap();
        assert_eq!(h.funds_fen, Some(1_200_050));
    }

    #[test]
    fn funds_are_yuan_with_two_decimals() {
        assert_eq!(parse_funds("3500").unwrap(), Some(350_000));
        assert_eq!(parse_funds("3,500.5元").unwrap(), Some(350_050));
        assert_eq!(parse_funds("").unwrap(), None);
        for bad in ["-1", "1.234", "abc", "1e5", ".5", "9999999999999"] {
            assert!(parse_funds(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn checking_never_panics(level in "\\PC{0,10}", sector in "\\PC{0,10}", funds in "\\PC{0,16}", d1 in "\\PC{0,12}", d2 in "\\PC{0,12}", text in "\\PC{0,50}") {
            let input = HazardInput {
                level, sector, funds, discovered_on: d1, deadline: d2,
                place: text.clone(), description: text.clone(), measures: text.clone(),
                responsible_person: text, ..Default::default()
            };
            let _ = check(&input, &sectors(), today());
        }

        #[test]
        fn funds_round_trip(yuan in 0i64..1_000_000_000, fen in 0i64..100) {
            prop_assert_eq!(parse_funds(&format!("{yuan}.{fen:02}")).unwrap(), Some(yuan * 100 + fen));
        }
    }
}
