//! The `anjian` application: command line, demo data, synthetic data and the
//! benchmark harness. `main.rs` only parses arguments and runs [`cli::run_blocking`].

pub mod authenticator;
pub mod bench;
pub mod cli;
pub mod demo;
pub mod groups;
pub mod plan;
pub mod seed;
pub mod setup;
