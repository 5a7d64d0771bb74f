//! The monthly report due on the 28th: figures read from the ledger, drafts, a frozen
//! submission that fulfils the month's obligation, the office's matrix and workbook.

use calamine::{Reader, Xlsx};
use serde_json::json;

use crate::harness::{TestApp, engines};

#[tokio::test]
async fn a_township_reports_its_month_and_the_office_sees_who_did_not() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let office = app.login("office").await;
        // Two hazards found in July, one in August.
        for (on, deadline) in [
            ("2022-07-05", "2022-07-30"),
            ("2022-07-20", "2022-08-30"),
            ("2022-08-02", "2022-08-30"),
        ] {
            let (s, h) = bachuan
                .post(
                    "/api/v1/hazards",
                    json!({"level": "general", "sector": "燃气", "place": "巴川街道某餐馆",
                        "description": "燃气报警器未安装", "discovered_on": on,
                        "measures": "安装报警器", "responsible_person": "王五", "deadline": deadline}),
                )
                .await;
            assert_eq!(s, 201, "{h}");
        }
        let (s, page) = bachuan.get_text("/monthly-reports/2022-07").await;
        assert_eq!(s, 200);
        assert!(
            page.contains("排查隐患 <b>2</b> 项"),
            "July's figures come from the ledger"
        );
        assert!(page.contains("monthly-form"));
        // A draft saves; a submission needs the narrative.
        let (s, _) = bachuan
            .form(
                "/monthly-reports/2022-07",
                &[("narrative", ""), ("problems", "某餐馆燃气报警器未安装")],
            )
            .await;
        assert_eq!(s, 303);
        let (s, page) = bachuan
            .form(
                "/monthly-reports/2022-07/submit",
                &[("narrative", ""), ("problems", "某餐馆燃气报警器未安装")],
            )
            .await;
        assert_eq!(s, 422);
        assert!(
            page.contains("本月工作情况") && page.contains("某餐馆燃气报警器未安装"),
            "the draft is kept"
        );
        let (s, page) = bachuan
            .form(
                "/monthly-reports/2022-07/submit",
                &[
                    ("narrative", "7月共排查餐饮场所12家"),
                    ("problems", "某餐馆燃气报警器未安装\n某加油站消防通道堵塞"),
                ],
            )
            .await;
        assert_eq!(
            s,
            303,
            "{}",
            &page[page.find("flash error").unwrap_or(0)..][..300.min(page.len())]
        );
        // Frozen: no more edits, and the figures stay as submitted.
        let (s, page) = bachuan
            .form("/monthly-reports/2022-07/submit", &[("narrative", "改")])
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("已报送"), "{page}");
        let (_, page) = bachuan.get_text("/monthly-reports/2022-07").await;
        assert!(page.contains("report-frozen") && !page.contains("monthly-form"));
        // Bad months are refused with the field named.
        for bad in ["2022-13", "July", "2022-09"] {
            let (s, _) = bachuan
                .form(
                    &format!("/monthly-reports/{bad}/submit"),
                    &[("narrative", "x")],
                )
                .await;
            assert!(s == 400 || s == 422, "{bad}: {s}");
        }
        // The July obligation of the monthly duty is submitted (late: after the 28th).
        let (_, list) = bachuan
            .get("/api/v1/obligations?state=submitted&limit=1000")
            .await;
        assert!(
            list.as_array().unwrap().iter().any(|o| o["title"]
                .as_str()
                .unwrap_or("")
                .contains("问题清单")
                && o["due_on"] == "2022-07-28"),
            "the month's obligation moved"
        );
        // The office's matrix: 巴川 reported July late; 安居 did not.
        let (_, matrix) = office.get_text("/monthly-reports").await;
        let row = |name: &str| {
            let at = matrix
                .find(&format!("<td class=\"nowrap\">{name}</td>"))
                .unwrap_or_else(|| panic!("{name} in the matrix"));
            matrix[at..].split("</tr>").next().unwrap().to_string()
        };
        assert!(row("巴川街道").contains("逾期报送"));
        assert!(row("安居镇").contains("未报") && !row("安居镇").contains("逾期报送"));
        // Another township cannot read 巴川's report.
        let anju = app.login("anju").await;
        let unit = app.unit_id("巴川街道").await;
        assert_eq!(
            anju.get_text(&format!("/monthly-reports/2022-07?unit={unit}"))
                .await
                .0,
            404
        );
        // The consolidated workbook.
        let r = office
            .http
            .get(format!(
                "{}/monthly-reports/2022-07/export.xlsx",
                office.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let mut book: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
        assert_eq!(book.sheet_names(), vec!["汇总", "问题清单", "分行业领域"]);
        let summary = book.worksheet_range("汇总").unwrap();
        let rows: Vec<Vec<String>> = summary
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(&rows[1][..5], &["巴川街道", "2022-08-09", "2", "0", "0%"]);
        let problems = book.worksheet_range("问题清单").unwrap();
        assert_eq!(problems.rows().count(), 3);
    }
}
