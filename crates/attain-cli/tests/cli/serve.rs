//! `attain demo` and `attain serve` really serve: the Quick start's main job, started as a user
//! starts it, answers over HTTP and stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use super::Sandbox;

/// Reads the child's stdout until the "serving at" line; returns the URL and what was read.
fn serving_url(child: &mut Child) -> (String, String) {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.expect("UTF-8 output");
        seen.push_str(&line);
        seen.push('\n');
        if let Some(url) = line.strip_prefix("Attain is serving at ") {
            // Keep draining stdout in the background so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return (url.trim().to_string(), seen);
        }
    }
    panic!("attain exited without serving; it printed:\n{seen}");
}

/// A plain HTTP/1.1 GET, so the test needs no HTTP client: status line and body.
fn get(url: &str, path: &str) -> (String, String) {
    let authority = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).expect("connect to the server");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read the response");
    let status = response.lines().next().unwrap_or("").to_string();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

/// Starts `attain args…` in the sandbox as a long-running server, stdout piped for its URL.
fn start(sandbox: &Sandbox, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_attain"))
        .args(args)
        .current_dir(sandbox.path(""))
        .env_remove("ATTAIN_DATABASE_URL")
        .env_remove("ATTAIN_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start attain")
}

fn stop(mut child: Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    // SIGTERM, as a service manager stops it; the server finishes and exits on its own.
    let killed = Command::new("kill").args(["-TERM", &pid]).status().expect("run kill");
    assert!(killed.success());
    child.wait().expect("wait for attain")
}

#[test]
fn demo_serves_the_ui_and_the_api_then_stops_on_sigterm() {
    let sandbox = Sandbox::new();
    let mut child = start(&sandbox, &["demo", "--as-of", "2018-01-15", "--listen", "127.0.0.1:0"]);
    let (url, printed) = serving_url(&mut child);
    for login in ["admin", "compadmin", "finance", "manager", "rep", "exec"] {
        assert!(
            printed.lines().any(|l| l.split_whitespace().any(|w| w == login)),
            "no {login} login in:\n{printed}"
        );
    }
    let (status, body) = get(&url, "/api/health");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("\"ok\""), "{body}");
    let (status, _) = get(&url, "/");
    assert!(status.contains("303"), "the home page sends a stranger to sign in: {status}");
    let (status, body) = get(&url, "/login");
    assert!(status.contains("200") && body.contains("Sign in"), "{status}");
    let exit = stop(child);
    assert!(exit.success(), "attain should exit 0 after SIGTERM, got {exit:?}");
}

#[test]
fn serve_without_users_prints_a_setup_address_that_works_once() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("empty.db");
    let mut child = start(&sandbox, &["serve", "--db", &db, "--listen", "127.0.0.1:0"]);
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut setup = None;
    let mut url = None;
    for line in lines.by_ref() {
        let line = line.expect("UTF-8");
        if let Some(u) = line.strip_prefix("Attain is serving at ") {
            url = Some(u.trim().to_string());
        }
        if line.trim_start().contains("/setup?token=") {
            setup = Some(line.trim().to_string());
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let url = url.expect("the serving line comes first");
    let setup = setup.expect("a setup address is printed when there is no user");
    let path = setup.trim_start_matches(url.trim_end_matches('/'));
    let (status, body) = get(&url, path);
    assert!(status.contains("200") && body.contains("Create the first administrator"), "{status}\n{body}");
    let (status, _) = get(&url, "/setup?token=wrong");
    assert!(status.contains("404"), "a wrong setup token is not found: {status}");
    assert!(stop(child).success());
}
