//! The release information an official statistics bulletin carries (as ONS and Home Office
//! releases give it), written once here for the report, the workbook's cover and README.txt:
//! release dates, status, the responsible statistician, revisions policy, related statistics,
//! accessibility, source and coverage, and the caveats a reader must know first.

use csae_analysis::plain::RECORDS_NOT_PEOPLE;

/// The warning every output of a publication built from `csae synth` data carries.
pub const SYNTHETIC: &str = "SYNTHETIC DATA — NOT OFFICIAL STATISTICS";

/// What the publisher gives (`csae report --next-release --status --contact`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReleaseOptions {
    /// The date of the next release, when announced.
    pub next_release: Option<chrono::NaiveDate>,
    /// The statistics' status; default: official statistics in development.
    pub status: Option<String>,
    /// The responsible statistician and how to contact them.
    pub contact: Option<String>,
}

/// The contact shown when the publisher gave none: a release must not go out with it.
pub const CONTACT_NOT_SET: &str = "Not set: the publisher must name the responsible statistician and a contact address (csae report --contact) before release";

/// The release information of one publication.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub release_date: String,
    pub next_release: String,
    pub status: String,
    pub contact: String,
}

impl Release {
    pub fn new(opts: &ReleaseOptions, built: &str, synthetic: bool) -> Release {
        Release {
            release_date: built.to_string(),
            next_release: opts.next_release.map_or_else(|| "To be announced".to_string(), |d| d.to_string()),
            status: match (&opts.status, synthetic) {
                (_, true) => "Synthetic data for demonstration and testing: not official statistics".to_string(),
                (Some(s), false) => s.clone(),
                (None, false) => "Official statistics in development".to_string(),
            },
            // A blank contact is no contact, whoever gave it (command line or portal config).
            contact: opts.contact.clone().filter(|c| !c.trim().is_empty()).unwrap_or_else(|| CONTACT_NOT_SET.to_string()),
        }
    }

    /// (heading, text) pairs in the order a reader looks for them.
    pub fn items(&self, returns: usize) -> Vec<(&'static str, String)> {
        vec![
            ("Release date", self.release_date.clone()),
            ("Next release", self.next_release.clone()),
            ("Statistics status", self.status.clone()),
            ("Responsible statistician and contact", self.contact.clone()),
            (
                "Source and coverage",
                format!("Returns of the national child sexual abuse and exploitation data collection from the 43 territorial police forces of England and Wales and British Transport Police ({returns} returns in the dataset), checked against the data standard, pseudonymised and combined."),
            ),
            (
                "Revisions policy",
                "Forces may resubmit a return when they correct their records; the next release then uses the corrected data and says which figures changed and why. Corrections of errors in this release are published as soon as they are found, with an explanation.".to_string(),
            ),
            (
                "Related statistics",
                "Home Office, Police recorded crime and outcomes open data tables (all sexual offences recorded by the police); Office for National Statistics, Crime in England and Wales (sexual offences, including abuse during childhood).".to_string(),
            ),
            (
                "Accessibility",
                format!("The report is written to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA: headings in order, tables with header cells, charts with their numbers beside the bars and a text alternative, and the same figures in the workbook and CSV files. To ask for another format, contact: {}.", self.contact),
            ),
        ]
    }
}

/// The caveats that matter most, for the "Things you need to know" block near the top.
/// `ethnicity_recorded` is the share of suspect records with ethnicity recorded, as shown.
pub fn things_to_know(min_suspects: u32, ethnicity_recorded: &str) -> Vec<String> {
    vec![
        "These are crimes recorded by the police, not all abuse that happens: much child sexual abuse is never reported.".to_string(),
        "Forces record crimes, categories, relationships and flags in different ways, so differences between forces may reflect recording practice as well as offending; the data-quality tables show how complete each force's records are.".to_string(),
        format!("Ethnicity is recorded for {ethnicity_recorded} of suspect records, and those with it recorded may not be like those without, so shares by ethnicity may not reflect all suspects."),
        format!("Suspect and victim figures are records, not people: {RECORDS_NOT_PEOPLE}. Distinct identified people are counted separately."),
        format!("A crime is group-based when {min_suspects} or more suspects are recorded for it, including suspects not identified."),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_contact_is_not_set() {
        for blank in [None, Some(String::new()), Some("   ".to_string())] {
            let r = Release::new(&ReleaseOptions { contact: blank, ..Default::default() }, "2026-12-06", false);
            assert_eq!(r.contact, CONTACT_NOT_SET);
        }
        let r = Release::new(&ReleaseOptions { contact: Some("Jane Smith".into()), ..Default::default() }, "2026-12-06", false);
        assert_eq!(r.contact, "Jane Smith");
    }
}
