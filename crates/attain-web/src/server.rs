//! Binding, serving connections (a connection limit, a header-read timeout that also closes
//! idle kept-alive connections, a bounded request head), middleware (logs, limits, timeouts,
//! compression, security headers) and graceful shutdown. The listener binds before anything serves, so tests can use
//! port 0.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use attain_app::App;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    /// Mark cookies `Secure`: on when the server is reached over TLS (behind a proxy).
    pub secure_cookies: bool,
    pub request_timeout: Duration,
    /// Largest JSON or form body.
    pub max_body_bytes: usize,
    /// Largest CSV upload.
    pub max_upload_bytes: usize,
    /// The server sits behind one reverse proxy that appends the client's address to
    /// `X-Forwarded-For`: take the client address from there (see `auth::client_address`).
    pub trust_proxy: bool,
    /// How long a client may take to send a request's headers; also how long a kept-alive
    /// connection may wait idle for its next request. A client that trickles a header is
    /// disconnected after this, so it cannot hold a connection open.
    pub header_timeout: Duration,
    /// Connections served at once. Beyond it, new connections wait in the listen backlog until
    /// one closes, so a flood of slow clients cannot exhaust the process's file descriptors.
    pub max_connections: usize,
}

impl ServerConfig {
    pub fn new(addr: SocketAddr) -> ServerConfig {
        ServerConfig {
            addr,
            secure_cookies: false,
            request_timeout: Duration::from_secs(60),
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 64 * 1024 * 1024,
            trust_proxy: false,
            header_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub app: App,
    pub config: Arc<ServerConfig>,
    /// While no user exists: the secret that the first-run setup page asks for.
    pub setup_token: Option<Arc<String>>,
}

/// A bound server, ready to run.
#[derive(Debug)]
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
    addr: SocketAddr,
    setup_token: Option<Arc<String>>,
    header_timeout: Duration,
    max_connections: usize,
}

impl Server {
    /// Binds `config.addr` and builds the router. When the database has no user yet, a
    /// one-time setup secret is made for creating the first admin in the browser.
    pub async fn bind(app: App, config: ServerConfig) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let needs_setup = !app.has_users().await.map_err(std::io::Error::other)?;
        let setup_token = needs_setup.then(|| Arc::new(attain_app::access::secret::random_token()));
        let (header_timeout, max_connections) = (config.header_timeout, config.max_connections.max(1));
        let state = AppState { app, config: Arc::new(config), setup_token: setup_token.clone() };
        Ok(Server { listener, router: router(state), addr, setup_token, header_timeout, max_connections })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address to open in a browser.
    pub fn url(&self) -> String {
        let host = if self.addr.ip().is_unspecified() {
            "localhost".to_string()
        } else {
            self.addr.ip().to_string()
        };
        format!("http://{host}:{}/", self.addr.port())
    }

    /// The first-run setup address, while the database has no user.
    pub fn setup_url(&self) -> Option<String> {
        self.setup_token.as_ref().map(|t| format!("{}setup?token={t}", self.url()))
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    ///
    /// HTTP/1.1 only (behind a proxy, which speaks HTTP/2 to browsers): hyper's header-read
    /// timeout bounds both a slow first request and an idle kept-alive connection, where
    /// detecting HTTP/2 would first wait, unbounded, for its preface.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let Server { listener, router, header_timeout, max_connections, .. } = self;
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
        // Room for heads well past our own limits, so that `head_limits` answers them in the
        // API's error shape rather than hyper with a bare 431.
        http.max_buf_size(crate::head_limits::HEAD_BUFFER_BYTES)
            .max_headers(crate::head_limits::PARSED_HEADERS);
        let permits = Arc::new(Semaphore::new(max_connections));
        let connections = GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            // A permit before accepting: past the limit, connections queue in the kernel's
            // backlog (costing us no descriptor) and are served in turn as others close.
            let permit = tokio::select! {
                () = &mut shutdown => break,
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let (stream, remote) = tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of descriptors or a connection reset before accept: not fatal.
                        // Pausing stops a full descriptor table from spinning the loop.
                        tracing::warn!(error = %e, "could not accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let router = router.clone();
            let service = hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                router.clone().oneshot(request.map(Body::new))
            });
            let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
            tokio::spawn(async move {
                // A client that times out or hangs up ends its connection; nothing to report.
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "connection closed with an error");
                }
                drop(permit);
            });
        }
        // Stop accepting first, then let the connections in flight finish their requests.
        drop(listener);
        connections.shutdown().await;
        Ok(())
    }
}

fn router(state: AppState) -> Router {
    let config = state.config.clone();
    let purge = state.app.clone();
    // Expired sessions are harmless (they are refused) but should not pile up.
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(e) = purge.purge_expired().await {
                tracing::warn!(error = %e, "could not purge expired sessions");
            }
        }
    });
    let watcher = state.app.clone();
    // Another process (the CLI) may change records while we serve; pick that up within seconds.
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(2));
        loop {
            every.tick().await;
            if let Err(e) = watcher.refresh_if_stale().await {
                tracing::warn!(error = %e, "could not check for changed data");
            }
        }
    });
    let api = crate::api::routes().layer(DefaultBodyLimit::max(config.max_body_bytes));
    let uploads = crate::api::upload_routes()
        .merge(crate::ui::upload_routes())
        .layer(DefaultBodyLimit::max(config.max_upload_bytes));
    let ui = crate::ui::routes().layer(DefaultBodyLimit::max(config.max_body_bytes));
    let plans = crate::ui::plan_routes().layer(DefaultBodyLimit::max(2 * config.max_body_bytes + 64 * 1024));
    Router::new()
        .merge(api)
        .merge(uploads)
        .merge(ui)
        .merge(plans)
        .layer(axum::middleware::from_fn(crate::no_store::no_store))
        .merge(crate::assets::routes())
        .fallback(crate::error::fallback)
        .with_state(state)
        // Inside the header layers, so its refusals carry the security headers too.
        .layer(axum::middleware::from_fn(crate::head_limits::head_limits))
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(axum::middleware::from_fn(server_timing))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.request_timeout))
        // Outside the timeout, so a timed-out request gets the uniform error body too.
        .layer(axum::middleware::from_fn(crate::error::uniform_errors))
        .layer(
            // The path only: query strings can hold search terms about people, and headers
            // hold cookies and tokens, so neither is logged.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let path = request.uri().path();
                    // An over-long path is refused, and logged cut short: no 8 KiB log lines.
                    let path = path.char_indices().nth(200).map_or(path, |(end, _)| &path[..end]);
                    tracing::info_span!("request", method = %request.method(), path = %path)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
}

/// Adds `Server-Timing: app;dur=<ms>`: the time the server spent on the request, as browsers'
/// developer tools and the page benchmark read it (the target is under 100 ms per page).
async fn server_timing(request: Request, next: axum::middleware::Next) -> axum::response::Response {
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    let micros = started.elapsed().as_micros();
    let value = format!("app;dur={}.{:03}", micros / 1000, micros % 1000);
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(HeaderName::from_static("server-timing"), v);
    }
    response
}

/// Headers every response carries: a strict content security policy (our own scripts and
/// styles only, no framing), no MIME sniffing, no cross-site referrers.
fn header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
