//! The web pages over HTTP, one file a page or flow; `browser` is the client they drive.

pub(crate) mod browser;

mod admin;
mod errors;
mod lists;
mod login;
mod measures;
mod order;
mod policy;
mod progress;
mod users;
mod walk;

pub(crate) use browser::Browser;
