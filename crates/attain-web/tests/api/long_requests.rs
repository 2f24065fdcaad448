//! Over-long request heads: an address or headers over the server's limits get the one error
//! shape (JSON under `/api/`, an HTML page elsewhere) with the security headers; past hyper's
//! own bounds, which docs/api.md states, hyper's bare status answers.

use attain_testkit::Db;
use attain_web::{MAX_HEADER_BYTES, MAX_HEADERS, MAX_TARGET_BYTES};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::on_both;
use crate::support::TestApp;

/// Status, content type and body of a GET of `path` with `headers`.
async fn get(app: &TestApp, path: &str, headers: HeaderMap) -> (StatusCode, String, String) {
    let client = reqwest::Client::new();
    let response = client.get(app.at(path)).headers(headers).send().await.expect("an answer");
    let status = response.status();
    let kind =
        response.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    if !kind.is_empty() {
        // An answer of ours, not hyper's bare status: it carries the security headers.
        assert!(response.headers().contains_key(CONTENT_SECURITY_POLICY), "{status}: security headers");
    }
    (status, kind, response.text().await.unwrap_or_default())
}

/// Checks a JSON error body's status and code, and that its message names the limit.
fn json_error(
    (status, kind, body): (StatusCode, String, String),
    expected: StatusCode,
    code: &str,
    limit: usize,
) {
    assert_eq!(status, expected, "{body}");
    assert!(kind.starts_with("application/json"), "{kind}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("at most {limit}")), "{message}");
}

on_both!(over_long_heads_answer_the_error_body);

async fn over_long_heads_answer_the_error_body(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let none = HeaderMap::new;
    let long = |n: usize| "a".repeat(n);

    // An address over the limit, in the path or in the query, up to hyper's bound.
    for path in [
        format!("/api/v1/people/{}", long(MAX_TARGET_BYTES)),
        format!("/api/v1/people/{}", long(60 * 1024)),
        format!("/api/v1/people?q={}", long(20 * 1024)),
    ] {
        let answer = get(&app, &path, none()).await;
        json_error(answer, StatusCode::URI_TOO_LONG, "uri_too_long", MAX_TARGET_BYTES);
    }
    // Outside the API, an HTML page.
    let (status, kind, body) = get(&app, &format!("/{}", long(20 * 1024)), none()).await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(
        body.contains("Address too long") && body.contains(&format!("at most {MAX_TARGET_BYTES}")),
        "{body}"
    );
    // At the limit, the request goes on as usual: here, to the sign-in check (401), and
    // outside the API to "page not found".
    let at_limit = format!("/api/v1/{}", long(MAX_TARGET_BYTES - "/api/v1/".len()));
    let (status, _, body) = get(&app, &at_limit, none()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _, body) = get(&app, &format!("/{}", long(MAX_TARGET_BYTES - 1)), none()).await;
    assert!(status == StatusCode::NOT_FOUND && body.contains("Page not found"), "{status}");

    // Too many headers, or one too large.
    let mut many = HeaderMap::new();
    for i in 0..MAX_HEADERS + 50 {
        many.insert(HeaderName::try_from(format!("x-extra-{i}")).unwrap(), HeaderValue::from_static("1"));
    }
    json_error(
        get(&app, "/api/health", many).await,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "headers_too_large",
        MAX_HEADERS,
    );
    let mut big = HeaderMap::new();
    big.insert("x-big", HeaderValue::from_str(&long(40 * 1024)).unwrap());
    let answer = get(&app, "/api/health", big.clone()).await;
    json_error(answer, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", MAX_HEADER_BYTES);
    let (status, kind, _) = get(&app, "/", big).await;
    assert_eq!((status, kind.starts_with("text/html")), (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, true));

    // The documented bound past which hyper answers itself, before any of our code runs: an
    // address over 65,534 bytes gets its bare 414, no body. (A head over hyper's 256 KiB buffer
    // gets a bare 431 the same way; hyper closes such a connection with the rest of the head
    // unread, so whether a client reads that answer depends on its timing, and it is left out.)
    // (Sent by hand: HTTP clients refuse such an address themselves.)
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    let request = format!("GET /api/v1/people/{} HTTP/1.1\r\nHost: localhost\r\n\r\n", long(70 * 1024));
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("the answer, then the server closes");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 414 "), "{answer}");
    assert!(
        answer.to_lowercase().contains("content-length: 0\r\n") && answer.ends_with("\r\n\r\n"),
        "{answer}"
    );

    // And the server serves on.
    assert_eq!(get(&app, "/api/health", none()).await.0, StatusCode::OK);
}
