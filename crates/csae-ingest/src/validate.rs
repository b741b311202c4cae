//! Validation of a return against the rules of the data standard, in the cascade order
//! crimes → victims and suspects → relationships. Every row read ends up either accepted (as a
//! typed row, ready to pseudonymise) or rejected with the rules it broke; nothing else.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chrono::NaiveDate;
use csae_model::{CodeList, ColumnKind, Offence, Table, code_list, dates, nationality, offence};

use crate::read::{RawReturn, RawTable};
use crate::rules::{Rule, Severity};

/// Options of a validation run.
#[derive(Debug, Clone, Copy)]
pub struct ValidateOptions {
    /// The day of ingest: a `recorded_date` after it breaks `C07`.
    pub today: NaiveDate,
    /// Show personal values (person refs, PNC ids, dates of birth) in messages. Only for the
    /// submitting force's own feedback; national outputs keep this off.
    pub show_personal: bool,
    /// The period the return is declared for (`--period`): a crime recorded outside it breaks
    /// `C08`. `None`: the return covers the years its recorded dates span.
    pub period: Option<(NaiveDate, NaiveDate)>,
}

/// One problem found in one row (and column), as the submitter will read it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Issue {
    pub rule: Rule,
    pub severity: Severity,
    pub table: Table,
    pub row: u32,
    pub column: Option<&'static str>,
    /// The offending value, capped ([`csae_model::text::capped`]); `None` for a personal value when
    /// personal values are hidden.
    pub value: Option<String>,
    pub message: String,
    /// The personal value and the message that shows it, kept aside when personal values are
    /// hidden (never serialised): the portal stores them for the force's own users only.
    #[serde(skip)]
    pub personal: Option<Box<PersonalValue>>,
}

/// A hidden personal value and its message as it reads with the value shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PersonalValue {
    pub value: String,
    pub message: String,
}

/// An accepted crime, typed.
#[derive(Debug, Clone)]
pub struct Crime<'a> {
    pub row: usize,
    pub crime_ref: &'a str,
    pub recorded_date: NaiveDate,
    pub offence_date_from: Option<NaiveDate>,
    pub offence_date_to: Option<NaiveDate>,
    pub offence: &'static Offence,
    pub csa_flag: Option<&'static str>,
    pub cse_flag: Option<&'static str>,
    pub online_flag: Option<&'static str>,
    pub cocad_category: Option<&'static str>,
    /// Blank is `UNKNOWN`.
    pub location_type: &'static str,
    pub operation_ref: Option<&'a str>,
}

/// An accepted victim or suspect, typed; the date of birth is already reduced to an age.
#[derive(Debug, Clone)]
pub struct Person<'a> {
    pub row: usize,
    /// Position of the person's crime in [`Validated::crimes`].
    pub crime: u32,
    pub crime_ref: &'a str,
    pub person_ref: &'a str,
    pub pnc_id: Option<&'a str>,
    pub age_at_offence: Option<u8>,
    /// The age was derived from `date_of_birth` (not given).
    pub age_derived: bool,
    /// Blank is `U`.
    pub sex: &'static str,
    pub ethnicity: Option<&'static str>,
    pub ethnicity_officer: Option<&'static str>,
    pub nationality: Option<&'static str>,
}

impl Person<'_> {
    /// An unidentified person: a placeholder `UNK…` reference that never links crimes.
    pub fn is_unidentified(&self) -> bool {
        is_unidentified(self.person_ref)
    }
}

pub fn is_unidentified(person_ref: &str) -> bool {
    person_ref.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("UNK"))
}

#[derive(Debug, Clone)]
pub struct Relationship<'a> {
    pub row: usize,
    /// Positions of the crime, victim and suspect in [`Validated`]'s accepted rows.
    pub crime: u32,
    pub victim: u32,
    pub suspect: u32,
    pub crime_ref: &'a str,
    pub victim_ref: &'a str,
    pub suspect_ref: &'a str,
    pub relationship: &'static str,
}

/// Rows read, accepted and rejected, and rows with warnings, for one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct TableCounts {
    pub read: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub warnings: usize,
}

/// A validated return: accepted typed rows, rejected rows with their rule masks, and issues.
#[derive(Debug)]
pub struct Validated<'a> {
    pub raw: &'a RawReturn,
    pub crimes: Vec<Crime<'a>>,
    pub victims: Vec<Person<'a>>,
    pub suspects: Vec<Person<'a>>,
    pub relationships: Vec<Relationship<'a>>,
    /// Per table (in `Table::ALL` order): the rule mask of every row (0 = accepted without
    /// warning). Errors and warnings share the mask; `Rule::severity` tells them apart.
    pub masks: [Vec<u32>; 4],
    pub issues: Vec<Issue>,
}

const ERROR_MASK: u32 = !(Rule::P06.bit() | Rule::P07.bit() | Rule::W01.bit() | Rule::W02.bit());

impl Validated<'_> {
    pub fn counts(&self, t: Table) -> TableCounts {
        let masks = &self.masks[t as usize];
        let rejected = masks.iter().filter(|m| *m & ERROR_MASK != 0).count();
        let warnings = masks.iter().filter(|m| **m & ERROR_MASK == 0 && **m != 0).count();
        TableCounts { read: masks.len(), accepted: masks.len() - rejected, rejected, warnings }
    }

    /// Rows rejected per rule (a row breaking two rules counts under each), or rows warned per
    /// warning code.
    pub fn rule_counts(&self, severity: Severity) -> std::collections::BTreeMap<Rule, usize> {
        let mut out = std::collections::BTreeMap::new();
        for masks in &self.masks {
            for &m in masks.iter().filter(|m| **m != 0) {
                let rejected = m & ERROR_MASK != 0;
                for r in Rule::in_mask(m) {
                    // A rejected row's warnings are moot: only accepted rows carry warnings.
                    if r.severity() == severity && (severity == Severity::Error || !rejected) {
                        *out.entry(r).or_default() += 1;
                    }
                }
            }
        }
        out
    }

    /// Record indices of the rejected rows of a table, with their error rules.
    pub fn rejected_rows(&self, t: Table) -> impl Iterator<Item = (usize, u32)> + '_ {
        self.masks[t as usize].iter().enumerate().filter(|(_, m)| **m & ERROR_MASK != 0).map(|(i, m)| (i, *m & ERROR_MASK))
    }
}

/// Collects issues and rule bits for one table.
struct Checker<'a> {
    raw: &'a RawTable,
    masks: Vec<u32>,
    issues: Vec<Issue>,
    show_personal: bool,
    /// The code list of each coded column, looked up once.
    lists: Vec<Option<&'static CodeList>>,
    /// The cells of the row being checked ([`Checker::at`]), by column.
    cells: Vec<&'a str>,
}

impl<'a> Checker<'a> {
    fn new(raw: &'a RawTable, show_personal: bool) -> Self {
        let lists = raw.table.columns().iter().map(|c| if let ColumnKind::Code(l) = c.kind { Some(code_list(l)) } else { None }).collect();
        let cells = vec![""; raw.table.columns().len()];
        Checker { raw, masks: vec![0; raw.len()], issues: Vec::new(), show_personal, lists, cells }
    }

    /// A checker for the rows of `raw`, with the table's stray values (`F02`) flagged.
    fn for_rows(raw: &'a RawTable, show_personal: bool) -> Self {
        let mut ck = Checker::new(raw, show_personal);
        for s in &raw.strays {
            let value = csae_model::text::quoted(&s.value);
            let more = match s.more {
                0 => String::new(),
                1 => " and 1 more value".to_string(),
                n => format!(" and {n} more values"),
            };
            let detail = format!(
                "the row has a value in {}, which the header does not name ({value}{more}); it would be lost, so the row is rejected: give the column a header, or put quotes around a value that contains a comma",
                s.place
            );
            ck.flag(s.record, Rule::F02, None, &detail);
        }
        ck
    }

    /// Starts checking row `i`: its cells are found once, in one pass, for the checks of the
    /// row (finding a cell each time a check read it found most cells twice: for the
    /// required-column check, then for the typed one). A cell holding a control character
    /// breaks `F03`.
    fn at(&mut self, i: usize) {
        self.raw.row(i).cells_into(&mut self.cells);
        if self.raw.controls {
            for col in 0..self.cells.len() {
                if let Some(c) = csae_model::text::forbidden_control(self.cells[col]) {
                    let detail = format!("the value holds the control character {}, which no value of a return may hold; remove it", csae_model::text::name_control(c));
                    self.flag(i, Rule::F03, Some(col), &detail);
                }
            }
        }
    }

    /// A cell of the row being checked ([`Checker::at`]).
    #[inline]
    fn cell(&self, col: usize) -> &'a str {
        self.cells[col]
    }

    /// Records that row `i` broke `rule` in column `col` (an index into the table's columns,
    /// or `None` for the row as a whole). `detail` is the rest of the sentence; `{v}` in it
    /// stands for the quoted value (hidden when personal).
    fn flag(&mut self, i: usize, rule: Rule, col: Option<usize>, detail: &str) {
        self.masks[i] |= rule.bit();
        let column = col.map(|c| self.raw.table.columns()[c]);
        let personal = column.is_some_and(|c| c.personal) && !self.show_personal;
        let value = col.map(|c| self.raw.cell(i, c));
        let shown = match (value, personal) {
            (_, true) => "(personal value hidden)".to_string(),
            (Some(v), false) => csae_model::text::quoted(v),
            (None, _) => String::new(),
        };
        let row = self.raw.rows[i];
        let place = match column {
            Some(c) => format!("{} row {row}, column {}", self.raw.file, c.name),
            None => format!("{} row {row}", self.raw.file),
        };
        let kept = match value.filter(|_| personal) {
            Some(v) => Some(Box::new(PersonalValue {
                value: csae_model::text::capped(v).into_owned(),
                message: format!("{place}: {} ({rule})", detail.replace("{v}", &csae_model::text::quoted(v))),
            })),
            None => None,
        };
        self.issues.push(Issue {
            rule,
            severity: rule.severity(),
            table: self.raw.table,
            row,
            column: column.map(|c| c.name),
            value: if personal { None } else { value.map(|v| csae_model::text::capped(v).into_owned()) },
            message: format!("{place}: {} ({rule})", detail.replace("{v}", &shown)),
            personal: kept,
        });
    }

    /// Blank required columns: flags each with `rule`; true when any was blank.
    fn required(&mut self, i: usize, rule: Rule) -> bool {
        let mut blank = false;
        for (c, col) in self.raw.table.columns().iter().enumerate() {
            if col.required && self.cell(c).is_empty() {
                self.flag(i, rule, Some(c), &format!("{} is blank but required; fill it in", col.name));
                blank = true;
            }
        }
        blank
    }

    /// A code-list column: the canonical code, `None` when blank; flags `rule` when invalid.
    fn code(&mut self, i: usize, col: usize, rule: Rule) -> Option<&'static str> {
        let v = self.cell(col);
        if v.is_empty() {
            return None;
        }
        let list = self.lists[col].expect("a coded column");
        let found = list.canonical(v);
        if found.is_none() {
            let codes: Vec<&str> = list.codes().collect();
            self.flag(i, rule, Some(col), &format!("{{v}} is not in the {} code list; use one of {}", list.name, codes.join(", ")));
        }
        found
    }

    fn date(&mut self, i: usize, col: usize, rule: Rule) -> Option<NaiveDate> {
        let v = self.cell(col);
        if v.is_empty() {
            return None;
        }
        let d = dates::parse_iso(v);
        if d.is_none() {
            self.flag(i, rule, Some(col), "{v} is not a valid date; write it as YYYY-MM-DD, e.g. 2023-01-31");
        }
        d
    }

    /// A reference of at most `max` characters; flags `rule` when longer.
    fn reference(&mut self, i: usize, col: usize, rule: Rule) -> Option<&'a str> {
        let v = self.cell(col);
        if v.is_empty() {
            return None;
        }
        let ColumnKind::Ref { max } = self.raw.table.columns()[col].kind else { unreachable!("not a reference") };
        if v.chars().count() > max {
            self.flag(i, rule, Some(col), &format!("{{v}} is longer than {max} characters; shorten the reference"));
            return None;
        }
        Some(v)
    }

    /// Flags every row of each group of rows sharing a key, from the keys' counts, and
    /// returns the rows of each key for [`Index`]. `keys` (every row's non-blank key, found
    /// again) is read only when a key was given more than once, to list its rows.
    fn duplicates<K: std::hash::Hash + Eq + Copy>(
        &mut self,
        counts: KeyCounts<K>,
        keys: impl Iterator<Item = (usize, K)>,
        rule: Rule,
        col: usize,
        what: impl Fn(&K, usize, &str) -> String,
    ) -> HashMap<K, (u32, u32)> {
        let KeyCounts { by_key, repeated } = counts;
        if !repeated {
            return by_key;
        }
        let mut groups: HashMap<K, Vec<usize>> = HashMap::default();
        for (i, k) in keys {
            if by_key[&k].0 > 1 {
                groups.entry(k).or_default().push(i);
            }
        }
        let mut dups: Vec<(K, Vec<usize>)> = groups.into_iter().collect();
        dups.sort_by_key(|(_, v)| v[0]);
        for (k, rows) in dups {
            let shown: Vec<String> = rows.iter().map(|&r| self.raw.rows[r].to_string()).collect();
            let detail = what(&k, rows.len(), &shown.join(", "));
            for r in rows {
                self.flag(r, rule, Some(col), &detail);
            }
        }
        by_key
    }
}

/// Rows per key (and the first of them), counted as a table's rows are checked, for the rules
/// that reject every copy of a repeated key; no list of keys is kept.
struct KeyCounts<K> {
    by_key: HashMap<K, (u32, u32)>,
    repeated: bool,
}

impl<K: std::hash::Hash + Eq + Copy> KeyCounts<K> {
    fn with_capacity(n: usize) -> KeyCounts<K> {
        let mut by_key = HashMap::default();
        by_key.reserve(n);
        KeyCounts { by_key, repeated: false }
    }

    /// Row `i` has key `k` (never a blank one).
    #[inline]
    fn add(&mut self, i: usize, k: K) {
        let e = self.by_key.entry(k).or_insert((0, i as u32));
        e.0 += 1;
        self.repeated |= e.0 > 1;
    }
}

/// Accepted rows found by key (a crime by its `crime_ref`, a person by crime and
/// `person_ref`), from the key counts of the duplicate check: a key of exactly one row names
/// that row, if it was accepted, by its position among the accepted rows; a key of several rows
/// names none, since every copy is rejected. One map serves both the duplicate rule and the
/// lookups: a second map of the accepted rows' keys cost as much to build again.
struct Index<K> {
    /// Per key: rows having it, and the first of them.
    rows: HashMap<K, (u32, u32)>,
    /// Per row of the table: its position among the accepted rows, `u32::MAX` when rejected.
    positions: Vec<u32>,
}

impl<K: std::hash::Hash + Eq> Index<K> {
    fn new(rows: HashMap<K, (u32, u32)>, table_rows: usize, accepted: impl Iterator<Item = usize>) -> Index<K> {
        let mut positions = vec![u32::MAX; table_rows];
        for (k, row) in accepted.enumerate() {
            positions[row] = k as u32;
        }
        Index { rows, positions }
    }

    /// Position of the accepted row with key `k`.
    #[inline]
    fn get<Q: ?Sized + std::hash::Hash + Eq>(&self, k: &Q) -> Option<usize>
    where
        K: std::borrow::Borrow<Q>,
    {
        match self.rows.get(k) {
            Some(&(1, row)) => Some(self.positions[row as usize]).filter(|&p| p != u32::MAX).map(|p| p as usize),
            _ => None,
        }
    }
}

/// Validates a return read from a force.
pub fn validate<'a>(raw: &'a RawReturn, opts: &ValidateOptions) -> Validated<'a> {
    let force_id = raw.force.id.as_str();

    // ---- crimes ----
    let t = raw.table(Table::Crimes);
    let mut ck = Checker::for_rows(t, opts.show_personal);
    let c = |name| Table::Crimes.column_index(name).expect("crime column");
    let (c_force, c_ref, c_rec, c_from, c_to, c_code) =
        (c("force_id"), c("crime_ref"), c("recorded_date"), c("offence_date_from"), c("offence_date_to"), c("offence_code"));
    let (c_csa, c_cse, c_online, c_cocad, c_loc, c_op) =
        (c("csa_flag"), c("cse_flag"), c("online_flag"), c("cocad_category"), c("location_type"), c("operation_ref"));
    let mut candidates: Vec<Option<Crime>> = Vec::with_capacity(t.len());
    let mut counts = KeyCounts::with_capacity(t.len());
    for i in 0..t.len() {
        ck.at(i);
        ck.required(i, Rule::C01);
        let key = ck.cell(c_ref);
        if !key.is_empty() {
            counts.add(i, key);
        }
        let f = ck.cell(c_force);
        if !f.is_empty() && !f.eq_ignore_ascii_case(force_id) {
            ck.flag(i, Rule::C02, Some(c_force), &format!("force_id {{v}} is not this return's force; every row must say {force_id}"));
        }
        let crime_ref = ck.reference(i, c_ref, Rule::C05);
        let recorded = ck.date(i, c_rec, Rule::C03);
        let from = ck.date(i, c_from, Rule::C03);
        let to = ck.date(i, c_to, Rule::C03);
        let code = ck.cell(c_code);
        let off = if code.is_empty() { None } else { offence(code) };
        if !code.is_empty() && off.is_none() {
            ck.flag(i, Rule::C04, Some(c_code), "offence code {v} is not in the offence catalogue; use a Home Office code such as 19D or 22B");
        }
        let csa = ck.code(i, c_csa, Rule::C05);
        let cse = ck.code(i, c_cse, Rule::C05);
        let online = ck.code(i, c_online, Rule::C05);
        let cocad = ck.code(i, c_cocad, Rule::C05);
        let loc = ck.code(i, c_loc, Rule::C05);
        let op = ck.reference(i, c_op, Rule::C05);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            ck.flag(i, Rule::C07, Some(c_from), &format!("offence_date_from {{v}} is after offence_date_to {t}; correct the dates"));
        }
        if let (Some(f), Some(r)) = (from, recorded)
            && f > r
        {
            ck.flag(i, Rule::C07, Some(c_from), &format!("offence_date_from {{v}} is after recorded_date {r}; correct the dates"));
        }
        if let Some(r) = recorded
            && r > opts.today
        {
            ck.flag(i, Rule::C07, Some(c_rec), &format!("recorded_date {{v}} is later than today ({}); correct the date", opts.today));
        }
        if let (Some(r), Some((from, to))) = (recorded, opts.period)
            && (r < from || r > to)
        {
            ck.flag(
                i,
                Rule::C08,
                Some(c_rec),
                &format!("recorded_date {{v}} is outside {from} to {to}, the period this return is declared for; send the crime in the return of the period it was recorded in, or correct the date"),
            );
        }
        candidates.push(match (crime_ref, recorded, off) {
            (Some(crime_ref), Some(recorded_date), Some(offence)) => Some(Crime {
                row: i,
                crime_ref,
                recorded_date,
                offence_date_from: from,
                offence_date_to: to,
                offence,
                csa_flag: csa,
                cse_flag: cse,
                online_flag: online,
                cocad_category: cocad,
                location_type: loc.unwrap_or("UNKNOWN"),
                operation_ref: op,
            }),
            _ => None,
        });
    }
    let keys = (0..t.len()).filter_map(|i| Some((i, t.cell(i, c_ref))).filter(|(_, k)| !k.is_empty()));
    let crime_keys = ck.duplicates(counts, keys, Rule::C06, c_ref, |k, n, rows| {
        format!("crime_ref {k} occurs {n} times in this return (rows {rows}); give each crime one row with its own crime_ref")
    });
    let crime_masks = ck.masks;
    let mut issues = ck.issues;
    let crimes: Vec<Crime> = candidates
        .into_iter()
        .zip(&crime_masks)
        .filter_map(|(c, m)| c.filter(|_| *m & ERROR_MASK == 0))
        .collect();
    let crime_index = Index::new(crime_keys, t.len(), crimes.iter().map(|c| c.row));

    // ---- victims and suspects ----
    let (victims, victim_masks, has_victim, victim_index) = validate_people(raw, Table::Victims, &crimes, &crime_index, opts, &mut issues);
    let (suspects, suspect_masks, has_suspect, suspect_index) = validate_people(raw, Table::Suspects, &crimes, &crime_index, opts, &mut issues);

    // ---- relationships ----
    let (relationships, rel_masks) = validate_relationships(raw, &crime_index, &victim_index, &suspect_index, opts, &mut issues);

    // ---- crime warnings, now that people are known ----
    let mut crime_masks = crime_masks;
    let mut ck = Checker::new(t, opts.show_personal);
    ck.masks = std::mem::take(&mut crime_masks);
    for (k, c) in crimes.iter().enumerate() {
        if !has_victim[k] && c.offence.group != "INDECENT_IMAGES" {
            ck.flag(c.row, Rule::W01, Some(c_ref), "crime {v} has no accepted victim; add its victims to the victims table or fix the rejected ones");
        }
        if !has_suspect[k] {
            ck.flag(c.row, Rule::W02, Some(c_ref), "crime {v} has no accepted suspect; add its suspects (an unidentified one as UNK1) or fix the rejected ones");
        }
    }
    issues.extend(ck.issues);
    issues.sort_by_key(|i| (i.table, i.row, i.rule));
    Validated { raw, crimes, victims, suspects, relationships, masks: [ck.masks, victim_masks, suspect_masks, rel_masks], issues }
}

/// Accepted people, the rule mask of every row, whether each accepted crime has one, and the
/// accepted people by crime and `person_ref`.
type PeopleResult<'a> = (Vec<Person<'a>>, Vec<u32>, Vec<bool>, Index<(&'a str, &'a str)>);

fn validate_people<'a>(
    raw: &'a RawReturn,
    table: Table,
    crimes: &[Crime<'a>],
    crime_index: &Index<&'a str>,
    opts: &ValidateOptions,
    issues: &mut Vec<Issue>,
) -> PeopleResult<'a> {
    let force_id = raw.force.id.as_str();
    let t = raw.table(table);
    let mut ck = Checker::for_rows(t, opts.show_personal);
    let c = |name| table.column_index(name).expect("person column");
    let (c_force, c_crime, c_person, c_pnc, c_age, c_dob) =
        (c("force_id"), c("crime_ref"), c("person_ref"), c("pnc_id"), c("age_at_offence"), c("date_of_birth"));
    let (c_sex, c_eth, c_eth_off, c_nat) = (c("sex"), c("ethnicity"), c("ethnicity_officer"), c("nationality"));
    // Only needed to word a P02 message, so built on first use.
    let rejected_crimes: std::cell::OnceCell<HashSet<&str>> = std::cell::OnceCell::new();
    let crime_refs_read = || {
        let ct = raw.table(Table::Crimes);
        let cr = Table::Crimes.column_index("crime_ref").expect("crime_ref");
        (0..ct.len()).map(|i| ct.cell(i, cr)).collect::<HashSet<&str>>()
    };
    let mut candidates: Vec<Option<Person>> = Vec::with_capacity(t.len());
    let mut counts = KeyCounts::with_capacity(t.len());
    for i in 0..t.len() {
        ck.at(i);
        ck.required(i, Rule::P01);
        let (crime_ref, person_cell) = (ck.cell(c_crime), ck.cell(c_person));
        if !crime_ref.is_empty() && !person_cell.is_empty() {
            counts.add(i, (crime_ref, person_cell));
        }
        let f = ck.cell(c_force);
        let crime_no = crime_index.get(crime_ref);
        let crime = crime_no.map(|k| &crimes[k]);
        if !f.is_empty() && !f.eq_ignore_ascii_case(force_id) {
            ck.flag(i, Rule::P02, Some(c_force), &format!("force_id {{v}} is not this return's force; every row must say {force_id}"));
        } else if !crime_ref.is_empty() && crime.is_none() {
            let why = if rejected_crimes.get_or_init(crime_refs_read).contains(crime_ref) {
                "crime_ref {v} is a crime that was rejected; fix that crime and this row is accepted with it"
            } else {
                "crime_ref {v} is not a crime of this return; add the crime to the crimes table or correct the reference"
            };
            ck.flag(i, Rule::P02, Some(c_crime), why);
        }
        let person_ref = ck.reference(i, c_person, Rule::P04);
        let pnc_id = ck.reference(i, c_pnc, Rule::P04);
        let age_text = ck.cell(c_age);
        let age: Option<u8> = if age_text.is_empty() {
            None
        } else {
            let a = (age_text.len() <= 3 && age_text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| age_text.parse::<u8>().ok())
                .flatten()
                .filter(|a| *a <= 120);
            if a.is_none() {
                ck.flag(i, Rule::P03, Some(c_age), "age_at_offence {v} is not a whole number of years from 0 to 120; correct it or leave it blank");
            }
            a
        };
        let dob = ck.date(i, c_dob, Rule::P04);
        let sex = ck.code(i, c_sex, Rule::P04);
        let eth = ck.code(i, c_eth, Rule::P04);
        let eth_off = ck.code(i, c_eth_off, Rule::P04);
        let nat_text = ck.cell(c_nat);
        let nat = if nat_text.is_empty() { None } else { nationality::canonical(nat_text) };
        if !nat_text.is_empty() && nat.is_none() {
            ck.flag(i, Rule::P04, Some(c_nat), "nationality {v} is not an ISO 3166-1 alpha-3 country code; use e.g. GBR, POL or NGA, or leave it blank");
        }
        // Age from date of birth to the start of the offending, when both are known.
        let dob_age = match (dob, crime.and_then(|c| c.offence_date_from)) {
            (Some(d), Some(from)) => Some(dates::whole_years(d, from)).filter(|a| (0..=120).contains(a)).map(|a| a as u8),
            _ => None,
        };
        if let (Some(a), Some(d)) = (age, dob_age)
            && a.abs_diff(d) > 1
        {
            ck.flag(i, Rule::P06, Some(c_age), &format!("age_at_offence {{v}} and the age from date_of_birth ({d}) differ by more than a year; age_at_offence is used, so check both"));
        }
        let effective_age = age.or(dob_age);
        if table == Table::Victims
            && let (Some(a), Some(cr)) = (effective_age, crime)
            && let Some(limit) = cr.offence.victim_age_below
            && a >= limit
        {
            ck.flag(i, Rule::P07, Some(c_age), &format!("a victim aged {a} contradicts offence {} (a child under {limit}); check the age or the offence code", cr.offence.code));
        }
        candidates.push(match (crime_no, person_ref) {
            (Some(k), Some(person_ref)) => Some(Person {
                row: i,
                crime: k as u32,
                crime_ref: crimes[k].crime_ref,
                person_ref,
                pnc_id,
                age_at_offence: effective_age,
                age_derived: age.is_none() && dob_age.is_some(),
                sex: sex.unwrap_or("U"),
                ethnicity: eth,
                ethnicity_officer: eth_off,
                nationality: nat,
            }),
            _ => None,
        });
    }
    let keys = (0..t.len()).filter_map(|i| {
        let (cr, pr) = (t.cell(i, c_crime), t.cell(i, c_person));
        (!cr.is_empty() && !pr.is_empty()).then_some((i, (cr, pr)))
    });
    let person_keys = ck.duplicates(counts, keys, Rule::P05, c_person, |(cr, _), n, rows| {
        format!("person_ref {{v}} occurs {n} times for crime {cr} (rows {rows}); give each person one row per crime")
    });
    let mut has_person = vec![false; crimes.len()];
    let people: Vec<Person> = candidates
        .into_iter()
        .zip(&ck.masks)
        .filter_map(|(p, m)| p.filter(|_| *m & ERROR_MASK == 0))
        .inspect(|p| has_person[p.crime as usize] = true)
        .collect();
    issues.extend(ck.issues);
    let index = Index::new(person_keys, t.len(), people.iter().map(|p| p.row));
    (people, ck.masks, has_person, index)
}

fn validate_relationships<'a>(
    raw: &'a RawReturn,
    crime_index: &Index<&'a str>,
    victim_index: &Index<(&'a str, &'a str)>,
    suspect_index: &Index<(&'a str, &'a str)>,
    opts: &ValidateOptions,
    issues: &mut Vec<Issue>,
) -> (Vec<Relationship<'a>>, Vec<u32>) {
    let force_id = raw.force.id.as_str();
    let t = raw.table(Table::Relationships);
    let mut ck = Checker::for_rows(t, opts.show_personal);
    let c = |name| Table::Relationships.column_index(name).expect("relationship column");
    let (c_force, c_crime, c_victim, c_suspect, c_rel) = (c("force_id"), c("crime_ref"), c("victim_ref"), c("suspect_ref"), c("relationship"));
    let mut candidates = Vec::with_capacity(t.len());
    let mut counts = KeyCounts::with_capacity(t.len());
    for i in 0..t.len() {
        ck.at(i);
        ck.required(i, Rule::R01);
        let (crime_ref, victim_ref, suspect_ref) = (ck.cell(c_crime), ck.cell(c_victim), ck.cell(c_suspect));
        if !crime_ref.is_empty() && !victim_ref.is_empty() && !suspect_ref.is_empty() {
            counts.add(i, (crime_ref, victim_ref, suspect_ref));
        }
        let f = ck.cell(c_force);
        let mut linked = true;
        // The accepted victim and suspect rows this row names, when it names them.
        let mut found: [Option<u32>; 2] = [None, None];
        if !f.is_empty() && !f.eq_ignore_ascii_case(force_id) {
            ck.flag(i, Rule::R02, Some(c_force), &format!("force_id {{v}} is not this return's force; every row must say {force_id}"));
            linked = false;
        } else if !crime_ref.is_empty() {
            let known_crime = crime_index.get(crime_ref).is_some();
            let roles = [("victim", c_victim, victim_ref, victim_index), ("suspect", c_suspect, suspect_ref, suspect_index)];
            for (slot, (role, col, person, accepted)) in roles.into_iter().enumerate() {
                if person.is_empty() {
                    continue;
                }
                if let Some(k) = accepted.get(&(crime_ref, person)) {
                    found[slot] = Some(k as u32);
                    continue;
                }
                let detail = if known_crime {
                    format!("{role}_ref {{v}} is not an accepted {role} of crime {crime_ref}; add the {role} or fix its rejected row")
                } else {
                    format!("{role}_ref {{v}} cannot be checked because crime {crime_ref} is not an accepted crime of this return")
                };
                ck.flag(i, Rule::R02, Some(col), &detail);
                linked = false;
            }
        }
        let rel = ck.code(i, c_rel, Rule::R03);
        candidates.push(match (rel, found, crime_index.get(crime_ref)) {
            (Some(relationship), [Some(victim), Some(suspect)], Some(crime)) if linked => {
                Some(Relationship { row: i, crime: crime as u32, victim, suspect, crime_ref, victim_ref, suspect_ref, relationship })
            }
            _ => None,
        });
    }
    let keys = (0..t.len()).filter_map(|i| {
        let k = (t.cell(i, c_crime), t.cell(i, c_victim), t.cell(i, c_suspect));
        (!k.0.is_empty() && !k.1.is_empty() && !k.2.is_empty()).then_some((i, k))
    });
    ck.duplicates(counts, keys, Rule::R04, c_crime, |(cr, _, _), n, rows| {
        format!("the same victim and suspect pair of crime {cr} occurs {n} times (rows {rows}); keep one row per pair")
    });
    let rels = candidates.into_iter().zip(&ck.masks).filter_map(|(r, m)| r.filter(|_| *m & ERROR_MASK == 0)).collect();
    issues.extend(ck.issues);
    (rels, ck.masks)
}
