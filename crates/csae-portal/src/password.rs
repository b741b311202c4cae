//! Passwords: Argon2id with the crate's recommended parameters, stored as PHC strings.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LENGTH: usize = 12;

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Checks a new password is acceptable; the error says what to change.
pub fn check_new(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LENGTH {
        return Err(format!("the password has {} characters but needs at least {MIN_LENGTH}; choose a longer one", password.chars().count()));
    }
    if password.len() > 1024 {
        return Err("the password is longer than 1024 bytes; choose a shorter one".into());
    }
    Ok(())
}

pub fn hash(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system gives random bytes");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    hasher().hash_password(password.as_bytes(), &salt).expect("Argon2id hashes any password").to_string()
}

/// True when `password` matches the stored hash. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => hasher().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the user name is unknown, so that a wrong user name takes as
/// long as a wrong password and does not tell which user names exist.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash("not a password of anyone"));
    &H
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = super::hash("correct horse battery");
        let b = super::hash("correct horse battery");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(super::verify("correct horse battery", &a));
        assert!(!super::verify("correct horse batterx", &a));
        assert!(!super::verify("anything", "not a hash"));
        assert!(super::check_new("short").is_err());
    }
}
