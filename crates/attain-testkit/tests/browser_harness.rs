//! The browser harness's own test: drives a real headless Chromium through every helper on
//! pages that come from `data:` URLs or a loopback server started here, and checks that a
//! failing test leaves a screenshot.
//!
//! Without Chromium these tests skip outside CI (the harness prints why) and fail under
//! `CI=true`, like every other browser test.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};

use attain_testkit::browser::{self, BoxError, Browser};
use futures_util::FutureExt;

/// A form whose button greets by name, and then, a moment later and only through script,
/// adds `#late`; its file input reports the chosen file's name and size.
const FORM: &str = r#"<!doctype html>
<html><head><title>harness</title></head><body>
<h1>Harness form</h1>
<label>Name <input id="name" type="text"></label>
<button id="go" onclick="
  document.getElementById('greeting').textContent = 'Hello, ' + document.getElementById('name').value;
  setTimeout(function () {
    var late = document.createElement('p');
    late.id = 'late';
    late.textContent = 'appeared later';
    document.body.appendChild(late);
  }, 100);
">Greet</button>
<p id="greeting">nobody yet</p>
<input id="file" type="file" onchange="
  var f = this.files[0];
  document.getElementById('chosen').textContent = f.name + ' ' + f.size + ' bytes';
">
<p id="chosen">no file</p>
</body></html>"#;

/// `html` as a `data:` URL, so the page needs no server.
fn data_url(html: &str) -> String {
    let mut url = String::from("data:text/html;charset=utf-8,");
    for byte in html.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

#[tokio::test]
async fn a_form_is_filled_clicked_and_read() {
    browser::run("browser_harness_form", async |b| {
        b.goto(&data_url(FORM)).await?;
        assert_eq!(b.text_of("#greeting").await?, "nobody yet");
        b.fill("#name", "Grace").await?;
        // Filling replaces what was there rather than appending to it.
        b.fill("#name", "Ada").await?;
        assert_eq!(b.value_of("#name").await?, "Ada");
        b.click("#go").await?;
        assert_eq!(b.text_of("#greeting").await?, "Hello, Ada");
        // `#late` exists only after the page's own timer fires: wait_for must wait for it.
        b.wait_for("#late").await?;
        assert_eq!(b.text_of("#late").await?, "appeared later");
        let page = b.page_text().await?;
        assert!(page.contains("Harness form") && page.contains("Hello, Ada"), "{page}");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_file_is_uploaded_through_a_file_input() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("attain-upload.csv");
    std::fs::write(&file, "id,name\n1,Ada\n").expect("write the file to upload");
    browser::run("browser_harness_upload", async |b| {
        b.goto(&data_url(FORM)).await?;
        b.upload_file("#file", &file).await?;
        let value = b.value_of("#file").await?;
        assert!(value.ends_with("attain-upload.csv"), "file input value: {value}");
        // The page read the file itself: its size is the file's, not just a name.
        assert_eq!(b.text_of("#chosen").await?, "attain-upload.csv 14 bytes");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn paths_open_against_the_base_url() {
    let base = serve_paths();
    browser::run("browser_harness_base_url", async |b| {
        b.set_base_url(&base);
        b.goto("/login?next=/plans").await?;
        assert_eq!(b.current_path().await?, "/login");
        assert_eq!(b.text_of("h1").await?, "path: /login?next=/plans");
        b.goto("/plans/7").await?;
        assert_eq!(b.current_path().await?, "/plans/7");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn phone_width_makes_the_page_phone_wide() {
    browser::run("browser_harness_phone", async |b| {
        b.goto(&data_url("<p>narrow</p>")).await?;
        assert_eq!(inner_width(b).await?, 1280);
        b.set_phone_width().await?;
        assert_eq!(inner_width(b).await?, 390);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_body_returning_an_error_leaves_a_screenshot_and_fails() {
    let name = "browser_harness_deliberate_error";
    forget_screenshot(name);
    let ran = AtomicBool::new(false);
    let outcome = AssertUnwindSafe(browser::run(name, async |b| {
        ran.store(true, Ordering::SeqCst);
        b.goto(&data_url("<h1>This page failed on purpose</h1>")).await?;
        Err::<(), BoxError>("deliberate failure".into())
    }))
    .catch_unwind()
    .await;
    if !ran.load(Ordering::SeqCst) {
        skipped_or_broken(outcome);
        return;
    }
    let Err(panic) = outcome else { panic!("run() must fail the test when the body fails") };
    let message = panic_message(&*panic);
    assert!(message.contains(name) && message.contains("deliberate failure"), "{message}");
    assert_png_saved(name);
}

#[tokio::test]
async fn a_panicking_body_leaves_a_screenshot_and_keeps_its_panic() {
    let name = "browser_harness_deliberate_panic";
    forget_screenshot(name);
    let ran = AtomicBool::new(false);
    let outcome = AssertUnwindSafe(browser::run(name, async |b| {
        ran.store(true, Ordering::SeqCst);
        b.goto(&data_url("<h1>This page panicked on purpose</h1>")).await?;
        panic!("deliberate panic");
    }))
    .catch_unwind()
    .await;
    if !ran.load(Ordering::SeqCst) {
        skipped_or_broken(outcome);
        return;
    }
    let Err(panic) = outcome else { panic!("run() must fail the test when the body panics") };
    assert_eq!(panic_message(&*panic), "deliberate panic");
    assert_png_saved(name);
}

async fn inner_width(b: &Browser) -> Result<i64, BoxError> {
    let width = b.client().execute("return window.innerWidth", vec![]).await?;
    width.as_i64().ok_or_else(|| format!("innerWidth is not a number: {width}").into())
}

/// Ends a test whose body never ran: a skip (no browser outside CI, the harness said SKIPPED)
/// returns normally, and a browser that failed to start fails the test with its own panic.
fn skipped_or_broken(outcome: Result<(), Box<dyn std::any::Any + Send>>) {
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_string()
    } else {
        "<not a string>".to_string()
    }
}

/// Removes a screenshot an earlier run left, so only this run's failure can produce it.
fn forget_screenshot(name: &str) {
    let _ = std::fs::remove_file(browser::screenshot_dir().join(format!("{name}.png")));
}

/// The failure's screenshot exists and is a PNG. It is removed afterwards: the folder is for
/// the screenshots of tests that really failed.
fn assert_png_saved(name: &str) {
    let path = browser::screenshot_dir().join(format!("{name}.png"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
    forget_screenshot(name);
}

/// A loopback HTTP server answering every request with a page naming the requested path;
/// returns its base URL. It lives on its own thread until the test binary exits.
fn serve_paths() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(&stream);
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Reads the headers to their blank line so the browser sees a complete exchange.
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let body = format!("<!doctype html><title>t</title><h1>path: {path}</h1>");
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    base
}
