//! An HTTP client for the API as a caller sees it: anonymous, with a bearer token, or with a
//! browser session (cookie + CSRF token) obtained through the real sign-in form. Every answer
//! from `/api` is checked for the invariants that hold for all of them: never a 5xx, and every
//! error in the shape `{"error": {"code", "message", "field"?}}` with no internals in it.

use attain_app::Role;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use crate::support::TestApp;

/// How a request proves who sends it.
#[derive(Debug, Clone)]
pub enum Auth {
    Anonymous,
    Bearer(String),
    /// A browser session: the `attain_session` cookie value and the session's CSRF token
    /// (sent as `X-CSRF-Token` on unsafe methods unless the caller leaves it out).
    Session {
        cookie: String,
        csrf: String,
    },
}

/// A caller of one test server.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    pub auth: Auth,
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    Json(Value),
    /// Raw bytes with an optional Content-Type.
    Raw {
        content_type: Option<&'static str>,
        bytes: Vec<u8>,
    },
}

impl Body {
    pub fn csv(text: &str) -> Body {
        Body::Raw { content_type: Some("text/csv"), bytes: text.as_bytes().to_vec() }
    }

    pub fn json_text(text: &str) -> Body {
        Body::Raw { content_type: Some("application/json"), bytes: text.as_bytes().to_vec() }
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Reply {
    pub method: Method,
    pub path: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body as sent (for files that are not text).
    pub bytes: Vec<u8>,
}

impl Reply {
    /// The body as JSON; fails the test (showing the body) if it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!("{} {} → {}: body is not JSON ({e}): {}", self.method, self.path, self.status, self.text)
        })
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    /// Asserts the status, showing the request and body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Reply {
        assert_eq!(
            self.status, status,
            "{} {} answered {} (expected {status}): {}",
            self.method, self.path, self.status, self.text
        );
        self
    }

    /// Asserts an API error: this status and code, and (when given) the field it names.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str, field: Option<&str>) -> Value {
        self.expect(status);
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{} {}: {}", self.method, self.path, self.text);
        if let Some(field) = field {
            assert_eq!(body["error"]["field"], field, "{} {}: {}", self.method, self.path, self.text);
        }
        body
    }

    /// The `data` of a list answer.
    pub fn data(&self) -> Vec<Value> {
        self.json()["data"].as_array().cloned().unwrap_or_else(|| panic!("no data array: {}", self.text))
    }

    pub fn total(&self) -> u64 {
        self.json()["total"].as_u64().unwrap_or_else(|| panic!("no total: {}", self.text))
    }
}

/// Checks what every `/api` answer must satisfy.
fn check_invariants(reply: &Reply) {
    assert!(reply.status < 500, "{} {} answered {}: {}", reply.method, reply.path, reply.status, reply.text);
    let lower = reply.text.to_lowercase();
    assert!(
        !lower.contains("panicked") && !lower.contains("stack backtrace"),
        "{} {} leaks internals: {}",
        reply.method,
        reply.path,
        reply.text
    );
    if reply.status >= 400 && reply.path.starts_with("/api/") {
        let body: Value = serde_json::from_str(&reply.text).unwrap_or_else(|_| {
            panic!(
                "{} {} → {}: an API error must be JSON, got: {:?}",
                reply.method, reply.path, reply.status, reply.text
            )
        });
        check_error_shape(&body).unwrap_or_else(|why| {
            panic!("{} {} → {}: {why}: {}", reply.method, reply.path, reply.status, reply.text)
        });
        assert!(
            !lower.contains("stack"),
            "{} {}: an error body mentions a stack: {}",
            reply.method,
            reply.path,
            reply.text
        );
    }
}

/// `{"error": {"code": str, "message": str, "field"?: str, "rows"?: [...]}}` and nothing else.
pub fn check_error_shape(body: &Value) -> Result<(), String> {
    let top = body.as_object().ok_or("the body is not an object")?;
    if top.len() != 1 {
        return Err("the body has more than the 'error' member".into());
    }
    let error = top.get("error").and_then(Value::as_object).ok_or("no 'error' object")?;
    if !error.get("code").is_some_and(Value::is_string) {
        return Err("error.code is not a string".into());
    }
    if error.get("message").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err("error.message is not a non-empty string".into());
    }
    if error.get("field").is_some_and(|f| !f.is_string()) {
        return Err("error.field is present but not a string".into());
    }
    for name in error.keys() {
        if !["code", "message", "field", "rows"].contains(&name.as_str()) {
            return Err(format!("error has an unexpected member '{name}'"));
        }
    }
    Ok(())
}

impl Api {
    fn new(app: &TestApp, auth: Auth) -> Api {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Api { http, base: app.url.clone(), auth }
    }

    pub fn anonymous(app: &TestApp) -> Api {
        Api::new(app, Auth::Anonymous)
    }

    pub fn bearer(app: &TestApp, token: &str) -> Api {
        Api::new(app, Auth::Bearer(token.to_string()))
    }

    /// A caller with a fresh API token of the demo user with `role`.
    pub async fn as_role(app: &TestApp, role: Role) -> Api {
        Api::bearer(app, &app.token_for(role).await)
    }

    /// A browser session of the demo user with `role`, signed in through the real form.
    pub async fn session(app: &TestApp, role: Role) -> Api {
        let login = app.login(role);
        let cookie = sign_in(app, &login.login, &login.password).await;
        let csrf = session_csrf(app, &cookie).await;
        Api::new(app, Auth::Session { cookie, csrf })
    }

    /// The same server, another way of signing in.
    pub fn with_auth(&self, auth: Auth) -> Api {
        Api { auth, ..self.clone() }
    }

    /// The same caller without a CSRF header on unsafe methods (to prove it is required).
    pub fn without_csrf(&self) -> Api {
        let mut api = self.clone();
        if let Auth::Session { csrf, .. } = &mut api.auth {
            csrf.clear();
        }
        api
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Body>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base));
        match &self.auth {
            Auth::Anonymous => {}
            Auth::Bearer(token) => request = request.bearer_auth(token),
            Auth::Session { cookie, csrf } => {
                request = request.header("Cookie", format!("attain_session={cookie}"));
                if !csrf.is_empty() && !matches!(method, Method::GET | Method::HEAD) {
                    request = request.header("X-CSRF-Token", csrf);
                }
            }
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        match body {
            None => {}
            Some(Body::Json(value)) => request = request.json(&value),
            Some(Body::Raw { content_type, bytes }) => {
                if let Some(content_type) = content_type {
                    request = request.header("Content-Type", content_type);
                }
                request = request.body(bytes);
            }
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let reply = Reply { method, path: path.to_string(), status, headers, text, bytes };
        check_invariants(&reply);
        reply
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(Body::Json(body)), &[]).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None, &[]).await
    }

    /// `PUT` a JSON body, with `If-Match` when given.
    pub async fn put(&self, path: &str, body: &Value, if_match: Option<&str>) -> Reply {
        let headers: Vec<(&str, &str)> = if_match.map(|tag| ("If-Match", tag)).into_iter().collect();
        self.send(Method::PUT, path, Some(Body::Json(body.clone())), &headers).await
    }

    pub async fn post_csv(&self, path: &str, csv: &str) -> Reply {
        self.send(Method::POST, path, Some(Body::csv(csv)), &[]).await
    }
}

/// The value of cookie `name` among a response's `Set-Cookie` headers.
pub fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v: &HeaderValue| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

/// The value of the first hidden `_csrf` input of an HTML page.
pub fn form_csrf(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    html[at..].split('"').next().map(str::to_string)
}

/// A URL-encoded form body.
pub fn form(fields: &[(&str, &str)]) -> Body {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        serializer.append_pair(name, value);
    }
    Body::Raw {
        content_type: Some("application/x-www-form-urlencoded"),
        bytes: serializer.finish().into_bytes(),
    }
}

/// What a sign-in form post answered, with the pre-session cookie it was made with.
#[derive(Debug)]
pub struct SignInReply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

/// Fetches the sign-in form and posts it (with its double-submit token) for `login`.
pub async fn post_sign_in(app: &TestApp, login: &str, password: &str) -> SignInReply {
    post_sign_in_to(app, login, password, "/").await
}

/// [`post_sign_in`], asking to be sent to `next` afterwards.
pub async fn post_sign_in_to(app: &TestApp, login: &str, password: &str, next: &str) -> SignInReply {
    post_sign_in_with(app, login, password, next, &[], None).await
}

/// [`post_sign_in_to`] with extra request headers, and the browser's current session cookie
/// (`session`) sent along, as a browser signed in already would.
pub async fn post_sign_in_with(
    app: &TestApp,
    login: &str,
    password: &str,
    next: &str,
    headers: &[(&str, &str)],
    session: Option<&str>,
) -> SignInReply {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = http.get(app.at("/login")).send().await.expect("GET /login");
    assert_eq!(page.status(), 200);
    let cookie = set_cookie(page.headers(), "attain_login_csrf").expect("the sign-in CSRF cookie");
    let html = page.text().await.unwrap();
    assert_eq!(form_csrf(&html).as_deref(), Some(cookie.as_str()), "the form carries the cookie's token");
    let Body::Raw { bytes, .. } =
        form(&[("_csrf", &cookie), ("login", login), ("password", password), ("next", next)])
    else {
        unreachable!()
    };
    let cookies = match session {
        Some(session) => format!("attain_login_csrf={cookie}; attain_session={session}"),
        None => format!("attain_login_csrf={cookie}"),
    };
    let mut request = http
        .post(app.at("/login"))
        .header("Cookie", cookies)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(bytes);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("POST /login");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    SignInReply { status, headers, text }
}

/// Signs in through the form and returns the session cookie's value.
pub async fn sign_in(app: &TestApp, login: &str, password: &str) -> String {
    let reply = post_sign_in(app, login, password).await;
    assert_eq!(reply.status, 303, "signing in as {login} redirects: {}", reply.text);
    set_cookie(&reply.headers, "attain_session").expect("a session cookie")
}

/// The CSRF token of the session `cookie`, read from a signed-in page's hidden `_csrf` input.
pub async fn session_csrf(app: &TestApp, cookie: &str) -> String {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = http
        .get(app.at("/account"))
        .header("Cookie", format!("attain_session={cookie}"))
        .send()
        .await
        .expect("GET /account");
    assert_eq!(page.status(), 200, "the account page opens for a live session");
    form_csrf(&page.text().await.unwrap()).expect("a signed-in page carries the session's CSRF token")
}
