//! The real `attain` server under concurrent load, and its memory under large uploads.
//!
//! Runs the release `attain` binary as its own process (build it first with
//! `cargo build --release -p attain-cli`; `ATTAIN_BIN` names another binary): seeds the demo
//! company as of 2018-01-15 into a temporary SQLite file, sets known passwords for the demo
//! rep, manager and comp admin, serves it on a loopback port, and signs each client in through
//! the sign-in form with its own cookie jar. Then:
//!
//! 1. load: `ATTAIN_BENCH_CLIENTS` clients (default 32) for `ATTAIN_BENCH_SECONDS` (default
//!    30): half are the rep reading their closed December 2017 statement, half the manager
//!    reading the opportunities list (their team's deals). Any non-2xx answer (a redirect to
//!    sign-in included) or transport error counts as an error;
//! 2. memory: the server's resident memory (VmRSS, and the peak VmHWM reset before each phase)
//!    around 8 concurrent uploads of `ATTAIN_BENCH_UPLOAD_MIB` MiB (default 60) by the rep, who
//!    may not import (half to the API import route, half to the import form), and then the same
//!    by the comp admin, who may (the file's header names a column the importer does not know,
//!    so each is refused once spooled; nothing is written).
//!
//! Run: `cargo build --release -p attain-cli && cargo bench -p attain-bench --bench load`
//!
//! At scale (`ATTAIN_BENCH_DB` names a database `bench/server_at_scale.sh` prepared: a
//! generated company of millions of transactions with a month run and users `rep`, `manager`
//! and `admin`): no seeding and no uploads; the server's start-up time and memory, then the
//! load phase over the rep's statement, the manager's team statements and the transactions
//! list, a third of the clients each.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;

const PASSWORD: &str = "BenchPassword2026";
const AS_OF: &str = "2018-01-15";
/// A closed month of the demo as of 2018-01-15.
const STATEMENT_MONTH: &str = "2017-12";
const BOUNDARY: &str = "attain-bench-boundary-7f3a";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default).max(1)
}

/// The release binary: `ATTAIN_BIN`, else `release/attain` under the target directory.
fn attain_binary() -> PathBuf {
    if let Ok(bin) = std::env::var("ATTAIN_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let bin = target.join("release").join("attain");
    assert!(bin.exists(), "{} is missing: run `cargo build --release -p attain-cli` first", bin.display());
    bin
}

/// Runs an `attain` command to completion, feeding `stdin`; its stdout.
fn attain(bin: &Path, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(bin)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run attain");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    let out = child.wait_with_output().expect("wait for attain");
    assert!(out.status.success(), "attain {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The server process, stopped when dropped (also when the benchmark panics).
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `/proc/PID/status` figure in KiB (Linux).
fn proc_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
}

/// A `/proc/PID/status` figure shown in MiB with one decimal.
fn proc_mib(pid: u32, field: &str) -> String {
    let kib = proc_kib(pid, field);
    format!("{}.{}", kib / 1024, (kib % 1024) * 10 / 1024)
}

/// Resets the process's peak resident memory (VmHWM) to its current size, so each phase
/// reports its own peak.
fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// The value of the first `name="_csrf" value="…"` field of a page.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("a _csrf field") + marker.len();
    html[start..].split('"').next().unwrap_or("").to_string()
}

/// A client signed in through the sign-in form (its own cookie jar), and its session's CSRF
/// token. Redirects are not followed, so a lost session shows as an error, not a login page.
async fn sign_in(base: &str, login: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let form = client.get(format!("{base}/login")).send().await.expect("login page");
    let csrf = csrf_of(&form.text().await.expect("login page body"));
    let body = format!("_csrf={csrf}&login={login}&password={PASSWORD}&next=%2F");
    let response = client
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status().as_u16(), 303, "{login} could not sign in");
    let home = client.get(format!("{base}/")).send().await.expect("home page");
    assert!(home.status().is_success(), "{login}: home page {}", home.status());
    let csrf = csrf_of(&home.text().await.expect("home body"));
    (client, csrf)
}

/// One load client's results.
struct Tally {
    page: usize,
    latencies: Vec<u64>,
    errors: u64,
}

async fn load_client(client: reqwest::Client, url: String, page: usize, until: Instant, cap: usize) -> Tally {
    let mut tally = Tally { page, latencies: Vec::with_capacity(1 << 14), errors: 0 };
    while Instant::now() < until && tally.latencies.len() < cap {
        let started = Instant::now();
        let ok = match client.get(&url).send().await {
            Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
            Err(_) => false,
        };
        tally.latencies.push(started.elapsed().as_micros() as u64);
        if !ok {
            tally.errors += 1;
        }
    }
    tally
}

/// Requests per second over `elapsed`, whole.
fn per_second(requests: usize, elapsed: Duration) -> u128 {
    requests as u128 * 1000 / elapsed.as_millis().max(1)
}

fn ms(micros: u64) -> String {
    format!("{}.{}", micros / 1000, (micros % 1000) / 100)
}

/// A transactions CSV of `mib` MiB whose header names a column the importer does not know
/// (`amount_usd`); the rows after it are well-formed bookings.
fn upload_csv(mib: usize) -> Bytes {
    let size = mib * 1024 * 1024;
    let mut csv = Vec::with_capacity(size + 256);
    csv.extend_from_slice(
        b"id,date,kind,account_id,product_id,quantity,currency,amount_usd,cost,opportunity_id,original_id,owner_id\n",
    );
    let mut i = 0u64;
    while csv.len() < size {
        let row = format!(
            "up-{i:09},2017-06-{:02},booking,acc-0001,prod-01,1,USD,{}.00,10.00,,,p-001\n",
            1 + i % 28,
            1000 + i % 9000
        );
        csv.extend_from_slice(row.as_bytes());
        i += 1;
    }
    csv.truncate(csv.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1));
    Bytes::from(csv)
}

/// The import form's multipart body around `csv`.
fn multipart_body(csrf: &str, csv: &[u8]) -> Bytes {
    let mut body = Vec::with_capacity(csv.len() + 1024);
    for (name, value) in [("_csrf", csrf), ("kind", "transactions")] {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(csv);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    Bytes::from(body)
}

/// 8 concurrent uploads of `csv` by a signed-in user: 4 to the API import route, 4 to the
/// import form. Prints each answer and the server's memory around them.
async fn upload_phase(base: &str, pid: u32, who: &str, csv: &Bytes) {
    let (client, csrf) = sign_in(base, who).await;
    let form = multipart_body(&csrf, csv);
    let rss_before = proc_mib(pid, "VmRSS:");
    let peak_reset = reset_peak(pid);
    let started = Instant::now();
    let mut uploads = Vec::new();
    for n in 0..8 {
        let request = if n % 2 == 0 {
            client
                .post(format!("{base}/api/v1/imports/transactions"))
                .header("x-csrf-token", &csrf)
                .header("content-type", "text/csv")
                .body(csv.clone())
        } else {
            client
                .post(format!("{base}/import"))
                .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(form.clone())
        };
        let route = if n % 2 == 0 { "API /api/v1/imports/transactions" } else { "form POST /import" };
        uploads.push(tokio::spawn(async move {
            let sent = Instant::now();
            let answer = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.text().await.unwrap_or_default();
                    let gist: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
                    let gist = gist
                        .find("\"message\"")
                        .or_else(|| gist.find("<h1>"))
                        .map_or(String::new(), |at| gist[at..].chars().take(90).collect());
                    format!("{status} {gist}")
                }
                Err(e) => format!("transport error: {e}"),
            };
            (route, answer, sent.elapsed())
        }));
    }
    for upload in uploads {
        let (route, answer, took) = upload.await.expect("upload task");
        println!("  {who:<10} {route:<34} {:>7.2}s  {answer}", took.as_secs_f64());
    }
    let all = started.elapsed();
    let (rss_after, peak) = (proc_mib(pid, "VmRSS:"), proc_mib(pid, "VmHWM:"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_settled = proc_mib(pid, "VmRSS:");
    let peak_note = if peak_reset { "peak during the uploads" } else { "peak since start (reset refused)" };
    println!(
        "  {who}: 8 uploads in {:.2}s; server RSS before {rss_before} MiB, after {rss_after} MiB, \
         2 s later {rss_settled} MiB; {peak_note} {peak} MiB",
        all.as_secs_f64()
    );
}

fn main() {
    let seconds = env_number("ATTAIN_BENCH_SECONDS", 30);
    let clients = env_number("ATTAIN_BENCH_CLIENTS", 32) as usize;
    let bin = attain_binary();
    if let Ok(db) = std::env::var("ATTAIN_BENCH_DB") {
        return at_scale(&bin, &db, clients, seconds);
    }
    let upload_mib = env_number("ATTAIN_BENCH_UPLOAD_MIB", 60) as usize;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("load.db").display().to_string();

    let seeding = Instant::now();
    attain(&bin, &["demo", "--no-serve", "--db", &db, "--as-of", AS_OF], "");
    for login in ["rep", "manager", "compadmin"] {
        attain(
            &bin,
            &["user", "reset-password", login, "--password-stdin", "--db", &db],
            &format!("{PASSWORD}\n"),
        );
    }
    let rep_person = person_of(&bin, &db, "rep");
    println!("seeded the demo company (as of {AS_OF}) in {:.1}s", seeding.elapsed().as_secs_f64());
    let (server, base) = serve(&bin, &db);
    let pid = server.0.id();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        wait_until_up(&base, Duration::from_secs(10)).await;
        println!("server pid {pid}, RSS at start {} MiB", proc_mib(pid, "VmRSS:"));
        let pages = [
            ("rep", format!("/pay/statements/{STATEMENT_MONTH}/{rep_person}")),
            ("manager", "/opportunities".to_string()),
        ];
        load_phase(&base, pid, clients, seconds, &pages).await;
        println!("\nuploads: 8 concurrent of {upload_mib} MiB each (server limit 64 MiB)");
        let csv = upload_csv(upload_mib);
        upload_phase(&base, pid, "rep", &csv).await;
        upload_phase(&base, pid, "compadmin", &csv).await;
    });
    drop(server);
}

/// The load phase against a database prepared at scale (`bench/server_at_scale.sh`: a
/// generated company of millions of transactions, a month run, users `rep`, `manager` and
/// `admin` with the bench password): the rep's statement, the manager's team statements and
/// the transactions list (newest first), a third of the clients each.
fn at_scale(bin: &Path, db: &str, clients: usize, seconds: u64) {
    let month = std::env::var("ATTAIN_BENCH_MONTH").unwrap_or_else(|_| "2025-01".into());
    let rep_person = person_of(bin, db, "rep");
    let started = Instant::now();
    let (server, base) = serve(bin, db);
    let pid = server.0.id();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        wait_until_up(&base, Duration::from_secs(env_number("ATTAIN_BENCH_START_SECONDS", 1800))).await;
        println!(
            "{db}: server up in {:.1}s, pid {pid}, RSS {} MiB (peak {} MiB)",
            started.elapsed().as_secs_f64(),
            proc_mib(pid, "VmRSS:"),
            proc_mib(pid, "VmHWM:")
        );
        let pages = [
            ("rep", format!("/pay/statements/{month}/{rep_person}")),
            ("manager", format!("/pay/statements?period={month}")),
            ("admin", "/transactions".to_string()),
        ];
        load_phase(&base, pid, clients, seconds, &pages).await;
    });
    drop(server);
}

/// The person id `login` is, from `attain user list` (`login name role person status`).
fn person_of(bin: &Path, db: &str, login: &str) -> String {
    let users = attain(bin, &["user", "list", "--db", db], "");
    users
        .lines()
        .find(|l| l.split_whitespace().next() == Some(login))
        .and_then(|l| l.split_whitespace().rev().nth(1))
        .unwrap_or_else(|| panic!("no user {login} with a person"))
        .to_string()
}

/// `attain serve` on a free loopback port, and its base address.
fn serve(bin: &Path, db: &str) -> (ServerProcess, String) {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
    let listen = format!("127.0.0.1:{port}");
    let server = ServerProcess(
        Command::new(bin)
            .args(["serve", "--db", db, "--listen", &listen])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start attain serve"),
    );
    (server, format!("http://{listen}"))
}

async fn wait_until_up(base: &str, within: Duration) {
    let probe = reqwest::Client::new();
    let until = Instant::now() + within;
    while Instant::now() < until {
        if probe.get(format!("{base}/api/health")).send().await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("attain serve did not answer /api/health within {within:?}");
}

/// `clients` clients for `seconds`, spread evenly over `pages` (signed in as each page's
/// user), each sending its next request when the last answer has been read; then a line per
/// page: requests, errors, req/s and client-side latency percentiles.
async fn load_phase(base: &str, pid: u32, clients: usize, seconds: u64, pages: &[(&str, String)]) {
    let mut signed_in = Vec::with_capacity(clients);
    for n in 0..clients {
        let page = n % pages.len();
        let (client, _) = sign_in(base, pages[page].0).await;
        let url = format!("{base}{}", pages[page].1);
        // One warm-up request that must succeed: the page exists and the role may open it.
        let first = client.get(&url).send().await.expect("warm-up");
        assert!(first.status().is_success(), "{} {}: {}", pages[page].0, pages[page].1, first.status());
        signed_in.push((client, url, page));
    }
    let rss_before_load = proc_mib(pid, "VmRSS:");
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    // A bound on the count as well as the time, so the loop ends even if the clock misbehaves.
    let cap = 5_000 * seconds as usize;
    let tasks: Vec<_> = signed_in
        .into_iter()
        .map(|(client, url, page)| tokio::spawn(load_client(client, url, page, until, cap)))
        .collect();
    let mut per_page: Vec<Vec<u64>> = vec![Vec::new(); pages.len()];
    let mut errors = vec![0u64; pages.len()];
    for task in tasks {
        let tally = task.await.expect("client task");
        per_page[tally.page].extend(tally.latencies);
        errors[tally.page] += tally.errors;
    }
    let elapsed = started.elapsed();
    println!(
        "\nload: {clients} clients for {:.1}s on loopback; server RSS {rss_before_load} MiB before, \
         {} MiB after",
        elapsed.as_secs_f64(),
        proc_mib(pid, "VmRSS:")
    );
    println!(
        "{:<44} {:>9} {:>6} {:>8} {:>7} {:>7} {:>7} {:>7}",
        "page (user)", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    for (page, times) in per_page.iter_mut().enumerate() {
        times.sort_unstable();
        let at = |percent: usize| times.get((times.len() * percent / 100).min(times.len().saturating_sub(1)));
        let pick = |percent: usize| at(percent).copied().map_or("-".to_string(), ms);
        println!(
            "{:<44} {:>9} {:>6} {:>8} {:>7} {:>7} {:>7} {:>7}",
            format!("{} ({})", pages[page].1, pages[page].0),
            times.len(),
            errors[page],
            per_second(times.len(), elapsed),
            pick(50),
            pick(95),
            pick(99),
            times.last().copied().map_or("-".to_string(), ms),
        );
    }
    let total: usize = per_page.iter().map(Vec::len).sum();
    println!(
        "all: {total} requests, {} errors, {} req/s",
        errors.iter().sum::<u64>(),
        per_second(total, elapsed)
    );
}
