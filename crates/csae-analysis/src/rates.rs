//! The population context (`series.md`): `R01_rate_by_force` (group-based crimes per 100,000
//! population with exact Poisson intervals) and `R02_suspect_ethnicity_vs_population` (the
//! ethnicity of suspect records against the population's, with Wilson score intervals). Both are
//! derived from the counts T01 and T08 publish and a population file, so their counts are the
//! same figures and are protected with them ([`append_to_grid`], [`follow_counts`]).

use csae_model::population::{GROUPS, Population};

use crate::disclosure::{Grid, is_primary};
use crate::intervals::{Z95, poisson_95, wilson};
use crate::{Kind, Table};

pub const R01: &str = "R01_rate_by_force";
pub const R02: &str = "R02_suspect_ethnicity_vs_population";
pub const ENGLAND_AND_WALES: &str = "ENGLAND_AND_WALES";

const T01: &str = "T01_scale_by_force";
const T08: &str = "T08_suspect_ethnicity_by_category";

// R01's columns by position.
const POPULATION: usize = 0;
const GROUP_BASED: usize = 1;
const CSAE: usize = 5;
const CHILDREN: usize = 7;
/// The columns derived from each count column: R01's rates and intervals.
const FROM_GROUP_BASED: [usize; 6] = [2, 3, 4, 8, 9, 10];
const FROM_CSAE: [usize; 1] = [6];

// R02's columns by position.
const SUSPECT_RECORDS: usize = 0;
const POPULATION_SHARE: usize = 4;

/// R01's columns with their decimals; the children's columns only when the file has them.
fn r01_columns(children: bool) -> (Vec<(String, String)>, Vec<u8>) {
    let mut cols = vec![
        ("POPULATION", "Population", 0),
        ("GROUP_BASED", "Group-based crimes", 0),
        ("RATE_PER_100K", "Group-based crimes per 100,000 population", 1),
        ("RATE_LOWER", "Rate: lower 95% limit", 1),
        ("RATE_UPPER", "Rate: upper 95% limit", 1),
        ("CSAE", "CSAE crimes", 0),
        ("CSAE_RATE_PER_100K", "CSAE crimes per 100,000 population", 1),
    ];
    if children {
        cols.extend([
            ("CHILDREN", "Population aged 0 to 17", 0),
            ("GROUP_BASED_PER_10K_CHILDREN", "Group-based crimes per 10,000 children", 1),
            ("GROUP_BASED_PER_10K_CHILDREN_LOWER", "Rate per 10,000 children: lower 95% limit", 1),
            ("GROUP_BASED_PER_10K_CHILDREN_UPPER", "Rate per 10,000 children: upper 95% limit", 1),
        ]);
    }
    (cols.iter().map(|(c, l, _)| (c.to_string(), l.to_string())).collect(), cols.iter().map(|c| c.2).collect())
}

/// The forces each R01 row counts: a force itself, a region's forces, or all of them.
fn scope_of(code: &str) -> Vec<&'static csae_model::Force> {
    let all = csae_model::forces();
    if code == ENGLAND_AND_WALES {
        all.iter().collect()
    } else if let Some(f) = csae_model::force(code).filter(|f| f.id == code) {
        vec![f]
    } else {
        all.iter().filter(|f| f.region == code).collect()
    }
}

/// Whether an R01 row is one force's (not a region's or the nation's).
fn is_force_row(code: &str) -> bool {
    csae_model::force(code).is_some_and(|f| f.id == code)
}

/// A count per 10^k of a population, with its exact Poisson interval.
fn rate(k: u64, per: f64, population: u64) -> [Option<f64>; 3] {
    if population == 0 {
        return [None; 3];
    }
    let scale = per / population as f64;
    let (lo, hi) = poisson_95(k);
    [Some(k as f64 * scale), Some(lo * scale), Some(hi * scale)]
}

/// R01 from T01's counts: rows the forces, then the regions, then England and Wales.
pub fn r01(t01: &Table, population: &Population) -> Table {
    let (cols, decimals) = r01_columns(population.has_children);
    let count = |force: &str, col: &str| t01.get(force, col).unwrap_or(0.0) as u64;
    let mut rows = crate::tables::forces();
    rows.extend(crate::tables::regions());
    rows.push((ENGLAND_AND_WALES.into(), "England and Wales".into()));
    let values = rows
        .iter()
        .map(|(code, _)| {
            let scope = scope_of(code);
            let with_population: Vec<_> = scope.iter().filter_map(|f| population.area(&f.id).map(|a| (f, a))).collect();
            let mut v = vec![None; cols.len()];
            if is_force_row(code) {
                // A force's counts are published whether or not it has a population.
                v[GROUP_BASED] = Some(count(code, "GROUP_BASED") as f64);
                v[CSAE] = Some(count(code, "Total") as f64);
            }
            if with_population.is_empty() {
                return v;
            }
            let pop: u64 = with_population.iter().map(|(_, a)| a.total).sum();
            let gb: u64 = with_population.iter().map(|(f, _)| count(&f.id, "GROUP_BASED")).sum();
            let csae: u64 = with_population.iter().map(|(f, _)| count(&f.id, "Total")).sum();
            v[POPULATION] = Some(pop as f64);
            v[GROUP_BASED] = Some(gb as f64);
            v[CSAE] = Some(csae as f64);
            [v[2], v[3], v[4]] = rate(gb, 1e5, pop);
            v[6] = rate(csae, 1e5, pop)[0];
            if population.has_children {
                let children: u64 = with_population.iter().filter_map(|(_, a)| a.children).sum();
                v[CHILDREN] = Some(children as f64);
                [v[8], v[9], v[10]] = rate(gb, 1e4, children);
            }
            v
        })
        .collect();
    derived_table(R01, format!("Group-based crimes per 100,000 population by force and region (population: {})", population.source), "rates per population", "area", rows, "measure", cols, values, decimals)
}

/// The title of R02, with the share of suspect records whose ethnicity was recorded (shown as
/// `[c]` when disclosure control withholds it).
pub fn r02_title(recorded_share: Option<f64>, source: &str) -> String {
    let share = recorded_share.map_or_else(|| "[c]".to_string(), |s| format!("{:.1}%", 100.0 * s));
    format!("Suspect records in group-based crimes by ethnicity against the population's ethnicity (population: {source}; ethnicity recorded on {share} of suspect records)")
}

/// R02 from T08's Total column.
pub fn r02(t08: &Table, population: &Population) -> Table {
    let count = |g: &str| t08.get(g, "Total").unwrap_or(0.0) as u64;
    let recorded: u64 = GROUPS.iter().map(|g| count(g)).sum();
    let all = t08.get("Total", "Total").unwrap_or(0.0) as u64;
    let total = population.total();
    let rows: Vec<(String, String)> = crate::tables::ethnic_groups().into_iter().filter(|(c, _)| GROUPS.contains(&c.as_str())).collect();
    let values = rows
        .iter()
        .map(|(code, _)| {
            let g = GROUPS.iter().position(|x| x == code).expect("one of the five groups");
            let k = count(code);
            let pop_share = (total > 0).then(|| 100.0 * population.group_total(g) as f64 / total as f64);
            let share = (recorded > 0).then(|| 100.0 * k as f64 / recorded as f64);
            let (lo, hi) = wilson(k, recorded, Z95).map_or((None, None), |(l, h)| (Some(100.0 * l), Some(100.0 * h)));
            let ratio = |x: Option<f64>| x.zip(pop_share.filter(|p| *p > 0.0)).map(|(x, p)| x / p);
            vec![Some(k as f64), share, lo, hi, pop_share, ratio(share), ratio(lo), ratio(hi)]
        })
        .collect();
    let cols = crate::tables::fixed(&[
        ("SUSPECT_RECORDS", "Suspect records"),
        ("SUSPECT_SHARE", "Share of suspect records with ethnicity recorded (%)"),
        ("SHARE_LOWER", "Share: lower 95% limit (%)"),
        ("SHARE_UPPER", "Share: upper 95% limit (%)"),
        ("POPULATION_SHARE", "Share of the population (%)"),
        ("RATIO", "Ratio of the suspect share to the population share"),
        ("RATIO_LOWER", "Ratio: lower 95% limit"),
        ("RATIO_UPPER", "Ratio: upper 95% limit"),
    ]);
    let title = r02_title((all > 0).then(|| recorded as f64 / all as f64), &population.source);
    derived_table(R02, title, "suspect records and shares", "ethnicity_group", rows, "measure", cols, values, vec![0, 1, 1, 1, 1, 2, 2, 2])
}

#[allow(clippy::too_many_arguments)]
fn derived_table(id: &str, title: String, unit: &str, row_name: &str, rows: Vec<(String, String)>, col_name: &str, cols: Vec<(String, String)>, values: Vec<Vec<Option<f64>>>, decimals: Vec<u8>) -> Table {
    Table {
        id: id.into(),
        title,
        unit: unit.into(),
        kind: Kind::Derived,
        row_name: row_name.into(),
        suppressed: vec![vec![false; cols.len()]; rows.len()],
        rows,
        col_name: col_name.into(),
        cols,
        values,
        bases: Vec::new(),
        decimals,
    }
}

/// R01 and R02 for a publication's tables (T01 and T08 must be among them).
pub fn tables(tables: &[Table], population: &Population) -> Vec<Table> {
    let find = |id: &str| tables.iter().find(|t| t.id == id);
    let mut out = Vec::new();
    if let Some(t01) = find(T01) {
        out.push(r01(t01, population));
    }
    if let Some(t08) = find(T08) {
        out.push(r02(t08, population));
    }
    out
}

/// Where R01's or R02's counts sit in a disclosure grid: `cells[i]` is grid cell `offset + i`,
/// at (row, column) of the table, or `None` for R02's count of records with ethnicity recorded.
pub(crate) struct GridCells {
    pub table: usize,
    pub offset: usize,
    pub cells: Vec<Option<(usize, usize)>>,
    /// For each cell, the grid cell of T01 or T08 it copies; `None` for a region's, the
    /// nation's or the recorded records' count (a margin of its own).
    pub copy_of: Vec<Option<usize>>,
}

/// Appends R01's and R02's counts to the grid of the linked tables they copy, with the
/// constraints that make them the same figures: R01's force counts are T01's cells, a region's
/// and the nation's are sums of their forces with a population; R02's counts are T08's Total
/// column, and their sum (the records with ethnicity recorded, which every share divides by)
/// is a cell too, so a published share never reveals it. `offset_of(table)` is a table's
/// offset in this grid, `None` when it is not in it.
pub(crate) fn append_to_grid(tables: &[Table], grid: &mut Grid, offset_of: &dyn Fn(usize) -> Option<usize>) -> Vec<GridCells> {
    let find = |id: &str| tables.iter().position(|t| t.id == id);
    let cell_of = |i: usize, r: &str, c: &str| -> Option<usize> {
        let t = &tables[i];
        Some(offset_of(i)? + t.rows.iter().position(|x| x.0 == r)? * t.cols.len() + t.cols.iter().position(|x| x.0 == c)?)
    };
    let mut out = Vec::new();
    if let (Some(r), Some(t01)) = (find(R01), find(T01).filter(|&i| offset_of(i).is_some())) {
        let t = &tables[r];
        let offset = grid.values.len();
        let cells: Vec<Option<(usize, usize)>> = (0..t.rows.len()).flat_map(|row| [Some((row, GROUP_BASED)), Some((row, CSAE))]).collect();
        grid.values.extend(cells.iter().flatten().map(|&(row, c)| t.values[row][c].unwrap_or(0.0)));
        let at = |row: usize, j: usize| offset + 2 * row + j;
        let force_row = |id: &str| t.rows.iter().position(|x| x.0 == id);
        let mut copy_of = vec![None; cells.len()];
        for (row, (code, _)) in t.rows.iter().enumerate() {
            if is_force_row(code) {
                for (j, col) in ["GROUP_BASED", "Total"].into_iter().enumerate() {
                    if let Some(copy) = cell_of(t01, code, col) {
                        grid.sums.push((at(row, j), vec![copy]));
                        copy_of[2 * row + j] = Some(copy);
                    }
                }
            } else if t.values[row][POPULATION].is_some() {
                let parts: Vec<usize> = scope_of(code).iter().filter_map(|f| force_row(&f.id)).filter(|&fr| t.values[fr][POPULATION].is_some()).collect();
                for j in 0..2 {
                    grid.sums.push((at(row, j), parts.iter().map(|&fr| at(fr, j)).collect()));
                }
            }
        }
        out.push(GridCells { table: r, offset, cells, copy_of });
    }
    if let (Some(r), Some(t08)) = (find(R02), find(T08).filter(|&i| offset_of(i).is_some())) {
        let t = &tables[r];
        let offset = grid.values.len();
        let mut cells: Vec<Option<(usize, usize)>> = (0..t.rows.len()).map(|row| Some((row, SUSPECT_RECORDS))).collect();
        let mut copy_of = vec![None; cells.len() + 1];
        grid.values.extend((0..t.rows.len()).map(|row| t.values[row][SUSPECT_RECORDS].unwrap_or(0.0)));
        for (row, (code, _)) in t.rows.iter().enumerate() {
            if let Some(copy) = cell_of(t08, code, "Total") {
                grid.sums.push((offset + row, vec![copy]));
                copy_of[row] = Some(copy);
            }
        }
        let recorded = grid.values[offset..].iter().sum();
        grid.values.push(recorded);
        grid.sums.push((offset + t.rows.len(), (offset..offset + t.rows.len()).collect()));
        cells.push(None);
        out.push(GridCells { table: r, offset, cells, copy_of });
    }
    out
}

/// Protection of the joint grid that keeps the tables' own suppression (`own`, from
/// protecting them without R01 and R02) and withholds only R01's and R02's margins (a region's,
/// the nation's and the recorded records' counts) where publishing them would reveal a withheld
/// cell: a copy is withheld exactly where its original is and a small margin always. When
/// publishing every other margin fails the audit, all are withheld and then published back one
/// by one, the nation's first, wherever the audit still passes. `None` when even that fails
/// (the caller then protects the joint grid as a whole).
pub(crate) fn protect_margins(grid: &Grid, own: &[bool], placed: &[GridCells], min_cell: u32) -> Option<Vec<bool>> {
    let mut s = own.to_vec();
    s.resize(grid.values.len(), false);
    let mut margins = Vec::new();
    for p in placed {
        for (i, copy) in p.copy_of.iter().enumerate() {
            let cell = p.offset + i;
            match copy {
                Some(c) => s[cell] = own[*c],
                None => {
                    s[cell] = is_primary(grid.values[cell], min_cell);
                    margins.push(cell);
                }
            }
        }
    }
    // A withheld margin the published cells pin to its value reveals nothing; it is published below.
    let harmless = |r: &crate::disclosure::CellRange| margins.contains(&r.cell) && !is_primary(grid.values[r.cell], min_cell);
    let passes = |s: &[bool]| grid.audit(s, min_cell).iter().all(harmless);
    let first = grid.audit(&s, min_cell);
    if first.is_empty() {
        return Some(s);
    }
    if !first.iter().all(harmless) {
        let open: Vec<usize> = margins.iter().copied().filter(|&m| !s[m]).collect();
        for &m in &open {
            s[m] = true;
        }
        if !passes(&s) {
            return None;
        }
        // The nation's row is R01's last: try it first.
        for &m in open.iter().rev() {
            s[m] = false;
            if !passes(&s) {
                s[m] = true;
            }
        }
    }
    loop {
        let pinned: Vec<usize> = grid.audit(&s, min_cell).into_iter().filter(harmless).map(|r| r.cell).collect();
        if pinned.is_empty() {
            break;
        }
        for c in pinned {
            s[c] = false;
        }
    }
    grid.audit(&s, min_cell).is_empty().then_some(s)
}

/// Marks R01's and R02's withheld counts from the grid's suppression, then withholds every
/// figure derived from a withheld count: a rate with its count, a share and its ratio with
/// their count or with the records they divide by (withheld, or fewer than `min_cell`).
/// Returns (table, primary, secondary) per table.
pub(crate) fn follow_counts(tables: &mut [Table], placed: &[GridCells], suppressed: &[bool], values: &[f64], min_cell: u32) -> Vec<(String, usize, usize)> {
    let mut report = Vec::new();
    for p in placed {
        let (mut primary, mut secondary) = (0, 0);
        let mut recorded_hidden = false;
        for (i, cell) in p.cells.iter().enumerate() {
            let hidden = suppressed[p.offset + i];
            match cell {
                Some((r, c)) if hidden => {
                    tables[p.table].suppressed[*r][*c] = true;
                    if is_primary(values[p.offset + i], min_cell) { primary += 1 } else { secondary += 1 }
                }
                None => recorded_hidden = hidden || values[p.offset + i] < f64::from(min_cell),
                _ => {}
            }
        }
        // The recorded share in R02's title also divides by all suspect records (T08's grand total).
        let all_hidden = tables.iter().find(|t| t.id == T08).is_none_or(|t| t.suppressed.last().and_then(|r| r.last()).copied().unwrap_or(true));
        let t = &mut tables[p.table];
        if t.id == R02 && (recorded_hidden || all_hidden) {
            t.title = withhold_recorded_share(&t.title);
        }
        let hide = |t: &mut Table, r: usize, cols: &[usize]| {
            for &c in cols.iter().filter(|&&c| c < t.cols.len()) {
                // A figure that does not apply stays [z].
                if t.values[r][c].is_some() {
                    t.suppressed[r][c] = true;
                }
            }
        };
        for r in 0..t.rows.len() {
            if t.id == R01 {
                if t.suppressed[r][GROUP_BASED] {
                    hide(t, r, &FROM_GROUP_BASED);
                }
                if t.suppressed[r][CSAE] {
                    hide(t, r, &FROM_CSAE);
                }
            } else if t.suppressed[r][SUSPECT_RECORDS] || recorded_hidden {
                let derived: Vec<usize> = (1..t.cols.len()).filter(|&c| c != POPULATION_SHARE).collect();
                hide(t, r, &derived);
            }
        }
        report.push((t.id.clone(), primary, secondary));
    }
    report
}

/// R02's title with the share of records with ethnicity recorded shown `[c]`.
fn withhold_recorded_share(title: &str) -> String {
    const AT: &str = "ethnicity recorded on ";
    match (title.find(AT), title.rfind(" of suspect records)")) {
        (Some(a), Some(b)) if a + AT.len() <= b => format!("{}[c]{}", &title[..a + AT.len()], &title[b..]),
        _ => title.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_and_national_rows_count_only_forces_with_a_population() {
        assert!(is_force_row("cumbria"));
        assert!(!is_force_row("North West"));
        assert_eq!(scope_of("National").len(), 1);
        assert_eq!(scope_of(ENGLAND_AND_WALES).len(), 44);
        assert!(scope_of("North West").iter().all(|f| f.region == "North West"));
    }

    #[test]
    fn a_withheld_recorded_share_leaves_the_rest_of_the_title() {
        let t = r02_title(Some(0.4567), "p.csv");
        assert!(t.ends_with("(population: p.csv; ethnicity recorded on 45.7% of suspect records)"), "{t}");
        assert_eq!(withhold_recorded_share(&t), r02_title(None, "p.csv"));
    }
}
