//! Plan item (14): "每日在区级以上主流媒体（电视台、报纸、网站、手机报、微信等）发布1条以上
//! 工作动态或通过应急广播进行常态化宣传" (区应急局、区融媒体中心 lead) — counted, not
//! reported: the lead units log each publication, the page shows the days missed, and
//! nobody gets one report a day to write or to review.

use serde_json::{Value, json};

use crate::harness::{TestApp, engines};

fn line<'a>(lines: &'a Value, unit: &str) -> Option<&'a Value> {
    lines
        .as_array()?
        .iter()
        .find(|l| l["unit_name"] == unit && l["no"] == 14)
}

#[tokio::test]
async fn a_daily_duty_is_counted_from_logged_publications_not_reported() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let yjj = app.login("yjj").await;
        let office = app.login("office").await;
        let (s, lines) = yjj.get("/api/v1/daily").await;
        assert_eq!(s, 200, "{lines}");
        let mine = line(&lines, "区应急局")
            .expect("区应急局 leads (14)")
            .clone();
        assert_eq!(mine["role"], "lead");
        let (days, missed) = (
            mine["days"].as_i64().unwrap(),
            mine["missed"].as_i64().unwrap(),
        );
        assert!(days > 80 && missed == days, "{mine}");
        let assignment = mine["assignment_id"].as_i64().unwrap();
        // Bad entries name their field; nothing is written.
        let entry = |on: &str, channel: &str, link: &str| {
            json!({"assignment": assignment, "on": on, "channel": channel,
                "outlet": "铜梁发布", "title": "我区开展燃气安全专项检查", "link": link})
        };
        for (body, field) in [
            (entry("2022-08-10", "media", "https://example.cn/1"), "on"),
            (entry("2022-08-09", "media", ""), "link"),
            (entry("2022-08-09", "tv", "https://example.cn/1"), "channel"),
            (entry("2022-05-01", "media", "https://example.cn/1"), "on"),
        ] {
            let (s, b) = yjj.post("/api/v1/daily-entries", body).await;
            assert_eq!((s, b["error"]["field"].as_str()), (422, Some(field)), "{b}");
        }
        // Two publications on one day count one day; a broadcast another.
        for body in [
            entry("2022-08-09", "media", "https://example.cn/1"),
            entry("2022-08-09", "media", "https://example.cn/2"),
            entry("2022-08-08", "broadcast", ""),
        ] {
            assert_eq!(yjj.post("/api/v1/daily-entries", body).await.0, 201);
        }
        let (_, lines) = office.get("/api/v1/daily").await;
        let now = line(&lines, "区应急局").unwrap();
        assert_eq!(
            (
                now["logged"].as_i64(),
                now["entries"].as_i64(),
                now["missed"].as_i64()
            ),
            (Some(2), Some(3), Some(missed - 2))
        );
        // Another unit cannot log against 区应急局's assignment.
        let bachuan = app.login("bachuan").await;
        let (s, _) = bachuan
            .post(
                "/api/v1/daily-entries",
                entry("2022-08-09", "media", "https://example.cn/3"),
            )
            .await;
        assert_eq!(s, 404);
        // "相关区级部门" co-operate; the procuratorate is not one of them.
        assert!(line(&lines, "区检察院").is_none());
        let (n,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT CAST(COUNT(*) AS BIGINT) FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN work_items w ON w.id = a.work_item_id JOIN units u ON u.id = o.unit_id WHERE w.no = 14 AND (u.name = '区检察院' OR o.label LIKE '____-__-__')"))
            .await
            .unwrap();
        assert_eq!(n, 0, "no report a day, and nothing for 区检察院");
        // The page shows the count and takes the form.
        let (s, page) = yjj.get_text("/daily").await;
        assert_eq!(s, 200);
        assert!(page.contains("区应急局") && page.contains("2/"), "{page}");
        let (s, _) = yjj
            .form(
                "/daily",
                &[
                    ("assignment", &assignment.to_string()),
                    ("on", "2022-08-07"),
                    ("channel", "broadcast"),
                    ("outlet", "铜梁应急广播"),
                    ("title", "防汛避险提示"),
                    ("link", ""),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = office.get_text("/daily").await;
        assert!(page.contains("防汛避险提示"));
        // The campaign tree says (14) is counted daily.
        let (_, tree) = office.get_text("/campaigns").await;
        assert!(tree.contains("/campaigns/") || tree.contains("专项行动"));
    }
}
