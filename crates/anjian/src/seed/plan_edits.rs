//! The demo's corrections of the running campaign, made with the plan editor as the
//! office would: one work item's schedule corrected after a committee meeting, and one
//! work item added after a new directive from the city. Both show in the items'
//! history.

use anjian_core::schedule::{Period, Schedule};
use anjian_store::Db;
use anjian_store::plan_editor::{self, Change, Draft};
use anjian_store::scope::Actor;
use chrono::NaiveDate;

/// Applies the two edits to `campaign_id` when the demo's day is past them; returns how
/// many were made.
pub async fn load(db: &Db, campaign_id: i64, today: NaiveDate) -> Result<usize, String> {
    let e = |e: anjian_store::Error| e.to_string();
    let office = Actor {
        user_id: None,
        username: "office".into(),
        role: "office_admin".into(),
        unit_id: None,
    };
    let edits = [
        (
            NaiveDate::from_ymd_opt(2022, 6, 8),
            Change::Edit {
                no: 29,
                draft: Draft {
                    text: "落实定期与重要时段、重大活动、重大变化情况风险研判机制，每季度末报送研判报告。".into(),
                    lead: vec!["区安委办".into(), "区减灾办".into()],
                    co: vec![
                        "各镇街".into(),
                        "各管委会".into(),
                        "区级负有安全生产监管职责的部门".into(),
                    ],
                    invited: Vec::new(),
                    schedule: vec![Schedule::Recurring {
                        every: Period::Quarter,
                        min_count: 1,
                        day: None,
                    }],
                    reason: "区安委会2022年第2次全体会议：风险研判按季度报送研判报告".into(),
                },
            },
        ),
        (
            NaiveDate::from_ymd_opt(2022, 7, 6),
            Change::Add {
                key_task: 30,
                draft: Draft {
                    text: "8月底前完成地下商业空间、地下车库燃气使用安全专项检查，即查即改。".into(),
                    lead: vec!["各镇街".into()],
                    co: vec!["区经济信息委".into(), "区消防救援支队".into()],
                    invited: Vec::new(),
                    schedule: vec![Schedule::Once {
                        due: NaiveDate::from_ymd_opt(2022, 8, 31).ok_or("date")?,
                    }],
                    reason: "市安委办2022年7月5日部署燃气安全专项检查".into(),
                },
            },
        ),
    ];
    let mut n = 0;
    for (day, change) in edits {
        let Some(day) = day.filter(|d| *d <= today) else {
            continue;
        };
        let at = anjian_core::time::at_local(day, 10).ok_or("time")?;
        plan_editor::apply(db, at, &office, campaign_id, &change)
            .await
            .map_err(e)?;
        n += 1;
    }
    Ok(n)
}
