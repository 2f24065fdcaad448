//! Serving the web interface until Ctrl-C or SIGTERM, then finishing requests in flight.

use anyhow::{Context, Result};
use attain_app::App;
use attain_app::seed::DemoLogin;
use attain_web::{Server, ServerConfig};

use crate::args::ListenArgs;

pub async fn serve(app: App, listen: &ListenArgs, demo: Option<&[DemoLogin]>) -> Result<()> {
    let mut config = ServerConfig::new(listen.listen);
    config.secure_cookies = listen.secure_cookies;
    config.trust_proxy = listen.trust_proxy;
    let server =
        Server::bind(app, config).await.with_context(|| format!("cannot serve on {}", listen.listen))?;
    println!();
    println!("Attain is serving at {}", server.url());
    if let Some(setup) = server.setup_url() {
        println!("No user exists yet. Create the first administrator at:");
        println!("  {setup}");
        println!("(or run `attain user add LOGIN --role admin --name NAME` on this machine)");
    }
    if demo.is_some() {
        println!("Sign in with one of the demo users above. Press Ctrl-C to stop.");
    } else {
        println!("Press Ctrl-C to stop.");
    }
    server.run(shutdown_signal()).await.context("the server stopped with an error")?;
    println!("Stopped.");
    Ok(())
}

/// Completes on Ctrl-C, or on SIGTERM (how service managers and containers stop a process).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
