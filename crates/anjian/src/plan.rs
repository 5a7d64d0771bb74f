//! `anjian plan import | show`: the plan as published, into a campaign, and back out in
//! the pinned JSON shape.

use std::path::PathBuf;

use anjian_core::plan::{ImportReport, Plan, table};
use anjian_core::time::{Clock, SystemClock};
use anjian_store::{Actor, Db, expansion, plans};
use chrono::NaiveDate;
use clap::Subcommand;

/// The Tongliang plan as published (铜安办〔2022〕31号), shipped with anjian.
pub const TONGLIANG_2022: &str = include_str!("../../../seed/tongliang-2022-work-plan.txt");

#[derive(Subcommand, Debug)]
pub enum PlanCmd {
    /// Imports a plan from its published text and starts a campaign of it.
    Import {
        /// The plan: its published text (.txt, the annex table one cell per line), or its
        /// table (.xlsx or .csv with the columns 措施 / 措施具体内容 / 重点任务 / 具体工作要点 / 责任单位).
        path: PathBuf,
        /// The plan's title (required for a table, which does not carry it).
        #[arg(long)]
        title: Option<String>,
        /// The plan's document number (for a table).
        #[arg(long)]
        doc_number: Option<String>,
        /// The campaign's year (default: the plan's).
        #[arg(long)]
        year: Option<i32>,
        /// The campaign's last day, YYYY-MM-DD (default: open, expanded to the year's end).
        #[arg(long)]
        ends_on: Option<NaiveDate>,
    },
    /// Prints a campaign's plan (the newest campaign unless one is named).
    Show {
        #[arg(long)]
        campaign: Option<i64>,
        /// The pinned JSON shape instead of an outline.
        #[arg(long)]
        json: bool,
    },
}

/// Prints the import report in Chinese.
pub fn print_report(report: &ImportReport) {
    for g in &report.given {
        println!("第（{}）项：{}", g.no, g.schedule);
    }
    for f in &report.inferences {
        println!("推断（第{}行）：{}", f.line, f.message);
    }
    for f in &report.problems {
        eprintln!("问题（第{}行）：{}", f.line, f.message);
    }
}

/// Stores a parsed plan, starts its campaign in `year` (ending on `ends_on`, or open,
/// with its special periods) and gives its work to the directory's units, all in one
/// transaction; returns the campaign id and the expansion report.
pub async fn store(
    db: &Db,
    now: i64,
    actor: &Actor,
    plan: &Plan,
    year: i32,
    ends_on: Option<NaiveDate>,
    periods: Vec<(String, NaiveDate, NaiveDate)>,
) -> Result<(i64, anjian_store::obligations::ExpandReport), String> {
    let launch = expansion::Launch {
        plan: expansion::PlanSource::New(plan),
        title: None,
        year,
        ends_on,
        periods,
    };
    let (c, report) = expansion::launch(db, now, actor, &launch)
        .await
        .map_err(|e| e.to_string())?;
    Ok((c.id, report))
}

/// Runs a plan command.
pub async fn run(db: &Db, cmd: &PlanCmd) -> Result<(), String> {
    match cmd {
        PlanCmd::Import {
            path,
            title,
            doc_number,
            year,
            ends_on,
        } => {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let bytes =
                std::fs::read(path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
            let header = table::Header {
                title: title.clone().unwrap_or_default(),
                doc_number: doc_number.clone().unwrap_or_default(),
                year: year.unwrap_or_else(|| {
                    anjian_core::time::local_date(SystemClock.now_ms())
                        .map(|d| chrono::Datelike::year(&d))
                        .unwrap_or(2022)
                }),
            };
            let (plan, report) = anjian_core::plan::read_file(ext, &bytes, &header)
                .map_err(|e| e.replace("请填写方案标题", "请用 --title 给出"))?;
            print_report(&report);
            let plan = plan
                .ok_or_else(|| format!("发现 {} 处问题，未导入任何内容", report.problems.len()))?;
            let year = year.unwrap_or(plan.year);
            let (id, expanded) = store(
                db,
                SystemClock.now_ms(),
                &Actor::system("plan import"),
                &plan,
                year,
                *ends_on,
                Vec::new(),
            )
            .await?;
            for (name, items) in &expanded.unresolved {
                println!("未能对应单位的名称：「{name}」（{}）", items.join("、"));
            }
            for (item, moved) in &expanded.before_start {
                println!(
                    "{item}的期限早于专项行动开始，顺延至开始后的宽限日：{}",
                    moved.join("、")
                );
            }
            for (item, dates) in &expanded.after_end {
                println!(
                    "{item}的期限晚于专项行动结束日，保留原期限：{}",
                    dates.join("、")
                );
            }
            println!(
                "已分解为 {} 个任务、{} 项应办事项",
                expanded.assignments, expanded.obligations
            );
            println!(
                "已导入 {}：{} 项措施，{} 项重点任务，{} 项工作要点，{} 个阶段；专项行动编号 {id}（{year}年）",
                plan.doc_number,
                plan.measures.len(),
                plan.measures
                    .iter()
                    .map(|m| m.key_tasks.len())
                    .sum::<usize>(),
                plan.work_items().count(),
                plan.phases.len()
            );
            Ok(())
        }
        PlanCmd::Show { campaign, json } => {
            let c = match campaign {
                Some(id) => plans::campaign(db, *id)
                    .await
                    .map_err(|_| format!("专项行动 {id} 不存在"))?,
                None => plans::campaigns(db)
                    .await
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .next()
                    .ok_or("还没有专项行动：请先 anjian plan import")?,
            };
            let plan = plans::load_for(db, &c).await.map_err(|e| e.to_string())?;
            if *json {
                let doc = anjian_core::plan::document(&plan, &c.title, c.year as i32);
                println!(
                    "{}",
                    serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
                );
            } else {
                println!("{}（{}，{}年）", c.title, plan.doc_number, c.year);
                for m in &plan.measures {
                    println!("{}、{}", anjian_core::plan::chinese_numeral(m.no), m.title);
                    for k in &m.key_tasks {
                        println!(
                            "  {}. {}",
                            k.no,
                            k.text.chars().take(40).collect::<String>()
                        );
                        for w in &k.work_items {
                            println!(
                                "    （{}）{} —— {}",
                                w.no,
                                w.text.chars().take(30).collect::<String>(),
                                w.responsibility_text.chars().take(30).collect::<String>()
                            );
                        }
                    }
                }
            }
            Ok(())
        }
    }
}
