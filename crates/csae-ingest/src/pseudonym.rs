//! Pseudonymisation with a keyed hash (HMAC-SHA256), as the data standard specifies:
//! person refs by force, PNC ids nationally, crime refs by force. The key never leaves this
//! module; only a fingerprint of it is written into a dataset.

use std::io::Write as _;
use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The environment variable that may name the key file instead of `--key-file`.
pub const KEY_ENV: &str = "CSAE_PSEUDONYM_KEY_FILE";
/// Minimum key length in bytes.
pub const MIN_KEY_BYTES: usize = 32;

/// A pseudonymisation key. Its bytes are the key file's content without trailing whitespace.
#[derive(Clone)]
pub struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.fingerprint())
    }
}

/// Why a key cannot be used; the message says how to make one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

impl Key {
    pub fn from_bytes(bytes: &[u8]) -> Result<Key, KeyError> {
        let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |p| p + 1);
        let key = &bytes[..end];
        if key.len() < MIN_KEY_BYTES {
            return Err(KeyError(format!(
                "the pseudonymisation key is {} bytes but must be at least {MIN_KEY_BYTES}; make a new one with `csae key new FILE`",
                key.len()
            )));
        }
        Ok(Key(key.to_vec()))
    }

    /// Loads the key from `--key-file` or else the file named by `CSAE_PSEUDONYM_KEY_FILE`.
    pub fn load(key_file: Option<&Path>) -> Result<Key, KeyError> {
        let from_env = std::env::var_os(KEY_ENV).filter(|v| !v.is_empty());
        let path = match (key_file, &from_env) {
            (Some(p), _) => p.to_path_buf(),
            (None, Some(p)) => p.into(),
            (None, None) => {
                return Err(KeyError(format!(
                    "no pseudonymisation key given; make one with `csae key new csae.key` and pass --key-file csae.key (or set {KEY_ENV})"
                )));
            }
        };
        let bytes = std::fs::read(&path).map_err(|e| {
            KeyError(format!(
                "the key file {} cannot be read ({}); make one with `csae key new {}`",
                path.display(),
                csae_dataset::io_reason(&e),
                path.display()
            ))
        })?;
        Key::from_bytes(&bytes)
    }

    /// A fresh random key: 32 random bytes written as 64 hex characters.
    pub fn generate() -> Result<String, KeyError> {
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).map_err(|e| KeyError(format!("the system gave no random bytes for a key ({e})")))?;
        Ok(hex::encode(raw))
    }

    /// Writes a fresh key to a new file with mode 0600. Refuses to overwrite an existing file,
    /// since losing a key breaks the link between this year's pseudonyms and next year's.
    pub fn write_new(path: &Path) -> Result<Key, KeyError> {
        let text = Key::generate()?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                KeyError(format!("{} already exists; a key is never overwritten, so choose another file name", path.display()))
            } else {
                KeyError(format!("cannot create the key file {} ({}); choose a writable place", path.display(), csae_dataset::io_reason(&e)))
            }
        })?;
        f.write_all(format!("{text}\n").as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| KeyError(format!("cannot write the key file {} ({e})", path.display())))?;
        Key::from_bytes(text.as_bytes())
    }

    /// A fingerprint that identifies the key without revealing it.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"csae.key-fingerprint/1:");
        h.update(&self.0);
        format!("sha256:{}", &hex::encode(h.finalize())[..32])
    }
}

/// A pseudonym: 64 lower-case hex characters, held inline (no allocation per value).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pseudonym([u8; 64]);

impl Pseudonym {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex is ASCII")
    }

    /// The 64 hex digits as bytes, for writers that check a whole column's text at once.
    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }
}

impl std::fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pseudonym({})", self.as_str())
    }
}

/// Computes pseudonyms: the key's HMAC state is set up once and cloned for each message.
#[derive(Clone)]
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
}

impl Pseudonymiser {
    pub fn new(key: &Key) -> Self {
        Pseudonymiser { mac: Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes a key of any length") }
    }

    fn hash(&self, parts: &[&[u8]]) -> Pseudonym {
        let mut m = self.mac.clone();
        for p in parts {
            m.update(p);
        }
        let mut out = [0u8; 64];
        hex::encode_to_slice(m.finalize().into_bytes(), &mut out).expect("64 hex digits for 32 bytes");
        Pseudonym(out)
    }

    /// `HMAC-SHA256(key, force_id + ":" + person_ref)`.
    pub fn person(&self, force_id: &str, person_ref: &str) -> Pseudonym {
        self.hash(&[force_id.as_bytes(), b":", person_ref.as_bytes()])
    }

    /// `HMAC-SHA256(key, "pnc:" + upper-cased pnc_id without spaces)`.
    pub fn pnc(&self, pnc_id: &str) -> Pseudonym {
        // Most ids are already upper-case ASCII without spaces: hash them as they are.
        if pnc_id.bytes().all(|b| b.is_ascii_graphic() && !b.is_ascii_lowercase()) {
            return self.hash(&[b"pnc:", pnc_id.as_bytes()]);
        }
        let norm: String = pnc_id.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
        self.hash(&[b"pnc:", norm.as_bytes()])
    }

    /// `HMAC-SHA256(key, force_id + ":crime:" + crime_ref)`.
    pub fn crime(&self, force_id: &str, crime_ref: &str) -> Pseudonym {
        self.hash(&[force_id.as_bytes(), b":crime:", crime_ref.as_bytes()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::from_bytes(b"0123456789abcdef0123456789abcdef\n").unwrap()
    }

    #[test]
    fn pseudonyms_are_the_specified_hmacs() {
        let p = Pseudonymiser::new(&key());
        let expect = |msg: &str| {
            let mut m = Hmac::<Sha256>::new_from_slice(b"0123456789abcdef0123456789abcdef").unwrap();
            m.update(msg.as_bytes());
            hex::encode(m.finalize().into_bytes())
        };
        assert_eq!(p.person("cumbria", "S20").as_str(), expect("cumbria:S20"));
        assert_eq!(p.pnc("12/345678a").as_str(), expect("pnc:12/345678A"));
        assert_eq!(p.pnc(" 12/ 345678A "), p.pnc("12/345678A"));
        assert_eq!(p.crime("cumbria", "CR1").as_str(), expect("cumbria:crime:CR1"));
        assert_ne!(p.person("cumbria", "S20"), p.person("durham", "S20"));
    }

    #[test]
    fn short_keys_are_refused_and_fingerprints_differ() {
        assert!(Key::from_bytes(b"short").unwrap_err().0.contains("csae key new"));
        let other = Key::from_bytes(b"1123456789abcdef0123456789abcdef").unwrap();
        assert_ne!(key().fingerprint(), other.fingerprint());
        assert!(!key().fingerprint().contains("0123456789abcdef"));
    }

    #[test]
    fn new_keys_are_private_random_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let k = Key::write_new(&path).unwrap();
        assert_eq!(Key::load(Some(&path)).unwrap().fingerprint(), k.fingerprint());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(Key::write_new(&path).unwrap_err().0.contains("already exists"));
        assert_ne!(Key::generate().unwrap(), Key::generate().unwrap());
    }
}
