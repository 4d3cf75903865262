#![allow(clippy::unwrap_used)]
//! The API test story, run against SQLite and PostgreSQL: the life of an order, every illegal
//! transition, the scope matrix, masking and its audit, repeat detection and merging, the hash chain,
//! bad input, authentication and list filters.

mod harness;

mod admin;
mod audit;
mod auth;
mod bulletins;
mod causes;
mod deadlines;
mod hot_issues;
mod input;
mod inspections;
mod league;
mod lifecycle;
mod lists;
mod measures;
mod notices;
mod permission_first;
mod privacy;
mod records;
mod repeat;
mod reports;
mod reviews;
mod rollups;
mod rules;
mod scope;
mod scope_rule;
mod search;
mod security;
mod service;
mod service_page;
mod statistics;
mod transitions;
mod users;
mod web;
mod weekly;
mod workbook;
