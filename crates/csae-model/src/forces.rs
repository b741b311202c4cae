//! The 44 police forces of England and Wales whose returns make up the national collection.

use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Force {
    /// Short lower-case id, e.g. `cumbria`; also the name of the force's return.
    pub id: String,
    pub name: String,
    pub region: String,
}

static FORCES: LazyLock<Vec<Force>> = LazyLock::new(|| {
    crate::reference::rows(crate::reference::FORCES_CSV)
        .into_iter()
        .map(|r| Force { id: r[0].clone(), name: r[1].clone(), region: r[2].clone() })
        .collect()
});

/// All forces, in the order of the reference file (alphabetical by id).
pub fn forces() -> &'static [Force] {
    &FORCES
}

/// The force with this id (case-insensitive, surrounding spaces ignored).
pub fn force(id: &str) -> Option<&'static Force> {
    let id = id.trim();
    FORCES.iter().find(|f| f.id.eq_ignore_ascii_case(id))
}

/// The regions, in order of first appearance in a list sorted by name.
pub fn regions() -> Vec<&'static str> {
    let mut r: Vec<&str> = FORCES.iter().map(|f| f.region.as_str()).collect();
    r.sort_unstable();
    r.dedup();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_44_forces_with_unique_ids_and_a_region() {
        assert_eq!(forces().len(), 44);
        let mut ids: Vec<_> = forces().iter().map(|f| &f.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 44);
        assert!(forces().iter().all(|f| !f.region.is_empty() && !f.name.is_empty()));
        assert_eq!(force(" Cumbria ").unwrap().region, "North West");
        assert!(force("atlantis").is_none());
        assert!(regions().contains(&"Wales"));
    }
}
