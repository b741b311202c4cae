//! Query parameters read without refusing the request: a malformed query (a parameter given
//! twice, say) must not be answered before the caller is authenticated, nor in plain text, nor
//! without an audit entry. The handler authenticates first, then asks for the parameters
//! ([`crate::server::App::params`]), which reports a bad query as JSON or a page and audits it.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The query string parsed as `T`, or why it could not be.
pub struct Params<T>(pub Result<T, String>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Params(Query::<T>::try_from_uri(&parts.uri).map(|q| q.0).map_err(|e| e.body_text())))
    }
}
