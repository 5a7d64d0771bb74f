//! Generated data, by capability: what `anjian demo` loads beside the real directory
//! (`demo::load`) and what the benchmarks load at scale. Each file says what it creates
//! and for which demo role:
//! - `directory`: the benchmarks' synthetic district or city directory and accounts;
//! - `obligations`: a campaign's obligations and the demo campaign's activity;
//! - `hazards`: the townships' hazard ledgers (demo) and the city's 1,000,000 hazards;
//! - `reports`: monthly reports and the office's visits;
//! - `enforcement`: enterprises to inspect and the inspections recorded;
//! - `tips`: public tips and accidents;
//! - `responsibility`: registered enterprises, officials, duty records, the July
//!   warning and the special period (`responsibility::warnings`), the city's at scale
//!   (`responsibility::city`);
//! - `daily`, `plan_edits`: the daily reports and the plan editor's history.

pub mod crackdown;
mod directory;
mod enforcement;
mod hazards;
mod obligations;
pub mod people;
mod reports;
mod tips;

pub mod daily;
pub mod measures;
pub mod plan_edits;
pub mod responsibility;

pub use directory::{load, username, usernames};
pub use enforcement::{blacklist, city_enforcements, enforcements, township_enterprises};
pub use hazards::{city_hazards, hazards};
pub use obligations::{activity, obligations};
use reports::towns_and_office;
pub use reports::{monthly_reports, visits};
pub use tips::tips_and_accidents;

use anjian_store::audit::{self, Entry};
use anjian_store::db::day;
use anjian_store::ids::next_id;
use anjian_store::{Actor, Db, q};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub townships: usize,
    pub departments: usize,
    pub enterprises: usize,
    pub users: usize,
}

impl Size {
    /// One district.
    pub const DISTRICT: Size = Size {
        townships: 30,
        departments: 60,
        enterprises: 5_000,
        users: 2_000,
    };
    /// A city of about 38 districts.
    pub const CITY: Size = Size {
        townships: 1_000,
        departments: 60,
        enterprises: 200_000,
        users: 2_000,
    };
}

/// What the benchmark needs back: the accounts (office first, then townships,
/// departments, enterprises) and a keyset page key.
pub struct Seeded {
    pub usernames: Vec<String>,
    /// The unit id after which the 20th page of 100 starts (for keyset benchmarks).
    pub page_key: i64,
}
