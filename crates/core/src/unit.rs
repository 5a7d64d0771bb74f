//! Units of the directory: kinds, codes, names and the normalisation used to resolve
//! the names a document writes (区府办, 各镇（街道）党委（党工委）…) to units and groups.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result, optional_text, required_text};

/// The kind of a unit. Stored and sent as the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 区安委会 / 区安委办 and its peers at the top of the tree.
    CommitteeOffice,
    /// 镇 / 街道.
    Township,
    /// 管委会.
    ZoneCommittee,
    /// 区级部门.
    Department,
    /// 区属国有企业.
    Soe,
    /// 企业 / 生产经营单位.
    Enterprise,
}

/// The stored kinds of the localities (属地) as an SQL list, for `kind IN …`: the
/// townships and the 管委会, which "落实属地监管职责" alike (plan item (20): "镇街、管委会落实属地监管职责").
pub const LOCALITY_KINDS: &str = "('township', 'zone_committee')";

impl UnitKind {
    /// Whether units of this kind are localities (镇街 or 管委会): enterprises sit under
    /// them, and they are ranked, watched and report as townships do.
    pub fn is_locality(self) -> bool {
        matches!(self, UnitKind::Township | UnitKind::ZoneCommittee)
    }

    /// Every kind in display order.
    pub const ALL: [UnitKind; 6] = [
        UnitKind::CommitteeOffice,
        UnitKind::Township,
        UnitKind::ZoneCommittee,
        UnitKind::Department,
        UnitKind::Soe,
        UnitKind::Enterprise,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::CommitteeOffice => "committee_office",
            UnitKind::Township => "township",
            UnitKind::ZoneCommittee => "zone_committee",
            UnitKind::Department => "department",
            UnitKind::Soe => "soe",
            UnitKind::Enterprise => "enterprise",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::CommitteeOffice => "安委会及办公室",
            UnitKind::Township => "镇街",
            UnitKind::ZoneCommittee => "管委会",
            UnitKind::Department => "区级部门",
            UnitKind::Soe => "区属国有企业",
            UnitKind::Enterprise => "企业",
        }
    }

    /// Parses the stored name or the Chinese label.
    pub fn parse(raw: &str) -> Result<UnitKind> {
        let v = raw.trim();
        UnitKind::ALL
            .into_iter()
            .find(|k| k.as_str() == v || k.label() == v)
            .ok_or_else(|| {
                FieldError::new(
                    "invalid_kind",
                    "kind",
                    "单位类型无效，应为：安委会及办公室、镇街、管委会、区级部门、区属国有企业、企业",
                )
            })
    }
}

/// A unit code: 1–32 characters of ASCII letters, digits, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnitCode(String);

impl UnitCode {
    /// Parses a code.
    pub fn parse(raw: &str) -> Result<UnitCode> {
        let v = raw.trim();
        if v.is_empty() {
            return Err(FieldError::new("required", "code", "单位编码不能为空"));
        }
        if v.len() > 32
            || !v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(FieldError::new(
                "invalid_code",
                "code",
                "单位编码只能由字母、数字、“-”和“_”组成，最长32位",
            ));
        }
        Ok(UnitCode(v.to_string()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated new or edited unit, as a form or a sheet row gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDraft {
    pub code: UnitCode,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub supervises_safety: bool,
    /// Aliases, each normalised and unique within the draft.
    pub aliases: Vec<String>,
    /// Sector names the unit supervises (departments) or belongs to (enterprises).
    pub sectors: Vec<String>,
}

impl UnitDraft {
    /// Validates the raw fields of a unit.
    pub fn parse(
        code: &str,
        name: &str,
        short_name: &str,
        kind: &str,
        supervises_safety: bool,
        aliases: &str,
        sectors: &str,
    ) -> Result<UnitDraft> {
        let code = UnitCode::parse(code)?;
        let name = required_text("name", "单位名称", name, 100)?;
        let short_name = optional_text("short_name", "简称", short_name, 50)?;
        let kind = UnitKind::parse(kind)?;
        let aliases = split_list("aliases", "别名", aliases)?;
        let sectors = split_list("sectors", "行业领域", sectors)?;
        if supervises_safety && kind != UnitKind::Department {
            return Err(FieldError::new(
                "supervision_needs_department",
                "supervises_safety",
                "只有区级部门可以标记为负有安全生产监管职责",
            ));
        }
        Ok(UnitDraft {
            code,
            name,
            short_name,
            kind,
            supervises_safety,
            aliases,
            sectors,
        })
    }
}

/// Splits a list written with Chinese or ASCII separators (、，,;； or new lines),
/// trims each entry and drops duplicates, keeping the first spelling.
pub fn split_list(field: &'static str, label: &str, raw: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for part in raw.split(['、', '，', ',', ';', '；', '\n', '|']) {
        if let Some(v) = optional_text(field, label, part, 100)?
            && !out.contains(&v)
        {
            out.push(v);
        }
    }
    if out.len() > 50 {
        return Err(FieldError::new(
            "too_many",
            field,
            format!("{label}最多50项"),
        ));
    }
    Ok(out)
}

/// Normalises a unit or group name for matching: full-width brackets and spaces are
/// folded, white space removed. Two spellings that normalise alike name the same thing.
pub fn normalize_name(raw: &str) -> String {
    raw.chars()
        .filter_map(|c| match c {
            '（' => Some('('),
            '）' => Some(')'),
            '“' | '”' | '"' => None,
            c if c.is_whitespace() || c.is_control() || c == '\u{3000}' => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn draft_validates_each_field() {
        let ok = UnitDraft::parse(
            "yjj",
            " 区应急局 ",
            "",
            "department",
            true,
            "应急局、区应急管理局",
            "危险化学品，矿山",
        )
        .unwrap();
        assert_eq!(ok.name, "区应急局");
        assert_eq!(ok.aliases, vec!["应急局", "区应急管理局"]);
        assert_eq!(ok.sectors.len(), 2);
        let e = UnitDraft::parse("", "x", "", "department", false, "", "").unwrap_err();
        assert_eq!(e.field, "code");
        let e = UnitDraft::parse("a b", "x", "", "department", false, "", "").unwrap_err();
        assert_eq!(e.code, "invalid_code");
        let e = UnitDraft::parse("a", "  ", "", "department", false, "", "").unwrap_err();
        assert_eq!(e.field, "name");
        let e = UnitDraft::parse("a", "x", "", "bureau", false, "", "").unwrap_err();
        assert_eq!(e.field, "kind");
        let e = UnitDraft::parse("a", "x", "", "township", true, "", "").unwrap_err();
        assert_eq!(e.field, "supervises_safety");
        assert_eq!(UnitKind::parse("镇街").unwrap(), UnitKind::Township);
    }

    #[test]
    fn normalisation_folds_brackets_and_spaces() {
        assert_eq!(
            normalize_name("各镇（街道） 党委（党工委）"),
            normalize_name("各镇(街道)党委(党工委)")
        );
    }

    proptest! {
        #[test]
        fn parsers_never_panic(code in "\\PC{0,40}", name in "\\PC{0,120}", kind in "\\PC{0,20}", list in "\\PC{0,300}") {
            let _ = UnitDraft::parse(&code, &name, "", &kind, false, &list, &list);
        }

        #[test]
        fn accepted_codes_are_ascii_and_short(code in "[a-zA-Z0-9_-]{1,40}") {
            match UnitCode::parse(&code) {
                Ok(c) => prop_assert!(c.as_str().len() <= 32),
                Err(e) => prop_assert!(code.len() > 32 && e.code == "invalid_code"),
            }
        }

        #[test]
        fn split_list_entries_are_trimmed_unique(list in "[a-z、，, ]{0,60}") {
            let v = split_list("f", "f", &list).unwrap();
            for (i, a) in v.iter().enumerate() {
                prop_assert_eq!(a.trim(), a.as_str());
                prop_assert!(!a.is_empty());
                prop_assert!(!v[i + 1..].contains(a));
            }
        }
    }
}

/// A validated new unit group: its name, description, aliases and, for a group by
/// rule, the kind and flag it selects (`None`: an explicit member list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDraft {
    pub name: String,
    pub description: String,
    pub rule: Option<(UnitKind, bool)>,
    pub aliases: Vec<String>,
}

impl GroupDraft {
    /// Validates the raw fields of a group. An empty `rule_kind` means explicit members.
    pub fn parse(
        name: &str,
        description: &str,
        rule_kind: &str,
        supervises_safety: bool,
        aliases: &str,
    ) -> Result<GroupDraft> {
        let name = required_text("name", "分组名称", name, 50)?;
        let description =
            optional_text("description", "说明", description, 200)?.unwrap_or_default();
        let rule = match rule_kind.trim() {
            "" => None,
            k => Some((
                UnitKind::parse(k).map_err(|e| FieldError {
                    field: "rule_kind",
                    ..e
                })?,
                supervises_safety,
            )),
        };
        if supervises_safety && !matches!(rule, Some((UnitKind::Department, _))) {
            return Err(FieldError::new(
                "supervision_needs_department",
                "rule_supervises_safety",
                "“负有安全生产监管职责”只能用于区级部门的分组",
            ));
        }
        let aliases = split_list("aliases", "别名", aliases)?;
        Ok(GroupDraft {
            name,
            description,
            rule,
            aliases,
        })
    }
}

#[cfg(test)]
mod group_tests {
    use super::*;

    #[test]
    fn group_fields_are_checked() {
        let g = GroupDraft::parse("重点行业部门", "", "department", true, "重点部门").unwrap();
        assert_eq!(g.rule, Some((UnitKind::Department, true)));
        assert_eq!(
            GroupDraft::parse(" ", "", "", false, "").unwrap_err().field,
            "name"
        );
        assert_eq!(
            GroupDraft::parse("x", "", "bureau", false, "")
                .unwrap_err()
                .field,
            "rule_kind"
        );
        assert_eq!(
            GroupDraft::parse("x", "", "township", true, "")
                .unwrap_err()
                .field,
            "rule_supervises_safety"
        );
        assert_eq!(
            GroupDraft::parse("x", "", "", false, "").unwrap().rule,
            None
        );
    }
}
