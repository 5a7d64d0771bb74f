//! Directory editing: create, edit, move, deactivate, groups and .xlsx import.

use anjian_core::directory::{ExportRow, write_sheet};
use serde_json::json;

use crate::harness::{TestApp, engines, names};

/// The units whose kept number of children (migration 0063) differs from a count.
async fn miscounted(app: &TestApp) -> Vec<(i64, i64, i64)> {
    app.db
        .read()
        .all(anjian_store::q(
            "SELECT u.id, u.child_count, CAST((SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id) AS BIGINT) FROM units u WHERE u.child_count <> (SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id)",
        ))
        .await
        .unwrap()
}

/// A unit's number of children as its page and the API show it.
async fn children_shown(client: &crate::harness::Client, id: i64) -> i64 {
    client.get(&format!("/api/v1/units/{id}")).await.1["child_count"]
        .as_i64()
        .unwrap()
}

async fn unit_count(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .db
        .read()
        .one(anjian_store::q(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM units",
        ))
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn the_office_creates_edits_moves_and_deactivates_units() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let anju = app.unit_id("安居镇").await;
        let bachuan = app.unit_id("巴川街道").await;
        assert_eq!(
            miscounted(&app).await,
            vec![],
            "{e:?}: the demo's directory"
        );
        let (anju_had, bachuan_had) = (
            children_shown(&office, anju).await,
            children_shown(&office, bachuan).await,
        );
        let (s, u) = office.post("/api/v1/units", json!({"code": "tl-ent-new", "name": "铜梁区某烟花爆竹经营部", "kind": "enterprise", "parent": anju, "sectors": ["危险化学品"]})).await;
        assert_eq!(s, 201, "{u}");
        let id = u["id"].as_i64().unwrap();
        assert_eq!(u["parent"], anju);
        assert_eq!(children_shown(&office, anju).await, anju_had + 1);
        // The township now sees it; the department sees it through its sector.
        assert!(
            names(&app.login("anju").await.get("/api/v1/units").await.1)
                .contains(&"铜梁区某烟花爆竹经营部".to_string())
        );
        assert_eq!(
            app.login("yjj")
                .await
                .get(&format!("/api/v1/units/{id}"))
                .await
                .0,
            200
        );
        // Validation names the field and writes nothing.
        let before = unit_count(&app).await;
        let (s, v) = office.post("/api/v1/units", json!({"code": "bad code!", "name": "某单位", "kind": "enterprise", "parent": anju})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("code")));
        assert!(v["error"]["message"].as_str().unwrap().contains("编码"));
        let (s, v) = office.post("/api/v1/units", json!({"code": "tl-ent-new", "name": "重名编码", "kind": "enterprise", "parent": anju})).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (409, Some("duplicate_code"))
        );
        assert_eq!(unit_count(&app).await, before);
        // Edit.
        let (s, v) = office.put(&format!("/api/v1/units/{id}"), json!({"code": "tl-ent-new", "name": "铜梁区某烟花爆竹零售店", "kind": "enterprise", "aliases": ["烟花店"], "sectors": ["危险化学品"]})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            office.get(&format!("/api/v1/units/{id}")).await.1["aliases"],
            json!(["烟花店"])
        );
        // A hazard of the enterprise, recorded by its township.
        let mut body = crate::hazards::general("某烟花爆竹零售店库房");
        body["unit"] = json!(id);
        let (s, h) = app.login("anju").await.post("/api/v1/hazards", body).await;
        assert_eq!(s, 201, "{h}");
        let hazard = h["id"].as_i64().unwrap();
        // Move under another township: the subtree follows and scopes change.
        assert_eq!(
            office
                .post(
                    &format!("/api/v1/units/{id}/move"),
                    json!({"parent": bachuan})
                )
                .await
                .0,
            200
        );
        assert_eq!(
            app.login("anju")
                .await
                .get(&format!("/api/v1/units/{id}"))
                .await
                .0,
            404
        );
        assert_eq!(
            app.login("bachuan")
                .await
                .get(&format!("/api/v1/units/{id}"))
                .await
                .0,
            200
        );
        // Its hazard moves with it: out of the old township's ledger, into the new one's
        // (a township reads its hazards by their locality, which the move sets).
        let ledger_has = |v: &serde_json::Value| {
            v.as_array()
                .is_some_and(|rows| rows.iter().any(|r| r["id"].as_i64() == Some(hazard)))
        };
        let anju_client = app.login("anju").await;
        assert_eq!(
            anju_client
                .get(&format!("/api/v1/hazards/{hazard}"))
                .await
                .0,
            404
        );
        assert!(!ledger_has(&anju_client.get("/api/v1/hazards").await.1));
        let bachuan_client = app.login("bachuan").await;
        assert_eq!(
            bachuan_client
                .get(&format!("/api/v1/hazards/{hazard}"))
                .await
                .0,
            200
        );
        assert!(ledger_has(&bachuan_client.get("/api/v1/hazards").await.1));
        // Each township's number of children follows, on the list of the office's
        // units too.
        assert_eq!(children_shown(&office, anju).await, anju_had);
        assert_eq!(children_shown(&office, bachuan).await, bachuan_had + 1);
        let (parent,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q("SELECT parent_id FROM units WHERE id = $1").bind(bachuan))
            .await
            .unwrap();
        let (_, page) = office.get_text(&format!("/units?parent={parent}")).await;
        assert!(
            page.contains(&format!(
                "<a href=\"/units?parent={bachuan}\">展开 {}</a>",
                bachuan_had + 1
            )),
            "{page}"
        );
        assert_eq!(miscounted(&app).await, vec![], "{e:?}: after the move");
        // A unit cannot move into its own subtree.
        let (s, v) = office
            .post(
                &format!("/api/v1/units/{bachuan}/move"),
                json!({"parent": id}),
            )
            .await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("parent")));
        // A township with active children cannot be deactivated; a leaf can.
        assert_eq!(
            office
                .post(
                    &format!("/api/v1/units/{bachuan}/active"),
                    json!({"active": false})
                )
                .await
                .0,
            409
        );
        let (s, v) = office
            .post(
                &format!("/api/v1/units/{id}/active"),
                json!({"active": false}),
            )
            .await;
        assert_eq!((s, v["active"].as_bool()), (200, Some(false)));
        assert!(
            !names(&office.get("/api/v1/units").await.1)
                .contains(&"铜梁区某烟花爆竹零售店".to_string())
        );
        // Township operators cannot edit the directory.
        assert_eq!(
            app.login("bachuan")
                .await
                .post(
                    "/api/v1/units",
                    json!({"code": "z", "name": "z", "kind": "enterprise", "parent": bachuan})
                )
                .await
                .0,
            403
        );
    }
}

#[tokio::test]
async fn groups_expand_to_members_and_names_resolve() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (_, groups) = office.get("/api/v1/groups").await;
        let id_of = |n: &str| {
            groups
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["name"] == n)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let (_, towns) = office
            .get(&format!("/api/v1/groups/{}/members", id_of("各镇街")))
            .await;
        assert_eq!(towns.as_array().unwrap().len(), 28);
        let (_, sup) = office
            .get(&format!(
                "/api/v1/groups/{}/members",
                id_of("区级负有安全生产监管职责的部门")
            ))
            .await;
        let sup = names(&sup);
        assert!(sup.contains(&"区应急局".to_string()) && !sup.contains(&"区委办".to_string()));
        // Members are scoped too.
        let (_, mine) = app
            .login("bachuan")
            .await
            .get(&format!("/api/v1/groups/{}/members", id_of("各镇街")))
            .await;
        assert_eq!(names(&mine), vec!["巴川街道"]);
        use anjian_store::directory::Resolved;
        let r = anjian_store::directory::groups::resolve(&app.db, "区府办")
            .await
            .unwrap();
        assert_eq!(r, Resolved::Unit(app.unit_id("区政府办").await));
        let r = anjian_store::directory::groups::resolve(&app.db, "各镇(街道)党委(党工委)")
            .await
            .unwrap();
        assert_eq!(r, Resolved::Group(id_of("各镇街")));
        assert_eq!(
            anjian_store::directory::groups::resolve(&app.db, "区不存在局")
                .await
                .unwrap(),
            Resolved::Unknown
        );
    }
}

fn row(code: &str, name: &str, kind: &str, parent: &str, sectors: &str) -> ExportRow {
    ExportRow {
        code: code.into(),
        name: name.into(),
        short_name: String::new(),
        kind_label: kind.into(),
        parent_code: parent.into(),
        supervises_safety: false,
        aliases: String::new(),
        sectors: sectors.into(),
        active: true,
    }
}

/// The rows of an exported sheet, as rows to write again.
fn calamine_rows(bytes: &[u8]) -> Vec<ExportRow> {
    let (rows, problems) = anjian_core::directory::read_sheet(bytes);
    assert!(problems.is_empty(), "{problems:?}");
    rows.iter()
        .map(|r| ExportRow {
            code: r.draft.code.as_str().to_string(),
            name: r.draft.name.clone(),
            short_name: r.draft.short_name.clone().unwrap_or_default(),
            kind_label: r.draft.kind.label().to_string(),
            parent_code: r.parent_code.clone().unwrap_or_default(),
            supervises_safety: r.draft.supervises_safety,
            aliases: r.draft.aliases.join("、"),
            sectors: r.draft.sectors.join("、"),
            active: r.active,
        })
        .collect()
}

/// Imports `n` units of kind `kind` (its Chinese label) under the unit coded `parent`
/// through the directory's sheet, coded and named by `prefixes` and a four-digit
/// number (`…0000`, `…0001`, …); panics unless the import succeeds.
pub(crate) async fn import_units(
    c: &crate::harness::Client,
    n: usize,
    (code, name): (&str, &str),
    kind: &str,
    parent: &str,
) {
    let rows: Vec<ExportRow> = (0..n)
        .map(|i| {
            row(
                &format!("{code}{i:04}"),
                &format!("{name}{i:04}"),
                kind,
                parent,
                "",
            )
        })
        .collect();
    let (s, body) = upload(c, write_sheet(&rows).unwrap()).await;
    assert_eq!(s, 200, "{body}");
}

pub(crate) async fn upload(c: &crate::harness::Client, bytes: Vec<u8>) -> (u16, String) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("units.xlsx");
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = c.post_multipart("/directory/import", form).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn xlsx_import_is_all_or_nothing_with_a_report_of_every_row() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let before = unit_count(&app).await;
        let bad = write_sheet(&[
            row(
                "tl-ent-900",
                "重庆某化工二厂",
                "企业",
                "tl-town-001",
                "危险化学品",
            ),
            row("tl-ent-901", "重庆某化工三厂", "公司", "tl-town-001", ""),
            row("tl-ent-902", "重庆某化工四厂", "企业", "no-such-code", ""),
        ])
        .unwrap();
        let (s, body) = upload(&office, bad).await;
        assert_eq!(s, 422);
        assert!(body.contains("第3行") || body.contains(">3<"), "{body}");
        assert!(
            body.contains("类型") && body.contains("no-such-code"),
            "{body}"
        );
        assert_eq!(unit_count(&app).await, before, "nothing imported");
        let good = write_sheet(&[
            row(
                "tl-ent-900",
                "重庆某化工二厂",
                "企业",
                "tl-town-001",
                "危险化学品",
            ),
            row(
                "tl-ent-903",
                "重庆某化工二厂仓库",
                "企业",
                "tl-ent-900",
                "危险化学品",
            ),
        ])
        .unwrap();
        let (s, body) = upload(&office, good).await;
        assert_eq!(s, 200, "{body}");
        assert!(body.contains("新增 2 个"));
        assert_eq!(unit_count(&app).await, before + 2);
        // The import's units, the one under the other among them, are counted as
        // their parents' children.
        assert_eq!(miscounted(&app).await, vec![], "{e:?}: after the import");
        // Export reads back through the same codec, scoped.
        let r = app
            .login("bachuan")
            .await
            .http
            .get(format!("{}/directory/export.xlsx", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let (rows, problems) = anjian_core::directory::read_sheet(&r.bytes().await.unwrap());
        assert!(problems.is_empty());
        let codes: Vec<&str> = rows.iter().map(|r| r.draft.code.as_str()).collect();
        assert_eq!(
            codes.len(),
            4,
            "巴川街道, its enterprise and the two imported: {codes:?}"
        );
        // The office re-imports its own export (a whole-ledger export: it confirms its
        // second factor first): nothing changes, nothing is written; with one name
        // corrected, that unit alone is updated.
        let code = app.code("office").await.unwrap();
        let (s, b) = office
            .post("/api/v1/auth/step-up", json!({"totp": code}))
            .await;
        assert!(s < 300, "{s} {b}");
        let r = office
            .http
            .get(format!("{}/directory/export.xlsx", app.base))
            .send()
            .await
            .unwrap();
        let exported = r.bytes().await.unwrap().to_vec();
        let (rows, _) = anjian_core::directory::read_sheet(&exported);
        let all = rows.len();
        let (s, body) = upload(&office, exported.clone()).await;
        assert_eq!(s, 200, "{body}");
        assert!(
            body.contains(&format!("新增 0 个单位，更新 0 个单位，{all} 个单位未变化")),
            "{body}"
        );
        let mut edited = calamine_rows(&exported);
        let at = edited.iter().position(|r| r.code == "tl-ent-903").unwrap();
        edited[at].name = "重庆某化工二厂原料仓库".into();
        let (s, body) = upload(&office, write_sheet(&edited).unwrap()).await;
        assert_eq!(s, 200, "{body}");
        assert!(
            body.contains(&format!("更新 1 个单位，{} 个单位未变化", all - 1)),
            "{body}"
        );
        let (name, sectors): (String, i64) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT u.name, CAST((SELECT COUNT(*) FROM unit_sectors us WHERE us.unit_id = u.id) AS BIGINT) FROM units u WHERE u.code = 'tl-ent-903'",
            ))
            .await
            .unwrap();
        assert_eq!(
            (name.as_str(), sectors),
            ("重庆某化工二厂原料仓库", 1),
            "renamed, its sector kept"
        );
        // Township operators cannot import.
        assert_eq!(
            upload(&app.login("bachuan").await, vec![1, 2, 3]).await.0,
            403
        );
    }
}

#[tokio::test]
async fn the_office_defines_groups_by_list_and_by_rule() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (yjj, jtj) = (app.unit_id("区应急局").await, app.unit_id("区交通局").await);
        let (s, g) = office.post("/api/v1/groups", json!({"name": "危化品协同监管部门", "description": "第（21）项", "members": [yjj, jtj], "aliases": ["危化品牵头部门"]})).await;
        assert_eq!(s, 201, "{g}");
        let (_, m) = office
            .get(&format!("/api/v1/groups/{}/members", g["id"]))
            .await;
        let mut n = names(&m);
        n.sort();
        assert_eq!(n, vec!["区交通局", "区应急局"]);
        assert_eq!(
            anjian_store::directory::groups::resolve(&app.db, "危化品牵头部门")
                .await
                .unwrap(),
            anjian_store::directory::Resolved::Group(g["id"].as_i64().unwrap())
        );
        // Bad input names the field and writes nothing.
        let (s, v) = office
            .post("/api/v1/groups", json!({"name": "空分组", "members": []}))
            .await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("members")));
        let (s, v) = office
            .post(
                "/api/v1/groups",
                json!({"name": "坏成员", "members": [12345]}),
            )
            .await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("members")));
        let (s, v) = office
            .post(
                "/api/v1/groups",
                json!({"name": "危化品协同监管部门", "members": [yjj]}),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (409, Some("duplicate_group"))
        );
        assert_eq!(
            app.login("bachuan")
                .await
                .post("/api/v1/groups", json!({"name": "x", "members": [yjj]}))
                .await
                .0,
            403
        );
        // The page form: a group by rule.
        let (s, _) = office
            .form(
                "/groups",
                &[
                    ("name", "全部区属国企"),
                    ("rule_kind", "soe"),
                    ("aliases", "区属国企"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (s, page) = office
            .form(
                "/groups",
                &[("name", "缺编码"), ("members", "tl-town-001、no-such")],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("no-such"), "{page}");
        let (_, groups) = office.get("/api/v1/groups").await;
        let soe = groups
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == "全部区属国企")
            .unwrap();
        assert_eq!(
            office
                .get(&format!("/api/v1/groups/{}/members", soe["id"]))
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }
}

/// Issue 17 part 8: a database that still holds two spellings of one sector (as the
/// demo directory had: 危化品 and 危险化学品) is merged by migration 36: every
/// reference moves to the plan's spelling, a unit supervising both keeps one link, and
/// the alias is gone. A name typed either way still finds the sector.
#[tokio::test]
async fn the_sector_migration_moves_every_reference_to_one_name() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let yjj = app.unit_id("区应急局").await;
        let (s, t) = app
            .anon()
            .post(
                "/api/v1/public/tips",
                json!({"category": "violation", "sector": "危险化学品", "place": "某化工仓库", "description": "安全出口堵塞"}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        // A hazard typed with the other spelling of 燃气 is kept under the plan's.
        let (s, h) = app
            .login("bachuan")
            .await
            .post(
                "/api/v1/hazards",
                json!({"level": "general", "sector": "城镇燃气", "place": "某餐馆后厨",
                       "description": "液化石油气钢瓶与灶具间距不足", "discovered_on": "2022-08-01",
                       "measures": "钢瓶移至独立气瓶间", "responsible_person": "张三",
                       "deadline": "2022-08-20"}),
            )
            .await;
        assert_eq!((s, h["sector"].as_str()), (201, Some("燃气")), "{h}");
        let first = h["id"].as_i64().unwrap();
        // The old database: an alias row, referenced by a tip, a hazard and a
        // department that also supervises the kept sector.
        let alias = 990_001_i64;
        let mut tx = app.db.begin().await.unwrap();
        for sql in [
            "INSERT INTO sectors (id, name) VALUES ($1, '危险化学品')",
            "UPDATE tips SET sector_id = $1",
            "UPDATE hazards SET sector_id = $1 WHERE id = $3",
            "INSERT INTO unit_sectors (unit_id, sector_id) VALUES ($2, $1)",
            "DELETE FROM anjian_migrations WHERE version = 36",
        ] {
            let n = ["$3", "$2", "$1"]
                .iter()
                .position(|p| sql.contains(p))
                .map_or(0, |i| 3 - i);
            let mut query = anjian_store::q(sql);
            for v in [alias, yjj, first].into_iter().take(n) {
                query = query.bind(v);
            }
            tx.execute(query).await.unwrap();
        }
        tx.commit().await.unwrap();
        let ran = anjian_store::migrate::run(&app.db, 1_660_000_000_000)
            .await
            .unwrap();
        assert_eq!(ran, 1);
        let count = |sql: &'static str| {
            let db = app.db.clone();
            async move {
                let (n,): (i64,) = db.read().one(anjian_store::q(sql)).await.unwrap();
                n
            }
        };
        assert_eq!(
            count("SELECT CAST(COUNT(*) AS BIGINT) FROM sectors WHERE name IN ('危险化学品', '建设施工', '城镇燃气', '水利工程')").await,
            0
        );
        for table in [
            "SELECT CAST(COUNT(*) AS BIGINT) FROM tips WHERE sector_id = 990001",
            "SELECT CAST(COUNT(*) AS BIGINT) FROM hazards WHERE sector_id = 990001",
            "SELECT CAST(COUNT(*) AS BIGINT) FROM unit_sectors WHERE sector_id = 990001",
        ] {
            assert_eq!(count(table).await, 0, "{table}");
        }
        assert_eq!(
            count("SELECT CAST(COUNT(*) AS BIGINT) FROM unit_sectors us JOIN sectors s ON s.id = us.sector_id JOIN units u ON u.id = us.unit_id WHERE u.name = '区应急局' AND s.name = '危化品'").await,
            1,
            "one link for the department that supervised both spellings"
        );
        let (_, tips) = office.get("/api/v1/tips").await;
        assert!(
            tips.as_array()
                .unwrap()
                .iter()
                .all(|t| t["sector"] == "危化品")
        );
        let (_, found) = office
            .get("/api/v1/hazards?sector=危险化学品&limit=1000")
            .await;
        let found = found.as_array().unwrap();
        assert!(
            found.iter().any(|h| h["id"].as_i64() == Some(first))
                && found.iter().all(|h| h["sector"] == "危化品"),
            "a name typed the other way finds the sector: {found:?}"
        );
        // The lists offer one name per sector.
        let (s, page) = app.login("bachuan").await.get_text("/hazards/new").await;
        assert_eq!(s, 200);
        assert!(page.contains(">危化品<") && !page.contains(">危险化学品<"));
        assert!(!page.contains(">城镇燃气<") && !page.contains(">建设施工<"));
    }
}

/// The units a directory page lists (its rows' links).
fn listed(html: &str) -> Vec<i64> {
    let body = &html[html.find("<tbody>").unwrap()..html.find("</tbody>").unwrap()];
    let ids = crate::harness::linked_ids(body, "/units/");
    assert!(ids.len() as i64 <= anjian_store::directory::units::CHILDREN_PAGE);
    ids
}

#[tokio::test]
async fn a_township_with_more_enterprises_than_a_page_lists_them_all_page_by_page() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let bachuan = app.unit_id("巴川街道").await;
        let n = 2 * anjian_store::directory::units::CHILDREN_PAGE + 40;
        import_units(
            &office,
            n as usize,
            ("tl-ent-p", "巴川某五金加工厂"),
            "企业",
            "tl-town-001",
        )
        .await;
        let total = children_shown(&office, bachuan).await;
        assert!(total > n, "{total}");
        // The township's operator walks its own list from the first page to the last.
        let township = app.login("bachuan").await;
        let (seen, pages) = township
            .walk_pages(&format!("/units?parent={bachuan}"), listed, 3)
            .await;
        assert_eq!(pages, 3, "{e:?}");
        assert_eq!(seen.len() as i64, total, "{e:?}: every child once");
        let distinct: std::collections::HashSet<_> = seen.iter().collect();
        assert_eq!(distinct.len(), seen.len(), "{e:?}: no child twice");
        // In the list's order: the imported factories by name, one after the other.
        let names = app
            .db
            .read()
            .all::<(i64, String)>(anjian_store::q(
                "SELECT id, name FROM units WHERE name LIKE '巴川某五金加工厂%'",
            ))
            .await
            .unwrap()
            .into_iter()
            .collect::<std::collections::HashMap<_, _>>();
        let shown: Vec<&String> = seen.iter().filter_map(|id| names.get(id)).collect();
        assert_eq!(shown.len() as i64, n);
        assert!(shown.windows(2).all(|w| w[0] < w[1]), "{e:?}: by name");
        // A page cannot start after a unit that is not one of the listed children.
        let elsewhere = app.unit_id("安居镇").await;
        let (s, _) = township
            .get_text(&format!("/units?parent={bachuan}&after={elsewhere}"))
            .await;
        assert_eq!(s, 404, "another township");
    }
}

/// The directory API's pages, followed by their `Link` headers, keep the first page's
/// filters: a kind, a search, a parent.
#[tokio::test]
async fn the_unit_lists_next_page_keeps_its_filters() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        let (district,): (i64,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT parent_id FROM units WHERE parent_id IS NOT NULL GROUP BY parent_id ORDER BY COUNT(*) DESC LIMIT 1",
            ))
            .await
            .unwrap();
        for filter in [
            "kind=township".to_string(),
            "q=%E9%95%87".to_string(),
            format!("parent={district}&all=true"),
        ] {
            let (s, whole) = office
                .get(&format!("/api/v1/units?{filter}&limit=1000"))
                .await;
            assert_eq!(s, 200);
            let whole = whole.as_array().unwrap().clone();
            assert!(whole.len() > 1, "{filter}: {}", whole.len());
            let paged = office
                .follow(&format!("/api/v1/units?{filter}&limit=1"), whole.len() + 1)
                .await;
            assert_eq!(paged, whole, "{e:?}: {filter}");
        }
    }
}

/// A township with more enterprises than a form's select offers (each form offered the
/// first 500, silently): every form that names an enterprise says the list is cut and
/// finds any enterprise by part of its name, keeping the page's own query (the month
/// of the enforcement page).
#[tokio::test]
async fn every_form_that_names_an_enterprise_finds_any_of_thousands() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let office = app.login("office").await;
        import_units(
            &office,
            510,
            ("tl-ent-f", "巴川某砖厂"),
            "企业",
            "tl-town-001",
        )
        .await;
        let last = app.unit_id("巴川某砖厂0509").await;
        let option = format!("<option value=\"{last}\"");
        for page in [
            "/enforcements?month=2022-08",
            "/experts",
            "/blacklist",
            "/crackdown",
            "/accidents",
            "/projects",
        ] {
            let (s, html) = office.get_text(page).await;
            assert_eq!(s, 200, "{page}");
            assert!(
                html.contains("enterprises-cut"),
                "{e:?} {page}: the cut is said"
            );
            assert!(!html.contains(&option), "{e:?} {page}");
            let sep = if page.contains('?') { '&' } else { '?' };
            let found = format!("{page}{sep}find=%E7%A0%96%E5%8E%820509");
            let (s, html) = office.get_text(&found).await;
            assert_eq!(s, 200, "{found}");
            assert!(html.contains(&option), "{e:?} {found}: offered");
            assert!(!html.contains("enterprises-cut"), "{e:?} {found}");
        }
        let (_, html) = office.get_text("/enforcements?month=2022-08").await;
        assert!(
            html.contains("<input type=\"hidden\" name=\"month\" value=\"2022-08\">"),
            "the finder keeps the month"
        );
    }
}
