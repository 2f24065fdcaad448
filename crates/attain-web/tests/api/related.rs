//! Detail pages name the records they link to only within the viewer's scope: a manager's
//! transaction, account, activity or person page shows an out-of-scope account, opportunity,
//! original transaction, contact, owner or manager by its bare id ("not visible to you"),
//! never by name and never as a link that would answer 404. The record API embeds ids only.

use attain_app::Role;
use attain_core::domain::{holder_of, position_of, position_on};
use attain_testkit::Db;

use crate::client::Api;
use crate::on_both;
use crate::support::TestApp;

const SECRET_ACCOUNT: &str = "Hidden Holdings Zq";
const SECRET_DEAL: &str = "Secret Deal Zq";
const SECRET_CONTACT: &str = "Quinn Secretcontact";

#[track_caller]
fn hides(page: &str, path: &str, names: &[&str], ids: &[&str]) {
    for name in names {
        assert!(!page.contains(name), "{path} names {name}, which the viewer may not see");
    }
    for id in ids {
        assert!(
            page.contains(&format!("{id} (not visible to you)")),
            "{path} does not mark {id} as not visible"
        );
        assert!(!page.contains(&format!("/{id}\"")), "{path} links to {id}, which answers 404");
    }
}

on_both!(detail_pages_name_related_records_only_within_scope);

async fn detail_pages_name_related_records_only_within_scope(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let manager_id = app.person_of(Role::Manager);
    let rep_id = app.person_of(Role::Rep);
    let admin = Api::as_role(&app, Role::Admin).await;
    let manager_api = Api::as_role(&app, Role::Manager).await;

    // Someone the manager does not see, and the manager's own boss.
    let team: Vec<String> = crate::scope::all(&manager_api, "/api/v1/people")
        .await
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(team.contains(&rep_id), "the demo rep is in the demo manager's team");
    let (outsider, outsider_name, boss, boss_name, seat) = {
        let snapshot = app.app.snapshot();
        let data = &snapshot.data;
        let outsider = data.people.iter().find(|p| !team.contains(&p.id)).expect("someone outside the team");
        let day = crate::support::as_of();
        let seat = position_of(&data.assignments, &manager_id, day).expect("the manager's seat");
        let above =
            position_on(&data.positions, seat, day).and_then(|p| p.reports_to.clone()).expect("a boss");
        let boss = holder_of(&data.assignments, &above, day).expect("the boss's holder").to_string();
        let boss_name = data.people.iter().find(|p| p.id == boss).unwrap().name.clone();
        (outsider.id.clone(), outsider.name.clone(), boss, boss_name, seat.to_string())
    };
    assert!(!team.contains(&boss), "the boss is above the manager");

    // Records of the team that point at records outside it.
    let imports = [
        (
            "accounts",
            format!(
                "id,name,owner_id,parent_id\nacc-hidden,{SECRET_ACCOUNT},{outsider},\n\
                 acc-shared,Shared Shipping,{outsider},acc-hidden\n"
            ),
        ),
        ("contacts", format!("id,account_id,name,buying_role\nc-hidden,acc-hidden,{SECRET_CONTACT},user\n")),
        (
            "opportunities",
            format!(
                "id,name,account_id,owner_id,currency,amount,stage,status,created_on\n\
                 opp-hidden,{SECRET_DEAL},acc-hidden,{outsider},USD,5000,Qualify,open,2018-01-02\n\
                 opp-team,Team Deal,acc-shared,{rep_id},USD,3000,Qualify,open,2018-01-02\n"
            ),
        ),
        (
            "transactions",
            format!(
                "id,date,kind,currency,amount,account_id,opportunity_id,original_id,owner_id\n\
                 t-hidden,2018-01-05,booking,USD,100,acc-hidden,opp-hidden,,{outsider}\n\
                 t-team,2018-01-08,return,USD,-100,acc-hidden,opp-hidden,t-hidden,{rep_id}\n"
            ),
        ),
        (
            "activities",
            format!(
                "id,kind,owner_id,account_id,opportunity_id,contact_id,occurred_at,subject\n\
                 a-team,call,{rep_id},acc-hidden,opp-hidden,c-hidden,2018-01-09T10:00:00Z,Follow-up call\n"
            ),
        ),
        // A seat below the manager's, held in 2000 by the outsider (long before the manager
        // ran the team): the seat is the manager's to see, its holder of that year is not.
        (
            "positions",
            format!("id,valid_from,title,role,reports_to\npos-old,2000-01-01,Old Seat Zq,rep,{seat}\n"),
        ),
        (
            "assignments",
            format!(
                "id,person_id,position_id,valid_from,valid_to\nas-old,{outsider},pos-old,2000-01-01,2001-01-01\n"
            ),
        ),
    ];
    for (kind, csv) in &imports {
        admin.post_csv(&format!("/api/v1/imports/{kind}"), csv).await.expect(200);
    }

    // The related records really are out of the manager's scope.
    for path in [
        "/api/v1/accounts/acc-hidden",
        "/api/v1/opportunities/opp-hidden",
        "/api/v1/transactions/t-hidden",
        "/api/v1/contacts/c-hidden",
        &format!("/api/v1/people/{outsider}"),
        &format!("/api/v1/people/{boss}"),
    ] {
        manager_api.get(path).await.expect(404);
    }

    let manager = Api::session(&app, Role::Manager).await;
    let secrets = [SECRET_ACCOUNT, SECRET_DEAL, SECRET_CONTACT, outsider_name.as_str()];
    let page = |path: String| {
        let manager = &manager;
        async move {
            let reply = manager.get(&path).await;
            reply.expect(200);
            (path, reply.text.clone())
        }
    };

    // transaction → account, opportunity, original
    let (path, html) = page("/transactions/t-team".into()).await;
    hides(&html, &path, &secrets, &["acc-hidden", "opp-hidden", "t-hidden"]);
    // account → parent, owner
    let (path, html) = page("/accounts/acc-shared".into()).await;
    hides(&html, &path, &secrets, &["acc-hidden", &outsider]);
    // activity → account, opportunity, contact
    let (path, html) = page("/activities/a-team".into()).await;
    hides(&html, &path, &secrets, &["acc-hidden", "opp-hidden", "c-hidden"]);
    // opportunity → account: within scope, so named and linked
    let (path, html) = page("/opportunities/opp-team".into()).await;
    assert!(html.contains("Shared Shipping") && html.contains("/accounts/acc-shared\""), "{path}");
    // person → manager
    let (path, html) = page(format!("/people/{manager_id}")).await;
    hides(&html, &path, &[&boss_name], &[&boss]);
    // org chart → a visible seat's holder of the day
    let (path, html) = page("/org?on=2000-06-01".into()).await;
    assert!(html.contains("Old Seat Zq"), "{path} shows the seat");
    hides(&html, &path, &[&outsider_name], &[&outsider]);
    // Lists resolve related names the same way.
    let (path, html) = page("/transactions?q=t-team".into()).await;
    hides(&html, &path, &secrets, &["acc-hidden", "opp-hidden"]);

    // A whole-company role sees the same pages with the names.
    let admin_ui = Api::session(&app, Role::Admin).await;
    let html = admin_ui.get("/transactions/t-team").await.expect(200).text.clone();
    assert!(html.contains(SECRET_ACCOUNT) && html.contains(SECRET_DEAL), "the admin sees the names");

    // The record API names related records by id only.
    for path in ["/api/v1/transactions/t-team", "/api/v1/activities/a-team", "/api/v1/accounts/acc-shared"] {
        let reply = manager_api.get(path).await;
        reply.expect(200);
        for name in &secrets {
            assert!(!reply.text.contains(name), "{path} names {name}");
        }
    }
}
