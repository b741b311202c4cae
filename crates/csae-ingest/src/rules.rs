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

    /// What a force data officer changes in the records system or the return to clear the rule,
    /// in one sentence (the error report, the terminal summary and docs/validation.md share it).
    pub fn how_to_fix(self) -> &'static str {
        match self {
            Rule::C01 => "Fill in the blank required column named in the issue (force_id, crime_ref, recorded_date or offence_code) on that crime in your records system, then export the return again.",
            Rule::C02 => "Set force_id to your own force's id on every row, and take out any crime that belongs to another force's return.",
            Rule::C03 => "Write the date as YYYY-MM-DD (for example 2023-01-31) or as an Excel date cell, and check that the day and month exist.",
            Rule::C04 => "Replace offence_code with the Home Office offence code from the offence catalogue that matches the crime as recorded.",
            Rule::C05 => "Replace the value with a code from that column's code list in the data standard (or leave an optional column blank), and keep crime_ref and operation_ref to at most 64 characters.",
            Rule::C06 => "Give every crime its own crime_ref by removing duplicate rows or correcting the reference of the wrong one, because every copy is rejected until it is unique.",
            Rule::C07 => "Correct the dates so that offence_date_from is not after offence_date_to or recorded_date, and recorded_date is not later than the day of upload.",
            Rule::C08 => "Correct recorded_date, or move the crime to the return of the period in which it was recorded.",
            Rule::P01 => "Fill in the blank required column named in the issue (force_id, crime_ref or person_ref, using a placeholder such as UNK1 for a person not identified) on that victim or suspect row.",
            Rule::P02 => "Make crime_ref match an accepted crime of this return: correct the reference, add the missing crime, or first fix the rejected crime it points to.",
            Rule::P03 => "Write age_at_offence as a whole number of years from 0 to 120, or leave it blank when the age is not known.",
            Rule::P04 => "Replace the value with a code from that column's code list (sex, ethnicity, ethnicity_officer, nationality), write date_of_birth as YYYY-MM-DD, and keep person_ref and pnc_id to at most 64 characters.",
            Rule::P05 => "List each person once per crime by removing duplicate rows or giving different people different person_ref values, because every copy is rejected until it is unique.",
            Rule::P06 => "Check age_at_offence and date_of_birth against the records system and correct whichever is wrong (age_at_offence is used until then).",
            Rule::P07 => "Check the victim's age and the offence code, and correct the age or record the offence under the code that applies to a victim of that age.",
            Rule::R01 => "Fill in the blank required column named in the issue (force_id, crime_ref, victim_ref, suspect_ref or relationship, using UNKNOWN when the relationship is not known) on that relationship row.",
            Rule::R02 => "Make victim_ref and suspect_ref match the person_ref of a victim and a suspect of the same crime in this return, or first fix the rejected victim or suspect rows they point to.",
            Rule::R03 => "Replace relationship with a code from the relationship code list of the data standard, such as PARENT, STRANGER or UNKNOWN.",
            Rule::R04 => "List each victim and suspect pair once per crime by removing the duplicate relationship rows, because every copy is rejected until it is unique.",
            Rule::W01 => "Add the crime's victim to the victims table, or fix the victim rows that were rejected, unless the crime truly has no victim to record.",
            Rule::W02 => "Add the crime's suspects to the suspects table (with a placeholder such as UNK1 for a suspect not identified), or fix the suspect rows that were rejected.",
            Rule::F01 => "Export the return again with all four tables (crimes, victims, suspects, relationships) as UTF-8 CSV files or workbook sheets, each with every required column named in its header row.",
            Rule::F02 => "Remove the cells beyond the header's last column, and put double quotes around any value that contains a comma so that it stays in one column.",
            Rule::F03 => "Remove the control character from the cell (often a stray character copied in from another system); tabs and line breaks are allowed.",
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

    /// The page documents the same sentences the code gives, so the two cannot drift apart.
    #[test]
    fn every_how_to_fix_sentence_is_in_the_validation_page() {
        let page = include_str!("../../../docs/validation.md");
        for r in Rule::ALL {
            let fix = r.how_to_fix();
            assert!(fix.ends_with('.') && fix.matches(". ").count() == 0, "{r}: one sentence: {fix}");
            let row = format!("| `{r}` | {} | {fix} |", r.description());
            assert!(page.contains(&row), "docs/validation.md lacks the row\n{row}");
        }
    }
}
