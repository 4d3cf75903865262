//! The SQL form of core's scope rule (`xiaobao_core::access`): every query that lists orders, or
//! things seen through orders (complainants), takes its condition from here, so the list cannot
//! admit an order the order's page would refuse. `tests/scope.rs` proves the two agree on random
//! org trees and orders, on both databases.

use crate::db::subtree_range;
use crate::sql::{Arg, SqlBuilder};
use xiaobao_core::access::OrderScope;

/// Appends "the order `alias` is in scope" to `q`, as one parenthesised condition.
pub(crate) fn push_order_scope(q: &mut SqlBuilder, alias: &str, scope: &OrderScope) {
    match scope {
        // head office sees every order: no condition, so the planner is free to use any index
        OrderScope::All => {
            q.push("1 = 1");
        }
        OrderScope::Within { unit_path, registered_by } => {
            let (lo, hi) = subtree_range(unit_path);
            q.push(&format!("(({alias}.org_path >= "))
                .bind(Arg::Text(lo))
                .push(&format!(" AND {alias}.org_path < "))
                .bind(Arg::Text(hi))
                .push(&format!(") OR {alias}.first_responder_id = "))
                .bind(Arg::I64(*registered_by))
                .push(")");
        }
    }
}

/// Appends "the complainant `alias` has a complaint in scope" to `q`.
pub(crate) fn push_complainant_scope(q: &mut SqlBuilder, alias: &str, scope: &OrderScope) {
    match scope {
        OrderScope::All => {
            q.push("1 = 1");
        }
        OrderScope::Within { .. } => {
            q.push(&format!("EXISTS (SELECT 1 FROM complaints sk WHERE sk.complainant_id = {alias}.id AND "));
            push_order_scope(q, "sk", scope);
            q.push(")");
        }
    }
}
