//! The statistics series of `series.md`: for a report of one calendar year, every earlier year
//! of the dataset computed with that year as the period by the same definitions (each year is
//! opened as a report of that year would open it, without networks), and repeat suspects
//! identified across all years.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use datafusion::arrow::array::{Array, BooleanArray, UInt32Array};
use rustc_hash::FxHashMap;

use crate::networks::Dsu;
use crate::tables::{self, Kind, PctOf, Table, TableSpec};
use crate::{Analysis, AnalysisError, Options, session};

/// The forces of the standard: a year with fewer has a note wherever it is shown.
pub fn all_forces() -> u64 {
    csae_model::forces().len() as u64
}

/// The figures of one year, as that year's own report computes them.
#[derive(Debug, Clone, PartialEq)]
pub struct YearFigures {
    pub year: i32,
    pub forces_with_data: u64,
    /// CSAE crimes per force: (force, group-based, not group-based).
    pub by_force: Vec<(String, u64, u64)>,
    /// Group-based crimes per final category.
    pub by_category: Vec<(String, u64)>,
    /// Suspect records of group-based crimes: (age band, ethnicity group, records).
    pub suspects: Vec<(String, String, u64)>,
}

impl YearFigures {
    pub fn group_based(&self) -> u64 {
        self.by_force.iter().map(|f| f.1).sum()
    }

    pub fn csae(&self) -> u64 {
        self.by_force.iter().map(|f| f.1 + f.2).sum()
    }

    /// Group-based crimes of one force.
    pub fn group_based_of(&self, force: &str) -> u64 {
        self.by_force.iter().find(|f| f.0 == force).map_or(0, |f| f.1)
    }

    /// The year as a row or column label, with a note when forces are missing.
    pub fn label(&self) -> String {
        if self.forces_with_data < all_forces() {
            format!("{} ({} of {} forces)", self.year, self.forces_with_data, all_forces())
        } else {
            self.year.to_string()
        }
    }
}

/// Distinct identified suspects of a year's group-based crimes: seen as a suspect of a CSAE
/// crime in an earlier year (repeat) or not (first seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepeatSuspects {
    pub year: i32,
    pub repeat: u64,
    pub first_seen: u64,
}

/// The series of a one-year report.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The report's year (the last of the series).
    pub year: i32,
    /// Years of the series with data, oldest first, the report's year last.
    pub years: Vec<YearFigures>,
    pub repeat: Vec<RepeatSuspects>,
    /// Years within the series' span without any accepted crime.
    pub gaps: Vec<i32>,
}

impl Series {
    /// The year before the report's, when the series has it.
    pub fn previous(&self) -> Option<&YearFigures> {
        self.years.iter().find(|y| y.year == self.year - 1)
    }

    pub fn current(&self) -> &YearFigures {
        self.years.last().expect("a series has its own year")
    }

    /// Years of the series with fewer than 44 forces.
    pub fn incomplete(&self) -> Vec<&YearFigures> {
        self.years.iter().filter(|y| y.forces_with_data < all_forces()).collect()
    }
}

/// The calendar year a period is, if it is exactly one.
pub fn calendar_year(from: NaiveDate, to: NaiveDate) -> Option<i32> {
    (from.month() == 1 && from.day() == 1 && to.month() == 12 && to.day() == 31 && from.year() == to.year()).then_some(from.year())
}

fn year_period(y: i32) -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(y, 1, 1).expect("a year's first day"), NaiveDate::from_ymd_opt(y, 12, 31).expect("a year's last day"))
}

/// Calendar years up to `last` that a return of the dataset covers, oldest first.
fn candidate_years(manifest: &csae_dataset::Manifest, last: i32) -> Vec<i32> {
    let mut years: Vec<i32> = Vec::new();
    for r in &manifest.returns {
        let Some((from, to)) = r.period.split_once("..") else { continue };
        let (Ok(from), Ok(to)) = (from.parse::<NaiveDate>(), to.parse::<NaiveDate>()) else { continue };
        years.extend(from.year()..=to.year().min(last));
    }
    years.sort_unstable();
    years.dedup();
    years
}

/// The years of a series before the report's own: opened one at a time and dropped, so a
/// report need not hold more than one year in memory at once.
pub struct Earlier {
    year: i32,
    first_shown: i32,
    persons: Persons,
    years: Vec<YearFigures>,
}

/// Opens every year of the dataset before the calendar year of `opts.period` (`None` for a
/// period that is not one calendar year), each as a report of that year would open it.
pub fn earlier_years(dataset: &Path, opts: &Options, manifest: &csae_dataset::Manifest, max_years: u32) -> Result<Option<Earlier>, AnalysisError> {
    let Some(year) = opts.period.and_then(|(f, t)| calendar_year(f, t)) else { return Ok(None) };
    let mut e = Earlier { year, first_shown: year - max_years.max(1) as i32 + 1, persons: Persons::default(), years: Vec::new() };
    // Persons are identified on a thread of their own while the next year is opened.
    let (tx, rx) = std::sync::mpsc::channel::<(i32, session::PersonColumns, Vec<Option<bool>>)>();
    let persons = std::thread::scope(|s| {
        let worker = s.spawn(move || {
            let mut persons = Persons::default();
            for (y, people, crimes) in rx {
                persons.add_year(y, &people, &crimes);
            }
            persons
        });
        let opened = (|| {
            for y in candidate_years(manifest, year - 1) {
                let o = Options { period: Some(year_period(y)), columns: crate::Columns::Publication, ..opts.clone() };
                let a = Analysis::open_figures(dataset, &o)?;
                let figures = a.year_figures()?;
                if figures.forces_with_data > 0 {
                    tx.send((y, a.people.clone(), a.suspect_crimes()?)).expect("the persons thread runs until the years are sent");
                    if y >= e.first_shown {
                        e.years.push(figures);
                    }
                }
            }
            Ok::<_, AnalysisError>(())
        })();
        drop(tx);
        let persons = worker.join().expect("identifying persons does not panic");
        opened.map(|()| persons)
    })?;
    e.persons = persons;
    Ok(Some(e))
}

impl Earlier {
    /// The series, with the report's own year from its analysis (`None` when that analysis is
    /// of another period or its year has no data).
    pub fn finish(mut self, analysis: &Analysis) -> Result<Option<Series>, AnalysisError> {
        let year = self.year;
        if calendar_year(analysis.params.from, analysis.params.to) != Some(year) {
            return Ok(None);
        }
        let figures = analysis.year_figures()?;
        if figures.forces_with_data == 0 {
            return Ok(None);
        }
        self.persons.add_year(year, &analysis.people, &analysis.suspect_crimes()?);
        let mut years = self.years;
        years.push(figures);
        let first = years[0].year;
        let gaps = (first..year).filter(|y| !years.iter().any(|f| f.year == *y)).collect();
        let repeat = self.persons.repeat_suspects(&years.iter().map(|f| f.year).collect::<Vec<_>>());
        Ok(Some(Series { year, years, repeat, gaps }))
    }
}

/// The series of an analysis of one calendar year (`None` for other periods): the earlier
/// years opened one at a time, then its own year from it.
pub fn build(dataset: &Path, analysis: &Analysis, max_years: u32) -> Result<Option<Series>, AnalysisError> {
    let p = &analysis.params;
    let opts = Options { period: Some((p.from, p.to)), min_suspects: p.min_suspects, officer_fallback: p.officer_fallback, columns: crate::Columns::Publication };
    match earlier_years(dataset, &opts, &analysis.manifest, max_years)? {
        Some(e) => e.finish(analysis),
        None => Ok(None),
    }
}

impl Analysis {
    /// The year's figures of the series tables, from the definitions of this analysis.
    pub fn year_figures(&self) -> Result<YearFigures, AnalysisError> {
        let mut results = self
            .collect_all(vec![
                "SELECT count(DISTINCT force_id) FROM period_crimes".into(),
                format!("SELECT force_id, {}, count(*) FROM csae_crimes GROUP BY 1, 2", tables::GB),
                "SELECT category, count(*) FROM group_crimes GROUP BY 1".into(),
                "SELECT age_band, ethnicity_group, count(*) FROM suspect_records GROUP BY 1, 2".into(),
            ])?
            .into_iter();
        let mut next = || results.next().unwrap_or_default();
        let forces = crate::rows_n(&next(), 0).first().map_or(0, |r| r.1);
        let mut by_force: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for (k, n) in crate::rows_n(&next(), 2) {
            let e = by_force.entry(k[0].clone()).or_default();
            if k[1] == "GROUP_BASED" { e.0 += n } else { e.1 += n }
        }
        let by_category = crate::rows_n(&next(), 1).into_iter().map(|(k, n)| (k[0].clone(), n)).collect();
        let suspects = crate::rows_n(&next(), 2).into_iter().map(|(k, n)| (k[0].clone(), k[1].clone(), n)).collect();
        Ok(YearFigures {
            year: self.params.from.year(),
            forces_with_data: forces,
            by_force: by_force.into_iter().map(|(f, (g, n))| (f, g, n)).collect(),
            by_category,
            suspects,
        })
    }

    /// Per crime key: whether it is a CSAE crime of the period, and then whether group-based.
    fn suspect_crimes(&self) -> Result<Vec<Option<bool>>, AnalysisError> {
        let batches = self.query("SELECT crime_key, group_based FROM csae_crimes")?;
        let mut out: Vec<Option<bool>> = Vec::new();
        for b in &batches {
            let k = crate::key_col(b.column(0));
            let g = b.column(1).as_any().downcast_ref::<BooleanArray>().expect("group_based is a boolean");
            for i in 0..k.len() {
                let key = k.value(i) as usize;
                if out.len() <= key {
                    out.resize(key + 1, None);
                }
                out[key] = Some(g.value(i));
            }
        }
        Ok(out)
    }
}

/// A pseudonym's first 128 bits, when it is one (64 hex digits of an HMAC-SHA256, whose first
/// half tells pseudonyms apart as well as the whole).
fn hmac_bits(s: &str) -> Option<u128> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(s, &mut bytes).ok()?;
    Some(u128::from_be_bytes(bytes[..16].try_into().expect("16 bytes")))
}

/// Persons of every year, identified by the distinct-persons rule across all of them: the
/// same force and `person_ref`, or the same `pnc_id`, transitively; unidentified persons never.
/// Each reference is a node, numbered through a map from a 64-bit hash to the node; the node's
/// full key is kept beside it and compared, so numbering is exact (a key whose hash another
/// key took first goes to an exact map).
#[derive(Default)]
struct Persons {
    forces: Vec<String>,
    by_hash: FxHashMap<u64, u32>,
    /// Each node's scope and 128 bits, in two vectors (a pair would be padded to 32 bytes).
    scopes: Vec<u32>,
    bits: Vec<u128>,
    collided: FxHashMap<(u32, u128), u32>,
    /// References that are not pseudonyms (a hand-made dataset), by their text.
    texts: FxHashMap<(u32, Box<str>), u32>,
    /// Person and PNC nodes seen on one row.
    links: Vec<(u32, u32)>,
    /// Suspect rows of CSAE crimes: (person node, year, group-based).
    marks: Vec<(u32, i32, bool)>,
}

/// The namespace of PNC ids, which are national.
const PNC: u32 = u32::MAX;

impl Persons {
    fn nodes(&self) -> u32 {
        self.scopes.len() as u32
    }

    fn push(&mut self, scope: u32, bits: u128) {
        self.scopes.push(scope);
        self.bits.push(bits);
    }

    fn node(&mut self, scope: u32, text: &str) -> u32 {
        let next = self.nodes();
        let Some(bits) = hmac_bits(text) else {
            let n = *self.texts.entry((scope, text.into())).or_insert(next);
            if n == next {
                // A placeholder key in no force's scope: never matched by a hash.
                self.push(u32::MAX - 1, u128::from(next));
            }
            return n;
        };
        let h = (bits as u64) ^ (u64::from(scope).rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        match self.by_hash.get(&h) {
            Some(&n) if self.scopes[n as usize] == scope && self.bits[n as usize] == bits => n,
            Some(_) => match self.collided.get(&(scope, bits)) {
                Some(&n) => n,
                None => {
                    self.collided.insert((scope, bits), next);
                    self.push(scope, bits);
                    next
                }
            },
            None => {
                self.by_hash.insert(h, next);
                self.push(scope, bits);
                next
            }
        }
    }

    /// The person rows a year's session read; suspects of its CSAE crimes are marked.
    fn add_year(&mut self, year: i32, people: &session::PersonColumns, crimes: &[Option<bool>]) {
        let rows: usize = people.victims.iter().chain(&people.suspects).map(|b| b.num_rows()).sum();
        self.by_hash.reserve(rows);
        self.scopes.reserve(rows);
        self.bits.reserve(rows);
        // Rows come force by force: the last force's number is reused.
        let mut last: Option<(String, u32)> = None;
        for (batches, suspect) in [(&people.victims, false), (&people.suspects, true)] {
            for b in batches {
                let text = |c: usize| session::Texts::of(b.column(c)).expect("a text column");
                let keys = b.column(0).as_any().downcast_ref::<UInt32Array>().expect("crime_key");
                let unk = b.column(4).as_any().downcast_ref::<BooleanArray>().expect("unidentified");
                let (f, p, pnc) = (text(1), text(2), text(3));
                for i in 0..b.num_rows() {
                    let (Some(person), false) = (p.get(i), unk.value(i)) else { continue };
                    let force_id = f.get(i).unwrap_or_default();
                    let force = match &last {
                        Some((id, n)) if id == force_id => *n,
                        _ => {
                            let n = match self.forces.iter().position(|x| x == force_id) {
                                Some(n) => n as u32,
                                None => {
                                    self.forces.push(force_id.to_string());
                                    self.forces.len() as u32 - 1
                                }
                            };
                            last = Some((force_id.to_string(), n));
                            n
                        }
                    };
                    let node = self.node(force, person);
                    if let Some(id) = pnc.get(i) {
                        let other = self.node(PNC, id);
                        self.links.push((node, other));
                    }
                    let crime = keys.is_valid(i).then(|| crimes.get(keys.value(i) as usize).copied().flatten()).flatten();
                    if let (true, Some(gb)) = (suspect, crime) {
                        self.marks.push((node, year, gb));
                    }
                }
            }
        }
    }

    /// Repeat and first-seen suspects of each year's group-based crimes.
    fn repeat_suspects(self, years: &[i32]) -> Vec<RepeatSuspects> {
        let mut dsu = Dsu::new(self.nodes() as usize);
        for (a, b) in &self.links {
            dsu.union(*a, *b);
        }
        let mut first: FxHashMap<u32, i32> = FxHashMap::default();
        let mut of_year: Vec<(i32, u32)> = Vec::new();
        for &(node, year, gb) in &self.marks {
            let id = dsu.find(node);
            let f = first.entry(id).or_insert(year);
            *f = (*f).min(year);
            if gb {
                of_year.push((year, id));
            }
        }
        of_year.sort_unstable();
        of_year.dedup();
        years
            .iter()
            .map(|&y| {
                let ids = of_year.iter().filter(|(yr, _)| *yr == y);
                let repeat = ids.clone().filter(|(_, id)| first[id] < y).count() as u64;
                RepeatSuspects { year: y, repeat, first_seen: ids.count() as u64 - repeat }
            })
            .collect()
    }
}

/// A count table of the series, pivoted from its cells like every other count table.
fn count_table(id: &'static str, title: String, unit: &'static str, row_name: &'static str, rows: tables::Dim, cols: (&'static str, tables::Dim), cells: &[(String, String, f64)]) -> Table {
    let spec = TableSpec { id, title, unit, row_name, rows, col_name: cols.0, cols: cols.1, kind: Kind::Count, sql: String::new(), pct: None };
    tables::pivot_counts(&spec, cells)
}

/// The series tables S01–S06 (each with its percentages where it has them) and C01.
pub fn tables(s: &Series) -> Vec<Table> {
    let years: tables::Dim = s.years.iter().map(|y| (y.year.to_string(), y.label())).collect();
    let gap_note = if s.gaps.is_empty() {
        String::new()
    } else {
        format!(" (no data for {})", s.gaps.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
    };
    let code = |y: &YearFigures| y.year.to_string();
    let mut s01 = Vec::new();
    let mut s02 = Vec::new();
    let mut s03 = Vec::new();
    let mut s04 = Vec::new();
    let mut s05 = Vec::new();
    for y in &s.years {
        s01.push((code(y), "GROUP_BASED".to_string(), y.group_based() as f64));
        s01.push((code(y), "NOT_GROUP_BASED".to_string(), (y.csae() - y.group_based()) as f64));
        s02.extend(y.by_force.iter().map(|f| (f.0.clone(), code(y), f.1 as f64)));
        s03.extend(y.by_category.iter().map(|c| (code(y), c.0.clone(), c.1 as f64)));
        s04.extend(y.suspects.iter().map(|p| (code(y), p.0.clone(), p.2 as f64)));
        s05.extend(y.suspects.iter().map(|p| (code(y), p.1.clone(), p.2 as f64)));
    }
    let s06: Vec<(String, String, f64)> = s
        .repeat
        .iter()
        .flat_map(|r| [(r.year.to_string(), "REPEAT".to_string(), r.repeat as f64), (r.year.to_string(), "FIRST_SEEN".to_string(), r.first_seen as f64)])
        .collect();
    let with_pct = |t: Table, of: PctOf| {
        let pct = tables::percentages(&t, of);
        [t, pct]
    };
    let mut out = Vec::new();
    out.extend(with_pct(count_table("S01_scale_by_year", format!("CSAE crimes by year recorded, group-based or not{gap_note}"), "CSAE crimes", "year", years.clone(), tables::group_based(), &s01), PctOf::Row));
    out.push(count_table("S02_group_based_by_force_and_year", format!("Group-based crimes by force and year recorded{gap_note}"), "group-based crimes", "force", tables::forces(), ("year", years.clone()), &s02));
    out.extend(with_pct(count_table("S03_category_by_year", format!("Group-based crimes by year recorded and category{gap_note}"), "group-based crimes", "year", years.clone(), ("category", tables::categories()), &s03), PctOf::Row));
    out.extend(with_pct(count_table("S04_suspect_age_by_year", format!("Suspect records in group-based crimes by year recorded and age at offence{gap_note}"), "suspect records", "year", years.clone(), ("age_band", tables::suspect_ages()), &s04), PctOf::Row));
    out.extend(with_pct(count_table("S05_suspect_ethnicity_by_year", format!("Suspect records in group-based crimes by year recorded and ethnicity{gap_note}"), "suspect records", "year", years.clone(), ("ethnicity_group", tables::ethnic_groups()), &s05), PctOf::Row));
    let repeat_cols = ("repeat", vec![("REPEAT".to_string(), "Seen in an earlier year".to_string()), ("FIRST_SEEN".to_string(), "First seen".to_string())]);
    out.extend(with_pct(count_table("S06_repeat_suspects_by_year", format!("Distinct identified suspects of group-based crimes by year recorded, seen as a suspect in an earlier year or not{gap_note}"), "distinct identified suspects", "year", years, repeat_cols, &s06), PctOf::Row));
    out.extend(change_table(s));
    out
}

/// `C01_change_by_force`: group-based crimes of the year before and the year, per force and
/// nationally; absent without the year before.
fn change_table(s: &Series) -> Option<Table> {
    let prev = s.previous()?;
    let cur = s.current();
    let mut rows = tables::forces();
    rows.push(("ENGLAND_AND_WALES".into(), "England and Wales".into()));
    let values = rows
        .iter()
        .map(|(f, _)| {
            let (p, c) = if f == "ENGLAND_AND_WALES" { (prev.group_based(), cur.group_based()) } else { (prev.group_based_of(f), cur.group_based_of(f)) };
            let change = c as f64 - p as f64;
            vec![Some(p as f64), Some(c as f64), Some(change), (p > 0).then(|| (100.0 * change / p as f64).round())]
        })
        .collect::<Vec<_>>();
    let cols = vec![
        ("PREVIOUS".to_string(), prev.label()),
        ("CURRENT".to_string(), cur.label()),
        ("CHANGE".to_string(), "Change".to_string()),
        ("CHANGE_PCT".to_string(), "Change (%)".to_string()),
    ];
    Some(Table {
        id: "C01_change_by_force".into(),
        title: format!("Group-based crimes by force: {} against {}", cur.year, prev.year),
        unit: "group-based crimes".into(),
        kind: Kind::Measures,
        row_name: "force".into(),
        suppressed: vec![vec![false; cols.len()]; rows.len()],
        rows,
        col_name: "measure".into(),
        cols,
        values,
        bases: Vec::new(),
        decimals: Vec::new(),
    })
}
