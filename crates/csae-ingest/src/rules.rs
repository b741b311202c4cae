//! The validation rule codes of the data standard. Codes are stable: forces and tools rely on them.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    C01, C02, C03, C04, C05, C06, C07, C08,
    P01, P02, P03, P04, P05, P06, P07,
    R01, R02, R03, R04,
    W01, W02,
    F01, F02, F03,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Rule {
    pub const ALL: [Rule; 24] = [
        Rule::C01, Rule::C02, Rule::C03, Rule::C04, Rule::C05, Rule::C06, Rule::C07, Rule::C08,
        Rule::P01, Rule::P02, Rule::P03, Rule::P04, Rule::P05, Rule::P06, Rule::P07,
        Rule::R01, Rule::R02, Rule::R03, Rule::R04, Rule::W01, Rule::W02, Rule::F01,
        Rule::F02, Rule::F03,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::C01 => "C01", Rule::C02 => "C02", Rule::C03 => "C03", Rule::C04 => "C04",
            Rule::C05 => "C05", Rule::C06 => "C06", Rule::C07 => "C07", Rule::C08 => "C08",
            Rule::P01 => "P01", Rule::P02 => "P02", Rule::P03 => "P03", Rule::P04 => "P04",
            Rule::P05 => "P05", Rule::P06 => "P06", Rule::P07 => "P07",
            Rule::R01 => "R01", Rule::R02 => "R02", Rule::R03 => "R03", Rule::R04 => "R04",
            Rule::W01 => "W01", Rule::W02 => "W02", Rule::F01 => "F01", Rule::F02 => "F02",
            Rule::F03 => "F03",
        }
    }

    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.code().eq_ignore_ascii_case(code))
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::P06 | Rule::P07 | Rule::W01 | Rule::W02 => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The rule as the data standard words it.
    pub fn description(self) -> &'static str {
        match self {
            Rule::C01 => "a required column is blank",
            Rule::C02 => "force_id is not the return's force",
            Rule::C03 => "a date is not a valid YYYY-MM-DD date (or Excel date)",
            Rule::C04 => "offence_code is not in the offence catalogue",
            Rule::C05 => "a coded column holds a value outside its code list",
            Rule::C06 => "crime_ref occurs more than once in the return (every copy rejected)",
            Rule::C07 => "dates out of order",
            Rule::C08 => "recorded_date is outside the return's declared period",
            Rule::P01 => "a required column is blank",
            Rule::P02 => "crime_ref is not an accepted crime of this return",
            Rule::P03 => "age_at_offence is not a whole number 0-120",
            Rule::P04 => "a coded column holds an invalid value, or date_of_birth is not a valid date",
            Rule::P05 => "the same (crime_ref, person_ref) occurs more than once (every copy rejected)",
            Rule::P06 => "age_at_offence and the age from date_of_birth differ by more than one year",
            Rule::P07 => "the victim's age contradicts a child-specific offence code",
            Rule::R01 => "a required column is blank",
            Rule::R02 => "victim_ref or suspect_ref is not an accepted victim / suspect of that crime",
            Rule::R03 => "relationship outside its code list",
            Rule::R04 => "the same (crime_ref, victim_ref, suspect_ref) occurs more than once (every copy rejected)",
            Rule::W01 => "crime has no accepted victim",
            Rule::W02 => "crime has no accepted suspect",
            Rule::F01 => "a table is missing, unreadable, not UTF-8, or lacks a required column",
            Rule::F02 => "a row has a value in a column the header does not name (more cells than the header)",
            Rule::F03 => "a cell holds a control character (other than a tab or a line break)",
        }
    }

    /// The rule's bit in a row's rule mask.
    pub(crate) const fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// The rules set in a mask, in code order.
    pub fn in_mask(mask: u32) -> impl Iterator<Item = Rule> {
        Rule::ALL.into_iter().filter(move |r| mask & r.bit() != 0)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_fit_a_mask() {
        for r in Rule::ALL {
            assert_eq!(Rule::from_code(r.code()), Some(r));
            assert!((r as u32) < 32);
        }
        let mask = Rule::C03.bit() | Rule::C06.bit();
        assert_eq!(Rule::in_mask(mask).collect::<Vec<_>>(), [Rule::C03, Rule::C06]);
    }
}
