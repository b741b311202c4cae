//! The definitions of `analysis.md` as named SQL views over the dataset, in the order they
//! build on each other. Each definition is here once, with the sentence a methodology reader
//! needs; the report's methodology section is generated from these same entries, and
//! `csae sql` can query every view by name.
//!
//! Parameters (period, minimum group size, ethnicity source) are validated values formatted
//! into the SQL (dates from `NaiveDate`, an integer, one of two fixed words), never user text.

use chrono::NaiveDate;

/// The options that shape the definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `--min-suspects`: suspects needed for a crime to be group-based (default 2).
    pub min_suspects: u32,
    /// `--ethnicity officer-fallback`: use the officer-observed group when self-defined
    /// ethnicity is not recorded.
    pub officer_fallback: bool,
}

/// One definition: a view name, what it means in words, and its SQL.
pub struct Definition {
    pub name: &'static str,
    pub title: &'static str,
    pub meaning: &'static str,
    pub sql: String,
}

/// The definitions in dependency order.
pub fn definitions(p: &Parameters) -> Vec<Definition> {
    let (from, to, min) = (p.from, p.to, p.min_suspects);
    let officer = if p.officer_fallback { "eo.grp" } else { "CAST(NULL AS VARCHAR)" };
    // Ethnicity and nationality groups of a person row `p`, the same for victims and suspects.
    let groups = format!(
        "coalesce(e.grp, {officer}, 'NOT_RECORDED') AS ethnicity_group, \
         CASE WHEN p.nationality IS NULL THEN 'UNKNOWN' WHEN p.nationality = 'GBR' THEN 'GBR' ELSE 'NON_GBR' END AS nationality_group"
    );
    let joins = "JOIN group_crimes g ON g.crime_key = p.crime_key \
                 LEFT JOIN code_lists e ON e.list = 'ethnicity' AND e.code = p.ethnicity \
                 LEFT JOIN code_lists eo ON eo.list = 'ethnicity_officer' AND eo.code = p.ethnicity_officer";
    vec![
        Definition {
            name: "period_crimes",
            title: "Reporting period",
            meaning: "Figures count the accepted crimes whose recorded_date falls in the reporting period (inclusive).",
            sql: format!("SELECT * FROM crimes WHERE recorded_date BETWEEN DATE '{from}' AND DATE '{to}'"),
        },
        Definition {
            name: "crime_victims",
            title: "Victims of a crime",
            meaning: "Per crime: the number of accepted victim rows, and whether any victim's age at offence is known and under 18.",
            sql: "SELECT crime_key, count(*) AS n_victims, max(CASE WHEN age_at_offence < 18 THEN 1 ELSE 0 END) AS any_child_victim \
                  FROM victims GROUP BY crime_key".into(),
        },
        Definition {
            name: "crime_suspects",
            title: "Suspects of a crime",
            meaning: "Per crime: the number of accepted suspect rows; unidentified suspects have rows of their own and count.",
            sql: "SELECT crime_key, count(*) AS n_suspects FROM suspects GROUP BY crime_key".into(),
        },
        Definition {
            name: "crime_scope",
            title: "Scope: CSAE crimes",
            meaning: "A crime is a CSAE crime when its offence code is child-specific, or csa_flag = Y or cse_flag = Y, or at least one accepted victim has an age at offence under 18. Other crimes are out of scope: excluded from every table and counted in data quality.",
            // The per-crime facts are worked out on narrow rows (f), then joined to the
            // crime's own columns once: each join copies the rows it outputs. A blank flag
            // answers no (never null), so every crime is either in scope or out of it.
            sql: "SELECT c.*, f.offence_group, f.child_specific, f.n_suspects, f.n_victims, f.is_csae \
                  FROM period_crimes c JOIN (SELECT c2.crime_key, o.offence_group, o.child_specific, \
                    coalesce(cs.n_suspects, 0) AS n_suspects, coalesce(cv.n_victims, 0) AS n_victims, \
                    coalesce(o.child_specific OR c2.csa_flag = 'Y' OR c2.cse_flag = 'Y' OR cv.any_child_victim = 1, false) AS is_csae \
                  FROM period_crimes c2 JOIN offence_codes o ON o.offence_code = c2.offence_code \
                  LEFT JOIN crime_suspects cs ON cs.crime_key = c2.crime_key \
                  LEFT JOIN crime_victims cv ON cv.crime_key = c2.crime_key) f ON f.crime_key = c.crime_key".into(),
        },
        Definition {
            name: "csae_crimes",
            title: "CSAE crimes, group-based or not",
            meaning: "A CSAE crime is group-based when it has at least the minimum number of accepted suspects (default 2).",
            sql: format!("SELECT *, n_suspects >= {min} AS group_based FROM crime_scope WHERE is_csae"),
        },
        // Category, recency and group size are facts of group-based crimes only (the
        // specification defines the category of a group-based crime, and every table that
        // shows them counts group-based crimes), so these views start from the group-based
        // crimes: a few thousand, where the CSAE crimes are a hundred thousand.
        Definition {
            name: "crime_relationships",
            title: "Relationships of a crime",
            meaning: "Per group-based crime: the number of relationship rows, how many are in the FAMILY group, how many are POSITION_OF_TRUST, and how many are not UNKNOWN.",
            sql: "SELECT r.crime_key, count(*) AS n_rel, \
                    sum(CASE WHEN cl.grp = 'FAMILY' THEN 1 ELSE 0 END) AS n_family, \
                    sum(CASE WHEN r.relationship = 'POSITION_OF_TRUST' THEN 1 ELSE 0 END) AS n_trust, \
                    sum(CASE WHEN r.relationship <> 'UNKNOWN' THEN 1 ELSE 0 END) AS n_known \
                  FROM relationships r JOIN csae_crimes g ON g.crime_key = r.crime_key AND g.group_based \
                  LEFT JOIN code_lists cl ON cl.list = 'relationship' AND cl.code = r.relationship \
                  GROUP BY r.crime_key".into(),
        },
        Definition {
            name: "crime_recency",
            title: "Recency",
            meaning: "A group-based crime is non-recent when offence_date_from is known and at least one victim with a known age was under 18 at the offence and 18 or over on the recorded date (age at offence + whole years from offence_date_from to recorded_date >= 18). It is recent when offence_date_from is known, at least one victim has a known age, and it is not non-recent. Otherwise its recency is UNKNOWN.",
            sql: "SELECT c.crime_key, CASE \
                    WHEN c.offence_date_from IS NULL THEN 'UNKNOWN' \
                    WHEN max(CASE WHEN v.age_at_offence < 18 AND v.age_at_offence + whole_years(c.offence_date_from, c.recorded_date) >= 18 THEN 1 ELSE 0 END) = 1 THEN 'NON_RECENT' \
                    WHEN count(v.age_at_offence) > 0 THEN 'RECENT' ELSE 'UNKNOWN' END AS recency \
                  FROM csae_crimes c LEFT JOIN victims v ON v.crime_key = c.crime_key \
                  WHERE c.group_based GROUP BY c.crime_key, c.offence_date_from, c.recorded_date".into(),
        },
        // Like crime_scope: the derived category and recency on narrow rows (d), joined to
        // the crimes' own columns once.
        Definition {
            name: "group_crimes",
            title: "Group-based crimes: group size, category, recency",
            meaning: "The group-based CSAE crimes of the period: the unit of the category, location, group-size, recency and online tables. Group size is the number of accepted suspects. The final category is the recorded cocad_category when given, otherwise derived by the first rule that matches: FAMILIAL (at least one relationship row, and every relationship row in the FAMILY group); CSE (cse_flag = Y, or offence code 71 or 72); INSTITUTIONAL (a POSITION_OF_TRUST relationship, or a location in the INSTITUTIONAL group); OTHER (at least one relationship that is not UNKNOWN); UNKNOWN otherwise. RITUALISTIC is only ever recorded.",
            sql: "SELECT s.*, \
                   CASE WHEN s.n_suspects >= 10 THEN '10_PLUS' WHEN s.n_suspects >= 6 THEN '6_9' WHEN s.n_suspects >= 4 THEN '4_5' \
                        WHEN s.n_suspects >= 3 THEN '3' ELSE '2' END AS group_size, \
                   d.derived_category, \
                   coalesce(s.cocad_category, d.derived_category) AS category, \
                   CASE WHEN s.cocad_category IS NULL THEN 'DERIVED' ELSE 'RECORDED' END AS category_source, \
                   d.recency, \
                   coalesce(s.online_flag, 'UNKNOWN') AS online \
                 FROM csae_crimes s \
                 JOIN (SELECT s2.crime_key, CASE \
                       WHEN coalesce(r.n_rel, 0) > 0 AND r.n_rel = r.n_family THEN 'FAMILIAL' \
                       WHEN s2.cse_flag = 'Y' OR s2.offence_code IN ('71', '72') THEN 'CSE' \
                       WHEN coalesce(r.n_trust, 0) > 0 OR loc.grp = 'INSTITUTIONAL' THEN 'INSTITUTIONAL' \
                       WHEN coalesce(r.n_known, 0) > 0 THEN 'OTHER' ELSE 'UNKNOWN' END AS derived_category, \
                       coalesce(rc.recency, 'UNKNOWN') AS recency \
                     FROM csae_crimes s2 LEFT JOIN crime_relationships r ON r.crime_key = s2.crime_key \
                     LEFT JOIN code_lists loc ON loc.list = 'location_type' AND loc.code = s2.location_type \
                     LEFT JOIN crime_recency rc ON rc.crime_key = s2.crime_key \
                     WHERE s2.group_based) d ON d.crime_key = s.crime_key \
                 WHERE s.group_based".into(),
        },
        Definition {
            name: "suspect_records",
            title: "Suspect records",
            meaning: "Accepted suspect rows of group-based crimes (a person suspected in two crimes is two records), with age band, ethnicity group and nationality group. Age at offence is age_at_offence if given, else whole years from date_of_birth to offence_date_from (derived at ingest), else unknown. Ethnicity group is the group of the self-defined ethnicity; NS or blank is not recorded (with --ethnicity officer-fallback, the officer-observed group is used when self-defined is not recorded; IC9 is not recorded). Nationality is GBR, NON_GBR (any other valid code) or UNKNOWN.",
            sql: format!(
                "SELECT p.*, g.category, \
                   CASE WHEN p.age_at_offence IS NULL THEN 'UNKNOWN' WHEN p.age_at_offence < 10 THEN 'UNDER_10' WHEN p.age_at_offence < 18 THEN '10_17' \
                        WHEN p.age_at_offence < 25 THEN '18_24' WHEN p.age_at_offence < 35 THEN '25_34' WHEN p.age_at_offence < 45 THEN '35_44' \
                        WHEN p.age_at_offence < 55 THEN '45_54' WHEN p.age_at_offence < 65 THEN '55_64' ELSE '65_PLUS' END AS age_band, \
{groups} FROM suspects p {joins}"
            ),
        },
        Definition {
            name: "victim_records",
            title: "Victim records",
            meaning: "Accepted victim rows of group-based crimes, with age band (0_4, 5_9, 10_12, 13_15, 16_17, 18_PLUS, UNKNOWN), ethnicity group and nationality group as for suspects.",
            sql: format!(
                "SELECT p.*, g.category, \
                   CASE WHEN p.age_at_offence IS NULL THEN 'UNKNOWN' WHEN p.age_at_offence < 5 THEN '0_4' WHEN p.age_at_offence < 10 THEN '5_9' \
                        WHEN p.age_at_offence < 13 THEN '10_12' WHEN p.age_at_offence < 16 THEN '13_15' WHEN p.age_at_offence < 18 THEN '16_17' \
                        ELSE '18_PLUS' END AS age_band, \
{groups} FROM victims p {joins}"
            ),
        },
        Definition {
            name: "relationship_records",
            title: "Relationship records",
            meaning: "Accepted relationship rows of group-based crimes: what each suspect is to each victim.",
            sql: "SELECT r.*, g.category FROM relationships r JOIN group_crimes g ON g.crime_key = r.crime_key".into(),
        },
    ]
}

/// Networks are computed in Rust (connected components), then registered as tables; this is
/// their definition in words for the methodology.
pub const NETWORKS_MEANING: &str = "Crimes are linked when they share a person (as suspect or victim, in either role) or have the same non-blank operation_ref within the same force. Person rows are the same person when they share the force's person_ref within one force, or share a pnc_id anywhere, transitively; unidentified persons (UNK placeholders) never link. A network is a connected set of at least 2 CSAE crimes of the period. It is multi-offender when it has at least 2 distinct identified suspects, and multi-force when it spans at least 2 forces.";
