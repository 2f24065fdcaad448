//! Server time of every UI page and the main API lists on the demo company, per role.
//!
//! Seeds the demo company (as of 2018-01-15) into a fresh SQLite database, serves it on a
//! random port, signs in as each demo user and requests every page `ATTAIN_BENCH_RUNS` times
//! (default 20) after one warm-up. Reports, per page and role, the median and the slowest
//! `Server-Timing` the server reported (its own time from request to response, excluding the
//! network), and fails if any exceeds the 100 ms target.
//!
//! Run: `cargo bench -p attain-bench --bench pages`

use attain_app::seed::{seed_demo, seed_demo_users};
use attain_app::{App, NoProgress, Settings};
use attain_demo::DemoConfig;
use attain_store::Store;
use attain_web::{Server, ServerConfig};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PAGES: [&str; 17] = [
    "/",
    "/people",
    "/people?sort=-hire_date&page=2",
    "/org",
    "/territories",
    "/accounts",
    "/accounts?q=tech&sort=-annual_revenue",
    "/opportunities",
    "/opportunities?status=won&sort=-amount",
    "/opportunities/board",
    "/activities",
    "/transactions",
    "/admin/users",
    "/admin/audit",
    "/account",
    "/api/v1/opportunities?per_page=500",
    "/api/v1/transactions?per_page=500&sort=-amount",
];

/// Microseconds from a `Server-Timing: app;dur=12.345` header.
fn server_micros(response: &reqwest::Response) -> u64 {
    let value = response.headers().get("server-timing").and_then(|v| v.to_str().ok()).unwrap_or("");
    let ms = value.split("dur=").nth(1).unwrap_or("0");
    let (whole, fraction) = ms.split_once('.').unwrap_or((ms, "0"));
    let fraction = format!("{fraction:0<3}");
    whole.parse::<u64>().unwrap_or(0) * 1000 + fraction[..3].parse::<u64>().unwrap_or(0)
}

fn ms(micros: u64) -> String {
    format!("{}.{:01}", micros / 1000, (micros % 1000) / 100)
}

fn main() {
    let runs: usize =
        std::env::var("ATTAIN_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(20).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("pages.db").display().to_string()).await.expect("store");
        let as_of = jiff::civil::date(2018, 1, 15);
        seed_demo(&store, &DemoConfig::new(as_of), &NoProgress).await.expect("seed");
        let app = App::new(store, Settings::default()).await.expect("app");
        let logins = seed_demo_users(&app, as_of).await.expect("users");
        // Detail pages of records every demo user may see: the demo rep's own.
        let snapshot = app.snapshot();
        let rep = logins
            .iter()
            .find(|l| l.role == attain_app::Role::Rep)
            .and_then(|l| l.person_id.clone())
            .expect("rep");
        let opportunity = snapshot
            .data
            .opportunities
            .iter()
            .find(|o| o.owner_id == rep && o.account_id.is_some())
            .expect("a deal");
        let account = opportunity.account_id.clone().expect("an account");
        let transaction =
            snapshot.data.transactions.iter().find(|t| t.opportunity_id.as_deref() == Some(&opportunity.id));
        let mut pages: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
        pages.push(format!("/people/{rep}"));
        pages.push(format!("/opportunities/{}", opportunity.id));
        pages.push(format!("/accounts/{account}"));
        if let Some(t) = transaction {
            pages.push(format!("/transactions/{}", t.id));
        }
        let server =
            Server::bind(app.clone(), ServerConfig::new("127.0.0.1:0".parse().unwrap())).await.expect("bind");
        let base = server.url();
        tokio::spawn(server.run(std::future::pending()));
        let mut worst = 0;
        println!("{:<48} {:<10} {:>9} {:>9}", "page", "role", "median ms", "max ms");
        for login in &logins {
            let signed_in = app.sign_in(&login.login, &login.password, None).await.expect("sign in");
            let client = reqwest::Client::builder().build().expect("client");
            let cookie = format!("attain_session={}", signed_in.cookie);
            for page in &pages {
                let url = format!("{}{page}", base.trim_end_matches('/'));
                let mut times = Vec::with_capacity(runs);
                let mut status = 0;
                for run in 0..=runs {
                    let response = client.get(&url).header("cookie", &cookie).send().await.expect("request");
                    status = response.status().as_u16();
                    let micros = server_micros(&response);
                    let _ = response.bytes().await;
                    if run > 0 {
                        times.push(micros);
                    }
                }
                if status != 200 {
                    continue; // pages the role may not open (403) are not pages it renders
                }
                times.sort_unstable();
                let (median, max) = (times[times.len() / 2], times[times.len() - 1]);
                worst = worst.max(max);
                println!("{page:<48} {:<10} {:>9} {:>9}", login.login, ms(median), ms(max));
            }
        }
        println!("slowest page render: {} ms (target: under 100 ms)", ms(worst));
        assert!(worst < 100_000, "a page took {} ms", ms(worst));
    });
}
