//! The Home Office offence catalogue of sexual offences used by the data standard.

use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offence {
    pub code: String,
    pub description: String,
    /// Reporting group, a code of the `offence_group` list.
    pub group: String,
    /// The offence can only be committed against a child: every such crime is in CSAE scope.
    pub child_specific: bool,
    /// The victim age limit written into the offence ("child under 13" gives 13), if any.
    pub victim_age_below: Option<u8>,
}

static OFFENCES: LazyLock<Vec<Offence>> = LazyLock::new(|| {
    crate::reference::rows(crate::reference::OFFENCES_CSV)
        .into_iter()
        .map(|r| Offence {
            code: r[0].clone(),
            description: r[1].clone(),
            group: r[2].clone(),
            child_specific: r[3] == "Y",
            victim_age_below: (!r[4].is_empty()).then(|| r[4].parse().expect("numeric age limit")),
        })
        .collect()
});

pub fn offences() -> &'static [Offence] {
    &OFFENCES
}

/// The offence with this code (case-insensitive: `19e` is `19E`).
pub fn offence(code: &str) -> Option<&'static Offence> {
    OFFENCES.iter().find(|o| o.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_loads_with_groups_from_the_code_list() {
        assert_eq!(offences().len(), 23);
        let o = offence("19e").unwrap();
        assert!(o.child_specific);
        assert_eq!(o.victim_age_below, Some(13));
        assert_eq!(offence("19C").unwrap().victim_age_below, None);
        for o in offences() {
            assert!(crate::code_list("offence_group").contains(&o.group), "{}", o.group);
        }
        assert!(offence("99Z").is_none());
    }
}
