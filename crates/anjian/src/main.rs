//! The `anjian` binary: serve, demo, migrate, user, directory, audit, backup, bench.

use anjian::cli;
use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    let mut filter = tracing_subscriber::EnvFilter::try_from_env("ANJIAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // Whatever ANJIAN_LOG asks, the layers that would print a request's URI (a tip's
    // receipt code is in one) stay quiet below warnings.
    for quiet in [
        "tower_http::csrf=warn",
        "hyper=warn",
        "axum::rejection=warn",
    ] {
        if let Ok(d) = quiet.parse() {
            filter = filter.add_directive(d);
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
    match cli::run_blocking(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            std::process::ExitCode::from(1)
        }
    }
}
