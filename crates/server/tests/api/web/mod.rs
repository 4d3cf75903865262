//! The web pages over HTTP, one file a page or flow; `browser` is the client they drive.

pub(crate) mod browser;

mod admin;
mod calendar_gap;
mod errors;
mod figures;
mod home;
mod inbox;
mod integrations;
mod lists;
mod login;
mod measures;
mod order;
mod order_page;
mod policy;
mod progress;
mod register;
mod users;
mod walk;

pub(crate) use browser::Browser;
