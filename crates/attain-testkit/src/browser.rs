//! Real-Chromium browser tests: starts chromedriver and a headless Chromium per test, gives the
//! test a handle with the few page helpers tests need, and saves a screenshot when a test fails.
//!
//! Policy (as for PostgreSQL): outside CI a missing `chromium` or `chromedriver` skips the test
//! with a message on stderr; under `CI=true` it fails. A browser that is present but does not
//! start always fails: that is breakage, not a missing dependency.
//!
//! ```no_run
//! # async fn example(server_url: String) {
//! attain_testkit::browser::run("login_page_greets", async |b| {
//!     b.set_base_url(&server_url);
//!     b.goto("/login").await?;
//!     b.fill("#email", "ada@example.com").await?;
//!     b.click("button[type=submit]").await?;
//!     assert_eq!(b.text_of("h1").await?, "Welcome, Ada");
//!     Ok(())
//! })
//! .await;
//! # }
//! ```

use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use url::Url;

use crate::in_ci;

/// Where Chromium is unless `ATTAIN_CHROMIUM` says otherwise (Debian's `chromium` package).
pub const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
/// Where chromedriver is unless `ATTAIN_CHROMEDRIVER` says otherwise (Debian's `chromium-driver`).
pub const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long a helper waits for its element to appear before failing. Generous because CI
/// runs several browsers at once on two cores; a passing test never waits this long.
const ELEMENT_WAIT: Duration = Duration::from_secs(15);
/// How often a wait asks the browser again (each ask is one WebDriver round trip).
const ELEMENT_POLL: Duration = Duration::from_millis(50);
/// How long chromedriver may take to answer its status endpoint after being started.
const DRIVER_READY: Duration = Duration::from_secs(30);
/// Tries at starting chromedriver: the free port is found by binding and releasing it, so
/// another process can take it in between; chromedriver then exits and we try another port.
const DRIVER_ATTEMPTS: u32 = 3;

/// What a browser test body returns: `?` works on the helpers, on any other error, and
/// `Err("message".into())` reports a failure by hand.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A helper's failure: which action on which selector, and the WebDriver (or I/O) cause.
#[derive(Debug)]
pub struct BrowserError {
    action: String,
    source: BoxError,
}

impl BrowserError {
    fn new(action: impl Into<String>, source: impl Into<BoxError>) -> Self {
        BrowserError { action: action.into(), source: source.into() }
    }
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.action, self.source)
    }
}

impl std::error::Error for BrowserError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// One headless Chromium driven through its own chromedriver. [`Browser::close`] ends the
/// WebDriver session (Chromium quits) and stops chromedriver; dropping it does the same, with
/// a blocking request, for a browser that was not closed.
#[derive(Debug)]
pub struct Browser {
    client: Client,
    driver: Child,
    /// Where chromedriver listens, for ending the session from `Drop`.
    port: u16,
    /// The WebDriver session while it is open: `Drop` ends it if `close` did not, because
    /// killing chromedriver alone would leave Chromium running (it is not told).
    session: Option<String>,
    /// Holds Chromium's `--user-data-dir` and chromedriver's output; removed when dropped.
    profile: tempfile::TempDir,
    base_url: Option<Url>,
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium session with a fresh
    /// profile. Returns `None` (after saying why on stderr) when Chromium or chromedriver is
    /// missing outside CI; panics when they are missing under `CI=true` or fail to start.
    pub async fn start() -> Option<Browser> {
        let chromium = configured("ATTAIN_CHROMIUM", DEFAULT_CHROMIUM);
        let chromedriver = configured("ATTAIN_CHROMEDRIVER", DEFAULT_CHROMEDRIVER);
        let missing: Vec<String> = [("Chromium", &chromium), ("chromedriver", &chromedriver)]
            .into_iter()
            .filter(|(_, path)| !path.is_file())
            .map(|(what, path)| format!("{what} not found at {}", path.display()))
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "{} (install the Debian packages chromium and chromium-driver, or set ATTAIN_CHROMIUM / ATTAIN_CHROMEDRIVER)",
                missing.join(", ")
            );
            if in_ci() {
                panic!("CI=true and {message}");
            }
            eprintln!("SKIPPED (browser): {message}; under CI=true this fails.");
            return None;
        }
        match Browser::launch(&chromium, &chromedriver).await {
            Ok(browser) => Some(browser),
            Err(e) => panic!("cannot start the browser: {e}"),
        }
    }

    async fn launch(chromium: &Path, chromedriver: &Path) -> Result<Browser, BrowserError> {
        let profile = tempfile::Builder::new()
            .prefix("attain-chromium-")
            .tempdir()
            .map_err(|e| BrowserError::new("create a temporary profile directory", e))?;
        let user_data_dir = profile.path().join("profile");
        let log = profile.path().join("chromedriver.log");
        let (mut driver, port) = start_driver(chromedriver, &log).await?;
        match new_session(chromium, &user_data_dir, port).await {
            Ok(client) => {
                let session = client.session_id().await.ok().flatten();
                Ok(Browser { client, driver, port, session, profile, base_url: None })
            }
            Err(e) => {
                let _ = driver.kill();
                let _ = driver.wait();
                let cause = format!("{e}; {}", driver_output(&log));
                Err(BrowserError::new("start a Chromium session", cause))
            }
        }
    }

    /// The WebDriver client, for anything the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Chromium's profile directory for this browser (fresh, removed with the browser).
    pub fn profile_dir(&self) -> PathBuf {
        self.profile.path().join("profile")
    }

    /// Sets the URL that [`Browser::goto`] resolves paths against, e.g. a test server's
    /// `http://127.0.0.1:PORT`. Panics on something that is not an absolute URL: a test bug.
    pub fn set_base_url(&mut self, base: &str) {
        match Url::parse(base) {
            Ok(url) => self.base_url = Some(url),
            Err(e) => panic!("base URL {base:?} is not an absolute URL: {e}"),
        }
    }

    /// The base URL set by [`Browser::set_base_url`], if any.
    pub fn base_url(&self) -> Option<&Url> {
        self.base_url.as_ref()
    }

    /// Opens `target`: an absolute URL (`http:`, `data:` …) as it is, or a path such as
    /// `/login?next=/plans` resolved against the base URL, as a link on that page would be.
    /// Returns once the page has loaded.
    pub async fn goto(&self, target: &str) -> Result<(), BrowserError> {
        let url = resolve(self.base_url.as_ref(), target)
            .map_err(|e| BrowserError::new(format!("open {target}"), e))?;
        self.client.goto(url.as_str()).await.map_err(|e| BrowserError::new(format!("open {url}"), e))
    }

    /// The path of the current page's URL (`/login`), without query or fragment.
    pub async fn current_path(&self) -> Result<String, BrowserError> {
        let url = self.current_url().await?;
        Ok(url.path().to_string())
    }

    /// The current page's full URL.
    pub async fn current_url(&self) -> Result<Url, BrowserError> {
        self.client.current_url().await.map_err(|e| BrowserError::new("read the current URL", e))
    }

    /// Waits until an element matches `css` and returns the first match. This is how a test
    /// waits for the page: the browser is asked again until the element exists (no sleeps).
    pub async fn wait_for(&self, css: &str) -> Result<Element, BrowserError> {
        self.client
            .wait()
            .at_most(ELEMENT_WAIT)
            .every(ELEMENT_POLL)
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| match e {
                // fantoccini's own wording for this ("timeout waiting on condition: ") says
                // neither what was awaited nor for how long.
                fantoccini::error::CmdError::WaitTimeout => BrowserError::new(
                    format!("wait for `{css}`"),
                    format!("no element matched within {}s", ELEMENT_WAIT.as_secs()),
                ),
                e => BrowserError::new(format!("wait for `{css}`"), e),
            })
    }

    /// Replaces the text of the field matching `css` (waiting for it) with `text`.
    pub async fn fill(&self, css: &str, text: &str) -> Result<(), BrowserError> {
        let field = self.wait_for(css).await?;
        let action = || format!("fill `{css}`");
        field.clear().await.map_err(|e| BrowserError::new(action(), e))?;
        field.send_keys(text).await.map_err(|e| BrowserError::new(action(), e))
    }

    /// Clicks the element matching `css` (waiting for it), as a person would: it must be
    /// visible and not covered.
    pub async fn click(&self, css: &str) -> Result<(), BrowserError> {
        let element = self.wait_for(css).await?;
        element.click().await.map_err(|e| BrowserError::new(format!("click `{css}`"), e))
    }

    /// The rendered text of the element matching `css` (waiting for it), as a person sees it.
    pub async fn text_of(&self, css: &str) -> Result<String, BrowserError> {
        let element = self.wait_for(css).await?;
        element.text().await.map_err(|e| BrowserError::new(format!("read the text of `{css}`"), e))
    }

    /// Waits until the element matching `css` reads `expected`, and returns. This is how a
    /// test waits for a form's answer when the element is on the page before and after the
    /// submit: the old page's element may be read (or go stale) mid-navigation, so the text
    /// is asked again until it matches or the wait runs out, naming what it last read.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> Result<(), BrowserError> {
        let deadline = std::time::Instant::now() + ELEMENT_WAIT;
        let mut last = String::from("(no element)");
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                match element.text().await {
                    Ok(text) if text == expected => return Ok(()),
                    Ok(text) => last = text,
                    // Stale: the page changed under us; ask again.
                    Err(e) => last = format!("(unreadable: {e})"),
                }
            }
            if std::time::Instant::now() >= deadline {
                return Err(BrowserError::new(
                    format!("wait for `{css}` to read {expected:?}"),
                    format!("it read {last:?} after {}s", ELEMENT_WAIT.as_secs()),
                ));
            }
            tokio::time::sleep(ELEMENT_POLL).await;
        }
    }

    /// The current `value` of the form field matching `css` (waiting for it).
    pub async fn value_of(&self, css: &str) -> Result<String, BrowserError> {
        let element = self.wait_for(css).await?;
        let value = element
            .prop("value")
            .await
            .map_err(|e| BrowserError::new(format!("read the value of `{css}`"), e))?;
        Ok(value.unwrap_or_default())
    }

    /// The rendered text of the whole page.
    pub async fn page_text(&self) -> Result<String, BrowserError> {
        self.text_of("body").await
    }

    /// Chooses `file` in the `<input type=file>` matching `css` (waiting for it), the way
    /// WebDriver does it: typing the file's absolute path into the input.
    pub async fn upload_file(&self, css: &str, file: &Path) -> Result<(), BrowserError> {
        let action = || format!("upload {} into `{css}`", file.display());
        // The browser opens the file itself, so it needs a path that does not depend on the
        // test's working directory; canonicalizing also reports a missing file clearly.
        let absolute = file.canonicalize().map_err(|e| BrowserError::new(action(), e))?;
        let Some(absolute) = absolute.to_str() else {
            return Err(BrowserError::new(action(), "the path is not valid UTF-8"));
        };
        let input = self.wait_for(css).await?;
        input.send_keys(absolute).await.map_err(|e| BrowserError::new(action(), e))
    }

    /// Resizes the window to a phone's (390 × 844, an iPhone 12–15), for responsive layouts.
    pub async fn set_phone_width(&self) -> Result<(), BrowserError> {
        self.client
            .set_window_size(390, 844)
            .await
            .map_err(|e| BrowserError::new("resize the window to 390x844", e))
    }

    /// Saves a PNG screenshot of the current page as `<dir>/<name>.png` (characters other
    /// than letters, digits, `-` and `_` in `name` become `_`), creating `dir`.
    pub async fn save_screenshot(&self, dir: &Path, name: &str) -> Result<PathBuf, BrowserError> {
        let file_name: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
            .collect();
        let path = dir.join(format!("{file_name}.png"));
        let action = || format!("save a screenshot to {}", path.display());
        let png = self.client.screenshot().await.map_err(|e| BrowserError::new(action(), e))?;
        std::fs::create_dir_all(dir).map_err(|e| BrowserError::new(action(), e))?;
        std::fs::write(&path, png).map_err(|e| BrowserError::new(action(), e))?;
        Ok(path)
    }

    /// Ends the WebDriver session (Chromium quits) and stops chromedriver.
    pub async fn close(mut self) {
        // A session that is already gone (Chromium crashed) is not a reason to fail here:
        // the test has reported what happened, and chromedriver is killed regardless.
        let _ = self.client.clone().close().await;
        self.session = None;
        self.stop_driver();
    }

    fn stop_driver(&mut self) {
        if let Ok(None) = self.driver.try_wait() {
            let _ = self.driver.kill();
        }
        // Reaps the process so no zombie chromedriver outlives the test.
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Drop cannot await the client, so it ends the session with a plain request of its
        // own; chromedriver answers once Chromium has quit.
        if let Some(session) = self.session.take() {
            let _ = driver_request(self.port, "DELETE", &format!("/session/{session}"));
        }
        self.stop_driver();
    }
}

/// Runs one browser test: starts a [`Browser`] (or returns, skipped, when there is none outside
/// CI), runs `body` with it, and closes it. When `body` returns `Err` or panics, a screenshot
/// of the page is saved to [`screenshot_dir`]`/<test_name>.png` (its path printed on stderr)
/// and the test then fails with the original error or panic.
pub async fn run<F>(test_name: &str, body: F)
where
    F: AsyncFnOnce(&mut Browser) -> Result<(), BoxError>,
{
    let Some(mut browser) = Browser::start().await else { return };
    // The browser is not used again after a panic except to take a screenshot and close it,
    // which is exactly what a failed test wants, so observing it after unwinding is sound.
    match AssertUnwindSafe(body(&mut browser)).catch_unwind().await {
        Ok(Ok(())) => browser.close().await,
        Ok(Err(error)) => {
            screenshot_and_close(browser, test_name).await;
            panic!("browser test {test_name} failed: {}", with_causes(error.as_ref()));
        }
        Err(panic) => {
            screenshot_and_close(browser, test_name).await;
            // The body's own panic, re-raised: its message (and `#[should_panic]`) stays intact.
            std::panic::resume_unwind(panic);
        }
    }
}

/// A failed test's last look at the page, saved where [`screenshot_dir`] says.
async fn screenshot_and_close(browser: Browser, test_name: &str) {
    match browser.save_screenshot(&screenshot_dir(), test_name).await {
        Ok(path) => eprintln!("browser test {test_name} failed; screenshot: {}", path.display()),
        // The test fails either way; a missing screenshot must not hide why.
        Err(e) => eprintln!("browser test {test_name} failed; no screenshot: {e}"),
    }
    browser.close().await;
}

/// Where failed browser tests leave their screenshots: `browser-screenshots/` in the cargo
/// target directory (`CARGO_TARGET_DIR`, else `target/` at the workspace root).
pub fn screenshot_dir() -> PathBuf {
    let root = workspace_root();
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        // Cargo reads a relative CARGO_TARGET_DIR from where it was started; tests run in
        // their package directory, so the workspace root is the better guess.
        Some(dir) => root.join(dir),
        None => root.join("target"),
    };
    target.join("browser-screenshots")
}

/// The directory holding `Cargo.lock` above this crate.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.ancestors().find(|dir| dir.join("Cargo.lock").is_file()).unwrap_or(manifest).to_path_buf()
}

fn configured(variable: &str, default: &str) -> PathBuf {
    match std::env::var_os(variable) {
        Some(value) if !value.is_empty() => PathBuf::from(value),
        _ => PathBuf::from(default),
    }
}

/// `target` as an absolute URL: itself when it is one, else joined onto `base`.
fn resolve(base: Option<&Url>, target: &str) -> Result<Url, BoxError> {
    match Url::parse(target) {
        Ok(url) => Ok(url),
        Err(url::ParseError::RelativeUrlWithoutBase) => match base {
            Some(base) => Ok(base.join(target)?),
            None => Err("a path needs a base URL: call set_base_url first".into()),
        },
        Err(e) => Err(e.into()),
    }
}

/// Starts chromedriver on a free port and waits until it says it is ready.
async fn start_driver(chromedriver: &Path, log: &Path) -> Result<(Child, u16), BrowserError> {
    let mut attempt = 1;
    loop {
        let port = free_port().map_err(|e| BrowserError::new("find a free port", e))?;
        let action = || format!("start {} --port={port}", chromedriver.display());
        // Its output goes to a file, not the test's stderr: it is noise unless it fails, and
        // then its content goes into the error message.
        let output = std::fs::File::create(log).map_err(|e| BrowserError::new(action(), e))?;
        let errors = output.try_clone().map_err(|e| BrowserError::new(action(), e))?;
        let mut driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            // Chromium's own stderr into the same file: when it will not start, that says why.
            .arg("--enable-chrome-logs")
            .stdin(Stdio::null())
            .stdout(output)
            .stderr(errors)
            .spawn()
            .map_err(|e| BrowserError::new(action(), e))?;
        match wait_until_ready(&mut driver, port).await {
            Ok(()) => return Ok((driver, port)),
            Err(Early::Exited(status)) if attempt < DRIVER_ATTEMPTS => {
                eprintln!("chromedriver on port {port} exited ({status}); trying another port");
                attempt += 1;
            }
            Err(e) => {
                let _ = driver.kill();
                let _ = driver.wait();
                return Err(BrowserError::new(action(), format!("{e}; {}", driver_output(log))));
            }
        }
    }
}

/// Why chromedriver did not become ready.
#[derive(Debug)]
enum Early {
    Exited(std::process::ExitStatus),
    TimedOut,
    Wait(std::io::Error),
}

impl fmt::Display for Early {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Early::Exited(status) => write!(f, "chromedriver exited ({status})"),
            Early::TimedOut => {
                write!(f, "chromedriver was not ready after {}s", DRIVER_READY.as_secs())
            }
            Early::Wait(e) => write!(f, "cannot watch chromedriver: {e}"),
        }
    }
}

/// Polls chromedriver's `/status` until it reports `ready`, it exits, or the deadline passes.
async fn wait_until_ready(driver: &mut Child, port: u16) -> Result<(), Early> {
    let deadline = Instant::now() + DRIVER_READY;
    loop {
        if let Some(status) = driver.try_wait().map_err(Early::Wait)? {
            return Err(Early::Exited(status));
        }
        if driver_ready(port) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(Early::TimedOut);
        }
        // The interval between two checks of the condition, not a guess at how long
        // chromedriver takes: the loop ends as soon as it answers.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether chromedriver at `port` answers `GET /status` with `"ready": true`. Asking the
/// status, rather than only connecting, also tells chromedriver apart from any other process
/// that took the port.
fn driver_ready(port: u16) -> bool {
    driver_request(port, "GET", "/status")
        .is_some_and(|status| status["value"]["ready"] == serde_json::Value::Bool(true))
}

/// Sends a body-less WebDriver request to chromedriver at `port` and returns its JSON answer,
/// or `None` when there is no (readable) answer. Blocking, so `Drop` can use it too.
fn driver_request(port: u16, method: &str, path: &str) -> Option<serde_json::Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    // Bounds a hung chromedriver; quitting Chromium takes well under this.
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    // chromedriver answers `Connection: close` but keeps the connection open, so the body is
    // read by its Content-Length rather than to the end of the stream.
    let mut reader = BufReader::new(stream);
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// Opens a headless Chromium session through chromedriver at `port`.
async fn new_session(
    chromium: &Path,
    user_data_dir: &Path,
    port: u16,
) -> Result<Client, fantoccini::error::NewSessionError> {
    let args = [
        "--headless".to_string(),
        // Containers and CI run as root, where Chromium's sandbox cannot start.
        "--no-sandbox".to_string(),
        "--disable-gpu".to_string(),
        "--disable-quic".to_string(),
        "--no-first-run".to_string(),
        // No network traffic of the browser's own (updates, sync, field trials): tests reach
        // only the servers they start.
        "--disable-background-networking".to_string(),
        "--disable-component-update".to_string(),
        "--disable-sync".to_string(),
        "--window-size=1280,900".to_string(),
        format!("--user-data-dir={}", user_data_dir.display()),
    ];
    let options = serde_json::json!({
        "binary": chromium.to_string_lossy(),
        "args": args,
    });
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), "chrome".into());
    capabilities.insert("goog:chromeOptions".into(), options);
    // Plain HTTP: the client only ever talks to chromedriver on loopback, so it needs no TLS
    // stack (the browser, not this client, fetches the pages under test).
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
}

/// The end of chromedriver's output, for error messages.
fn driver_output(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    if tail.trim().is_empty() {
        "chromedriver printed nothing".to_string()
    } else {
        format!("chromedriver said:\n{tail}")
    }
}

/// An error and its causes, one after another, as a failed test should report them.
fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let line = e.to_string();
        // BrowserError already prints its cause; repeating it would say everything twice.
        if !text.ends_with(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        cause = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_against_the_base_url() {
        let base = Url::parse("http://127.0.0.1:8080").unwrap();
        let url = resolve(Some(&base), "/login?next=/plans").unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/login?next=/plans");
    }

    #[test]
    fn absolute_urls_ignore_the_base_url() {
        let base = Url::parse("http://127.0.0.1:8080/app/").unwrap();
        assert_eq!(resolve(Some(&base), "data:text/html,hi").unwrap().as_str(), "data:text/html,hi");
        assert_eq!(resolve(None, "http://localhost:1/x").unwrap().as_str(), "http://localhost:1/x");
    }

    #[test]
    fn a_path_without_a_base_url_is_an_error() {
        let error = resolve(None, "/login").unwrap_err();
        assert!(error.to_string().contains("set_base_url"), "{error}");
    }

    #[test]
    fn screenshots_go_to_the_workspace_target_dir() {
        let dir = screenshot_dir();
        assert!(dir.ends_with("browser-screenshots"), "{}", dir.display());
        if std::env::var_os("CARGO_TARGET_DIR").is_none() {
            assert!(workspace_root().join("Cargo.lock").is_file());
            assert_eq!(dir, workspace_root().join("target/browser-screenshots"));
        }
    }

    #[test]
    fn causes_are_reported_once() {
        let error = BrowserError::new("click `#go`", "no such element");
        assert_eq!(with_causes(&error), "click `#go`: no such element");
    }
}
