//! One integration-test binary: a real server on a loopback port over a real database.
//! Every test runs on SQLite, and on PostgreSQL too when `ANJIAN_TEST_DATABASE_URL`
//! names a server (as `.ci/run` does).

mod accidents;
mod audit;
mod auth;
mod backup;
mod behind_nginx;
mod blacklist;
mod browser;
mod campaigns;
mod city;
mod cli;
mod crackdown;
mod crawl;
mod daily;
mod directory;
mod enforcement_tallies;
mod enforcements;
mod harness;
mod hazards;
mod hostile;
mod hostile_routes;
mod investigations;
mod localities;
mod major_listing;
mod matrix;
mod measures;
mod monthly;
mod outbound;
mod people;
mod plan;
mod plan_editor;
mod processes;
mod rankings;
mod reports;
mod responsibility;
mod scope;
mod second_factor;
mod tallies;
mod tips;
mod todo;
mod visits;
