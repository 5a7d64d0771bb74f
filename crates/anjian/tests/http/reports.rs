//! The closed loop of a work item: the township reports with a photo, the lead unit
//! returns it with a reason, the township reports again, the office accepts it late.

use crate::harness::{Client, TestApp, engines};

/// The smallest PNG header the content check accepts as a photo.
pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

pub(crate) async fn report(
    c: &Client,
    id: i64,
    text: &str,
    files: Vec<(&str, Vec<u8>)>,
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new().text("text", text.to_string());
    for (name, bytes) in files {
        form = form.part(
            "evidence",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    let r = c
        .post_multipart(&format!("/obligations/{id}/reports"), form)
        .await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Item (28): 区应急局 leads, 各镇街 co-operate; due 30 June 2022.
pub(crate) async fn item28_for_bachuan(c: &Client) -> i64 {
    let (_, list) = c.get("/api/v1/obligations?limit=1000").await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|o| o["work_item_no"] == 28 && o["unit"]["name"] == "巴川街道")
        .expect("item (28) for 巴川街道")["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn report_return_resubmit_accept() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let id = item28_for_bachuan(&bachuan).await;
        let (s, page) = bachuan.get_text(&format!("/obligations/{id}")).await;
        assert_eq!(s, 200);
        assert!(
            page.contains("已逾期") && page.contains("配合单位") && page.contains("report-form")
        );
        // A disguised executable and an empty text are refused, naming the field; nothing is written.
        let (s, page) = report(
            &bachuan,
            id,
            "已建立镇街安委会工作制度",
            vec![("制度.jpg", b"MZ\x90\0 not a photo".to_vec())],
        )
        .await;
        assert_eq!(s, 422);
        assert!(
            page.contains("制度.jpg") && page.contains("只能上传照片"),
            "{page}"
        );
        let (s, page) = report(&bachuan, id, "   ", vec![]).await;
        assert_eq!(s, 422);
        assert!(page.contains("报送内容不能为空"));
        assert!(
            bachuan
                .get_text(&format!("/obligations/{id}"))
                .await
                .1
                .contains("还没有报送")
        );
        // The report with a photo.
        let (s, _) = report(
            &bachuan,
            id,
            "已建立镇街安委会工作制度，印发文件见附件",
            vec![("会议照片.png", PNG.to_vec())],
        )
        .await;
        assert_eq!(s, 303);
        let (_, page) = bachuan.get_text(&format!("/obligations/{id}")).await;
        assert!(
            page.contains("已报送")
                && page.contains("会议照片.png")
                && !page.contains("report-form")
        );
        // Neither the township nor another township may review; the other does not even see it.
        assert!(!page.contains("review-form"));
        assert_eq!(
            bachuan
                .form(
                    &format!("/obligations/{id}/review"),
                    &[("decision", "accept")]
                )
                .await
                .0,
            403
        );
        assert_eq!(
            app.login("anju")
                .await
                .get_text(&format!("/obligations/{id}"))
                .await
                .0,
            404
        );
        // The lead unit (区应急局) finds it in its review queue (API and to-do page) and in
        // its obligation list; another township's review queue stays empty.
        let yjj = app.login("yjj").await;
        let (s, queue) = yjj.get("/api/v1/obligations?to_review=true").await;
        assert_eq!(s, 200);
        let queue = queue.as_array().unwrap();
        assert!(queue.iter().any(|o| o["id"] == id), "{queue:?}");
        assert!(
            queue
                .iter()
                .all(|o| o["state"] == "submitted" && o["unit"]["name"] != "区应急局")
        );
        let (_, listed) = yjj
            .get("/api/v1/obligations?state=submitted&limit=1000")
            .await;
        assert!(listed.as_array().unwrap().iter().any(|o| o["id"] == id));
        let (_, todo) = yjj.get_text("/todo").await;
        assert!(todo.contains("待审核的报送") && todo.contains(&format!("/obligations/{id}")));
        let (_, other) = app
            .login("anju")
            .await
            .get("/api/v1/obligations?to_review=true")
            .await;
        assert_eq!(other.as_array().unwrap().len(), 0);
        let (_, other) = app
            .login("anju")
            .await
            .get("/api/v1/obligations?state=submitted")
            .await;
        assert!(other.as_array().unwrap().iter().all(|o| o["id"] != id));
        // It opens the photo and returns the report with a reason.
        let (s, page) = yjj.get_text(&format!("/obligations/{id}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("review-form"));
        let sha = page
            .split("/evidence/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = yjj
            .http
            .get(format!("{}/obligations/{id}/evidence/{sha}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(r.headers()["content-disposition"], "inline");
        assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
        let (s, page) = yjj
            .form(
                &format!("/obligations/{id}/review"),
                &[("decision", "return"), ("reason", "")],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("退回时须写明理由"));
        let (s, _) = yjj
            .form(
                &format!("/obligations/{id}/review"),
                &[("decision", "return"), ("reason", "缺少印发文件")],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = bachuan.get_text(&format!("/obligations/{id}")).await;
        assert!(page.contains("退回理由：缺少印发文件") && page.contains("report-form"));
        // Reported again; the office accepts it: it was due on 30 June, so it is done late.
        let (s, _) = report(
            &bachuan,
            id,
            "补充印发文件",
            vec![("制度.pdf", b"%PDF-1.4 test".to_vec())],
        )
        .await;
        assert_eq!(s, 303);
        let (s, _) = app
            .login("office")
            .await
            .form(
                &format!("/obligations/{id}/review"),
                &[("decision", "accept")],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = bachuan.get_text(&format!("/obligations/{id}")).await;
        assert!(page.contains("逾期完成"), "accepted after its due date");
        let (_, list) = bachuan.get("/api/v1/obligations?state=done_late").await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        // Every step is in the audit chain.
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE object_type = 'obligation'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 4, "submit, return, submit, accept");
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
async fn the_campaign_page_counts_what_is_due_and_done_in_scope() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let id = item28_for_bachuan(&bachuan).await;
        let (_, _) = report(
            &bachuan,
            id,
            "已建立工作制度",
            vec![("照片.png", PNG.to_vec())],
        )
        .await;
        let office = app.login("office").await;
        assert_eq!(
            office
                .form(
                    &format!("/obligations/{id}/review"),
                    &[("decision", "accept")]
                )
                .await
                .0,
            303
        );
        let campaign = format!(
            "/campaigns/{}",
            anjian_store::plans::campaigns(&app.db).await.unwrap()[0].id
        );
        let (s, page) = office.get_text(&campaign).await;
        assert_eq!(s, 200);
        assert!(
            page.contains("一、严格落实地方党委安全生产责任")
                && page.contains("十五、统筹做好经济发展")
        );
        assert!(page.contains("（110）"));
        // Item (28): 1 of 29 units (区应急局 + 28 townships) done by 2022-08-09.
        let line = &page[page.find("/items/28\"").unwrap()..];
        assert!(
            line[..line.find("</tr>").unwrap()].contains("1/29"),
            "{}",
            &line[..400.min(line.len())]
        );
        let (s, item) = office.get_text(&format!("{campaign}/items/28")).await;
        assert_eq!(s, 200);
        assert!(item.contains("区应急局") && item.contains("巴川街道") && item.contains("牵头"));
        let (_, rates) = office.get_text(&format!("{campaign}/units")).await;
        assert!(rates.contains("unit-rates") && rates.contains("安居镇"));
        // A township's page counts only its own units.
        let (_, mine) = bachuan.get_text(&format!("{campaign}/items/28")).await;
        assert!(mine.contains("巴川街道") && !mine.contains("安居镇"));
    }
}

#[tokio::test]
async fn review_and_waive_by_api_with_their_permissions() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let id = item28_for_bachuan(&bachuan).await;
        // Nothing to review yet.
        let yjj = app.login("yjj").await;
        let (s, v) = yjj
            .post(
                &format!("/api/v1/obligations/{id}/review"),
                serde_json::json!({"decision": "accept"}),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("invalid_transition"))
        );
        assert_eq!(report(&bachuan, id, "已完成", vec![]).await.0, 303);
        let (s, v) = yjj
            .post(
                &format!("/api/v1/obligations/{id}/review"),
                serde_json::json!({"decision": "maybe"}),
            )
            .await;
        assert_eq!((s, v["error"]["field"].as_str()), (400, Some("decision")));
        assert_eq!(
            bachuan
                .post(
                    &format!("/api/v1/obligations/{id}/review"),
                    serde_json::json!({"decision": "accept"})
                )
                .await
                .0,
            403
        );
        let (s, v) = yjj
            .post(
                &format!("/api/v1/obligations/{id}/review"),
                serde_json::json!({"decision": "return", "reason": "材料不全"}),
            )
            .await;
        assert_eq!((s, v["state"].as_str()), (200, Some("returned")));
        // Only the office waives, and only with a reason.
        assert_eq!(
            yjj.post(
                &format!("/api/v1/obligations/{id}/waive"),
                serde_json::json!({"reason": "x"})
            )
            .await
            .0,
            403
        );
        let office = app.login("office").await;
        let (s, v) = office
            .post(
                &format!("/api/v1/obligations/{id}/waive"),
                serde_json::json!({"reason": " "}),
            )
            .await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("reason")));
        let (s, v) = office
            .post(
                &format!("/api/v1/obligations/{id}/waive"),
                serde_json::json!({"reason": "该镇已撤并，工作由新设镇承接"}),
            )
            .await;
        assert_eq!((s, v["state"].as_str()), (200, Some("waived")));
        assert!(
            bachuan
                .get_text(&format!("/obligations/{id}"))
                .await
                .1
                .contains("已豁免")
        );
        let (s, _) = office
            .post(
                &format!("/api/v1/obligations/{id}/waive"),
                serde_json::json!({"reason": "再次"}),
            )
            .await;
        assert_eq!(s, 422, "a waived obligation is closed");
    }
}

/// Where several units lead an item jointly (item (8): 各镇街 lead, departments
/// co-operate), no lead reviews another unit: a township neither sees a department's
/// obligation on it nor reviews it; the office does.
#[tokio::test]
async fn joint_leads_do_not_see_or_review_one_another() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan_id = app.unit_id("巴川街道").await;
        let (co_id, co_unit): (i64, String) = app
            .db
            .read()
            .one(
                anjian_store::q(
                    "SELECT o.id, u.name FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN units u ON u.id = o.unit_id WHERE a.role = 'co' AND u.kind = 'department' AND EXISTS (SELECT 1 FROM assignments la WHERE la.campaign_id = a.campaign_id AND la.work_item_id = a.work_item_id AND la.role = 'lead' AND la.unit_id = $1) ORDER BY o.id LIMIT 1",
                )
                .bind(bachuan_id),
            )
            .await
            .unwrap();
        let bachuan = app.login("bachuan").await;
        assert_eq!(
            bachuan.get_text(&format!("/obligations/{co_id}")).await.0,
            404,
            "{co_unit}"
        );
        let (_, queue) = bachuan
            .get("/api/v1/obligations?to_review=true&limit=1000")
            .await;
        assert!(queue.as_array().unwrap().is_empty());
        let (s, _) = bachuan
            .post(
                &format!("/api/v1/obligations/{co_id}/review"),
                serde_json::json!({"decision": "accept"}),
            )
            .await;
        assert_eq!(s, 404);
        // Another township, a joint lead of the same items, stays out of sight too.
        let anju = app.unit_id("安居镇").await;
        let (_, list) = bachuan.get("/api/v1/obligations?limit=1000").await;
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|o| o["unit"]["id"] != anju)
        );
        assert_eq!(
            app.login("office")
                .await
                .get_text(&format!("/obligations/{co_id}"))
                .await
                .0,
            200
        );
    }
}

/// A script reports through the API with the same multipart form the page posts.
#[tokio::test]
async fn reports_with_evidence_through_the_api() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let id = item28_for_bachuan(&bachuan).await;
        let post = |c: &Client, text: &str, files: Vec<(&str, Vec<u8>)>| {
            let mut form = reqwest::multipart::Form::new().text("text", text.to_string());
            for (name, bytes) in files {
                form = form.part(
                    "evidence",
                    reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
                );
            }
            c.http
                .post(format!("{}/api/v1/obligations/{id}/reports", c.base))
                .multipart(form)
                .send()
        };
        let r = post(
            &bachuan,
            "制度已建立",
            vec![("a.png", b"MZ\x90\0".to_vec())],
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "evidence", "{body}");
        let r = post(&bachuan, "", vec![]).await.unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "text");
        // Another township does not see it; the office does not report for units.
        assert_eq!(
            post(&app.login("anju").await, "x", vec![])
                .await
                .unwrap()
                .status(),
            404
        );
        assert_eq!(
            post(&app.login("office").await, "x", vec![])
                .await
                .unwrap()
                .status(),
            403
        );
        let r = post(
            &bachuan,
            "制度已建立，照片见附件",
            vec![("会议.png", PNG.to_vec())],
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 201);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["state"], "submitted");
        let (s, detail) = bachuan.get(&format!("/api/v1/obligations/{id}")).await;
        assert_eq!(s, 200);
        assert_eq!(detail["effective_state"], "submitted");
        assert_eq!(detail["reports"][0]["text"], "制度已建立，照片见附件");
        assert_eq!(detail["reports"][0]["evidence"][0]["mime"], "image/png");
        assert_eq!(
            app.login("anju")
                .await
                .get(&format!("/api/v1/obligations/{id}"))
                .await
                .0,
            404
        );
    }
}

/// Counts counted. Body 三(三) "区安委办、减灾办将组织开展2次督查检查": the office's report
/// counts the supervision visits it recorded; (18) "区政府常务会逐月听取10个安全专项办公室
/// 和相关重点行业部门汇报": 区政府办 states how many it heard, and a report short of ten is
/// marked short with the count.
#[tokio::test]
async fn a_minimum_in_the_text_is_counted_and_a_short_report_is_marked() {
    use anjian_core::role::Role;
    use anjian_core::unit::UnitKind;
    use anjian_store::scope::{Actor, Scope};
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let office_unit = app.unit_id("区安委办").await;
        let (id, state): (i64, String) = app
            .db
            .read()
            .one(
                anjian_store::q("SELECT o.id, o.state FROM obligations o WHERE o.unit_id = $1 AND o.min_count = 2")
                    .bind(office_unit),
            )
            .await
            .unwrap();
        if state == "submitted" {
            let (s, b) = office
                .post(
                    &format!("/api/v1/obligations/{id}/review"),
                    serde_json::json!({"decision": "return", "reason": "补充督查检查记录"}),
                )
                .await;
            assert_eq!(s, 200, "{b}");
        }
        let (_, page) = office.get_text(&format!("/obligations/{id}")).await;
        assert!(
            page.contains("要求至少2次，报送时按本单位已记录的督查检查计数"),
            "{page}"
        );
        let (recorded,): (i64,) = app
            .db
            .read()
            .one(
                anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT) FROM visits WHERE unit_id = $1 AND recorded_at IS NOT NULL AND starts_on <= '2022-07-31'")
                    .bind(office_unit),
            )
            .await
            .unwrap();
        // The office's operator account reports for 区安委办.
        let (path,): (String,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT path FROM units WHERE id = $1").bind(office_unit))
            .await
            .unwrap();
        let op = Actor {
            user_id: None,
            username: "ops".into(),
            role: Role::UnitOperator.as_str().into(),
            unit_id: Some(office_unit),
        };
        let op_scope = Scope::for_user(
            Role::UnitOperator,
            office_unit,
            UnitKind::CommitteeOffice,
            &path,
        );
        let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
        anjian_store::reports::submit(
            &app.db,
            now,
            &op,
            &op_scope,
            id,
            anjian_store::reports::Submission {
                text: "5月至7月组织督查检查",
                counted: "",
                files: &[],
            },
        )
        .await
        .unwrap();
        let (_, page) = office.get_text(&format!("/obligations/{id}")).await;
        assert!(
            page.contains(&format!("完成{recorded}，要求至少2")),
            "{page}"
        );
        assert_eq!(page.contains("（未达要求）"), recorded < 2);

        // (18): stated by 区政府办, required, and marked short below ten.
        let gov = app.unit_id("区政府办").await;
        let (oid, path): (i64, String) = app
            .db
            .read()
            .one(
                anjian_store::q("SELECT o.id, u.path FROM obligations o JOIN units u ON u.id = o.unit_id WHERE o.unit_id = $1 AND o.min_count = 10 AND o.state = 'pending' ORDER BY o.due_on LIMIT 1")
                    .bind(gov),
            )
            .await
            .unwrap();
        let actor = Actor {
            user_id: None,
            username: "zfb".into(),
            role: Role::UnitOperator.as_str().into(),
            unit_id: Some(gov),
        };
        let scope = Scope::for_user(Role::UnitOperator, gov, UnitKind::Department, &path);
        for (counted, ok) in [("", false), ("8", true)] {
            let r = anjian_store::reports::submit(
                &app.db,
                now,
                &actor,
                &scope,
                oid,
                anjian_store::reports::Submission {
                    text: "常务会听取专项办公室汇报",
                    counted,
                    files: &[],
                },
            )
            .await;
            match r {
                Err(err) => assert!(!ok && err.to_string().contains("要求至少10"), "{err}"),
                Ok(_) => assert!(ok),
            }
        }
        let (_, page) = office.get_text(&format!("/obligations/{oid}")).await;
        assert!(page.contains("完成8，要求至少10（未达要求）"), "{page}");
    }
}

/// The lead unit accepting a report while the office waives the same duty: the duty's
/// table is applied only from the state read, so one of them wins and the other is told
/// it moved on; the chain holds one of the two.
#[tokio::test]
async fn a_review_and_a_waiver_at_once_succeed_once() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let id = item28_for_bachuan(&bachuan).await;
        assert_eq!(report(&bachuan, id, "已完成", vec![]).await.0, 303);
        let (yjj, office) = (app.login("yjj").await, app.login("office").await);
        let (review, waive) = (
            format!("/api/v1/obligations/{id}/review"),
            format!("/api/v1/obligations/{id}/waive"),
        );
        let (x, y) = tokio::join!(
            yjj.post(&review, serde_json::json!({"decision": "accept"})),
            office.post(&waive, serde_json::json!({"reason": "并入年度考核"}))
        );
        crate::harness::one_of_two_succeeds(&x, &y);
        let decided = crate::harness::entries(&app, "obligation.accept", id).await
            + crate::harness::entries(&app, "obligation.waive", id).await;
        assert_eq!(decided, 1, "{x:?} {y:?}");
    }
}

/// Issue 17 part 1: the to-do lists narrow to a unit (the office), a work item and
/// words, on the page and the API, and a bad filter is refused naming it.
#[tokio::test]
async fn the_to_do_lists_narrow_to_a_unit_an_item_and_words() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (_, all) = office
            .get("/api/v1/obligations?state=overdue&limit=1000")
            .await;
        let all = all.as_array().unwrap().clone();
        assert!(all.len() > 10);
        let (_, only) = office
            .get("/api/v1/obligations?state=overdue&item=11&limit=1000")
            .await;
        let only = only.as_array().unwrap();
        assert!(!only.is_empty() && only.len() < all.len());
        assert!(only.iter().all(|o| o["work_item_no"] == 11), "{only:?}");
        let (_, words) = office
            .get("/api/v1/obligations?state=overdue&q=巴川&limit=1000")
            .await;
        let words = words.as_array().unwrap();
        assert!(!words.is_empty());
        assert!(
            words.iter().all(|o| o["unit"]["name"] == "巴川街道"
                || o["title"].as_str().unwrap_or("").contains("巴川")),
            "{words:?}"
        );
        let (s, b) = office.get("/api/v1/obligations?item=0").await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (400, Some("item")),
            "{b}"
        );
        // The page: the office narrows the district's lists to one township.
        let anju = app.unit_id("安居镇").await;
        let (s, page) = office.get_text(&format!("/todo?unit={anju}&item=11")).await;
        assert_eq!(s, 200);
        let overdue = page.split("id=\"overdue\"").nth(1).unwrap_or_default();
        assert!(
            overdue.contains("安居镇") && !overdue.contains("巴川街道"),
            "{overdue}"
        );
        let (s, page) = office.get_text("/todo?item=x").await;
        assert!(
            (400..500).contains(&s) && page.contains("工作要点序号"),
            "{s}"
        );
    }
}

/// Issue 17 part 1: the office's district-wide overdue list is read page by page (a
/// "下一页" link carrying the filters), and every list narrows to one section, a last
/// due day and the unit's part (牵头, 配合, 整改责任).
#[tokio::test]
async fn the_to_do_page_pages_through_the_district_and_narrows_by_section_due_and_part() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (s, first) = office.get_text("/todo?show=overdue").await;
        assert_eq!(s, 200);
        assert!(
            !first.contains("id=\"to-review\""),
            "only the section asked for"
        );
        let next = crate::todo::next(&first).expect("a district's overdue list has a second page");
        assert!(
            next.contains("show=overdue") && next.contains("after="),
            "{next}"
        );
        let (s, second) = office.get_text(&next).await;
        assert_eq!(s, 200);
        let ids = |page: &str| -> Vec<String> {
            page.split("id=\"overdue\"")
                .nth(1)
                .unwrap_or_default()
                .split("href=\"/obligations/")
                .skip(1)
                .map(|h| h.split('"').next().unwrap_or_default().to_string())
                .collect()
        };
        let (a, b) = (ids(&first), ids(&second));
        assert_eq!(a.len(), 100);
        assert!(
            !b.is_empty() && b.iter().all(|id| !a.contains(id)),
            "pages overlap: {a:?} {b:?} {next}"
        );
        // The API agrees: 100 rows after the first page's last row.
        let (_, api) = office
            .get("/api/v1/obligations?state=overdue&limit=200")
            .await;
        let api: Vec<String> = api.as_array().unwrap()[100..]
            .iter()
            .map(|o| o["id"].to_string())
            .collect();
        assert_eq!(b[..b.len().min(api.len())], api[..b.len().min(api.len())]);
        // A last due day: nothing listed is due after it.
        let (_, page) = office.get_text("/todo?show=overdue&due=2022-05-31").await;
        let listed = page.split("id=\"overdue\"").nth(1).unwrap_or_default();
        assert!(listed.contains("2022-05-"), "May's overdue rows");
        assert!(!listed.contains("2022-06-") && !listed.contains("2022-07-"));
        // The part: a township's co-responsible duties only, and the API's parameter.
        let (_, co) = office
            .get("/api/v1/obligations?state=overdue&part=co&limit=1000")
            .await;
        let co = co.as_array().unwrap();
        assert!(
            !co.is_empty() && co.iter().all(|o| o["role"] == "co"),
            "{co:?}"
        );
        let (s, b) = office.get("/api/v1/obligations?part=boss").await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (400, Some("part")),
            "{b}"
        );
        let (s, page) = office.get_text("/todo?part=boss").await;
        assert!((400..500).contains(&s) && page.contains("责任类别"), "{s}");
        let (s, page) = office.get_text("/todo?due=tomorrow").await;
        assert!((400..500).contains(&s) && page.contains("到期日"), "{s}");
        let (s, _) = office.get_text("/todo?show=overdue&after=x").await;
        assert!((400..500).contains(&s), "{s}");
    }
}

/// Issue 17 part 3: "A refused form comes back with everything typed and every file
/// already sent": a report refused for its empty text comes back with its evidence
/// kept (named on the page, not to be chosen again) and its line-broken note; sent
/// again, it carries the file; the token is nobody else's.
#[tokio::test]
async fn a_refused_report_keeps_its_evidence_for_the_next_submission() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let town = app.login("bachuan").await;
        let id = item28_for_bachuan(&town).await;
        let form = reqwest::multipart::Form::new().text("text", " ").part(
            "evidence",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("会议照片.png"),
        );
        let r = town
            .post_multipart(&format!("/obligations/{id}/reports"), form)
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("报送内容不能为空"), "{html}");
        assert!(
            html.contains("id=\"kept-files\"") && html.contains("会议照片.png"),
            "the file is named as kept: {html}"
        );
        let token = html
            .split("name=\"kept_files\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        // Another account's token opens nothing.
        let other = app.login("anju").await;
        let (_, list) = other.get("/api/v1/obligations?limit=1").await;
        let theirs = list[0]["id"].as_i64().unwrap();
        let form = reqwest::multipart::Form::new()
            .text("text", "第一行\n第二行")
            .text("kept_files", token.clone());
        other
            .post_multipart(&format!("/obligations/{theirs}/reports"), form)
            .await;
        let (_, detail) = other.get(&format!("/api/v1/obligations/{theirs}")).await;
        assert!(
            detail["reports"].as_array().is_none_or(|r| r
                .iter()
                .all(|r| r["evidence"].as_array().is_none_or(Vec::is_empty))),
            "{detail}"
        );
        let form = reqwest::multipart::Form::new()
            .text("text", "制度已建立\n照片见附件")
            .text("kept_files", token);
        let r = town
            .post_multipart(&format!("/obligations/{id}/reports"), form)
            .await;
        assert_eq!(r.status(), 303);
        let (_, detail) = town.get(&format!("/api/v1/obligations/{id}")).await;
        assert_eq!(detail["reports"][0]["text"], "制度已建立\n照片见附件");
        assert_eq!(
            detail["reports"][0]["evidence"][0]["mime"], "image/png",
            "{detail}"
        );
    }
}
