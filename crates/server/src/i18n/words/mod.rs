//! The catalogue of the interface's words, one file per part of the product, each entry keyed by the
//! glossary's identifiers (a part's own keys start with its name: `hot.…`, `order.…`) with its
//! Chinese and its English. `{name}` marks where an argument goes (see `tr!`).

use std::collections::HashMap;
use std::sync::LazyLock;

/// `catalogue! { "key" => ("中文", "English"), … }`: a part's entries as `ENTRIES`.
macro_rules! catalogue {
    ($($key:literal => ($zh:literal, $en:literal $(,)?)),* $(,)?) => {
        pub(super) const ENTRIES: &[(&str, &str, &str)] = &[$(($key, $zh, $en)),*];
    };
}

mod admin;
mod calendar_gap;
mod common;
mod errors;
mod export;
mod fields;
mod hot_issues;
mod inspections;
mod mail;
mod names;
mod order;
mod progress;
mod refusals;
mod register;
mod reports;
mod service;
mod service_page;
mod workbook;

/// Every part's entries.
pub(super) const PARTS: &[&[(&str, &str, &str)]] = &[
    common::ENTRIES,
    names::ENTRIES,
    refusals::ENTRIES,
    mail::ENTRIES,
    order::ENTRIES,
    register::ENTRIES,
    hot_issues::ENTRIES,
    admin::ENTRIES,
    reports::ENTRIES,
    service::ENTRIES,
    service_page::ENTRIES,
    inspections::ENTRIES,
    fields::ENTRIES,
    export::ENTRIES,
    errors::ENTRIES,
    progress::ENTRIES,
    calendar_gap::ENTRIES,
    workbook::ENTRIES,
];

pub(super) static TABLE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| PARTS.iter().flat_map(|p| p.iter()).map(|&(k, zh, en)| (k, (zh, en))).collect());
