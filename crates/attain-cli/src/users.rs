//! `attain user …` and `attain audit verify`: administration on the server's own machine,
//! acting as the command line (trusted as an admin, recorded as `cli:<user>` in the audit log).

use std::io::BufRead;

use anyhow::{Context, Result, bail};
use attain_app::access::secret::random_password;
use attain_app::access::users::NewUser;
use attain_app::{Actor, App, Role, Settings};
use attain_store::Store;

use crate::args::{AuditCommand, DbArg, UserCommand};

async fn open(db: &DbArg) -> Result<App> {
    let store = Store::open(&db.db).await?;
    Ok(App::new(store, Settings::default()).await?)
}

/// The password from stdin's first line, or a generated one (returned to be printed once).
fn password(from_stdin: bool) -> Result<(String, bool)> {
    if !from_stdin {
        return Ok((random_password(), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("--password-stdin: no password on stdin");
    }
    Ok((password, false))
}

pub async fn run(command: UserCommand) -> Result<()> {
    let actor = Actor::cli();
    match command {
        UserCommand::Add(args) => {
            let Some(role) = Role::parse(&args.role) else {
                bail!(
                    "--role: '{}' is not one of admin, comp_admin, finance, manager, rep, executive",
                    args.role
                );
            };
            let (password, generated) = password(args.password_stdin)?;
            let app = open(&args.db).await?;
            let new = NewUser {
                login: args.login,
                display_name: args.name,
                role,
                person_id: args.person,
                password: password.clone(),
            };
            let user = app.add_user(&actor, new).await.map_err(explain)?;
            println!("added {} ({})", user.login, user.role.label());
            if generated {
                println!("password: {password}");
                println!("(shown once; the user can change it on their account page)");
            }
            app.store().close().await;
        }
        UserCommand::List(db) => {
            let app = open(&db).await?;
            println!("{:<24} {:<24} {:<12} {:<16} status", "login", "name", "role", "person");
            for u in app.users(&actor).await? {
                println!(
                    "{:<24} {:<24} {:<12} {:<16} {}",
                    u.login,
                    u.display_name,
                    u.role.as_str(),
                    u.person_id.unwrap_or_default(),
                    if u.disabled { "disabled" } else { "active" }
                );
            }
            app.store().close().await;
        }
        UserCommand::Disable(args) => {
            let app = open(&args.db).await?;
            let user = app.set_disabled(&actor, &args.login, true).await.map_err(not_found(&args.login))?;
            println!("disabled {}", user.login);
            app.store().close().await;
        }
        UserCommand::Enable(args) => {
            let app = open(&args.db).await?;
            let user = app.set_disabled(&actor, &args.login, false).await.map_err(not_found(&args.login))?;
            println!("enabled {}", user.login);
            app.store().close().await;
        }
        UserCommand::ResetPassword(args) => {
            let (password, generated) = password(args.password_stdin)?;
            let app = open(&args.db).await?;
            let user =
                app.reset_password(&actor, &args.login, &password).await.map_err(not_found(&args.login))?;
            println!("new password set for {}; their sessions were ended", user.login);
            if generated {
                println!("password: {password}");
            }
            app.store().close().await;
        }
    }
    Ok(())
}

fn not_found(login: &str) -> impl FnOnce(attain_app::AppError) -> anyhow::Error + '_ {
    move |e| match e {
        attain_app::AppError::NotFound => anyhow::anyhow!("no user has the login '{login}'"),
        other => explain(other),
    }
}

/// Names what was refused ("password: must be at least 12 characters"), as the option the user
/// typed where there is one: the app's messages leave the field to the caller.
fn explain(e: attain_app::AppError) -> anyhow::Error {
    match e {
        attain_app::AppError::Invalid { field: Some(field), message } => {
            let what = match field.as_str() {
                "display_name" => "--name",
                "person_id" => "--person",
                other => other,
            };
            anyhow::anyhow!("{what}: {message}")
        }
        other => other.into(),
    }
}

pub async fn audit(command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Verify(args) => {
            let store = Store::open_existing(&args.db.db).await?;
            let checkpoint = match &args.against {
                Some(path) => Some(read_checkpoint(path)?),
                None => None,
            };
            let verification = match &checkpoint {
                Some(checkpoint) => attain_app::audit::verify_against(&store, checkpoint).await,
                None => attain_app::audit::verify(&store).await,
            };
            store.close().await;
            let verification = verification.map_err(|e| match (e, &args.against) {
                (attain_app::AppError::Invalid { message, .. }, Some(path)) => {
                    anyhow::anyhow!("{}: {message}", path.display())
                }
                (other, _) => other.into(),
            })?;
            match verification.problem {
                None => {
                    println!("audit log intact: {} entries, every hash checked", verification.entries);
                    if let Some(c) = checkpoint {
                        println!("it still holds entry {} as signed in the checkpoint of {}", c.seq, c.at);
                    }
                    Ok(())
                }
                Some(problem) => bail!(
                    "audit log broken at entry {}: {problem}",
                    verification.broken_at.unwrap_or_default()
                ),
            }
        }
        AuditCommand::Checkpoint(args) => {
            let store = Store::open_existing(&args.db.db).await?;
            let checkpoint = attain_app::audit::checkpoint(&store).await;
            store.close().await;
            let text = serde_json::to_string_pretty(&checkpoint?)? + "\n";
            match &args.out {
                Some(path) => {
                    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("checkpoint written to {}", path.display());
                }
                None => print!("{text}"),
            }
            Ok(())
        }
        AuditCommand::Rekey(db) => {
            let store = Store::open_existing(&db.db).await?;
            let signed = attain_app::audit::rekey(&store, &Actor::cli()).await;
            let source = store.audit_key().source().to_string();
            store.close().await;
            println!("re-signed {} audit entries with the key from {source}", signed?);
            Ok(())
        }
    }
}

fn read_checkpoint(path: &std::path::Path) -> Result<attain_app::audit::Checkpoint> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!("{}: not an audit checkpoint (attain audit checkpoint writes them)", path.display())
    })
}
