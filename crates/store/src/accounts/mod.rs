//! Accounts: users and their roles, login throttling, sessions and API tokens.

pub mod second_factor;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use sessions::SessionUser;
pub use users::{NewUser, User};
