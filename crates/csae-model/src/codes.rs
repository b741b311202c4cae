//! The code lists of the data standard (`reference/code-lists.csv`): flags, categories,
//! locations, relationships, sex, ethnicity (self-defined and officer-observed), offence groups.

use std::collections::BTreeMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub code: String,
    pub label: String,
    /// The code's group (e.g. `FAMILY` for relationships, `WHITE` for ethnicities), if any.
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeList {
    pub name: String,
    /// Codes in the order of the reference file, which is the order of every published table.
    pub codes: Vec<Code>,
    /// Positions in `codes`, sorted by code ignoring ASCII case, for [`CodeList::canonical`].
    sorted: Vec<usize>,
}

/// `code` against `value`, ignoring the case of ASCII letters.
pub(crate) fn cmp_ignoring_case(code: &str, value: &str) -> std::cmp::Ordering {
    code.bytes().map(|b| b.to_ascii_uppercase()).cmp(value.bytes().map(|b| b.to_ascii_uppercase()))
}

impl CodeList {
    /// The canonical (upper-case) code for an input value, ignoring case; `None` when the value
    /// is not in the list. Codes differ in more than case, so at most one matches.
    pub fn canonical(&self, value: &str) -> Option<&str> {
        let at = self.sorted.binary_search_by(|&i| cmp_ignoring_case(&self.codes[i].code, value)).ok()?;
        Some(self.codes[self.sorted[at]].code.as_str())
    }

    pub fn contains(&self, value: &str) -> bool {
        self.canonical(value).is_some()
    }

    pub fn get(&self, code: &str) -> Option<&Code> {
        self.codes.iter().find(|c| c.code == code)
    }

    pub fn label(&self, code: &str) -> Option<&str> {
        self.get(code).map(|c| c.label.as_str())
    }

    pub fn group(&self, code: &str) -> Option<&str> {
        self.get(code).and_then(|c| c.group.as_deref())
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.codes.iter().map(|c| c.code.as_str())
    }
}

static LISTS: LazyLock<BTreeMap<String, CodeList>> = LazyLock::new(|| {
    let mut lists: BTreeMap<String, CodeList> = BTreeMap::new();
    for r in crate::reference::rows(crate::reference::CODE_LISTS_CSV) {
        let list = lists
            .entry(r[0].clone())
            .or_insert_with(|| CodeList { name: r[0].clone(), codes: Vec::new(), sorted: Vec::new() });
        list.codes.push(Code {
            code: r[1].clone(),
            label: r[2].clone(),
            group: (!r[3].is_empty()).then(|| r[3].clone()),
        });
    }
    for list in lists.values_mut() {
        let mut sorted: Vec<usize> = (0..list.codes.len()).collect();
        sorted.sort_by(|&a, &b| cmp_ignoring_case(&list.codes[a].code, &list.codes[b].code));
        list.sorted = sorted;
    }
    lists
});

/// The code list of that name. Panics on an unknown name: list names are fixed by the standard
/// and a typo is a programming error.
pub fn code_list(name: &str) -> &'static CodeList {
    LISTS.get(name).unwrap_or_else(|| panic!("no code list named {name}"))
}

/// Names of all code lists.
pub fn list_names() -> impl Iterator<Item = &'static str> {
    LISTS.keys().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load_with_labels_and_groups() {
        for name in [
            "offence_group", "flag", "cocad_category", "location_type", "relationship", "sex",
            "ethnicity", "ethnicity_officer",
        ] {
            assert!(!code_list(name).codes.is_empty(), "{name}");
        }
        assert_eq!(list_names().count(), 8);
        let rel = code_list("relationship");
        assert_eq!(rel.group("STEP_PARENT"), Some("FAMILY"));
        assert_eq!(rel.group("STRANGER"), None);
        assert_eq!(code_list("location_type").label("HOTEL"), Some("Hotel, B&B or short-let"));
        assert_eq!(code_list("sex").canonical("f"), Some("F"));
        assert!(!code_list("sex").contains("X"));
        assert_eq!(code_list("ethnicity").group("W1"), Some("WHITE"));
        assert_eq!(code_list("ethnicity").group("NS"), None);
        assert_eq!(code_list("ethnicity_officer").group("IC4"), Some("ASIAN"));
    }

    /// `canonical` takes the first code that matches ignoring case, which is the one only
    /// because no two codes of a list differ in case alone.
    #[test]
    fn codes_differ_in_more_than_case_and_any_case_finds_the_code() {
        for name in list_names() {
            let list = code_list(name);
            for c in list.codes() {
                assert_eq!(list.codes().filter(|o| o.eq_ignore_ascii_case(c)).count(), 1, "{name}: {c}");
                for v in [c.to_string(), c.to_ascii_lowercase()] {
                    assert_eq!(list.canonical(&v), Some(c), "{name}: {v}");
                }
            }
            assert_eq!(list.canonical("NOT A CODE"), None);
        }
    }
}
