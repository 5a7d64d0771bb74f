//! Sector names (行业领域): one name per sector. The directory and the plan spell some
//! sectors two ways; the plan's own spelling is the one kept, and every other spelling
//! reads as it wherever a name enters (a form, a sheet, the API) and in work-item text.

/// The other spellings of a sector, and the name kept: the plan writes 危化品 nine times
/// to 危险化学品's three, 建筑施工 seven to 建设施工's four, 燃气 twelve to 城镇燃气's two,
/// and 水利 (水利工程 never).
pub const ALIASES: [(&str, &str); 4] = [
    ("危险化学品", "危化品"),
    ("建设施工", "建筑施工"),
    ("城镇燃气", "燃气"),
    ("水利工程", "水利"),
];

/// The name kept for the sector spelled `name` (trimmed).
pub fn canonical(name: &str) -> &str {
    let name = name.trim();
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, kept)| kept)
}

/// Every spelling of the sector named `name`: the name kept first, then its aliases.
pub fn spellings(name: &str) -> Vec<&str> {
    let kept = canonical(name);
    std::iter::once(kept)
        .chain(
            ALIASES
                .iter()
                .filter(|(_, k)| *k == kept)
                .map(|(alias, _)| *alias),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_alias_reads_as_the_plans_spelling_and_back() {
        assert_eq!(canonical(" 危险化学品 "), "危化品");
        assert_eq!(canonical("城镇燃气"), "燃气");
        assert_eq!(canonical("矿山"), "矿山");
        assert_eq!(spellings("危化品"), ["危化品", "危险化学品"]);
        assert_eq!(spellings("建设施工"), ["建筑施工", "建设施工"]);
        assert_eq!(spellings("道路交通"), ["道路交通"]);
    }

    /// The kept names are the plan's: "对危化品、矿山、烟花爆竹、建筑施工、金属冶炼等行业领域
    /// 高危项目" (key task 33).
    #[test]
    fn the_kept_names_are_the_ones_the_plan_writes() {
        let plan = include_str!("../../../seed/tongliang-2022-work-plan.txt");
        for (alias, kept) in ALIASES {
            assert!(
                plan.matches(kept).count() > plan.matches(alias).count(),
                "{kept} over {alias}"
            );
        }
        assert!(plan.contains("对危化品、矿山、烟花爆竹、建筑施工、金属冶炼等行业领域"));
    }
}
