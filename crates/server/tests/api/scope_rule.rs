//! The list's SQL scope condition admits exactly the orders (and complainants) that core's rule
//! admits: over random org trees, with orders registered at random units, transferred and escalated
//! away from their first responders, and merged into one complainant's open order, seen by a user of
//! every unit. On both databases.

use crate::harness::{Backend, fresh_database};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeSet;
use xiaobao_core::access::{OrderScope, Viewer, may_see_complainant, may_see_order};
use xiaobao_core::channel::Channel;
use xiaobao_core::complainant::NewComplainant;
use xiaobao_core::complaint::{Action, Actor, UnitRef};
use xiaobao_core::org::{OrgCode, OrgUnitKind};
use xiaobao_core::role::Role;
use xiaobao_store::{
    ActInput, ComplainantFilter, ComplaintFilter, NewOrgUnit, NewUser, OrgUnitRow, RegisterInput, Store,
};

/// What happens to an order after it is registered.
#[derive(Debug, Clone)]
enum Move {
    Transfer(usize),
    Escalate,
}

#[derive(Debug, Clone)]
struct Case {
    /// The parent of unit i+1 (unit 0 is head office), as an index below i+1.
    parents: Vec<usize>,
    /// (registering unit, complainant, moves)
    orders: Vec<(usize, u8, Vec<Move>)>,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..9)
        .prop_flat_map(|n| {
            let parents = (0..n).map(|i| 0..=i).collect::<Vec<_>>();
            let order = (
                0..=n,
                0u8..6,
                prop::collection::vec(prop_oneof![(0..=n).prop_map(Move::Transfer), Just(Move::Escalate)], 0..3),
            );
            (parents, prop::collection::vec(order, 1..14))
        })
        .prop_map(|(parents, orders)| Case { parents, orders })
}

async fn check_case(backend: Backend, case: Case) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let (url, _db) = fresh_database(backend, dir.path()).await;
    let store = Store::open(&url, xiaobao_store::ChainKey::from_bytes(rand::random())).await.unwrap();
    let mut units: Vec<OrgUnitRow> = vec![store.org_unit_by_code("HO").await.unwrap().unwrap()];
    for (i, parent) in case.parents.iter().enumerate() {
        let parent_code = units[*parent].code.clone();
        let unit = store
            .create_org_unit(&NewOrgUnit {
                code: OrgCode::parse("code", &format!("U{i}")).unwrap(),
                name: format!("机构{i}"),
                kind: OrgUnitKind::Branch,
                parent: OrgCode::parse("parent", &parent_code).unwrap(),
            })
            .await
            .unwrap();
        units.push(unit);
    }
    // one handling user per unit: they register there and are the viewers
    let mut users = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let role = if i == 0 { Role::CpCentre } else { Role::OutletHead };
        let user = store
            .create_user(&NewUser {
                username: format!("user{i}"),
                display_name: format!("用户{i}"),
                role,
                org_unit_id: u.id,
                password_hash: "x".into(),
                email: None,
            })
            .await
            .unwrap();
        users.push(Actor { user_id: user.id, role, unit_path: u.path.clone() });
    }
    let unit_ref = |u: &OrgUnitRow| UnitRef { id: u.id, code: u.code.clone(), path: u.path.clone() };
    let now = chrono::Utc::now();
    for (unit, person, moves) in &case.orders {
        let outcome = store
            .register(RegisterInput {
                at: now,
                received_at: now,
                channel: Channel::Counter,
                unit: unit_ref(&units[*unit]),
                first_responder_id: users[*unit].user_id,
                complainant: NewComplainant::parse("张三", Some(&format!("1390000000{person}")), None, &[]).unwrap(),
                category: Some("01".into()),
                service_channel: None,
                cause: None,
                summary: "排队".into(),
                description: "等候过久".into(),
                amount: None,
            })
            .await
            .unwrap();
        for m in moves {
            // head office moves it: every order is in its scope
            let action = match m {
                Move::Transfer(to) => Action::Transfer { to: unit_ref(&units[*to]), reason: "转办".into() },
                Move::Escalate => Action::Escalate { to: None, reason: "升级".into(), overdue: None },
            };
            // a refused move (to the same unit, above head office) leaves the order where it is
            let _ = store.act(ActInput { complaint_id: outcome.id(), actor: users[0].clone(), action, at: now }).await;
        }
    }
    let all =
        store.complaints(&ComplaintFilter { limit: 1000, ..ComplaintFilter::new(OrderScope::All) }).await.unwrap();
    prop_assert!(all.total > 0);
    let moved = all.items.iter().filter(|k| k.order.transfer_count + k.order.escalation_count > 0).count();
    for viewer in &users {
        let v = Viewer { user_id: viewer.user_id, unit_path: &viewer.unit_path };
        let expected: BTreeSet<i64> =
            all.items.iter().filter(|k| may_see_order(v, k.place())).map(|k| k.order.id).collect();
        let listed = store
            .complaints(&ComplaintFilter { limit: 1000, ..ComplaintFilter::new(OrderScope::of(v)) })
            .await
            .unwrap();
        let got: BTreeSet<i64> = listed.items.iter().map(|k| k.order.id).collect();
        prop_assert_eq!(&got, &expected, "orders seen by {:?} ({} moved)", viewer, moved);
        prop_assert_eq!(listed.total, expected.len() as i64);

        let people: BTreeSet<i64> = all.items.iter().map(|k| k.complainant.id).collect();
        let expected: BTreeSet<i64> = people
            .iter()
            .copied()
            .filter(|c| may_see_complainant(v, all.items.iter().filter(|k| k.complainant.id == *c).map(|k| k.place())))
            .collect();
        let filter = ComplainantFilter {
            scope: OrderScope::of(v),
            watchlist: None,
            phone: None,
            id_number: None,
            offset: 0,
            limit: 1000,
        };
        let got: BTreeSet<i64> = store.complainants(&filter).await.unwrap().iter().map(|c| c.id).collect();
        prop_assert_eq!(&got, &expected, "complainants seen by {:?}", viewer);
        for c in &people {
            let one = store.complainant(*c, &OrderScope::of(v)).await.unwrap();
            prop_assert_eq!(one.is_some(), expected.contains(c));
        }
    }
    store.close().await;
    Ok(())
}

fn run(backend: Backend, cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner.run(&case(), |c| rt.block_on(check_case(backend, c))).unwrap();
}

#[test]
fn the_sql_scope_is_the_core_rule_on_sqlite() {
    run(Backend::Sqlite, 24);
}

#[test]
fn the_sql_scope_is_the_core_rule_on_postgres() {
    run(Backend::Postgres, 12);
}
