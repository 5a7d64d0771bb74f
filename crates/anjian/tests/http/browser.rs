//! A user journey in headless Chromium: log in and see the home page. Runs when
//! chromedriver is installed (CI installs it and sets ANJIAN_BROWSER_TESTS=1, which
//! turns a missing driver into a failure).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use thirtyfour::prelude::*;

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

#[tokio::test]
async fn office_logs_in_and_sees_home_then_a_township_sees_only_its_units() {
    let port = 9515 + (std::process::id() % 400) as u16;
    let Some(_driver) = start_driver(port) else {
        return;
    };
    tokio::time::sleep(Duration::from_millis(800)).await;
    let app = TestApp::new(Engine::Sqlite).await;
    let mut caps = DesiredCapabilities::chrome();
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
    let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .expect("webdriver session");
    let result = journey(&driver, &app).await;
    driver.quit().await.ok();
    result.expect("browser journey");
}

async fn shot(driver: &WebDriver, name: &str) -> WebDriverResult<()> {
    if let Ok(dir) = std::env::var("ANJIAN_SCREENSHOTS") {
        driver
            .screenshot(&std::path::Path::new(&dir).join(name))
            .await?;
    }
    Ok(())
}

async fn login(driver: &WebDriver, username: &str) -> WebDriverResult<()> {
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
    driver.find(By::Id("login-submit")).await?.click().await?;
    driver.find(By::Id("welcome")).await?;
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
    // Elements after a navigation appear when the page has loaded: wait for them.
    driver
        .set_implicit_wait_timeout(Duration::from_secs(10))
        .await?;
    driver.goto(format!("{}/", app.base)).await?;
    // Not logged in: the login page, then the home page.
    login(driver, "office").await?;
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
    logout(driver).await?;

    // A township operator sees its own subtree only.
    login(driver, "bachuan").await?;
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
    logout(driver).await?;

    // The auditor verifies the chain.
    login(driver, "auditor").await?;
    driver.goto(format!("{}/audit/verify", app.base)).await?;
    let verdict = driver.find(By::Id("verify-result")).await?.text().await?;
    assert!(verdict.contains("审计链完整"), "{verdict}");
    shot(driver, "audit.png").await?;
    Ok(())
}
