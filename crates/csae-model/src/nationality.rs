//! Nationality codes: ISO 3166-1 alpha-3, checked against the `celes` crate's maintained list of
//! countries rather than a hand-typed table.

use std::sync::LazyLock;

use crate::codes::cmp_ignoring_case;

/// Every alpha-3 code `celes` knows, sorted.
static CODES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut codes: Vec<&'static str> = celes::Country::get_countries().iter().map(|c| c.alpha3).collect();
    codes.sort_unstable();
    codes
});

/// The canonical upper-case alpha-3 code when `value` is a real ISO 3166-1 alpha-3 code.
pub fn canonical(value: &str) -> Option<&'static str> {
    let value = value.trim();
    CODES.binary_search_by(|c| cmp_ignoring_case(c, value)).ok().map(|i| CODES[i])
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

    /// The lookup finds exactly the codes `celes` knows, for every three letters in any case.
    #[test]
    fn the_lookup_agrees_with_celes_for_every_three_letters() {
        let letters: Vec<char> = ('a'..='z').chain('A'..='Z').collect();
        let mut found = 0;
        for &a in &letters {
            for &b in &letters {
                for &c in &letters {
                    let code = format!("{a}{b}{c}");
                    let expected = celes::Country::from_alpha3(code.to_ascii_uppercase()).ok().map(|c| c.alpha3);
                    assert_eq!(canonical(&code), expected, "{code}");
                    found += usize::from(expected.is_some() && code.bytes().all(|b| b.is_ascii_uppercase()));
                }
            }
        }
        assert_eq!(found, celes::Country::get_countries().len());
    }
}
