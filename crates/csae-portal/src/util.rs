//! Small helpers shared by the modules: time stamps, random ids and tokens, hashing.

use sha2::{Digest, Sha256};

/// Now as an RFC 3339 UTC time stamp with seconds, e.g. `2024-02-01T09:30:00Z` (sorts in time order).
pub fn now() -> String {
    stamp(chrono::Utc::now())
}

pub fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn parse_stamp(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// `n` random bytes from the operating system, as lower-case hex.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    // The OS random source failing is not something a request can recover from.
    getrandom::fill(&mut b).expect("the operating system gives random bytes");
    hex::encode(b)
}

/// A new id for a row: 16 random bytes (ids never reveal how many objects exist).
pub fn new_id() -> String {
    random_hex(16)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
