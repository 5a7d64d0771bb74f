//! Hostile input on every route (issue 16 part 7), generated rather than listed:
//! - every API operation of the OpenAPI document, its body's every property, its query
//!   parameters and its path parameters, each given NUL, bidi overrides, a 100 kB
//!   string, wrong types, huge and negative numbers, malformed dates and unknown enum
//!   values in turn;
//! - every form of every page the office and the administrators reach, its every field
//!   given the same strings.
//!
//! No answer is a 5xx; every refusal of the API is a 4xx carrying a Chinese message.

use anjian_core::role::Role;
use serde_json::{Value, json};

use crate::harness::{Client, TestApp, engines};

/// JSON values that a property of any type may receive.
fn hostile_json() -> Vec<Value> {
    vec![
        json!("\u{0}"),
        json!("a\u{0}b"),
        json!("\u{202e}gnp.exe"),
        json!("长".repeat(34_000)),
        json!("2022-13-45"),
        json!("not_a_known_value"),
        json!(""),
        json!(-1),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(1e300),
        json!(true),
        json!([]),
        json!({"a": 1}),
        Value::Null,
    ]
}

/// Strings for query parameters, path parameters and form fields (percent-encoded
/// where they go into a URL).
const HOSTILE_TEXT: &[&str] = &[
    "\u{0}",
    "a\u{0}b",
    "\u{202e}x",
    "-1",
    "9223372036854775808",
    "-9223372036854775809",
    "2022-13-45",
    "not_a_known_value",
    "' OR 1=1 --",
    "",
];

/// Routes left out, and why.
fn left_out(path: &str) -> bool {
    // Logging in and out is covered by `hostile::nothing_a_user_types_causes_a_500`
    // and would end the session or spend the login rate limit; a wrong step-up code
    // counts towards the account's lock.
    ["/login", "/logout", "/api/v1/auth/", "/account/step-up"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// A demo account that enters the area of `path`: the office for business data, else
/// the first administrator admitted.
fn actor_for(path: &str) -> &'static str {
    let area = anjian_web::areas::area_of(path);
    [
        ("office", Role::OfficeAdmin),
        ("sysadmin", Role::SystemAdmin),
        ("auditor", Role::Auditor),
        ("tipkeeper", Role::TipCustodian),
    ]
    .into_iter()
    .find(|(_, r)| r.enters(area))
    .map(|(u, _)| u)
    .unwrap_or("office")
}

/// An existing object's id for the first segment of `path`, so that the handler
/// reaches its checks rather than stopping at "not found".
async fn some_id(app: &TestApp, path: &str) -> i64 {
    let rest = path.strip_prefix("/api/v1").unwrap_or(path);
    let table = match rest.trim_start_matches('/').split('/').next().unwrap_or("") {
        "hazards" => "hazards",
        "obligations" => "obligations",
        "tips" => "tips",
        "accidents" => "accidents",
        "enforcements" => "enforcements",
        "visits" => "visits",
        "warnings" => "warnings",
        "cases" => "cases",
        "campaigns" => "campaigns",
        "groups" => "unit_groups",
        "special-periods" => "special_periods",
        "duty-records" => "duty_records",
        "circuit-breakers" => "circuit_breakers",
        "accountability" => "accountability",
        "projects" => "projects",
        "project-reviews" => "project_reviews",
        "blacklist" => "blacklist",
        "crackdown-cases" | "crackdown" => "crackdown_cases",
        // The newest account: never one of the accounts acting here.
        "users" => return max_id(app, "users").await,
        _ => "units",
    };
    let sql = format!("SELECT CAST(COALESCE(MIN(id), 1) AS BIGINT) FROM {table}");
    let (id,): (i64,) = app
        .db
        .read()
        .one(anjian_store::q(sql))
        .await
        .unwrap_or((1,));
    id
}

async fn max_id(app: &TestApp, table: &str) -> i64 {
    let (id,): (i64,) = app
        .db
        .read()
        .one(anjian_store::q(format!(
            "SELECT CAST(MAX(id) AS BIGINT) FROM {table}"
        )))
        .await
        .unwrap();
    id
}

/// `path` with its parameters filled in with real values.
async fn filled(app: &TestApp, path: &str) -> String {
    let id = some_id(app, path).await;
    path.replace("{id}", &id.to_string())
        .replace("{month}", "2022-07")
        .replace("{year}", "2022")
        .replace("{receipt}", "X7K2M9Q4X7K2M9Q4X7K2M9")
        .replace("{kind}", "township")
        .replace("{period}", "1")
        .replace("{no}", "1")
        .replace("{n}", "0")
        .replace("{sha}", "0000")
        .replace("{file}", "qr.png")
}

/// Percent-encodes a value for a URL.
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A plausible value for a property of `schema`: the body around the hostile one.
fn plausible(schema: &Value, doc: &Value) -> Value {
    let schema = resolve(schema, doc);
    if let Some(e) = schema["enum"].as_array().and_then(|e| e.first()) {
        return e.clone();
    }
    let ty = match &schema["type"] {
        Value::Array(a) => a
            .iter()
            .find(|t| *t != "null")
            .cloned()
            .unwrap_or(Value::Null),
        t => t.clone(),
    };
    match ty.as_str() {
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => json!({}),
        Some("string") => match schema["format"].as_str() {
            Some("date") => json!("2022-08-10"),
            Some("date-time") => json!("2022-08-10T08:00:00+08:00"),
            _ => json!("测试内容"),
        },
        _ => json!("测试内容"),
    }
}

type Object = serde_json::Map<String, Value>;

/// The JSON body of operation `op` with every property plausible, and its properties'
/// schemas (`None` when the operation takes no JSON object).
pub(crate) fn plausible_body<'a>(op: &'a Value, doc: &'a Value) -> Option<(Object, &'a Object)> {
    let schema = resolve(
        &op["requestBody"]["content"]["application/json"]["schema"],
        doc,
    );
    let props = schema["properties"].as_object()?;
    let body = props
        .iter()
        .map(|(k, s)| (k.clone(), plausible(s, doc)))
        .collect();
    Some((body, props))
}

/// `schema` with a `$ref` followed.
fn resolve<'a>(schema: &'a Value, doc: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let mut at = doc;
            for part in r.trim_start_matches("#/").split('/') {
                at = &at[part];
            }
            at
        }
        None => schema,
    }
}

/// Sends and answers the status and the JSON answer (null when it is not JSON).
pub(crate) async fn send(
    c: &Client,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    match (method, body) {
        ("get", _) => c.get(path).await,
        ("put", Some(b)) => c.put(path, b.clone()).await,
        ("delete", Some(b)) => c.delete(path, b.clone()).await,
        ("patch", Some(b)) => c.patch(path, b.clone()).await,
        (_, b) => c.post(path, b.cloned().unwrap_or(json!({}))).await,
    }
}

/// Judges one answer of the API: no 5xx; a 4xx says what is wrong, in Chinese.
fn judge_api(problems: &mut Vec<String>, what: String, (s, v): (u16, Value)) {
    if s >= 500 {
        problems.push(format!("{what} → {s}"));
    } else if (400..500).contains(&s) && s != 404 && s != 405 {
        let message = v["error"]["message"].as_str().unwrap_or("");
        if !message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        {
            problems.push(format!("{what} → {s} without a Chinese message: {v}"));
        }
    }
}

#[tokio::test]
async fn no_hostile_value_on_any_api_route_causes_a_5xx() {
    for e in engines() {
        let app = TestApp::new(e).await;
        let (_, doc) = app.anon().get("/api/v1/openapi.json").await;
        let mut clients = std::collections::HashMap::new();
        for u in ["office", "sysadmin", "auditor", "tipkeeper"] {
            clients.insert(u, app.login(u).await);
        }
        let (mut problems, mut sent, mut operations) = (Vec::new(), 0usize, 0usize);
        for (template, item) in doc["paths"].as_object().unwrap() {
            if left_out(template) {
                continue;
            }
            let c = &clients[actor_for(template)];
            let path = filled(&app, template).await;
            for method in ["get", "post", "put", "patch", "delete"] {
                let op = &item[method];
                if op.is_null() {
                    continue;
                }
                operations += 1;
                // The body: every property plausible, then each hostile in turn.
                if let Some((base, props)) = plausible_body(op, &doc) {
                    for name in props.keys() {
                        for bad in hostile_json() {
                            let mut body = base.clone();
                            body.insert(name.clone(), bad.clone());
                            let body = Value::Object(body);
                            let answer = send(c, method, &path, Some(&body)).await;
                            sent += 1;
                            let shown: String = bad.to_string().chars().take(24).collect();
                            judge_api(
                                &mut problems,
                                format!("{method} {template} {name}={shown}"),
                                answer,
                            );
                        }
                    }
                } else if method != "get" {
                    for bad in hostile_json() {
                        let answer = send(c, method, &path, Some(&bad)).await;
                        sent += 1;
                        judge_api(&mut problems, format!("{method} {template} body"), answer);
                    }
                }
                // Query and path parameters.
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let name = p["name"].as_str().unwrap_or_default();
                    for bad in HOSTILE_TEXT {
                        let url = match p["in"].as_str() {
                            Some("query") => {
                                let sep = if path.contains('?') { '&' } else { '?' };
                                format!("{path}{sep}{name}={}", encode(bad))
                            }
                            Some("path") => {
                                let t = template.replace(&format!("{{{name}}}"), &encode(bad));
                                filled(&app, &t).await
                            }
                            _ => continue,
                        };
                        let answer = send(c, method, &url, None).await;
                        sent += 1;
                        judge_api(&mut problems, format!("{method} {url}"), answer);
                    }
                }
            }
        }
        assert!(
            operations > 100 && sent > 3_000,
            "{operations} operations, {sent} requests"
        );
        assert!(
            problems.is_empty(),
            "{} of {sent} hostile requests on {e:?}:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
}

/// A form of a page: where it posts, and its fields with the values the page gave.
#[derive(Debug)]
struct Form {
    action: String,
    fields: Vec<(String, String)>,
}

/// The value of attribute `name` in the tag `tag`.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let end = tag[i..].find('"')?;
    Some(tag[i..i + end].replace("&amp;", "&"))
}

/// The POST forms of a page.
fn forms(html: &str, page: &str) -> Vec<Form> {
    let mut out = Vec::new();
    for chunk in html.split("<form").skip(1) {
        let body = chunk.split("</form>").next().unwrap_or("");
        let tag = &body[..body.find('>').unwrap_or(0)];
        if !attr(tag, "method").is_some_and(|m| m.eq_ignore_ascii_case("post")) {
            continue;
        }
        let action = attr(tag, "action").unwrap_or_else(|| page.to_string());
        let mut fields = Vec::new();
        for kind in ["<input", "<select", "<textarea"] {
            for f in body.split(kind).skip(1) {
                let ftag = &f[..f.find('>').unwrap_or(0)];
                let Some(name) = attr(ftag, "name") else {
                    continue;
                };
                let value = attr(ftag, "value").unwrap_or_else(|| "1".into());
                fields.push((name, value));
            }
        }
        out.push(Form { action, fields });
    }
    out
}

#[tokio::test]
async fn no_hostile_value_in_any_page_form_causes_a_5xx() {
    let routes = crate::matrix::routes();
    for e in engines() {
        let app = TestApp::new(e).await;
        let mut clients = std::collections::HashMap::new();
        for u in ["office", "sysadmin", "auditor", "tipkeeper"] {
            clients.insert(u, app.login(u).await);
        }
        let (mut problems, mut sent) = (Vec::new(), 0usize);
        let mut seen = std::collections::HashSet::new();
        for (template, methods) in &routes {
            if template.starts_with("/api/") || !methods.contains(&"GET") || left_out(template) {
                continue;
            }
            let user = actor_for(template);
            let c = &clients[user];
            let page = filled(&app, template).await;
            let (s, html) = c.get_text(&page).await;
            if s != 200 || !html.contains("<form") {
                continue;
            }
            for form in forms(&html, &page) {
                let action = form.action.split('?').next().unwrap_or("").to_string();
                if left_out(&action) || !seen.insert((user, action.clone())) {
                    continue;
                }
                for (i, (name, _)) in form.fields.iter().enumerate() {
                    if name == "csrf" {
                        continue;
                    }
                    for bad in HOSTILE_TEXT.iter().copied().chain([&*"长".repeat(34_000)]) {
                        let mut fields: Vec<(&str, &str)> = form
                            .fields
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_str()))
                            .collect();
                        fields[i].1 = bad;
                        let (s, _) = c.form(&form.action, &fields).await;
                        sent += 1;
                        if s >= 500 {
                            let shown: String = bad.chars().take(24).collect();
                            problems.push(format!(
                                "{user} POST {} {name}={shown:?} → {s}",
                                form.action
                            ));
                        }
                    }
                }
            }
        }
        assert!(
            seen.len() > 40 && sent > 1_000,
            "{} forms, {sent} requests",
            seen.len()
        );
        assert!(
            problems.is_empty(),
            "{} of {sent} hostile form posts on {e:?}:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
}
