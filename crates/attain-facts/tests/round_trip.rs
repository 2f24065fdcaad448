//! The fact store holds exactly what it was built from: the demo company's transactions come
//! back as the same records, and the pipeline, org and account columns answer what the
//! records say (lookups against a scan of the records).

use attain_core::domain::{Channel, DealType, holder_of, position_of, position_on};
use attain_demo::DemoConfig;
use attain_facts::day::{date_of, day_of};
use attain_facts::pipeline::{NO_DAY, choice_of};
use attain_facts::{FactStore, NONE};

fn demo(seed: u64) -> attain_core::Dataset {
    attain_demo::generate(&DemoConfig { seed, scale: 2, ..DemoConfig::new(jiff::civil::date(2018, 1, 15)) })
}

#[test]
fn transactions_come_back_as_the_records_they_were_built_from() {
    for seed in [42, 7] {
        let data = demo(seed);
        let store = FactStore::from_dataset(&data);
        assert_eq!(store.transaction_records(), data.transactions);
        assert!(matches!(
            store.transactions.ids,
            attain_facts::Ids::Numbered { .. } | attain_facts::Ids::Text { .. }
        ));
        let reversals = data.transactions.iter().filter(|t| t.original_id.is_some()).count();
        assert!(reversals > 0, "the demo has returns and cancellations to link");
        let linked =
            (0..store.transactions.len()).filter(|r| store.transactions.original.get(*r).is_some()).count();
        assert_eq!(linked, reversals);
    }
}

/// Edits in place give the store a fresh build of the edited records gives: the same records
/// and the same columns (reversal links and the credit bases they take from their original).
#[test]
fn a_replaced_transaction_reads_as_a_store_built_with_the_edit() {
    let mut data = demo(42);
    let mut store = FactStore::from_dataset(&data);
    let originals: Vec<usize> = data
        .transactions
        .iter()
        .filter_map(|t| t.original_id.as_ref())
        .filter_map(|o| data.transactions.iter().position(|t| &t.id == o))
        .take(3)
        .collect();
    assert!(!originals.is_empty());
    let mut edits = Vec::new();
    for (n, i) in originals.iter().enumerate() {
        let mut t = data.transactions[*i].clone();
        t.amount = attain_core::Money::from_minor(t.amount.minor() + 1234 * (n as i64 + 1), t.currency);
        t.date = t.date.saturating_add(jiff::Span::new().days(3));
        // The first edit also changes the kind, which its reversals' credit bases follow.
        if n == 0 {
            t.kind = attain_core::domain::TransactionKind::Invoice;
        }
        t.quantity = if n == 1 { None } else { Some(rust_decimal::Decimal::new(25, 1)) };
        edits.push((*i, t));
    }
    // A reversal pointed at another original, and a plain row's cost removed.
    let reversal = data.transactions.iter().position(|t| t.original_id.is_some()).unwrap();
    let mut moved = data.transactions[reversal].clone();
    moved.original_id = Some(data.transactions[0].id.clone());
    edits.push((reversal, moved));
    // The same edits as one batch, on a second store.
    let mut batched = FactStore::from_dataset(&data);
    let batch: Vec<_> = edits.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(batched.replace_transactions(&batch), batch.len());
    for (i, t) in edits {
        let (row, _) = store.replace_transaction(&t).expect("the id is stored");
        assert_eq!(row as usize, i);
        data.transactions[i] = t;
    }
    assert!(
        store
            .replace_transaction(&attain_core::domain::Transaction {
                id: "no-such-id".into(),
                ..data.transactions[0].clone()
            })
            .is_none()
    );
    let fresh = FactStore::from_dataset(&data);
    assert_eq!(store.transaction_records(), data.transactions);
    assert_eq!(store.transactions.flags, fresh.transactions.flags);
    assert_eq!(store.transactions.day, fresh.transactions.day);
    assert_eq!(store.transactions.amount, fresh.transactions.amount);
    let links =
        |s: &FactStore| (0..s.transactions.len()).map(|r| s.transactions.original.get(r)).collect::<Vec<_>>();
    assert_eq!(links(&store), links(&fresh));
    assert_eq!(batched.transaction_records(), data.transactions);
    assert_eq!(batched.transactions.flags, fresh.transactions.flags);
    assert_eq!(links(&batched), links(&fresh));
}

/// New reference data under kept transactions reads as a store built from scratch with it:
/// the same records, and every transaction's account, product and opportunity facts the same
/// by id, although the interners' numbers differ from a fresh build's.
#[test]
fn new_reference_data_keeps_the_transactions_and_answers_as_a_fresh_build() {
    let mut data = demo(7);
    let store = FactStore::from_dataset(&data);
    // A new account sorted first (a fresh build would number it 0), another territory for
    // an existing account: numbers move, ids must not.
    let mut first = data.accounts[0].clone();
    first.id = "0-new-account".into();
    data.accounts.insert(0, first);
    let moved = data.accounts.len() - 1;
    data.accounts[moved].territory_id = data.territories.first().map(|t| t.id.clone());
    let kept = store.transaction_records();
    let rebuilt = store.with_new_reference_data(&data);
    let fresh = FactStore::from_dataset(&data);
    assert_eq!(rebuilt.transaction_records(), kept);
    assert_ne!(rebuilt.accounts.get("0-new-account"), fresh.accounts.get("0-new-account"));
    for r in 0..rebuilt.transactions.len() {
        let (a, b) = (rebuilt.transactions.account[r], fresh.transactions.account[r]);
        assert_eq!(rebuilt.accounts.name_opt(a), fresh.accounts.name_opt(b));
        if a != NONE {
            let (x, y) = (rebuilt.account[a as usize], fresh.account[b as usize]);
            assert_eq!(rebuilt.territories.name_opt(x.territory), fresh.territories.name_opt(y.territory));
            assert_eq!(rebuilt.people.name_opt(x.owner), fresh.people.name_opt(y.owner));
            assert_eq!(rebuilt.labels.name_opt(x.region), fresh.labels.name_opt(y.region));
        }
        let (p, q) = (rebuilt.transactions.product[r], fresh.transactions.product[r]);
        if p != NONE {
            let family =
                |s: &FactStore, n: u32| s.labels.name_opt(s.product_family[n as usize]).map(str::to_string);
            assert_eq!(family(&rebuilt, p), family(&fresh, q));
        }
        if let (Some(o), Some(f)) =
            (rebuilt.transactions.opportunity.get(r), fresh.transactions.opportunity.get(r))
        {
            let owner =
                |s: &FactStore, n: u32| s.people.name_opt(s.pipeline.owner[n as usize]).map(str::to_string);
            assert_eq!(owner(&rebuilt, o), owner(&fresh, f));
        }
    }
    let splits = |s: &FactStore| {
        let mut rows: Vec<(String, Option<String>)> = (0..s.credit_splits.len())
            .map(|i| {
                let c = &s.credit_splits;
                (
                    s.opportunities.name(c.opportunity[i]).to_string(),
                    s.people.name_opt(c.person[i]).map(str::to_string),
                )
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(splits(&rebuilt), splits(&fresh));
}

#[test]
fn opportunities_stages_and_activities_hold_their_facts() {
    let data = demo(42);
    let store = FactStore::from_dataset(&data);
    let p = &store.pipeline;
    for o in &data.opportunities {
        let n = store.opportunities.get(&o.id).unwrap() as usize;
        assert!(p.is_known(n as u32));
        assert_eq!(store.people.name(p.owner[n]), o.owner_id);
        assert_eq!(store.accounts.name_opt(p.account[n]), o.account_id.as_deref());
        assert_eq!(store.labels.name(p.stage[n]), o.stage);
        assert_eq!(choice_of::<DealType>(p.deal_type[n]), o.deal_type);
        assert_eq!(choice_of::<Channel>(p.channel[n]), o.channel);
        assert_eq!((p.closed[n] != NO_DAY).then(|| date_of(p.closed[n])), o.closed_on);
        assert_eq!(p.amount[n] != i64::MIN, o.amount.is_some());
    }
    assert_eq!(store.stages.len(), data.stage_history.len());
    for (i, s) in data.stage_history.iter().enumerate() {
        assert_eq!(store.opportunities.name(store.stages.opportunity[i]), s.opportunity_id);
        assert_eq!(date_of(store.stages.day[i]), s.entered_on);
    }
    assert_eq!(store.activities.len(), data.activities.len());
    for (i, a) in data.activities.iter().enumerate() {
        assert_eq!(store.people.name(store.activities.owner[i]), a.owner_id);
        assert_eq!(store.activities.at[i], a.occurred_at.as_second());
    }
}

#[test]
fn org_lookups_answer_what_a_scan_of_the_records_answers() {
    let data = demo(42);
    let store = FactStore::from_dataset(&data);
    let org = &store.org;
    let first = day_of(jiff::civil::date(2015, 12, 1));
    let last = day_of(jiff::civil::date(2018, 2, 1));
    for day in (first..last).step_by(3) {
        let date = date_of(day);
        for person in &data.people {
            let p = store.people.get(&person.id).unwrap();
            let pos = org.position.get(p, day);
            assert_eq!(store.positions.name_opt(pos), position_of(&data.assignments, &person.id, date));
        }
        for v in &data.positions {
            let pos = store.positions.get(&v.id).unwrap();
            assert_eq!(
                store.people.name_opt(org.holder.get(pos, day)),
                holder_of(&data.assignments, &v.id, date)
            );
            let manager = position_on(&data.positions, &v.id, date).and_then(|v| v.reports_to.as_deref());
            assert_eq!(store.positions.name_opt(org.reports_to.get(pos, day)), manager);
        }
        for t in &data.territories {
            let n = store.territories.get(&t.id).unwrap();
            let scan = data
                .territory_owners
                .iter()
                .find(|o| o.territory_id == t.id && o.validity.contains(date))
                .map(|o| o.position_id.as_str());
            assert_eq!(store.positions.name_opt(org.territory_owner.get(n, day)), scan);
        }
    }
    for a in &data.accounts {
        let facts = store.account[store.accounts.get(&a.id).unwrap() as usize];
        assert_eq!(store.territories.name_opt(facts.territory), a.territory_id.as_deref());
        assert_eq!(facts.owner == NONE, a.owner_id.is_none());
    }
}

/// Columns built apart, a chunk at a time (as a reader checks a batch per core) and each with
/// its own currency list, then appended in order, hold what one build row by row holds.
#[test]
fn transactions_built_in_chunks_and_appended_equal_one_build() {
    let data = demo(42);
    let whole = FactStore::from_dataset(&data);
    for size in [1, 7, 100, data.transactions.len()] {
        let mut store = FactStore::with_reference_data(&data);
        let mut pending = Vec::new();
        for (n, rows) in data.transactions.chunks(size).enumerate() {
            let mut part = attain_facts::Transactions::default();
            // Every other chunk starts its currency list with one no row uses, so its indices
            // differ from the store's and need mapping.
            let mut currencies = if n % 2 == 0 {
                store.currencies.clone()
            } else {
                vec![attain_core::Currency::parse("JPY").unwrap()]
            };
            let base = store.transactions.len() as u32;
            let mut local = Vec::new();
            for t in rows {
                if let Some(o) = &t.original_id {
                    local.push((part.len() as u32, o.clone()));
                }
                let mut refs = attain_facts::transactions::Refs {
                    accounts: &mut store.accounts,
                    products: &mut store.products,
                    opportunities: &mut store.opportunities,
                    people: &mut store.people,
                    currencies: &mut currencies,
                };
                part.push(t.borrowed(), &mut refs);
            }
            // Reversals of a row in the same chunk are linked in it (their links must move
            // with the chunk); the rest once every chunk is in.
            part.link(&local);
            pending.extend(
                local
                    .into_iter()
                    .filter(|(row, _)| part.original.get(*row as usize).is_none())
                    .map(|(row, o)| (base + row, o)),
            );
            store.transactions.append(part, &currencies, &mut store.currencies);
        }
        store.transactions.link(&pending);
        assert_eq!(store.transaction_records(), data.transactions, "chunks of {size}");
        let (a, b) = (&store.transactions, &whole.transactions);
        assert_eq!(a.len(), b.len());
        for r in 0..a.len() {
            assert_eq!(a.ids.get(r), b.ids.get(r));
            assert_eq!(
                (a.day[r], a.flags[r], a.account[r], a.product[r], a.amount[r]),
                (b.day[r], b.flags[r], b.account[r], b.product[r], b.amount[r]),
                "row {r}, chunks of {size}"
            );
            assert_eq!(store.currencies[a.currency[r] as usize], whole.currencies[b.currency[r] as usize]);
            assert_eq!(
                (a.cost.get(r), a.opportunity.get(r), a.original.get(r), a.owner.get(r)),
                (b.cost.get(r), b.opportunity.get(r), b.original.get(r), b.owner.get(r)),
                "row {r}, chunks of {size}"
            );
        }
        assert_eq!(a.quantity, b.quantity);
        assert_eq!(
            matches!(a.ids, attain_facts::Ids::Numbered { ascending: true, .. }),
            matches!(b.ids, attain_facts::Ids::Numbered { ascending: true, .. })
        );
    }
}
