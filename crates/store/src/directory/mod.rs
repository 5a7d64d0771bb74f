//! The directory: units in a tree, their aliases and sectors, and named unit groups.

pub mod groups;
pub mod sheet;
pub mod units;

pub use groups::{Group, Resolved, Resolver};
pub use units::{Unit, UnitDetail, UnitFilter};
