//! Uploads are authorised before their body is read: a caller who may not import, or who
//! lacks the CSRF token, is answered while still sending (the server does not wait for, or
//! keep, the body); a comp admin's upload, through the API and the import page, still works.

use std::time::Duration;

use attain_app::Role;
use attain_testkit::Db;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::client::{Api, Auth};
use crate::on_both;
use crate::support::TestApp;

/// What a client announces it will send: far more than it ever sends.
const ANNOUNCED: usize = 60 * 1024 * 1024;

/// Starts a POST that announces a 60 MiB body, sends `start` of it and nothing more, and
/// returns the status and head of the answer. A server that waited for the body would never
/// answer: the guard turns that into a failure (it measures nothing).
async fn answer_before_the_body(app: &TestApp, path: &str, headers: &[(&str, &str)], start: &str) -> String {
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {ANNOUNCED}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("send the head");
    stream.write_all(start.as_bytes()).await.expect("send the start of the body");
    let mut answer = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.expect("read");
            assert!(n > 0, "the server closed without answering");
            answer.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .unwrap_or_else(|_| panic!("{path}: the server waited for the body instead of refusing"));
    String::from_utf8_lossy(&answer).to_string()
}

fn session_of(api: &Api) -> (String, String) {
    match &api.auth {
        Auth::Session { cookie, csrf } => (format!("attain_session={cookie}"), csrf.clone()),
        _ => unreachable!("a session"),
    }
}

/// A multipart form body in the import page's field order.
fn form(boundary: &str, csrf: &str, kind: &str, file: &str, csv: &str) -> String {
    format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}"
    )
}

on_both!(uploads_are_authorised_before_their_body_is_read);

async fn uploads_are_authorised_before_their_body_is_read(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let csv_start = "id,name\nacc-never,Never Co\n";

    // The API: a rep's token, a session without its CSRF token, no credentials.
    let rep_token = app.token_for(Role::Rep).await;
    let bearer = format!("Bearer {rep_token}");
    let path = "/api/v1/imports/accounts";
    let csv = ("Content-Type", "text/csv");
    let answer = answer_before_the_body(&app, path, &[csv, ("Authorization", &bearer)], csv_start).await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let admin_session = Api::session(&app, Role::CompAdmin).await;
    let (cookie, csrf) = session_of(&admin_session);
    let answer = answer_before_the_body(&app, path, &[csv, ("Cookie", &cookie)], csv_start).await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let answer = answer_before_the_body(&app, path, &[csv], csv_start).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");

    // The import page: a rep's session, and a comp admin's form with a wrong token.
    let boundary = "attain-test-boundary";
    let multipart = format!("multipart/form-data; boundary={boundary}");
    let rep_session = Api::session(&app, Role::Rep).await;
    let (rep_cookie, rep_csrf) = session_of(&rep_session);
    let headers = [("Content-Type", multipart.as_str()), ("Cookie", rep_cookie.as_str())];
    let body = form(boundary, &rep_csrf, "accounts", "accounts.csv", csv_start);
    let answer = answer_before_the_body(&app, "/import", &headers, &body).await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let headers = [("Content-Type", multipart.as_str()), ("Cookie", cookie.as_str())];
    let body = form(boundary, "not-the-token", "accounts", "accounts.csv", csv_start);
    let answer = answer_before_the_body(&app, "/import", &headers, &body).await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");

    // Nothing of it was imported.
    let admin = Api::as_role(&app, Role::CompAdmin).await;
    admin.get("/api/v1/accounts/acc-never").await.expect(404);

    // A comp admin's uploads work, through the API and through the page.
    let good = "id,name\nacc-upload-api,Upload API Co\n";
    let report = admin.post_csv(path, good).await.expect(200).json();
    assert_eq!(report["kinds"][0]["inserted"], 1, "{report}");
    let page_csv = "id,name\nacc-upload-page,Upload Page Co\n";
    let body =
        format!("{}\r\n--{boundary}--\r\n", form(boundary, &csrf, "accounts", "accounts.csv", page_csv));
    let reply = reqwest::Client::new()
        .post(app.at("/import"))
        .header("Content-Type", &multipart)
        .header("Cookie", &cookie)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert!(reply.text().await.unwrap().contains("Imported accounts.csv"));
    let stored = admin.get("/api/v1/accounts/acc-upload-page").await.expect(200).json();
    assert_eq!(stored["name"], "Upload Page Co");
}
