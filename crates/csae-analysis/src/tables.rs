//! The published tables of `analysis.md` (T01–T15, Q01, Q02): each one SQL query over the
//! definitions' views giving long-form cells, pivoted here into a wide table with every row
//! and column of its dimensions (zeros included), a `Total` column and a `Total` row.

use csae_model::code_list;

/// What a table counts, which decides totals and percentages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Additive counts with a Total row and column.
    Count,
    /// Counts of different measures side by side: a Total row, no Total column.
    Measures,
    /// Percentages (0–100), not additive.
    Percent,
    /// National figures of different measures, one per row, in one column: no totals.
    Summary,
    /// Figures derived from counts and a population (rates, shares, ratios, intervals) beside
    /// those counts: not additive, each column with its own decimals ([`Table::decimals`]).
    Derived,
}

/// Which way a percentage table divides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PctOf {
    /// Each cell as a share of its row total.
    Row,
    /// Each cell as a share of its column total.
    Column,
}

/// A dimension: its codes and labels in publication order.
pub type Dim = Vec<(String, String)>;

#[derive(Debug, Clone)]
pub struct TableSpec {
    pub id: &'static str,
    pub title: String,
    /// What one unit of the table is ("CSAE crimes", "suspect records").
    pub unit: &'static str,
    /// Name of the row dimension (header of the code column).
    pub row_name: &'static str,
    pub rows: Dim,
    /// Name of the column dimension (e.g. `category`), for the long-format files.
    pub col_name: &'static str,
    pub cols: Dim,
    pub kind: Kind,
    /// SQL giving columns `r`, `c`, `n` (counts) or `r`, `c`, `num`, `den` (percentages).
    pub sql: String,
    /// The percentage table derived from this one, if any.
    pub pct: Option<PctOf>,
}

/// A finished table: codes, labels and values, totals included.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub id: String,
    pub title: String,
    pub unit: String,
    pub kind: Kind,
    pub row_name: String,
    pub rows: Dim,
    pub col_name: String,
    pub cols: Dim,
    /// `values[r][c]`; `None` where a percentage has no denominator.
    pub values: Vec<Vec<Option<f64>>>,
    /// Cells withheld by disclosure control (public mode), shown `[c]`.
    pub suppressed: Vec<Vec<bool>>,
    /// For percentage tables, each cell's denominator (disclosure control needs it).
    pub bases: Vec<Vec<Option<f64>>>,
    /// For derived tables, the decimals each column is published with (empty otherwise).
    pub decimals: Vec<u8>,
}

impl Table {
    /// The value at a row and column code.
    pub fn get(&self, row: &str, col: &str) -> Option<f64> {
        let r = self.rows.iter().position(|(c, _)| c == row)?;
        let c = self.cols.iter().position(|(x, _)| x == col)?;
        self.values[r][c]
    }
}

fn list(name: &str) -> Dim {
    code_list(name).codes.iter().map(|c| (c.code.clone(), c.label.clone())).collect()
}

pub(crate) fn fixed(items: &[(&str, &str)]) -> Dim {
    items.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect()
}

pub fn categories() -> Dim {
    list("cocad_category")
}

/// A column dimension with its name.
pub(crate) type Named = (&'static str, Dim);

fn by_category() -> Named {
    ("category", categories())
}

pub(crate) fn group_based() -> Named {
    ("group_based", fixed(&[("GROUP_BASED", "Group-based"), ("NOT_GROUP_BASED", "Not group-based")]))
}

/// Sexes in the specification's order (female, male, unknown), labelled from the code list.
fn sexes() -> Named {
    let labels = list("sex");
    let label = |code: &str| labels.iter().find(|(c, _)| c == code).map_or_else(|| code.to_string(), |(_, l)| l.clone());
    ("sex", ["F", "M", "U"].into_iter().map(|c| (c.to_string(), label(c))).collect())
}

/// The one column of a summary table.
fn national() -> Named {
    ("area", fixed(&[("ENGLAND_AND_WALES", "England and Wales")]))
}

pub(crate) fn ethnic_groups() -> Dim {
    fixed(&[("ASIAN", "Asian or Asian British"), ("BLACK", "Black or Black British"), ("MIXED", "Mixed"), ("WHITE", "White"), ("OTHER", "Other ethnic group"), ("NOT_RECORDED", "Not recorded")])
}

pub fn forces() -> Dim {
    csae_model::forces().iter().map(|f| (f.id.clone(), f.name.clone())).collect()
}

pub(crate) fn regions() -> Dim {
    csae_model::forces::regions().into_iter().map(|r| (r.to_string(), r.to_string())).collect()
}

/// Months of the period, `YYYY-MM`.
fn months(from: chrono::NaiveDate, to: chrono::NaiveDate) -> Dim {
    use chrono::Datelike;
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        let code = format!("{y:04}-{m:02}");
        out.push((code.clone(), code));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

pub(crate) const GB: &str = "CASE WHEN group_based THEN 'GROUP_BASED' ELSE 'NOT_GROUP_BASED' END";

/// Suspect age bands in publication order.
pub(crate) fn suspect_ages() -> Dim {
    fixed(&[
        ("UNDER_10", "Under 10"), ("10_17", "10 to 17"), ("18_24", "18 to 24"), ("25_34", "25 to 34"), ("35_44", "35 to 44"),
        ("45_54", "45 to 54"), ("55_64", "55 to 64"), ("65_PLUS", "65 and over"), ("UNKNOWN", "Unknown"),
    ])
}

/// Every table, in publication order.
pub fn specs(from: chrono::NaiveDate, to: chrono::NaiveDate) -> Vec<TableSpec> {
    let count = |id, title: &str, unit, row_name, rows, cols: Named, sql: &str, pct| TableSpec {
        id,
        title: title.to_string(),
        unit,
        row_name,
        rows,
        col_name: cols.0,
        cols: cols.1,
        kind: Kind::Count,
        sql: sql.to_string(),
        pct,
    };
    let victim_ages = fixed(&[("0_4", "0 to 4"), ("5_9", "5 to 9"), ("10_12", "10 to 12"), ("13_15", "13 to 15"), ("16_17", "16 to 17"), ("18_PLUS", "18 and over"), ("UNKNOWN", "Unknown")]);
    let suspect_ages = suspect_ages();
    vec![
        count("T01_scale_by_force", "CSAE crimes by force, group-based or not", "CSAE crimes", "force", forces(), group_based(),
            &format!("SELECT force_id AS r, {GB} AS c, count(*) AS n FROM csae_crimes GROUP BY 1, 2"), Some(PctOf::Row)),
        count("T02_scale_by_region", "CSAE crimes by region, group-based or not", "CSAE crimes", "region", regions(), group_based(),
            &format!("SELECT f.region AS r, {GB} AS c, count(*) AS n FROM csae_crimes cf JOIN forces f ON f.force_id = cf.force_id GROUP BY 1, 2"), Some(PctOf::Row)),
        count("T03_offence_group_by_category", "Group-based crimes by offence group and category", "group-based crimes", "offence_group", list("offence_group"), by_category(),
            "SELECT offence_group AS r, category AS c, count(*) AS n FROM group_crimes GROUP BY 1, 2", Some(PctOf::Column)),
        count("T04_location_by_category", "Group-based crimes by location and category", "group-based crimes", "location_type", list("location_type"), by_category(),
            "SELECT location_type AS r, category AS c, count(*) AS n FROM group_crimes GROUP BY 1, 2", Some(PctOf::Column)),
        count("T05_group_size_by_category", "Group-based crimes by number of suspects and category", "group-based crimes", "suspects",
            fixed(&[("2", "2 suspects"), ("3", "3 suspects"), ("4_5", "4 or 5 suspects"), ("6_9", "6 to 9 suspects"), ("10_PLUS", "10 or more suspects")]), by_category(),
            "SELECT group_size AS r, category AS c, count(*) AS n FROM group_crimes GROUP BY 1, 2", Some(PctOf::Column)),
        count("T06_victim_age_by_sex", "Victim records in group-based crimes by age at offence and sex", "victim records", "age_band", victim_ages, sexes(),
            "SELECT age_band AS r, sex AS c, count(*) AS n FROM victim_records GROUP BY 1, 2", Some(PctOf::Column)),
        count("T07_suspect_age_by_sex", "Suspect records in group-based crimes by age at offence and sex", "suspect records", "age_band", suspect_ages, sexes(),
            "SELECT age_band AS r, sex AS c, count(*) AS n FROM suspect_records GROUP BY 1, 2", Some(PctOf::Column)),
        count("T08_suspect_ethnicity_by_category", "Suspect records in group-based crimes by ethnicity and category", "suspect records", "ethnicity_group", ethnic_groups(), by_category(),
            "SELECT ethnicity_group AS r, category AS c, count(*) AS n FROM suspect_records GROUP BY 1, 2", Some(PctOf::Column)),
        count("T09_victim_ethnicity_by_category", "Victim records in group-based crimes by ethnicity and category", "victim records", "ethnicity_group", ethnic_groups(), by_category(),
            "SELECT ethnicity_group AS r, category AS c, count(*) AS n FROM victim_records GROUP BY 1, 2", Some(PctOf::Column)),
        count("T10_suspect_nationality_by_category", "Suspect records in group-based crimes by nationality and category", "suspect records", "nationality",
            fixed(&[("GBR", "British"), ("NON_GBR", "Other nationality"), ("UNKNOWN", "Unknown")]), by_category(),
            "SELECT nationality_group AS r, category AS c, count(*) AS n FROM suspect_records GROUP BY 1, 2", Some(PctOf::Column)),
        count("T11_relationship_by_category", "Relationships in group-based crimes: what the suspect is to the victim, by category", "relationship records", "relationship", list("relationship"), by_category(),
            "SELECT relationship AS r, category AS c, count(*) AS n FROM relationship_records GROUP BY 1, 2", Some(PctOf::Column)),
        count("T12_recorded_by_month", "CSAE crimes by month recorded, group-based or not", "CSAE crimes", "month", months(from, to), group_based(),
            // Counted per month first, then the few months are written as text (formatting
            // every crime's date took longer than counting them).
            &format!("SELECT to_char(month, '%Y-%m') AS r, c, n FROM (SELECT date_trunc('month', recorded_date) AS month, {GB} AS c, count(*) AS n FROM csae_crimes GROUP BY 1, 2)"), Some(PctOf::Row)),
        count("T13_recency_by_category", "Group-based crimes by recency and category", "group-based crimes", "recency",
            fixed(&[("RECENT", "Recent"), ("NON_RECENT", "Non-recent"), ("UNKNOWN", "Unknown")]), by_category(),
            "SELECT recency AS r, category AS c, count(*) AS n FROM group_crimes GROUP BY 1, 2", Some(PctOf::Column)),
        count("T14_online_by_category", "Group-based crimes by online flag and category", "group-based crimes", "online",
            fixed(&[("Y", "Online or cyber-enabled"), ("N", "Not online"), ("UNKNOWN", "Not known")]), by_category(),
            "SELECT online AS r, category AS c, count(*) AS n FROM group_crimes GROUP BY 1, 2", Some(PctOf::Column)),
        count("T15_networks_by_size", "Networks of linked CSAE crimes by number of crimes and forces", "networks", "crimes_in_network",
            fixed(&[("2", "2 crimes"), ("3_5", "3 to 5 crimes"), ("6_10", "6 to 10 crimes"), ("11_PLUS", "11 or more crimes")]),
            ("forces", fixed(&[("SINGLE_FORCE", "One force"), ("MULTI_FORCE", "Two or more forces")])),
            "SELECT CASE WHEN crimes >= 11 THEN '11_PLUS' WHEN crimes >= 6 THEN '6_10' WHEN crimes >= 3 THEN '3_5' ELSE '2' END AS r, \
                    CASE WHEN forces >= 2 THEN 'MULTI_FORCE' ELSE 'SINGLE_FORCE' END AS c, count(*) AS n FROM networks GROUP BY 1, 2", None),
        TableSpec {
            id: "T16_networks_summary",
            title: "Networks of linked CSAE crimes: summary".into(),
            unit: "networks and crimes",
            row_name: "measure",
            rows: fixed(&[
                ("NETWORKS", "Networks of two or more linked crimes"),
                ("MULTI_OFFENDER", "Networks with two or more identified suspects"),
                ("MULTI_FORCE", "Networks spanning two or more forces"),
                ("LARGEST_NETWORK_CRIMES", "Crimes in the largest network"),
                ("SINGLE_SUSPECT_CRIMES_IN_MULTI_OFFENDER", "Crimes with one suspect in networks with two or more identified suspects"),
            ]),
            col_name: national().0,
            cols: national().1,
            kind: Kind::Summary,
            sql: "SELECT 'NETWORKS' AS r, 'ENGLAND_AND_WALES' AS c, count(*) AS n FROM networks \
                  UNION ALL SELECT 'MULTI_OFFENDER', 'ENGLAND_AND_WALES', sum(CASE WHEN multi_offender THEN 1 ELSE 0 END) FROM networks \
                  UNION ALL SELECT 'MULTI_FORCE', 'ENGLAND_AND_WALES', sum(CASE WHEN multi_force THEN 1 ELSE 0 END) FROM networks \
                  UNION ALL SELECT 'LARGEST_NETWORK_CRIMES', 'ENGLAND_AND_WALES', max(crimes) FROM networks \
                  UNION ALL SELECT 'SINGLE_SUSPECT_CRIMES_IN_MULTI_OFFENDER', 'ENGLAND_AND_WALES', sum(CASE WHEN multi_offender THEN single_suspect_crimes ELSE 0 END) FROM networks".into(),
            pct: None,
        },
        count("T17_category_source_by_category", "Group-based crimes by whether the force recorded the category or it was derived, and category", "group-based crimes", "category_source",
            fixed(&[("RECORDED", "Recorded by the force"), ("DERIVED", "Derived from the data")]), by_category(),
            "SELECT category_source AS r, category AS c, count(*) AS n FROM group_crimes GROUP BY 1, 2", Some(PctOf::Column)),
        TableSpec {
            id: "T18_persons_summary",
            title: "Suspects and victims in group-based crimes: records and distinct identified people".into(),
            unit: "records and people",
            row_name: "measure",
            rows: fixed(&[
                ("SUSPECT_RECORDS", "Suspect records (one per suspect per crime)"),
                ("DISTINCT_IDENTIFIED_SUSPECTS", "Distinct identified suspects"),
                ("VICTIM_RECORDS", "Victim records (one per victim per crime)"),
                ("DISTINCT_IDENTIFIED_VICTIMS", "Distinct identified victims"),
            ]),
            col_name: national().0,
            cols: national().1,
            kind: Kind::Summary,
            sql: "SELECT 'SUSPECT_RECORDS' AS r, 'ENGLAND_AND_WALES' AS c, count(*) AS n FROM suspect_records \
                  UNION ALL SELECT 'DISTINCT_IDENTIFIED_SUSPECTS', 'ENGLAND_AND_WALES', count(DISTINCT p.person_id) FROM person_ids p JOIN group_crimes g ON g.crime_key = p.crime_key WHERE p.suspect \
                  UNION ALL SELECT 'VICTIM_RECORDS', 'ENGLAND_AND_WALES', count(*) FROM victim_records \
                  UNION ALL SELECT 'DISTINCT_IDENTIFIED_VICTIMS', 'ENGLAND_AND_WALES', count(DISTINCT p.person_id) FROM person_ids p JOIN group_crimes g ON g.crime_key = p.crime_key WHERE NOT p.suspect".into(),
            pct: None,
        },
        TableSpec {
            id: "Q01_completeness_by_force",
            title: "Data completeness by force: group-based crimes and their suspect records".into(),
            unit: "per cent",
            row_name: "force",
            rows: forces(),
            col_name: "measure",
            cols: fixed(&[
                ("SUSPECT_AGE_KNOWN", "Suspect records with age known"),
                ("SUSPECT_ETHNICITY_RECORDED", "Suspect records with ethnicity recorded"),
                ("SUSPECT_NATIONALITY_KNOWN", "Suspect records with nationality known"),
                ("CATEGORY_RECORDED", "Group-based crimes with a recorded category"),
                ("LOCATION_KNOWN", "Group-based crimes with a known location"),
                ("CATEGORY_AGREEMENT", "Recorded categories that agree with the derivation"),
            ]),
            kind: Kind::Percent,
            sql: "SELECT force_id AS r, 'SUSPECT_AGE_KNOWN' AS c, sum(CASE WHEN age_at_offence IS NOT NULL THEN 1 ELSE 0 END) AS num, count(*) AS den FROM suspect_records GROUP BY 1 \
                  UNION ALL SELECT force_id, 'SUSPECT_ETHNICITY_RECORDED', sum(CASE WHEN ethnicity_group <> 'NOT_RECORDED' THEN 1 ELSE 0 END), count(*) FROM suspect_records GROUP BY 1 \
                  UNION ALL SELECT force_id, 'SUSPECT_NATIONALITY_KNOWN', sum(CASE WHEN nationality_group <> 'UNKNOWN' THEN 1 ELSE 0 END), count(*) FROM suspect_records GROUP BY 1 \
                  UNION ALL SELECT force_id, 'CATEGORY_RECORDED', sum(CASE WHEN category_source = 'RECORDED' THEN 1 ELSE 0 END), count(*) FROM group_crimes GROUP BY 1 \
                  UNION ALL SELECT force_id, 'LOCATION_KNOWN', sum(CASE WHEN location_type <> 'UNKNOWN' THEN 1 ELSE 0 END), count(*) FROM group_crimes GROUP BY 1 \
                  UNION ALL SELECT force_id, 'CATEGORY_AGREEMENT', sum(CASE WHEN cocad_category = derived_category THEN 1 ELSE 0 END), count(*) FROM group_crimes WHERE category_source = 'RECORDED' GROUP BY 1".into(),
            pct: None,
        },
        TableSpec {
            id: "Q02_validation_by_force",
            title: "Validation by force: rows read, accepted, rejected and with warnings per table, and out-of-scope crimes".into(),
            unit: "rows",
            row_name: "force",
            rows: forces(),
            col_name: "measure",
            cols: {
                let mut c = Vec::new();
                for t in ["crimes", "victims", "suspects", "relationships"] {
                    for m in ["read", "accepted", "rejected", "warnings"] {
                        c.push((format!("{}_{}", t.to_uppercase(), m.to_uppercase()), format!("{t}: rows {m}")));
                    }
                }
                c.push(("OUT_OF_SCOPE".into(), "Crimes out of scope (period)".into()));
                c
            },
            kind: Kind::Measures,
            sql: "SELECT force_id AS r, upper(table_name) || '_READ' AS c, sum(rows_read) AS n FROM returns GROUP BY 1, 2 \
                  UNION ALL SELECT force_id, upper(table_name) || '_ACCEPTED', sum(rows_accepted) FROM returns GROUP BY 1, 2 \
                  UNION ALL SELECT force_id, upper(table_name) || '_REJECTED', sum(rows_rejected) FROM returns GROUP BY 1, 2 \
                  UNION ALL SELECT force_id, upper(table_name) || '_WARNINGS', sum(rows_warnings) FROM returns GROUP BY 1, 2 \
                  UNION ALL SELECT force_id, 'OUT_OF_SCOPE', count(*) FROM crime_scope WHERE NOT is_csae GROUP BY 1".into(),
            pct: None,
        },
    ]
}

/// Pivots long-form counts into the wide table, with totals.
pub fn pivot_counts(spec: &TableSpec, cells: &[(String, String, f64)]) -> Table {
    let (nr, nc) = (spec.rows.len(), spec.cols.len());
    let mut v = vec![vec![0.0; nc]; nr];
    for (r, c, n) in cells {
        let (Some(ri), Some(ci)) = (spec.rows.iter().position(|x| &x.0 == r), spec.cols.iter().position(|x| &x.0 == c)) else {
            // A code outside the dimension is a definitions bug, never silently dropped.
            panic!("table {}: cell ({r}, {c}) is outside its rows or columns", spec.id);
        };
        v[ri][ci] += n;
    }
    let mut rows = spec.rows.clone();
    let mut cols = spec.cols.clone();
    let with_total_col = spec.kind == Kind::Count;
    let with_total_row = spec.kind != Kind::Summary;
    let mut values: Vec<Vec<Option<f64>>> = v
        .iter()
        .map(|row| {
            let mut r: Vec<Option<f64>> = row.iter().map(|x| Some(*x)).collect();
            if with_total_col {
                r.push(Some(row.iter().sum()));
            }
            r
        })
        .collect();
    if with_total_col {
        cols.push(("Total".into(), "Total".into()));
    }
    if with_total_row {
        let total_row: Vec<Option<f64>> = (0..cols.len()).map(|c| Some(values.iter().map(|r| r[c].unwrap_or(0.0)).sum())).collect();
        values.push(total_row);
        rows.push(("Total".into(), "Total".into()));
    }
    let suppressed = vec![vec![false; cols.len()]; rows.len()];
    Table {
        id: spec.id.into(),
        title: spec.title.clone(),
        unit: spec.unit.into(),
        kind: spec.kind,
        row_name: spec.row_name.into(),
        rows,
        col_name: spec.col_name.into(),
        cols,
        values,
        suppressed,
        bases: Vec::new(),
        decimals: Vec::new(),
    }
}

/// Pivots long-form numerators and denominators into percentages, with a national `Total`
/// row computed from the summed numerators and denominators.
pub fn pivot_percent(spec: &TableSpec, cells: &[(String, String, f64, f64)]) -> Table {
    let (nr, nc) = (spec.rows.len(), spec.cols.len());
    let mut num = vec![vec![0.0; nc]; nr + 1];
    let mut den = vec![vec![0.0; nc]; nr + 1];
    for (r, c, n, d) in cells {
        let (Some(ri), Some(ci)) = (spec.rows.iter().position(|x| &x.0 == r), spec.cols.iter().position(|x| &x.0 == c)) else {
            panic!("table {}: cell ({r}, {c}) is outside its rows or columns", spec.id);
        };
        num[ri][ci] += n;
        den[ri][ci] += d;
        num[nr][ci] += n;
        den[nr][ci] += d;
    }
    let values = num.iter().zip(&den).map(|(n, d)| n.iter().zip(d).map(|(n, d)| (*d > 0.0).then(|| 100.0 * n / d)).collect()).collect();
    let bases = den.iter().map(|d| d.iter().map(|x| Some(*x)).collect()).collect();
    let mut rows = spec.rows.clone();
    rows.push(("Total".into(), "England and Wales".into()));
    let suppressed = vec![vec![false; nc]; nr + 1];
    Table {
        id: spec.id.into(),
        title: spec.title.clone(),
        unit: spec.unit.into(),
        kind: Kind::Percent,
        row_name: spec.row_name.into(),
        rows,
        col_name: spec.col_name.into(),
        cols: spec.cols.clone(),
        values,
        suppressed,
        bases,
        decimals: Vec::new(),
    }
}

/// The percentage table of a count table: each cell over its row or column total.
pub fn percentages(t: &Table, of: PctOf) -> Table {
    let last_r = t.rows.len() - 1;
    let last_c = t.cols.len() - 1;
    let base = |r: usize, c: usize| match of {
        PctOf::Row => t.values[r][last_c],
        PctOf::Column => t.values[last_r][c],
    };
    let bases: Vec<Vec<Option<f64>>> = (0..t.rows.len()).map(|r| (0..t.cols.len()).map(|c| base(r, c)).collect()).collect();
    let values = t
        .values
        .iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, v)| match (v, bases[r][c]) {
                    (Some(v), Some(d)) if d > 0.0 => Some(100.0 * v / d),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let how = match of {
        PctOf::Row => "row",
        PctOf::Column => "column",
    };
    Table {
        id: format!("{}_pct", t.id),
        title: format!("{} (per cent of {how} total)", t.title),
        unit: "per cent".into(),
        kind: Kind::Percent,
        row_name: t.row_name.clone(),
        rows: t.rows.clone(),
        col_name: t.col_name.clone(),
        cols: t.cols.clone(),
        values,
        suppressed: vec![vec![false; t.cols.len()]; t.rows.len()],
        bases,
        decimals: Vec::new(),
    }
}
