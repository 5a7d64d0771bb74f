//! The office runs campaigns from the pages: imports a plan from a table, moves a
//! campaign's end date, and runs a plan again in a later year.

use crate::harness::{Client, TestApp, engines};

/// A second district's plan as a table, the way it publishes it.
pub fn gas_plan_xlsx() -> Vec<u8> {
    let rows: Vec<Vec<String>> = [
        [
            "一、严格落实企业主体责任",
            "企业要……",
            "1.开展自查",
            "（1）6月底，完成企业自查。",
            "区应急局，各镇街",
        ],
        ["", "", "", "（2）每月至少检查2家企业。", ""],
        ["", "", "2.专项整治", "开展燃气专项整治。", "区经济信息委"],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect();
    anjian_core::sheet::table("方案", &anjian_core::plan::table::COLUMNS, &rows).unwrap()
}

pub(crate) async fn upload(
    c: &Client,
    file: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(file.to_string()),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let r = c.post_multipart("/plans/import", form).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn campaign_count(app: &TestApp) -> usize {
    anjian_store::plans::campaigns(&app.db).await.unwrap().len()
}

#[tokio::test]
async fn the_office_imports_a_plan_table_from_the_page() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let before = campaign_count(&app).await;
        // A township may not import; a table without a title, a header that is not the
        // plan's, and an unknown file type are refused with their reasons; nothing lands.
        let bachuan = app.login("bachuan").await;
        assert_eq!(
            upload(&bachuan, "p.xlsx", gas_plan_xlsx(), &[]).await.0,
            403
        );
        let (s, page) = upload(&office, "p.xlsx", gas_plan_xlsx(), &[]).await;
        assert_eq!(s, 422);
        assert!(page.contains("请填写方案标题"), "{page}");
        let (s, page) = upload(
            &office,
            "p.csv",
            "甲,乙\n1,2\n".as_bytes().to_vec(),
            &[("title", "某方案")],
        )
        .await;
        assert_eq!(s, 422);
        assert!(
            page.contains("未导入任何内容") && page.contains("import-problems"),
            "{page}"
        );
        let (s, page) = upload(
            &office,
            "p.exe",
            b"MZ\x90\0".to_vec(),
            &[("title", "某方案")],
        )
        .await;
        assert_eq!(s, 422);
        assert!(page.contains("不支持的文件类型"), "{page}");
        let (s, page) = upload(
            &office,
            "p.xlsx",
            gas_plan_xlsx(),
            &[("title", "某方案"), ("ends_on", "2023-13-01")],
        )
        .await;
        assert_eq!(s, 422);
        assert!(page.contains("结束日期应为"), "{page}");
        assert_eq!(campaign_count(&app).await, before);

        // The table imports into a 2023 campaign; the page lists what it inferred.
        let (s, page) = upload(
            &office,
            "燃气方案.xlsx",
            gas_plan_xlsx(),
            &[
                ("title", "某区燃气安全专项整治方案"),
                ("doc_number", "某安办〔2023〕5号"),
                ("year", "2023"),
                ("ends_on", "2023-12-31"),
            ],
        )
        .await;
        assert_eq!(s, 200, "{page}");
        assert!(
            page.contains("已导入并开展") && page.contains("3 项工作要点"),
            "{page}"
        );
        assert!(page.contains("id=\"inferences\"") && page.contains("未写明工作时限"));
        assert_eq!(campaign_count(&app).await, before + 1);
        let newest = anjian_store::plans::campaigns(&app.db).await.unwrap()[0].clone();
        assert_eq!(
            (newest.year, newest.ends_on.as_deref()),
            (2023, Some("2023-12-31"))
        );
        // The township sees what it owes under the new campaign: (1) by 30 June 2023.
        let (_, list) = bachuan
            .get(&format!(
                "/api/v1/obligations?campaign={}&limit=1000",
                newest.id
            ))
            .await;
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 1 + 12, "(1) once and (2) monthly");
        assert_eq!(list[0]["due_on"], "2023-01-31");
        assert!(
            list.iter()
                .any(|o| o["due_on"] == "2023-06-30" && o["work_item_no"] == 1)
        );
        // It appears on the campaigns page.
        let (_, page) = bachuan.get_text("/campaigns").await;
        assert!(page.contains("某区燃气安全专项整治方案") && page.contains("某安办〔2023〕5号"));
        assert!(
            !page.contains("plan-import"),
            "the import form is the office's"
        );
    }
}

/// Obligations due after `day`, other than the dates the plan's text itself gives after
/// the campaign's end ("（100）12月底", "按5月、8月、11月工作节点"), which keep their dates
/// wherever the end moves.
async fn pending_after(app: &TestApp, campaign: i64, day: &str) -> i64 {
    let (n,): (i64,) = app
        .db
        .read()
        .one(
            anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT) FROM obligations WHERE campaign_id = $1 AND due_on > $2 AND label NOT LIKE '%节点' AND label NOT LIKE '%日前'")
                .bind(campaign)
                .bind(day.to_string()),
        )
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn the_office_moves_a_campaigns_end_and_obligations_follow() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = anjian_store::plans::campaigns(&app.db).await.unwrap()[0].clone();
        assert_eq!(c.ends_on.as_deref(), Some("2022-10-22"));
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        // The township reports early on a standing duty's summary, due at the end.
        let (_, list) = bachuan
            .get("/api/v1/obligations?limit=1000&after=2022-10-21,9007199254740991&due_before=2022-10-23")
            .await;
        let october = list
            .as_array()
            .unwrap()
            .iter()
            .find(|o| {
                o["work_item_no"] == 20
                    && o["label"] == "总结报告"
                    && o["unit"]["name"] == "巴川街道"
            })
            .expect("(20)'s summary due 22 October")["id"]
            .as_i64()
            .unwrap();
        let form = reqwest::multipart::Form::new().text("text", "10月20日巡查情况已报送");
        let r = bachuan
            .post_multipart(&format!("/obligations/{october}/reports"), form)
            .await;
        assert_eq!(r.status(), 303);

        // Refused: a township; an end before the start; a date that is not one.
        let path = format!("/campaigns/{}/end", c.id);
        assert_eq!(
            bachuan.form(&path, &[("ends_on", "2022-12-31")]).await.0,
            403
        );
        let (s, page) = office.form(&path, &[("ends_on", "2022-01-01")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("结束日期不能早于开始日期"), "{page}");
        let (s, page) = office.form(&path, &[("ends_on", "十月底")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("结束日期应为"));

        // Extended to the year's end: November and December's monthly reports appear,
        // and "ongoing" items come due on the new last day.
        assert_eq!(pending_after(&app, c.id, "2022-10-22").await, 0);
        assert_eq!(
            office.form(&path, &[("ends_on", "2022-12-31")]).await.0,
            303
        );
        let (_, list) = bachuan
            .get("/api/v1/obligations?limit=1000&after=2022-10-22,0")
            .await;
        let dues: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["due_on"].as_str().unwrap())
            .collect();
        assert!(
            dues.contains(&"2022-11-28") && dues.contains(&"2022-12-28"),
            "{dues:?}"
        );
        assert!(
            dues.contains(&"2022-12-31"),
            "ongoing items due at the end: {dues:?}"
        );
        let (old_end,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT) FROM obligations WHERE campaign_id = $1 AND due_on = '2022-10-22' AND label = '常态化'").bind(c.id))
            .await
            .unwrap();
        assert_eq!(
            old_end, 0,
            "ongoing items no longer fall due on the old end"
        );

        // Ended early, on 30 September: what nobody acted on after it is removed; the
        // report already submitted stays.
        assert_eq!(
            office.form(&path, &[("ends_on", "2022-09-30")]).await.0,
            303
        );
        assert_eq!(pending_after(&app, c.id, "2022-09-30").await, 1);
        let (s, page) = bachuan.get_text(&format!("/obligations/{october}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("10月20日巡查情况已报送"));
        let c2 = anjian_store::plans::campaign(&app.db, c.id).await.unwrap();
        assert_eq!(c2.ends_on.as_deref(), Some("2022-09-30"));
        assert!(
            anjian_store::audit::verify(&app.db)
                .await
                .unwrap()
                .broken
                .is_none()
        );
    }
}

#[tokio::test]
async fn the_office_runs_the_plan_again_a_year_later() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = anjian_store::plans::campaigns(&app.db).await.unwrap()[0].clone();
        let office = app.login("office").await;
        let path = format!("/campaigns/{}/rerun", c.id);
        assert_eq!(
            app.login("bachuan")
                .await
                .form(&path, &[("year", "2023")])
                .await
                .0,
            403
        );
        let (s, page) = office.form(&path, &[("year", "1900")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("年度应为"));
        let (s, _) = office
            .form(
                &path,
                &[
                    ("year", "2023"),
                    ("ends_on", "2023-10-31"),
                    ("title", "2023年安全生产大检查"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let again = anjian_store::plans::campaigns(&app.db).await.unwrap()[0].clone();
        assert_eq!(
            (again.year, again.title.as_str(), again.starts_on.as_str()),
            (2023, "2023年安全生产大检查", "2023-05-16")
        );
        assert_eq!(again.plan_id, c.plan_id, "the same stored plan");
        // The plan reads back with its dates in 2023: item (1) due 31 May 2023.
        let (_, doc) = office
            .get(&format!("/api/v1/campaigns/{}/plan", again.id))
            .await;
        assert_eq!(doc["campaign"]["year"], 2023);
        let item1 = &doc["measures"][0]["key_tasks"][0]["work_items"][0];
        assert_eq!(item1["schedule"][0]["due"], "2023-05-31", "{item1}");
        assert_eq!(doc["campaign"]["phases"][0]["ends_on"], "2023-05-20");
        let (_, list) = app
            .login("bachuan")
            .await
            .get(&format!(
                "/api/v1/obligations?campaign={}&limit=5",
                again.id
            ))
            .await;
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|o| o["due_on"].as_str().unwrap().starts_with("2023-")),
            "{list}"
        );
    }
}

/// Daily reports "in special periods" (the plan gives no dates): the demo names the 20th
/// Party Congress; the office adds another period and the units owe each of its days.
#[tokio::test]
async fn special_periods_bring_daily_reports() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let c = anjian_store::plans::campaigns(&app.db).await.unwrap()[0].clone();
        let bachuan_id = app.unit_id("巴川街道").await;
        let campaign_id = c.id;
        // The campaign's special periods are special periods: one daily report form
        // (with the leader on duty), owed by the townships and supervising departments.
        let special = |from: &'static str, to: &'static str| {
            let db = app.db.clone();
            async move {
                let (n,): (i64,) = db
                    .read()
                    .one(
                        anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT) FROM obligations o JOIN special_periods p ON p.id = o.special_period_id WHERE p.campaign_id = $1 AND o.unit_id = $2 AND o.due_on >= $3 AND o.due_on <= $4")
                            .bind(campaign_id)
                            .bind(bachuan_id)
                            .bind(from)
                            .bind(to),
                    )
                    .await
                    .unwrap();
                n
            }
        };
        assert_eq!(
            special("2022-10-16", "2022-10-22").await,
            7,
            "each day of the Congress"
        );
        assert_eq!(special("2022-05-01", "2022-10-15").await, 0);
        let office = app.login("office").await;
        let path = format!("/campaigns/{}/periods", c.id);
        let period = [
            ("name", "市第六次党代会期间"),
            ("starts_on", "2022-05-27"),
            ("ends_on", "2022-05-30"),
        ];
        assert_eq!(app.login("bachuan").await.form(&path, &period).await.0, 403);
        let (s, page) = office
            .form(
                &path,
                &[
                    ("name", "某时段"),
                    ("starts_on", "2022-06-10"),
                    ("ends_on", "2022-06-01"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("时段的结束日期不能早于开始日期"), "{page}");
        let (s, page) = office
            .form(
                &path,
                &[
                    ("name", " "),
                    ("starts_on", "2022-06-01"),
                    ("ends_on", "2022-06-01"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("时段名称"), "{page}");
        assert_eq!(office.form(&path, &period).await.0, 303);
        assert_eq!(special("2022-05-27", "2022-05-30").await, 4);
        let (_, page) = office.get_text("/campaigns").await;
        assert!(page.contains("市第六次党代会期间：2022-05-27 至 2022-05-30"));
        // Removing it removes the days nobody reported on.
        let periods = anjian_store::expansion::periods(&app.db, c.id)
            .await
            .unwrap();
        let p = periods
            .iter()
            .find(|p| p.name == "市第六次党代会期间")
            .unwrap();
        let (s, _) = office
            .form(&format!("/campaigns/{}/periods/{}/delete", c.id, p.id), &[])
            .await;
        assert_eq!(s, 303);
        assert_eq!(special("2022-05-27", "2022-05-30").await, 0);
        assert_eq!(special("2022-10-16", "2022-10-22").await, 7);
    }
}
