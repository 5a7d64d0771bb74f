//! The to-do page of a busy unit: its own sections show 100 folded lines a page and the
//! next page starts after the last row shown; the reports a lead unit reviews are listed
//! one by one, never folded, 100 a page.

use crate::harness::{TestApp, engines};
use crate::hazards::general;
use crate::reports::report;

/// The part of a to-do page in the section with HTML id `id`.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    page.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or_default()
}

/// A section's lines: where each leads, and how many obligations it folds ("共N项").
fn lines(section: &str) -> Vec<(String, usize)> {
    section
        .split("<tr class=")
        .skip(1)
        .map(|row| {
            let href = row
                .split("href=\"")
                .nth(1)
                .and_then(|h| h.split('"').next())
                .unwrap_or_default()
                .to_string();
            let folded = row
                .split("共")
                .nth(1)
                .and_then(|s| s.split("项").next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            (href, folded)
        })
        .collect()
}

/// The link a page's (or a section's) first "下一页" leads to.
pub(crate) fn next(section: &str) -> Option<String> {
    section
        .split("rel=\"next\"")
        .next()
        .filter(|_| section.contains("rel=\"next\""))
        .and_then(|h| h.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .map(|h| h.replace("&#38;", "&").replace("&amp;", "&"))
}

/// A township with 105 hazards overdue for rectification, besides its overdue duties,
/// reads its overdue list 100 lines a page: the pages together hold every overdue
/// obligation the API lists, each once.
#[tokio::test]
async fn a_busy_units_overdue_list_shows_100_lines_a_page_and_every_obligation_once() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        for i in 0..105 {
            let (s, b) = bachuan
                .post("/api/v1/hazards", general(&format!("某餐馆后厨{i}号")))
                .await;
            assert_eq!(s, 201, "{b}");
        }
        // A month on, every deadline (20 August) has passed.
        app.advance(31 * 86_400_000);
        let bachuan = app.login("bachuan").await;
        let unit = app.unit_id("巴川街道").await;
        let (s, api) = bachuan
            .get(&format!(
                "/api/v1/obligations?unit={unit}&state=overdue&limit=1000"
            ))
            .await;
        assert_eq!(s, 200);
        let owed = api.as_array().map(Vec::len).unwrap_or_default();
        assert!(owed > 105, "{owed}");
        let (s, page) = bachuan.get_text("/todo").await;
        assert_eq!(s, 200);
        let first = lines(section(&page, "overdue"));
        assert_eq!(first.len(), 100, "a page of 100 lines");
        let mut link = next(section(&page, "overdue")).expect("a next page");
        assert!(
            link.contains("show=overdue") && link.contains("after="),
            "{link}"
        );
        let (mut seen, mut counted) = (first.clone(), first.iter().map(|l| l.1).sum::<usize>());
        for _ in 0..20 {
            let (s, page) = bachuan.get_text(&link).await;
            assert_eq!(s, 200);
            let more = lines(section(&page, "overdue"));
            assert!(!more.is_empty(), "{link}");
            // A rectification deadline leads to its case, shown once over the pages.
            for l in more.iter().filter(|l| l.0.starts_with("/cases/")) {
                assert!(!seen.iter().any(|s| s.0 == l.0), "{} twice", l.0);
            }
            counted += more.iter().map(|l| l.1).sum::<usize>();
            seen.extend(more);
            match next(section(&page, "overdue")) {
                Some(l) => link = l,
                None => break,
            }
        }
        assert_eq!(counted, owed, "every overdue obligation, once");
        assert!(seen.iter().filter(|l| l.0.starts_with("/cases/")).count() >= 105);
        // The list still downloads as a sheet.
        let (s, _, bytes) = bachuan.get_bytes("/todo.xlsx").await;
        assert_eq!(s, 200);
        assert!(!bytes.is_empty());
    }
}

/// Two periodic reports of 区住房城乡建委 on item (81), which 区应急局 leads, wait for
/// 区应急局's review: its queue lists both, each with its own decision, where folding
/// them as one line of the duty left the second unseen until the first was decided.
#[tokio::test]
async fn a_lead_units_review_queue_lists_every_report_of_a_duty() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let zjw = app.login("zjw").await;
        let (_, list) = zjw.get("/api/v1/obligations?limit=1000").await;
        let ids: Vec<i64> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| {
                o["work_item_no"] == 81
                    && o["unit"]["name"] == "区住房城乡建委"
                    && ["pending", "overdue"].contains(&o["state"].as_str().unwrap_or_default())
            })
            .filter_map(|o| o["id"].as_i64())
            .take(2)
            .collect();
        assert_eq!(ids.len(), 2, "two periods of item (81): {list}");
        for id in &ids {
            let (s, page) = report(&zjw, *id, "本期工作已按要求完成", vec![]).await;
            assert_eq!(s, 303, "{page}");
        }
        let yjj = app.login("yjj").await;
        let (s, page) = yjj.get_text("/todo").await;
        assert_eq!(s, 200);
        let queue = section(&page, "to-review");
        for id in ids {
            assert!(
                queue.contains(&format!("id=\"review-row-{id}\"")),
                "report {id} in the queue: {queue}"
            );
        }
    }
}
