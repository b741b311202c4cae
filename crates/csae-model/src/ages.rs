//! Age bands of the published tables.

/// Suspect age bands, in table order.
pub const SUSPECT_BANDS: [&str; 9] =
    ["UNDER_10", "10_17", "18_24", "25_34", "35_44", "45_54", "55_64", "65_PLUS", "UNKNOWN"];

/// Victim age bands, in table order.
pub const VICTIM_BANDS: [&str; 7] = ["0_4", "5_9", "10_12", "13_15", "16_17", "18_PLUS", "UNKNOWN"];

pub fn suspect_band(age: Option<u8>) -> &'static str {
    match age {
        None => "UNKNOWN",
        Some(0..=9) => "UNDER_10",
        Some(10..=17) => "10_17",
        Some(18..=24) => "18_24",
        Some(25..=34) => "25_34",
        Some(35..=44) => "35_44",
        Some(45..=54) => "45_54",
        Some(55..=64) => "55_64",
        Some(_) => "65_PLUS",
    }
}

pub fn victim_band(age: Option<u8>) -> &'static str {
    match age {
        None => "UNKNOWN",
        Some(0..=4) => "0_4",
        Some(5..=9) => "5_9",
        Some(10..=12) => "10_12",
        Some(13..=15) => "13_15",
        Some(16..=17) => "16_17",
        Some(_) => "18_PLUS",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_edges() {
        let s: Vec<_> = [None, Some(0), Some(9), Some(10), Some(17), Some(18), Some(24), Some(25), Some(64), Some(65), Some(120)]
            .into_iter()
            .map(suspect_band)
            .collect();
        assert_eq!(s, ["UNKNOWN", "UNDER_10", "UNDER_10", "10_17", "10_17", "18_24", "18_24", "25_34", "55_64", "65_PLUS", "65_PLUS"]);
        let v: Vec<_> = [Some(4), Some(5), Some(12), Some(13), Some(15), Some(16), Some(17), Some(18), None]
            .into_iter()
            .map(victim_band)
            .collect();
        assert_eq!(v, ["0_4", "5_9", "10_12", "13_15", "13_15", "16_17", "16_17", "18_PLUS", "UNKNOWN"]);
    }
}
