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

/// Largest component (suppressed cells linked by constraints) whose secondary cells are
/// reconsidered one by one after protection: each reconsideration solves two linear
/// programmes per cell of the component.
pub const PRUNE_LIMIT: usize = 150;

/// Suppressed cells grouped into components, with the constraints of each.
struct Components {
    root_of: Vec<usize>,
    cells: rustc_hash::FxHashMap<usize, Vec<usize>>,
    sums: rustc_hash::FxHashMap<usize, Vec<usize>>,
}

struct Component<'a> {
    /// Suppressed cells, ascending.
    cells: &'a [usize],
    /// Indexes into `Grid::sums`.
    sums: &'a [usize],
}

impl Components {
    fn of(&self, cell: usize) -> Component<'_> {
        let r = self.root_of[cell];
        Component { cells: self.cells.get(&r).map_or(&[], Vec::as_slice), sums: self.sums.get(&r).map_or(&[], Vec::as_slice) }
    }
}

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
        let all: Vec<usize> = (0..self.values.len()).filter(|&c| suppressed[c]).collect();
        self.ranges_of(suppressed, &all)
    }

    /// The ranges of some suppressed cells. Each linear programme holds only the cells and
    /// constraints of the target's component (suppressed cells joined through the constraints
    /// they share): published cells are constants, so other components cannot move it, and
    /// the programmes stay small however large the table.
    fn ranges_of(&self, suppressed: &[bool], cells: &[usize]) -> Vec<CellRange> {
        let comps = self.components(suppressed);
        cells.iter().filter(|&&k| suppressed[k]).map(|&k| self.range(suppressed, &comps.of(k), k)).collect()
    }

    /// Components of the suppressed cells: cells sharing a constraint are in one component.
    fn components(&self, suppressed: &[bool]) -> Components {
        let n = self.values.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for (t, parts) in &self.sums {
            let mut first = None;
            for c in std::iter::once(t).chain(parts).copied().filter(|&c| suppressed[c]) {
                match first {
                    None => first = Some(c),
                    Some(f) => {
                        let (a, b) = (root(&mut parent, f), root(&mut parent, c));
                        parent[a] = b;
                    }
                }
            }
        }
        let root_of: Vec<usize> = (0..n).map(|c| root(&mut parent, c)).collect();
        let mut cells: rustc_hash::FxHashMap<usize, Vec<usize>> = Default::default();
        for c in (0..n).filter(|&c| suppressed[c]) {
            cells.entry(root_of[c]).or_default().push(c);
        }
        let mut sums: rustc_hash::FxHashMap<usize, Vec<usize>> = Default::default();
        for (i, (t, parts)) in self.sums.iter().enumerate() {
            if let Some(c) = std::iter::once(t).chain(parts).copied().find(|&c| suppressed[c]) {
                sums.entry(root_of[c]).or_default().push(i);
            }
        }
        Components { root_of, cells, sums }
    }

    fn range(&self, suppressed: &[bool], comp: &Component<'_>, k: usize) -> CellRange {
        let solve = |maximise: bool| -> f64 {
            let mut vars = ProblemVariables::new();
            let mut x: rustc_hash::FxHashMap<usize, Variable> = Default::default();
            for &c in comp.cells {
                x.insert(c, vars.add(variable().min(0.0)));
            }
            let term = |c: usize| -> Expression { x.get(&c).map_or_else(|| Expression::from(self.values[c]), |v| Expression::from(*v)) };
            let target = x[&k];
            let problem = if maximise { vars.maximise(target) } else { vars.minimise(target) };
            let mut model = problem.using(microlp);
            for &i in comp.sums {
                let (t, parts) = &self.sums[i];
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
        debug_assert!(suppressed[k]);
        CellRange { cell: k, lo: solve(false), hi: solve(true) }
    }

    /// Suppressed cells the published ones expose: a primary cell narrowed to less than
    /// `min_cell`, or any suppressed cell pinned to one value.
    pub fn audit(&self, suppressed: &[bool], min_cell: u32) -> Vec<CellRange> {
        let all: Vec<usize> = (0..self.values.len()).filter(|&c| suppressed[c]).collect();
        self.audit_of(suppressed, &all, min_cell)
    }

    fn audit_of(&self, suppressed: &[bool], cells: &[usize], min_cell: u32) -> Vec<CellRange> {
        self.ranges_of(suppressed, cells)
            .into_iter()
            .filter(|r| {
                let width = r.hi - r.lo;
                if is_primary(self.values[r.cell], min_cell) { width < f64::from(min_cell) - EPS } else { width < EPS }
            })
            .collect()
    }

    /// Primary and secondary suppression; returns the suppressed cells.
    ///
    /// Withholding one more cell can only widen every range (the old published value is still
    /// a solution), so a cell that passed the audit keeps passing as cells are added. Hence
    /// only failing cells are looked at again: while one still fails, one more cell is
    /// withheld next to it, and that new cell is checked in its turn. Then secondary cells are
    /// given back wherever the audit still passes without them (see [`Grid::prune`]).
    pub fn protect(&self, min_cell: u32) -> Vec<bool> {
        let mut suppressed: Vec<bool> = self.values.iter().map(|v| is_primary(*v, min_cell)).collect();
        let mut pending: std::collections::BTreeSet<usize> = self.audit(&suppressed, min_cell).iter().map(|r| r.cell).collect();
        let copies = self.copies();
        let mut stuck = false;
        while let Some(f) = pending.pop_first() {
            if self.audit_of(&suppressed, &[f], min_cell).is_empty() {
                continue;
            }
            match self.next_secondary(&suppressed, f, &copies) {
                Some(c) => {
                    for &x in &copies[c] {
                        suppressed[x] = true;
                        pending.insert(x);
                    }
                    pending.insert(f);
                }
                None => {
                    stuck = true;
                    break;
                }
            }
        }
        if !stuck {
            self.prune(&mut suppressed, min_cell, &copies);
        }
        suppressed
    }

    /// For each cell, the cells that are the same figure (itself included): cells tied by
    /// one-part constraints (`a == b`), i.e. copies of one figure in linked tables. Copies are
    /// withheld and published together: withholding one copy of a published figure hides
    /// nothing.
    fn copies(&self) -> Vec<Vec<usize>> {
        let n = self.values.len();
        let mut group: Vec<usize> = (0..n).collect();
        for (t, parts) in self.sums.iter().filter(|(_, p)| p.len() == 1) {
            let (a, b) = (group[*t], group[parts[0]]);
            if a != b {
                for g in group.iter_mut() {
                    if *g == b {
                        *g = a;
                    }
                }
            }
        }
        let mut members: rustc_hash::FxHashMap<usize, Vec<usize>> = Default::default();
        for (c, g) in group.iter().enumerate() {
            members.entry(*g).or_default().push(c);
        }
        (0..n).map(|c| members[&group[c]].clone()).collect()
    }

    /// Gives back secondary cells the audit shows are not needed, largest first. Publishing a
    /// cell only adds information to its own component, so only that component is audited.
    /// Components larger than [`PRUNE_LIMIT`] cells are left as they are, to bound the time.
    fn prune(&self, suppressed: &mut [bool], min_cell: u32, copies: &[Vec<usize>]) {
        let mut secondary: Vec<usize> = (0..self.values.len()).filter(|&c| suppressed[c] && !is_primary(self.values[c], min_cell)).collect();
        secondary.sort_by(|a, b| self.values[*b].total_cmp(&self.values[*a]).then(a.cmp(b)));
        for c in secondary {
            if !suppressed[c] {
                continue; // given back with a copy
            }
            let comps = self.components(suppressed);
            let comp = comps.of(c).cells.to_vec();
            if comp.len() > PRUNE_LIMIT {
                continue;
            }
            for &x in &copies[c] {
                suppressed[x] = false;
            }
            if !self.audit_of(suppressed, &comp, min_cell).is_empty() {
                for &x in &copies[c] {
                    suppressed[x] = true;
                }
            }
        }
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

    /// The cell to suppress next to protect `cell`, published and non-zero. A constraint in
    /// which only one figure is withheld pins that figure exactly, and only a cell of that
    /// constraint can free it; so the choice is made, in this order, from:
    ///
    /// 1. a constraint pinning `cell` itself;
    /// 2. a constraint pinning another withheld cell of its component (what pins a neighbour
    ///    pins `cell` through the constraints they share);
    /// 3. any constraint holding `cell`; and when none of those has a cell left, any
    ///    constraint holding a withheld cell of its component.
    ///
    /// Within the chosen constraints: a cell that also lies in another constraint with a
    /// withheld cell first (it closes a cycle of withheld cells, the pattern that protects,
    /// instead of opening a new constraint that must be protected in turn), then interior
    /// cells before totals, then the smallest. Copies of one figure count as one cell.
    fn next_secondary(&self, suppressed: &[bool], cell: usize, copies: &[Vec<usize>]) -> Option<usize> {
        let members = |k: usize| std::iter::once(self.sums[k].0).chain(self.sums[k].1.iter().copied());
        // The one figure a constraint pins, if it withholds exactly one (all copies of it).
        let pinned = |k: usize| -> Option<usize> {
            let mut withheld = members(k).filter(|&c| suppressed[c]);
            let first = withheld.next()?;
            withheld.all(|c| copies[first].contains(&c)).then_some(first)
        };
        let choose = |pool: &[usize], target: usize| -> Option<usize> {
            let same = |c: usize| copies[target].contains(&c);
            pool.iter()
                .flat_map(|&k| members(k))
                .filter(|&c| !same(c) && !suppressed[c] && self.values[c] > EPS)
                .min_by_key(|&c| {
                    let closes = (0..self.sums.len()).any(|k| !pool.contains(&k) && members(k).any(|x| x == c) && members(k).any(|x| !same(x) && suppressed[x]));
                    (!closes, self.is_total(c), OrderedValue(self.values[c]), c)
                })
        };
        let holding = |target: usize| -> Vec<usize> { (0..self.sums.len()).filter(|&k| members(k).any(|c| copies[target].contains(&c))).collect() };
        let own: Vec<usize> = holding(cell).into_iter().filter(|&k| pinned(k).is_some()).collect();
        if let Some(c) = choose(&own, cell) {
            return Some(c);
        }
        let comps = self.components(suppressed);
        let comp = comps.of(cell).cells;
        for k in 0..self.sums.len() {
            if let Some(g) = pinned(k).filter(|g| comp.binary_search(g).is_ok())
                && let Some(c) = choose(&[k], g)
            {
                return Some(c);
            }
        }
        choose(&holding(cell), cell).or_else(|| {
            let around: Vec<usize> = (0..self.sums.len()).filter(|&k| members(k).any(|c| comp.binary_search(&c).is_ok())).collect();
            choose(&around, cell)
        })
    }
}

/// Cell values ordered for choosing (counts are never NaN). Equality and order are both
/// `total_cmp`'s, so the two always agree.
struct OrderedValue(f64);

impl PartialEq for OrderedValue {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for OrderedValue {}

impl PartialOrd for OrderedValue {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedValue {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A table (or linked pair) that failed the audit: publication is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct AuditFailure(pub String);

/// What public mode did to each table: cells suppressed (primary and secondary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub table: String,
    pub primary: usize,
    pub secondary: usize,
}

/// Applies disclosure control to the tables of a publication. Count tables that publish the
/// same figures are protected and audited as one system: `T01` with `T02` (each region is the
/// sum of its forces), and any tables publishing the same margin (see [`shared_cells`]). A
/// percentage is withheld when its numerator is or its denominator is below `min_cell`. R01's
/// and R02's counts are T01's and T08's figures and are protected with them; their rates,
/// shares and ratios follow their counts (see [`crate::rates`]). Q02 (rows processed per
/// force) is published as it is.
pub fn protect_tables(tables: &mut [crate::Table], min_cell: u32) -> Result<Vec<Suppression>, AuditFailure> {
    use crate::Kind;
    let mut report = Vec::new();
    let counts: Vec<usize> = (0..tables.len()).filter(|&i| tables[i].kind == Kind::Count).collect();
    let find = |id: &str, tables: &[crate::Table]| tables.iter().position(|t| t.id == id);
    let regions = find("T01_scale_by_force", tables).zip(find("T02_scale_by_region", tables));
    let mut shared = shared_cells(tables);
    shared.extend(series_cells(tables));
    // Groups of linked tables: union of the links.
    let mut group_of: Vec<usize> = (0..tables.len()).collect();
    let link = |a: usize, b: usize, g: &mut Vec<usize>| {
        let (ga, gb) = (g[a], g[b]);
        for x in g.iter_mut() {
            if *x == gb {
                *x = ga;
            }
        }
    };
    if let Some((f, r)) = regions {
        link(f, r, &mut group_of);
    }
    for ((a, _), (b, _)) in &shared {
        link(*a, *b, &mut group_of);
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &i in &counts {
        match groups.iter_mut().find(|g| group_of[g[0]] == group_of[i]) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    for g in groups {
        let mut grid = Grid { values: Vec::new(), sums: Vec::new() };
        let mut offsets = Vec::new();
        for &i in &g {
            let t = &tables[i];
            offsets.push(grid.append(&Grid::of_table(t.rows.len(), t.cols.len(), &t.values)));
        }
        let at = |table: usize| offsets[g.iter().position(|&x| x == table).expect("table in group")];
        if let Some((fi, ri)) = regions.filter(|(f, _)| g.contains(f)) {
            // Each region row of T02 is the sum of its forces' rows of T01, column by column.
            let (f, r) = (&tables[fi], &tables[ri]);
            let cols = f.cols.len();
            for (rr, (region, _)) in r.rows.iter().enumerate().take(r.rows.len() - 1) {
                let forces: Vec<usize> = f.rows.iter().enumerate().take(f.rows.len() - 1)
                    .filter(|(_, (id, _))| csae_model::force(id).is_some_and(|x| &x.region == region))
                    .map(|(fr, _)| fr)
                    .collect();
                for c in 0..cols {
                    grid.sums.push((at(ri) + rr * cols + c, forces.iter().map(|fr| at(fi) + fr * cols + c).collect()));
                }
            }
        }
        // A figure two tables publish is one value: each copy equals the other.
        for ((a, ca), (b, cb)) in shared.iter().filter(|((a, _), _)| g.contains(a)) {
            grid.sums.push((at(*a) + ca, vec![at(*b) + cb]));
        }
        // R01's and R02's counts join the group of the tables they copy (T01, T08).
        let offset_of = |i: usize| g.iter().position(|&x| x == i).map(|k| offsets[k]);
        let (own_cells, own_sums) = (grid.values.len(), grid.sums.len());
        let placed = crate::rates::append_to_grid(tables, &mut grid, &offset_of);
        let suppressed = if placed.is_empty() {
            grid.protect(min_cell)
        } else {
            // The tables are protected as they would be without R01 and R02, which then give
            // up their own margins rather than withhold more of the tables (a national total).
            let own = Grid { values: grid.values[..own_cells].to_vec(), sums: grid.sums[..own_sums].to_vec() }.protect(min_cell);
            crate::rates::protect_margins(&grid, &own, &placed, min_cell).unwrap_or_else(|| grid.protect(min_cell))
        };
        if let Some(bad) = grid.audit(&suppressed, min_cell).first() {
            if let Some(p) = placed.iter().find(|p| (p.offset..p.offset + p.cells.len()).contains(&bad.cell)) {
                let t = &tables[p.table];
                let place = p.cells[bad.cell - p.offset].map_or_else(|| "(records with ethnicity recorded)".to_string(), |(r, c)| format!("({}, {})", t.rows[r].0, t.cols[c].0));
                return Err(AuditFailure(format!("disclosure audit failed: table {} cell {place} can be narrowed to {}..{} from the published cells; nothing was published", t.id, bad.lo, bad.hi)));
            }
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
        for (table, primary, secondary) in crate::rates::follow_counts(tables, &placed, &suppressed, &grid.values, min_cell) {
            report.push(Suppression { table, primary, secondary });
        }
    }
    change_follows_series(tables);
    // Summary figures: withheld when small, or when another table withholds the same figure.
    let repeat_total_hidden = series_year(tables).and_then(|y| {
        let t = tables.iter().find(|t| t.id == "S06_repeat_suspects_by_year")?;
        let r = t.rows.iter().position(|x| x.0 == y)?;
        Some((t.suppressed[r][t.cols.len() - 1], t.values[r][t.cols.len() - 1]))
    });
    for i in 0..tables.len() {
        if tables[i].kind != Kind::Summary {
            continue;
        }
        let mut primary = 0;
        let mut secondary = 0;
        for r in 0..tables[i].rows.len() {
            let copy_hidden = SUMMARY_COPIES.iter().filter(|(t, row, _)| *t == tables[i].id && *row == tables[i].rows[r].0).any(|(_, _, (id, cr, cc))| {
                tables.iter().find(|t| t.id == *id).is_none_or(|t| match (t.rows.iter().position(|x| x.0 == *cr), t.cols.iter().position(|x| x.0 == *cc)) {
                    (Some(a), Some(b)) => t.suppressed[a][b],
                    _ => true,
                })
            });
            // S06's suspects of the year are T18's distinct identified suspects when equal.
            let copy_hidden = copy_hidden
                || (tables[i].id == "T18_persons_summary"
                    && tables[i].rows[r].0 == "DISTINCT_IDENTIFIED_SUSPECTS"
                    && repeat_total_hidden.is_some_and(|(hidden, v)| hidden && v == tables[i].values[r][0]));
            for c in 0..tables[i].cols.len() {
                let small = tables[i].values[r][c].is_some_and(|v| is_primary(v, min_cell));
                if small || copy_hidden {
                    tables[i].suppressed[r][c] = true;
                    if small { primary += 1 } else { secondary += 1 }
                }
            }
        }
        report.push(Suppression { table: tables[i].id.clone(), primary, secondary });
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
                        // No denominator: not applicable ([z]) in every mode, never withheld.
                        if t.values[r][c].is_none() {
                            return false;
                        }
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

/// Figures of summary tables that another table also publishes, as (summary table, row) and
/// (table, row, column): the summary figure is withheld whenever the other one is.
const SUMMARY_COPIES: [(&str, &str, (&str, &str, &str)); 4] = [
    ("T16_networks_summary", "NETWORKS", ("T15_networks_by_size", "Total", "Total")),
    ("T16_networks_summary", "MULTI_FORCE", ("T15_networks_by_size", "Total", "MULTI_FORCE")),
    ("T18_persons_summary", "SUSPECT_RECORDS", ("T07_suspect_age_by_sex", "Total", "Total")),
    ("T18_persons_summary", "VICTIM_RECORDS", ("T06_victim_age_by_sex", "Total", "Total")),
];

/// Cells that two count tables both publish, as `((table, cell), (table, cell))` with cells
/// numbered row by row: the Total rows of tables of the same unit and columns (e.g. group-based
/// crimes by category in T03, T04, T05, T13 and T14), the grand totals of tables of the same
/// unit (victim records in T06 and T09), and the group-based crimes of T01 and the grand
/// totals of the group-based crime tables. Only figures that are equal are linked, so a
/// table of another base is never tied to one it merely resembles.
pub fn shared_cells(tables: &[crate::Table]) -> Vec<((usize, usize), (usize, usize))> {
    use crate::Kind;
    let mut out = Vec::new();
    let count: Vec<usize> = (0..tables.len()).filter(|&i| tables[i].kind == Kind::Count && !tables[i].rows.is_empty()).collect();
    let total_row = |t: &crate::Table| (t.rows.len() - 1) * t.cols.len();
    let grand = |t: &crate::Table| t.rows.len() * t.cols.len() - 1;
    let value = |t: &crate::Table, cell: usize| t.values[cell / t.cols.len()][cell % t.cols.len()];
    for (n, &a) in count.iter().enumerate() {
        for &b in &count[n + 1..] {
            let (ta, tb) = (&tables[a], &tables[b]);
            if ta.unit != tb.unit {
                continue;
            }
            if ta.cols == tb.cols && ta.values.last() == tb.values.last() {
                for c in 0..ta.cols.len() {
                    out.push(((a, total_row(ta) + c), (b, total_row(tb) + c)));
                }
            } else if value(ta, grand(ta)) == value(tb, grand(tb)) {
                out.push(((a, grand(ta)), (b, grand(tb))));
            }
        }
    }
    // Group-based crimes: a column of T01's Total row, and the grand total of each table of them.
    if let Some(f) = tables.iter().position(|t| t.id == "T01_scale_by_force") {
        let t01 = &tables[f];
        if let Some(c) = t01.cols.iter().position(|(code, _)| code == "GROUP_BASED") {
            let cell = total_row(t01) + c;
            if let Some(&b) = count.iter().find(|&&b| tables[b].unit == "group-based crimes" && value(&tables[b], grand(&tables[b])) == value(t01, cell)) {
                out.push(((f, cell), (b, grand(&tables[b]))));
            }
        }
    }
    out
}

/// The report's year: the last year row of S01, when the publication has a series.
fn series_year(tables: &[crate::Table]) -> Option<String> {
    let t = tables.iter().find(|t| t.id == "S01_scale_by_year")?;
    t.rows.len().checked_sub(2).map(|r| t.rows[r].0.clone())
}

/// Figures the series tables publish that another table publishes too, as in
/// [`shared_cells`]: the report's year in S01–S05 is T01's, T03's, T07's and T08's figures
/// (S02's year column is T01's group-based column), and each year's group-based crimes are
/// S01's, S02's and S03's, its suspect records S04's and S05's.
pub fn series_cells(tables: &[crate::Table]) -> Vec<((usize, usize), (usize, usize))> {
    let mut out = Vec::new();
    let Some(year) = series_year(tables) else { return out };
    let find = |id: &str| tables.iter().position(|t| t.id == id);
    let cell = |t: Option<usize>, r: &str, c: &str| -> Option<(usize, usize)> {
        let i = t?;
        let x = &tables[i];
        Some((i, x.rows.iter().position(|v| v.0 == r)? * x.cols.len() + x.cols.iter().position(|v| v.0 == c)?))
    };
    let value = |(i, cell): (usize, usize)| tables[i].values[cell / tables[i].cols.len()][cell % tables[i].cols.len()];
    let mut pair = |a: Option<(usize, usize)>, b: Option<(usize, usize)>| {
        if let (Some(a), Some(b)) = (a, b) {
            if value(a) == value(b) {
                out.push((a, b));
            }
        }
    };
    let (s01, s02, s03, s04, s05) = (find("S01_scale_by_year"), find("S02_group_based_by_force_and_year"), find("S03_category_by_year"), find("S04_suspect_age_by_year"), find("S05_suspect_ethnicity_by_year"));
    let (t01, t03, t07, t08) = (find("T01_scale_by_force"), find("T03_offence_group_by_category"), find("T07_suspect_age_by_sex"), find("T08_suspect_ethnicity_by_category"));
    let codes = |t: Option<usize>, rows: bool| -> Vec<String> { t.map(|i| if rows { &tables[i].rows } else { &tables[i].cols }).map(|d| d.iter().map(|x| x.0.clone()).collect()).unwrap_or_default() };
    for c in codes(s01, false) {
        pair(cell(s01, &year, &c), cell(t01, "Total", &c));
    }
    for f in codes(s02, true) {
        pair(cell(s02, &f, &year), cell(t01, &f, "GROUP_BASED"));
    }
    // Year rows and the Total row alike (S02's Total column is S01's Total row).
    for y in codes(s01, true) {
        pair(cell(s01, &y, "GROUP_BASED"), cell(s02, "Total", &y));
        pair(cell(s01, &y, "GROUP_BASED"), cell(s03, &y, "Total"));
        pair(cell(s04, &y, "Total"), cell(s05, &y, "Total"));
    }
    for c in codes(s03, false) {
        pair(cell(s03, &year, &c), cell(t03, "Total", &c));
    }
    for b in codes(s04, false) {
        pair(cell(s04, &year, &b), cell(t07, &b, "Total"));
    }
    for g in codes(s05, false) {
        pair(cell(s05, &year, &g), cell(t08, &g, "Total"));
    }
    out
}

/// C01 publishes S02's figures for the year and the year before: each is withheld where S02's
/// is, and a change where either side is.
fn change_follows_series(tables: &mut [crate::Table]) {
    let (Some(c), Some(s), Some(year)) = (
        tables.iter().position(|t| t.id == "C01_change_by_force"),
        tables.iter().position(|t| t.id == "S02_group_based_by_force_and_year"),
        series_year(tables),
    ) else {
        return;
    };
    let Ok(y) = year.parse::<i32>() else { return };
    let s02 = &tables[s];
    let col = |y: i32| s02.cols.iter().position(|x| x.0 == y.to_string());
    let (Some(prev), Some(cur)) = (col(y - 1), col(y)) else { return };
    let flags: Vec<Vec<bool>> = tables[c]
        .rows
        .iter()
        .map(|(code, _)| {
            let row = if code == "ENGLAND_AND_WALES" { "Total" } else { code.as_str() };
            let r = s02.rows.iter().position(|x| x.0 == row);
            let (p, q) = r.map_or((true, true), |r| (s02.suppressed[r][prev], s02.suppressed[r][cur]));
            vec![p, q, p || q, p || q]
        })
        .collect();
    tables[c].suppressed = flags;
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
    let (mut fam_h, mut cse_h) = (true, true);
    for (cat, n) in &h.group_based_by_category {
        let hid = count_hidden(*n, Some(("T03_offence_group_by_category", "Total", cat)));
        if cat == "FAMILIAL" { fam_h = hid; }
        if cat == "CSE" { cse_h = hid; }
        if hid { null(&mut v, &["group_based_by_category", cat]); }
    }
    if share(cse_h, h.group_based_crimes, gb_h) { null(&mut v, &["cse_share"]); }
    for (k, n) in &h.category_source {
        if count_hidden(*n, Some(("T17_category_source_by_category", &k.to_uppercase(), "Total"))) { null(&mut v, &["category_source", k]); }
    }
    if share(fam_h, h.group_based_crimes, gb_h) { null(&mut v, &["familial_share"]); }
    let vr_h = count_hidden(h.victim_records, Some(("T06_victim_age_by_sex", "Total", "Total")));
    let sr_h = count_hidden(h.suspect_records, Some(("T07_suspect_age_by_sex", "Total", "Total")));
    if vr_h { null(&mut v, &["victim_records"]); }
    if sr_h { null(&mut v, &["suspect_records"]); }
    if count_hidden(h.distinct_identified_suspects, Some(("T18_persons_summary", "DISTINCT_IDENTIFIED_SUSPECTS", "ENGLAND_AND_WALES"))) { null(&mut v, &["distinct_identified_suspects"]); }
    if count_hidden(h.distinct_identified_victims, Some(("T18_persons_summary", "DISTINCT_IDENTIFIED_VICTIMS", "ENGLAND_AND_WALES"))) { null(&mut v, &["distinct_identified_victims"]); }
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
    let summary = |row: &'static str| Some(("T16_networks_summary", row, "ENGLAND_AND_WALES"));
    if count_hidden(n.multi_offender, summary("MULTI_OFFENDER")) { null(&mut v, &["networks", "multi_offender"]); }
    if count_hidden(n.largest_crimes, summary("LARGEST_NETWORK_CRIMES")) { null(&mut v, &["networks", "largest_crimes"]); }
    if count_hidden(n.single_suspect_crimes_in_multi_offender_networks, summary("SINGLE_SUSPECT_CRIMES_IN_MULTI_OFFENDER")) { null(&mut v, &["networks", "single_suspect_crimes_in_multi_offender_networks"]); }
    const S01: &str = "S01_scale_by_year";
    if let Some(s) = &h.series {
        for (y, n) in &s.csae_crimes {
            if count_hidden(*n, Some((S01, y, "Total"))) { null(&mut v, &["series", "csae_crimes", y]); }
        }
        for (y, n) in &s.group_based_crimes {
            if count_hidden(*n, Some((S01, y, "GROUP_BASED"))) { null(&mut v, &["series", "group_based_crimes", y]); }
        }
    }
    if let Some(c) = &h.change {
        if let (Some(y), Some(p)) = (c.previous_year, c.group_based_previous) {
            let prev_h = count_hidden(p, Some((S01, &y.to_string(), "GROUP_BASED")));
            if prev_h { null(&mut v, &["change", "group_based_previous"]); }
            if share(gb_h || prev_h, p, prev_h) { null(&mut v, &["change", "group_based_change_share"]); }
        }
    }
    if let (Some(r), Some(y)) = (&h.repeat_suspects, h.series.as_ref().and_then(|s| s.years.last())) {
        const S06: &str = "S06_repeat_suspects_by_year";
        let y = y.to_string();
        let distinct_h = count_hidden(r.distinct_identified_suspects, Some((S06, &y, "Total")));
        let repeat_h = count_hidden(r.repeat, Some((S06, &y, "REPEAT")));
        if distinct_h { null(&mut v, &["repeat_suspects", "distinct_identified_suspects"]); }
        if repeat_h { null(&mut v, &["repeat_suspects", "repeat"]); }
        if share(repeat_h, r.distinct_identified_suspects, distinct_h) { null(&mut v, &["repeat_suspects", "repeat_share"]); }
    }
    // Rates and ratios are withheld in their tables with the counts they reveal.
    let e = crate::rates::ENGLAND_AND_WALES;
    for (key, col) in [("group_based_rate_per_100k", "RATE_PER_100K"), ("lower", "RATE_LOWER"), ("upper", "RATE_UPPER")] {
        if h.population.is_some() && hidden(crate::rates::R01, e, col) { null(&mut v, &["population", key]); }
    }
    for g in h.suspect_ethnicity_ratio.iter().flat_map(|m| m.keys()) {
        for (key, col) in [("ratio", "RATIO"), ("lower", "RATIO_LOWER"), ("upper", "RATIO_UPPER")] {
            if hidden(crate::rates::R02, g, col) { null(&mut v, &["suspect_ethnicity_ratio", g, key]); }
        }
    }
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

    /// A count table (interior given; totals added) as the analysis makes them.
    fn count_table(id: &str, unit: &str, interior: &[Vec<f64>]) -> crate::Table {
        let cols = interior[0].len();
        let mut values: Vec<Vec<Option<f64>>> = interior.iter().map(|r| r.iter().map(|x| Some(*x)).chain([Some(r.iter().sum())]).collect()).collect();
        let total: Vec<Option<f64>> = (0..=cols).map(|c| Some(values.iter().map(|r| r[c].unwrap()).sum())).collect();
        values.push(total);
        let n = values.len();
        crate::Table {
            id: id.into(),
            title: id.into(),
            unit: unit.into(),
            kind: crate::Kind::Count,
            col_name: "c".into(),
            row_name: "r".into(),
            rows: (0..n).map(|r| if r + 1 == n { ("Total".to_string(), "Total".to_string()) } else { (format!("R{r}"), format!("R{r}")) }).collect(),
            cols: (0..=cols).map(|c| if c == cols { ("Total".to_string(), "Total".to_string()) } else { (format!("C{c}"), format!("C{c}")) }).collect(),
            suppressed: vec![vec![false; cols + 1]; n],
            bases: Vec::new(),
            decimals: Vec::new(),
            values,
        }
    }

    /// The joint system of some tables with every shared cell tied to its copy, and the
    /// suppression the tables carry, built independently of `protect_tables`.
    fn joint(tables: &[crate::Table]) -> (Grid, Vec<bool>) {
        let mut g = Grid { values: Vec::new(), sums: Vec::new() };
        let mut offsets = Vec::new();
        let mut s = Vec::new();
        for t in tables {
            offsets.push(g.append(&Grid::of_table(t.rows.len(), t.cols.len(), &t.values)));
            s.extend(t.suppressed.iter().flatten().copied());
        }
        for ((a, ca), (b, cb)) in shared_cells(tables) {
            g.sums.push((offsets[a] + ca, vec![offsets[b] + cb]));
        }
        (g, s)
    }

    #[test]
    fn tables_sharing_a_margin_are_linked_only_when_the_margin_is_the_same() {
        let a = count_table("A", "group-based crimes", &[vec![1.0, 10.0], vec![2.0, 12.0]]);
        let b = count_table("B", "group-based crimes", &[vec![0.0, 15.0], vec![3.0, 7.0]]);
        let c = count_table("C", "group-based crimes", &[vec![4.0, 15.0], vec![3.0, 7.0]]);
        let d = count_table("D", "victim records", &[vec![0.0, 15.0], vec![3.0, 7.0]]);
        let links = shared_cells(&[a, b, c, d]);
        // A and B: the whole Total row (3 cells); C has another margin; D another unit.
        assert_eq!(links, vec![((0, 6), (1, 6)), ((0, 7), (1, 7)), ((0, 8), (1, 8))]);
    }

    /// A count table with named rows and columns (interior given; totals added).
    fn named(id: &str, unit: &str, rows: &[String], cols: &[&str], interior: &[Vec<f64>]) -> crate::Table {
        let mut t = count_table(id, unit, interior);
        for (r, code) in rows.iter().enumerate() {
            t.rows[r] = (code.clone(), code.clone());
        }
        for (c, code) in cols.iter().enumerate() {
            t.cols[c] = (code.to_string(), code.to_string());
        }
        t
    }

    /// T01, S01, S02 and C01 of a series of `years` years over `forces` forces, from the
    /// forces' group-based crimes per year (`gb[f][y]`, the last year the report's) and their
    /// other CSAE crimes in the report's year.
    fn series_tables(gb: &[Vec<f64>], not_gb: &[f64]) -> Vec<crate::Table> {
        let years: Vec<String> = (0..gb[0].len()).map(|y| (2020 + y).to_string()).collect();
        let forces: Vec<String> = (0..gb.len()).map(|f| format!("F{f}")).collect();
        let last = years.len() - 1;
        let t01 = named("T01_scale_by_force", "CSAE crimes", &forces, &["GROUP_BASED", "NOT_GROUP_BASED"], &gb.iter().zip(not_gb).map(|(g, n)| vec![g[last], *n]).collect::<Vec<_>>());
        let s02 = named("S02_group_based_by_force_and_year", "group-based crimes", &forces, &years.iter().map(String::as_str).collect::<Vec<_>>(), gb);
        // Other CSAE crimes of earlier years: a fixed multiple, so only group-based crimes vary.
        let s01_rows: Vec<Vec<f64>> = (0..years.len())
            .map(|y| vec![gb.iter().map(|g| g[y]).sum(), if y == last { not_gb.iter().sum() } else { 40.0 + y as f64 }])
            .collect();
        let s01 = named("S01_scale_by_year", "CSAE crimes", &years, &["GROUP_BASED", "NOT_GROUP_BASED"], &s01_rows);
        let mut tables = vec![t01, s01, s02];
        if years.len() > 1 {
            let mut rows = forces.clone();
            rows.push("ENGLAND_AND_WALES".into());
            let values: Vec<Vec<Option<f64>>> = (0..=gb.len())
                .map(|f| {
                    let (p, c) = if f == gb.len() { (gb.iter().map(|g| g[last - 1]).sum::<f64>(), gb.iter().map(|g| g[last]).sum::<f64>()) } else { (gb[f][last - 1], gb[f][last]) };
                    vec![Some(p), Some(c), Some(c - p), (p > 0.0).then(|| (100.0 * (c - p) / p).round())]
                })
                .collect();
            tables.push(crate::Table {
                id: "C01_change_by_force".into(),
                title: "C01".into(),
                unit: "group-based crimes".into(),
                kind: crate::Kind::Measures,
                row_name: "force".into(),
                col_name: "measure".into(),
                cols: ["PREVIOUS", "CURRENT", "CHANGE", "CHANGE_PCT"].map(|c| (c.to_string(), c.to_string())).to_vec(),
                suppressed: vec![vec![false; 4]; rows.len()],
                rows: rows.iter().map(|r| (r.clone(), r.clone())).collect(),
                values,
                bases: Vec::new(),
                decimals: Vec::new(),
            });
        }
        tables
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 60, ..Default::default() })]
        #[test]
        fn no_withheld_cell_is_recoverable_across_t01_s02_and_c01(
            forces in 2usize..5, years in 1usize..4,
            cells in proptest::collection::vec(proptest::prop_oneof![2 => proptest::prelude::Just(0u32), 3 => 1u32..5, 4 => 5u32..40], 16),
            others in proptest::collection::vec(0u32..30, 4),
            min_cell in 3u32..7,
        ) {
            let gb: Vec<Vec<f64>> = (0..forces).map(|f| (0..years).map(|y| f64::from(cells[f * 4 + y])).collect()).collect();
            let not_gb: Vec<f64> = (0..forces).map(|f| f64::from(others[f])).collect();
            let mut tables = series_tables(&gb, &not_gb);
            protect_tables(&mut tables, min_cell).expect("protection passes its own audit");
            // The joint system of the count tables, every shared figure tied to its copy.
            let counts: Vec<crate::Table> = tables.iter().filter(|t| t.kind == crate::Kind::Count).cloned().collect();
            let mut g = Grid { values: Vec::new(), sums: Vec::new() };
            let mut offsets = Vec::new();
            let mut s = Vec::new();
            for t in &counts {
                offsets.push(g.append(&Grid::of_table(t.rows.len(), t.cols.len(), &t.values)));
                s.extend(t.suppressed.iter().flatten().copied());
            }
            for ((a, ca), (b, cb)) in shared_cells(&counts).into_iter().chain(series_cells(&counts)) {
                g.sums.push((offsets[a] + ca, vec![offsets[b] + cb]));
            }
            passes(&g, &s, min_cell);
            // C01 publishes nothing S02 withholds: each side follows S02, a change needs both.
            if let Some(c01) = tables.iter().find(|t| t.id == "C01_change_by_force") {
                let s02 = &tables[2];
                let last = s02.cols.len() - 2;
                for (r, (code, _)) in c01.rows.iter().enumerate() {
                    let sr = if code == "ENGLAND_AND_WALES" { s02.rows.len() - 1 } else { s02.rows.iter().position(|x| &x.0 == code).unwrap() };
                    let (p, c) = (s02.suppressed[sr][last - 1], s02.suppressed[sr][last]);
                    proptest::prop_assert_eq!(&c01.suppressed[r], &vec![p, c, p || c, p || c]);
                }
            }
        }

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

        #[test]
        fn tables_sharing_a_margin_pass_the_joint_audit(
            rows_a in 1usize..4, rows_b in 1usize..4, cols in 1usize..4,
            cells in proptest::collection::vec(proptest::prop_oneof![3 => proptest::prelude::Just(0u32), 3 => 1u32..5, 4 => 5u32..40], 18),
            min_cell in 3u32..7,
        ) {
            // Two tables of the same unit and columns whose Total rows are the same: B's rows
            // split A's column totals differently (B's last row takes the remainder).
            let a: Vec<Vec<f64>> = (0..rows_a).map(|r| (0..cols).map(|c| f64::from(cells[r * 3 + c])).collect()).collect();
            let col_totals: Vec<f64> = (0..cols).map(|c| a.iter().map(|r| r[c]).sum()).collect();
            let mut b: Vec<Vec<f64>> = (0..rows_b.saturating_sub(1)).map(|r| (0..cols).map(|c| f64::from(cells[9 + r * 3 + c]).min(col_totals[c])).collect()).collect();
            let used: Vec<f64> = (0..cols).map(|c| b.iter().map(|r| r[c]).sum()).collect();
            if used.iter().zip(&col_totals).any(|(u, t)| u > t) {
                return Ok(());
            }
            b.push((0..cols).map(|c| col_totals[c] - used[c]).collect());
            let mut tables = vec![count_table("TA", "group-based crimes", &a), count_table("TB", "group-based crimes", &b)];
            protect_tables(&mut tables, min_cell).expect("protection passes its own audit");
            let (g, s) = joint(&tables);
            passes(&g, &s, min_cell);
        }
    }

    proptest::proptest! {
        // Each case audits the 44 forces, the regions and both derived tables: fewer cases.
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 40, ..Default::default() })]
        #[test]
        fn no_withheld_count_is_recoverable_from_the_rates_or_ratios(
            gb in proptest::collection::vec(proptest::prop_oneof![2 => proptest::prelude::Just(0u32), 3 => 1u32..5, 4 => 5u32..40], 10),
            other in proptest::collection::vec(0u32..20, 10),
            dropped in 0u32..1024,
            eth in proptest::collection::vec(proptest::prop_oneof![2 => proptest::prelude::Just(0u32), 3 => 1u32..5, 4 => 5u32..30], 12),
            min_cell in 3u32..7,
        ) {
            use crate::rates;
            // Crimes in the forces of two regions and British Transport Police; the population
            // file leaves out some of those forces, so regions' rates count a subset of T02's.
            let all = csae_model::forces();
            let busy: Vec<&str> = all.iter().filter(|f| ["North West", "Wales", "National"].contains(&f.region.as_str())).map(|f| f.id.as_str()).collect();
            proptest::prop_assert_eq!(busy.len(), 10);
            let count = |v: &[u32], id: &str| busy.iter().position(|b| *b == id).map_or(0.0, |i| f64::from(v[i]));
            let ids: Vec<String> = all.iter().map(|f| f.id.clone()).collect();
            let t01 = named("T01_scale_by_force", "CSAE crimes", &ids, &["GROUP_BASED", "NOT_GROUP_BASED"], &ids.iter().map(|id| vec![count(&gb, id), count(&other, id)]).collect::<Vec<_>>());
            let regions: Vec<String> = csae_model::forces::regions().into_iter().map(str::to_string).collect();
            let by_region: Vec<Vec<f64>> = regions.iter().map(|r| {
                let of = |v: &[u32]| all.iter().filter(|f| &f.region == r).map(|f| count(v, &f.id)).sum::<f64>();
                vec![of(&gb), of(&other)]
            }).collect();
            let t02 = named("T02_scale_by_region", "CSAE crimes", &regions, &["GROUP_BASED", "NOT_GROUP_BASED"], &by_region);
            let mut population = csae_model::Population::census_2011().clone();
            population.areas.retain(|a| busy.iter().position(|b| *b == a.force_id).is_none_or(|i| dropped & (1 << i) == 0));
            let groups: Vec<String> = ["ASIAN", "BLACK", "MIXED", "WHITE", "OTHER", "NOT_RECORDED"].map(String::from).to_vec();
            let t08 = named("T08_suspect_ethnicity_by_category", "suspect records", &groups, &["FAMILIAL", "CSE"], &(0..6).map(|g| vec![f64::from(eth[2 * g]), f64::from(eth[2 * g + 1])]).collect::<Vec<_>>());
            let r01 = rates::r01(&t01, &population);
            let r02 = rates::r02(&t08, &population);
            let mut alone = vec![t01.clone(), t02.clone(), t08.clone()];
            protect_tables(&mut alone, min_cell).expect("protection passes its own audit");
            let mut tables = vec![t01, t02, t08, r01, r02];
            protect_tables(&mut tables, min_cell).expect("protection passes its own audit");
            // R01 and R02 give up their own figures rather than withhold more of T01, T02 or T08.
            for (a, t) in alone.iter().zip(&tables) {
                proptest::prop_assert_eq!(&a.suppressed, &t.suppressed, "{} withholds more beside R01 and R02", t.id);
            }
            let (t01, t02, t08, r01, r02) = (&tables[0], &tables[1], &tables[2], &tables[3], &tables[4]);
            let published = |t: &crate::Table, r: usize, c: usize| t.values[r][c].is_some() && !t.suppressed[r][c];
            // A rate is published only with its count, which the population then adds nothing to.
            for r in 0..r01.rows.len() {
                for c in [2, 3, 4] {
                    proptest::prop_assert!(!published(r01, r, c) || published(r01, r, 1), "R01 {} rate published without its count", r01.rows[r].0);
                }
                proptest::prop_assert!(!published(r01, r, 6) || published(r01, r, 5));
            }
            let recorded: f64 = (0..5).map(|r| r02.values[r][0].unwrap_or(0.0)).sum();
            let any_share = (0..5).any(|r| (1..8).any(|c| c != 4 && published(r02, r, c)));
            for r in 0..5 {
                for c in (1..8).filter(|&c| c != 4) {
                    proptest::prop_assert!(!published(r02, r, c) || (published(r02, r, 0) && recorded >= f64::from(min_cell)), "R02 {} share published without its count", r02.rows[r].0);
                }
            }
            // The joint system, built here independently: T01, T02 and T08 with their totals,
            // R01's and R02's counts tied to the cells they copy, regions' and the nation's
            // counts to their forces with a population, and the records with ethnicity recorded,
            // which a published share reveals.
            let mut g = Grid { values: Vec::new(), sums: Vec::new() };
            let mut s: Vec<bool> = Vec::new();
            let mut off = Vec::new();
            for t in [t01, t02, t08] {
                off.push(g.append(&Grid::of_table(t.rows.len(), t.cols.len(), &t.values)));
                s.extend(t.suppressed.iter().flatten().copied());
            }
            let cell = |k: usize, t: &crate::Table, r: &str, c: &str| off[k] + t.rows.iter().position(|x| x.0 == r).unwrap() * t.cols.len() + t.cols.iter().position(|x| x.0 == c).unwrap();
            for region in &regions {
                for col in ["GROUP_BASED", "NOT_GROUP_BASED", "Total"] {
                    g.sums.push((cell(1, t02, region, col), all.iter().filter(|f| &f.region == region).map(|f| cell(0, t01, &f.id, col)).collect()));
                }
            }
            let r01_at = g.values.len();
            for r in 0..r01.rows.len() {
                g.values.extend([r01.values[r][1].unwrap_or(0.0), r01.values[r][5].unwrap_or(0.0)]);
                s.extend([r01.suppressed[r][1], r01.suppressed[r][5]]);
            }
            let populated = |id: &str| population.area(id).is_some();
            let row_of = |id: &str| r01.rows.iter().position(|x| x.0 == id).unwrap();
            for (r, (code, _)) in r01.rows.iter().enumerate() {
                let members: Vec<usize> = all.iter().filter(|f| code == "ENGLAND_AND_WALES" || &f.region == code).filter(|f| populated(&f.id)).map(|f| row_of(&f.id)).collect();
                for (j, col) in ["GROUP_BASED", "Total"].into_iter().enumerate() {
                    if ids.contains(code) {
                        g.sums.push((r01_at + 2 * r + j, vec![cell(0, t01, code, col)]));
                    } else if !members.is_empty() {
                        g.sums.push((r01_at + 2 * r + j, members.iter().map(|m| r01_at + 2 * m + j).collect()));
                    }
                }
            }
            let r02_at = g.values.len();
            for r in 0..5 {
                g.values.push(r02.values[r][0].unwrap());
                s.push(r02.suppressed[r][0]);
                g.sums.push((r02_at + r, vec![cell(2, t08, &r02.rows[r].0, "Total")]));
            }
            g.values.push(recorded);
            s.push(!any_share);
            g.sums.push((r02_at + 5, (r02_at..r02_at + 5).collect()));
            // Unshown and not small, the records with ethnicity recorded need no range of their own.
            let exposed: Vec<CellRange> = g.audit(&s, min_cell).into_iter().filter(|r| r.cell != r02_at + 5 || is_primary(recorded, min_cell)).collect();
            proptest::prop_assert!(exposed.is_empty(), "exposed: {:?}", exposed);
            for (c, v) in g.values.iter().enumerate() {
                proptest::prop_assert!(!is_primary(*v, min_cell) || s[c], "small count {} published (cell {})", v, c);
            }
        }
    }
}
