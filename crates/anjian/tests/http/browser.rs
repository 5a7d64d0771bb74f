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
    let result = async {
        // Elements after a navigation appear when the page has loaded: wait for them.
        driver
            .set_implicit_wait_timeout(Duration::from_secs(10))
            .await?;
        driver.goto(format!("{}/", app.base)).await?;
        // Not logged in: the login page.
        driver
            .find(By::Id("username"))
            .await?
            .send_keys("office")
            .await?;
        driver
            .find(By::Id("password"))
            .await?
            .send_keys(PASSWORD)
            .await?;
        driver.find(By::Id("login-submit")).await?.click().await?;
        let welcome = driver.find(By::Id("welcome")).await?.text().await?;
        assert!(welcome.contains("区安委办管理员"), "{welcome}");
        let body = driver.find(By::Tag("body")).await?.text().await?;
        assert!(body.contains("全区"), "the office's scope is the district");
        if let Ok(dir) = std::env::var("ANJIAN_SCREENSHOTS") {
            driver
                .screenshot(&std::path::Path::new(&dir).join("home-office.png"))
                .await?;
        }
        // Log out through the menu's form (the phone layout hides it behind ☰).
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
        driver
            .find(By::Id("username"))
            .await?
            .send_keys("bachuan")
            .await?;
        driver
            .find(By::Id("password"))
            .await?
            .send_keys(PASSWORD)
            .await?;
        driver.find(By::Id("login-submit")).await?.click().await?;
        driver.find(By::Id("welcome")).await?;
        driver.goto(format!("{}/units", app.base)).await?;
        let list = driver.find(By::Id("unit-list")).await?.text().await?;
        assert!(
            list.contains("巴川街道") && !list.contains("安居镇"),
            "{list}"
        );
        if let Ok(dir) = std::env::var("ANJIAN_SCREENSHOTS") {
            driver
                .screenshot(&std::path::Path::new(&dir).join("units-township.png"))
                .await?;
        }
        WebDriverResult::Ok(())
    }
    .await;
    driver.quit().await.ok();
    result.expect("browser journey");
}
