//! The definitions of `analysis.md` in plain English, for readers of the publication: one
//! sentence (or phrase) per definition, written once here and used wherever the publication
//! explains a figure (key findings, methodology, notes), so the words never drift apart. Labels
//! only: no field names or codes of the data standard. The SQL views in `definitions` are what
//! these sentences describe.

use csae_model::{code_list, offences};

use crate::Parameters;

/// When a crime is non-recent, as a clause ("a crime is non-recent when …").
pub const NON_RECENT_WHEN: &str = "a victim who was a child (under 18) at the time of the offence was 18 or over by the time the police recorded it";

/// Person figures are records, as a clause for any sentence that shows them.
pub const RECORDS_NOT_PEOPLE: &str = "each record is one person in one crime, so a person involved in several crimes is counted once for each";

/// One entry of the glossary: a term and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub term: String,
    pub meaning: String,
}

/// The six categories of group-based crime, each with what it means (in the code list's order).
pub fn categories() -> Vec<Entry> {
    let meaning = |code: &str| match code {
        "FAMILIAL" => "abuse within the family: every recorded relationship between the suspects and the victims is a family one".to_string(),
        "CSE" => "child sexual exploitation: children are abused in exchange for something they or others receive, such as money, gifts, drugs, affection or status".to_string(),
        "INSTITUTIONAL" => "abuse by people in a position of trust over the victim, or in an institution such as a school, a care setting, a place of worship or a youth club".to_string(),
        "RITUALISTIC" => "abuse linked to faith, belief or ritual; only a force can record this category, it is never derived".to_string(),
        "OTHER" => "group-based abuse that is none of the above, where how the suspects and the victims know each other is recorded".to_string(),
        _ => "too little is recorded to tell which category the crime belongs to".to_string(),
    };
    code_list("cocad_category").codes.iter().map(|c| Entry { term: category_name(&c.code), meaning: meaning(&c.code) }).collect()
}

/// A category's name in a sentence ("Familial abuse", "Child sexual exploitation (CSE)").
pub fn category_name(code: &str) -> String {
    match code {
        "CSE" => "Child sexual exploitation (CSE)".into(),
        "OTHER" => "Other group-based abuse".into(),
        "UNKNOWN" => "Unknown category".into(),
        other => {
            let label = code_list("cocad_category").codes.iter().find(|c| c.code == other).map_or(other.to_string(), |c| c.label.clone());
            format!("{label} abuse")
        }
    }
}

/// Labels of the codes of a code list in one group, as a readable list ("Parent, Sibling and …").
fn labels_in_group(list: &str, group: &str) -> String {
    let labels: Vec<String> = code_list(list).codes.iter().filter(|c| c.group.as_deref() == Some(group)).map(|c| c.label.to_lowercase()).collect();
    and_list(&labels)
}

/// "a, b and c".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn offence_label(code: &str) -> String {
    offences().iter().find(|o| o.code == code).map_or_else(|| code.to_string(), |o| format!("{} (offence {code})", o.description.to_lowercase()))
}

/// The rules that derive a category where the force recorded none, in order.
pub fn derivation_rules() -> Vec<String> {
    vec![
        format!("familial, when at least one relationship between a suspect and a victim is recorded and every one is a family relationship ({})", labels_in_group("relationship", "FAMILY")),
        format!(
            "child sexual exploitation, when the force flagged the crime as exploitation or the offence is {} or {}",
            offence_label("71"),
            offence_label("72")
        ),
        format!("institutional, when a suspect was in a position of trust over a victim, or the crime took place in a {}", labels_in_group("location_type", "INSTITUTIONAL")),
        "other, when at least one relationship between a suspect and a victim is recorded and known".to_string(),
        "unknown, otherwise".to_string(),
    ]
}

/// Offences that can only be committed against a child: every crime of these is in scope.
pub fn child_offences() -> Vec<String> {
    offences().iter().filter(|o| o.child_specific).map(|o| format!("{} (offence {})", o.description, o.code)).collect()
}

/// The glossary of the publication, in reading order.
pub fn glossary(p: &Parameters) -> Vec<Entry> {
    let e = |term: &str, meaning: String| Entry { term: term.to_string(), meaning };
    vec![
        e("Reporting period", format!("Figures count crimes the police recorded from {} to {}, whenever the offence took place.", p.from, p.to)),
        e(
            "Child sexual abuse and exploitation (CSAE) crimes",
            "A crime is counted when its offence can only be committed against a child (the offences are listed below), or the force flagged it as child sexual abuse or as child sexual exploitation, or at least one victim was under 18 at the time of the offence. Other crimes in the returns are out of scope: they are in no table except the data-quality table, which counts them by force.".to_string(),
        ),
        e("Group-based", format!("A crime is group-based when the police recorded {} or more suspects for it, including suspects who have not been identified.", p.min_suspects)),
        e(
            "Category",
            format!(
                "Each group-based crime has one category: the one the force recorded, or, where none was recorded, one derived from the data by the first of these rules that applies: {}.",
                derivation_rules().iter().enumerate().map(|(i, r)| format!("({}) {r}", i + 1)).collect::<Vec<_>>().join("; ")
            ),
        ),
        e("Non-recent", format!("A crime is non-recent when {NON_RECENT_WHEN}. It is recent when the dates and at least one victim's age are known and it is not non-recent; otherwise its recency is unknown.")),
        e("Ages", "Age at the offence is the age the force recorded, or else the whole years from the date of birth to the start of the offending; otherwise it is unknown.".to_string()),
        e(
            "Ethnicity",
            if p.officer_fallback {
                "The ethnic group the person gave (self-defined ethnicity); where they gave none, the group the officer recorded. Where neither is known, ethnicity is not recorded.".to_string()
            } else {
                "The ethnic group the person gave (self-defined ethnicity); ethnicity observed by an officer is not used. Where the person gave none, or preferred not to say, ethnicity is not recorded.".to_string()
            },
        ),
        e("Nationality", "British, another nationality, or unknown.".to_string()),
        e("Suspect and victim records", format!("Person figures count records: {RECORDS_NOT_PEOPLE}.")),
        e(
            "Distinct identified people",
            "Records are the same person when the force gave them the same person reference, or when they share a Police National Computer identifier in any force. People the police have not identified are never counted as distinct people, because two unidentified suspects may or may not be the same person.".to_string(),
        ),
        e(
            "Networks",
            "Crimes are linked when they share an identified person (as suspect or victim, in either role) or belong to the same police operation within a force. A network is a set of two or more linked CSAE crimes. It has more than one offender when it involves two or more distinct identified suspects, and spans forces when its crimes were recorded by two or more forces.".to_string(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain words: no field name or code of the data standard (snake case, `= Y`).
    #[test]
    fn the_glossary_uses_labels_not_field_names_or_codes() {
        let p = Parameters { from: chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(), to: chrono::NaiveDate::from_ymd_opt(2023, 12, 31).unwrap(), min_suspects: 2, officer_fallback: false };
        let text: String = glossary(&p).iter().chain(categories().iter()).map(|e| format!("{} {} ", e.term, e.meaning)).collect();
        for word in text.split(|c: char| c.is_whitespace() || ",;:().".contains(c)) {
            assert!(!word.contains('_'), "a field name or code in the glossary: {word}");
        }
        assert!(!text.contains("= Y") && !text.contains("csa_flag"));
        assert!(text.contains("abuse of children through sexual exploitation (offence 71)") && text.contains("trafficking for sexual exploitation (offence 72)"));
        assert!(text.contains("parent") && text.contains("school or college"));
        assert_eq!(categories().len(), 6);
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(and_list(&["a".into()]), "a");
        assert_eq!(and_list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }
}
