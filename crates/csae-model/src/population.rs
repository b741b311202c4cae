//! The population of each police force area, total and by ethnic group (`series.md`,
//! "Population context"): the denominators of rates and of the suspect-ethnicity comparison.
//! The 2011 Census file is built in; another file of the same shape can be read with
//! [`Population::parse`], which refuses a malformed one in one sentence naming row and column.

use std::sync::LazyLock;

/// The built-in population file's name, as the outputs name it.
pub const CENSUS_2011_NAME: &str = "population-census-2011.csv";
const CENSUS_2011_CSV: &str = include_str!("../reference/population-census-2011.csv");

/// The five high-level ethnic groups, in the order of the tables (the suspect-ethnicity codes).
pub const GROUPS: [&str; 5] = ["ASIAN", "BLACK", "MIXED", "WHITE", "OTHER"];

/// Largest population file read: one line per force is a few kilobytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// The required columns, in the file's usual order.
const REQUIRED: [&str; 7] = ["force_id", "population", "white", "mixed", "asian", "black", "other"];
/// The optional column: the population aged 0 to 17.
const CHILDREN: &str = "children";

/// One force area's population.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaPopulation {
    /// The force's id as the data standard spells it.
    pub force_id: String,
    pub total: u64,
    /// By ethnic group, in the order of [`GROUPS`].
    pub groups: [u64; 5],
    /// Aged 0 to 17, when the file has a `children` column.
    pub children: Option<u64>,
}

/// A population file: one row per force that has a population (a force may be missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Population {
    /// The file's name, as the outputs name the source.
    pub source: String,
    pub areas: Vec<AreaPopulation>,
    /// Whether the file has the `children` column.
    pub has_children: bool,
}

static CENSUS_2011: LazyLock<Population> = LazyLock::new(|| Population::parse(CENSUS_2011_NAME, CENSUS_2011_CSV.as_bytes()).expect("the built-in population file is well formed"));

impl Population {
    /// The built-in default: ONS 2011 Census, all ages, 43 territorial force areas.
    pub fn census_2011() -> &'static Population {
        &CENSUS_2011
    }

    /// The force's population, if the file has it.
    pub fn area(&self, force_id: &str) -> Option<&AreaPopulation> {
        self.areas.iter().find(|a| a.force_id == force_id)
    }

    /// The sum over every area of the file.
    pub fn total(&self) -> u64 {
        self.areas.iter().map(|a| a.total).sum()
    }

    /// The sum of one ethnic group (index into [`GROUPS`]) over every area.
    pub fn group_total(&self, g: usize) -> u64 {
        self.areas.iter().map(|a| a.groups[g]).sum()
    }

    /// Reads a population file. `name` names it in messages (and as the source); every refusal
    /// is one sentence with the row (the header is row 1) and column at fault.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<Population, String> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(format!("{name} is larger than {} KiB, too large for a population file (one line per force); give the population file itself", MAX_FILE_BYTES >> 10));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| format!("{name} is not UTF-8 text (a byte at offset {} is not); save it as CSV UTF-8", e.valid_up_to()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format!("{name} row 1 cannot be read as CSV ({e}); give a CSV file with the header {}", REQUIRED.join(",")))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        for (i, h) in header.iter().enumerate() {
            if !REQUIRED.contains(&h.as_str()) && h != CHILDREN {
                return Err(format!("{name} row 1, column {}: {} is not a column of a population file; the columns are {} and optionally {CHILDREN}", i + 1, crate::text::quoted(h), REQUIRED.join(",")));
            }
            if header[..i].contains(h) {
                return Err(format!("{name} row 1, column {}: the column {h} appears twice; keep one", i + 1));
            }
        }
        let col = |want: &str| header.iter().position(|h| h == want);
        let mut at = [0usize; 7];
        for (k, want) in REQUIRED.iter().enumerate() {
            at[k] = col(want).ok_or_else(|| format!("{name} row 1: the column {want} is missing; a population file has the columns {} (optionally {CHILDREN})", REQUIRED.join(",")))?;
        }
        let children_at = col(CHILDREN);
        let mut areas: Vec<AreaPopulation> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let row = e.position().map_or(0, |p| p.line());
                format!("{name} row {row} cannot be read as CSV ({e}); correct that line")
            })?;
            let row = record.position().map_or(0, |p| p.line());
            if record.len() != header.len() {
                return Err(format!("{name} row {row} has {} fields where the header has {}; give every row a value in each column", record.len(), header.len()));
            }
            let field = |c: usize| record.get(c).unwrap_or("").trim();
            let id = field(at[0]);
            let force = crate::force(id).ok_or_else(|| format!("{name} row {row}, column force_id: {} is not the id of a force of England and Wales; use the ids of the data standard (for example cumbria)", crate::text::quoted(id)))?;
            if areas.iter().any(|a| a.force_id == force.id) {
                return Err(format!("{name} row {row}, column force_id: {} appears twice; give each force one row", force.id));
            }
            let number = |c: usize, what: &str| -> Result<u64, String> {
                let v = field(c);
                whole(v).ok_or_else(|| {
                    let why = if v.starts_with('-') { "is negative" } else if v.is_empty() { "is empty" } else { "is not a whole number" };
                    format!("{name} row {row}, column {what}: {} {why}; give a count of people (digits only, 0 or more)", crate::text::quoted(v))
                })
            };
            let total = number(at[1], "population")?;
            if total == 0 {
                return Err(format!("{name} row {row}, column population: 0 is not a population a rate can be worked from; leave the force out of the file instead"));
            }
            let by_name = [number(at[2], "white")?, number(at[3], "mixed")?, number(at[4], "asian")?, number(at[5], "black")?, number(at[6], "other")?];
            let sum: u64 = by_name.iter().sum();
            if sum != total {
                return Err(format!("{name} row {row}, column population: the five groups sum to {sum}, not to the population {total}; correct the groups or the total"));
            }
            let children = children_at.map(|c| number(c, CHILDREN)).transpose()?;
            if let Some(k) = children.filter(|k| *k > total) {
                return Err(format!("{name} row {row}, column {CHILDREN}: {k} children is more than the population {total}; correct either"));
            }
            let [white, mixed, asian, black, other] = by_name;
            areas.push(AreaPopulation { force_id: force.id.clone(), total, groups: [asian, black, mixed, white, other], children });
        }
        if areas.is_empty() {
            return Err(format!("{name} has a header but no force; give one row per force area"));
        }
        let source = std::path::Path::new(name).file_name().map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned());
        Ok(Population { source, areas, has_children: children_at.is_some() })
    }
}

/// A whole number of people: digits only.
fn whole(v: &str) -> Option<u64> {
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "force_id,population,white,mixed,asian,black,other\n";

    fn refused(body: &str) -> String {
        Population::parse("pop.csv", format!("{HEADER}{body}").as_bytes()).expect_err("refused")
    }

    #[test]
    fn the_built_in_census_has_43_areas_and_the_published_total() {
        let p = Population::census_2011();
        assert_eq!(p.areas.len(), 43);
        assert_eq!(p.total(), 56_075_912);
        assert!(p.area("british-transport-police").is_none());
        assert_eq!(p.area("cumbria").map(|a| a.total), Some(499_858));
        assert_eq!((0..5).map(|g| p.group_total(g)).sum::<u64>(), p.total());
        assert!(!p.has_children);
        assert_eq!(p.source, CENSUS_2011_NAME);
    }

    #[test]
    fn a_well_formed_file_reads_in_any_column_order_with_children() {
        let text = "other,force_id,black,asian,mixed,white,population,children\n1,Cumbria,2,3,4,90,100,20\n";
        let p = Population::parse("/tmp/x/mid-2022.csv", text.as_bytes()).unwrap();
        assert_eq!(p.source, "mid-2022.csv");
        assert_eq!(p.areas, vec![AreaPopulation { force_id: "cumbria".into(), total: 100, groups: [3, 2, 4, 90, 1], children: Some(20) }]);
        assert!(p.has_children);
    }

    #[test]
    fn each_malformation_is_refused_with_its_row_and_column() {
        let cases = [
            ("cumbria,100,90,4,3,2,x\n", "row 2, column other: \"x\" is not a whole number"),
            ("cumbria,100,90,4,3,2,1.5\n", "row 2, column other: \"1.5\" is not a whole number"),
            ("cumbria,100,91,4,3,-1,1\n", "row 2, column black: \"-1\" is negative"),
            ("cumbria,100,90,4,3,2,2\n", "row 2, column population: the five groups sum to 101, not to the population 100"),
            ("atlantis,100,90,4,3,2,1\n", "row 2, column force_id: \"atlantis\" is not the id of a force"),
            ("cumbria,100,90,4,3,2,1\nCUMBRIA,100,90,4,3,2,1\n", "row 3, column force_id: cumbria appears twice"),
            ("cumbria,100,90,4,3,2\n", "row 2 has 6 fields where the header has 7"),
            ("cumbria,0,0,0,0,0,0\n", "row 2, column population: 0 is not a population"),
            ("", "has a header but no force"),
        ];
        for (body, want) in cases {
            let e = refused(body);
            assert!(e.starts_with("pop.csv ") && e.contains(want), "{body:?}: {e}");
        }
        let e = Population::parse("pop.csv", b"force_id,population,white,mixed,asian,black\n").unwrap_err();
        assert!(e.contains("row 1: the column other is missing"), "{e}");
        let e = Population::parse("pop.csv", b"force_id,population,white,mixed,asian,black,other,childen\n").unwrap_err();
        assert!(e.contains("row 1, column 8: \"childen\" is not a column"), "{e}");
        let e = Population::parse("pop.csv", b"force_id,population,white,mixed,asian,black,other,white\n").unwrap_err();
        assert!(e.contains("the column white appears twice"), "{e}");
        let e = Population::parse("pop.csv", b"force_id,population,white,mixed,asian,black,other,children\ncumbria,100,90,4,3,2,1,101\n").unwrap_err();
        assert!(e.contains("row 2, column children: 101 children is more than the population 100"), "{e}");
        assert!(Population::parse("pop.csv", &[0xff, 0xfe, 0x00]).unwrap_err().contains("not UTF-8"));
        assert!(Population::parse("pop.csv", &vec![b'a'; MAX_FILE_BYTES + 1]).unwrap_err().contains("too large"));
    }

    #[test]
    fn a_byte_order_mark_and_spaces_are_accepted() {
        let p = Population::parse("p.csv", format!("\u{feff}{HEADER}cumbria , 100 ,90,4,3,2,1\n").as_bytes()).unwrap();
        assert_eq!(p.areas[0].total, 100);
    }
}
