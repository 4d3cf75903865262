//! Xiaobao's domain: the org tree and roles, the complaint work order and its state machine, the
//! working-day calendar and deadline clocks, classification, and masking of personal data.
//! Pure: no I/O, no async. The store remembers what this crate decides; the server translates HTTP.

pub mod access;
pub mod attachment;
pub mod calendar;
pub mod channel;
pub mod classification;
pub mod complainant;
pub mod complaint;
pub mod deadline;
pub mod error;
pub mod hot_issue;
pub mod integration;
pub mod league;
pub mod mask;
pub mod measure;
pub mod money;
pub mod org;
pub mod password;
pub mod period;
pub mod role;
pub mod seal;
pub mod service;
pub mod text;
pub mod time;
pub mod workbook;

pub use error::{Arg, FieldError, keep};
