//! The administrator adds a user and disables them; the audit log records both, by the admin,
//! on an intact chain.

use attain_app::Role;
use attain_testkit::Db;
use attain_testkit::browser;

use super::support::TestApp;
use super::{click_and_confirm, sign_in, texts};

const NEW_LOGIN: &str = "newrep";

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_adds_and_disables_a_user_and_the_audit_log_shows_it() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let taken: Vec<String> = app.logins.iter().filter_map(|l| l.person_id.clone()).collect();
    let person = app
        .app
        .snapshot()
        .data
        .people
        .iter()
        .find(|p| !taken.contains(&p.id))
        .map(|p| (p.id.clone(), p.name.clone()))
        .expect("a person without an account");

    browser::run("an_admin_adds_and_disables_a_user_and_the_audit_log_shows_it", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::Admin).await?;
        super::go_by_menu(b, "/admin/users").await?;
        let form = "form[action='/admin/users']";
        b.fill(&format!("{form} input[name=login]"), NEW_LOGIN).await?;
        b.fill(&format!("{form} input[name=display_name]"), &person.1).await?;
        b.wait_for(&format!("{form} select[name=role]")).await?.select_by_value("rep").await?;
        b.fill(&format!("{form} input[name=person_id]"), &person.0).await?;
        b.fill(&format!("{form} input[name=password]"), "a long enough password 42").await?;
        b.click(&format!("{form} button[type=submit]")).await?;

        let disable = format!("form[action='/admin/users/{NEW_LOGIN}/disable'] button");
        b.wait_for(&disable).await?;
        let logins = texts(b, "#users tbody td[data-label=Login]").await?;
        assert!(logins.iter().any(|l| l == NEW_LOGIN), "{logins:?}");
        let row = format!(
            "return Array.from(document.querySelectorAll('#users tbody tr')).find(r => r.cells[0].innerText.trim() === '{NEW_LOGIN}').innerText;"
        );
        let line: String = super::eval(b, &row).await?;
        // The Person column names the person (linked to their page), not their id.
        for part in [person.1.as_str(), "Sales rep", "active"] {
            assert!(line.contains(part), "the new user's row {line:?} shows {part:?}");
        }
        let link = format!("#users a[href='/people/{}']", person.0);
        assert_eq!(b.text_of(&link).await?, person.1, "the Person column links to the person's page");

        click_and_confirm(b, &disable).await?;
        b.wait_for(&format!("form[action='/admin/users/{NEW_LOGIN}/enable']")).await?;
        let line: String = super::eval(b, &row).await?;
        assert!(line.contains("disabled"), "{line:?}");

        super::go_by_menu(b, "/admin/audit").await?;
        assert_eq!(b.text_of(".subtitle .badge").await?, "chain intact");
        // (who, action) of every entry on the first page, newest first.
        let cells = texts(b, "#audit tbody td[data-label=Who], #audit tbody td[data-label=Action]").await?;
        let entries: Vec<(String, String)> = cells
            .chunks(2)
            .map(|c| (c[0].lines().next().unwrap_or("").to_string(), c[1].clone()))
            .collect();
        for action in ["user.create", "user.disable"] {
            assert!(
                entries.iter().any(|(who, what)| who == "admin" && what == action),
                "an entry for {action} by admin: {entries:?}"
            );
        }
        Ok(())
    })
    .await;
}
