//! Each demo role, signed in through the real form, sees the menu and the records its role may
//! see, and nothing else.

use std::collections::{BTreeMap, HashSet};

use attain_app::Role;
use attain_core::domain::{DealStatus, Role as PositionRole};
use attain_testkit::Db;
use attain_testkit::browser;

use super::support::{AS_OF, TestApp};
use super::{eval, list_total, sign_in, texts};

/// The menu's groups and entries as `role` sees them: Home, then the jobs (Plan, Track, Pay;
/// Develop has no pages yet), then Data and Admin where the role may use them.
fn expected_menu(role: Role) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut groups = vec!["Plan", "Track", "Pay"];
    let mut entries = vec!["Home"];
    // The company plan is company totals: never shown to managers or reps.
    if !matches!(role, Role::Manager | Role::Rep) {
        entries.push("Revenue plan");
    }
    entries.extend(["Org chart", "People", "Territories"]);
    // Territory design compares and moves the whole company's accounts: plan readers only.
    if !matches!(role, Role::Manager | Role::Rep) {
        entries.push("Territory design");
    }
    entries.extend(["Quotas", "Objectives"]);
    if !matches!(role, Role::Manager | Role::Rep) {
        entries.push("Capacity");
    }
    entries.extend(["Accounts", "Opportunities", "Activities", "Transactions", "Statements"]);
    if !matches!(role, Role::Manager | Role::Rep) {
        entries.push("Runs");
    }
    entries.extend(["Plans", "Compensation data"]);
    if matches!(role, Role::Admin | Role::CompAdmin) {
        groups.push("Data");
        entries.push("Import");
    }
    if role == Role::Admin {
        groups.push("Admin");
        entries.extend(["Users", "Audit log"]);
    }
    (groups, entries)
}

/// People picked from the demo data to probe the manager's and the rep's scope.
struct Probes {
    /// Another rep under the same manager: in the manager's view, not in the rep's.
    peer: (String, String),
    /// A rep on another manager's team, who never reported to the demo manager.
    outsider: (String, String),
}

fn probes(app: &TestApp) -> Probes {
    let snapshot = app.app.snapshot();
    let data = &snapshot.data;
    let as_of = attain_core::dating::parse_date(AS_OF).expect("a date");
    let manager = app.person_of(Role::Manager);
    let rep = app.person_of(Role::Rep);
    let name = |id: &str| data.people.iter().find(|p| p.id == id).expect("a person").name.clone();
    let held_by = |person: &str| -> HashSet<&str> {
        data.assignments.iter().filter(|a| a.person_id == person).map(|a| a.position_id.as_str()).collect()
    };
    let managed = held_by(&manager);
    // Everyone who ever held a position that (in any version) reported to the manager.
    let under_manager: HashSet<&str> = data
        .positions
        .iter()
        .filter(|p| p.reports_to.as_deref().is_some_and(|r| managed.contains(r)))
        .flat_map(|p| data.assignments.iter().filter(move |a| a.position_id == p.id))
        .map(|a| a.person_id.as_str())
        .collect();
    let current_reps = data
        .positions
        .iter()
        .filter(|p| p.role == PositionRole::Rep && p.validity.contains(as_of))
        .filter_map(|p| {
            let holder = attain_core::domain::holder_of(&data.assignments, &p.id, as_of)?;
            Some((holder, p.reports_to.as_deref()))
        });
    let mut peer = None;
    let mut outsider = None;
    for (holder, boss) in current_reps {
        let under = boss.is_some_and(|b| managed.contains(b));
        if under && holder != rep && peer.is_none() {
            peer = Some(holder.to_string());
        }
        if !under && !under_manager.contains(holder) && holder != manager && outsider.is_none() {
            outsider = Some(holder.to_string());
        }
    }
    let peer = peer.expect("the demo manager has a second rep");
    let outsider = outsider.expect("the demo company has a rep on another team");
    Probes { peer: (name(&peer), peer), outsider: (name(&outsider), outsider) }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_demo_role_sees_exactly_what_the_role_may_see() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let people_total = app.app.snapshot().data.people.len();
    let probes = probes(&app);
    let rep_id = app.person_of(Role::Rep);
    let rep_name = app.login(Role::Rep).person.clone().expect("the rep is a person");
    let manager_name = app.login(Role::Manager).person.clone().expect("the manager is a person");
    // The rep's open deals per stage, as the board should show them.
    let mut rep_open: BTreeMap<String, usize> = BTreeMap::new();
    for o in &app.app.snapshot().data.opportunities {
        if o.owner_id == rep_id && o.status == DealStatus::Open {
            *rep_open.entry(o.stage.clone()).or_default() += 1;
        }
    }
    assert!(!rep_open.is_empty(), "the demo rep has open deals");
    // One of the rep's deals with a win probability, for its page.
    let (deal_id, probability) = app
        .app
        .snapshot()
        .data
        .opportunities
        .iter()
        .filter(|o| o.owner_id == rep_id)
        .find_map(|o| Some((o.id.clone(), o.probability?)))
        .expect("the demo rep has a deal with a probability");

    // One activity of the rep's and one of their peer's, for the activity pages.
    let snapshot = app.app.snapshot();
    let activity_of = |person: &str| {
        snapshot
            .data
            .activities
            .iter()
            .find(|a| a.owner_id == person && a.subject.is_some())
            .map(|a| (a.id.clone(), a.subject.clone().unwrap_or_default()))
    };
    let (own_activity, own_subject) = activity_of(&rep_id).expect("the demo rep has an activity");
    let (peer_activity, _) = activity_of(&probes.peer.1).expect("the peer has an activity");

    browser::run("each_demo_role_sees_exactly_what_the_role_may_see", async |b| {
        b.set_base_url(&app.url);
        for role in Role::ALL {
            b.client().delete_all_cookies().await?;
            sign_in(b, &app, role).await?;
            assert_eq!(b.current_path().await?, "/", "{role} lands on the start page");
            let (groups, entries) = expected_menu(role);
            assert_eq!(texts(b, "nav.nav summary").await?, groups, "{role}'s menu groups");
            // Folded groups' entries are not rendered, so their text is read as written.
            let written: Vec<String> = eval(
                b,
                "return Array.from(document.querySelectorAll('nav.nav a'), a => a.textContent.trim());",
            )
            .await?;
            assert_eq!(written, entries, "{role}'s menu entries");
            match role {
                Role::Rep => {
                    // Only themselves, no one else's page, no admin pages, only their own deals.
                    b.goto("/people").await?;
                    assert_eq!(texts(b, "#results tbody tr td:first-child").await?, [rep_name.as_str()]);
                    b.goto(&format!("/people/{}", probes.peer.1)).await?;
                    let heading = b.text_of("main h1").await?;
                    assert_eq!(heading, "Not found", "the rep opens {}'s page", probes.peer.0);
                    b.goto("/admin/users").await?;
                    assert_eq!(b.text_of("main h1").await?, "Not allowed");
                    // Their own activity opens; a peer's is not found.
                    b.goto(&format!("/activities/{own_activity}")).await?;
                    assert_eq!(b.text_of("main h1").await?, own_subject);
                    b.goto(&format!("/activities/{peer_activity}")).await?;
                    assert_eq!(b.text_of("main h1").await?, "Not found");
                    // Their own deal opens, its probability shown as the percentage it is.
                    b.goto(&format!("/opportunities/{deal_id}")).await?;
                    let facts = texts(b, ".facts > div").await?;
                    let shown = facts.iter().find(|f| f.to_lowercase().starts_with("probability"));
                    let wanted = format!("{}%", probability.normalize());
                    assert_eq!(shown.and_then(|f| f.lines().last()), Some(wanted.as_str()), "{facts:?}");
                    b.goto("/opportunities/board").await?;
                    let lanes = texts(b, ".lane h2").await?;
                    assert_eq!(lanes.len(), rep_open.len(), "a lane per stage with an open deal: {lanes:?}");
                    let owners = texts(b, ".lane .deal .deal-meta span:first-child").await?;
                    let shown: usize = rep_open.values().map(|&n| n.min(30)).sum();
                    assert_eq!(owners.len(), shown, "every open deal of the rep is a card");
                    assert!(owners.iter().all(|o| *o == rep_name), "cards of other owners: {owners:?}");
                }
                Role::Manager => {
                    // Their team, not another team's rep.
                    b.goto("/people?per_page=200").await?;
                    let names = texts(b, "#results tbody tr td:first-child").await?;
                    assert_eq!(names.len(), list_total(b).await?, "the whole team fits on one page");
                    for who in [&manager_name, &rep_name, &probes.peer.0] {
                        assert!(names.contains(who), "the manager sees {who}: {names:?}");
                    }
                    let outsider = &probes.outsider;
                    assert!(!names.contains(&outsider.0), "the manager sees {} of another team", outsider.0);
                    b.goto(&format!("/people/{}", outsider.1)).await?;
                    assert_eq!(b.text_of("main h1").await?, "Not found");
                    // Their org chart: themselves at the top, their reps indented under them.
                    b.goto(&format!("/org?on={AS_OF}")).await?;
                    let holders = texts(b, ".org-node a").await?;
                    assert_eq!(holders.first(), Some(&manager_name), "{holders:?}");
                    assert!(holders.contains(&rep_name) && !holders.contains(&outsider.0), "{holders:?}");
                    let (top, under): (u64, u64) = super::eval(
                        b,
                        "const n = document.querySelectorAll('.org-node'); \
                         return [n[0], n[1]].map(e => Math.round(e.getBoundingClientRect().left));",
                    )
                    .await?;
                    assert!(under > top, "a report is indented under the manager: {top} vs {under}");
                }
                Role::Admin | Role::Executive => {
                    b.goto("/people").await?;
                    assert_eq!(list_total(b).await?, people_total, "{role} sees all people");
                }
                Role::CompAdmin | Role::Finance => {}
            }
        }
        Ok(())
    })
    .await;
}
