//! Nationality codes: ISO 3166-1 alpha-3, checked against the `celes` crate's maintained list of
//! countries rather than a hand-typed table.

/// The canonical upper-case alpha-3 code when `value` is a real ISO 3166-1 alpha-3 code.
pub fn canonical(value: &str) -> Option<&'static str> {
    let upper = value.trim().to_ascii_uppercase();
    if upper.len() != 3 || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    celes::Country::from_alpha3(&upper).ok().map(|c| c.alpha3)
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn real_codes_only() {
        assert_eq!(canonical("GBR"), Some("GBR"));
        assert_eq!(canonical("nga"), Some("NGA"));
        assert_eq!(canonical("POL"), Some("POL"));
        for bad in ["UK", "GB", "ENG", "XXX", "GBRR", "", "826", "G R"] {
            assert_eq!(canonical(bad), None, "{bad}");
        }
    }
}
