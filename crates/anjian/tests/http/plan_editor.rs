//! The campaign whole: every work item is somebody's work (standing duties), dates past
//! the window are kept, and the office corrects and extends a running campaign with the
//! plan editor (`PUT/POST/DELETE /api/v1/campaigns/{id}/work-items…`) and its pages.

use serde_json::{Value, json};

use crate::harness::{Client, TestApp, engines};

async fn campaign_id(c: &Client) -> i64 {
    let (_, campaigns) = c.get("/api/v1/campaigns").await;
    campaigns[0]["id"].as_i64().unwrap()
}

fn items(doc: &Value) -> Vec<Value> {
    doc["measures"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["key_tasks"].as_array().unwrap().clone())
        .flat_map(|k| k["work_items"].as_array().unwrap().clone())
        .collect()
}

fn item(doc: &Value, no: u64) -> Option<Value> {
    items(doc).into_iter().find(|w| w["no"] == no)
}

async fn obligations_of(c: &Client, no: u64) -> Vec<Value> {
    let (s, list) = c.get("/api/v1/obligations?limit=1000").await;
    assert_eq!(s, 200);
    list.as_array()
        .unwrap()
        .iter()
        .filter(|o| o["work_item_no"] == no)
        .cloned()
        .collect()
}

/// The plan's body: "即日起至党的二十大结束，分五个阶段进行。" and "各镇街、区级行业监管部门每月
/// 28日前将自查情况和问题清单报区安委办" — a work item with no time limit of its own runs
/// for the whole campaign and is reported with the monthly self-inspection report.
#[tokio::test]
async fn every_work_item_of_the_plan_is_somebodys_work() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let id = campaign_id(&office).await;
        let (_, doc) = office.get(&format!("/api/v1/campaigns/{id}/plan")).await;
        let all = items(&doc);
        assert_eq!(all.len(), 110);
        for w in &all {
            assert!(
                !w["schedule"].as_array().unwrap().is_empty(),
                "item {} has no schedule",
                w["no"]
            );
        }
        // (101) "各镇街、各管委会，区级负有安全生产监管职责的部门（区应急局牵头）": 区应急局
        // alone leads.
        assert_eq!(item(&doc, 101).unwrap()["lead"], json!(["区应急局"]));
        // Key task 48 "区级负有监管职责的部门围绕重大风险…严格开展检查诊断、行政处罚、整改复查
        // “三部曲”闭环执法" names who does (89) and (90): the departments lead.
        for no in [89, 90] {
            let w = item(&doc, no).unwrap();
            assert_eq!(w["lead"], json!(["区级负有安全生产监管职责的部门"]), "{w}");
            assert_eq!(w["co"], json!(["各镇街", "各管委会"]), "{w}");
        }
        // (74) "…区交通局、区应急局等区级负有安全生产监督管理职责的部门": the named, and
        // the departments of the sectors the item names (none here): never all, never none.
        let co74 = item(&doc, 74).unwrap()["co"].clone();
        assert_eq!(
            co74,
            json!([
                "区住房城乡建委",
                "区农业农村委",
                "区交通局",
                "区应急局",
                "区级负有安全生产监督管理职责的部门（与本项行业相关）"
            ])
        );
        // (2) 在年度经济社会发展考核中加大安全生产…权重，并逐步提高。 — no time limit.
        assert_eq!(
            item(&doc, 2).unwrap()["schedule"],
            json!([{"kind": "standing"}])
        );
        // Every item whose units resolve owes something: no item without obligations.
        // Every item reaches a unit, but the leaders' own routines that the duty quotas
        // count ((7), (8), (22), (23), (33), (34), (53): "（23）其他负责人坚持每日了解掌握、
        // 每周协调调度、每月检查督查", "（34）…分管负责人每周必须调度推动执法"), which are
        // duties of people, logged as duty records, not units' to-dos.
        let idle: Vec<(i64,)> = app
            .db
            .read()
            .all(anjian_store::q(
                "SELECT w.no FROM work_items w WHERE w.campaign_id IS NULL AND NOT EXISTS (SELECT 1 FROM obligations o JOIN assignments a ON a.id = o.assignment_id WHERE a.work_item_id = w.id) ORDER BY w.no",
            ))
            .await
            .unwrap();
        assert_eq!(
            idle,
            vec![(7,), (8,), (22,), (23,), (33,), (34,), (53,)],
            "every other work item reaches a unit"
        );
        // The tree never shows 0/0 where a unit owes something.
        let (s, page) = office.get_text(&format!("/campaigns/{id}")).await;
        assert_eq!(s, 200);
        assert!(!page.contains(">0/0<"), "no 0/0 on the campaign tree");
        assert!(
            page.contains("计入履职纪实"),
            "the routines say where they are counted"
        );
        // 巴川街道 owes (20) 镇街、管委会落实属地监管职责 as a standing duty: a progress line
        // every month by the 28th, and a summary at the end.
        let bachuan = app.login("bachuan").await;
        assert!(
            obligations_of(&bachuan, 23).await.is_empty(),
            "no township owes a report for (23)"
        );
        let standing = obligations_of(&bachuan, 20).await;
        let labels: Vec<&str> = standing
            .iter()
            .map(|o| o["label"].as_str().unwrap())
            .collect();
        assert!(labels.contains(&"2022年6月进展"), "{labels:?}");
        assert!(labels.contains(&"总结报告"), "{labels:?}");
        // The monthly report lists the township's standing duties with a line each.
        let (s, page) = bachuan.get_text("/monthly-reports/2022-08").await;
        assert_eq!(s, 200);
        assert!(
            page.contains("id=\"standing-duties\""),
            "standing duties listed"
        );
        assert!(page.contains("（20）"), "item 20 on the monthly report");
        // Submitting the report submits each standing duty's line with it.
        let august = standing
            .iter()
            .find(|o| o["label"] == "2022年8月进展")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let field = format!("progress_{august}");
        let (s, _) = bachuan
            .form(
                "/monthly-reports/2022-08/submit",
                &[
                    ("narrative", "8月开展大排查"),
                    ("problems", ""),
                    (field.as_str(), "8月落实属地监管，检查企业15家"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (_, detail) = bachuan.get(&format!("/api/v1/obligations/{august}")).await;
        assert_eq!(detail["obligation"]["state"], "submitted", "{detail}");
        assert!(detail.to_string().contains("检查企业15家"), "{detail}");
        let others: Vec<Value> = obligations_of(&bachuan, 47)
            .await
            .into_iter()
            .filter(|o| o["label"] == "2022年8月进展" && o["unit"]["name"] == "巴川街道")
            .collect();
        assert_eq!(others.len(), 1);
        assert!(
            others.iter().all(|o| o["state"] == "submitted"),
            "an empty line is submitted too, marked for the reviewer: {others:?}"
        );
    }
}

/// "（10）5月上旬，专题研究落实“十五条措施”有关工作" in a plan issued on 16 May 2022
/// ("2022年5月16日"): nobody starts the campaign overdue; a date before the start falls
/// due five working days after it (the office's grace), listed in the launch report.
#[tokio::test]
async fn deadlines_before_the_campaign_fall_due_after_its_grace() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM obligations WHERE campaign_id IS NOT NULL AND due_on < '2022-05-16'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 0, "no obligation falls due before the plan was issued");
        let (due,): (String,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT MIN(o.due_on) FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN work_items w ON w.id = a.work_item_id WHERE w.no = 10"))
            .await
            .unwrap();
        assert_eq!(due, "2022-05-23", "16 May plus five working days");
        // The launch report names it.
        let (plan, _) = anjian_core::plan::published::parse(anjian::plan::TONGLIANG_2022);
        let (_, report) = anjian::plan::store(
            &app.db,
            1_660_000_000_000,
            &anjian_store::Actor::system("test"),
            &plan.unwrap(),
            2022,
            chrono::NaiveDate::from_ymd_opt(2022, 10, 22),
            Vec::new(),
        )
        .await
        .unwrap();
        assert!(
            report.before_start.iter().any(|(item, _)| item == "（10）"),
            "{:?}",
            report.before_start
        );
        // The grace day is the launch's: when the office lengthens the grace later, a
        // unit that joins still owes those deadlines on 23 May, like everyone else.
        let actor = anjian_store::Actor::system("test");
        anjian_store::settings::set(
            &app.db,
            1_660_000_000_000,
            &actor,
            "settings.grace",
            anjian_store::expansion::GRACE_KEY,
            "20",
        )
        .await
        .unwrap();
        let office = app.login("office").await;
        let c = anjian_store::plans::campaign(&app.db, campaign_id(&office).await)
            .await
            .unwrap();
        let start = chrono::NaiveDate::from_ymd_opt(2022, 5, 16).unwrap();
        assert_eq!(
            anjian_store::expansion::campaign_grace(&app.db, &c, start)
                .await
                .unwrap()
                .to_string(),
            "2022-05-23"
        );
        assert_eq!(
            anjian_store::expansion::grace_to(&app.db, start)
                .await
                .unwrap()
                .to_string(),
            "2022-06-14",
            "a campaign launched now would get the new grace"
        );
    }
}

/// The plan's body: "在党的二十大、市第六次党代会等特殊重点时段，落实日工作开展情况报告制度": a
/// campaign's periods named before they were special periods (a database from before
/// migration 0025) become special periods at start-up, owed from that day on, once.
#[tokio::test]
async fn campaign_periods_of_an_older_database_become_special_periods() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let campaign = campaign_id(&office).await;
        let mut tx = app.db.begin().await.unwrap();
        tx.execute(
            anjian_store::q("INSERT INTO campaign_periods (id, campaign_id, name, starts_on, ends_on, created_at) VALUES (990001, $1, '旧库特殊时段', '2022-08-07', '2022-08-12', 0)")
                .bind(campaign),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // 9 August 2022, the test clock's day.
        let now = 1_660_000_000_000;
        let n = anjian_store::special_periods::backfill_campaign_periods(&app.db, now)
            .await
            .unwrap();
        assert_eq!(n, 1);
        let (days, units): (i64, i64) = app
            .db
            .read()
            .one(anjian_store::q("SELECT CAST(COUNT(DISTINCT o.due_on) AS BIGINT), CAST(COUNT(DISTINCT o.unit_id) AS BIGINT) FROM obligations o JOIN special_periods sp ON sp.id = o.special_period_id WHERE sp.name = '旧库特殊时段' AND sp.campaign_id = $1").bind(campaign))
            .await
            .unwrap();
        assert_eq!(days, 4, "9 to 12 August: nothing retroactive");
        assert!(
            units >= 30,
            "every township and supervising department: {units}"
        );
        let again = anjian_store::special_periods::backfill_campaign_periods(&app.db, now)
            .await
            .unwrap();
        assert_eq!(again, 0, "once");
    }
}

/// "（100）12月底，开展综合行政执法改革“回头看”" and "（60）按5月、8月、11月工作节点": dates after
/// the campaign's end (it ran until the 20th Party Congress ended) keep their dates.
#[tokio::test]
async fn dates_after_the_campaigns_end_are_kept() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let q = |no: i64, due: &'static str| {
            anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT) FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN work_items w ON w.id = a.work_item_id WHERE w.no = $1 AND o.due_on = $2").bind(no).bind(due)
        };
        let (n,): (i64,) = app.db.read().one(q(100, "2022-12-31")).await.unwrap();
        assert!(n > 0, "(100) is due on 31 December");
        let (n,): (i64,) = app.db.read().one(q(60, "2022-11-30")).await.unwrap();
        assert!(n > 0, "(60)'s November node is kept");
    }
}

#[tokio::test]
async fn the_office_edits_a_work_items_units_and_schedule() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.login("bachuan").await;
        let anju = app.login("anju").await;
        let id = campaign_id(&office).await;
        let path = format!("/api/v1/campaigns/{id}/work-items/20");
        let (_, before) = office.get(&format!("/api/v1/campaigns/{id}/plan")).await;
        // 巴川街道 reports on its current month's line of (20) before the edit.
        let open = obligations_of(&bachuan, 20).await;
        let due = open
            .iter()
            .find(|o| o["label"] == "2022年8月进展")
            .expect("August's line");
        let oid = due["id"].as_i64().unwrap();
        let form = reqwest::multipart::Form::new().text("text", "8月开展属地检查12次");
        let r = bachuan
            .post_multipart(&format!("/api/v1/obligations/{oid}/reports"), form)
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

        // Refusals name the field and change nothing.
        let good = json!({
            "text": "镇街、管委会落实属地监管职责，每季度报送属地监管情况。",
            "lead": ["安居镇"],
            "co": ["区应急局"],
            "invited": [],
            "schedule": [{"kind": "recurring", "every": "quarter", "min_count": 1}],
            "reason": "区安委会第3次会议决定先在安居镇试行"
        });
        for (patch, field) in [
            (json!({"lead": ["不存在的单位"]}), "lead"),
            (json!({"lead": []}), "lead"),
            (json!({"co": ["某某局"]}), "co"),
            (json!({"schedule": "每季度"}), "schedule"),
            (json!({"schedule": [{"kind": "sometimes"}]}), "schedule"),
            (json!({"schedule": []}), "schedule"),
            (json!({"reason": ""}), "reason"),
            (json!({"text": " "}), "text"),
        ] {
            let mut body = good.clone();
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (s, err) = office.put(&path, body).await;
            assert_eq!(s, 422, "{err}");
            assert_eq!(err["error"]["field"], field, "{err}");
        }
        assert_eq!(bachuan.put(&path, good.clone()).await.0, 403);
        assert_eq!(
            office
                .put(
                    &format!("/api/v1/campaigns/{id}/work-items/999"),
                    good.clone()
                )
                .await
                .0,
            404
        );
        let (_, unchanged) = office.get(&format!("/api/v1/campaigns/{id}/plan")).await;
        assert_eq!(unchanged, before, "refused edits change nothing");

        // The preview says what would change and changes nothing.
        let (s, preview) = office
            .put(&format!("{path}?preview=true"), good.clone())
            .await;
        assert_eq!(s, 200, "{preview}");
        let units = preview["outcome"]["units"].as_array().unwrap();
        assert!(
            units
                .iter()
                .any(|u| u["unit_name"] == "巴川街道" && u["role_after"].is_null()),
            "{preview}"
        );
        let (_, same) = office.get(&format!("/api/v1/campaigns/{id}/plan")).await;
        assert_eq!(same, before, "a preview changes nothing");

        // The edit: one township leads, quarterly.
        let (s, out) = office.put(&path, good.clone()).await;
        assert_eq!(s, 200, "{out}");
        assert_eq!(out["item"]["lead"], json!(["安居镇"]));
        assert_eq!(
            out["item"]["schedule"],
            json!([{"kind": "recurring", "every": "quarter", "min_count": 1}])
        );
        assert!(out["outcome"]["removed"].as_u64().unwrap() > 0);
        let (_, doc) = office.get(&format!("/api/v1/campaigns/{id}/plan")).await;
        assert_eq!(item(&doc, 20).unwrap()["lead"], json!(["安居镇"]));
        // 安居镇 owes the third quarter; 巴川街道 owes nothing open, and its report stays.
        let anju_owes = obligations_of(&anju, 20).await;
        assert!(
            anju_owes.iter().any(|o| o["label"] == "2022年第3季度"),
            "{anju_owes:?}"
        );
        let left = obligations_of(&bachuan, 20).await;
        assert!(
            left.iter()
                .all(|o| o["state"] == "waived" || o["state"] == "accepted"),
            "{left:?}"
        );
        let (s, detail) = bachuan.get(&format!("/api/v1/obligations/{oid}")).await;
        assert_eq!(s, 200);
        assert_eq!(detail["obligation"]["state"], "waived", "{detail}");
        assert!(
            detail.to_string().contains("8月开展属地检查12次"),
            "the report stays: {detail}"
        );
        // The item's page shows the history; the tree marks the item.
        let (_, page) = office.get_text(&format!("/campaigns/{id}/items/20")).await;
        assert!(page.contains("区安委会第3次会议决定先在安居镇试行"));
        assert!(page.contains("id=\"history\""));
        let (_, tree) = office.get_text(&format!("/campaigns/{id}")).await;
        assert!(tree.contains("已修改"));
    }
}

/// "等…部门" adds the departments of the group whose sectors the item names: an item on
/// 特种设备 and 城镇燃气 reaches 区市场监管局 and 区经济信息委 besides the named 区应急局,
/// and not 区教委.
#[tokio::test]
async fn a_category_after_deng_adds_the_departments_of_the_items_sectors() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let id = campaign_id(&office).await;
        let (s, out) = office
            .post(
                &format!("/api/v1/campaigns/{id}/work-items"),
                json!({
                    "key_task": 30,
                    "text": "8月底前完成特种设备和城镇燃气安全专项检查。",
                    "lead": ["区应急局", "相关区级部门（与本项行业相关）"],
                    "co": [],
                    "invited": [],
                    "schedule": [{"kind": "once", "due": "2022-08-31"}],
                    "reason": "市安委办新部署"
                }),
            )
            .await;
        assert_eq!(s, 201, "{out}");
        let no = out["item"]["no"].as_i64().unwrap();
        let units: Vec<(String,)> = app
            .db
            .read()
            .all(
                anjian_store::q("SELECT u.name FROM assignments a JOIN work_items w ON w.id = a.work_item_id JOIN units u ON u.id = a.unit_id WHERE w.no = $1 AND w.campaign_id IS NOT NULL AND a.ended_at IS NULL ORDER BY u.name")
                    .bind(no),
            )
            .await
            .unwrap();
        let names: Vec<&str> = units.iter().map(|(n,)| n.as_str()).collect();
        assert!(
            names.contains(&"区应急局")
                && names.contains(&"区市场监管局")
                && names.contains(&"区经济信息委"),
            "{names:?}"
        );
        assert!(!names.contains(&"区教委"), "{names:?}");
    }
}

#[tokio::test]
async fn the_office_adds_and_retires_work_items() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let id = campaign_id(&office).await;
        let base = format!("/api/v1/campaigns/{id}/work-items");
        let new = json!({
            "key_task": 30,
            "text": "汛期前（5月底）完成地下商业空间疏散通道专项检查。",
            "lead": ["各镇街"],
            "co": [],
            "invited": [],
            "schedule": [{"kind": "once", "due": "2022-08-31"}],
            "reason": "市安委办新部署"
        });
        let mut missing = new.clone();
        missing.as_object_mut().unwrap().remove("key_task");
        let (s, err) = office.post(&base, missing).await;
        assert_eq!(s, 422);
        assert_eq!(err["error"]["field"], "key_task");
        let mut bad = new.clone();
        bad["key_task"] = json!(999);
        let (s, err) = office.post(&base, bad).await;
        assert_eq!((s, err["error"]["field"].as_str()), (422, Some("key_task")));
        let (s, out) = office.post(&base, new).await;
        assert_eq!(s, 201, "{out}");
        assert_eq!(out["item"]["no"], 111);
        let (_, doc) = office.get(&format!("/api/v1/campaigns/{id}/plan")).await;
        let added = item(&doc, 111).expect("the new item is in the plan");
        assert_eq!(added["lead"], json!(["各镇街"]));
        let bachuan = app.login("bachuan").await;
        assert_eq!(obligations_of(&bachuan, 111).await.len(), 1);

        let (s, err) = office.delete(&format!("{base}/111"), json!({})).await;
        assert_eq!((s, err["error"]["field"].as_str()), (422, Some("reason")));
        let (s, _) = office
            .delete(&format!("{base}/111"), json!({"reason": "并入第（61）项"}))
            .await;
        assert_eq!(s, 200);
        let (_, doc) = office.get(&format!("/api/v1/campaigns/{id}/plan")).await;
        assert!(item(&doc, 111).is_none(), "retired items leave the plan");
        let left = obligations_of(&bachuan, 111).await;
        assert!(left.iter().all(|o| o["state"] == "waived"), "{left:?}");
        assert_eq!(
            office
                .delete(&format!("{base}/111"), json!({"reason": "again"}))
                .await
                .0,
            404
        );
    }
}

#[tokio::test]
async fn the_editor_page_previews_then_saves() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let id = campaign_id(&office).await;
        let (s, page) = office
            .get_text(&format!("/campaigns/{id}/items/29/edit"))
            .await;
        assert_eq!(s, 200);
        assert!(page.contains("name=\"lead\""));
        let fields = [
            (
                "text",
                "落实定期与重要时段、重大活动、重大变化情况风险研判机制。",
            ),
            ("lead", "区安委办\n巴川街道"),
            ("co", ""),
            ("invited", ""),
            ("time_limit", "每两周"),
            ("reason", "缩小范围"),
        ];
        // The preview and the save are routes of their own (issue 22 part 4).
        let preview: Vec<(&str, &str)> = fields.to_vec();
        let (s, page) = office
            .form(&format!("/campaigns/{id}/items/29/edit/preview"), &preview)
            .await;
        assert_eq!(s, 200, "{page}");
        assert!(page.contains("id=\"preview\""));
        assert!(page.contains("每两周"));
        // The preview wrote nothing.
        let (_, doc) = office.get(&format!("/api/v1/campaigns/{id}/plan")).await;
        assert_ne!(
            item(&doc, 29).unwrap()["lead"],
            json!(["区安委办", "巴川街道"])
        );
        let mut bad = fields.to_vec();
        bad[1] = ("lead", "区安委办\n不存在的镇");
        let (s, page) = office
            .form(&format!("/campaigns/{id}/items/29/edit"), &bad)
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("不存在的镇"), "the typed form comes back");
        let save: Vec<(&str, &str)> = fields.to_vec();
        let (s, page) = office
            .form(&format!("/campaigns/{id}/items/29/edit"), &save)
            .await;
        assert_eq!(s, 303, "{page}");
        let (_, page) = office
            .get_text(&format!("/campaigns/{id}/items/29?ok=edited"))
            .await;
        assert!(page.contains("已保存"));
        assert!(page.contains("缩小范围"), "the history names the reason");
        let (_, doc) = office.get(&format!("/api/v1/campaigns/{id}/plan")).await;
        assert_eq!(
            item(&doc, 29).unwrap()["schedule"],
            json!([{"kind": "recurring", "every": "fortnight", "min_count": 1}])
        );
        let bachuan = app.login("bachuan").await;
        assert_eq!(
            bachuan
                .get_text(&format!("/campaigns/{id}/items/29/edit"))
                .await
                .0,
            403
        );
    }
}

/// A plan in another district's words: "按季度报送", "每两周", "每年1月和7月分别组织一次"
/// are read as written (quarterly, every two weeks, milestones in January and July);
/// "每两月" is not a phrase we read, so it is reported and the item is a standing duty.
#[tokio::test]
async fn a_plan_in_another_districts_words_imports_with_each_phrase_read_or_reported() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let rows: Vec<Vec<String>> = [
            [
                "一、压实责任",
                "……",
                "1.调度",
                "（1）各镇街按季度报送隐患排查情况。",
                "各镇街",
            ],
            [
                "",
                "",
                "",
                "（2）区应急局每两周调度一次重点企业。",
                "区应急局",
            ],
            [
                "",
                "",
                "2.检查",
                "（3）每年1月和7月分别组织一次集中检查。",
                "区应急局",
            ],
            ["", "", "", "（4）每两月通报一次检查情况。", "区应急局"],
        ]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
        let xlsx =
            anjian_core::sheet::table("方案", &anjian_core::plan::table::COLUMNS, &rows).unwrap();
        let (s, page) = crate::campaigns::upload(
            &office,
            "某区方案.xlsx",
            xlsx,
            &[
                ("title", "某区安全生产大检查方案"),
                ("year", "2023"),
                ("ends_on", "2023-12-31"),
            ],
        )
        .await;
        assert_eq!(s, 200, "{page}");
        assert!(
            page.contains("「每两月」未能识别"),
            "the unknown phrase is reported"
        );
        assert!(
            page.contains("id=\"given\""),
            "every item is listed with its schedule"
        );
        let newest = anjian_store::plans::campaigns(&app.db).await.unwrap()[0].clone();
        let (_, doc) = office
            .get(&format!("/api/v1/campaigns/{}/plan", newest.id))
            .await;
        assert_eq!(
            item(&doc, 1).unwrap()["schedule"],
            json!([{"kind": "recurring", "every": "quarter", "min_count": 1}])
        );
        assert_eq!(
            item(&doc, 2).unwrap()["schedule"],
            json!([{"kind": "recurring", "every": "fortnight", "min_count": 1}])
        );
        assert_eq!(
            item(&doc, 3).unwrap()["schedule"],
            json!([{"kind": "in_months", "months": [1, 7]}])
        );
        assert_eq!(
            item(&doc, 4).unwrap()["schedule"],
            json!([{"kind": "standing"}])
        );
        // 区应急局 owes (3) at the end of January and of July 2023.
        let yjj = app.login("yjj").await;
        let (_, list) = yjj
            .get(&format!(
                "/api/v1/obligations?campaign={}&limit=1000",
                newest.id
            ))
            .await;
        let dues: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["work_item_no"] == 3)
            .map(|o| o["due_on"].as_str().unwrap())
            .collect();
        assert_eq!(dues, vec!["2023-01-31", "2023-07-31"]);
    }
}

/// Item (12) "常态化保持3条（幅）以上的标语…" is owed by "各企业": an enterprise registered
/// after the campaign started owes it from that day, nothing retroactive; a unit
/// deactivated has its open duties waived with the reason, and what it reported stays.
#[tokio::test]
async fn the_campaign_follows_the_directory() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let town = app.unit_id("巴川街道").await;
        let (s, ent) = bachuan
            .post(
                "/api/v1/enterprises",
                json!({
                    "name": "重庆铜梁某新建五金有限公司",
                    "credit_code": crate::responsibility::code("B0001"),
                    "township": town,
                    "sector": "工贸",
                    "staff": 25,
                    "risk_level": "yellow",
                    "major_hazards": 0,
                    "listed": false,
                    "address": "巴川街道某路2号"
                }),
            )
            .await;
        assert_eq!(s, 201, "{ent}");
        let id = ent["id"].as_i64().unwrap();
        let (_, list) = bachuan.get("/api/v1/obligations?limit=1000").await;
        let owed: Vec<&Value> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["unit"]["id"] == id)
            .collect();
        assert!(
            owed.iter().any(|o| o["work_item_no"] == 12),
            "the new enterprise owes (12): {owed:?}"
        );
        assert!(
            owed.iter()
                .all(|o| o["due_on"].as_str().unwrap() >= "2022-08-09"),
            "nothing retroactive: {owed:?}"
        );
        // Deactivated, its open duties are waived with the reason.
        let office = app.login("office").await;
        let (s, _) = office
            .post(
                &format!("/api/v1/units/{id}/active"),
                json!({"active": false}),
            )
            .await;
        assert_eq!(s, 200);
        let (n,): (i64,) = app
            .db
            .read()
            .one(
                anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT) FROM obligations WHERE unit_id = $1 AND state <> 'waived'")
                    .bind(id),
            )
            .await
            .unwrap();
        assert_eq!(n, 0, "every open duty waived");
        // Running it again changes nothing.
        let again = anjian_store::follow::follow_directory(&app.db, 1_660_000_000_000)
            .await
            .unwrap();
        assert_eq!(
            (again.joined, again.left, again.recast),
            (0, 0, 0),
            "{again:?}"
        );
        // A unit that stays but whose reviewer no longer matches what the names give
        // (here made stale by hand) is recast, and nothing else changes.
        let (aid, reviewer): (i64, i64) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT id, reviewer_unit_id FROM assignments WHERE role = 'co' AND reviewer_unit_id IS NOT NULL AND ended_at IS NULL ORDER BY id LIMIT 1",
            ))
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        tx.execute(
            anjian_store::q("UPDATE assignments SET reviewer_unit_id = NULL WHERE id = $1")
                .bind(aid),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let fixed = anjian_store::follow::follow_directory(&app.db, 1_660_000_000_000)
            .await
            .unwrap();
        assert_eq!(
            (fixed.joined, fixed.left, fixed.recast),
            (0, 0, 1),
            "{fixed:?}"
        );
        let (now,): (Option<i64>,) = app
            .db
            .read()
            .one(
                anjian_store::q("SELECT reviewer_unit_id FROM assignments WHERE id = $1").bind(aid),
            )
            .await
            .unwrap();
        assert_eq!(now, Some(reviewer));
    }
}

/// "（1）…区委办，各镇（街道）党委（党工委）、各管委会、区级有关部门党委（组）、区属国有企业党委"
/// and "（41）…必要时邀请区纪委监委机关、区检察院": a group of departments means the
/// government's departments, not the procuratorate, the discipline commission or an
/// office inside a department, which the plan names where it means them.
#[tokio::test]
async fn groups_reach_the_units_the_document_means() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let owes = |unit: &'static str, no: i64| {
            let db = app.db.clone();
            async move {
                let (n,): (i64,) = db
                    .read()
                    .one(
                        anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT) FROM assignments a JOIN units u ON u.id = a.unit_id JOIN work_items w ON w.id = a.work_item_id WHERE u.name = $1 AND w.no = $2")
                            .bind(unit)
                            .bind(no),
                    )
                    .await
                    .unwrap();
                n
            }
        };
        assert_eq!(owes("区检察院", 1).await, 0);
        assert_eq!(owes("区纪委监委机关", 1).await, 0);
        assert_eq!(owes("区委办督查室", 1).await, 0);
        assert_eq!(
            owes("区财政局", 1).await,
            1,
            "a department of the government"
        );
        assert_eq!(
            owes("区检察院", 41).await,
            1,
            "invited where the text names it"
        );
    }
}

/// Item (12) "常态化保持3条（幅）以上的标语…" as the plan gives it, "各企业": the editor reads
/// the enterprises only when a name stands for them, and then reaches every one of them;
/// an enterprise written by its own name is reached alone, and an unknown one is refused.
#[tokio::test]
async fn the_editor_reaches_enterprises_when_a_name_stands_for_them() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let id = campaign_id(&office).await;
        let path = format!("/api/v1/campaigns/{id}/work-items/12");
        let names: Vec<(String,)> = app
            .db
            .read()
            .all(anjian_store::q(
                "SELECT name FROM units WHERE kind = 'enterprise' AND active = 1",
            ))
            .await
            .unwrap();
        let enterprise: std::collections::HashSet<String> =
            names.into_iter().map(|(n,)| n).collect();
        let enterprises = enterprise.len() as i64;
        let (named,): (String,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT name FROM units WHERE kind = 'enterprise' AND active = 1 ORDER BY id LIMIT 1",
            ))
            .await
            .unwrap();
        let body = |lead: Vec<&str>| {
            json!({
                "text": "常态化保持3条（幅）以上的标语。",
                "lead": lead,
                "co": [],
                "invited": [],
                "schedule": [{"kind": "recurring", "every": "month", "min_count": 1}],
                "reason": "核对名录"
            })
        };
        // Given to one enterprise by its name: every other one leaves.
        let (s, saved) = office.put(&path, body(vec![named.as_str()])).await;
        assert_eq!(s, 200, "{saved}");
        let changes = |doc: &Value, before: bool, after: bool| {
            doc["outcome"]["units"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|u| u["role_before"].is_null() != before)
                .filter(|u| u["role_after"].is_null() != after)
                .filter(|u| u["unit_name"] != named.as_str())
                .filter(|u| enterprise.contains(u["unit_name"].as_str().unwrap()))
                .count() as i64
        };
        assert_eq!(changes(&saved, true, false), enterprises - 1, "{saved}");
        // Given back to "各企业": every other one comes back as a lead.
        let (s, preview) = office
            .put(&format!("{path}?preview=true"), body(vec!["各企业"]))
            .await;
        assert_eq!(s, 200, "{preview}");
        assert_eq!(changes(&preview, false, true), enterprises - 1, "{preview}");
        assert!(
            preview["outcome"]["units"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|u| u["role_before"].is_null())
                .all(|u| u["role_after"] == "牵头"
                    && enterprise.contains(u["unit_name"].as_str().unwrap())),
            "{preview}"
        );
        let (s, err) = office
            .put(&path, body(vec!["重庆铜梁并不存在的公司"]))
            .await;
        assert_eq!(s, 422, "{err}");
        assert_eq!(err["error"]["field"], "lead");
    }
}
