//! Parsing of the embedded reference CSVs. They are part of the build, so a malformed file is a
//! programming error caught by this crate's tests, not a user error.

pub(crate) const FORCES_CSV: &str = include_str!("../reference/forces.csv");
pub(crate) const OFFENCES_CSV: &str = include_str!("../reference/offence-codes.csv");
pub(crate) const CODE_LISTS_CSV: &str = include_str!("../reference/code-lists.csv");
/// Home Office recorded sexual offences by force and offence code, 2017/18 (for calibration).
pub const PRC_2017_18_CSV: &str = include_str!("../reference/prc-2017-18-sexual-offences-by-force.csv");

/// The data rows of an embedded CSV (header skipped), each as a vector of owned fields.
pub(crate) fn rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.expect("embedded reference CSV is well formed")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// Real recorded volumes of sexual offences per force and offence code (2017/18).
pub fn prc_volumes() -> Vec<(String, String, u32)> {
    rows(PRC_2017_18_CSV)
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[3].parse().expect("numeric volume")))
        .collect()
}
