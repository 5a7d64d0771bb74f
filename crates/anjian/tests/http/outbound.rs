//! Issue 18: channels and the outbox against a local receiver that plays each vendor
//! (its documented answers, its error codes, a rate limit), with the dispatcher the
//! server runs.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::harness::{TestApp, engines};

/// One request the receiver got: path and query, headers, body.
pub(crate) type Got = (String, axum::http::HeaderMap, String);

/// A local HTTP server playing a vendor: it records every request and answers from its
/// script, then `{"errcode":0,"errmsg":"ok"}`.
pub(crate) struct Receiver {
    pub(crate) base: String,
    got: Arc<Mutex<Vec<Got>>>,
    script: Arc<Mutex<VecDeque<(u16, String)>>>,
}

impl Receiver {
    pub(crate) async fn start() -> Receiver {
        let got: Arc<Mutex<Vec<Got>>> = Default::default();
        let script: Arc<Mutex<VecDeque<(u16, String)>>> = Default::default();
        let (g, sc) = (got.clone(), script.clone());
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: String| {
                let (g, sc) = (g.clone(), sc.clone());
                async move {
                    g.lock().unwrap().push((uri.to_string(), headers, body));
                    let (status, answer) = sc
                        .lock()
                        .unwrap()
                        .pop_front()
                        .unwrap_or((200, r#"{"errcode":0,"errmsg":"ok"}"#.into()));
                    (
                        axum::http::StatusCode::from_u16(status).unwrap(),
                        [("content-type", "application/json")],
                        answer,
                    )
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            base: format!("http://{addr}"),
            got,
            script,
        }
    }

    pub(crate) fn host_port(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    pub(crate) fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    fn answer(&self, status: u16, body: &str) {
        self.script
            .lock()
            .unwrap()
            .push_back((status, body.to_string()));
    }
}

async fn app_allowing(e: crate::harness::Engine, r: &Receiver) -> TestApp {
    let config = anjian_web::WebConfig {
        outbound_allow: vec![r.host_port()],
        public_url: "https://aj.example.gov.cn".into(),
        ..Default::default()
    };
    TestApp::with_config(e, config).await
}

/// Wires a `wecom` robot for `unit` at the receiver's `/send?key={key}`, as the office.
async fn robot(office: &crate::harness::Client, r: &Receiver, unit: i64, key: &str) {
    let (s, c) = office
        .post(
            "/api/v1/channels",
            json!({"unit": unit, "vendor": "wecom", "url": format!("{}/send?key={key}", r.base)}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
}

fn warning(unit: i64) -> Value {
    json!({"kind": "weather", "title": "暴雨红色预警", "body": "预计未来3小时有特大暴雨，请立即转移危险区域人员。",
           "answer_by": "2022-08-09T12:00:00+08:00", "units": [unit]})
}

/// The pinned journey: a warning posted to a unit with a `wecom` channel reaches that
/// channel's URL as `{"msgtype": …}` carrying its title within 30 seconds, and the
/// delivery log shows it sent.
#[tokio::test]
async fn a_warning_reaches_a_townships_wecom_robot() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        let (s, c) = office
            .post(
                "/api/v1/channels",
                json!({"unit": bachuan, "vendor": "wecom", "url": format!("{}/cgi-bin/webhook/send?key=k-bachuan", r.base),
                       "phones": ["13800000001"]}),
            )
            .await;
        assert_eq!(s, 201, "{c}");
        anjian_web::outbound::spawn_dispatcher(app.state.clone());
        let (s, w) = office.post("/api/v1/warnings", warning(bachuan)).await;
        assert_eq!(s, 201, "{w}");
        let started = std::time::Instant::now();
        while r.got().is_empty() && started.elapsed().as_secs() < 30 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let got = r.got();
        assert_eq!(got.len(), 1, "one message");
        let (path, _, body) = &got[0];
        assert!(
            path.ends_with("/cgi-bin/webhook/send?key=k-bachuan"),
            "{path}"
        );
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["msgtype"], "text");
        let content = v["text"]["content"].as_str().unwrap();
        assert!(content.contains("暴雨红色预警"), "{content}");
        assert!(
            content.contains(&format!("https://aj.example.gov.cn/warnings/{}", w["id"])),
            "the link to act on: {content}"
        );
        assert_eq!(v["text"]["mentioned_mobile_list"][0], "13800000001");
        // The log: sent, with the vendor's answer; the township sees its own.
        let mut sent = Value::Null;
        for _ in 0..50 {
            sent = office.get("/api/v1/deliveries?state=sent").await.1;
            if !sent.as_array().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(sent[0]["event"], "warning", "{sent}");
        assert!(sent[0]["last_answer"].as_str().unwrap().contains("ok"));
        let (_, own) = app.login("bachuan").await.get("/api/v1/deliveries").await;
        assert_eq!(own.as_array().unwrap().len(), 1);
        let (_, none) = app.login("anju").await.get("/api/v1/deliveries").await;
        assert!(
            none.as_array().unwrap().is_empty(),
            "another township sees none"
        );
        // The channel is listed without its URL's key.
        let (_, channels) = office.get("/api/v1/channels").await;
        assert!(!channels.to_string().contains("k-bachuan"), "{channels}");
    }
}

/// Bad input names its field (422); a township may not configure channels.
#[tokio::test]
async fn bad_channels_are_refused_naming_the_field() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let unit = app.unit_id("巴川街道").await;
        let ok = format!("{}/robot/send?access_token=t", r.base);
        for (body, field) in [
            (
                json!({"unit": unit, "vendor": "wecom", "url": "not a url"}),
                "url",
            ),
            (
                json!({"unit": unit, "vendor": "pigeon", "url": ok}),
                "vendor",
            ),
            (
                json!({"unit": unit, "vendor": "wecom", "url": "https://10.0.0.8/hook"}),
                "url",
            ),
            (
                json!({"unit": unit, "vendor": "dingtalk", "url": ok}),
                "secret",
            ),
            (
                json!({"unit": unit, "vendor": "dingtalk", "url": ok, "secret": "SEC1", "phones": ["1380000"]}),
                "phones",
            ),
            (
                json!({"unit": unit, "vendor": "wecom", "url": ok, "events": ["nothing"]}),
                "events",
            ),
        ] {
            let (s, b) = office.post("/api/v1/channels", body.clone()).await;
            assert_eq!(
                (s, b["error"]["field"].as_str()),
                (422, Some(field)),
                "{body} {b}"
            );
        }
        let (s, _) = app
            .login("bachuan")
            .await
            .post(
                "/api/v1/channels",
                json!({"unit": unit, "vendor": "wecom", "url": ok}),
            )
            .await;
        assert_eq!(s, 403);
    }
}

/// 钉钉's signed URL checks at the receiver; a 500 is retried after the backoff and a
/// rate-limit answer waits; a refused key fails at once with the vendor's answer.
#[tokio::test]
async fn signed_requests_retries_and_failures() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let yjj = app.unit_id("区应急局").await;
        let (s, _) = office
            .post(
                "/api/v1/channels",
                json!({"unit": yjj, "vendor": "dingtalk", "url": format!("{}/robot/send?access_token=t1", r.base),
                       "secret": "SECabc", "events": ["accident"]}),
            )
            .await;
        assert_eq!(s, 201);
        r.answer(500, "busy");
        r.answer(
            200,
            r#"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#,
        );
        let bachuan = app.login("bachuan").await;
        let unit = app.unit_id("巴川街道").await;
        let chem = app.unit_id("重庆铜梁某化工有限公司").await;
        let (s, a) = bachuan
            .post(
                "/api/v1/accidents",
                json!({"unit": unit, "enterprise": chem, "sector": "危化品", "occurred_at": "2022-08-09T06:00:00+08:00",
                       "learned_at": "2022-08-09T06:10:00+08:00", "place": "某化工企业储罐区", "account": "储罐检修时闪爆",
                       "deaths": 1, "missing": 0, "serious_injuries": 0, "direct_loss_yuan": "100000", "measures_taken": "已警戒"}),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        let http = anjian_web::outbound::client();
        let state = |app: &TestApp| {
            let db = app.db.clone();
            async move {
                let (st, n, answer): (String, i64, Option<String>) = db
                    .read()
                    .one(anjian_store::q("SELECT state, attempts, last_answer FROM deliveries WHERE event = 'accident'"))
                    .await
                    .unwrap();
                (st, n, answer.unwrap_or_default())
            }
        };
        assert_eq!(
            anjian_web::outbound::dispatch_once(&app.state, &http)
                .await
                .unwrap(),
            1
        );
        let (st, n, answer) = state(&app).await;
        assert_eq!((st.as_str(), n), ("pending", 1), "{answer}");
        assert!(answer.contains("HTTP 500"));
        // Not due again until the backoff has passed.
        assert_eq!(
            anjian_web::outbound::dispatch_once(&app.state, &http)
                .await
                .unwrap(),
            0
        );
        app.advance(120_000);
        anjian_web::outbound::dispatch_once(&app.state, &http)
            .await
            .unwrap();
        let (st, n, answer) = state(&app).await;
        assert_eq!(
            (st.as_str(), n),
            ("pending", 2),
            "the rate limit waits: {answer}"
        );
        app.advance(300_000);
        anjian_web::outbound::dispatch_once(&app.state, &http)
            .await
            .unwrap();
        let (st, n, _) = state(&app).await;
        assert_eq!((st.as_str(), n), ("sent", 3));
        // Each request was signed as 钉钉 documents: sign = base64(HMAC-SHA256(secret,
        // "timestamp\nsecret")), URL-encoded.
        let got = r.got();
        assert_eq!(got.len(), 3);
        for (path, _, body) in &got {
            let ts: i64 = path
                .split("timestamp=")
                .nth(1)
                .unwrap()
                .split('&')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let sign = path.split("sign=").nth(1).unwrap();
            let want: String = url_encode(&anjian_core::channel::dingtalk_sign(ts, "SECabc"));
            assert_eq!(sign, want);
            let v: Value = serde_json::from_str(body).unwrap();
            assert!(v["text"]["content"].as_str().unwrap().contains("事故直报"));
        }
        // A channel whose key the vendor refuses: failed at once, its answer kept.
        let (_, c) = office
            .post(
                "/api/v1/channels",
                json!({"unit": yjj, "vendor": "wecom", "url": format!("{}/cgi-bin/webhook/send?key=bad", r.base)}),
            )
            .await;
        r.answer(200, r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#);
        let (s, t) = office
            .post(&format!("/api/v1/channels/{}/test", c["id"]), json!({}))
            .await;
        assert_eq!(s, 200, "{t}");
        assert_eq!(t["state"], "failed");
        assert!(t["answer"].as_str().unwrap().contains("93000"));
        let (_, t) = office
            .post(&format!("/api/v1/channels/{}/test", c["id"]), json!({}))
            .await;
        assert_eq!(t["state"], "sent", "{t}");
        let (_, failed) = office.get("/api/v1/deliveries?state=failed").await;
        assert_eq!(failed[0]["event"], "test");
        let (s, _) = office.get("/api/v1/deliveries?state=lost").await;
        assert_eq!(s, 400);
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A tip routed to a unit tells it the category and the deadline: never the reporter,
/// the phone, the description or the receipt.
#[tokio::test]
async fn a_routed_tip_carries_nothing_of_the_reporter() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let yjj = app.unit_id("区应急局").await;
        let (s, _) = office
            .post(
                "/api/v1/channels",
                json!({"unit": yjj, "vendor": "feishu", "url": format!("{}/open-apis/bot/v2/hook/x", r.base), "secret": "fs"}),
            )
            .await;
        assert_eq!(s, 201);
        let (s, receipt) = app
            .anon()
            .post(
                "/api/v1/public/tips",
                json!({"category": "violation", "sector": "危化品", "place": "某化工仓库", "description": "安全出口被锁闭标记描述",
                       "reporter": {"name": "蔺晓标记", "phone": "13907310942", "id_number": "11010519491231002X"}}),
            )
            .await;
        assert_eq!(s, 201);
        let (_, tips) = office.get("/api/v1/tips?status=received").await;
        let id = tips[0]["id"].as_i64().unwrap();
        let (s, _) = office
            .post(&format!("/api/v1/tips/{id}/accept"), json!({"unit": yjj}))
            .await;
        assert_eq!(s, 200);
        r.answer(200, r#"{"code":0,"msg":"success"}"#);
        let http = anjian_web::outbound::client();
        assert_eq!(
            anjian_web::outbound::dispatch_once(&app.state, &http)
                .await
                .unwrap(),
            1
        );
        let got = r.got();
        let (_, _, body) = &got[0];
        for marker in [
            "蔺晓标记",
            "13907310942",
            "11010519491231002X",
            "安全出口被锁闭标记描述",
            receipt["receipt"].as_str().unwrap(),
        ] {
            assert!(!body.contains(marker), "{marker} leaked: {body}");
        }
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["msg_type"], "text");
        let ts: i64 = v["timestamp"].as_str().unwrap().parse().unwrap();
        assert_eq!(v["sign"], anjian_core::channel::feishu_sign(ts, "fs"));
        assert!(v["content"]["text"].as_str().unwrap().contains("举报分办"));
    }
}

/// 叫应 on the demo clock: each addressee's robot gets the warning; one answers; past
/// the deadline the other is told again, half an hour later the office's robot is told
/// who has not answered (once), the office presses 催办, and the warning page shows
/// for each addressee what was sent and whether it was taken.
#[tokio::test]
async fn an_unanswered_warning_is_escalated_reported_and_urged() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let (_, me) = office.get("/api/v1/me").await;
        let office_unit = me["unit"]["id"].as_i64().unwrap();
        let bachuan = app.unit_id("巴川街道").await;
        let anju = app.unit_id("安居镇").await;
        for (unit, key) in [
            (bachuan, "bachuan"),
            (anju, "anju"),
            (office_unit, "office"),
        ] {
            robot(&office, &r, unit, key).await;
        }
        let mut w = warning(bachuan);
        w["units"] = json!([bachuan, anju]);
        let (s, w) = office.post("/api/v1/warnings", w).await;
        assert_eq!(s, 201, "{w}");
        let id = w["id"].as_i64().unwrap();
        let http = anjian_web::outbound::client();
        let dispatch = || anjian_web::outbound::dispatch_once(&app.state, &http);
        assert_eq!(dispatch().await.unwrap(), 2);
        let to = |key: &str| -> Vec<String> {
            r.got()
                .into_iter()
                .filter(|(p, _, _)| p.ends_with(&format!("key={key}")))
                .map(|(_, _, b)| {
                    let v: Value = serde_json::from_str(&b).unwrap();
                    v["text"]["content"].as_str().unwrap().to_string()
                })
                .collect()
        };
        let (s, _) = app
            .login("anju")
            .await
            .post(
                &format!("/api/v1/warnings/{id}/ack"),
                json!({"reply": "已转移"}),
            )
            .await;
        assert_eq!(s, 200);
        // Before the deadline nothing more happens.
        assert_eq!(
            anjian_store::warnings::escalate(&app.db, anjian_core::time::Clock::now_ms(&app.clock))
                .await
                .unwrap(),
            (0, 0)
        );
        // 12:06: past the deadline.
        app.advance(5 * 3_600_000);
        assert_eq!(
            anjian_store::warnings::escalate(&app.db, anjian_core::time::Clock::now_ms(&app.clock))
                .await
                .unwrap(),
            (1, 0)
        );
        dispatch().await.unwrap();
        let bachuan_got = to("bachuan");
        assert_eq!(bachuan_got.len(), 2);
        assert!(bachuan_got[1].contains("未回应"), "{bachuan_got:?}");
        assert_eq!(to("anju").len(), 1, "who answered is not told again");
        // Half an hour later the office is told who has not answered, once.
        app.advance(31 * 60_000);
        assert_eq!(
            anjian_store::warnings::escalate(&app.db, anjian_core::time::Clock::now_ms(&app.clock))
                .await
                .unwrap(),
            (0, 1)
        );
        assert_eq!(
            anjian_store::warnings::escalate(&app.db, anjian_core::time::Clock::now_ms(&app.clock))
                .await
                .unwrap(),
            (0, 0)
        );
        dispatch().await.unwrap();
        let office_got = to("office");
        assert_eq!(office_got.len(), 1);
        assert!(
            office_got[0].contains("巴川街道") && !office_got[0].contains("安居镇"),
            "{office_got:?}"
        );
        // 催办 from the page (a fresh login: hours passed on the demo clock): the
        // unanswered township gets it.
        let office = app.login("office").await;
        let (s, _) = office.form(&format!("/warnings/{id}/urge"), &[]).await;
        assert_eq!(s, 303);
        dispatch().await.unwrap();
        assert!(to("bachuan").last().unwrap().contains("催办"));
        let (s, page) = office.get_text(&format!("/warnings/{id}")).await;
        assert_eq!(s, 200);
        for shown in ["推送", "超时再推送", "催办", "已送达"] {
            assert!(page.contains(shown), "the page shows {shown}");
        }
        // Urging a warning everyone answered is refused.
        let (s, b) = app
            .login("bachuan")
            .await
            .post(&format!("/api/v1/warnings/{id}/ack"), json!({}))
            .await;
        assert_eq!(s, 200, "{b}");
        let (s, b) = office
            .post(&format!("/api/v1/warnings/{id}/urge"), json!({}))
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (422, Some("all_answered")),
            "{b}"
        );
    }
}

/// The office's message about a warning many units left unanswered gives their number,
/// all of them, and names the first [`anjian_store::warnings::NAMES_TOLD`] with "等".
#[tokio::test]
async fn the_office_is_told_how_many_units_did_not_answer_however_many() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let (_, me) = office.get("/api/v1/me").await;
        let office_unit = me["unit"]["id"].as_i64().unwrap();
        robot(&office, &r, office_unit, "office").await;
        let units: Vec<(i64,)> = app
            .db
            .read()
            .all(anjian_store::q(
                "SELECT id FROM units WHERE kind IN ('township', 'department') AND active = 1",
            ))
            .await
            .unwrap();
        let n = units.len() as i64;
        assert!(n > anjian_store::warnings::NAMES_TOLD, "{n}");
        let mut w = warning(0);
        w["units"] = json!(units.iter().map(|(u,)| *u).collect::<Vec<_>>());
        let (s, w) = office.post("/api/v1/warnings", w).await;
        assert_eq!(s, 201, "{w}");
        let escalate = || {
            anjian_store::warnings::escalate(&app.db, anjian_core::time::Clock::now_ms(&app.clock))
        };
        app.advance(5 * 3_600_000);
        assert_eq!(escalate().await.unwrap(), (n as usize, 0));
        app.advance(31 * 60_000);
        assert_eq!(escalate().await.unwrap(), (0, 1));
        let http = anjian_web::outbound::client();
        anjian_web::outbound::dispatch_once(&app.state, &http)
            .await
            .unwrap();
        let told: Vec<String> = r
            .got()
            .into_iter()
            .filter(|(p, _, _)| p.ends_with("key=office"))
            .map(|(_, _, b)| {
                let v: Value = serde_json::from_str(&b).unwrap();
                v["text"]["content"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(
            told[0].contains(&format!("仍有{n}个单位未回应：")),
            "{e:?}: {}",
            told[0]
        );
        let listed = told[0].split("个单位未回应：").nth(1).unwrap();
        assert_eq!(
            listed.split('、').count() as i64,
            anjian_store::warnings::NAMES_TOLD,
            "{listed}"
        );
        assert!(listed.contains("等，详见平台预警页"), "{listed}");
    }
}

/// The warning page shows each addressee's newest deliveries, however many were sent:
/// a unit urged again and again shows its last [`anjian_store::warnings::SENT_PER_UNIT`]
/// rounds, the latest among them.
#[tokio::test]
async fn the_warning_page_shows_each_addressees_newest_deliveries() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        robot(&office, &r, bachuan, "bachuan").await;
        let (s, w) = office.post("/api/v1/warnings", warning(bachuan)).await;
        assert_eq!(s, 201, "{w}");
        let id = w["id"].as_i64().unwrap();
        let urges = anjian_store::warnings::SENT_PER_UNIT + 1;
        for _ in 0..urges {
            app.advance(60_000);
            let (s, b) = office
                .post(&format!("/api/v1/warnings/{id}/urge"), json!({}))
                .await;
            assert_eq!(s, 200, "{b}");
        }
        let (s, page) = office.get_text(&format!("/warnings/{id}")).await;
        assert_eq!(s, 200);
        let lines = |round: &str| {
            page.matches(&format!("<span class=\"nowrap\">{round} "))
                .count() as i64
        };
        assert_eq!(
            (lines("推送"), lines("催办")),
            (0, anjian_store::warnings::SENT_PER_UNIT),
            "{e:?}: the newest rounds"
        );
        assert!(!page.contains("未配置通道"));
    }
}

/// The daily digest (issue 18 part 5): on a working day, from the time the office set,
/// a unit's channel gets one message with what is overdue, due this week and returned;
/// once a day however often the job runs.
#[tokio::test]
async fn the_working_days_digest_is_sent_once() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        let (s, _) = office
            .post(
                "/api/v1/channels",
                json!({"unit": bachuan, "vendor": "wecom", "url": format!("{}/send?key=b", r.base), "events": ["digest"]}),
            )
            .await;
        assert_eq!(s, 201);
        let now = || anjian_core::time::Clock::now_ms(&app.clock);
        // 07:06 on Tuesday 9 August 2022: before the default 08:30.
        assert_eq!(
            anjian_store::outbox::digest(&app.db, now()).await.unwrap(),
            0
        );
        let (s, _) = office
            .form("/channels/digest", &[("digest_at", "07:00")])
            .await;
        assert_eq!(s, 303);
        let (s, page) = office
            .form("/channels/digest", &[("digest_at", "7点")])
            .await;
        assert!((400..500).contains(&s) && page.contains("HH:MM"), "{s}");
        assert_eq!(
            anjian_store::outbox::digest(&app.db, now()).await.unwrap(),
            1
        );
        assert_eq!(
            anjian_store::outbox::digest(&app.db, now()).await.unwrap(),
            0,
            "once a day"
        );
        let http = anjian_web::outbound::client();
        anjian_web::outbound::dispatch_once(&app.state, &http)
            .await
            .unwrap();
        let got = r.got();
        assert_eq!(got.len(), 1);
        let v: Value = serde_json::from_str(&got[0].2).unwrap();
        let text = v["text"]["content"].as_str().unwrap();
        assert!(
            text.contains("今日待办") && text.contains("已逾期") && text.contains("本周到期"),
            "{text}"
        );
        // The channel of a unit that takes only warnings gets no digest.
        let anju = app.unit_id("安居镇").await;
        office
            .post(
                "/api/v1/channels",
                json!({"unit": anju, "vendor": "wecom", "url": format!("{}/send?key=a", r.base), "events": ["warning"]}),
            )
            .await;
        assert_eq!(
            anjian_store::outbox::digest(&app.db, now()).await.unwrap(),
            0
        );
        // Saturday 13 August: no digest.
        app.advance(4 * 86_400_000);
        assert_eq!(
            anjian_store::outbox::digest(&app.db, now()).await.unwrap(),
            0
        );
    }
}

/// Two dispatchers sharing one database (as two server processes do) deliver each
/// message once; a process that dies between claiming a message and sending it (the
/// claim taken, nothing settled) leaves it to be sent when its lease has run out.
#[tokio::test]
async fn two_dispatchers_deliver_once_and_a_killed_claim_is_sent_later() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        office
            .post(
                "/api/v1/channels",
                json!({"unit": bachuan, "vendor": "webhook", "url": format!("{}/hook", r.base), "secret": "k"}),
            )
            .await;
        for n in 0..30 {
            let mut w = warning(bachuan);
            w["title"] = json!(format!("第{n}号预警"));
            let (s, b) = office.post("/api/v1/warnings", w).await;
            assert_eq!(s, 201, "{b}");
        }
        let (a, b) = (app.state.clone(), app.state.clone());
        let run = |state: anjian_web::AppState| async move {
            let http = anjian_web::outbound::client();
            while anjian_web::outbound::dispatch_once(&state, &http)
                .await
                .unwrap()
                > 0
            {}
        };
        tokio::join!(run(a), run(b));
        let got = r.got();
        let mut keys: Vec<String> = got
            .iter()
            .map(|(_, h, _)| h["idempotency-key"].to_str().unwrap().to_string())
            .collect();
        keys.sort();
        keys.dedup();
        assert_eq!((got.len(), keys.len()), (30, 30), "each once");
        // The webhook's signature verifies over the exact body.
        for (_, h, body) in &got {
            let sig = h["x-anjian-signature"].to_str().unwrap();
            assert_eq!(
                sig,
                format!(
                    "sha256={}",
                    anjian_core::channel::webhook_signature("k", body)
                )
            );
        }
        // Killed after the claim: nothing sent, nothing settled.
        office.post("/api/v1/warnings", warning(bachuan)).await;
        let now = anjian_core::time::Clock::now_ms(&app.clock);
        let claimed = anjian_store::outbox::claim(&app.db, now, 60_000, 20)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        let http = anjian_web::outbound::client();
        assert_eq!(
            anjian_web::outbound::dispatch_once(&app.state, &http)
                .await
                .unwrap(),
            0,
            "leased"
        );
        app.advance(61_000);
        assert_eq!(
            anjian_web::outbound::dispatch_once(&app.state, &http)
                .await
                .unwrap(),
            1
        );
        assert_eq!(r.got().len(), 31);
    }
}

/// The hazard loop and the review reach the other side's robot: a hazard the office
/// assigns to a township (交办), a report returned with its reason.
#[tokio::test]
async fn an_assigned_hazard_and_a_returned_report_reach_the_unit() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        let (s, _) = office
            .post(
                "/api/v1/channels",
                json!({"unit": bachuan, "vendor": "wecom", "url": format!("{}/send?key=b", r.base),
                       "events": ["hazard", "returned"]}),
            )
            .await;
        assert_eq!(s, 201);
        let (s, h) = office
            .post(
                "/api/v1/hazards",
                json!({"unit": bachuan, "level": "general", "sector": "燃气", "place": "某农贸市场燃气管道",
                       "description": "燃气管道锈蚀", "discovered_on": "2022-08-01", "measures": "更换管道",
                       "responsible_person": "张三", "deadline": "2022-08-20"}),
            )
            .await;
        assert_eq!(s, 201, "{h}");
        let town = app.login("bachuan").await;
        let id = crate::reports::item28_for_bachuan(&town).await;
        assert_eq!(
            crate::reports::report(&town, id, "已完成", vec![]).await.0,
            303
        );
        let (s, v) = app
            .login("yjj")
            .await
            .post(
                &format!("/api/v1/obligations/{id}/review"),
                json!({"decision": "return", "reason": "缺少会议记录"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let http = anjian_web::outbound::client();
        anjian_web::outbound::dispatch_once(&app.state, &http)
            .await
            .unwrap();
        let texts: Vec<String> = r
            .got()
            .iter()
            .map(|(_, _, b)| {
                let v: Value = serde_json::from_str(b).unwrap();
                v["text"]["content"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(
            texts.iter().any(|t| t.contains("一般隐患交办")
                && t.contains("某农贸市场燃气管道")
                && t.contains("2022-08-20")),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.contains("报送被退回") && t.contains("缺少会议记录")),
            "{texts:?}"
        );
    }
}

/// A circuit breaker (熔断) on a sector reaches the robot of the department that
/// supervises it; a township outside its areas hears nothing.
#[tokio::test]
async fn a_circuit_breaker_reaches_the_sectors_department() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let yjj = app.unit_id("区应急局").await;
        let anju = app.unit_id("安居镇").await;
        let bachuan = app.unit_id("巴川街道").await;
        for (unit, key) in [(yjj, "yjj"), (anju, "anju")] {
            office
                .post(
                    "/api/v1/channels",
                    json!({"unit": unit, "vendor": "wecom", "url": format!("{}/send?key={key}", r.base)}),
                )
                .await;
        }
        let (s, b) = office
            .post(
                "/api/v1/circuit-breakers",
                json!({"activities": "危化品装卸作业", "reason": "高温红色预警", "from": "2022-08-09T08:00:00+08:00",
                       "until": "2022-08-10T20:00:00+08:00", "areas": [bachuan], "sectors": ["危化品"]}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let http = anjian_web::outbound::client();
        anjian_web::outbound::dispatch_once(&app.state, &http)
            .await
            .unwrap();
        let got = r.got();
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].0.ends_with("key=yjj"));
        assert!(got[0].2.contains("熔断") && got[0].2.contains("危化品装卸作业"));
    }
}

/// A local SMTP server that takes mail (offering no STARTTLS) and keeps each
/// conversation's envelope and data; a recipient at `refused.example.gov.cn` is
/// refused for good (550).
async fn smtp_server() -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let kept: Arc<Mutex<Vec<String>>> = Default::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let k = kept.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let k = k.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let mut said = String::new();
                let _ = write.write_all(b"220 localhost ESMTP test\r\n").await;
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    said.push_str(&line);
                    said.push('\n');
                    let reply: &[u8] = if in_data {
                        if line == "." {
                            in_data = false;
                            k.lock().unwrap().push(said.clone());
                            b"250 2.0.0 Ok: queued\r\n"
                        } else {
                            continue;
                        }
                    } else {
                        let upper = line.to_ascii_uppercase();
                        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                            b"250-localhost\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("RCPT") && upper.contains("REFUSED.EXAMPLE") {
                            b"550 5.1.1 no such user\r\n"
                        } else if upper.starts_with("DATA") {
                            in_data = true;
                            b"354 go ahead\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 OK\r\n"
                        }
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (addr, kept)
}

/// E-mail over SMTP (issue 18 part 1): a warning reaches the duty address through the
/// local server; a refused address fails with the server's answer.
#[tokio::test]
async fn a_warning_is_mailed_through_smtp() {
    for e in engines() {
        let (smtp, kept) = smtp_server().await;
        let config = anjian_web::WebConfig {
            outbound_allow: vec![smtp.clone()],
            ..Default::default()
        };
        let app = TestApp::with_config(e, config).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        let (s, c) = office
            .post(
                "/api/v1/channels",
                json!({"unit": bachuan, "vendor": "email", "url": format!("smtp://duty@bachuan.gov.cn@{smtp}"),
                       "emails": ["duty@bachuan.gov.cn", "leader@bachuan.gov.cn"]}),
            )
            .await;
        assert_eq!(s, 201, "{c}");
        for (body, field) in [
            (
                json!({"unit": bachuan, "vendor": "email", "url": format!("smtp://{smtp}")}),
                "emails",
            ),
            (
                json!({"unit": bachuan, "vendor": "email", "url": format!("smtp://{smtp}"), "emails": ["nobody"]}),
                "emails",
            ),
            (
                json!({"unit": bachuan, "vendor": "email", "url": "https://mail.example.gov.cn", "emails": ["a@b.cn"]}),
                "url",
            ),
        ] {
            let (s, b) = office.post("/api/v1/channels", body).await;
            assert_eq!((s, b["error"]["field"].as_str()), (422, Some(field)), "{b}");
        }
        let (s, _) = office.post("/api/v1/warnings", warning(bachuan)).await;
        assert_eq!(s, 201);
        let http = anjian_web::outbound::client();
        assert_eq!(
            anjian_web::outbound::dispatch_once(&app.state, &http)
                .await
                .unwrap(),
            1
        );
        let mails = kept.lock().unwrap().clone();
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert!(
            mails[0].contains("RCPT TO:<duty@bachuan.gov.cn>")
                && mails[0].contains("RCPT TO:<leader@bachuan.gov.cn>"),
            "{}",
            mails[0]
        );
        assert!(mails[0].contains("MAIL FROM:<duty@bachuan.gov.cn>"));
        assert!(mails[0].contains("Content-Type: text/plain"));
        let (_, sent) = office.get("/api/v1/deliveries?state=sent").await;
        assert!(
            sent[0]["last_answer"].as_str().unwrap().contains("250"),
            "{sent}"
        );
        // A refused address fails with the server's answer.
        let (_, c) = office
            .post(
                "/api/v1/channels",
                json!({"unit": bachuan, "vendor": "email", "url": format!("smtp://{smtp}"), "emails": ["x@refused.example.gov.cn"]}),
            )
            .await;
        let (s, t) = office
            .post(&format!("/api/v1/channels/{}/test", c["id"]), json!({}))
            .await;
        assert_eq!(s, 200);
        assert_eq!(t["state"], "failed", "{t}");
        assert!(t["answer"].as_str().unwrap().contains("550"), "{t}");
    }
}

/// SMS through a gateway whose request is configured: the duty phones get the warning
/// in the configured body with the key as a bearer token; an answer without the
/// configured success mark fails with the gateway's answer.
#[tokio::test]
async fn a_warning_goes_by_sms_through_a_configured_gateway() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        let (s, c) = office
            .post(
                "/api/v1/channels",
                json!({"unit": bachuan, "vendor": "sms", "url": format!("{}/sms/send", r.base), "secret": "key1",
                       "phones": ["13800000001", "13800000002"],
                       "sms": {"template_id": "SMS_77", "sign_name": "铜梁区应急",
                               "body": "{\"mobiles\":\"{{phone_list}}\",\"tpl\":\"{{template_id}}\",\"sign\":\"{{sign_name}}\",\"vars\":{\"title\":\"{{title}}\"}}",
                               "ok": "code=OK"}}),
            )
            .await;
        assert_eq!(s, 201, "{c}");
        for (body, field) in [
            (
                json!({"unit": bachuan, "vendor": "sms", "url": format!("{}/sms/send", r.base)}),
                "phones",
            ),
            (
                json!({"unit": bachuan, "vendor": "sms", "url": format!("{}/sms/send", r.base), "phones": ["13800000001"], "sms": {"body": "{"}}),
                "sms",
            ),
        ] {
            let (s, b) = office.post("/api/v1/channels", body).await;
            assert_eq!((s, b["error"]["field"].as_str()), (422, Some(field)), "{b}");
        }
        r.answer(200, r#"{"code":"OK","msg":"success"}"#);
        office.post("/api/v1/warnings", warning(bachuan)).await;
        let http = anjian_web::outbound::client();
        anjian_web::outbound::dispatch_once(&app.state, &http)
            .await
            .unwrap();
        let got = r.got();
        assert_eq!(got.len(), 1);
        let (path, headers, body) = &got[0];
        assert_eq!(path, "/sms/send");
        assert_eq!(headers["authorization"], "Bearer key1");
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["mobiles"], json!(["13800000001", "13800000002"]));
        assert_eq!(
            (v["tpl"].as_str(), v["sign"].as_str()),
            (Some("SMS_77"), Some("铜梁区应急"))
        );
        assert_eq!(v["vars"]["title"], "暴雨红色预警");
        r.answer(200, r#"{"code":"LIMIT","msg":"触发流控"}"#);
        let (_, t) = office
            .post(&format!("/api/v1/channels/{}/test", c["id"]), json!({}))
            .await;
        assert_eq!(t["state"], "failed", "{t}");
        assert!(t["answer"].as_str().unwrap().contains("LIMIT"));
    }
}

/// Issue 18 part 3: "Events: a new or returned obligation …, a special period's daily
/// report due": a special period declared for the district tells each township once,
/// bundled, what it now owes; in the afternoon a township that has not reported today
/// is reminded, once.
#[tokio::test]
async fn new_obligations_and_a_daily_report_due_reach_the_unit_once() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        let (s, _) = office
            .post(
                "/api/v1/channels",
                json!({"unit": bachuan, "vendor": "wecom", "url": format!("{}/send?key=b", r.base),
                       "events": ["obligation", "daily_report"]}),
            )
            .await;
        assert_eq!(s, 201);
        let (s, p) = office
            .post(
                "/api/v1/special-periods",
                json!({"name": "暴雨防汛期间", "first_day": "2022-08-09", "last_day": "2022-08-11"}),
            )
            .await;
        assert_eq!(s, 201, "{p}");
        let http = anjian_web::outbound::client();
        while anjian_web::outbound::dispatch_once(&app.state, &http)
            .await
            .unwrap()
            > 0
        {}
        let got = r.got();
        assert_eq!(got.len(), 1, "one message for the three days owed");
        let v: Value = serde_json::from_str(&got[0].2).unwrap();
        let text = v["text"]["content"].as_str().unwrap();
        assert!(
            text.contains("新交办的应办事项")
                && text.contains("新交办3项")
                && text.contains("2022-08-09"),
            "{text}"
        );
        let now = || anjian_core::time::Clock::now_ms(&app.clock);
        // 07:06: not yet; 16:00: reminded once.
        assert_eq!(
            anjian_store::outbox::daily_reports_due(&app.db, now())
                .await
                .unwrap(),
            0
        );
        app.advance(8 * 3_600_000 + 54 * 60_000);
        assert_eq!(
            anjian_store::outbox::daily_reports_due(&app.db, now())
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            anjian_store::outbox::daily_reports_due(&app.db, now())
                .await
                .unwrap(),
            0,
            "once a day"
        );
        anjian_web::outbound::dispatch_once(&app.state, &http)
            .await
            .unwrap();
        let got = r.got();
        assert_eq!(got.len(), 2);
        let v: Value = serde_json::from_str(&got[1].2).unwrap();
        assert!(
            v["text"]["content"]
                .as_str()
                .unwrap()
                .contains("今日日报尚未报送"),
            "{v}"
        );
    }
}

/// Issue 18 part 2: "honours the vendors' rate limits (a robot takes about 20 messages
/// a minute)": of 30 warnings to one robot, 20 go in the first minute and the rest
/// after it, none counted as a failed attempt; a signed webhook of the office's own is
/// not held back.
#[tokio::test]
async fn a_group_robot_gets_twenty_a_minute() {
    for e in engines() {
        let r = Receiver::start().await;
        let app = app_allowing(e, &r).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        let (s, _) = office
            .post(
                "/api/v1/channels",
                json!({"unit": bachuan, "vendor": "wecom", "url": format!("{}/send?key=b", r.base), "events": ["warning"]}),
            )
            .await;
        assert_eq!(s, 201);
        let (s, _) = office
            .post(
                "/api/v1/channels",
                json!({"unit": bachuan, "vendor": "webhook", "url": format!("{}/hook", r.base), "secret": "k", "events": ["warning"]}),
            )
            .await;
        assert_eq!(s, 201);
        for n in 0..30 {
            let mut w = warning(bachuan);
            w["title"] = json!(format!("第{n}号预警"));
            assert_eq!(office.post("/api/v1/warnings", w).await.0, 201);
        }
        let http = anjian_web::outbound::client();
        let drain = || async {
            while anjian_web::outbound::dispatch_once(&app.state, &http)
                .await
                .unwrap()
                > 0
            {}
        };
        drain().await;
        let robot = |got: &[crate::outbound::Got]| {
            got.iter().filter(|(p, ..)| p.starts_with("/send")).count()
        };
        let got = r.got();
        assert_eq!(
            (robot(&got), got.len() - robot(&got)),
            (20, 30),
            "the robot's first minute; the webhook all"
        );
        app.advance(61_000);
        drain().await;
        assert_eq!(robot(&r.got()), 30);
        let (_, attempts): (i64, i64) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT), CAST(MAX(attempts) AS BIGINT) FROM deliveries WHERE state = 'sent'",
            ))
            .await
            .unwrap();
        assert_eq!(attempts, 1, "a message held back is not a failed attempt");
    }
}

/// Issue 18 part 7: "Robot and webhook URLs are checked against an allow-list of hosts
/// the system administrator configures": the system administrator keeps the list on
/// its page (bad entries refused naming the field); a host listed there may be given
/// to a channel, and the office may not change the list.
#[tokio::test]
async fn the_system_administrator_keeps_the_outbound_allow_list() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        let channel = json!({"unit": bachuan, "vendor": "webhook", "url": "https://hooks.tongliang.gov.cn:8443/anjian", "secret": "k"});
        let (s, b) = office.post("/api/v1/channels", channel.clone()).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("url")), "{b}");
        assert_eq!(office.get_text("/security/outbound").await.0, 403);
        assert_eq!(
            office
                .form(
                    "/security/outbound",
                    &[("hosts", "hooks.tongliang.gov.cn:8443")]
                )
                .await
                .0,
            403
        );
        let sys = app.login("sysadmin").await;
        let (s, page) = sys.get_text("/security/outbound").await;
        assert_eq!(s, 200);
        assert!(page.contains("qyapi.weixin.qq.com") && page.contains("允许的外发地址"));
        let (s, page) = sys
            .form(
                "/security/outbound",
                &[("hosts", "hooks.tongliang.gov.cn\n10.1.1.1:80")],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("应为 主机:端口"), "{page}");
        assert!(
            page.contains("10.1.1.1:80</textarea>"),
            "what was typed is kept"
        );
        let (s, _) = sys
            .form(
                "/security/outbound",
                &[("hosts", "hooks.tongliang.gov.cn:8443\n10.1.1.1:80")],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = sys.get_text("/security/outbound").await;
        assert!(
            page.contains("hooks.tongliang.gov.cn:8443\n10.1.1.1:80"),
            "{page}"
        );
        let (s, b) = office.post("/api/v1/channels", channel).await;
        assert_eq!(s, 201, "{b}");
    }
}
