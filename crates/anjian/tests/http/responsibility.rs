//! Responsibility made visible: the enterprise register with checked credit codes, the
//! persons who answer for an enterprise (dated, on a public board), duty records
//! counted against the plan's quotas, warnings answered by their addressees only,
//! circuit breakers on the affected units' home pages, and the daily reports of a
//! special period.

use serde_json::{Value, json};

use crate::harness::{TestApp, engines, zip_text};

/// A valid credit code of 铜梁 (500224) whose organisation part ends in `tail`.
pub(crate) fn code(tail: &str) -> String {
    let body = format!("91500224MA5U{tail:0>5}");
    let c = anjian_core::enterprise::credit_check_char(&body).unwrap();
    format!("{body}{c}")
}

pub(crate) fn enterprise(
    name: &str,
    tail: &str,
    township: i64,
    sector: &str,
    listed: bool,
) -> Value {
    json!({
        "name": name,
        "credit_code": code(tail),
        "township": township,
        "sector": sector,
        "staff": 25,
        "risk_level": "yellow",
        "major_hazards": 0,
        "listed": listed,
        "address": "巴川街道某路1号"
    })
}

#[tokio::test]
async fn the_register_checks_credit_codes_and_keeps_to_scope() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let bachuan = app.login("bachuan").await;
        let town = app.unit_id("巴川街道").await;
        let other = app.unit_id("安居镇").await;
        let (s, ent) = bachuan
            .post(
                "/api/v1/enterprises",
                enterprise("重庆铜梁某五金制品有限公司", "A0001", town, "工贸", true),
            )
            .await;
        assert_eq!(s, 201, "{ent}");
        assert_eq!(
            (ent["township"].as_str(), ent["listed"].as_bool()),
            (Some("巴川街道"), Some(true))
        );
        let id = ent["id"].as_i64().unwrap();
        // A wrong check character, a township out of scope, a duplicate, a bad level.
        let mut wrong = enterprise("某厂", "A0002", town, "工贸", false);
        let good = wrong["credit_code"].as_str().unwrap().to_string();
        let last = good.chars().last().unwrap();
        wrong["credit_code"] = json!(format!(
            "{}{}",
            &good[..17],
            if last == '0' { '1' } else { '0' }
        ));
        for (body, field) in [
            (wrong, "credit_code"),
            (
                enterprise("某厂", "A0003", other, "工贸", false),
                "township",
            ),
            (
                enterprise("某厂", "A0001", town, "工贸", false),
                "credit_code",
            ),
            (
                {
                    let mut b = enterprise("某厂", "A0004", town, "工贸", false);
                    b["risk_level"] = json!("purple");
                    b
                },
                "risk_level",
            ),
            (
                {
                    let mut b = enterprise("某厂", "A0005", town, "工贸", false);
                    b["staff"] = json!(-3);
                    b
                },
                "staff",
            ),
        ] {
            let (s, b) = bachuan.post("/api/v1/enterprises", body).await;
            assert_eq!((s, b["error"]["field"].as_str()), (422, Some(field)), "{b}");
        }
        assert!(
            bachuan
                .post("/api/v1/enterprises", json!({"credit_code": "x"}))
                .await
                .1["error"]["message"]
                .as_str()
                .unwrap()
                .contains("名称")
        );
        // Another township sees nothing of it.
        let anju = app.login("anju").await;
        assert_eq!(anju.get(&format!("/api/v1/enterprises/{id}")).await.0, 404);
        assert!(
            anju.get("/api/v1/enterprises")
                .await
                .1
                .as_array()
                .unwrap()
                .is_empty()
        );
        // Filters.
        let office = app.login("office").await;
        let (_, listed) = office
            .get(&format!("/api/v1/enterprises?township={town}&listed=true"))
            .await;
        assert_eq!(listed.as_array().unwrap().len(), 1);
        let (_, none) = office
            .get(&format!(
                "/api/v1/enterprises?township={town}&sector=危险化学品"
            ))
            .await;
        assert!(none.as_array().unwrap().is_empty());
        // An import through the template: a bad row refuses the whole sheet.
        let row = |name: &str, code: &str| -> Vec<String> {
            [
                name,
                code,
                "巴川街道",
                "工贸",
                "12",
                "蓝",
                "0",
                "",
                "否",
                "",
            ]
            .map(String::from)
            .to_vec()
        };
        let sheet = |rows: &[Vec<String>]| {
            anjian_core::sheet::table("企业名录", &anjian_core::enterprise::HEADERS, rows).unwrap()
        };
        let upload = |bytes: Vec<u8>| {
            let c = &bachuan;
            async move {
                let form = reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes).file_name("qy.xlsx"),
                );
                let r = c.post_multipart("/enterprises/import", form).await;
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        let (s, page) = upload(sheet(&[
            row("重庆铜梁某食品加工厂", &code("B0001")),
            row("重庆铜梁某砖厂", "91500224MA5UB00020"),
        ]))
        .await;
        assert_eq!(s, 422);
        assert!(page.contains("第3行") && page.contains("校验位"), "{page}");
        let (_, all) = bachuan.get("/api/v1/enterprises").await;
        assert_eq!(all.as_array().unwrap().len(), 1, "nothing half-written");
        let (s, _) = upload(sheet(&[
            row("重庆铜梁某食品加工厂", &code("B0001")),
            row("重庆铜梁某砖厂", &code("B0002")),
        ]))
        .await;
        assert_eq!(s, 303);
        let (_, all) = bachuan.get("/api/v1/enterprises").await;
        assert_eq!(all.as_array().unwrap().len(), 3);
        // The export carries them in the template's columns.
        let (s, _, bytes) = bachuan.get_bytes("/enterprises.xlsx").await;
        assert_eq!(s, 200);
        let text = zip_text(&bytes);
        assert!(text.contains("重庆铜梁某砖厂") && text.contains("统一社会信用代码"));
        // The risk card of a small business, written by the township.
        let (s, b) = bachuan
            .put(
                &format!("/api/v1/enterprises/{id}/risk-card"),
                json!({"main_risks": "机械伤害、触电", "controls": "", "emergency_contacts": "119"}),
            )
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("controls")));
        let (s, _) = bachuan
            .put(
                &format!("/api/v1/enterprises/{id}/risk-card"),
                json!({"main_risks": "机械伤害、触电", "controls": "冲床加装光电保护，每日班前检查", "emergency_contacts": "厂长 13800000000；119"}),
            )
            .await;
        assert_eq!(s, 200);
        let (_, card) = bachuan
            .get_text(&format!("/enterprises/{id}/risk-card"))
            .await;
        assert!(card.contains("冲床加装光电保护"));
    }
}

/// Adds an official through the API, returning its id.
async fn official(
    c: &crate::harness::Client,
    unit: i64,
    name: &str,
    title: &str,
    post: &str,
) -> i64 {
    let (s, o) = c
        .post(
            "/api/v1/officials",
            json!({"unit": unit, "name": name, "title": title, "post": post}),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    o["id"].as_i64().unwrap()
}

#[tokio::test]
async fn persons_are_dated_and_shown_on_the_public_board() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let town = app.unit_id("巴川街道").await;
        let yjj = app.unit_id("区应急局").await;
        let (_, ent) = office
            .post(
                "/api/v1/enterprises",
                enterprise("重庆铜梁某化工有限公司", "C0001", town, "危险化学品", true),
            )
            .await;
        let id = ent["id"].as_i64().unwrap();
        let (_, second) = office
            .post(
                "/api/v1/enterprises",
                enterprise("重庆铜梁某加油站", "C0002", town, "危险化学品", true),
            )
            .await;
        let wang = official(&office, town, "王建国", "副主任", "").await;
        let li = official(&office, yjj, "李明", "副局长", "other_leader").await;
        let path = format!("/api/v1/enterprises/{id}/persons");
        // Each role names its field when something is missing.
        for (body, field) in [
            (json!({"role": "administrative"}), "official"),
            (json!({"role": "enterprise", "title": "总经理"}), "name"),
            (
                json!({"role": "technical", "name": "赵工", "title": "技术负责人"}),
                "risk",
            ),
            (json!({"role": "boss"}), "role"),
            (
                json!({"role": "enterprise", "name": "张三", "title": "总经理", "from_on": "2099-01-01"}),
                "from_on",
            ),
        ] {
            let (s, b) = office.post(&path, body).await;
            assert_eq!((s, b["error"]["field"].as_str()), (422, Some(field)), "{b}");
        }
        for body in [
            json!({"role": "administrative", "official": wang, "from_on": "2022-05-01"}),
            json!({"role": "industry", "official": li, "from_on": "2022-05-01"}),
            json!({"role": "enterprise", "name": "张三", "title": "总经理", "phone": "13900001111", "from_on": "2022-05-01"}),
            json!({"role": "guarantee", "official": null, "name": "刘强", "title": "安全总监", "risk": "1号液氯储罐区"}),
            json!({"role": "management", "name": "周总", "title": "生产副总经理", "phone": "13900002222", "risk": "1号液氯储罐区"}),
            json!({"role": "technical", "name": "吴工", "title": "技术负责人", "risk": "1号液氯储罐区"}),
            json!({"role": "shop_floor", "name": "郑班长", "title": "储运班长", "risk": "1号液氯储罐区"}),
        ] {
            let (s, b) = office.post(&path, body).await;
            assert_eq!(s, 201, "{b}");
        }
        // The enterprise's head changes: the old one is kept, closed that day.
        let (s, _) = office
            .post(
                &path,
                json!({"role": "enterprise", "name": "孙丽", "title": "总经理", "from_on": "2022-08-01"}),
            )
            .await;
        assert_eq!(s, 201);
        let (_, d) = office.get(&format!("/api/v1/enterprises/{id}")).await;
        let heads: Vec<(String, Option<String>)> = d["persons"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["role"] == "enterprise")
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["until_on"].as_str().map(String::from),
                )
            })
            .collect();
        assert_eq!(
            heads,
            vec![
                ("孙丽".to_string(), None),
                ("张三".to_string(), Some("2022-08-01".to_string()))
            ]
        );
        // The public board needs no login and shows names and posts, never phones.
        let public = app.anon();
        let (s, board) = public.get(&format!("/api/v1/public/boards/{town}")).await;
        assert_eq!(s, 200, "{board}");
        assert_eq!(board["hotline"], "12350");
        let entry = board["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["enterprise"] == "重庆铜梁某化工有限公司")
            .unwrap();
        assert_eq!(entry["administrative"][0], "王建国");
        assert_eq!(entry["industry"][0], "李明");
        assert_eq!(entry["enterprise_head"][0], "孙丽");
        // (52) "完善“三个责任人”、重大风险（隐患）“三个层级负责人”和重大危险源安全“包保责任制”的
        // 挂牌公示": the three levels and the 包保 official are on the same board.
        assert_eq!(entry["management"][0][0], "周总");
        assert_eq!(entry["technical"][0][0], "吴工");
        assert_eq!(entry["shop_floor"][0][0], "郑班长");
        assert_eq!(entry["guarantee"][0][0], "刘强");
        assert_eq!(entry["guarantee"][0][2], "1号液氯储罐区");
        let (s, page) = public.get_text(&format!("/boards/{town}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("孙丽") && page.contains("12350") && !page.contains("13900001111"));
        assert!(
            page.contains("三个层级负责人")
                && page.contains("吴工")
                && page.contains("包保责任人")
                && !page.contains("13900002222"),
            "{page}"
        );
        assert!(!page.contains("张三"), "a past head is not on the board");
        assert_eq!(
            public.get(&format!("/api/v1/public/boards/{yjj}")).await.0,
            404
        );
        // One official over the ceiling is flagged.
        anjian_store::settings::set(
            &app.db,
            0,
            &anjian_store::Actor::system("test"),
            "setting",
            anjian_store::responsible::CEILING,
            "1",
        )
        .await
        .unwrap();
        let (s, a) = office
            .post(
                &format!("/api/v1/enterprises/{}/persons", second["id"]),
                json!({"role": "administrative", "official": wang}),
            )
            .await;
        assert_eq!(s, 201);
        assert_eq!(
            (a["enterprises"].as_i64(), a["over_ceiling"].as_bool()),
            (Some(2), Some(true))
        );
        let (_, page) = office.get_text("/enterprises").await;
        assert!(
            page.contains("王建国") && page.contains("2 家"),
            "flagged on the register"
        );
    }
}

#[tokio::test]
async fn duty_records_count_against_the_quotas_of_the_month() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let town = app.unit_id("巴川街道").await;
        let district = app.unit_id("区安委办").await;
        let mut ents = Vec::new();
        for (i, name) in ["重庆铜梁某砖厂", "重庆铜梁某五金厂", "重庆铜梁某食品厂"]
            .iter()
            .enumerate()
        {
            let (_, e) = office
                .post(
                    "/api/v1/enterprises",
                    enterprise(name, &format!("D000{i}"), town, "工贸", true),
                )
                .await;
            ents.push(e["id"].as_i64().unwrap());
        }
        let head = official(&office, district, "陈书记", "区委书记", "district_head").await;
        let mayor = official(
            &office,
            town,
            "周主任",
            "巴川街道党工委书记",
            "township_head",
        )
        .await;
        let wang = official(&office, town, "王建国", "副主任", "").await;
        for e in &ents {
            office
                .post(
                    &format!("/api/v1/enterprises/{e}/persons"),
                    json!({"role": "administrative", "official": wang, "from_on": "2022-05-01"}),
                )
                .await;
        }
        let rec = |official: i64, activity: &str, on: &str, enterprise: Option<i64>| {
            json!({
                "official": official,
                "activity": activity,
                "on": on,
                "place": "巴川街道",
                "topic": "检查消防通道和用电安全",
                "enterprise": enterprise
            })
        };
        // The clock stands at 9 August 2022: within the week a record counts at once.
        for body in [
            rec(wang, "inspection", "2022-08-03", Some(ents[0])),
            rec(wang, "problem_fixed", "2022-08-04", Some(ents[0])),
            rec(wang, "problem_fixed", "2022-08-05", Some(ents[1])),
            rec(mayor, "study", "2022-08-02", None),
            rec(mayor, "site_inspection", "2022-08-08", None),
        ] {
            let (s, r) = office.post("/api/v1/duty-records", body).await;
            assert_eq!((s, r["state"].as_str()), (201, Some("counted")), "{r}");
        }
        // Bad input names its field.
        for (body, field) in [
            (rec(wang, "inspection", "2022-08-10", Some(ents[0])), "on"),
            (rec(wang, "inspection", "2022-08-05", None), "enterprise"),
            (rec(wang, "nap", "2022-08-05", None), "activity"),
        ] {
            let (s, b) = office.post("/api/v1/duty-records", body).await;
            assert_eq!((s, b["error"]["field"].as_str()), (422, Some(field)), "{b}");
        }
        // Back-dated beyond seven days: waits for the office before it counts.
        let (s, late) = office
            .post(
                "/api/v1/duty-records",
                rec(wang, "inspection", "2022-08-01", Some(ents[1])),
            )
            .await;
        assert_eq!((s, late["state"].as_str()), (201, Some("pending")));
        // The month's records a page at a time, following the `Link` header, are the
        // whole list in its order (newest day first), each once.
        let ids = |v: &Value| -> Vec<i64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect()
        };
        let (s, all) = office.get("/api/v1/duty-records?month=2022-08").await;
        assert_eq!(s, 200, "{all}");
        let all = ids(&all);
        assert!(all.len() >= 6, "{all:?}");
        let paged = ids(&Value::Array(
            office
                .follow(
                    "/api/v1/duty-records?month=2022-08&limit=2",
                    all.len() / 2 + 2,
                )
                .await,
        ));
        assert_eq!(paged, all);
        let (s, pending) = office
            .get("/api/v1/duty-records?month=2022-08&state=pending&limit=1")
            .await;
        assert_eq!(
            (s, ids(&pending)),
            (200, vec![late["id"].as_i64().unwrap()])
        );
        let standing = |q: &Value, official: i64, activity: &str| -> (i64, i64, i64, i64) {
            let p = q
                .as_array()
                .unwrap()
                .iter()
                .find(|p| {
                    p["official_id"] == official
                        && p["quotas"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|x| x["activity"] == activity)
                })
                .unwrap();
            let x = p["quotas"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["activity"] == activity)
                .unwrap();
            (
                x["done"].as_i64().unwrap(),
                x["required"].as_i64().unwrap(),
                x["missed"].as_i64().unwrap(),
                x["pending"].as_i64().unwrap(),
            )
        };
        let (s, q) = office.get("/api/v1/quotas/2022-08").await;
        assert_eq!(s, 200, "{q}");
        assert_eq!(standing(&q, wang, "inspection"), (1, 2, 0, 1));
        assert_eq!(standing(&q, wang, "problem_fixed"), (2, 2, 0, 0));
        assert_eq!(standing(&q, mayor, "study"), (1, 1, 0, 0));
        // The district head has no study this quarter yet.
        assert_eq!(standing(&q, head, "study"), (0, 1, 0, 1));
        let (s, _) = office
            .post(
                &format!("/api/v1/duty-records/{}/decision", late["id"]),
                json!({"approve": true}),
            )
            .await;
        assert_eq!(s, 200);
        let (_, q) = office.get("/api/v1/quotas/2022-08").await;
        assert_eq!(standing(&q, wang, "inspection"), (2, 2, 0, 0));
        let p = q
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["official_id"] == wang)
            .unwrap();
        assert_eq!(
            p["coverage"],
            json!([3, 2]),
            "two of three in the half-year"
        );
        // July has ended: what fell short then is missed, not pending.
        let (_, july) = office.get("/api/v1/quotas/2022-07").await;
        assert_eq!(standing(&july, wang, "inspection"), (0, 2, 1, 0));
        assert_eq!(standing(&july, mayor, "study"), (0, 1, 1, 0));
        assert_eq!(office.get("/api/v1/quotas/2022-13").await.0, 400);
        // A record may name the supervision visit it was, if that visit exists.
        let mut body = rec(wang, "check", "2022-08-05", None);
        body["visit"] = json!(42);
        let (s, b) = office.post("/api/v1/duty-records", body).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("visit")));
        // The office sets the quotas on the page: one inspection a month is enough now.
        let (_, quotas) = office.get("/api/v1/duty-quotas").await;
        let i = quotas
            .as_array()
            .unwrap()
            .iter()
            .position(|x| x["post"] == "responsible_official" && x["activity"] == "inspection")
            .unwrap();
        let field = format!("minimum_{i}");
        let (s, page) = office.form("/duty-quotas", &[(field.as_str(), "x")]).await;
        assert_eq!(s, 422, "{page}");
        let (s, _) = office.form("/duty-quotas", &[(field.as_str(), "1")]).await;
        assert_eq!(s, 303);
        let (_, july) = office.get("/api/v1/quotas/2022-07").await;
        assert_eq!(standing(&july, wang, "inspection"), (0, 1, 1, 0));
        let (_, quotas) = office.get("/api/v1/duty-quotas").await;
        assert_eq!(
            quotas.as_array().unwrap().len(),
            anjian_core::duty::plan_quotas().len(),
            "the others kept"
        );
        // A township sees its own people only; the office alone decides.
        let bachuan = app.login("bachuan").await;
        let (_, mine) = bachuan.get("/api/v1/quotas/2022-08").await;
        assert!(
            mine.as_array()
                .unwrap()
                .iter()
                .all(|p| p["official_id"] != head)
        );
        assert_eq!(
            bachuan
                .post(
                    &format!("/api/v1/duty-records/{}/decision", late["id"]),
                    json!({"approve": false}),
                )
                .await
                .0,
            403
        );
        let anju = app.login("anju").await;
        let (s, b) = anju
            .post(
                "/api/v1/duty-records",
                rec(wang, "check", "2022-08-05", None),
            )
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("official")));
        // A page's cursor is read in the caller's scope: after the district head's
        // newest record the office reads the township's older ones, while the township,
        // which may not see that record, reads nothing (not where it falls among its own).
        let (s, newest) = office
            .post(
                "/api/v1/duty-records",
                rec(head, "study", "2022-08-09", None),
            )
            .await;
        assert_eq!(s, 201, "{newest}");
        let after = format!("/api/v1/duty-records?month=2022-08&after={}", newest["id"]);
        let (_, older) = office.get(&after).await;
        assert!(
            ids(&older).contains(&late["id"].as_i64().unwrap()),
            "{older}"
        );
        let (s, theirs) = bachuan.get(&after).await;
        assert_eq!((s, ids(&theirs)), (200, vec![]), "{e:?}: another's cursor");
        // The page lists who falls short, and the circulation downloads.
        let (_, page) = office.get_text("/quotas?month=2022-07").await;
        assert!(page.contains("王建国") && page.contains("未完成"));
        let (s, _, bytes) = office.get_bytes("/quotas.xlsx?month=2022-07").await;
        assert_eq!(s, 200);
        assert!(zip_text(&bytes).contains("每月指导检查挂牌企业至少1家"));
    }
}

/// The warnings list pages: the office walks its page by "下一页" and an addressee its
/// API by the `Link` header, and each reaches every warning, newest first, once.
#[tokio::test]
async fn the_warnings_list_pages_through_every_warning() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        let mut issued = Vec::new();
        for i in 0..60 {
            let (s, w) = office
                .post(
                    "/api/v1/warnings",
                    json!({"kind": "weather", "title": format!("第{i}号暴雨预警"), "body": "请做好防范。",
                           "answer_by": "2022-08-09T12:00:00+08:00", "units": [bachuan]}),
                )
                .await;
            assert_eq!(s, 201, "{w}");
            issued.push(w["id"].as_i64().unwrap());
        }
        let (s, whole) = office.get("/api/v1/warnings?limit=1000").await;
        assert_eq!(s, 200);
        let whole = crate::harness::ids(whole.as_array().unwrap());
        assert!(issued.iter().all(|id| whole.contains(id)), "{whole:?}");
        let rows = |html: &str| crate::harness::table_ids(html, "warnings", "/warnings/");
        let (seen, pages) = office.walk_pages("/warnings", rows, 3).await;
        assert_eq!((seen, pages), (whole.clone(), 2), "{e:?}: the page");
        let township = app.login("bachuan").await;
        let ids = crate::harness::ids;
        let (_, all_theirs) = township.get("/api/v1/warnings?limit=1000").await;
        let all_theirs = ids(all_theirs.as_array().unwrap());
        assert!(issued.iter().all(|id| all_theirs.contains(id)));
        let theirs = township.follow_ids("/api/v1/warnings?limit=25", 5).await;
        assert_eq!(theirs, all_theirs, "{e:?}: the addressee's API");
        // A cursor naming a warning not addressed to the township orders nothing: its
        // page is empty, not the township's warnings issued before that one.
        let anju = app.unit_id("安居镇").await;
        let (s, other) = office
            .post(
                "/api/v1/warnings",
                json!({"kind": "weather", "title": "安居镇大风预警", "body": "请做好防范。",
                       "answer_by": "2022-08-09T12:00:00+08:00", "units": [anju]}),
            )
            .await;
        assert_eq!(s, 201, "{other}");
        let after = format!("/api/v1/warnings?after={}", other["id"]);
        let (_, older) = office.get(&after).await;
        assert!(
            !ids(older.as_array().unwrap()).is_empty(),
            "the office reads on"
        );
        let (s, theirs) = township.get(&after).await;
        assert_eq!(
            (s, ids(theirs.as_array().unwrap())),
            (200, vec![]),
            "{e:?}: another's cursor"
        );
    }
}

#[tokio::test]
async fn a_warning_is_answered_by_its_addressees_only() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (bachuan_id, anju_id) = (app.unit_id("巴川街道").await, app.unit_id("安居镇").await);
        let body = |answer_by: &str| {
            json!({
                "kind": "weather",
                "title": "暴雨红色预警",
                "body": "预计未来6小时降雨量将达100毫米以上，请立即落实防范措施。",
                "answer_by": answer_by,
                "units": [bachuan_id, anju_id]
            })
        };
        assert_eq!(
            app.login("bachuan")
                .await
                .post("/api/v1/warnings", body("2022-08-09T12:00:00+08:00"))
                .await
                .0,
            403
        );
        let (s, b) = office
            .post("/api/v1/warnings", body("2022-08-01T12:00:00+08:00"))
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("answer_by")));
        let (s, w) = office
            .post("/api/v1/warnings", body("2022-08-09T12:00:00+08:00"))
            .await;
        assert_eq!(s, 201, "{w}");
        let id = w["id"].as_i64().unwrap();
        let ack = format!("/api/v1/warnings/{id}/ack");
        let bachuan = app.login("bachuan").await;
        let (s, r) = bachuan
            .post(&ack, json!({"reply": "已收到，已通知各村社区"}))
            .await;
        assert_eq!((s, r["status"].as_str()), (200, Some("answered")), "{r}");
        let (s, b) = bachuan.post(&ack, json!({})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("unit")));
        // A unit the warning was not sent to learns nothing of it: 404.
        let (s, b) = app.login("yjj").await.post(&ack, json!({})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (404, Some("not_found")));
        // Past the instant, 安居镇 has not answered: the office sees it.
        app.advance(5 * 3_600_000);
        let office = app.login("office").await;
        let (_, d) = office.get(&format!("/api/v1/warnings/{id}")).await;
        let status = |d: &Value, unit: i64| {
            d["recipients"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["unit_id"] == unit)
                .unwrap()["status"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(status(&d, anju_id), "overdue");
        let anju = app.login("anju").await;
        let (s, r) = anju.post(&ack, json!({"reply": "收到"})).await;
        assert_eq!((s, r["status"].as_str()), (200, Some("late")));
        let (_, d) = office.get(&format!("/api/v1/warnings/{id}")).await;
        assert_eq!(
            (status(&d, bachuan_id).as_str(), d["late"].as_i64()),
            ("answered", Some(1))
        );
        // A unit sees only its own answer; the page shows the office who was late.
        let (_, mine) = anju.get(&format!("/api/v1/warnings/{id}")).await;
        assert_eq!(mine["recipients"].as_array().unwrap().len(), 1);
        let (_, page) = office.get_text(&format!("/warnings/{id}")).await;
        assert!(page.contains("超时回应") && page.contains("按时回应"));
        assert_eq!(
            app.login("jtj")
                .await
                .get(&format!("/api/v1/warnings/{id}"))
                .await
                .0,
            404
        );
    }
}

#[tokio::test]
async fn a_circuit_breaker_shows_on_the_affected_home_pages_until_lifted() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let town = app.unit_id("巴川街道").await;
        let breaker = |until: &str| {
            json!({
                "activities": "户外高处作业、涉水旅游项目",
                "reason": "暴雨红色预警",
                "from": "2022-08-09T08:00:00+08:00",
                "until": until,
                "areas": [town],
                "sectors": []
            })
        };
        let (s, b) = office
            .post(
                "/api/v1/circuit-breakers",
                breaker("2022-08-09T07:00:00+08:00"),
            )
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("until")));
        let (s, b) = office
            .post(
                "/api/v1/circuit-breakers",
                breaker("2022-08-10T20:00:00+08:00"),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let bachuan = app.login("bachuan").await;
        let anju = app.login("anju").await;
        assert!(bachuan.get_text("/").await.1.contains("熔断：户外高处作业"));
        assert!(!anju.get_text("/").await.1.contains("熔断"));
        assert!(office.get_text("/").await.1.contains("熔断：户外高处作业"));
        let lift = format!("/api/v1/circuit-breakers/{}/lift", b["id"]);
        assert_eq!(bachuan.post(&lift, json!({"reason": "雨停"})).await.0, 403);
        let (s, e) = office.post(&lift, json!({})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("reason")));
        assert_eq!(
            office.post(&lift, json!({"reason": "预警解除"})).await.0,
            200
        );
        assert!(!bachuan.get_text("/").await.1.contains("熔断："));
    }
}

#[tokio::test]
async fn a_special_period_makes_every_township_report_daily() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (s, b) = office
            .post(
                "/api/v1/special-periods",
                json!({"name": "测试时段", "first_day": "2022-08-10", "last_day": "2022-08-08"}),
            )
            .await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("last_day")));
        let (s, p) = office
            .post(
                "/api/v1/special-periods",
                json!({"name": "党的二十大召开期间", "first_day": "2022-08-08", "last_day": "2022-08-10"}),
            )
            .await;
        assert_eq!(s, 201, "{p}");
        let id = p["id"].as_i64().unwrap();
        let bachuan = app.login("bachuan").await;
        let report = |day: &str| json!({"day": day, "situation": "辖区安全形势平稳", "incidents": "", "on_duty_leader": "周主任"});
        let path = format!("/api/v1/special-periods/{id}/reports");
        assert_eq!(bachuan.post(&path, report("2022-08-09")).await.0, 201);
        let (s, b) = bachuan.post(&path, report("2022-08-09")).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("day")));
        let (s, b) = bachuan.post(&path, report("2022-08-10")).await;
        assert_eq!((s, b["error"]["code"].as_str()), (422, Some("future_date")));
        let (s, b) = bachuan
            .post(&path, json!({"day": "2022-08-08", "situation": "平稳"}))
            .await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (422, Some("on_duty_leader"))
        );
        // The day owed shows in the township's to-do list.
        let (_, todo) = bachuan.get("/api/v1/obligations?limit=1000").await;
        assert!(
            todo.as_array().unwrap().iter().any(|o| o["title"]
                .as_str()
                .unwrap_or("")
                .contains("日报告：党的二十大召开期间")),
            "{todo}"
        );
        let (_, m) = office.get(&format!("/api/v1/special-periods/{id}")).await;
        let row = |name: &str| {
            m["units"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u[0] == name)
                .unwrap()[1]
                .clone()
        };
        assert_eq!(row("巴川街道"), json!(["missing", "on_time", "due"]));
        assert_eq!(row("安居镇"), json!(["missing", "due", "due"]));
        let (_, page) = office.get_text(&format!("/special-periods/{id}")).await;
        assert!(page.contains("巴川街道") && page.contains("✗"));
    }
}

/// An enterprise the directory already has is registered; its own account keeps its
/// risk card and sees no other enterprise.
#[tokio::test]
async fn an_enterprise_keeps_its_own_risk_card() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let unit = app.unit_id("重庆铜梁某化工有限公司").await;
        let (parent,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT parent_id FROM units WHERE id = $1").bind(unit))
            .await
            .unwrap();
        let mut body = enterprise(
            "重庆铜梁某化工有限公司",
            "E0001",
            parent,
            "危险化学品",
            true,
        );
        body["unit"] = json!(unit);
        let (s, b) = office.post("/api/v1/enterprises", body.clone()).await;
        assert_eq!((s, b["id"].as_i64()), (201, Some(unit)), "{b}");
        assert_eq!(
            office.post("/api/v1/enterprises", body).await.0,
            404,
            "registered once"
        );
        let huagong = app.login("huagong").await;
        let (s, _) = huagong
            .put(
                &format!("/api/v1/enterprises/{unit}/risk-card"),
                json!({"main_risks": "液氯泄漏中毒", "controls": "储罐区可燃有毒气体报警，双人巡检", "emergency_contacts": "值班室 023-45600000；119"}),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(huagong.get_text("/my-enterprise").await.0, 303);
        let (s, page) = huagong.get_text(&format!("/enterprises/{unit}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("液氯泄漏中毒"), "{page}");
        let (_, ent) = office
            .post(
                "/api/v1/enterprises",
                enterprise("重庆铜梁某砖厂", "E0002", parent, "工贸", false),
            )
            .await;
        assert_eq!(
            huagong
                .get(&format!("/api/v1/enterprises/{}", ent["id"]))
                .await
                .0,
            404
        );
    }
}
