//! The numbers the synthetic collection is calibrated to. The targets are the published 2023
//! national figures (spec README); the shapes of the distributions are this project's own
//! plausible reading of police data and are documented in `docs/synthetic-data.md`.

/// CSAE crimes nationally at `--scale 1`.
pub const NATIONAL_CSAE_CRIMES: f64 = 114_000.0;
/// Out-of-scope crimes (adult victims, no child flags) as a share of CSAE crimes.
pub const OUT_OF_SCOPE_SHARE: f64 = 0.05;
/// Share of CSAE crimes that are group-based (target 3.7%).
pub const GROUP_BASED_SHARE: f64 = 0.037;
/// Share of CSAE crimes that are non-recent reports.
pub const NON_RECENT_SHARE: f64 = 0.12;
/// Non-child-specific offence codes count towards the CSAE mix at this fraction of their
/// recorded volume (the part with a child victim).
pub const ADULT_CODE_CHILD_FRACTION: f64 = 0.45;

/// Intended categories of group-based crimes (targets: Familial 26%, CSE 17%).
pub const GROUP_CATEGORIES: [(&str, f64); 6] =
    [("FAMILIAL", 0.27), ("CSE", 0.165), ("INSTITUTIONAL", 0.06), ("RITUALISTIC", 0.005), ("OTHER", 0.315), ("UNKNOWN", 0.185)];
/// Intended categories of single-suspect crimes.
pub const SINGLE_CATEGORIES: [(&str, f64); 5] = [("FAMILIAL", 0.35), ("CSE", 0.08), ("INSTITUTIONAL", 0.05), ("OTHER", 0.35), ("UNKNOWN", 0.17)];
/// Share of group-based crimes whose category the force recorded (others are derived).
pub const RECORDED_CATEGORY_GROUP: f64 = 0.45;
pub const RECORDED_CATEGORY_SINGLE: f64 = 0.2;
/// Share of recorded categories that disagree with what the derivation would give.
pub const RECORDED_DISAGREES: f64 = 0.08;

/// Suspects per group-based crime.
pub const GROUP_SIZES: [((i64, i64), f64); 5] = [((2, 2), 0.55), ((3, 3), 0.22), ((4, 5), 0.13), ((6, 9), 0.07), ((10, 14), 0.03)];
/// Single-suspect crimes with no suspect at all (a W02 warning).
pub const NO_SUSPECT_SHARE: f64 = 0.04;
/// Victims per crime.
pub const VICTIMS_PER_CRIME: [(usize, f64); 3] = [(1, 0.88), (2, 0.09), (3, 0.03)];
/// Unidentified suspects among the suspects of a crime.
pub const UNIDENTIFIED_SUSPECT: f64 = 0.07;

/// Suspect ages (band bounds) in group-based crimes: 10–17 is 48% of known ages.
pub const SUSPECT_AGES_GROUP: [((i64, i64), f64); 8] = [
    ((7, 9), 0.015), ((10, 17), 0.52), ((18, 24), 0.15), ((25, 34), 0.12), ((35, 44), 0.10), ((45, 54), 0.075), ((55, 64), 0.035), ((65, 85), 0.015),
];
pub const SUSPECT_AGES_SINGLE: [((i64, i64), f64); 8] = [
    ((7, 9), 0.01), ((10, 17), 0.30), ((18, 24), 0.15), ((25, 34), 0.17), ((35, 44), 0.15), ((45, 54), 0.12), ((55, 64), 0.06), ((65, 85), 0.04),
];
/// Victim ages at offence.
pub const VICTIM_AGES: [((i64, i64), f64); 5] = [((0, 4), 0.04), ((5, 9), 0.13), ((10, 12), 0.20), ((13, 15), 0.43), ((16, 17), 0.20)];

/// How an age reaches the return: age only, age and date of birth, date of birth only, neither.
pub const AGE_FORMS: [(AgeForm, f64); 4] = [(AgeForm::Age, 0.62), (AgeForm::AgeAndBirth, 0.18), (AgeForm::BirthOnly, 0.08), (AgeForm::Unknown, 0.12)];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeForm {
    Age,
    AgeAndBirth,
    BirthOnly,
    Unknown,
}

/// Self-defined ethnicity recorded for suspects (target 34%), and its mix by group.
pub const SUSPECT_ETHNICITY_RECORDED: f64 = 0.37;
pub const VICTIM_ETHNICITY_RECORDED: f64 = 0.45;
/// Not recorded is blank or `NS`.
pub const NOT_STATED_SHARE: f64 = 0.2;
pub const ETHNIC_GROUPS: [(&str, f64); 5] = [("WHITE", 0.83), ("ASIAN", 0.07), ("BLACK", 0.05), ("MIXED", 0.03), ("OTHER", 0.02)];
/// Officer-observed ethnicity given for suspects.
pub const OFFICER_ETHNICITY_GIVEN: f64 = 0.45;

/// Nationality known, and British among the known.
pub const SUSPECT_NATIONALITY_KNOWN: f64 = 0.62;
pub const VICTIM_NATIONALITY_KNOWN: f64 = 0.5;
pub const BRITISH_SHARE: f64 = 0.88;
pub const OTHER_NATIONALITIES: [&str; 14] = ["POL", "ROU", "PAK", "IND", "NGA", "AFG", "IRQ", "ALB", "ERI", "SOM", "LTU", "IRL", "BGD", "CHN"];

/// Repeat persons within a force.
pub const REPEAT_VICTIM: f64 = 0.06;
pub const REPEAT_SUSPECT_SINGLE: f64 = 0.05;
/// A group-based crime joins an existing offender network of its force.
pub const JOIN_NETWORK: f64 = 0.35;
/// A single-suspect crime whose suspect belongs to an existing multi-offender network.
pub const SINGLE_IN_NETWORK: f64 = 0.02;
/// A new network gets an operation reference.
pub const NETWORK_OPERATION: f64 = 0.5;
/// A suspect slot of a CSE or other group-based crime filled by a travelling offender known
/// to several forces (linked by PNC id).
pub const TRAVELLING_SUSPECT: f64 = 0.05;
/// Travelling offenders nationally per unit of scale.
pub const TRAVELLING_POOL: f64 = 150.0;
/// Identified suspects aged 10+ with a PNC id.
pub const SUSPECT_PNC: f64 = 0.45;
