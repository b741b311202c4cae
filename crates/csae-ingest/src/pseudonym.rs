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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

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

/// The 8 hex digits of a 32-bit word, most significant first, computed on all of them at once
/// (eight bytes in a `u64`): a digest's 64 digits take 8 of these instead of 32 table lookups
/// and 64 single-byte stores.
fn hex_word(w: u32) -> [u8; 8] {
    const LOW_NIBBLES: u64 = 0x000F_000F_000F_000F;
    const EACH_BYTE: u64 = 0x0101_0101_0101_0101;
    // Byte k of `w` (most significant first) into the low byte of 16-bit lane k.
    let mut x = u64::from(w.swap_bytes());
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    // Lane k: its high nibble in the first byte, its low nibble in the second.
    let nibbles = ((x >> 4) & LOW_NIBBLES) | ((x & LOW_NIBBLES) << 8);
    // '0' + n, and 39 more ('a' - '0' - 10) where n is 10 or more; no byte carries into the next.
    let letters = ((nibbles + 6 * EACH_BYTE) >> 4) & EACH_BYTE;
    (nibbles + u64::from(b'0') * EACH_BYTE + letters * 39).to_le_bytes()
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

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const SHA256_H0: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/// The longest message that fits one SHA-256 block with its padding (a 0x80 byte and the
/// 8-byte length).
const ONE_BLOCK: usize = 64 - 9;

/// Computes pseudonyms. HMAC-SHA256 (RFC 2104) of a short message is two SHA-256 blocks once
/// the key's inner and outer states are known: `inner` after the key XOR ipad, `outer` after
/// the key XOR opad, both computed once. Messages of one block (every force's references in
/// practice) are padded here and hashed with SHA-256's block function directly, without the
/// general hasher's buffering and copying; longer ones go through the `hmac` crate. The tests
/// check both against it.
#[derive(Clone)]
pub struct Pseudonymiser {
    inner: [u32; 8],
    outer: [u32; 8],
    mac: Hmac<Sha256>,
}

/// SHA-256's block function on one 64-byte block.
fn compress(state: &mut [u32; 8], block: [u8; 64]) {
    sha2::compress256(state, &[block.into()]);
}

impl Pseudonymiser {
    pub fn new(key: &Key) -> Self {
        // The key as one block (RFC 2104: hashed first when longer than a block).
        let mut k0 = [0u8; 64];
        if key.0.len() > 64 {
            k0[..32].copy_from_slice(&Sha256::digest(&key.0));
        } else {
            k0[..key.0.len()].copy_from_slice(&key.0);
        }
        let keyed = |pad: u8| {
            let mut state = SHA256_H0;
            compress(&mut state, k0.map(|b| b ^ pad));
            state
        };
        Pseudonymiser {
            inner: keyed(0x36),
            outer: keyed(0x5c),
            mac: Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes a key of any length"),
        }
    }

    fn hash(&self, parts: &[&[u8]]) -> Pseudonym {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len > ONE_BLOCK {
            return self.hash_long(parts);
        }
        // Inner hash: the message, padded, after the key's inner block.
        let mut block = [0u8; 64];
        let mut at = 0;
        for p in parts {
            block[at..at + p.len()].copy_from_slice(p);
            at += p.len();
        }
        block[at] = 0x80;
        block[56..].copy_from_slice(&(((64 + len) as u64) * 8).to_be_bytes());
        let mut inner = self.inner;
        compress(&mut inner, block);
        // Outer hash: the inner digest, padded, after the key's outer block.
        let mut block = [0u8; 64];
        for (k, w) in inner.iter().enumerate() {
            block[4 * k..4 * k + 4].copy_from_slice(&w.to_be_bytes());
        }
        block[32] = 0x80;
        block[56..].copy_from_slice(&((64u64 + 32) * 8).to_be_bytes());
        let mut outer = self.outer;
        compress(&mut outer, block);
        let mut out = [0u8; 64];
        for (digits, w) in out.chunks_exact_mut(8).zip(outer) {
            digits.copy_from_slice(&hex_word(w));
        }
        Pseudonym(out)
    }

    /// A message longer than one block, through the `hmac` crate.
    #[cold]
    fn hash_long(&self, parts: &[&[u8]]) -> Pseudonym {
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

    proptest::proptest! {
        /// The two-block HMAC gives the `hmac` crate's answer for any key (shorter or longer
        /// than a block) and any message, of one block or more.
        #[test]
        fn pseudonyms_are_the_hmac_crates(key in proptest::collection::vec(proptest::num::u8::ANY, 32..100), owned in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..40), 0..4)) {
            let p = Pseudonymiser::new(&Key(key.clone()));
            let parts: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
            let mut m = Hmac::<Sha256>::new_from_slice(&key).unwrap();
            for part in &parts {
                m.update(part);
            }
            let got = p.hash(&parts);
            proptest::prop_assert_eq!(got.as_str(), hex::encode(m.finalize().into_bytes()));
        }
    }

    #[test]
    fn words_are_written_as_hex_digits() {
        for w in [0, 1, 9, 10, 15, 16, 0x0123_4567, 0x89ab_cdef, 0xa0b0_c0d0, 0x0f0f_f0f0, u32::MAX, 0xdead_beef] {
            assert_eq!(hex_word(w), *format!("{w:08x}").as_bytes().as_array().unwrap(), "{w:#x}");
        }
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
