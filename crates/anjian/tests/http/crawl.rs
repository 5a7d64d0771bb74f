//! Every link each demo role can reach leads somewhere it may go (issue 17 part 4): a
//! crawl from the home page over the pages' links, as every demo role, finds no link
//! answering 403, 404 or 5xx. Links that differ only in their ids are followed a few
//! times each (the first three of a shape), so the crawl covers every kind of page
//! without walking every hazard of the demo.

use std::collections::{HashMap, HashSet, VecDeque};

use anjian_core::permission::MENU;

use crate::harness::{Client, TestApp, engines};

/// The demo's roles, one account each.
const ROLES: &[&str] = &[
    "office",
    "bachuan",
    "bachuan_leader",
    "huagong",
    "sysadmin",
    "secadmin",
    "auditor",
    "tipkeeper",
    "fgw",
    "zjw",
    "chengtou",
];

/// How many links of one shape (ids written `{id}`) are followed.
const PER_SHAPE: usize = 3;

/// The most pages one role's crawl opens.
const MAX_PAGES: usize = 600;

/// The `href`s of a page, same-origin paths only.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("href=\"") {
        rest = &rest[i + 6..];
        let Some(end) = rest.find('"') else { break };
        let href = rest[..end].replace("&amp;", "&");
        rest = &rest[end..];
        if href.starts_with('/') && !href.starts_with("//") {
            out.push(href.split('#').next().unwrap_or("").to_string());
        }
    }
    out
}

/// A path with its numbers (ids, months, receipts) written `{id}`, and its query's
/// names without their values.
fn shape(path: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let p: String = p
        .split('/')
        .map(|s| {
            if s.chars().any(|c| c.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut names: Vec<&str> = q
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    format!("{p}?{}", names.join("&"))
}

/// Links not to follow: leaving the session, and static files.
fn skipped(path: &str) -> bool {
    path.starts_with("/logout") || path.starts_with("/static/") || path == "/login"
}

/// What a crawl found: the HTML pages opened, and the links that answered 403, 404 or
/// 5xx ("path → status (linked from …)").
pub(crate) struct Crawl {
    pub pages: Vec<String>,
    pub broken: Vec<String>,
}

/// Crawls from the home page as the client's user, following each link shape up to
/// `per_shape` times and opening at most `max` pages.
pub(crate) async fn crawl(c: &Client, per_shape: usize, max: usize) -> Crawl {
    let mut found = Crawl {
        pages: Vec::new(),
        broken: Vec::new(),
    };
    let mut seen: HashSet<String> = HashSet::new();
    let mut shapes: HashMap<String, usize> = HashMap::new();
    // (the page, the page that linked to it)
    let mut queue: VecDeque<(String, String)> = VecDeque::new();
    queue.push_back(("/".into(), "(start)".into()));
    seen.insert("/".into());
    let mut opened = 0;
    while let Some((path, from)) = queue.pop_front() {
        if opened >= max {
            break;
        }
        opened += 1;
        let res = c
            .http
            .get(format!("{}{}", c.base, path))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        if status == 403 || status == 404 || status >= 500 {
            found
                .broken
                .push(format!("{path} → {status} (linked from {from})"));
            continue;
        }
        let html = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        let next: Vec<String> = if (300..400).contains(&status) {
            res.headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(|l| vec![l.to_string()])
                .unwrap_or_default()
        } else if html {
            found.pages.push(path.clone());
            links(&res.text().await.unwrap_or_default())
        } else {
            Vec::new()
        };
        for l in next {
            if skipped(&l) || seen.contains(&l) {
                continue;
            }
            let n = shapes.entry(shape(&l)).or_default();
            if *n >= per_shape {
                continue;
            }
            *n += 1;
            seen.insert(l.clone());
            queue.push_back((l, path.clone()));
        }
    }
    found
}

#[tokio::test]
async fn no_link_any_role_sees_leads_to_403_404_or_5xx() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let mut broken = Vec::new();
        let mut opened_total = 0;
        for login in ROLES {
            let c = app.login(login).await;
            let found = crawl(&c, PER_SHAPE, MAX_PAGES).await;
            assert!(found.pages.len() > 1, "{login} opened only its home page");
            opened_total += found.pages.len();
            broken.extend(found.broken.into_iter().map(|b| format!("{login}: {b}")));
        }
        assert!(opened_total > 300, "the crawl opened {opened_total} pages");
        assert!(
            broken.is_empty(),
            "{} broken links:\n{}",
            broken.len(),
            broken.join("\n")
        );
    }
}

/// The menu is the permission table (`core::permission::MENU`): each role is shown an
/// entry exactly when it may open it.
#[tokio::test]
async fn every_role_is_shown_exactly_the_menu_entries_it_may_open() {
    let app = TestApp::new(engines()[0]).await;
    let mut wrong = Vec::new();
    for (login, role) in crate::matrix::DEMO_ROLES {
        let c = app.login(login).await;
        let (_, home) = c.get_text("/").await;
        for e in MENU {
            let shown = (e.shown)(role);
            let (s, _) = c.get_text(e.path).await;
            let opens = s < 400;
            if shown != opens {
                wrong.push(format!("{login} {} shown={shown} → {s}", e.path));
            }
            let in_menu = home.contains(&format!("href=\"{}\"", e.path));
            if shown != in_menu {
                wrong.push(format!("{login} {}: in the menu {in_menu}", e.path));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn shapes_group_links_that_differ_in_ids() {
    assert_eq!(shape("/hazards/123456"), "/hazards/{id}?");
    assert_eq!(
        shape("/rankings?month=2022-07&kind=township"),
        "/rankings?kind&month"
    );
    assert_eq!(
        links(r#"<a href="/a?x=1&amp;y=2">a</a><a href="https://x">b</a><a href="/b#c">"#),
        vec!["/a?x=1&y=2".to_string(), "/b".to_string()]
    );
}
