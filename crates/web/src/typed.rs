//! Nothing typed is lost (issue 17): when a form is refused, the page that comes back
//! (422, see [`crate::error::render_form`]) shows every value the user typed or chose,
//! and each problem beside its field, for every form of the product in one place.
//!
//! A layer keeps the body of each form post (bounded), and when the answer is a
//! refused page it rewrites that page with `lol_html` (Cloudflare's streaming HTML
//! rewriter): in the form that was sent (its `action` is the posted path), each text
//! input takes the value sent, each textarea its text, each select and radio or
//! checkbox its choice; each field with a problem (the [`crate::pages::Refusal`] the
//! handler put on the response) gets `aria-invalid` and the message beside it. Hidden
//! fields (kept uploads, ids), passwords and files are never written back. Pages that
//! already render their values and problems (the hazard and accident forms) are left
//! as they are: a field already marked `aria-invalid` is not marked twice.
//!
//! Files go the same way: the files of a refused multipart form (each checked by its
//! content) are stored and the form gets them back as sealed tokens in a hidden
//! `kept_files` field, named on the page, which the form extractors read on the next
//! submission ([`crate::upload::KEPT_FILES`]), so that nothing is attached twice.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lol_html::html_content::{ContentType, Element};
use lol_html::{RewriteStrSettings, element, rewrite_str};

use crate::AppState;
use crate::pages::Refusal;
use crate::upload::KEPT_FILES;

/// The largest form body kept to be written back (a multipart post above it, with its
/// files, is passed through untouched: its page shows the problems but not the values).
pub const MAX_KEPT_BODY: usize = 8 * 1024 * 1024;
/// The largest refused page rewritten (a page holds at most a few lists of 500 rows;
/// pages are far below it).
const MAX_PAGE: usize = 32 * 1024 * 1024;
/// The most fields written back, and the longest value.
const MAX_FIELDS: usize = 400;
const MAX_VALUE: usize = 20_000;

/// Field names never written back, whatever the form.
fn secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("password") || n == "code" || n == "secret" || n == "receipt"
}

enum Kind {
    UrlEncoded,
    Multipart(String),
}

/// A file part of a refused form: its name and bytes.
type SentFile = (String, Bytes);

/// The layer (on every page route).
pub async fn keep(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != Method::POST || req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let kind = if ct.starts_with("application/x-www-form-urlencoded") {
        Kind::UrlEncoded
    } else if ct.starts_with("multipart/form-data")
        && let Ok(b) = multer::parse_boundary(&ct)
    {
        Kind::Multipart(b)
    } else {
        return next.run(req).await;
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if matches!(kind, Kind::Multipart(_)) && declared.is_none_or(|n| n > MAX_KEPT_BODY) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let asker = req.extensions().get::<crate::refusals::Asker>().cloned();
    let (parts, body) = req.into_parts();
    // The outer body limit answers 413 before this bound matters for urlencoded posts.
    let bytes = match axum::body::to_bytes(body, MAX_KEPT_BODY.max(1)).await {
        Ok(b) => b,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    if response.status() != StatusCode::UNPROCESSABLE_ENTITY
        || !response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
    {
        return response;
    }
    let (sent, files) = match kind {
        Kind::UrlEncoded => (
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).unwrap_or_default(),
            Vec::new(),
        ),
        Kind::Multipart(boundary) => multipart_fields(bytes, boundary).await,
    };
    let user = asker.and_then(|a| a.actor()).and_then(|a| a.user_id);
    let refusal = response.extensions().get::<Refusal>().cloned();
    let (mut head, body) = response.into_parts();
    let Ok(page) = axum::body::to_bytes(body, MAX_PAGE).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(html) = std::str::from_utf8(&page) else {
        return Response::from_parts(head, Body::from(page));
    };
    // Files come back only where the page does not keep them itself (`kept`).
    let kept = match user {
        Some(user) if !html.contains("name=\"kept\"") => {
            let earlier = sent
                .iter()
                .find(|(k, _)| k == KEPT_FILES)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            kept_files(&state, user, earlier, files).await
        }
        _ => None,
    };
    let out = write_back(html, &path, &sent, refusal.as_ref(), kept.as_ref())
        .unwrap_or_else(|| html.to_string());
    head.headers.remove(header::CONTENT_LENGTH);
    head.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Response::from_parts(head, Body::from(out))
}

/// The text fields and the files of a multipart body.
async fn multipart_fields(
    bytes: Bytes,
    boundary: String,
) -> (Vec<(String, String)>, Vec<SentFile>) {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let mut m = multer::Multipart::new(stream, boundary);
    let (mut out, mut files) = (Vec::new(), Vec::new());
    while let Ok(Some(field)) = m.next_field().await {
        if out.len() >= MAX_FIELDS {
            break;
        }
        if let Some(file_name) = field.file_name().map(str::to_string) {
            if let Ok(b) = field.bytes().await
                && !b.is_empty()
                && files.len() < crate::upload::MAX_KEPT
            {
                files.push((file_name, b));
            }
            continue;
        }
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if let Ok(text) = field.text().await {
            out.push((name, text));
        }
    }
    (out, files)
}

/// The files a refused form keeps: the tokens of those kept before (`earlier`) and of
/// those just sent that pass the content check, stored now; with their names. None
/// when there are none.
async fn kept_files(
    state: &AppState,
    user: i64,
    earlier: &str,
    files: Vec<SentFile>,
) -> Option<(String, Vec<String>)> {
    let mut all = crate::upload::kept(state, user, earlier).await;
    let fresh: Vec<crate::upload::Pending> = files
        .into_iter()
        .filter_map(|(file_name, bytes)| {
            let kind = anjian_core::evidence::check(&bytes).ok()?;
            Some(crate::upload::Pending {
                bytes,
                mime: kind.mime(),
                file_name,
            })
        })
        .collect();
    all.extend(crate::upload::store(state, &fresh).await.ok()?);
    if all.is_empty() {
        return None;
    }
    let names = all.iter().map(|f| f.file_name.clone()).collect();
    Some((crate::upload::keep(state, user, &all), names))
}

/// Whether a form's `action` names `path` (an absent action posts to the page itself).
/// When no form of the page names it exactly (a second button of the form posts to a
/// path below, as 预览 or 报送 do with `formaction`), the form whose action is the
/// nearest parent of `path` is the one.
fn names(action: Option<String>, path: &str, exact: bool) -> bool {
    match action {
        None => true,
        Some(a) => {
            let a = a.split(['?', '#']).next().unwrap_or("");
            a == path
                || (!exact
                    && path
                        .strip_prefix(a)
                        .is_some_and(|rest| rest.starts_with('/') && !rest[1..].contains('/')))
        }
    }
}

/// Each problem by the form field it belongs to: the field of its own name, else the
/// one named with `_` for `.` (`penalty.kind` is the form's `penalty_kind`), else the
/// last part of the dotted name (`reporter.phone` is the form's `phone`); the first of
/// these the page has.
fn problems_by_field(html: &str, refusal: Option<&Refusal>) -> Vec<(String, String)> {
    let Some(r) = refusal else {
        return Vec::new();
    };
    r.fields
        .iter()
        .filter_map(|(f, m)| {
            let candidates = [
                f.clone(),
                f.replace('.', "_"),
                f.rsplit('.').next().unwrap_or(f).to_string(),
            ];
            candidates
                .into_iter()
                .find(|c| html.contains(&format!("name=\"{c}\"")))
                .map(|c| (c, m.clone()))
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The refused page `html` with the values `sent` to `path` written back into the
/// form that sent them, and the problems beside their fields. None when the page
/// cannot be rewritten (it is then shown as rendered).
pub fn write_back(
    html: &str,
    path: &str,
    sent: &[(String, String)],
    refusal: Option<&Refusal>,
    kept: Option<&(String, Vec<String>)>,
) -> Option<String> {
    let sent: Vec<(&str, &str)> = sent
        .iter()
        .take(MAX_FIELDS)
        .filter(|(k, v)| v.len() <= MAX_VALUE && !secret(k))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let value_of = |name: &str| sent.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    let chosen = |name: &str, value: &str| sent.iter().any(|(k, v)| *k == name && *v == value);
    let was_sent = |name: &str| sent.iter().any(|(k, _)| *k == name);
    // Whether the element being read is inside the form that was sent, the select an
    // option belongs to, and the fields already given their problem.
    let problems = problems_by_field(html, refusal);
    let problem_on = |name: &str| {
        problems
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    };
    let exact = html.contains(&format!("action=\"{path}\""));
    let inside = Rc::new(RefCell::new(false));
    let select: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
    let marked: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    let mark = |el: &mut Element<'_, '_>, name: &str| {
        if el.get_attribute("aria-invalid").is_some() {
            marked.borrow_mut().insert(name.to_string());
            return;
        }
        if let Some(m) = problem_on(name)
            && marked.borrow_mut().insert(name.to_string())
        {
            let _ = el.set_attribute("aria-invalid", "true");
            el.after(
                &format!("<span class=\"field-error\">{}</span>", escape(m)),
                ContentType::Html,
            );
        }
    };
    let out = rewrite_str(
        html,
        RewriteStrSettings {
            element_content_handlers: vec![
                element!("form", |el| {
                    let ours = el
                        .get_attribute("method")
                        .is_some_and(|m| m.eq_ignore_ascii_case("post"))
                        && names(el.get_attribute("action"), path, exact);
                    *inside.borrow_mut() = ours;
                    if ours && let Some((tokens, names)) = kept {
                        el.prepend(
                            &format!(
                                "<input type=\"hidden\" name=\"{KEPT_FILES}\" value=\"{}\"><p class=\"hint\" id=\"kept-files\">已上传的文件（不必重新选择，将随本次提交保存）：{}</p>",
                                escape(tokens),
                                escape(&names.join("、"))
                            ),
                            ContentType::Html,
                        );
                    }
                    if ours && let Some(handlers) = el.end_tag_handlers() {
                        let inside = inside.clone();
                        let h: lol_html::EndTagHandler<'static> = Box::new(move |_| {
                            *inside.borrow_mut() = false;
                            Ok(())
                        });
                        handlers.push(h);
                    }
                    Ok(())
                }),
                element!("input[name]", |el| {
                    if !*inside.borrow() {
                        return Ok(());
                    }
                    let name = el.get_attribute("name").unwrap_or_default();
                    let kind = el
                        .get_attribute("type")
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    match kind.as_str() {
                        "hidden" | "password" | "file" | "submit" | "button" | "image"
                        | "reset" => {}
                        "checkbox" | "radio" => {
                            let v = el.get_attribute("value").unwrap_or_else(|| "on".into());
                            if chosen(&name, &v) {
                                let _ = el.set_attribute("checked", "");
                            } else if was_sent(&name) || kind == "checkbox" {
                                el.remove_attribute("checked");
                            }
                        }
                        _ => {
                            if !secret(&name)
                                && let Some(v) = value_of(&name)
                            {
                                let _ = el.set_attribute("value", v);
                            }
                        }
                    }
                    if kind != "hidden" {
                        mark(el, &name);
                    }
                    Ok(())
                }),
                element!("textarea[name]", |el| {
                    if !*inside.borrow() {
                        return Ok(());
                    }
                    let name = el.get_attribute("name").unwrap_or_default();
                    if let Some(v) = value_of(&name) {
                        el.set_inner_content(v, ContentType::Text);
                    }
                    mark(el, &name);
                    Ok(())
                }),
                element!("select[name]", |el| {
                    if !*inside.borrow() {
                        return Ok(());
                    }
                    let name = el.get_attribute("name").unwrap_or_default();
                    *select.borrow_mut() = was_sent(&name).then(|| name.clone());
                    if let Some(handlers) = el.end_tag_handlers() {
                        let select = select.clone();
                        let h: lol_html::EndTagHandler<'static> = Box::new(move |_| {
                            *select.borrow_mut() = None;
                            Ok(())
                        });
                        handlers.push(h);
                    }
                    mark(el, &name);
                    Ok(())
                }),
                element!("option[value]", |el| {
                    let Some(name) = select.borrow().clone() else {
                        return Ok(());
                    };
                    let v = el.get_attribute("value").unwrap_or_default();
                    if chosen(&name, &v) {
                        let _ = el.set_attribute("selected", "");
                    } else {
                        el.remove_attribute("selected");
                    }
                    Ok(())
                }),
            ],
            ..RewriteStrSettings::new()
        },
    );
    out.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(fields: &[(&str, &str)]) -> Refusal {
        Refusal {
            summary: String::new(),
            fields: fields
                .iter()
                .map(|(f, m)| (f.to_string(), m.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_sent_form_gets_its_values_and_problems_back() {
        let page = r#"<form method="post" action="/x"><input name="place"><textarea name="note"></textarea><select name="kind"><option value="a" selected>A</option><option value="b">B</option></select><input type="radio" name="who" value="1" checked><input type="radio" name="who" value="2"><input type="password" name="password"><input type="hidden" name="kept" value="t"></form><form method="post" action="/y"><input name="place"></form>"#;
        let sent: Vec<(String, String)> = [
            ("place", "某加油站\"储罐区\""),
            ("note", "<b>一</b>\n二"),
            ("kind", "b"),
            ("who", "2"),
            ("password", "hunter2"),
            ("kept", "other"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let r = refusal(&[("place", "请填写地点"), ("reporter.note", "太长")]);
        let out = write_back(page, "/x", &sent, Some(&r), None).unwrap();
        assert!(out.contains(r#"<input name="place" value="某加油站&quot;储罐区&quot;" aria-invalid="true"><span class="field-error">请填写地点</span>"#), "{out}");
        assert!(
            out.contains(
                "&lt;b&gt;一&lt;/b&gt;\n二</textarea><span class=\"field-error\">太长</span>"
            ),
            "{out}"
        );
        assert!(
            out.contains(r#"<option value="a">A</option><option value="b" selected="">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"value="1">"#) && out.contains(r#"value="2" checked="">"#),
            "{out}"
        );
        assert!(
            !out.contains("hunter2") && out.contains(r#"value="t""#),
            "{out}"
        );
        // The other form is left alone.
        assert!(
            out.ends_with(r#"<form method="post" action="/y"><input name="place"></form>"#),
            "{out}"
        );
    }

    #[test]
    fn a_field_the_page_already_marked_is_not_marked_twice() {
        let page = r#"<form method="post"><input name="place" aria-invalid="true"><span class="field-error">x</span></form>"#;
        let r = refusal(&[("place", "请填写地点")]);
        let out = write_back(page, "/x", &[], Some(&r), None).unwrap();
        assert_eq!(out.matches("field-error").count(), 1, "{out}");
    }
}
