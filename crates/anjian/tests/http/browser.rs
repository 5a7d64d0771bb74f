//! A user journey in headless Chromium: log in and see the home page. Runs when
//! chromedriver is installed (CI installs it and sets ANJIAN_BROWSER_TESTS=1, which
//! turns a missing driver into a failure).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use thirtyfour::prelude::*;

use anjian::authenticator::Authenticator;
use anjian_core::second_factor::TotpSecret;

use crate::harness::{Engine, PASSWORD, TestApp};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_driver(port: u16) -> Option<Driver> {
    let bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    match bin {
        Some(b) => Command::new(b)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()
            .map(Driver),
        None => {
            assert!(
                std::env::var("ANJIAN_BROWSER_TESTS").is_err(),
                "ANJIAN_BROWSER_TESTS is set but chromedriver is missing"
            );
            eprintln!("chromedriver not installed: browser journey skipped");
            None
        }
    }
}

/// A headless Chromium session on its own chromedriver; `slot` keeps the ports of tests
/// running at once apart.
async fn session(slot: u16) -> Option<(Driver, WebDriver)> {
    session_as(slot, false).await
}

/// A browser session; with `phone`, the 390 × 844 viewport is emulated as a phone's
/// (headless Chromium keeps a window at least 500 px wide otherwise).
async fn session_as(slot: u16, phone: bool) -> Option<(Driver, WebDriver)> {
    let port = 9515 + slot * 500 + (std::process::id() % 400) as u16;
    let driver = start_driver(port)?;
    let mut caps = DesiredCapabilities::chrome();
    if phone {
        caps.add_experimental_option(
            "mobileEmulation",
            serde_json::json!({"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0}}),
        )
        .unwrap();
    }
    for a in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=390,844",
    ] {
        caps.add_arg(a).unwrap();
    }
    caps.set_binary("/usr/bin/chromium").unwrap();
    // The driver listens when it is ready (eight journeys start theirs at once on a
    // busy machine): the session is polled every half second for up to 15 s.
    let mut tries = 0;
    let web = loop {
        match WebDriver::new(format!("http://127.0.0.1:{port}"), caps.clone()).await {
            Ok(w) => break w,
            Err(e) if tries < 30 => {
                tries += 1;
                let _ = e;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("webdriver session: {e:?}"),
        }
    };
    // Elements after a navigation appear when the page has loaded: wait for them.
    web.set_implicit_wait_timeout(Duration::from_secs(10))
        .await
        .expect("implicit wait");
    Some((driver, web))
}

#[tokio::test]
async fn office_logs_in_and_sees_home_then_a_township_sees_only_its_units() {
    let Some((_chromedriver, driver)) = session(0).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("browser journey");
}

#[tokio::test]
async fn a_report_with_a_photo_is_returned_and_the_office_sees_who_is_late() {
    let Some((_chromedriver, driver)) = session(1).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = campaign_journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("campaign journey");
}

async fn shot(driver: &WebDriver, name: &str) -> WebDriverResult<()> {
    if let Ok(dir) = std::env::var("ANJIAN_SCREENSHOTS") {
        driver
            .screenshot(&std::path::Path::new(&dir).join(name))
            .await?;
    }
    Ok(())
}

/// Logs in through the form. An account with a second factor types its phone's next
/// code; a role that needs one and has none enrols it in the browser on the way (the
/// QR page's secret read, the first code typed, the recovery codes kept).
async fn login(driver: &WebDriver, app: &TestApp, username: &str) -> WebDriverResult<()> {
    driver
        .find(By::Id("username"))
        .await?
        .send_keys(username)
        .await?;
    driver
        .find(By::Id("password"))
        .await?
        .send_keys(PASSWORD)
        .await?;
    if let Some(code) = app.code(username).await {
        driver.find(By::Id("totp")).await?.send_keys(&code).await?;
    }
    driver.find(By::Id("login-submit")).await?.click().await?;
    // A login verifies an argon2 hash, slow in a debug build beside the other tests.
    let landed = driver
        .query(By::Id("welcome"))
        .or(By::Id("begin-enrolment"))
        .wait(Duration::from_secs(60), Duration::from_millis(250))
        .first()
        .await?;
    if landed.id().await?.as_deref() == Some("begin-enrolment") {
        shot(driver, "second-factor-required.png").await?;
        landed.click().await?;
        let secret = driver.find(By::Id("totp-secret")).await?.text().await?;
        shot(driver, "second-factor-enrol.png").await?;
        let mut phone = Authenticator::new(TotpSecret::from_base32(&secret).expect("base32"));
        let code = phone.next_step_code().await;
        driver
            .find(By::Id("confirm-totp"))
            .await?
            .send_keys(&code)
            .await?;
        driver
            .find(By::Css("#confirm-form button"))
            .await?
            .click()
            .await?;
        let mut codes = Vec::new();
        for c in driver.find_all(By::Css("#recovery-codes code")).await? {
            codes.push(c.text().await?);
        }
        assert_eq!(codes.len(), 10, "the recovery codes are shown once");
        shot(driver, "second-factor-recovery.png").await?;
        phone.keep_recovery(codes);
        app.phones.lock().await.insert(username.to_string(), phone);
        driver.goto(format!("{}/", app.base)).await?;
        driver.find(By::Id("welcome")).await?;
    }
    Ok(())
}

async fn logout(driver: &WebDriver) -> WebDriverResult<()> {
    // The phone layout hides the menu, and its logout form, behind ☰.
    driver
        .find(By::Css("button[data-toggle=nav]"))
        .await?
        .click()
        .await?;
    driver
        .find(By::Css("nav form button"))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    driver.goto(format!("{}/", app.base)).await?;
    // Not logged in: the login page, then the home page.
    login(driver, app, "office").await?;
    let welcome = driver.find(By::Id("welcome")).await?.text().await?;
    assert!(welcome.contains("区安委办管理员"), "{welcome}");
    let body = driver.find(By::Tag("body")).await?.text().await?;
    assert!(body.contains("全区"), "the office's scope is the district");
    shot(driver, "home-office.png").await?;

    // The office edits a unit on its page: a bad code is refused, naming the field.
    let unit = app.unit_id("安居镇").await;
    driver.goto(format!("{}/units/{unit}", app.base)).await?;
    driver
        .find(By::Css("details summary"))
        .await?
        .click()
        .await?;
    let code = driver.find(By::Css("form.form input[name=code]")).await?;
    code.clear().await?;
    code.send_keys("坏 编码").await?;
    driver
        .find(By::Css("form.form button[type=submit]"))
        .await?
        .click()
        .await?;
    let flash = driver.find(By::Css(".flash.error")).await?.text().await?;
    assert!(
        flash.contains("单位编码只能由字母") && flash.contains("（编码）"),
        "{flash}"
    );
    shot(driver, "unit-error.png").await?;
    driver.goto(format!("{}/users", app.base)).await?;
    assert!(
        driver
            .find(By::Id("user-list"))
            .await?
            .text()
            .await?
            .contains("auditor")
    );
    shot(driver, "users.png").await?;
    driver.goto(format!("{}/campaigns", app.base)).await?;
    driver
        .find(By::Css(".campaign-line h2 a"))
        .await?
        .click()
        .await?;
    let tree = driver
        .find(By::Css("details.measure"))
        .await?
        .text()
        .await?;
    assert!(tree.contains("严格落实地方党委安全生产责任"), "{tree}");
    shot(driver, "campaign.png").await?;
    driver
        .goto(format!("{}/directory/import", app.base))
        .await?;
    shot(driver, "import.png").await?;
    // The enforcement page: the zero-enforcement watch names the townships with none.
    driver
        .goto(format!("{}/enforcements?month=2022-08", app.base))
        .await?;
    let watch = driver.find(By::Id("watch")).await?.text().await?;
    assert!(watch.contains("未开展执法"), "{watch}");
    shot(driver, "enforcements.png").await?;
    logout(driver).await?;

    // A township operator sees its own subtree only.
    login(driver, app, "bachuan").await?;
    driver.goto(format!("{}/units", app.base)).await?;
    let list = driver.find(By::Id("unit-list")).await?.text().await?;
    assert!(
        list.contains("巴川街道") && !list.contains("安居镇"),
        "{list}"
    );
    shot(driver, "units-township.png").await?;
    driver.goto(format!("{}/todo", app.base)).await?;
    assert!(
        driver
            .find(By::Id("overdue"))
            .await?
            .text()
            .await?
            .contains("2022-05-31")
    );
    shot(driver, "todo-township.png").await?;
    driver.goto(format!("{}/hazards/new", app.base)).await?;
    driver.find(By::Id("hazard-form")).await?;
    shot(driver, "hazard-new.png").await?;
    logout(driver).await?;

    // The auditor verifies the chain.
    login(driver, app, "auditor").await?;
    driver.goto(format!("{}/audit/verify", app.base)).await?;
    let verdict = driver.find(By::Id("verify-result")).await?.text().await?;
    assert!(verdict.contains("审计链完整"), "{verdict}");
    shot(driver, "audit.png").await?;
    Ok(())
}

/// The campaign's closed loop as its users walk it: the township reports with a photo,
/// the lead unit returns it from its review queue, the township sees why; the office
/// sees the overdue list and the on-time rates, then imports a second plan from .xlsx.
#[tokio::test]
async fn a_major_hazard_is_listed_fixed_and_closed_on_site() {
    let Some((_chromedriver, driver)) = session(2).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = hazard_journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("hazard journey");
}

/// Fills a form field by name.
async fn fill(form: &WebElement, name: &str, value: &str) -> WebDriverResult<()> {
    form.find(By::Name(name)).await?.send_keys(value).await
}

/// A township records a major hazard on a phone with its five implementations and
/// governance plan; the office lists it; the township feeds back with an after-photo;
/// the office verifies on site and it is closed, on the board too.
async fn hazard_journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    let files = std::env::temp_dir().join(format!("anjian-hazard-{}", std::process::id()));
    std::fs::create_dir_all(&files).unwrap();
    let photo = files.join("整改后.png");
    std::fs::write(&photo, crate::reports::PNG).unwrap();
    let on_site = files.join("暗访现场.png");
    std::fs::write(&on_site, crate::reports::PNG).unwrap();
    driver.goto(format!("{}/", app.base)).await?;
    login(driver, app, "bachuan").await?;
    driver.goto(format!("{}/hazards/new", app.base)).await?;
    let form = driver.find(By::Id("hazard-form")).await?;
    form.find(By::Css("select[name=level] option[value=major]"))
        .await?
        .click()
        .await?;
    form.find(By::Css("select[name=sector] option[value='燃气']"))
        .await?
        .click()
        .await?;
    fill(&form, "place", "巴川街道某农贸市场燃气管道").await?;
    fill(&form, "description", "燃气管道锈蚀严重").await?;
    fill(&form, "measures", "更换锈蚀管段").await?;
    fill(&form, "responsible_person", "赵六").await?;
    fill(&form, "funds", "30000").await?;
    // Dates typed into a date input follow the browser's locale order: set them by script.
    driver
        .execute(
            "document.querySelector('[name=discovered_on]').value = '2022-08-02'; document.querySelector('[name=deadline]').value = '2022-08-31';",
            vec![],
        )
        .await?;
    fill(&form, "contingency_plan", "停气并设警戒区").await?;
    // The plan's last part left out: the form is refused once and comes back with the
    // photo and every field as typed.
    for (name, v) in [
        ("g_targets", "消除管道锈蚀隐患"),
        ("g_methods", "更换管段"),
        ("g_funds_and_materials", "3万元"),
        ("g_people", "市场管理方"),
        ("g_deadline", "8月底前"),
    ] {
        fill(&form, name, v).await?;
    }
    let before = files.join("整改前.png");
    std::fs::write(&before, crate::reports::PNG).unwrap();
    form.find(By::Name("photos"))
        .await?
        .send_keys(before.to_str().unwrap())
        .await?;
    shot(driver, "hazard-form-filled.png").await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let refused = driver.find(By::Css(".flash.error")).await?.text().await?;
    assert!(refused.contains("安全措施"), "{refused}");
    let kept = driver.find(By::Id("kept-photos")).await?.text().await?;
    assert!(kept.contains("整改前.png"), "{kept}");
    let form = driver.find(By::Id("hazard-form")).await?;
    for (name, v) in [
        ("place", "巴川街道某农贸市场燃气管道"),
        ("description", "燃气管道锈蚀严重"),
        ("measures", "更换锈蚀管段"),
        ("funds", "30000"),
        ("g_targets", "消除管道锈蚀隐患"),
        ("g_deadline", "8月底前"),
    ] {
        let value = form.find(By::Name(name)).await?.prop("value").await?;
        assert_eq!(value.as_deref(), Some(v), "{name}");
    }
    shot(driver, "hazard-form-refused.png").await?;
    fill(&form, "g_safety_measures", "整改期间停气").await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    driver.find(By::Css(".flash.ok")).await?;
    // Saved with the photo sent the first time, the plan shown where the next person
    // acts.
    let plan = driver.find(By::Id("governance-plan")).await?.text().await?;
    assert!(
        plan.contains("整改期间停气") && plan.contains("市场管理方"),
        "{plan}"
    );
    let page = driver.find(By::Tag("body")).await?.text().await?;
    assert!(page.contains("整改前.png"), "{page}");
    let url = driver.current_url().await?.path().to_string();
    logout(driver).await?;

    login(driver, app, "office").await?;
    driver.goto(format!("{}{url}", app.base)).await?;
    driver.find(By::Css("#list-form")).await?;
    driver
        .execute("document.querySelector('#list-form').closest('details').open = true; document.querySelector('#list-form [name=deadline]').value = '2022-09-30';", vec![])
        .await?;
    let list = driver.find(By::Id("list-form")).await?;
    fill(&list, "leader", "王副区长").await?;
    list.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    // The old page has a #status too: wait for the new page's confirmation first. It
    // says what happened to what.
    let done = driver.find(By::Css(".flash.ok")).await?.text().await?;
    assert!(
        done.contains("已挂牌督办：巴川街道 · 巴川街道某农贸市场燃气管道，限 "),
        "{done}"
    );
    let status = driver.find(By::Id("status")).await?.text().await?;
    assert!(status.contains("挂牌督办"), "{status}");
    logout(driver).await?;

    login(driver, app, "bachuan").await?;
    driver.goto(format!("{}{url}", app.base)).await?;
    let fb = driver.find(By::Id("feedback-form")).await?;
    fill(&fb, "text", "已更换锈蚀管段并试压合格").await?;
    fb.find(By::Name("evidence"))
        .await?
        .send_keys(photo.to_str().unwrap())
        .await?;
    fb.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    driver.find(By::Css(".flash.ok")).await?;
    logout(driver).await?;

    login(driver, app, "office").await?;
    driver.goto(format!("{}{url}", app.base)).await?;
    let verify = driver.find(By::Id("verify-form")).await?;
    verify.find(By::Name("on_site")).await?.click().await?;
    verify
        .find(By::Css("button[value=pass]"))
        .await?
        .click()
        .await?;
    driver.find(By::Css(".flash.ok")).await?;
    let status = driver.find(By::Id("status")).await?.text().await?;
    assert!(status.contains("已销号"), "{status}");
    shot(driver, "hazard-closed.png").await?;
    driver.goto(format!("{}/hazards/listed", app.base)).await?;
    let board = driver.find(By::Id("board")).await?.text().await?;
    assert!(
        board.contains("已摘牌") && board.contains("王副区长"),
        "{board}"
    );
    shot(driver, "hazard-board.png").await?;
    logout(driver).await?;

    // The 28th: the township sends July's report; the office sees who reported.
    login(driver, app, "bachuan").await?;
    driver
        .goto(format!("{}/monthly-reports/2022-07", app.base))
        .await?;
    let form = driver.find(By::Id("monthly-form")).await?;
    form.find(By::Name("narrative"))
        .await?
        .send_keys("7月共检查生产经营单位26家，发现隐患均已建立台账")
        .await?;
    form.find(By::Name("problems"))
        .await?
        .send_keys("某化工企业储罐区可燃气体报警器失效")
        .await?;
    form.find(By::Id("monthly-submit")).await?.click().await?;
    driver.find(By::Css(".flash.ok")).await?;
    driver.find(By::Id("report-frozen")).await?;
    shot(driver, "monthly-report.png").await?;
    logout(driver).await?;
    login(driver, app, "office").await?;
    driver.goto(format!("{}/monthly-reports", app.base)).await?;
    let matrix = driver.find(By::Id("monthly-matrix")).await?.text().await?;
    assert!(
        matrix.contains("巴川街道") && matrix.contains("逾期报送") && matrix.contains("未报"),
        "{matrix}"
    );
    shot(driver, "monthly-matrix.png").await?;

    // An unannounced visit: planned, a finding entered on site, recorded; the finding
    // lands in the township's ledger.
    let town = app.unit_id("巴川街道").await;
    driver.goto(format!("{}/visits", app.base)).await?;
    driver
        .execute(
            &format!("document.querySelector('#visit-plan').closest('details').open = true; const f = document.querySelector('#visit-plan'); f.kind.value = 'unannounced'; f.starts_on.value = '2022-08-09'; f.ends_on.value = '2022-08-09'; f.targets.value = '{town}';"),
            vec![],
        )
        .await?;
    let plan = driver.find(By::Id("visit-plan")).await?;
    plan.find(By::Name("title"))
        .await?
        .send_keys("燃气安全四不两直暗访")
        .await?;
    plan.find(By::Name("team"))
        .await?
        .send_keys("区安委办 张三、李四")
        .await?;
    plan.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let form = driver.find(By::Id("finding-form")).await?;
    form.find(By::Name("place"))
        .await?
        .send_keys("巴川街道某火锅店")
        .await?;
    form.find(By::Name("description"))
        .await?
        .send_keys("液化气钢瓶放置在厨房操作间")
        .await?;
    form.find(By::Name("measures"))
        .await?
        .send_keys("钢瓶移至独立气瓶间")
        .await?;
    form.find(By::Name("responsible_person"))
        .await?
        .send_keys("赵六")
        .await?;
    form.find(By::Name("photos"))
        .await?
        .send_keys(on_site.to_str().unwrap())
        .await?;
    driver
        .execute(
            "document.querySelector('#finding-form [name=deadline]').value = '2022-08-20';",
            vec![],
        )
        .await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    driver.find(By::Css(".flash.ok")).await?;
    driver
        .find(By::Css("#record-form textarea"))
        .await?
        .send_keys("暗访餐饮场所3家，发现问题1项")
        .await?;
    driver
        .find(By::Css("#record-form button"))
        .await?
        .click()
        .await?;
    driver.find(By::Id("visit-report")).await?;
    let findings = driver.find(By::Id("findings")).await?.text().await?;
    assert!(findings.contains("巴川街道某火锅店"), "{findings}");
    shot(driver, "visit.png").await?;
    logout(driver).await?;
    login(driver, app, "bachuan").await?;
    driver.goto(format!("{}/hazards", app.base)).await?;
    let ledger = driver.find(By::Tag("main")).await?.text().await?;
    assert!(ledger.contains("巴川街道某火锅店"), "{ledger}");
    // The finding's page shows the photo taken on site.
    driver
        .find(By::PartialLinkText("巴川街道某火锅店"))
        .await?
        .click()
        .await?;
    driver.find(By::Id("status")).await?;
    let page = driver.find(By::Tag("main")).await?.text().await?;
    assert!(page.contains("暗访现场.png"), "{page}");
    driver.goto(format!("{}/hazards", app.base)).await?;

    // Last month's Excel ledger, imported through the template's columns.
    let rows: Vec<Vec<String>> = ["巴川街道某五金店", "巴川街道某幼儿园"]
        .iter()
        .map(|place| {
            [
                "一般隐患",
                "消防",
                "自查",
                place,
                "灭火器过期",
                "2022-07-12",
                "更换灭火器",
                "王五",
                "",
                "2022-07-30",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        })
        .collect();
    let sheet = files.join("7月隐患台账.xlsx");
    std::fs::write(
        &sheet,
        anjian_core::sheet::table("隐患台账", &anjian_core::ledger::COLUMNS, &rows).unwrap(),
    )
    .unwrap();
    driver.goto(format!("{}/hazards/import", app.base)).await?;
    driver
        .find(By::Css("#ledger-import input[type=file]"))
        .await?
        .send_keys(sheet.to_str().unwrap())
        .await?;
    driver
        .find(By::Css("#ledger-import button"))
        .await?
        .click()
        .await?;
    let ok = driver.find(By::Id("import-ok")).await?.text().await?;
    assert!(ok.contains("2 条"), "{ok}");
    shot(driver, "ledger-imported.png").await?;
    Ok(())
}

async fn campaign_journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    let files = std::env::temp_dir().join(format!("anjian-journey-{}", std::process::id()));
    std::fs::create_dir_all(&files).unwrap();
    let photo = files.join("会议照片.png");
    std::fs::write(&photo, crate::reports::PNG).unwrap();
    let table = files.join("燃气方案.xlsx");
    std::fs::write(&table, crate::campaigns::gas_plan_xlsx()).unwrap();
    driver.goto(format!("{}/", app.base)).await?;
    login(driver, app, "bachuan").await?;

    // The township opens item (28) from its overdue list and reports with a photo.
    driver.goto(format!("{}/todo", app.base)).await?;
    let item = "//section[@id='overdue']//a[contains(., '（28）')]";
    driver.find(By::XPath(item)).await?.click().await?;
    let form = driver.find(By::Id("report-form")).await?;
    form.find(By::Name("text"))
        .await?
        .send_keys("已建立镇街安委会工作制度，会议照片见附件")
        .await?;
    form.find(By::Name("evidence"))
        .await?
        .send_keys(photo.to_str().unwrap())
        .await?;
    shot(driver, "report-form.png").await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    // The page after the redirect confirms it (the form's page had no confirmation).
    driver.find(By::Css(".flash.ok")).await?;
    let history = driver.find(By::Id("reports")).await?.text().await?;
    assert!(history.contains("会议照片.png"), "{history}");
    let report_url = driver.current_url().await?.path().to_string();
    logout(driver).await?;

    // The lead unit finds it in its review queue and returns it with a reason.
    login(driver, app, "yjj").await?;
    driver.goto(format!("{}/todo", app.base)).await?;
    let queue = driver.find(By::Id("to-review")).await?;
    assert!(queue.text().await?.contains("（28）"));
    queue
        .find(By::XPath(
            ".//form[contains(., '（28）')]//a[contains(., '详情')]",
        ))
        .await?
        .click()
        .await?;
    let review = driver.find(By::Id("review-form")).await?;
    review
        .find(By::Name("reason"))
        .await?
        .send_keys("缺少印发的制度文件")
        .await?;
    review
        .find(By::Css("button[value=return]"))
        .await?
        .click()
        .await?;
    driver.find(By::Css(".flash.ok")).await?;
    shot(driver, "review-returned.png").await?;
    logout(driver).await?;

    // The township sees it returned, with the reason, and can report again.
    login(driver, app, "bachuan").await?;
    driver.goto(format!("{}/todo", app.base)).await?;
    let returned = driver.find(By::Id("returned")).await?.text().await?;
    assert!(returned.contains("（28）"), "{returned}");
    driver.goto(format!("{}{report_url}", app.base)).await?;
    let body = driver.find(By::Tag("body")).await?.text().await?;
    assert!(body.contains("退回理由：缺少印发的制度文件"), "{body}");
    driver.find(By::Id("report-form")).await?;
    shot(driver, "returned-township.png").await?;
    logout(driver).await?;

    // The office: the district's overdue list and the on-time rates per unit.
    login(driver, app, "office").await?;
    driver.goto(format!("{}/todo", app.base)).await?;
    let overdue = driver.find(By::Id("overdue")).await?.text().await?;
    assert!(overdue.contains("已逾期"), "{overdue}");
    shot(driver, "overdue-office.png").await?;
    driver.goto(format!("{}/campaigns", app.base)).await?;
    driver
        .find(By::XPath("//a[contains(., '各单位按时完成率')]"))
        .await?
        .click()
        .await?;
    let rates = driver.find(By::Id("unit-rates")).await?.text().await?;
    assert!(rates.contains("巴川街道") && rates.contains("%"), "{rates}");
    shot(driver, "rates.png").await?;

    // A second plan, from a table in .xlsx, through the campaigns page.
    driver.goto(format!("{}/campaigns", app.base)).await?;
    shot(driver, "campaigns.png").await?;
    let import = driver.find(By::Id("plan-import")).await?;
    import
        .find(By::Name("file"))
        .await?
        .send_keys(table.to_str().unwrap())
        .await?;
    import
        .find(By::Name("title"))
        .await?
        .send_keys("某区燃气安全专项整治方案")
        .await?;
    import
        .find(By::Name("year"))
        .await?
        .send_keys("2023")
        .await?;
    import
        .find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let ok = driver.find(By::Id("import-ok")).await?.text().await?;
    assert!(ok.contains("3 项工作要点"), "{ok}");
    shot(driver, "plan-imported.png").await?;
    driver
        .find(By::XPath("//a[contains(., '查看专项行动')]"))
        .await?
        .click()
        .await?;
    let tree = driver
        .find(By::Css("details.measure"))
        .await?
        .text()
        .await?;
    assert!(tree.contains("严格落实企业主体责任"), "{tree}");
    shot(driver, "second-campaign.png").await?;
    Ok(())
}

/// The month's close as the office walks it: the dashboard of a past month, the
/// ranking with its explanations, two of the ladder's suggestions confirmed, and the
/// bulletin generated, read and downloaded with the zero-enforcement units named.
#[tokio::test]
async fn the_office_closes_a_month_from_dashboard_to_bulletin() {
    let Some((_chromedriver, driver)) = session(3).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = month_close_journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("month close journey");
}

/// The text of `css` once it satisfies `ok` (the page after a click may still be the
/// one before it for a moment).
async fn text_when(
    driver: &WebDriver,
    css: &str,
    ok: impl Fn(&str) -> bool,
) -> WebDriverResult<String> {
    text_within(driver, css, ok, 50).await
}

/// [`text_when`] polling `tries` times, 200 ms apart (a page whose action takes long).
async fn text_within(
    driver: &WebDriver,
    css: &str,
    ok: impl Fn(&str) -> bool,
    tries: usize,
) -> WebDriverResult<String> {
    let mut last = String::new();
    for _ in 0..tries {
        if let Ok(e) = driver.find(By::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if ok(&t) {
                return Ok(t);
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{css} never became as expected: {last}");
}

async fn month_close_journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    // In July the emergency bureau inspected the chemical plant; nobody else enforced.
    let yjj = app.login("yjj").await;
    let chem = app.unit_id("重庆铜梁某化工有限公司").await;
    let (s, b) = yjj
        .post(
            "/api/v1/enforcements",
            serde_json::json!({
                "enterprise": chem, "inspected_on": "2022-07-12",
                "inspectors": [{"name": "王强", "certificate": "渝应急执 0501"}, {"name": "刘洋", "certificate": "渝应急执 0502"}],
                "place": "储罐区", "checked": "重大危险源管理", "problems": "可燃气体报警器失效",
                "signed": true, "principal_checked": true, "heads_checked": true,
                "order_deadline": "2022-07-30",
                "penalty": {"kind": "罚款", "amount": "20000", "legal_basis": "《安全生产法》第九十九条", "discretion": "裁量基准第12项 一般", "decided_on": "2022-07-15"}
            }),
        )
        .await;
    assert_eq!(s, 201, "{b}");

    driver.goto(format!("{}/", app.base)).await?;
    login(driver, app, "office").await?;
    // The dashboard of July, chosen from the month selector.
    driver.goto(format!("{}/?month=2022-07", app.base)).await?;
    let tiles = driver.find(By::Id("dashboard")).await?.text().await?;
    assert!(tiles.contains("工作看板 · 2022年7月"), "{tiles}");
    let enforcement = driver
        .find(By::Id("tile-enforcement"))
        .await?
        .text()
        .await?;
    assert!(
        enforcement.starts_with('1') && enforcement.contains("处罚1次"),
        "{enforcement}"
    );
    assert!(driver.find_all(By::Css("#dashboard svg")).await?.len() >= 3);
    shot(driver, "dashboard.png").await?;
    // Drill down to the ranking; open a unit's explanation.
    driver.find(By::Id("tile-ranking")).await?.click().await?;
    text_when(driver, "h1", |t| t.contains("排名")).await?;
    driver
        .goto(format!("{}/rankings/2022-07?kind=department", app.base))
        .await?;
    let first = driver.find(By::Css("#ranking details summary")).await?;
    first.click().await?;
    let parts = driver
        .find(By::Css("#ranking details ul.parts"))
        .await?
        .text()
        .await?;
    assert!(
        parts.contains("按时完成率（权重30）") && parts.contains("执法力度（权重15）"),
        "{parts}"
    );
    shot(driver, "ranking.png").await?;
    // The ladder: the rules suggest, the office confirms two.
    driver
        .goto(format!("{}/accountability?month=2022-07", app.base))
        .await?;
    driver
        .find(By::Css("#suggest button"))
        .await?
        .click()
        .await?;
    let forms = text_when(driver, "#forms", |t| t.contains("待确认")).await?;
    assert!(forms.contains("警示约谈"), "{forms}");
    for n in 1..=2 {
        driver
            .find(By::Css("form.decide button[value='1']"))
            .await?
            .click()
            .await?;
        text_when(driver, "#forms", |t| t.matches("已确认").count() == n).await?;
    }
    shot(driver, "accountability.png").await?;
    // The bulletin: drafted for July, one section's text edited, then issued once
    // confirmed.
    driver.goto(format!("{}/bulletins", app.base)).await?;
    driver
        .find(By::Css("#generate button"))
        .await?
        .click()
        .await?;
    let form = driver.find(By::Id("draft-form")).await?;
    let demand = form.find(By::Css("textarea[name='s6']")).await?;
    assert!(
        demand
            .prop("value")
            .await?
            .unwrap_or_default()
            .contains("下月5日前")
    );
    demand.send_keys("\n请各镇街主要负责同志亲自过问。").await?;
    shot(driver, "bulletin-draft.png").await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    text_when(driver, ".flash.ok", |t| t.contains("草稿已保存")).await?;
    // Issuing without ticking the confirmation does not go through.
    let issue = driver.find(By::Id("issue-form")).await?;
    let named = driver.find(By::Id("issue")).await?.text().await?;
    assert!(named.contains("巴川街道"), "{named}");
    issue.find(By::Css("button")).await?.click().await?;
    assert!(
        driver.find(By::Id("issue-form")).await.is_ok(),
        "still the draft"
    );
    driver
        .find(By::Css("#issue-form input[name=confirm]"))
        .await?
        .click()
        .await?;
    driver
        .find(By::Css("#issue-form button"))
        .await?
        .click()
        .await?;
    let bulletin = text_when(driver, "#bulletin", |t| t.contains("通报")).await?;
    assert!(
        bulletin.contains("请各镇街主要负责同志亲自过问"),
        "the edit is issued"
    );
    assert!(
        bulletin.contains("〔2022〕1号")
            && bulletin.contains("未开展执法检查的单位")
            && (bulletin.contains("警示约谈") || bulletin.contains("交办督办")),
        "{bulletin}"
    );
    shot(driver, "bulletin.png").await?;
    // The .docx it links to names the zero-enforcement units.
    let href = driver
        .find(By::LinkText("下载 Word"))
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    let office = app.login("office").await;
    let (s, _, bytes) = office.get_bytes(&href.replace(&app.base, "")).await;
    assert_eq!(s, 200, "{href}");
    let xml = crate::harness::docx_text(&bytes);
    let zero = xml.split("未开展执法检查的单位").nth(1).unwrap_or_default();
    assert!(
        zero.contains("巴川街道")
            && !zero
                .split("请上述单位")
                .next()
                .unwrap_or_default()
                .contains("区应急局")
    );
    Ok(())
}

/// A member of the public on a phone: reports a blocked fire exit anonymously, keeps
/// the receipt, and later sees it substantiated with a reward approved.
#[tokio::test]
async fn a_member_of_the_public_reports_anonymously_and_follows_the_tip() {
    let Some((_chromedriver, driver)) = session(4).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = public_journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("public journey");
}

async fn public_journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    // The QR code on the poster leads to the form.
    let (s, kind, png) = app.anon().get_bytes("/tip/qr.png").await;
    assert_eq!(s, 200);
    assert!(kind.starts_with("image/png") && png.starts_with(b"\x89PNG"));
    driver.goto(format!("{}/tip", app.base)).await?;
    let form = driver.find(By::Id("tip-form")).await?;
    form.find(By::Css("select[name=category] option[value=violation]"))
        .await?
        .click()
        .await?;
    form.find(By::Css("select[name=sector] option[value='消防']"))
        .await?
        .click()
        .await?;
    fill(&form, "place", "铜梁区某商场三楼东侧").await?;
    fill(
        &form,
        "description",
        "三楼东侧安全出口被货物堵死，晚上还上了锁",
    )
    .await?;
    shot(driver, "tip-form.png").await?;
    // The identity choice is two options on a line each, their labels unbroken.
    for label in driver.find_all(By::Css("label.check")).await? {
        let r = label.rect().await?;
        assert!(r.height < 40.0, "an identity option wraps: {r:?}");
    }
    driver.find(By::Id("tip-submit")).await?.click().await?;
    let receipt = text_when(driver, "#receipt", |t| t.len() >= 22).await?;
    let digits: String = receipt.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(digits.len(), 22, "{receipt}");
    shot(driver, "tip-receipt.png").await?;
    // The receipt leads to the status with the code posted, not typed again nor put in
    // a URL; the status repeats what was sent.
    driver
        .find(By::Css("#receipt-status button"))
        .await?
        .click()
        .await?;
    let sent = text_when(driver, "#tip-status", |t| t.contains("办理状态")).await?;
    assert!(
        sent.contains("铜梁区某商场三楼东侧") && sent.contains("安全出口被货物堵死"),
        "{sent}"
    );
    assert!(!driver.current_url().await?.as_str().contains(&digits));
    // The office routes it; the fire brigade substantiates it; a reward is approved.
    let office = app.login("office").await;
    let (_, list) = office.get("/api/v1/tips").await;
    assert_eq!(list[0]["anonymous"], true);
    let id = list[0]["id"].as_i64().unwrap();
    let fire = app.unit_id("区消防救援支队").await;
    office
        .post(
            &format!("/api/v1/tips/{id}/accept"),
            serde_json::json!({"unit": fire}),
        )
        .await;
    // The brigade has no demo account: the test records its outcome through the store
    // as the brigade's operator would.
    let actor = anjian_store::Actor {
        user_id: None,
        username: "xfzd".into(),
        role: "unit_operator".into(),
        unit_id: Some(fire),
    };
    let scope = anjian_store::Scope::Subtree {
        unit_id: fire,
        path: {
            let (p,): (String,) = app
                .db
                .read()
                .one(anjian_store::q("SELECT path FROM units WHERE id = $1").bind(fire))
                .await
                .unwrap();
            p
        },
        sector_supervisor: true,
    };
    let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
    anjian_store::tips::outcome(
        &app.db,
        anjian_core::time::Moment::at(now),
        &actor,
        &scope,
        id,
        anjian_store::tips::Verdict {
            substantiated: true,
            note: "经现场核查属实，已责令整改并处罚款",
            accident: None,
            produced: &anjian_store::tips::Produced::default(),
        },
    )
    .await
    .unwrap();
    for (step, body) in [
        ("propose", serde_json::json!({"fine_yuan": "30000"})),
        ("approve", serde_json::json!({})),
    ] {
        let (s, b) = office
            .post(&format!("/api/v1/tips/{id}/reward/{step}"), body)
            .await;
        assert_eq!(s, 200, "{b}");
    }
    // Back on the phone with the receipt.
    driver.goto(format!("{}/tip/status", app.base)).await?;
    driver
        .find(By::Id("receipt-input"))
        .await?
        .send_keys(&receipt)
        .await?;
    driver
        .find(By::Css("#status-form button"))
        .await?
        .click()
        .await?;
    let status = text_when(driver, "#tip-status", |t| t.contains("办理状态")).await?;
    assert!(
        status.contains("经核查属实") && status.contains("已批准"),
        "{status}"
    );
    assert!(
        status.contains("3000.00 元") || status.contains("4500.00 元"),
        "{status}"
    );
    shot(driver, "tip-status.png").await?;
    Ok(())
}

/// The office checks July 2022 on a phone: which officials inspected fewer than two
/// listed enterprises and which township heads held no study, which leader has yet to
/// hold the quarter's study (and logs it), which townships did not answer the
/// rainstorm warning in time, and prints a township's public board.
#[tokio::test]
async fn the_office_sees_who_fell_short_in_july_and_prints_a_board() {
    let Some((_chromedriver, driver)) = session(5).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = responsibility_journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("responsibility journey");
}

async fn responsibility_journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
    anjian::seed::township_enterprises(&app.db, now)
        .await
        .unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2022, 8, 8).unwrap();
    anjian::seed::responsibility::load(&app.db, as_of)
        .await
        .unwrap();
    driver.goto(format!("{}/login", app.base)).await?;
    login(driver, app, "office").await?;
    driver
        .goto(format!("{}/quotas?month=2022-07", app.base))
        .await?;
    let short = text_when(driver, "#short", |t| t.contains("未完成")).await?;
    assert!(
        short.contains("每月指导检查挂牌企业至少2家：1/2"),
        "{short}"
    );
    assert!(short.contains("每月专题研究至少1次：0/1"), "{short}");
    let running = driver.find(By::Id("running")).await?.text().await?;
    assert!(
        running.contains("陈国强") && running.contains("每季度专题研究至少1次：0/1"),
        "{running}"
    );
    shot(driver, "quotas-july.png").await?;
    // The district head's study of the quarter, logged today.
    driver
        .find(By::XPath("//a[contains(., '记录履职')]"))
        .await?
        .click()
        .await?;
    let form = driver.find(By::Id("duty-form")).await?;
    let official = form.find(By::Name("official")).await?;
    official
        .find(By::XPath(".//option[contains(., '陈国强')]"))
        .await?
        .click()
        .await?;
    form.find(By::Name("activity"))
        .await?
        .find(By::Css("option[value=study]"))
        .await?
        .click()
        .await?;
    fill(&form, "place", "区委常委会议室").await?;
    fill(&form, "topic", "专题研究汛期安全生产和地质灾害防治").await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    text_when(driver, "p.flash", |t| t.contains("已保存")).await?;
    driver
        .goto(format!("{}/quotas?month=2022-07", app.base))
        .await?;
    text_when(driver, "#running", |t| {
        !t.contains("每季度专题研究至少1次：0/1")
    })
    .await?;
    // The rainstorm warning: who answered late, who not at all.
    driver.goto(format!("{}/warnings", app.base)).await?;
    driver
        .find(By::XPath("//a[contains(., '暴雨红色预警')]"))
        .await?
        .click()
        .await?;
    let answers = text_when(driver, "#recipients", |t| t.contains("回应")).await?;
    assert!(
        answers.contains("超时回应") && answers.contains("未回应（已超时）"),
        "{answers}"
    );
    shot(driver, "warning-answers.png").await?;
    // The public board of 巴川街道, as printed.
    let town = app.unit_id("巴川街道").await;
    logout(driver).await?;
    driver.find(By::Id("username")).await?;
    driver.goto(format!("{}/boards/{town}", app.base)).await?;
    let board = text_when(driver, "#board", |t| t.contains("行政负责人")).await?;
    assert!(board.contains("巴川"), "{board}");
    let hotline = driver.find(By::Css(".hotline")).await?.text().await?;
    assert!(hotline.contains("12350"));
    shot(driver, "board.png").await?;
    Ok(())
}

#[tokio::test]
async fn the_office_corrects_a_work_item_and_the_units_lists_change() {
    let Some((_chromedriver, driver)) = session(6).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = editor_journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("plan editor journey");
}

/// The office opens work item (20) from the campaign tree, narrows it from every
/// township to 安居镇 with a quarterly time limit, sees the preview name 巴川街道 as
/// removed, saves, and sees the history; 巴川街道's to-do list no longer holds (20) while
/// 安居镇's does.
async fn editor_journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    driver.goto(format!("{}/", app.base)).await?;
    login(driver, app, "office").await?;
    let campaigns = anjian_store::plans::campaigns(&app.db).await.unwrap();
    let id = campaigns[0].id;
    driver
        .goto(format!("{}/campaigns/{id}/items/20", app.base))
        .await?;
    driver
        .find(By::XPath("//a[contains(., '修改此工作要点')]"))
        .await?
        .click()
        .await?;
    let form = driver.find(By::Id("editor")).await?;
    let lead = form.find(By::Name("lead")).await?;
    lead.clear().await?;
    lead.send_keys("安居镇").await?;
    fill(&form, "time_limit", "每季度").await?;
    fill(&form, "reason", "区安委会决定先在安居镇试行").await?;
    form.find(By::Id("preview-button")).await?.click().await?;
    let preview = driver.find(By::Id("preview")).await?.text().await?;
    assert!(preview.contains("巴川街道"), "{preview}");
    assert!(preview.contains("移出"), "{preview}");
    shot(driver, "editor-preview.png").await?;
    driver.find(By::Id("save")).await?.click().await?;
    driver.find(By::Css(".flash.ok")).await?;
    let history = driver.find(By::Id("history")).await?.text().await?;
    assert!(history.contains("区安委会决定先在安居镇试行"), "{history}");
    let schedule = driver.find(By::Id("schedule")).await?.text().await?;
    assert!(schedule.contains("每季度"), "{schedule}");
    logout(driver).await?;

    login(driver, app, "bachuan").await?;
    driver.goto(format!("{}/todo", app.base)).await?;
    let page = driver.source().await?;
    assert!(!page.contains("（20）"), "巴川街道 no longer owes (20)");
    let anju = app.login("anju").await;
    let (_, list) = anju.get("/api/v1/obligations?limit=1000").await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|o| o["work_item_no"] == 20 && o["label"] == "2022年第3季度"),
        "安居镇 owes (20) for the third quarter"
    );
    Ok(())
}

#[tokio::test]
async fn the_emergency_bureau_logs_a_publication_and_sees_its_days_counted() {
    let Some((_chromedriver, driver)) = session(7).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = daily_journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("daily journey");
}

/// (14) "每日在区级以上主流媒体…发布1条以上工作动态": on a phone, 区应急局 opens 每日动态 from
/// the menu, logs today's publication with its link, and sees today counted; a
/// publication without its link is refused with the field named.
async fn daily_journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    driver.goto(format!("{}/", app.base)).await?;
    login(driver, app, "yjj").await?;
    driver
        .find(By::Css("button[data-toggle=nav]"))
        .await?
        .click()
        .await?;
    driver
        .find(By::XPath("//nav//a[contains(., '每日动态')]"))
        .await?
        .click()
        .await?;
    let lines = driver.find(By::Id("daily-lines")).await?.text().await?;
    assert!(
        lines.contains("区应急局") && lines.contains("0/"),
        "{lines}"
    );
    let form = driver.find(By::Id("daily-form")).await?;
    fill(&form, "outlet", "铜梁发布").await?;
    fill(&form, "title", "我区开展燃气安全专项检查").await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let flash = text_when(driver, ".flash.error", |t| t.contains("链接")).await?;
    assert!(flash.contains("主流媒体发布须填写链接"), "{flash}");
    let form = driver.find(By::Id("daily-form")).await?;
    fill(&form, "link", "https://www.cqstl.gov.cn/news/1").await?;
    fill(&form, "outlet", "铜梁发布").await?;
    fill(&form, "title", "我区开展燃气安全专项检查").await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let entries = text_when(driver, "#daily-entries", |t| t.contains("燃气安全专项检查")).await?;
    assert!(entries.contains("铜梁发布"), "{entries}");
    let lines = driver.find(By::Id("daily-lines")).await?.text().await?;
    assert!(lines.contains("1/"), "{lines}");
    shot(driver, "daily.png").await?;
    Ok(())
}

#[tokio::test]
async fn the_building_commission_finds_a_borrowed_qualification_and_reports_it() {
    let Some((_chromedriver, driver)) = session(8).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = subcontracting_journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("subcontracting journey");
}

/// Item (74) "9月底完成违法分包转包专项执法检查" on a phone: 区住房城乡建委 opens the housing
/// project from the menu, sees its facade subcontractor flagged 挂靠资质 in the chain,
/// records the special inspection with that finding, and the subcontractor's group
/// company, the qualification's holder and the discipline commission are told (item
/// (77)).
async fn subcontracting_journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
    anjian::seed::measures::units(&app.db, now).await.unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2022, 8, 8).unwrap();
    anjian::seed::responsibility::load(&app.db, as_of)
        .await
        .unwrap();
    let labour = app.unit_id("重庆某建筑劳务有限公司").await;
    anjian_store::enterprises::set_parent_company(
        &app.db,
        now,
        &anjian_store::scope::Actor::system("test"),
        &anjian_store::scope::Scope::All,
        labour,
        Some(app.unit_id("重庆某建工集团有限公司").await),
    )
    .await
    .unwrap();
    let zjw = app.login("zjw").await;
    let owner = app.unit_id("铜梁区城市建设投资（集团）有限公司").await;
    let general = app.unit_id("重庆某建筑工程有限公司铜梁项目部").await;
    let holder = app.unit_id("重庆某建设工程有限公司").await;
    let (s, p) = zjw
        .post(
            "/api/v1/projects",
            serde_json::json!({"name": "铜梁区某安置房建设项目", "owner": owner, "industry": "建筑施工", "works": "new"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let path = format!("/api/v1/projects/{}/contracts", p["id"]);
    let q = |n: &str, h: Option<i64>| serde_json::json!({"category": "建筑工程施工总承包", "number": n, "holder": h, "valid_until": "2025-06-30"});
    for body in [
        serde_json::json!({"client": owner, "contractor": general, "work": "施工总承包", "whole": true, "main_structure": true, "signed_on": "2022-03-15", "qualification": q("D1", None)}),
        serde_json::json!({"client": general, "contractor": labour, "work": "外墙保温及涂料", "signed_on": "2022-04-20", "qualification": q("D2", Some(holder))}),
    ] {
        let (s, v) = zjw.post(&path, body).await;
        assert_eq!(s, 201, "{v}");
    }
    driver.goto(format!("{}/", app.base)).await?;
    login(driver, app, "zjw").await?;
    driver
        .find(By::Css("button[data-toggle=nav]"))
        .await?
        .click()
        .await?;
    driver
        .find(By::XPath("//nav//a[contains(., '建设项目')]"))
        .await?
        .click()
        .await?;
    driver
        .find(By::XPath(
            "//table[@id='projects']//a[contains(., '安置房')]",
        ))
        .await?
        .click()
        .await?;
    let chain = text_when(driver, "#chain", |t| t.contains("挂靠资质")).await?;
    assert!(chain.contains("重庆某建筑劳务有限公司"), "{chain}");
    shot(driver, "project.png").await?;
    driver.goto(format!("{}/enforcements", app.base)).await?;
    driver
        .execute(
            &format!("const f = document.querySelector('#enforcement-form'); f.closest('details').open = true; f.enterprise.value = '{labour}'; f.inspected_on.value = '2022-08-08'; f.order_deadline.value = '2022-08-31'; f.kind.value = 'subcontracting'; f.contract.selectedIndex = 1;"),
            vec![],
        )
        .await?;
    let form = driver.find(By::Id("enforcement-form")).await?;
    for (name, value) in [
        ("i1_name", "周敏"),
        ("i1_certificate", "渝建执0701"),
        ("i2_name", "何军"),
        ("i2_certificate", "渝建执0702"),
        ("place", "铜梁区某安置房建设项目现场"),
        ("checked", "违法分包转包和挂靠资质专项检查"),
        ("problems", "外墙分包单位借用他人资质承揽工程"),
        ("handling", "责令限期改正"),
    ] {
        fill(&form, name, value).await?;
    }
    for radio in ["principal_checked", "heads_checked"] {
        form.find(By::Css(format!("input[name={radio}][value='1']")))
            .await?
            .click()
            .await?;
    }
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let list = text_when(driver, "#records", |t| t.contains("分包转包专项")).await?;
    assert!(list.contains("重庆某建筑劳务有限公司"), "{list}");
    assert!(list.contains("已通报重庆某建工集团有限公司"), "{list}");
    shot(driver, "subcontracting.png").await?;
    let told: Vec<(String,)> = app
        .db
        .read()
        .all(anjian_store::q(
            "SELECT u.name FROM notices n JOIN units u ON u.id = n.unit_id WHERE n.subject = 'enforcement' ORDER BY u.name",
        ))
        .await
        .unwrap();
    let told: Vec<&str> = told.iter().map(|(n,)| n.as_str()).collect();
    for who in [
        "重庆某建工集团有限公司",
        "重庆某建设工程有限公司",
        "区纪委监委机关",
    ] {
        assert!(told.contains(&who), "{who} told: {told:?}");
    }
    Ok(())
}

/// Every page each of these roles reaches fits the phone's window: no page of the
/// crawl (`crawl::crawl`, the same walk as the link test) is wider than its 390 px
/// window, so nothing needs sideways scrolling (issue 17 part 2).
#[tokio::test]
async fn no_page_any_role_reaches_is_wider_than_a_phone() {
    let Some((_chromedriver, driver)) = session_as(9, true).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = phone_widths(&driver, &app).await;
    driver.quit().await.ok();
    let wide = result.expect("phone crawl");
    assert!(
        wide.is_empty(),
        "{} pages too wide:\n{}",
        wide.len(),
        wide.join("\n")
    );
}

async fn phone_widths(driver: &WebDriver, app: &TestApp) -> WebDriverResult<Vec<String>> {
    let mut wide = Vec::new();
    let mut measured = 0;
    for role in [
        "office",
        "bachuan",
        "huagong",
        "zjw",
        "tipkeeper",
        "sysadmin",
    ] {
        let pages = crate::crawl::crawl(&app.login(role).await, 2, 300)
            .await
            .pages;
        driver.delete_all_cookies().await?;
        driver.goto(format!("{}/login", app.base)).await?;
        login(driver, app, role).await?;
        for path in pages {
            driver.goto(format!("{}{}", app.base, path)).await?;
            let ret = driver
                .execute(
                    // The device's width, not the layout viewport's: a phone's browser
                    // widens its viewport to fit a page that overflows.
                    "return [document.documentElement.scrollWidth, screen.width];",
                    Vec::new(),
                )
                .await?;
            let v: Vec<i64> = ret.convert()?;
            measured += 1;
            if ["/todo", "/monthly-reports", "/hazards", "/workers/flags"].contains(&path.as_str())
            {
                shot(
                    driver,
                    &format!("phone-{role}{}.png", path.replace('/', "-")),
                )
                .await?;
            }
            if v[0] > v[1] {
                wide.push(format!("{role} {path}: {} px in {} px", v[0], v[1]));
                if wide.len() <= 3 {
                    shot(driver, &format!("wide-{}.png", wide.len())).await?;
                }
            }
        }
    }
    assert!(measured > 100, "measured {measured} pages");
    Ok(wide)
}

/// The office, on a phone, reviews three townships' reports on one work item from the
/// queue at the top of its to-do page in one pass, returning one with a reason (issue
/// 17 part 1).
#[tokio::test]
async fn the_office_reviews_a_work_items_reports_in_one_pass_on_a_phone() {
    let Some((_chromedriver, driver)) = session_as(10, true).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = one_pass(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("review in one pass");
}

/// Chooses 通过 for `accept` and 退回 for `returned` in a review group's form.
async fn decide(group: &WebElement, accept: &[i64], returned: i64) -> WebDriverResult<()> {
    for id in accept {
        group
            .find(By::Css(format!("input[name='d{id}'][value=accept]")))
            .await?
            .click()
            .await?;
    }
    group
        .find(By::Css(format!("input[name='d{returned}'][value=return]")))
        .await?
        .click()
        .await
}

async fn one_pass(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    // Three townships report on the same work item.
    let owed: Vec<(i64, i64, String)> = app
        .db
        .read()
        .all(anjian_store::q(
            "SELECT MIN(o.id), o.unit_id, MIN(u.path) FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN units u ON u.id = o.unit_id WHERE u.kind = 'township' AND o.state = 'pending' AND a.role <> 'invited' AND a.work_item_id = (SELECT a2.work_item_id FROM obligations o2 JOIN assignments a2 ON a2.id = o2.assignment_id JOIN units u2 ON u2.id = o2.unit_id WHERE u2.kind = 'township' AND o2.state = 'pending' AND a2.role <> 'invited' AND a2.work_item_id IS NOT NULL GROUP BY a2.work_item_id HAVING COUNT(DISTINCT o2.unit_id) >= 3 ORDER BY a2.work_item_id LIMIT 1) GROUP BY o.unit_id ORDER BY o.unit_id LIMIT 3",
        ))
        .await
        .unwrap();
    assert_eq!(owed.len(), 3);
    let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
    for (i, (id, unit, path)) in owed.iter().enumerate() {
        let actor = anjian_store::Actor {
            user_id: None,
            username: format!("town{i}"),
            role: "unit_operator".into(),
            unit_id: Some(*unit),
        };
        let scope = anjian_store::Scope::Subtree {
            unit_id: *unit,
            path: path.clone(),
            sector_supervisor: false,
        };
        anjian_store::reports::submit(
            &app.db,
            now,
            &actor,
            &scope,
            *id,
            anjian_store::reports::Submission::text(&format!(
                "第{}个镇街：已按要求完成并附记录",
                i + 1
            )),
        )
        .await
        .unwrap();
    }
    driver.goto(format!("{}/login", app.base)).await?;
    login(driver, app, "office").await?;
    driver.goto(format!("{}/todo", app.base)).await?;
    // The queue is the first section of the page, the reports' texts in it.
    let first = driver
        .find(By::Css("main section.card"))
        .await?
        .attr("id")
        .await?;
    assert_eq!(first.as_deref(), Some("to-review"));
    let (a, b, c) = (owed[0].0, owed[1].0, owed[2].0);
    let group = driver
        .find(By::XPath(format!("//form[.//input[@value='{a}']]")))
        .await?;
    let text = group.text().await?;
    assert!(
        text.contains("第1个镇街") && text.contains("第3个镇街"),
        "{text}"
    );
    shot(driver, "review-queue.png").await?;
    decide(&group, &[a, c], b).await?;
    // Returned without a reason: refused, and nothing kept.
    group
        .find(By::Css("button:not([name])"))
        .await?
        .click()
        .await?;
    let refused = driver.find(By::Css(".flash.error")).await?.text().await?;
    assert!(refused.contains("退回理由"), "{refused}");
    let state = |id: i64| {
        let db = app.db.clone();
        async move {
            let (s,): (String,) = db
                .read()
                .one(anjian_store::q("SELECT state FROM obligations WHERE id = $1").bind(id))
                .await
                .unwrap();
            s
        }
    };
    assert_eq!(state(a).await, "submitted", "every decision or none");
    let group = driver
        .find(By::XPath(format!("//form[.//input[@value='{a}']]")))
        .await?;
    // The choices come back as they were made: only the reason is missing.
    for (id, decision) in [(a, "accept"), (c, "accept"), (b, "return")] {
        let radio = group
            .find(By::Css(format!("input[name='d{id}'][value={decision}]")))
            .await?;
        assert!(radio.is_selected().await?, "d{id} kept as {decision}");
    }
    group
        .find(By::Css(format!("input[name='r{b}']")))
        .await?
        .send_keys("缺少会议记录")
        .await?;
    group
        .find(By::Css("button:not([name])"))
        .await?
        .click()
        .await?;
    let done = driver.find(By::Css(".flash.ok")).await?.text().await?;
    assert!(done.contains("已审核3份"), "{done}");
    shot(driver, "review-done.png").await?;
    assert_ne!(state(a).await, "submitted");
    assert_ne!(state(c).await, "submitted");
    assert_eq!(state(b).await, "returned");
    let (reason,): (String,) = app
        .db
        .read()
        .one(
            anjian_store::q("SELECT reason FROM progress_reports WHERE obligation_id = $1").bind(b),
        )
        .await
        .unwrap();
    assert_eq!(reason, "缺少会议记录");
    Ok(())
}

/// Issue 18 in a browser: the office gives 巴川街道 and itself 企业微信 robots (a local
/// receiver plays the robot), tries one, issues a rainstorm warning that reaches the
/// township's robot; the township does not answer; on the demo clock the escalation and
/// the office's notice arrive; the office presses 催办 and reads every message in the
/// delivery log.
#[tokio::test]
async fn the_office_wires_a_townships_robot_and_a_warning_is_escalated() {
    let Some((_chromedriver, driver)) = session(11).await else {
        return;
    };
    let r = crate::outbound::Receiver::start().await;
    let app = TestApp::with_config(
        Engine::Sqlite,
        anjian_web::WebConfig {
            outbound_allow: vec![r.host_port()],
            ..Default::default()
        },
    )
    .await;
    let result = robot_journey(&driver, &app, &r).await;
    driver.quit().await.ok();
    result.expect("robot journey");
}

async fn robot_journey(
    driver: &WebDriver,
    app: &TestApp,
    r: &crate::outbound::Receiver,
) -> WebDriverResult<()> {
    anjian_web::outbound::spawn_dispatcher(app.state.clone());
    driver.goto(format!("{}/login", app.base)).await?;
    login(driver, app, "office").await?;
    let town = app.unit_id("巴川街道").await;
    let (_, me) = app.login("office").await.get("/api/v1/me").await;
    let office_unit = me["unit"]["id"].as_i64().unwrap_or_default();
    for (unit, key) in [(town, "bachuan"), (office_unit, "office")] {
        driver.goto(format!("{}/channels", app.base)).await?;
        let form = driver.find(By::Id("channel-form")).await?;
        driver
            .execute(
                &format!("document.querySelector('#channel-form [name=unit]').value = '{unit}';"),
                vec![],
            )
            .await?;
        fill(
            &form,
            "url",
            &format!("{}/cgi-bin/webhook/send?key={key}", r.base),
        )
        .await?;
        fill(&form, "phones", "13800000001").await?;
        form.find(By::Css("button[type=submit]"))
            .await?
            .click()
            .await?;
        text_when(driver, ".flash.ok", |t| t.contains("已添加通道")).await?;
    }
    shot(driver, "channels.png").await?;
    // 发送测试消息 shows the robot's answer at once.
    driver
        .find(By::XPath(
            "//table[@id='channels']//tr[td[contains(., '巴川街道')]]//button",
        ))
        .await?
        .click()
        .await?;
    let answer = text_when(driver, ".flash", |t| t.contains("测试消息")).await?;
    assert!(
        answer.contains("errcode") && answer.contains("对方回复"),
        "{answer}"
    );
    // The rainstorm warning, to 巴川街道, answer by noon.
    driver.goto(format!("{}/warnings", app.base)).await?;
    driver
        .execute(
            &format!("const f = document.querySelector('#warning-form'); f.closest('details').open = true; f.kind.value = 'weather'; f.answer_by.value = '2022-08-09T12:00'; for (const o of f.units.options) {{ o.selected = o.value === '{town}'; }}"),
            vec![],
        )
        .await?;
    let form = driver.find(By::Id("warning-form")).await?;
    fill(&form, "title", "暴雨红色预警").await?;
    fill(
        &form,
        "body",
        "预计未来3小时有特大暴雨，请立即转移危险区域人员",
    )
    .await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let wait = |key: &'static str, n: usize| async move {
        for _ in 0..300 {
            let got: Vec<String> = r
                .got()
                .into_iter()
                .filter(|(p, _, _)| p.ends_with(&format!("key={key}")))
                .map(|(_, _, b)| b)
                .collect();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{key} did not get {n} messages: {:?}", r.got());
    };
    let got = wait("bachuan", 2).await;
    assert!(got[1].contains("暴雨红色预警"), "{got:?}");
    // Nobody answers. Past noon the township's robot is told again; half an hour
    // later the office's robot is told who has not answered.
    app.advance(5 * 3_600_000);
    anjian_store::warnings::escalate(&app.db, anjian_core::time::Clock::now_ms(&app.clock))
        .await
        .unwrap();
    let got = wait("bachuan", 3).await;
    assert!(got[2].contains("未回应"));
    app.advance(31 * 60_000);
    anjian_store::warnings::escalate(&app.db, anjian_core::time::Clock::now_ms(&app.clock))
        .await
        .unwrap();
    let office_got = wait("office", 1).await;
    assert!(office_got[0].contains("巴川街道"), "{office_got:?}");
    // The office (signed in again: hours passed) presses 催办 on the warning's page.
    driver.goto(format!("{}/login", app.base)).await?;
    login(driver, app, "office").await?;
    driver.goto(format!("{}/warnings", app.base)).await?;
    driver
        .find(By::LinkText("暴雨红色预警"))
        .await?
        .click()
        .await?;
    driver
        .find(By::Css("#urge-form button"))
        .await?
        .click()
        .await?;
    text_when(driver, ".flash.ok", |t| t.contains("已催办")).await?;
    let got = wait("bachuan", 4).await;
    assert!(got[3].contains("催办"));
    driver.refresh().await?;
    let sent = text_when(driver, "#recipients", |t| t.contains("催办")).await?;
    assert!(
        sent.contains("超时再推送") && sent.contains("已送达"),
        "{sent}"
    );
    shot(driver, "warning-deliveries.png").await?;
    // The delivery log: every message, sent.
    driver.goto(format!("{}/deliveries", app.base)).await?;
    let log = driver.find(By::Id("deliveries")).await?.text().await?;
    assert!(
        log.contains("测试消息") && log.contains("催办") && log.contains("叫应未回应"),
        "{log}"
    );
    assert!(!log.contains("待发送") && !log.contains("失败"), "{log}");
    shot(driver, "deliveries.png").await?;
    Ok(())
}

#[tokio::test]
async fn a_department_inspects_penalises_rechecks_refers_and_the_office_blacklists() {
    let Some((_chromedriver, driver)) = session(12).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = three_steps_journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("three steps journey");
}

/// Issue 19, done means: 区应急局 inspects the chemical plant with an order to rectify,
/// adds the penalty two days later (执法"三部曲", item (89)), finds the recheck in its
/// to-do list, rechecks after the deadline and finds it not rectified (the daily
/// penalty runs), refers it to the public security organ (移送, item (90)); the office
/// blacklists the enterprise and its register page shows the entry.
async fn three_steps_journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    const DAY: i64 = 86_400_000;
    // A registered enterprise in 巴川街道 of the bureau's 工贸 sector.
    let town = app.unit_id("巴川街道").await;
    let (status, ent) = app
        .login("bachuan")
        .await
        .post(
            "/api/v1/enterprises",
            crate::responsibility::enterprise(
                "重庆铜梁某五金制品有限公司",
                "A0001",
                town,
                "工贸",
                true,
            ),
        )
        .await;
    assert_eq!(status, 201, "{ent}");
    let chem = ent["id"].as_i64().unwrap();
    driver.goto(format!("{}/", app.base)).await?;
    login(driver, app, "yjj").await?;
    driver.goto(format!("{}/enforcements", app.base)).await?;
    driver
        .execute(
            "document.querySelector('#enforcement-form').closest('details').open = true; document.querySelector('#enforcement-form [name=order_deadline]').value = '2022-08-12';",
            vec![],
        )
        .await?;
    let form = driver.find(By::Id("enforcement-form")).await?;
    form.find(By::Css(format!(
        "select[name=enterprise] option[value='{chem}']"
    )))
    .await?
    .click()
    .await?;
    fill(&form, "i1_name", "王执法").await?;
    fill(&form, "i1_certificate", "渝应急执0501").await?;
    fill(&form, "i2_name", "李执法").await?;
    fill(&form, "i2_certificate", "渝应急执0502").await?;
    fill(&form, "place", "储罐区").await?;
    fill(&form, "checked", "动火作业管理、可燃气体报警").await?;
    fill(&form, "problems", "储罐区可燃气体报警器失效").await?;
    form.find(By::Css("[name=principal_checked][value='1']"))
        .await?
        .click()
        .await?;
    form.find(By::Css("[name=heads_checked][value='1']"))
        .await?
        .click()
        .await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let records = text_when(driver, "#records", |t| {
        t.contains("重庆铜梁某五金制品有限公司")
    })
    .await?;
    assert!(records.contains("检查诊断"), "{records}");
    // Two days later, the penalty decision on the same record.
    app.advance(2 * DAY);
    driver.goto(format!("{}/", app.base)).await?;
    if driver.find(By::Id("username")).await.is_ok() {
        login(driver, app, "yjj").await?;
    }
    driver.goto(format!("{}/enforcements", app.base)).await?;
    driver
        .execute(
            "const d = document.querySelector('details.penalty-later'); d.open = true; d.querySelector('[name=penalty_decided_on]').value = '2022-08-11';",
            vec![],
        )
        .await?;
    let penalty = driver.find(By::Css("details.penalty-later form")).await?;
    fill(&penalty, "penalty_kind", "罚款").await?;
    fill(&penalty, "penalty_amount", "20000").await?;
    fill(&penalty, "penalty_legal_basis", "《安全生产法》第九十九条").await?;
    fill(&penalty, "penalty_discretion", "裁量基准第12项 一般").await?;
    penalty
        .find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let records = text_when(driver, "#records", |t| t.contains("罚款 20000.00 元")).await?;
    assert!(records.contains("行政处罚"), "{records}");
    // The recheck is the bureau's own to-do.
    driver.goto(format!("{}/todo", app.base)).await?;
    let todo = driver.find(By::Css("main")).await?.text().await?;
    assert!(
        todo.contains("整改复查：重庆铜梁某五金制品有限公司"),
        "{todo}"
    );
    shot(driver, "three-steps-todo.png").await?;
    // After the deadline the plant has not rectified: the daily penalty runs.
    app.advance(3 * DAY);
    driver.goto(format!("{}/", app.base)).await?;
    if driver.find(By::Id("username")).await.is_ok() {
        login(driver, app, "yjj").await?;
    }
    driver
        .goto(format!("{}/enforcements?month=2022-08", app.base))
        .await?;
    driver
        .find(By::Css("form.recheck button[value='0']"))
        .await?
        .click()
        .await?;
    let records = text_when(driver, "#records", |t| t.contains("按日连续处罚")).await?;
    assert!(records.contains("拒不整改"), "{records}");
    // The bureau refers it to the public security organ.
    driver
        .execute(
            "const d = document.querySelector('details.measure-form'); d.open = true; d.querySelector('[name=decided_on]').value = '2022-08-14';",
            vec![],
        )
        .await?;
    let measure = driver.find(By::Css("details.measure-form form")).await?;
    measure
        .find(By::Css("select[name=kind] option[value=referral]"))
        .await?
        .click()
        .await?;
    fill(&measure, "organ", "铜梁区公安局").await?;
    fill(&measure, "note", "拒不整改，涉嫌危险作业罪，移送公安机关").await?;
    measure
        .find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    // The form's own options name 移送司法机关 too: wait for the record's measure line.
    let line = text_when(driver, "#records span.measure", |t| {
        t.contains("铜梁区公安局")
    })
    .await?;
    assert!(line.contains("移送司法机关"), "{line}");
    shot(driver, "three-steps-records.png").await?;
    logout(driver).await?;
    // The office blacklists the enterprise for refusing to rectify.
    driver.goto(format!("{}/", app.base)).await?;
    login(driver, app, "office").await?;
    driver.goto(format!("{}/blacklist", app.base)).await?;
    driver
        .execute(
            "document.querySelector('#blacklist-form').closest('details').open = true; document.querySelector('#blacklist-form [name=until]').value = '2025-08-13';",
            vec![],
        )
        .await?;
    let form = driver.find(By::Id("blacklist-form")).await?;
    form.find(By::Css(format!(
        "select[name=enterprise] option[value='{chem}']"
    )))
    .await?
    .click()
    .await?;
    form.find(By::Css(
        "select[name=reason_kind] option[value=refused_rectification]",
    ))
    .await?
    .click()
    .await?;
    fill(
        &form,
        "reason",
        "责令限期整改后复查仍未整改，按日连续处罚，已移送公安机关",
    )
    .await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let list = text_when(driver, "#blacklist", |t| {
        t.contains("重庆铜梁某五金制品有限公司")
    })
    .await?;
    assert!(list.contains("拒不整改"), "{list}");
    driver
        .goto(format!("{}/enterprises/{chem}", app.base))
        .await?;
    let page = driver.find(By::Css("main")).await?.text().await?;
    assert!(
        page.contains("拒不整改") && page.contains("惩戒中"),
        "{page}"
    );
    shot(driver, "three-steps-enterprise.png").await?;
    Ok(())
}

#[tokio::test]
async fn the_office_adds_a_post_prints_a_duty_file_records_a_hotline_tip_and_closes_the_year() {
    let Some((_chromedriver, driver)) = session(13).await else {
        return;
    };
    let app = TestApp::new(Engine::Sqlite).await;
    let result = people_journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("people journey");
}

/// Submits `form` and waits until the page it was on is gone, so that the next step
/// reads (or navigates from) the answer, never the form's page.
async fn submit(form: &WebElement) -> WebDriverResult<()> {
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    form.wait_until().stale().await
}

/// Selects the option of select `name` in `form` whose text contains `text`.
async fn choose(form: &WebElement, name: &str, text: &str) -> WebDriverResult<()> {
    form.find(By::Name(name))
        .await?
        .find(By::XPath(format!(".//option[contains(., '{text}')]")))
        .await?
        .click()
        .await
}

/// Issue 20, done means: the office adds the post of a department's deputy with
/// "每周调度推动执法" (item (34)), appoints an official to it, sees him short in July,
/// opens his duty file and prints it; records a hotline tip whose reporter follows it on
/// /tip/status with the receipt; closes 2022 with the annual assessment, in which a
/// township that concealed an accident is vetoed and an enterprise's concealment vetoes
/// nobody.
async fn people_journey(driver: &WebDriver, app: &TestApp) -> WebDriverResult<()> {
    // Two accidents found concealed in July: by an enterprise of 巴川街道, by 安居镇 itself.
    crate::people::conceal(
        app,
        "bachuan",
        "巴川街道",
        "重庆铜梁某化工有限公司",
        "enterprise",
    )
    .await;
    crate::people::conceal(
        app,
        "anju",
        "安居镇",
        "铜梁区安居古镇旅游开发有限公司",
        "unit",
    )
    .await;
    let office_api = app.login("office").await;
    driver.goto(format!("{}/", app.base)).await?;
    login(driver, app, "office").await?;
    // The post and its weekly quota.
    driver
        .goto(format!("{}/quotas?month=2022-07", app.base))
        .await?;
    driver
        .execute(
            "document.querySelector('#quota-table').open = true;",
            vec![],
        )
        .await?;
    let form = driver.find(By::Id("post-form")).await?;
    fill(&form, "name", "执法支队分管负责人").await?;
    choose(&form, "unit_kind", "区级部门").await?;
    fill(&form, "source", "（34）").await?;
    submit(&form).await?;
    text_when(driver, "p.flash", |t| t.contains("已保存")).await?;
    driver
        .execute(
            "document.querySelector('#quota-table').open = true;",
            vec![],
        )
        .await?;
    let form = driver.find(By::Id("quota-form")).await?;
    choose(&form, "post", "执法支队分管负责人").await?;
    choose(&form, "activity", "协调调度").await?;
    choose(&form, "period", "每周").await?;
    fill(&form, "minimum", "1").await?;
    fill(&form, "source", "（34）").await?;
    submit(&form).await?;
    text_when(driver, "p.flash", |t| t.contains("已保存")).await?;
    driver
        .execute(
            "document.querySelector('#quota-table').open = true;",
            vec![],
        )
        .await?;
    let posts = driver.find(By::Id("posts")).await?.text().await?;
    assert!(posts.contains("执法支队分管负责人"), "{posts}");
    // An official of the building commission appointed to it.
    driver
        .goto(format!("{}/duty-records/new", app.base))
        .await?;
    driver
        .execute(
            "document.querySelector('#official-form').closest('details').open = true;",
            vec![],
        )
        .await?;
    let form = driver.find(By::Id("official-form")).await?;
    choose(&form, "unit", "区住房城乡建委").await?;
    fill(&form, "name", "赵六").await?;
    fill(&form, "title", "执法支队分管副主任").await?;
    choose(&form, "post", "执法支队分管负责人").await?;
    submit(&form).await?;
    driver
        .goto(format!("{}/quotas?month=2022-07", app.base))
        .await?;
    let short = text_when(driver, "#short", |t| t.contains("赵六")).await?;
    assert!(short.contains("每周协调调度至少1次：0/5"), "{short}");
    shot(driver, "quotas-new-post.png").await?;
    // His duty file, week by week.
    driver
        .find(By::XPath(
            "//a[contains(@class, 'file-link') and contains(., '赵六')]",
        ))
        .await?
        .click()
        .await?;
    let missed = text_when(driver, "#file-missed", |t| !t.is_empty()).await?;
    assert!(missed.parse::<i64>().unwrap_or(0) >= 5, "{missed}");
    shot(driver, "duty-file.png").await?;
    let href = driver
        .find(By::Id("file-docx"))
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    let (s, _, bytes) = office_api.get_bytes(&href).await;
    assert_eq!(s, 200, "{href}");
    assert!(crate::harness::docx_text(&bytes).contains("赵六"));
    // A tip taken on the 12350 hotline.
    driver.goto(format!("{}/tips", app.base)).await?;
    driver.find(By::Id("record-offline")).await?.click().await?;
    let form = driver.find(By::Id("offline-tip-form")).await?;
    choose(&form, "channel", "12350热线").await?;
    driver
        .execute(
            "document.querySelector('#offline-tip-form [name=received_at]').value = '2022-08-09T06:30';",
            vec![],
        )
        .await?;
    choose(&form, "category", "安全生产违法行为").await?;
    choose(&form, "sector", "建筑施工").await?;
    fill(&form, "place", "巴川街道某在建小区").await?;
    fill(&form, "description", "夜间塔吊作业无人指挥").await?;
    submit(&form).await?;
    let receipt = text_when(driver, "#receipt", |t| t.len() >= 22).await?;
    shot(driver, "offline-tip.png").await?;
    // The reporter follows it with the receipt read out to them.
    logout(driver).await?;
    driver.find(By::Id("username")).await?;
    driver.goto(format!("{}/tip/status", app.base)).await?;
    fill(
        &driver.find(By::Id("status-form")).await?,
        "receipt",
        &receipt,
    )
    .await?;
    driver
        .find(By::Css("#status-form button"))
        .await?
        .click()
        .await?;
    let status = text_when(driver, "#tip-status", |t| t.contains("办理状态")).await?;
    assert!(status.contains("夜间塔吊作业无人指挥"), "{status}");
    // The year closed: 安居镇 vetoed, 巴川街道 not for its enterprise's concealment.
    driver.goto(format!("{}/login", app.base)).await?;
    login(driver, app, "office").await?;
    driver
        .goto(format!("{}/assessments?year=2022", app.base))
        .await?;
    let table = text_when(driver, "#assessment-1", |t| t.contains("安居镇")).await?;
    let anju_id = app.unit_id("安居镇").await;
    let bachuan_id = app.unit_id("巴川街道").await;
    let anju = driver
        .find(By::Id(format!("unit-{anju_id}")))
        .await?
        .text()
        .await?;
    assert!(anju.contains("不合格（一票否决）"), "{anju}\n{table}");
    let bachuan = driver
        .find(By::Id(format!("unit-{bachuan_id}")))
        .await?
        .text()
        .await?;
    assert!(!bachuan.contains("一票否决"), "{bachuan}");
    shot(driver, "annual-assessment.png").await?;
    let (s, _, bytes) = office_api.get_bytes("/assessments/2022.docx").await;
    assert_eq!(s, 200);
    assert!(crate::harness::docx_text(&bytes).contains("安居镇"));
    Ok(())
}

#[tokio::test]
async fn the_city_office_ranks_its_districts_issues_its_plan_and_lists_a_hazard() {
    let Some((_chromedriver, driver)) = session(14).await else {
        return;
    };
    let (a, b, city) = (
        TestApp::new(Engine::Sqlite).await,
        TestApp::new(Engine::Sqlite).await,
        TestApp::new(Engine::Sqlite).await,
    );
    let result = city_journey(&driver, &a, &b, &city).await;
    driver.quit().await.ok();
    result.expect("city journey");
}

/// Issue 21 part 3: the city office opens 全市汇总 from its home page, sees both
/// districts ranked with each score explained, issues its plan to both, and lists
/// district 甲区's major hazard for supervision at city level; 甲区's office then finds
/// the listing on the hazard's page and has no city page of its own.
async fn city_journey(
    driver: &WebDriver,
    a: &TestApp,
    b: &TestApp,
    city: &TestApp,
) -> WebDriverResult<()> {
    let bachuan = a.login("bachuan").await;
    let (s, m) = bachuan
        .post(
            "/api/v1/hazards",
            crate::hazards::major(a.unit_id("巴川街道").await),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let major = m["id"].as_i64().unwrap();
    crate::city::city_plan(city).await;
    let base = crate::harness::serve(city.state.clone().with_districts(vec![
        anjian_store::city::District {
            no: 1,
            name: "甲区".into(),
            db: a.db.clone(),
        },
        anjian_store::city::District {
            no: 2,
            name: "乙区".into(),
            db: b.db.clone(),
        },
    ]))
    .await;
    driver.goto(format!("{base}/")).await?;
    login(driver, city, "office").await?;
    driver.goto(format!("{base}/")).await?;
    driver
        .find(By::XPath("//a[contains(., '全市汇总')]"))
        .await?
        .click()
        .await?;
    let table = driver.find(By::Id("districts")).await?;
    let text = table.text().await?;
    assert!(text.contains("甲区") && text.contains("乙区"), "{text}");
    table.find(By::Css("#d1 summary")).await?.click().await?;
    let parts = driver.find(By::Css("#d1 ul.parts")).await?.text().await?;
    assert!(
        parts.contains("按时完成率") && parts.contains("隐患整改率"),
        "{parts}"
    );
    shot(driver, "city.png").await?;
    driver
        .find(By::XPath("//form[contains(@action, '/issue')]//button"))
        .await?
        .click()
        .await?;
    // Two campaigns of 13,000 obligations each are launched: in a debug build beside
    // the other tests this takes a while.
    let flash = text_within(driver, ".flash.ok", |t| t.contains("已下发"), 600).await?;
    assert!(
        flash.contains("甲区（") && flash.contains("乙区（") && flash.contains("项应办事项"),
        "{flash}"
    );
    driver.goto(format!("{base}/city/districts/1")).await?;
    driver
        .execute(
            &format!("document.querySelector('#h{major} details').open = true; document.querySelector('#h{major} [name=deadline]').value = '2022-09-30';"),
            vec![],
        )
        .await?;
    let form = driver.find(By::Css(format!("#h{major} form"))).await?;
    fill(&form, "leader", "市应急局副局长王五").await?;
    form.find(By::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let row = text_when(driver, &format!("#h{major}"), |t| {
        t.contains("市级挂牌督办中")
    })
    .await?;
    assert!(row.contains("储罐区"), "{row}");
    shot(driver, "city-listing.png").await?;
    // 甲区's office: the city's listing on the hazard's page, and no city page.
    let office = a.login("office").await;
    let (s, page) = office.get_text(&format!("/hazards/{major}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("市级挂牌督办：市应急局副局长王五"), "{page}");
    let (s, page) = office.get_text("/city").await;
    assert_eq!(s, 404);
    assert!(page.contains("页面不存在"), "{page}");
    Ok(())
}
