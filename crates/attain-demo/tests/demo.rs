//! The demo company's contract: reproducible, referentially whole, valid under every domain
//! rule, and plausible enough to demo commissions on. Structural rules are checked on several
//! configurations, so they do not hold only by luck of the default seed.

use std::collections::{BTreeMap, BTreeSet};

use attain_core::domain::{ActivityKind, CreditRole, DealStatus, Role, TransactionKind, position_of};
use attain_core::record::{ColumnType, key_of};
use attain_core::{Currency, Dataset, Date, Decimal, FiscalCalendar, Kind, Period, Validity, Value};
use attain_demo::{CLOSED_LOST, CLOSED_WON, DemoConfig, OPEN_STAGES, generate};
use jiff::civil::{Weekday, date};
use jiff::tz::TimeZone;

fn as_of() -> Date {
    date(2018, 1, 15)
}

fn demo() -> Dataset {
    generate(&DemoConfig::new(as_of()))
}

/// The default demo and a few others (other seeds, a leap year, a first of January, a larger
/// scale).
fn cases() -> Vec<(DemoConfig, Dataset)> {
    let configs = [
        DemoConfig::new(as_of()),
        DemoConfig { seed: 7, as_of: date(2020, 6, 30), scale: 1 },
        DemoConfig { seed: 123, as_of: date(2017, 1, 1), scale: 1 },
        DemoConfig { seed: 2024, as_of: date(2019, 11, 20), scale: 2 },
    ];
    configs.into_iter().map(|c| (c.clone(), generate(&c))).collect()
}

/// The first day of the demo's history.
fn window_start(config: &DemoConfig) -> Date {
    date(config.as_of.year() - 2, 1, 1)
}

#[test]
fn the_same_config_gives_the_same_company_and_another_seed_does_not() {
    let config = DemoConfig::new(as_of());
    assert_eq!((config.seed, config.scale), (42, 1));
    assert_eq!(generate(&config), generate(&config));
    let other = generate(&DemoConfig { seed: 7, ..config.clone() });
    assert_ne!(demo().opportunities, other.opportunities);
    assert_ne!(demo().accounts, other.accounts);
    let later = generate(&DemoConfig { as_of: date(2018, 3, 1), ..config });
    assert_ne!(demo(), later);
}

/// The ids of every kind (positions have one id per version, so ids repeat there).
fn ids(dataset: &Dataset) -> BTreeMap<Kind, BTreeSet<String>> {
    Kind::ALL
        .iter()
        .map(|&kind| {
            let id = kind.spec().index_of("id").expect("every kind has an id column");
            let ids = dataset.rows(kind).into_iter().filter_map(|row| row[id].as_text().map(str::to_string));
            (kind, ids.collect())
        })
        .collect()
}

#[test]
fn every_reference_points_at_an_existing_record() {
    for (config, dataset) in cases() {
        let ids = ids(&dataset);
        let mut checked = 0;
        for kind in Kind::ALL {
            let spec = kind.spec();
            for row in dataset.rows(kind) {
                for (column, value) in spec.columns.iter().zip(&row) {
                    if let (ColumnType::Ref(target), Value::Text(id)) = (column.ty, value) {
                        assert!(
                            ids[&target].contains(id),
                            "{config:?}: {kind}.{} = {id} has no {target} record",
                            column.name
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000, "only {checked} references were checked");
    }
}

#[test]
fn keys_and_emails_are_unique() {
    for (config, dataset) in cases() {
        for kind in Kind::ALL {
            let spec = kind.spec();
            let keys: BTreeSet<String> = dataset.rows(kind).iter().map(|row| key_of(spec, row)).collect();
            assert_eq!(keys.len(), dataset.len(kind), "{config:?}: {kind} has duplicate keys");
        }
        let emails: BTreeSet<_> = dataset.people.iter().map(|p| p.email.clone()).collect();
        assert_eq!(emails.len(), dataset.people.len());
    }
}

#[test]
fn every_record_round_trips_through_its_cells() {
    for (config, dataset) in cases() {
        let mut rebuilt = Dataset::default();
        for kind in Kind::ALL {
            let rows = dataset.rows(kind);
            rebuilt.extend_from_rows(kind, &rows).unwrap_or_else(|e| panic!("{config:?}: {kind}: {e}"));
            assert_eq!(rebuilt.rows(kind), rows, "{config:?}: {kind} changed on the way back");
        }
        assert_eq!(rebuilt, dataset);
    }
}

/// At least three weeks from either end of its calendar quarter.
fn mid_quarter(day: Date) -> bool {
    let first_month = (day.month() - 1) / 3 * 3 + 1;
    let start = date(day.year(), first_month, 1);
    let end =
        if first_month == 10 { date(day.year() + 1, 1, 1) } else { date(day.year(), first_month + 3, 1) };
    (day - start).get_days() >= 21 && (end - day).get_days() >= 21
}

#[test]
fn the_org_has_a_move_a_new_hire_and_a_departure_inside_the_window() {
    for (config, dataset) in cases() {
        let in_window = |d: Date| d >= window_start(&config) && d < config.as_of;
        let position =
            |id: &str| dataset.positions.iter().find(|p| p.id == id).expect("assigned positions exist");
        let is_rep = |person: &str| {
            dataset
                .assignments
                .iter()
                .any(|a| a.person_id == person && position(&a.position_id).role == Role::Rep)
        };

        let hired = dataset.people.iter().filter(|p| in_window(p.hire_date) && is_rep(&p.id)).count();
        assert!(hired >= 1, "{config:?}: no rep was hired inside the window");
        let leavers: Vec<_> = dataset
            .people
            .iter()
            .filter(|p| p.termination_date.is_some_and(in_window) && is_rep(&p.id))
            .collect();
        assert!(!leavers.is_empty(), "{config:?}: no rep left inside the window");
        for leaver in leavers {
            for a in dataset.assignments.iter().filter(|a| a.person_id == leaver.id) {
                assert!(a.validity.to.is_some_and(|to| Some(to) <= leaver.termination_date));
            }
        }

        let moves = dataset.assignments.iter().filter(|from| {
            dataset.assignments.iter().any(|to| {
                to.person_id == from.person_id
                    && Some(to.validity.from) == from.validity.to
                    && in_window(to.validity.from)
                    && mid_quarter(to.validity.from)
                    && position(&to.position_id).region != position(&from.position_id).region
            })
        });
        assert!(moves.count() >= 1, "{config:?}: no rep moved region in the middle of a quarter");

        for a in &dataset.assignments {
            let p = dataset.positions.iter().find(|p| p.id == a.position_id).expect("position exists");
            assert!(p.validity.intersect(&a.validity) == Some(a.validity), "{} outlives its position", a.id);
        }
        let count = |role| dataset.positions.iter().filter(|p| p.role == role).count();
        assert_eq!((count(Role::Executive), count(Role::Manager)), (1, 3));
        assert!(count(Role::SalesEngineer) >= 1);
    }
}

/// The person holding, on `day`, the position that owns `territory` then.
fn territory_holder(dataset: &Dataset, territory: &str, day: Date) -> Option<String> {
    let owner =
        dataset.territory_owners.iter().find(|o| o.territory_id == territory && o.validity.contains(day))?;
    let assignment = dataset
        .assignments
        .iter()
        .find(|a| a.position_id == owner.position_id && a.validity.contains(day))?;
    Some(assignment.person_id.clone())
}

#[test]
fn deals_belong_to_whoever_worked_the_territory_when_they_were_created() {
    for (config, dataset) in cases() {
        let accounts: BTreeMap<_, _> = dataset.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
        let people: BTreeMap<_, _> = dataset.people.iter().map(|p| (p.id.as_str(), p)).collect();
        for opp in &dataset.opportunities {
            let account = accounts[opp.account_id.as_deref().expect("demo deals name their account")];
            let territory = account.territory_id.as_deref().expect("demo accounts sit in a territory");
            let holder = territory_holder(&dataset, territory, opp.created_on.unwrap());
            assert_eq!(
                holder.as_deref(),
                Some(opp.owner_id.as_str()),
                "{config:?}: {} has the wrong owner",
                opp.id
            );
            assert!(people[opp.owner_id.as_str()].employment().contains(opp.created_on.unwrap()));
        }
    }
}

#[test]
fn the_pipeline_is_plausible() {
    assert!((1_000..=2_000).contains(&demo().opportunities.len()));
    for (config, dataset) in cases() {
        let opps = &dataset.opportunities;
        // About 700 deals a year per scale unit, so 1,000 to 2,000 over a two-to-three-year window.
        let days = (config.as_of - window_start(&config)).get_days() as usize;
        let yearly = opps.len() * 365 / days / config.scale as usize;
        assert!((500..=900).contains(&yearly), "{config:?}: {} opportunities", opps.len());
        let won = opps.iter().filter(|o| o.status == DealStatus::Won).count();
        let lost = opps.iter().filter(|o| o.status == DealStatus::Lost).count();
        let open: Vec<_> = opps.iter().filter(|o| o.status == DealStatus::Open).collect();
        let win_rate = won * 100 / (won + lost);
        assert!((20..=45).contains(&win_rate), "{config:?}: win rate {win_rate}%");
        assert!(open.len() * 100 / opps.len() >= 3, "{config:?}: only {} open deals", open.len());
        for o in &open {
            assert!(o.closed_on.is_none() && o.created_on.unwrap() < config.as_of);
            assert!(o.expected_close.is_some_and(|d| d >= config.as_of), "{} is open but overdue", o.id);
            assert!(OPEN_STAGES.contains(&o.stage.as_str()));
        }
        for o in opps.iter().filter(|o| o.status != DealStatus::Open) {
            let closed = o.closed_on.expect("closed deals have a close day");
            assert!(closed < config.as_of && o.created_on.unwrap() >= window_start(&config));
            let cycle = (closed - o.created_on.unwrap()).get_days();
            assert!((14..=150).contains(&cycle), "{} took {cycle} days", o.id);
            assert!(o.close_reason.is_some());
            let stage = if o.status == DealStatus::Won { CLOSED_WON } else { CLOSED_LOST };
            assert_eq!(o.stage, stage);
        }
        let kinds: BTreeSet<_> = opps.iter().filter_map(|o| o.deal_type).collect();
        assert_eq!(kinds.len(), 3, "every deal type appears");
    }
}

#[test]
fn stage_history_walks_the_funnel_from_creation_to_the_current_stage() {
    for (config, dataset) in cases() {
        let mut history: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for change in &dataset.stage_history {
            history.entry(change.opportunity_id.as_str()).or_default().push(change);
        }
        for opp in &dataset.opportunities {
            let changes = &history[opp.id.as_str()];
            assert_eq!(changes[0].entered_on, opp.created_on.unwrap());
            assert_eq!(changes[0].stage, OPEN_STAGES[0]);
            assert!(changes.windows(2).all(|w| w[0].entered_on <= w[1].entered_on));
            assert_eq!(changes.last().map(|c| c.stage.as_str()), Some(opp.stage.as_str()));
            assert!(changes.iter().all(|c| c.entered_on < config.as_of));
        }
    }
}

#[test]
fn activities_happen_on_weekdays_in_business_hours_while_the_deal_is_worked() {
    let zone = TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").unwrap();
    for (config, dataset) in cases() {
        let opps: BTreeMap<_, _> = dataset.opportunities.iter().map(|o| (o.id.as_str(), o)).collect();
        let people: BTreeMap<_, _> = dataset.people.iter().map(|p| (p.id.as_str(), p)).collect();
        assert!(dataset.activities.len() >= 3 * dataset.opportunities.len());
        for a in &dataset.activities {
            let local = a.occurred_at.to_zoned(zone.clone()).datetime();
            assert!(!matches!(local.weekday(), Weekday::Saturday | Weekday::Sunday), "{} on a weekend", a.id);
            assert!((8..18).contains(&local.hour()), "{} at {}", a.id, local.time());
            let opp = opps[a.opportunity_id.as_deref().expect("demo activities belong to a deal")];
            assert!(local.date() >= opp.created_on.unwrap() && local.date() < config.as_of);
            assert!(opp.closed_on.is_none_or(|closed| local.date() <= closed));
            assert!(people[a.owner_id.as_str()].employment().contains(local.date()), "{} by a leaver", a.id);
        }
        assert!(dataset.activities.iter().any(|a| a.contact_id.is_some()));
        assert!(dataset.activities.iter().any(|a| a.contact_id.is_none()));
    }
}

#[test]
fn transactions_are_dated_inside_the_window_and_cover_every_month() {
    for (config, dataset) in cases() {
        let start = window_start(&config);
        assert!(dataset.transactions.iter().all(|t| t.date >= start && t.date < config.as_of));
        let booked: BTreeSet<(i16, i8)> = dataset
            .transactions
            .iter()
            .filter(|t| t.kind == TransactionKind::Booking)
            .map(|t| (t.date.year(), t.date.month()))
            .collect();
        let mut month = start;
        // Every month that ended before `as_of`.
        while month.last_of_month() < config.as_of {
            let key = (month.year(), month.month());
            assert!(booked.contains(&key), "{config:?}: no bookings in {}", month.strftime("%Y-%m"));
            month = month.last_of_month().tomorrow().unwrap();
        }
        let won = dataset.opportunities.iter().filter(|o| o.status == DealStatus::Won).count();
        let bookings = dataset.transactions.iter().filter(|t| t.kind == TransactionKind::Booking).count();
        assert_eq!(bookings, won, "one booking per won deal");
    }
}

#[test]
fn returns_and_cancellations_are_negative_and_linked_to_what_they_reverse() {
    for (config, dataset) in cases() {
        let by_id: BTreeMap<_, _> = dataset.transactions.iter().map(|t| (t.id.as_str(), t)).collect();
        let mut seen = BTreeMap::new();
        for t in dataset.transactions.iter().filter(|t| t.kind.reverses()) {
            *seen.entry(t.kind).or_insert(0) += 1;
            assert!(t.amount.is_negative(), "{} is not negative", t.id);
            assert!(t.cost.is_some_and(|c| c.is_negative()));
            let original = by_id[t.original_id.as_deref().expect("reversals are linked")];
            assert_eq!(original.opportunity_id, t.opportunity_id);
            assert!(original.date <= t.date);
            assert!(t.amount.amount().abs() <= original.amount.amount());
            let expected = match t.kind {
                TransactionKind::Return => TransactionKind::Invoice,
                _ => TransactionKind::Booking,
            };
            assert_eq!(original.kind, expected, "{} reverses a {}", t.id, original.kind);
        }
        assert!(seen.get(&TransactionKind::Return).is_some_and(|n| *n >= 3), "{config:?}: {seen:?}");
        assert!(seen.get(&TransactionKind::Cancellation).is_some_and(|n| *n >= 1), "{config:?}: {seen:?}");
    }
}

#[test]
fn payments_never_exceed_what_was_invoiced() {
    for (config, dataset) in cases() {
        let mut balance: BTreeMap<&str, Decimal> = BTreeMap::new();
        let mut instalments = 0;
        for t in &dataset.transactions {
            let opp = t.opportunity_id.as_deref().expect("demo transactions belong to a deal");
            match t.kind {
                TransactionKind::Invoice => *balance.entry(opp).or_default() += t.amount.amount(),
                TransactionKind::Payment => {
                    let open = balance.entry(opp).or_default();
                    *open -= t.amount.amount();
                    assert!(*open >= Decimal::ZERO, "{config:?}: {opp} was paid more than invoiced");
                    instalments += usize::from(*open > Decimal::ZERO);
                }
                _ => {}
            }
        }
        assert!(instalments > 0, "some invoices are paid in instalments");
    }
}

#[test]
fn scale_multiplies_the_company() {
    let one = demo();
    let three = generate(&DemoConfig { scale: 3, ..DemoConfig::new(as_of()) });
    let ratio = three.opportunities.len() * 100 / one.opportunities.len();
    assert!((260..=340).contains(&ratio), "scale 3 gave {ratio}% of scale 1's deals");
    assert_eq!(three.accounts.len(), 3 * one.accounts.len());
    let reps = |d: &Dataset| d.positions.iter().filter(|p| p.role == Role::Rep).count();
    assert_eq!(reps(&three), 3 * reps(&one));
}

/// Full calendar years inside the window (the demo's fiscal year is the calendar year).
fn full_years(config: &DemoConfig) -> Vec<i16> {
    let first = window_start(config).year();
    (first..config.as_of.year()).collect()
}

fn revenue_quota(dataset: &Dataset, position: &str, period: Period) -> Option<Decimal> {
    dataset
        .quotas
        .iter()
        .find(|q| q.position_id == position && q.measure == "revenue" && q.period == period)
        .map(|q| q.amount)
}

#[test]
fn every_seat_has_monthly_revenue_and_quarterly_deal_quotas_while_it_exists() {
    let calendar = FiscalCalendar::default();
    for (config, dataset) in cases() {
        let window = Validity { from: window_start(&config), to: Some(config.as_of) };
        let mut month = calendar.month_period(window.from);
        while calendar.bounds(month).from < config.as_of {
            let bounds = calendar.bounds(month);
            let quarter = calendar.quarter_period(bounds.from);
            for p in dataset.positions.iter().filter(|p| p.validity.overlaps(&bounds)) {
                let quota = revenue_quota(&dataset, &p.id, month);
                match p.role {
                    Role::Rep => {
                        let amount =
                            quota.unwrap_or_else(|| panic!("{config:?}: {} has no quota in {month}", p.id));
                        assert!(
                            amount > Decimal::ZERO && (amount % Decimal::ONE_HUNDRED).is_zero(),
                            "{amount}"
                        );
                        let deals = dataset
                            .quotas
                            .iter()
                            .find(|q| q.position_id == p.id && q.measure == "deals" && q.period == quarter);
                        assert!(deals.is_some_and(|q| q.currency.is_none() && q.amount >= Decimal::ONE));
                    }
                    Role::Manager => {
                        // The manager's quota is the sum of the reps reporting to them that month.
                        let team: Decimal = dataset
                            .positions
                            .iter()
                            .filter(|r| r.reports_to.as_deref() == Some(p.id.as_str()) && r.role == Role::Rep)
                            .filter(|r| r.validity.overlaps(&bounds))
                            .filter_map(|r| revenue_quota(&dataset, &r.id, month))
                            .sum();
                        assert_eq!(quota, Some(team), "{config:?}: {} in {month}", p.id);
                    }
                    _ => assert_eq!(quota, None, "{} has no quota", p.id),
                }
            }
            month = calendar.month_period(bounds.to.unwrap());
        }
        assert!(dataset.quotas.iter().all(|q| {
            let money = q.measure == "revenue";
            money == (q.currency == Some(Currency::USD)) && calendar.bounds(q.period).from < config.as_of
        }));
    }
}

#[test]
fn a_typical_rep_attains_between_seventy_and_a_hundred_and_thirty_percent_of_quota() {
    for (config, dataset) in cases() {
        let mut attainments = Vec::new();
        for year in full_years(&config) {
            for p in dataset.positions.iter().filter(|p| p.role == Role::Rep) {
                let quota: Decimal = dataset
                    .quotas
                    .iter()
                    .filter(|q| q.position_id == p.id && q.measure == "revenue")
                    .filter(|q| matches!(q.period, Period::Month { year: y, .. } if y == year))
                    .map(|q| q.amount)
                    .sum();
                // Bookings less cancellations, credited to the seat their owner held that day.
                let booked: Decimal = dataset
                    .transactions
                    .iter()
                    .filter(|t| matches!(t.kind, TransactionKind::Booking | TransactionKind::Cancellation))
                    .filter(|t| t.date.year() == year)
                    .filter(|t| {
                        let owner = t.owner_id.as_deref().unwrap_or_default();
                        position_of(&dataset.assignments, owner, t.date) == Some(p.id.as_str())
                    })
                    .map(|t| t.amount.amount())
                    .sum();
                if quota > Decimal::ZERO {
                    attainments.push(booked * Decimal::ONE_HUNDRED / quota);
                }
            }
        }
        attainments.sort();
        let median = attainments[attainments.len() / 2].round();
        assert!(
            (65..=130).contains(&median.to_string().parse::<i64>().unwrap()),
            "{config:?}: median {median}%"
        );
    }
}

#[test]
fn plans_follow_the_role_of_each_position_over_its_life() {
    for (config, dataset) in cases() {
        for p in &dataset.positions {
            let plans: Vec<_> = dataset.plan_assignments.iter().filter(|a| a.position_id == p.id).collect();
            let expected = match p.role {
                Role::Rep => Some("ae"),
                Role::Manager => Some("manager"),
                Role::SalesEngineer => Some("se"),
                _ => None,
            };
            assert_eq!(plans.first().map(|a| a.plan_id.as_str()), expected, "{config:?}: {}", p.id);
            assert!(plans.iter().all(|a| a.validity == p.validity));
        }
    }
}

#[test]
fn splits_credit_demo_engineers_and_share_a_few_deals_sixty_forty_within_a_region() {
    let hundred = Decimal::ONE_HUNDRED;
    for (config, dataset) in cases() {
        let opps: BTreeMap<_, _> = dataset.opportunities.iter().map(|o| (o.id.as_str(), o)).collect();
        let region_of = |person: &str, day: Date| {
            let position = position_of(&dataset.assignments, person, day)?;
            dataset.positions.iter().find(|p| p.id == position && p.role == Role::Rep)?.region.clone()
        };
        let mut by_deal: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for s in &dataset.credit_splits {
            assert_eq!(opps[s.opportunity_id.as_str()].status, DealStatus::Won, "{}", s.id);
            by_deal.entry(s.opportunity_id.as_str()).or_default().push(s);
        }
        let mut shared = 0;
        for (opp, splits) in &by_deal {
            let deal = opps[opp];
            let primaries: Vec<_> = splits.iter().filter(|s| s.role == CreditRole::Primary).collect();
            if !primaries.is_empty() {
                shared += 1;
                let percents: Vec<Decimal> = primaries.iter().map(|s| s.percent).collect();
                assert_eq!(percents, [Decimal::from(60), Decimal::from(40)], "{opp}");
                assert_eq!(primaries[0].person_id, deal.owner_id);
                let close = deal.closed_on.unwrap();
                assert_ne!(primaries[1].person_id, deal.owner_id);
                let region = region_of(&primaries[1].person_id, close);
                assert!(region.is_some(), "{opp}: the partner held no rep seat at close");
                let account =
                    dataset.accounts.iter().find(|a| Some(&a.id) == deal.account_id.as_ref()).unwrap();
                assert_eq!(region, account.region, "{opp}: the partner works another region");
            }
            for overlay in splits.iter().filter(|s| s.role == CreditRole::Overlay) {
                assert_eq!(overlay.percent, hundred);
                let demo = dataset.activities.iter().any(|a| {
                    a.kind == ActivityKind::Demo
                        && a.owner_id == overlay.person_id
                        && a.opportunity_id.as_deref() == Some(*opp)
                });
                assert!(demo, "{opp}: {} ran no demo", overlay.person_id);
            }
        }
        let won = dataset.opportunities.iter().filter(|o| o.status == DealStatus::Won).count();
        assert!((1..=won * 8 / 100).contains(&shared), "{config:?}: {shared} of {won} won deals are split");
        let overlays = dataset.credit_splits.iter().filter(|s| s.role == CreditRole::Overlay).count();
        assert!(overlays > won / 5, "{config:?}: only {overlays} overlays on {won} won deals");
    }
}

#[test]
fn adjustments_and_objective_scores_are_plausible() {
    let calendar = FiscalCalendar::default();
    for (config, dataset) in cases() {
        let people: BTreeMap<_, _> = dataset.people.iter().map(|p| (p.id.as_str(), p)).collect();
        assert!((3..=6).contains(&dataset.adjustments.len()), "{config:?}: {}", dataset.adjustments.len());
        for a in &dataset.adjustments {
            let month = calendar.bounds(a.period);
            assert!(matches!(a.period, Period::Month { .. }));
            assert!(month.from >= window_start(&config) && month.to.unwrap() <= config.as_of, "{}", a.period);
            assert!(people[a.person_id.as_str()].employment().contains(month.from));
            assert_eq!(a.entered_by.as_deref(), Some("comp.admin"));
            assert!(!a.reason.is_empty() && !a.amount.amount().is_zero());
        }
        let managers: BTreeSet<&str> = dataset
            .assignments
            .iter()
            .filter(|a| dataset.positions.iter().any(|p| p.id == a.position_id && p.role == Role::Manager))
            .map(|a| a.person_id.as_str())
            .collect();
        let quarters = |year: i16| (1..=4).map(move |q| Period::Quarter { fiscal_year: year, quarter: q });
        let ended: Vec<Period> = (window_start(&config).year()..=config.as_of.year())
            .flat_map(quarters)
            .filter(|q| calendar.bounds(*q).to.unwrap() <= config.as_of)
            .collect();
        assert_eq!(dataset.objective_scores.len(), managers.len() * ended.len() * 2, "{config:?}");
        for s in &dataset.objective_scores {
            assert!(managers.contains(s.person_id.as_str()) && ended.contains(&s.period));
            assert!((Decimal::from(60)..=Decimal::from(120)).contains(&s.score), "{}", s.score);
        }
    }
}
