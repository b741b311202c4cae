//! Statistical disclosure control for public outputs: primary suppression of small counts,
//! secondary suppression chosen by an exact audit, and the audit itself.
//!
//! A table (or several linked tables) is a [`Grid`]: cell values and additivity constraints
//! (a total equals the sum of its parts). The **audit** solves, for every suppressed cell, the
//! linear programmes "lowest / highest value consistent with every published cell, the
//! constraints and non-negativity" (`good_lp` with the pure-Rust `microlp` solver). A primary
//! cell (1 ≤ value < min_cell) is protected when that range is at least `min_cell` wide; a
//! secondary cell when the range is not a single value. **Protection** starts from the primary
//! cells and, while the audit finds an unprotected cell, suppresses one more cell: the smallest
//! non-zero published cell that shares a constraint with it, interior cells before totals, so
//! as little as possible is lost. It ends when the audit passes (at worst when everything that
//! could be suppressed is), so the result always passes the audit or is refused.

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, microlp, variable};

/// Cells and the additivity constraints between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub values: Vec<f64>,
    /// `(total, parts)`: `values[total] == sum(values[parts])`.
    pub sums: Vec<(usize, Vec<usize>)>,
}

/// The range a suppressed cell could take, given everything published.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellRange {
    pub cell: usize,
    pub lo: f64,
    pub hi: f64,
}

const EPS: f64 = 1e-6;

/// A primary cell: a count that may not be published (1 ≤ value < min_cell).
pub fn is_primary(v: f64, min_cell: u32) -> bool {
    v >= 1.0 - EPS && v < f64::from(min_cell) - EPS
}

impl Grid {
    /// The grid of one count table with a Total column (last) and a Total row (last).
    pub fn of_table(rows: usize, cols: usize, values: &[Vec<Option<f64>>]) -> Grid {
        let at = |r: usize, c: usize| r * cols + c;
        let mut sums = Vec::new();
        for r in 0..rows {
            sums.push((at(r, cols - 1), (0..cols - 1).map(|c| at(r, c)).collect()));
        }
        for c in 0..cols {
            sums.push((at(rows - 1, c), (0..rows - 1).map(|r| at(r, c)).collect()));
        }
        Grid { values: values.iter().flat_map(|r| r.iter().map(|v| v.unwrap_or(0.0))).collect(), sums }
    }

    /// Appends another grid; returns the offset of its cells.
    pub fn append(&mut self, other: &Grid) -> usize {
        let off = self.values.len();
        self.values.extend(&other.values);
        self.sums.extend(other.sums.iter().map(|(t, p)| (t + off, p.iter().map(|x| x + off).collect())));
        off
    }

    fn is_total(&self, cell: usize) -> bool {
        self.sums.iter().any(|(t, _)| *t == cell)
    }

    /// Lowest and highest value of each suppressed cell consistent with the published ones.
    pub fn ranges(&self, suppressed: &[bool]) -> Vec<CellRange> {
        suppressed.iter().enumerate().filter(|(_, s)| **s).map(|(k, _)| self.range(suppressed, k)).collect()
    }

    fn range(&self, suppressed: &[bool], k: usize) -> CellRange {
        let solve = |maximise: bool| -> f64 {
            let mut vars = ProblemVariables::new();
            let x: Vec<Option<Variable>> = suppressed.iter().map(|s| s.then(|| vars.add(variable().min(0.0)))).collect();
            let term = |c: usize| -> Expression { x[c].map_or_else(|| Expression::from(self.values[c]), Expression::from) };
            let target = x[k].expect("a suppressed cell");
            let problem = if maximise { vars.maximise(target) } else { vars.minimise(target) };
            let mut model = problem.using(microlp);
            for (t, parts) in &self.sums {
                if std::iter::once(t).chain(parts).all(|c| x[*c].is_none()) {
                    continue;
                }
                let mut e = term(*t);
                for p in parts {
                    e -= term(*p);
                }
                model = model.with(e.eq(0.0));
            }
            match model.solve() {
                Ok(s) => s.value(target),
                Err(good_lp::ResolutionError::Unbounded) => if maximise { f64::INFINITY } else { 0.0 },
                // The true values satisfy every constraint, so this cannot happen; be safe.
                Err(_) => if maximise { f64::INFINITY } else { 0.0 },
            }
        };
        CellRange { cell: k, lo: solve(false), hi: solve(true) }
    }

    /// Suppressed cells the published ones expose: a primary cell narrowed to less than
    /// `min_cell`, or any suppressed cell pinned to one value.
    pub fn audit(&self, suppressed: &[bool], min_cell: u32) -> Vec<CellRange> {
        self.ranges(suppressed)
            .into_iter()
            .filter(|r| {
                let width = r.hi - r.lo;
                if is_primary(self.values[r.cell], min_cell) { width < f64::from(min_cell) - EPS } else { width < EPS }
            })
            .collect()
    }

    /// Primary and secondary suppression; returns the suppressed cells.
    pub fn protect(&self, min_cell: u32) -> Vec<bool> {
        let mut suppressed: Vec<bool> = self.values.iter().map(|v| is_primary(*v, min_cell)).collect();
        loop {
            let failures = self.audit(&suppressed, min_cell);
            let Some(f) = failures.first() else { break };
            match self.next_secondary(&suppressed, f.cell) {
                Some(c) => suppressed[c] = true,
                None => break,
            }
        }
        suppressed
    }

    /// The simple method, kept as a baseline for comparison only: each primary cell also
    /// withholds the next-smallest non-zero cell of each constraint it belongs to, in one pass,
    /// without an audit.
    pub fn simple_protect(&self, min_cell: u32) -> Vec<bool> {
        let primary: Vec<bool> = self.values.iter().map(|v| is_primary(*v, min_cell)).collect();
        let mut suppressed = primary.clone();
        for cell in (0..self.values.len()).filter(|&c| primary[c]) {
            for (_, parts) in self.sums.iter().filter(|(_, p)| p.contains(&cell)) {
                if let Some(next) = parts.iter().copied().filter(|&c| c != cell && !primary[c] && self.values[c] > EPS).min_by(|a, b| self.values[*a].total_cmp(&self.values[*b])) {
                    suppressed[next] = true;
                }
            }
        }
        suppressed
    }

    /// The cell to suppress next to protect `cell`: published, non-zero, sharing a constraint
    /// with it; interior cells before totals; the smallest first.
    fn next_secondary(&self, suppressed: &[bool], cell: usize) -> Option<usize> {
        let neighbours: Vec<usize> = self
            .sums
            .iter()
            .filter(|(t, p)| *t == cell || p.contains(&cell))
            .flat_map(|(t, p)| std::iter::once(*t).chain(p.iter().copied()))
            .filter(|&c| c != cell && !suppressed[c] && self.values[c] > EPS)
            .collect();
        let best = |cands: &mut dyn Iterator<Item = usize>| cands.min_by(|a, b| self.values[*a].total_cmp(&self.values[*b]).then(a.cmp(b)));
        best(&mut neighbours.iter().copied().filter(|c| !self.is_total(*c)))
            .or_else(|| best(&mut neighbours.iter().copied()))
            .or_else(|| best(&mut (0..self.values.len()).filter(|&c| !suppressed[c] && self.values[c] > EPS)))
    }
}

/// A table (or linked pair) that failed the audit: publication is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditFailure(pub String);

impl std::fmt::Display for AuditFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What public mode did to each table: cells suppressed (primary and secondary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub table: String,
    pub primary: usize,
    pub secondary: usize,
}

/// Applies disclosure control to the tables of a publication: count tables are protected
/// (T01 with T02, whose regions are sums of forces, as one system), audited, and refused if
/// any suppressed cell can be recovered; a percentage is withheld when its numerator is or its
/// denominator is below `min_cell`. Q02 (rows processed per force) is published as it is.
pub fn protect_tables(tables: &mut [crate::Table], min_cell: u32) -> Result<Vec<Suppression>, AuditFailure> {
    use crate::Kind;
    let mut report = Vec::new();
    // Groups of count tables audited together.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let find = |id: &str, tables: &[crate::Table]| tables.iter().position(|t| t.id == id);
    if let (Some(a), Some(b)) = (find("T01_scale_by_force", tables), find("T02_scale_by_region", tables)) {
        groups.push(vec![a, b]);
    }
    for (i, t) in tables.iter().enumerate() {
        if t.kind == Kind::Count && !groups.iter().any(|g| g.contains(&i)) {
            groups.push(vec![i]);
        }
    }
    for g in groups {
        let mut grid = Grid { values: Vec::new(), sums: Vec::new() };
        let mut offsets = Vec::new();
        for &i in &g {
            let t = &tables[i];
            offsets.push(grid.append(&Grid::of_table(t.rows.len(), t.cols.len(), &t.values)));
        }
        if g.len() == 2 {
            // Each region row of T02 is the sum of its forces' rows of T01, column by column.
            let (f, r) = (&tables[g[0]], &tables[g[1]]);
            let cols = f.cols.len();
            for (ri, (region, _)) in r.rows.iter().enumerate().take(r.rows.len() - 1) {
                let forces: Vec<usize> = f.rows.iter().enumerate().take(f.rows.len() - 1)
                    .filter(|(_, (id, _))| csae_model::force(id).is_some_and(|x| &x.region == region))
                    .map(|(fi, _)| fi)
                    .collect();
                for c in 0..cols {
                    grid.sums.push((offsets[1] + ri * cols + c, forces.iter().map(|fi| offsets[0] + fi * cols + c).collect()));
                }
            }
        }
        let suppressed = grid.protect(min_cell);
        if let Some(bad) = grid.audit(&suppressed, min_cell).first() {
            let (k, off) = offsets.iter().enumerate().filter(|(_, o)| **o <= bad.cell).last().expect("an offset");
            let t = &tables[g[k]];
            let local = bad.cell - off;
            let (r, c) = (local / t.cols.len(), local % t.cols.len());
            return Err(AuditFailure(format!(
                "disclosure audit failed: table {} cell ({}, {}) can be narrowed to {}..{} from the published cells; nothing was published",
                t.id, t.rows[r].0, t.cols[c].0, bad.lo, bad.hi
            )));
        }
        for (k, &i) in g.iter().enumerate() {
            let t = &mut tables[i];
            let n = t.cols.len();
            let mut primary = 0;
            let mut secondary = 0;
            for r in 0..t.rows.len() {
                for c in 0..n {
                    let cell = offsets[k] + r * n + c;
                    if suppressed[cell] {
                        t.suppressed[r][c] = true;
                        if is_primary(grid.values[cell], min_cell) { primary += 1 } else { secondary += 1 }
                    }
                }
            }
            report.push(Suppression { table: t.id.clone(), primary, secondary });
        }
    }
    // Percentages follow their count tables.
    for i in 0..tables.len() {
        if tables[i].kind != Kind::Percent {
            continue;
        }
        let source = tables[i].id.strip_suffix("_pct").and_then(|id| tables.iter().position(|t| t.id == id));
        let t = &tables[i];
        let flags: Vec<Vec<bool>> = (0..t.rows.len())
            .map(|r| {
                (0..t.cols.len())
                    .map(|c| {
                        let small_base = t.bases.get(r).and_then(|b| b[c]).is_some_and(|b| b < f64::from(min_cell));
                        let hidden = source.is_some_and(|s| {
                            let src = &tables[s];
                            let (lr, lc) = (src.rows.len() - 1, src.cols.len() - 1);
                            let base = t.bases.get(r).and_then(|b| b[c]);
                            // The numerator, or the total it is divided by, is withheld.
                            src.suppressed[r][c]
                                || (src.suppressed[r][lc] && base == src.values[r][lc])
                                || (src.suppressed[lr][c] && base == src.values[lr][c])
                        });
                        small_base || hidden
                    })
                    .collect()
            })
            .collect();
        tables[i].suppressed = flags;
    }
    Ok(report)
}

/// The public headline: the exact headline with every value that depends on a withheld
/// cell set to null. Counts map to the total cells of the tables that publish them; counts no
/// table publishes follow the primary rule; a share is null when its numerator or
/// denominator is withheld or the denominator is below `min_cell`.
pub fn public_headline(h: &crate::Headline, tables: &[crate::Table], min_cell: u32) -> serde_json::Value {
    use serde_json::Value;
    let mut v = serde_json::to_value(h).expect("headline serialises");
    v["disclosure"] = Value::from("public");
    v["marking"] = Value::from("OFFICIAL");
    // Whether a published cell is withheld (missing tables count as withheld).
    let hidden = |id: &str, r: &str, c: &str| -> bool {
        let Some(t) = tables.iter().find(|t| t.id == id) else { return true };
        match (t.rows.iter().position(|x| x.0 == r), t.cols.iter().position(|x| x.0 == c)) {
            (Some(ri), Some(ci)) => t.suppressed[ri][ci],
            _ => true,
        }
    };
    let small = |n: u64| is_primary(n as f64, min_cell);
    let count_hidden = |n: u64, cell: Option<(&str, &str, &str)>| small(n) || cell.is_some_and(|(t, r, c)| hidden(t, r, c));
    let csae_h = count_hidden(h.csae_crimes, Some(("T01_scale_by_force", "Total", "Total")));
    let gb_h = count_hidden(h.group_based_crimes, Some(("T01_scale_by_force", "Total", "GROUP_BASED")));
    let share = |num_hidden: bool, den: u64, den_hidden: bool| num_hidden || den_hidden || (den as f64) < f64::from(min_cell);
    let null = |v: &mut Value, path: &[&str]| {
        let mut cur = v;
        for p in &path[..path.len() - 1] {
            cur = &mut cur[*p];
        }
        cur[path[path.len() - 1]] = Value::Null;
    };
    if csae_h { null(&mut v, &["csae_crimes"]); }
    if count_hidden(h.out_of_scope_crimes, None) { null(&mut v, &["out_of_scope_crimes"]); }
    if gb_h { null(&mut v, &["group_based_crimes"]); }
    if share(gb_h, h.csae_crimes, csae_h) { null(&mut v, &["group_based_share"]); }
    let mut fam_h = true;
    for (cat, n) in &h.group_based_by_category {
        let hid = count_hidden(*n, Some(("T03_offence_group_by_category", "Total", cat)));
        if cat == "FAMILIAL" { fam_h = hid; }
        if hid { null(&mut v, &["group_based_by_category", cat]); }
    }
    for (k, n) in &h.category_source {
        if count_hidden(*n, None) { null(&mut v, &["category_source", k]); }
    }
    if share(fam_h, h.group_based_crimes, gb_h) { null(&mut v, &["familial_share"]); }
    let vr_h = count_hidden(h.victim_records, Some(("T06_victim_age_by_sex", "Total", "Total")));
    let sr_h = count_hidden(h.suspect_records, Some(("T07_suspect_age_by_sex", "Total", "Total")));
    if vr_h { null(&mut v, &["victim_records"]); }
    if sr_h { null(&mut v, &["suspect_records"]); }
    let unknown_age_h = hidden("T07_suspect_age_by_sex", "UNKNOWN", "Total");
    let known_h = sr_h || unknown_age_h || small(h.suspect_records_age_known);
    if known_h { null(&mut v, &["suspect_records_age_known"]); }
    if share(hidden("T07_suspect_age_by_sex", "10_17", "Total"), h.suspect_records_age_known, known_h) { null(&mut v, &["suspects_aged_10_17_share_of_known"]); }
    let not_rec_h = hidden("T08_suspect_ethnicity_by_category", "NOT_RECORDED", "Total");
    if share(not_rec_h, h.suspect_records, sr_h) { null(&mut v, &["suspect_ethnicity_recorded_share"]); }
    let recorded = (h.suspect_ethnicity_recorded_share.unwrap_or(0.0) * h.suspect_records as f64).round() as u64;
    for g in ["ASIAN", "BLACK", "MIXED", "WHITE", "OTHER"] {
        if share(hidden("T08_suspect_ethnicity_by_category", g, "Total"), recorded, not_rec_h || sr_h) { null(&mut v, &["suspect_ethnicity_of_recorded", g]); }
    }
    if share(hidden("T10_suspect_nationality_by_category", "UNKNOWN", "Total"), h.suspect_records, sr_h) { null(&mut v, &["suspect_nationality_known_share"]); }
    let (f_h, m_h) = (hidden("T06_victim_age_by_sex", "Total", "F"), hidden("T06_victim_age_by_sex", "Total", "M"));
    let val = |id: &str, r: &str, c: &str| tables.iter().find(|t| t.id == id).and_then(|t| t.get(r, c)).unwrap_or(0.0);
    let known_victims = (val("T06_victim_age_by_sex", "Total", "F") + val("T06_victim_age_by_sex", "Total", "M")) as u64;
    if share(f_h, known_victims, f_h || m_h) { null(&mut v, &["victims_female_share_of_known"]); }
    if share(hidden("T14_online_by_category", "Y", "Total"), h.group_based_crimes, gb_h) { null(&mut v, &["online_share"]); }
    if share(hidden("T13_recency_by_category", "NON_RECENT", "Total"), h.group_based_crimes, gb_h) { null(&mut v, &["non_recent_share"]); }
    let n = &h.networks;
    if count_hidden(n.count, Some(("T15_networks_by_size", "Total", "Total"))) { null(&mut v, &["networks", "count"]); }
    if count_hidden(n.multi_force, Some(("T15_networks_by_size", "Total", "MULTI_FORCE"))) { null(&mut v, &["networks", "multi_force"]); }
    if count_hidden(n.multi_offender, None) { null(&mut v, &["networks", "multi_offender"]); }
    if count_hidden(n.largest_crimes, None) { null(&mut v, &["networks", "largest_crimes"]); }
    if count_hidden(n.single_suspect_crimes_in_multi_offender_networks, None) { null(&mut v, &["networks", "single_suspect_crimes_in_multi_offender_networks"]); }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A count table from its interior; totals are added.
    fn table(interior: &[&[f64]]) -> (Grid, usize, usize) {
        let rows = interior.len() + 1;
        let cols = interior[0].len() + 1;
        let mut v: Vec<Vec<Option<f64>>> = interior.iter().map(|r| {
            let mut row: Vec<Option<f64>> = r.iter().map(|x| Some(*x)).collect();
            row.push(Some(r.iter().sum()));
            row
        }).collect();
        let total: Vec<Option<f64>> = (0..cols).map(|c| Some(v.iter().map(|r| r[c].unwrap()).sum())).collect();
        v.push(total);
        (Grid::of_table(rows, cols, &v), rows, cols)
    }

    fn passes(g: &Grid, s: &[bool], min_cell: u32) {
        assert!(g.audit(s, min_cell).is_empty(), "audit fails: {:?}", g.audit(s, min_cell));
        for (c, v) in g.values.iter().enumerate() {
            assert!(!is_primary(*v, min_cell) || s[c], "small count {v} published");
        }
    }

    #[test]
    fn one_small_cell_in_a_row_is_recoverable_until_protected() {
        let (g, _, _) = table(&[&[3.0, 10.0, 12.0], &[8.0, 9.0, 20.0], &[7.0, 11.0, 6.0]]);
        let primary: Vec<bool> = g.values.iter().map(|v| is_primary(*v, 5)).collect();
        let f = g.audit(&primary, 5);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].lo, f[0].hi), (3.0, 3.0), "the row total gives it away");
        let s = g.protect(5);
        passes(&g, &s, 5);
        assert!(s.iter().filter(|x| **x).count() >= 4, "a rectangle of four cells at least");
    }

    #[test]
    fn two_small_cells_in_a_row_but_a_column_exposes_one() {
        let (g, _, _) = table(&[&[2.0, 3.0, 40.0], &[30.0, 25.0, 20.0]]);
        let s = g.protect(5);
        passes(&g, &s, 5);
    }

    #[test]
    fn a_zero_pins_a_cell() {
        // The other cells of the column are 0 and published: suppressing the 4 alone is useless.
        let (g, _, _) = table(&[&[4.0, 9.0], &[0.0, 12.0], &[0.0, 30.0]]);
        let s = g.protect(5);
        passes(&g, &s, 5);
    }

    #[test]
    fn linked_margins_are_audited_together() {
        // Two forces make one region: the region table repeats the forces' sum.
        let (forces, _, fc) = table(&[&[3.0, 20.0], &[30.0, 40.0]]);
        let (region, _, _) = table(&[&[33.0, 60.0]]);
        let mut g = forces.clone();
        let off = g.append(&region);
        for c in 0..fc {
            g.sums.push((off + c, vec![c, fc + c]));
        }
        let s = g.protect(5);
        passes(&g, &s, 5);
        // Withholding only force 1's row leaves it recoverable through the linked margins.
        let mut only_small = vec![false; g.values.len()];
        only_small[0] = true; // force 1, first column: 3
        only_small[1] = true; // force 1, second column: 20
        assert!(!g.audit(&only_small, 5).is_empty(), "the region's first column (33) minus force 2's 30 gives 3");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 60, ..Default::default() })]
        #[test]
        fn protection_always_passes_the_audit(
            rows in 1usize..6, cols in 1usize..6,
            cells in proptest::collection::vec(proptest::prop_oneof![3 => proptest::prelude::Just(0u32), 3 => 1u32..5, 4 => 5u32..60], 36),
            min_cell in 3u32..8,
        ) {
            let interior: Vec<Vec<f64>> = (0..rows).map(|r| (0..cols).map(|c| f64::from(cells[r * 6 + c])).collect()).collect();
            let refs: Vec<&[f64]> = interior.iter().map(Vec::as_slice).collect();
            let (g, _, _) = table(&refs);
            let s = g.protect(min_cell);
            passes(&g, &s, min_cell);
        }
    }
}
