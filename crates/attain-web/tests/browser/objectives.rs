//! Objectives in the browser: the manager finds Plan → Objectives, gives every seller on the
//! team a demo objective in one go, is told by field what is wrong with a bad target, ends
//! one rep's objective behind its confirmation page; the rep then sees only their own
//! objectives and no form.

use attain_app::Role;
use attain_testkit::Db;
use attain_testkit::browser;

use super::support::TestApp;
use super::{eval, go_by_menu, sign_in, texts};

/// Sets a form control's value the way a person picks it (selects and date inputs take no
/// typing that does not depend on the browser's locale).
fn set(css: &str, value: &str) -> String {
    format!("document.querySelector({css:?}).value = {value:?}; return true;")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_sets_the_team_an_objective_and_the_rep_sees_their_own() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    browser::run("a_manager_sets_the_team_an_objective_and_the_rep_sees_their_own", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::Manager).await?;
        go_by_menu(b, "/plan/objectives").await?;
        b.wait_for("#objective-form").await?;
        let before = texts(b, "#objectives td[data-label=Measure]").await?;
        assert!(before.iter().any(|m| m == "calls") && !before.iter().any(|m| m == "demos"), "{before:?}");
        let first: String =
            eval(b, "return document.querySelector('#objective-who option').textContent;").await?;
        assert!(first.starts_with("Every seller below"), "the team comes first: {first}");
        let _: bool = eval(b, &set("#objective-measure", "demos")).await?;
        let _: bool = eval(b, &set("#objective-cadence", "month")).await?;
        let _: bool = eval(b, &set("#objective-from", "2018-02-01")).await?;
        b.fill("#objective-target", "4.5").await?;
        b.fill("#objective-note", "One demo a week").await?;
        b.click("#set-objective").await?;
        let error = b.text_of("#objective-error").await?;
        assert!(error.starts_with("target:") && error.contains("whole count"), "{error}");
        assert_eq!(b.value_of("#objective-note").await?, "One demo a week", "what was typed is kept");
        b.fill("#objective-target", "4").await?;
        b.click("#set-objective").await?;
        let saved = b.text_of("#objective-saved").await?;
        assert!(saved.starts_with("Objective set for ") && saved.ends_with(" seats."), "{saved}");
        let measures = texts(b, "#objectives td[data-label=Measure]").await?;
        let demos = measures.iter().filter(|m| *m == "demos").count();
        assert!(demos > 1, "every seller has one: {measures:?}");

        // Ending one goes through its confirmation page.
        b.click("#objectives td a[href$='/end']").await?;
        b.wait_for("#end-form").await?;
        let _: bool = eval(b, &set("#end-to", "2018-03-01")).await?;
        b.click("#end-objective").await?;
        b.wait_for("#objectives").await?;
        let until = texts(b, "#objectives td[data-label=Until]").await?;
        assert!(until.iter().any(|u| u == "2018-03-01"), "{until:?}");

        b.click("form[action='/logout'] button").await?;
        b.wait_for("#login").await?;
        sign_in(b, &app, Role::Rep).await?;
        go_by_menu(b, "/plan/objectives").await?;
        let seats = texts(b, "#objectives td[data-label=Seat]").await?;
        assert!(!seats.is_empty(), "the rep has objectives");
        assert!(seats.iter().all(|s| s == &seats[0]), "only their own seat: {seats:?}");
        let measures = texts(b, "#objectives td[data-label=Measure]").await?;
        assert!(measures.iter().any(|m| m == "demos"), "{measures:?}");
        let forms: usize =
            eval(b, "return document.querySelectorAll('#objective-form, #objectives a').length;").await?;
        assert_eq!(forms, 0, "a rep reads their objectives; they set none");
        Ok(())
    })
    .await;
}
