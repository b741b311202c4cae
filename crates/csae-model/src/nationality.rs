//! Nationality codes: ISO 3166-1 alpha-3, checked against the `celes` crate's maintained list of
//! countries rather than a hand-typed table.

use std::sync::LazyLock;

/// Every real code at the index of its three letters ([`index`]), from `celes`'s list of
/// countries: a return's nationality is found with no allocation and no hashing (each
/// victim and suspect row has one).
static BY_LETTERS: LazyLock<Vec<Option<&'static str>>> = LazyLock::new(|| {
    let mut table = vec![None; 26 * 26 * 26];
    for country in celes::Country::get_countries() {
        if let Some(i) = index(country.alpha3) {
            table[i] = Some(country.alpha3);
        }
    }
    table
});

/// The position of three ASCII letters, in either case, among all 17,576 such codes.
fn index(code: &str) -> Option<usize> {
    let [a, b, c] = <[u8; 3]>::try_from(code.as_bytes()).ok()?;
    [a, b, c].into_iter().try_fold(0, |at, l| l.is_ascii_alphabetic().then(|| at * 26 + usize::from(l.to_ascii_uppercase() - b'A')))
}

/// The canonical upper-case alpha-3 code when `value` is a real ISO 3166-1 alpha-3 code.
pub fn canonical(value: &str) -> Option<&'static str> {
    BY_LETTERS[index(value.trim())?]
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

    /// The table finds exactly the codes `celes` knows, for every three letters in any case.
    #[test]
    fn the_table_agrees_with_celes_for_every_three_letters() {
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
