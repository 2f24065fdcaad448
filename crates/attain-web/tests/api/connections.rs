//! Slow and surplus clients: a connection that never finishes its headers is closed by the
//! server, and connections beyond the limit wait their turn instead of exhausting the server,
//! so `/api/health` still answers once the slow ones are gone.

use std::time::Duration;

use attain_testkit::Db;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::on_both;
use crate::support::TestApp;

/// A connection that sent half a request head and nothing more.
async fn half_header(app: &TestApp) -> TcpStream {
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    stream.write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").await.expect("send");
    stream
}

/// What the server sent on `stream` if it has already closed it, read without waiting; `None`
/// while the connection is still open. (A plain non-blocking read of the socket: nothing here
/// waits or measures time.)
fn closed_already(stream: TcpStream) -> Option<Vec<u8>> {
    let mut stream = stream.into_std().expect("a std stream, non-blocking");
    let (mut answer, mut buf) = (Vec::new(), [0u8; 1024]);
    loop {
        match std::io::Read::read(&mut stream, &mut buf) {
            Ok(0) => return Some(answer),
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return None,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(answer),
            Err(e) => panic!("reading a slow client's connection: {e}"),
        }
    }
}

/// Reads until the server closes the connection. The guard only turns a hang (a server that
/// never closes it) into a failure; it measures nothing.
async fn closed_by_server(mut stream: TcpStream) -> Vec<u8> {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer)).await;
    match read {
        Err(_) => panic!("the server kept a half-sent request open"),
        // A reset is a close too.
        Ok(Err(e)) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
        Ok(Ok(_)) => {}
    }
    answer
}

on_both!(slow_clients_are_dropped_and_surplus_ones_wait);

async fn slow_clients_are_dropped_and_surplus_ones_wait(backend: Db) {
    let Some(app) = TestApp::spawn_serving(backend, |config| {
        config.header_timeout = Duration::from_millis(300);
        config.max_connections = 2;
    })
    .await
    else {
        return;
    };
    // Five times the limit in slow clients, connected before the health check.
    let mut slow = Vec::new();
    for _ in 0..10 {
        slow.push(half_header(&app).await);
    }
    // The guard only turns a hang (slow clients never dropped) into a failure.
    let health = tokio::time::timeout(Duration::from_secs(60), reqwest::get(app.at("/api/health")))
        .await
        .expect("the health check was never served: the slow clients kept their connections")
        .expect("health answers");
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    // Each slow client was disconnected without an answer to its unfinished request (at most
    // a 408). Since the limit holds, the health check, queued behind the ten of them, was
    // accepted only once nine had been dropped, two at a time: the first eight were closed a
    // whole header timeout or more before it was served, so they are seen closed already.
    // Without the limit it would be served at once, beside ten open connections.
    let mut slow = slow.into_iter();
    for (i, stream) in slow.by_ref().take(8).enumerate() {
        let answer = closed_already(stream).unwrap_or_else(|| {
            panic!(
                "slow client {i} was still connected when a client behind it was served: no connection limit"
            )
        });
        let answer = String::from_utf8_lossy(&answer).to_string();
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    }
    for stream in slow {
        let answer = String::from_utf8_lossy(&closed_by_server(stream).await).to_string();
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    }
    // The server still serves new clients and kept-alive ones.
    let client = reqwest::Client::new();
    for _ in 0..3 {
        assert_eq!(client.get(app.at("/api/health")).send().await.unwrap().status(), 200);
    }
}
