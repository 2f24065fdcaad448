//! A real Attain server for tests: a fresh database (SQLite or PostgreSQL), the demo company
//! as of 2018-01-15 with one user per role, bound to port 0 and served in the background
//! (zero2prod's TestApp pattern). Shared by the API and browser suites.
#![allow(dead_code)]

use std::net::SocketAddr;

use attain_app::seed::{DemoLogin, seed_demo, seed_demo_pay, seed_demo_users};
use attain_app::{App, NoProgress, Role, Settings};
use attain_store::Store;
use attain_testkit::{Db, TestDb};
use attain_web::{Server, ServerConfig};

/// The demo's "today" in every web test.
pub const AS_OF: &str = "2018-01-15";

/// [`AS_OF`] as a date.
pub fn as_of() -> attain_core::Date {
    attain_core::dating::parse_date(AS_OF).expect("a date")
}

#[derive(Debug)]
pub struct TestApp {
    pub url: String,
    pub addr: SocketAddr,
    pub app: App,
    pub logins: Vec<DemoLogin>,
    pub backend: Db,
    pub db_url: String,
    /// The database, dropped with the server that made it (`None` for one [`TestApp::beside`]).
    _db: Option<TestDb>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    /// Seeds and serves; `None` when the backend is skipped (PostgreSQL outside CI).
    pub async fn spawn(backend: Db) -> Option<TestApp> {
        TestApp::spawn_with(backend, Settings::default()).await
    }

    /// [`TestApp::spawn`] with the demo's pay as well: its plans stored, every month from the
    /// first through 2017-12 run and closed, and 2018-01 run as an open draft. Slower (a run
    /// per month), so only the tests about pay use it.
    pub async fn spawn_with_pay(backend: Db) -> Option<TestApp> {
        TestApp::start(backend, Settings::default(), true).await
    }

    pub async fn spawn_with(backend: Db, settings: Settings) -> Option<TestApp> {
        TestApp::start(backend, settings, false).await
    }

    /// [`TestApp::spawn`] configured to sit behind a trusted proxy (`trust_proxy`): clients
    /// are told apart by the last `X-Forwarded-For` address.
    pub async fn spawn_behind_proxy(backend: Db) -> Option<TestApp> {
        TestApp::start_with(backend, Settings::default(), false, |config| config.trust_proxy = true).await
    }

    /// [`TestApp::spawn`] with the server's settings (limits, timeouts) changed by `configure`.
    pub async fn spawn_serving(backend: Db, configure: impl FnOnce(&mut ServerConfig)) -> Option<TestApp> {
        TestApp::start_with(backend, Settings::default(), false, configure).await
    }

    async fn start(backend: Db, settings: Settings, pay: bool) -> Option<TestApp> {
        TestApp::start_with(backend, settings, pay, |_| {}).await
    }

    async fn start_with(
        backend: Db,
        settings: Settings,
        pay: bool,
        configure: impl FnOnce(&mut ServerConfig),
    ) -> Option<TestApp> {
        let db = TestDb::new(backend).await?;
        let store = Store::open(&db.url).await.expect("open the test database");
        let as_of = as_of();
        seed_demo(&store, &attain_demo::DemoConfig::new(as_of), &NoProgress).await.expect("seed the demo");
        // The app's today is the demo's: 2018-01, the open month, has not ended.
        let settings = Settings { today: settings.today.or(Some(as_of)), ..settings };
        let app = App::new(store, settings).await.expect("build the app");
        let logins = seed_demo_users(&app, as_of).await.expect("demo users");
        if pay {
            seed_demo_pay(&app, as_of).await.expect("seed the demo's pay");
        }
        let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
        configure(&mut config);
        let db_url = db.url.clone();
        Some(TestApp::serve(app, config, logins, backend, db_url, Some(db)).await)
    }

    /// Another server on this one's database, with its own `App` (read model, write lock) and
    /// connection pool: for a test, another process, as a second replica behind a load
    /// balancer would be. Keep `self` alive while it is used: `self` owns the database.
    pub async fn beside(&self) -> TestApp {
        let store = Store::open(&self.db_url).await.expect("open the test database again");
        let settings = Settings { today: Some(as_of()), ..Settings::default() };
        let app = App::new(store, settings).await.expect("build a second app");
        let config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
        TestApp::serve(app, config, self.logins.clone(), self.backend, self.db_url.clone(), None).await
    }

    async fn serve(
        app: App,
        config: ServerConfig,
        logins: Vec<DemoLogin>,
        backend: Db,
        db_url: String,
        db: Option<TestDb>,
    ) -> TestApp {
        let server = Server::bind(app.clone(), config).await.expect("bind port 0");
        let addr = server.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            server
                .run(async {
                    let _ = rx.await;
                })
                .await
                .expect("serve");
        });
        TestApp {
            url: format!("http://{addr}"),
            addr,
            app,
            logins,
            backend,
            db_url,
            _db: db,
            shutdown: Some(tx),
        }
    }

    pub fn login(&self, role: Role) -> &DemoLogin {
        self.logins.iter().find(|l| l.role == role).expect("a demo user per role")
    }

    /// The person a manager or rep user is.
    pub fn person_of(&self, role: Role) -> String {
        self.login(role).person_id.clone().expect("managers and reps are people")
    }

    /// An absolute URL for `path`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// A fresh API token (its secret, `atn_…`) of the demo user with `role`, made by signing
    /// that user in through the app, as `POST /api/v1/tokens` would.
    pub async fn token_for(&self, role: Role) -> String {
        let login = self.login(role);
        let signed_in =
            self.app.sign_in(&login.login, &login.password, None).await.expect("the demo user signs in");
        let name = format!("tests ({role})");
        self.app.create_token(&signed_in.actor, &name).await.expect("a token").secret
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
