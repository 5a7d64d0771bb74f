//! The responsibility column (责任单位) as the plan writes it: the first group before
//! "，" leads, the rest are co-responsible, and units after "必要时邀请" are invited.
//! Names stay as written; resolving them to units and groups is the directory's job.

use serde::Serialize;

/// The roles of the units named in one responsibility cell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Responsibility {
    /// 牵头单位.
    pub lead: Vec<String>,
    /// 配合单位.
    pub co: Vec<String>,
    /// 必要时邀请.
    pub invited: Vec<String>,
    /// What was read between the lines, for the import report: "X等Y" categories and
    /// bracketed remarks such as （区应急局牵头）.
    pub notes: Vec<String>,
}

impl Responsibility {
    /// Whether the cell named nobody (a merged cell, or an empty one).
    pub fn is_empty(&self) -> bool {
        self.lead.is_empty() && self.co.is_empty() && self.invited.is_empty()
    }
}

/// The part a unit takes in what it owes: a work item's 牵头, 配合 or 必要时邀请 unit, or
/// the unit responsible for a case's rectification (整改责任, owed without an assignment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Lead,
    Co,
    Invited,
    Rectification,
}

impl Part {
    /// Every part, in the order the to-do filter offers them.
    pub const ALL: [Part; 4] = [Part::Lead, Part::Co, Part::Invited, Part::Rectification];

    /// The stored name (an assignment's role; `responsible` for a case's deadline).
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Lead => "lead",
            Part::Co => "co",
            Part::Invited => "invited",
            Part::Rectification => "responsible",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Part::Lead => "牵头",
            Part::Co => "配合",
            Part::Invited => "邀请",
            Part::Rectification => "整改责任",
        }
    }

    /// The part stored as `s`.
    pub fn parse(s: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The suffix of a category of departments narrowed to those whose sectors the item
/// names: "区公安局、区交通局等相关区级部门" reads as the named units and
/// "相关区级部门（与本项行业相关）", the departments of that group that supervise a sector
/// the item's text names — never every department, never none beyond the named.
pub const SECTOR_MATCH: &str = "（与本项行业相关）";

/// The category a name stands for when it carries [`SECTOR_MATCH`].
pub fn sector_category(name: &str) -> Option<&str> {
    name.strip_suffix(SECTOR_MATCH)
}

/// Whether `text` (a work item's) names `sector` in any of its spellings (危化品 as well
/// as 危险化学品, [`crate::sector::spellings`]).
pub fn names_sector(text: &str, sector: &str) -> bool {
    crate::sector::spellings(sector)
        .iter()
        .any(|s| s.chars().count() >= 2 && text.contains(s))
}

/// Parses one responsibility cell.
pub fn parse(cell: &str) -> Responsibility {
    let mut r = Responsibility::default();
    let text: String = cell.chars().filter(|c| !c.is_control()).collect();
    let (main, invited) = match text.find("必要时邀请") {
        Some(i) => (&text[..i], &text[i + "必要时邀请".len()..]),
        None => (text.as_str(), ""),
    };
    let main = main.trim_end_matches(['；', ';', '，', ',', ' ']);
    let (main, remarks) = strip_remarks(main);
    let mut extra_leads = Vec::new();
    for remark in remarks {
        if let Some(unit) = remark.strip_suffix("牵头") {
            extra_leads.push(unit.trim().to_string());
        }
        r.notes.push(format!("括注「{remark}」"));
    }
    let mut groups = main.split(['，', ',']);
    if let Some(first) = groups.next() {
        r.lead = names(first, &mut r.notes);
    }
    for g in groups {
        r.co.extend(names(g, &mut r.notes));
    }
    // "（X牵头）" makes X the sole lead; the units written before it assist ((101)
    // "各镇街、各管委会，区级负有安全生产监管职责的部门（区应急局牵头）").
    let extra_leads: Vec<String> = extra_leads.into_iter().filter(|u| !u.is_empty()).collect();
    if !extra_leads.is_empty() {
        let before = std::mem::take(&mut r.lead);
        r.co.splice(0..0, before);
        for u in extra_leads {
            r.notes.push(format!("据括注，{u}牵头，其余单位配合"));
            r.lead.push(u);
        }
    }
    r.invited = names(invited, &mut r.notes);
    dedupe(&mut r.lead, &[]);
    let lead = r.lead.clone();
    dedupe(&mut r.co, &lead);
    let taken: Vec<String> = lead.iter().chain(r.co.iter()).cloned().collect();
    dedupe(&mut r.invited, &taken);
    r
}

/// Parses one responsibility cell of a work item under a key task whose text opens with
/// the units that do the work: where that subject is one of the cell's co-responsible
/// names, it leads and the others assist. Key task 48: "区级负有监管职责的部门围绕重大风险
/// …严格开展检查诊断、行政处罚、整改复查“三部曲”闭环执法" makes the departments lead
/// (89) and (90), written "各镇街、各管委会，区级负有安全生产监管职责的部门".
pub fn parse_under(cell: &str, key_task: &str) -> Responsibility {
    let mut r = parse(cell);
    let subject = normalized(key_task);
    let named = r.co.iter().position(|n| {
        let n = normalized(n);
        n.chars().count() >= 4 && subject.starts_with(&n)
    });
    if let Some(i) = named {
        let subject = r.co.remove(i);
        let before = std::mem::replace(&mut r.lead, vec![subject.clone()]);
        r.co.splice(0..0, before);
        r.notes
            .push(format!("据重点任务的主语，{subject}牵头，其余单位配合"));
    }
    r
}

/// A name or text without the words the plan writes in some places and not in others
/// ("区级负有安全生产监管职责的部门" and "区级负有监管职责的部门").
fn normalized(s: &str) -> String {
    s.trim().replace("安全生产", "")
}

/// Removes bracketed remarks that are not part of a name: those that say who leads or
/// assists (（区应急局牵头）, （配合上级调查部门）). Name brackets such as 各镇（街道） stay.
fn strip_remarks(s: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut remarks = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find(['（', '(']) {
        let close_rel = rest[open..].find(['）', ')']);
        let Some(close_rel) = close_rel else { break };
        let inner_start = open + rest[open..].chars().next().map(char::len_utf8).unwrap_or(1);
        let inner = &rest[inner_start..open + close_rel];
        let close_len = rest[open + close_rel..]
            .chars()
            .next()
            .map(char::len_utf8)
            .unwrap_or(1);
        if inner.contains("牵头") || inner.contains("配合") {
            out.push_str(&rest[..open]);
            remarks.push(inner.trim().to_string());
        } else {
            out.push_str(&rest[..open + close_rel + close_len]);
        }
        rest = &rest[open + close_rel + close_len..];
    }
    out.push_str(rest);
    (out, remarks)
}

/// Splits a group at "、" and "X等Y" (such as X, of the category Y).
fn names(group: &str, notes: &mut Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for part in group.split(['、', '；', ';']) {
        let part = part
            .trim()
            .trim_matches(|c: char| c == '。' || c.is_whitespace());
        if part.is_empty() {
            continue;
        }
        match part
            .split_once('等')
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        {
            Some((unit, category)) if category.ends_with("部门") => {
                notes.push(format!(
                    "「{part}」读作 {unit}，及“{category}”中主管本项所涉行业的部门"
                ));
                out.push(unit.trim().to_string());
                out.push(format!("{}{SECTOR_MATCH}", category.trim()));
            }
            Some((unit, category)) => {
                notes.push(format!("「{part}」读作 {unit}（属于“{category}”）"));
                out.push(unit.trim().to_string());
            }
            None => match part
                .split_once('及')
                .filter(|(a, b)| a.starts_with('各') && b.ends_with("部门") && !b.is_empty())
            {
                // "各镇街及有关部门": the townships and the departments, two names.
                Some((a, b)) => {
                    notes.push(format!("「{part}」读作 {a}、{b}"));
                    out.push(a.trim().to_string());
                    out.push(b.trim().to_string());
                }
                None => out.push(part.to_string()),
            },
        }
    }
    out
}

fn dedupe(list: &mut Vec<String>, already: &[String]) {
    let mut seen: Vec<String> = already.to_vec();
    list.retain(|n| {
        if seen.contains(n) {
            false
        } else {
            seen.push(n.clone());
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn the_plans_cells() {
        // (44) "各镇街及有关部门": two names.
        assert_eq!(parse("各镇街及有关部门").lead, v(&["各镇街", "有关部门"]));
        let r = parse(
            "区委办，各镇（街道）党委（党工委）、各管委会、区级有关部门党委（组）、区属国有企业党委",
        );
        assert_eq!(r.lead, v(&["区委办"]));
        assert_eq!(
            r.co,
            v(&[
                "各镇（街道）党委（党工委）",
                "各管委会",
                "区级有关部门党委（组）",
                "区属国有企业党委"
            ])
        );
        assert!(r.invited.is_empty() && r.notes.is_empty());

        let r = parse(
            "区应急局，区公安局、区总工会、区应急局、区级相关区级部门；必要时邀请区纪委监委机关、区检察院",
        );
        assert_eq!(r.lead, v(&["区应急局"]));
        assert_eq!(
            r.co,
            v(&["区公安局", "区总工会", "区级相关区级部门"]),
            "the lead is not repeated as co"
        );
        assert_eq!(r.invited, v(&["区纪委监委机关", "区检察院"]));

        let r = parse("区委组织部");
        assert_eq!((r.lead, r.co.len()), (v(&["区委组织部"]), 0));

        // (21) "…区应急局等相关区级部门": the named, and the group's departments of the
        // sectors the item names.
        let r = parse("区公安局、区经济信息委、区交通局、区应急局等相关区级部门");
        assert_eq!(
            r.lead,
            v(&[
                "区公安局",
                "区经济信息委",
                "区交通局",
                "区应急局",
                "相关区级部门（与本项行业相关）"
            ])
        );
        assert_eq!(sector_category(&r.lead[4]), Some("相关区级部门"));
        assert_eq!(r.notes.len(), 1);
        assert!(names_sector(
            "形成危化品、燃气、道路运输等行业协同监管机制",
            "危化品"
        ));
        assert!(!names_sector("常态化抓好应急准备", "消防"));

        // Key task 48 "区级负有监管职责的部门围绕…闭环执法": (89) is led by the departments.
        let r = parse_under(
            "各镇街、各管委会，区级负有安全生产监管职责的部门",
            "区级负有监管职责的部门围绕重大风险、重大隐患和突出违法行为，严格开展检查诊断",
        );
        assert_eq!(r.lead, vec!["区级负有安全生产监管职责的部门"]);
        assert_eq!(r.co, vec!["各镇街", "各管委会"]);
        // A key task whose subject is not among the co-responsible changes nothing.
        let r = parse_under(
            "各镇街，区应急局",
            "各镇（街道）制定政府领导干部安全生产“职责清单”",
        );
        assert_eq!(r.lead, vec!["各镇街"]);
        // (101): "（区应急局牵头）" makes 区应急局 the sole lead; the rest assist.
        let r = parse("各镇街、各管委会，区级负有安全生产监管职责的部门（区应急局牵头）");
        assert_eq!(r.lead, v(&["区应急局"]));
        assert_eq!(
            r.co,
            v(&["各镇街", "各管委会", "区级负有安全生产监管职责的部门"])
        );

        let r = parse("区纪委监委机关、区检察院、区公安局、区应急局（配合上级调查部门）");
        assert_eq!(
            r.lead,
            v(&["区纪委监委机关", "区检察院", "区公安局", "区应急局"])
        );
        assert_eq!(r.notes, v(&["括注「配合上级调查部门」"]));

        assert!(parse("   ").is_empty());
    }

    proptest! {
        #[test]
        fn never_panics_and_names_are_clean(cell in "\\PC{0,200}") {
            let r = parse(&cell);
            for n in r.lead.iter().chain(&r.co).chain(&r.invited) {
                prop_assert!(!n.is_empty());
                prop_assert!(!n.contains('、') && !n.contains('，'));
            }
        }

        #[test]
        fn joined_names_come_back(names in proptest::collection::vec("[区镇局委办]{1,3}[一-龥]{1,6}", 1..6), split in 0usize..6) {
            let mut unique = names.clone();
            unique.dedup();
            prop_assume!(unique.iter().all(|n| !n.contains('等')));
            let cut = split.min(unique.len());
            let cell = if cut == 0 || cut == unique.len() { unique.join("、") } else { format!("{}，{}", unique[..cut].join("、"), unique[cut..].join("、")) };
            let r = parse(&cell);
            let mut all: Vec<String> = r.lead.iter().chain(&r.co).cloned().collect();
            let mut want = unique.clone();
            all.sort();
            all.dedup();
            want.sort();
            want.dedup();
            prop_assert_eq!(all, want);
        }
    }
}
