//! Xiaobao's HTTP server: the JSON API under `/api/v1` with its OpenAPI document, authentication
//! (password login, session cookie, bearer tokens), and problem+json errors in the caller's language.

pub mod api;
pub mod app;
pub mod auth;
pub mod checkpoints;
pub mod clock;
pub mod error;
pub mod export;
pub mod held;
pub mod i18n;
pub mod import;
pub mod json;
pub mod mailer;
pub mod scheduler;
pub mod service_notices;
pub mod throttle;
pub mod web;

pub use app::{AppState, ClientAddr, Deployment, router, serve};
pub use auth::{hash_password, token_hash};
pub use clock::{Clock, ManualClock, SystemClock};
