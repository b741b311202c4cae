//! The collection portal behind `csae serve`: forces upload their returns (validated with the
//! same code as `csae validate`), confirm them as versions, and national analysts track the 44
//! forces, build the dataset and publication of a period and download the outputs.
//!
//! Storage is `sqlx` over SQLite (embedded default, in the data folder) or PostgreSQL (a URL in
//! the config), with one set of migrations; files (uploads, builds) live in the data folder and
//! are always written to a temporary place and renamed. Every sign-in, upload, confirmation,
//! view of data, build and download goes into a hash-chained audit log.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod api;
pub mod audit;
pub mod builds;
pub mod commands;
pub mod config;
pub mod db;
pub mod error;
pub mod files;
pub mod force_history;
pub mod issues_report;
pub mod openapi;
pub mod ops;
pub mod params;
pub mod password;
pub mod periods;
pub mod queries;
pub mod ratelimit;
pub mod server;
pub mod sessions;
pub mod submissions;
pub mod tracker;
pub mod upload;
pub mod util;
pub mod web;
pub mod workers;

pub use config::{Config, ConfigArgs};
pub use error::PortalError;
pub use server::{App, serve};
