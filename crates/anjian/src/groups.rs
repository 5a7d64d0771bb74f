//! The unit groups a district's plan names in its responsibility column (各镇街,
//! 各管委会, 区级负有安全生产监管职责的部门, …), with the other spellings plans use
//! (铜安办〔2022〕31号 writes 各镇街 five ways). A fresh directory has no groups, so a
//! plan imported into it gives these names' work to nobody; `anjian directory groups`
//! (and the demo) define the ones that are missing, each selecting its members by
//! kind, so townships and departments registered later belong to them too.

use anjian_core::unit::UnitKind;
use anjian_store::Db;
use anjian_store::directory::groups::{self, Membership};
use anjian_store::scope::Actor;

/// A group as plans write it: (name, description, kind, only units that supervise
/// safety, other spellings).
pub type GroupSpec = (
    &'static str,
    &'static str,
    UnitKind,
    bool,
    &'static [&'static str],
);

/// The groups the plan's responsibility column uses.
pub const GROUPS: &[GroupSpec] = &[
    (
        "各镇街",
        "全区各镇人民政府、街道办事处",
        UnitKind::Township,
        false,
        &[
            "各镇（街道）",
            "各镇（街道）党委（党工委）",
            "各镇街党委",
            "镇街",
            "各镇人民政府、街道办事处",
        ],
    ),
    (
        "各管委会",
        "各开发区管理委员会",
        UnitKind::ZoneCommittee,
        false,
        &["各管会", "管委会"],
    ),
    (
        "区级负有安全生产监管职责的部门",
        "负有安全生产监督管理职责的区级部门",
        UnitKind::Department,
        true,
        &[
            "区级负有安全生产监管职责部门",
            "区级负有安全生产监督管理职责的部门",
            "各负有安全生产监管职责的部门",
            "区级负有监管职责的部门",
            "区级行业监管部门",
            // (44) "各镇街及有关部门": the departments that supervise the sectors it names.
            "有关部门",
        ],
    ),
    (
        "相关区级部门",
        "区级部门",
        UnitKind::Department,
        false,
        &[
            "区级有关部门",
            "区级相关部门",
            "区级有关部门党委（组）",
            "相关区级部门党委（组）",
        ],
    ),
    (
        "区安委会成员单位",
        "区安全生产委员会成员单位（区级部门）",
        UnitKind::Department,
        false,
        &["区安委会相关成员单位", "区安委会各成员单位"],
    ),
    (
        "区减灾委成员单位",
        "区减灾委员会成员单位（区级部门）",
        UnitKind::Department,
        false,
        &["区减灾委相关成员单位", "区减灾委各成员单位"],
    ),
    (
        "区属国有企业",
        "区属国有企业",
        UnitKind::Soe,
        false,
        &["区属国有企业党委", "国有企业"],
    ),
    (
        "各企业",
        "全区生产经营单位",
        UnitKind::Enterprise,
        false,
        &["各企业单位", "生产经营单位", "相关企业"],
    ),
];

/// Defines every group of [`GROUPS`] the directory does not have yet (by name), in one
/// transaction each, and returns the names it defined. Running campaigns follow: the
/// new groups' members owe their work from today (`store::follow`).
pub async fn define_missing(db: &Db, now: i64, actor: &Actor) -> Result<Vec<&'static str>, String> {
    let existing = groups::list(db, actor).await.map_err(|e| e.to_string())?;
    let mut defined = Vec::new();
    for (name, description, kind, supervises_safety, aliases) in GROUPS {
        if existing.iter().any(|g| g.name == *name) {
            continue;
        }
        let membership = Membership::Rule {
            kind: *kind,
            supervises_safety: *supervises_safety,
        };
        groups::create(db, now, actor, name, description, &membership, aliases)
            .await
            .map_err(|e| format!("{name}：{e}"))?;
        defined.push(*name);
    }
    Ok(defined)
}
