//! Checks of a return against its force's history (`series.md`, H01–H05): the figures of a
//! force's period and the previous one compared by fixed thresholds. A check that fires is a
//! query for the submitter, never a rejection. The figures are computed elsewhere (the
//! definitions are SQL in `csae-analysis`, and the synthetic series counts its own); the
//! thresholds and the words are here once.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// The history checks, in code order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    H01,
    H02,
    H03,
    H04,
    H05,
}

impl Check {
    pub const ALL: [Check; 5] = [Check::H01, Check::H02, Check::H03, Check::H04, Check::H05];

    pub fn code(self) -> &'static str {
        match self {
            Check::H01 => "H01",
            Check::H02 => "H02",
            Check::H03 => "H03",
            Check::H04 => "H04",
            Check::H05 => "H05",
        }
    }

    pub fn from_code(code: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.code().eq_ignore_ascii_case(code))
    }

    /// When the check fires, as `series.md` words it.
    pub fn description(self) -> &'static str {
        match self {
            Check::H01 => "CSAE crimes changed by more than 30% and by more than 20 crimes",
            Check::H02 => "group-based crimes changed by more than 50% and by more than 10 crimes",
            Check::H03 => "a month has no CSAE crime while the previous period averaged at least 10 a month",
            Check::H04 => "the share of group-based suspect records with self-defined ethnicity recorded fell by 20 percentage points or more (at least 20 such records in each period)",
            Check::H05 => "the share of group-based crimes with a recorded category fell by 25 percentage points or more (at least 10 group-based crimes in each period)",
        }
    }

    /// What the submitter should look at when the check fires: one sentence, shared by the
    /// validation report, the portal and `docs/validation.md`.
    pub fn what_to_check(self) -> &'static str {
        match self {
            Check::H01 => "Check that the extract covers every crime recorded in the period and that no crimes were left out or added by a change of offence codes or flags; if the change is real, confirm the return.",
            Check::H02 => "Check that every suspect of each crime is in the suspects table (a crime needs at least two to be group-based); if the change is real, confirm the return.",
            Check::H03 => "Check that the extract includes that month's crimes (a date filter or a failed load often leaves a month empty).",
            Check::H04 => "Check that self-defined ethnicity is still extracted into the ethnicity column of the suspects table.",
            Check::H05 => "Check that the CoCAD category is still extracted into the cocad_category column of the crimes table.",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// One force's figures for one period, by the definitions of `analysis.md` (ethnicity:
/// self-defined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub csae: u64,
    pub group_based: u64,
    /// CSAE crimes per month of the period (first day of the month, crimes), every month of the
    /// period listed, empty ones too.
    pub months: Vec<(NaiveDate, u64)>,
    /// Suspect records of group-based crimes, and those with self-defined ethnicity recorded.
    pub suspect_records: u64,
    pub suspect_records_with_ethnicity: u64,
    /// Group-based crimes with a recorded (not derived) category.
    pub with_recorded_category: u64,
}

impl Figures {
    /// Figures of nothing yet for the period `from..=to`.
    pub fn empty(from: NaiveDate, to: NaiveDate) -> Figures {
        let mut months = Vec::new();
        let mut m = from.with_day(1).expect("day 1 exists");
        while m <= to {
            months.push((m, 0));
            m = m + Months::new(1);
        }
        Figures { from, to, csae: 0, group_based: 0, months, suspect_records: 0, suspect_records_with_ethnicity: 0, with_recorded_category: 0 }
    }

    /// Counts `n` CSAE crimes recorded in the month of `date` (and in the group-based count
    /// when they are). Months outside the period count in the totals only.
    pub fn add_crimes(&mut self, date: NaiveDate, group_based: bool, n: u64) {
        self.csae += n;
        if group_based {
            self.group_based += n;
        }
        let first = date.with_day(1).expect("day 1 exists");
        if let Some(m) = self.months.iter_mut().find(|m| m.0 == first) {
            m.1 += n;
        }
    }

    pub fn period_text(&self) -> String {
        format!("{}..{}", self.from, self.to)
    }
}

/// A figure of a query: a count, a monthly average or a share (a fraction of 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Figure {
    Count(u64),
    Value(f64),
}

/// A check that fired: its code, both figures, and one sentence saying what changed and what
/// to look at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    pub rule: Check,
    /// The month (`YYYY-MM`) of an H03 query.
    pub month: Option<String>,
    pub previous: Figure,
    pub current: Figure,
    pub message: String,
}

/// The history block of a return's validation report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    /// The period compared with (`FROM..TO`): the return's period one year earlier.
    pub previous_period: String,
    /// False when the dataset holds no return of the force for that period.
    pub compared: bool,
    pub queries: Vec<Query>,
}

/// The period one year before `from..=to`.
pub fn previous_period(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    (from - Months::new(12), to - Months::new(12))
}

/// True when `current` differs from `previous` by more than `num/den` of `previous` and by
/// more than `floor` (exact integer arithmetic, so a change exactly at a threshold does not fire).
fn changed(previous: u64, current: u64, num: u64, den: u64, floor: u64) -> bool {
    let diff = previous.abs_diff(current);
    diff > floor && u128::from(diff) * u128::from(den) > u128::from(previous) * u128::from(num)
}

/// True when the share `a_part/a_all` minus `b_part/b_all` is at least `num/den`, exactly.
fn fell_by(a_part: u64, a_all: u64, b_part: u64, b_all: u64, num: u64, den: u64) -> bool {
    let (a_part, a_all, b_part, b_all) = (u128::from(a_part), u128::from(a_all), u128::from(b_part), u128::from(b_all));
    // a_part/a_all - b_part/b_all >= num/den  <=>  den*(a_part*b_all - b_part*a_all) >= num*a_all*b_all
    let lhs = a_part * b_all;
    let rhs = b_part * a_all;
    lhs >= rhs && u128::from(den) * (lhs - rhs) >= u128::from(num) * a_all * b_all
}

fn share(part: u64, all: u64) -> f64 {
    if all == 0 { 0.0 } else { part as f64 / all as f64 }
}

fn pct(part: u64, all: u64) -> String {
    format!("{:.1}%", 100.0 * share(part, all))
}

/// The queries the current period's figures raise against the previous period's, in code order.
pub fn queries(previous: &Figures, current: &Figures) -> Vec<Query> {
    let (was, now) = (previous.period_text(), current.period_text());
    let mut out = Vec::new();
    let mut push = |rule: Check, month: Option<String>, p: Figure, c: Figure, what: String| {
        out.push(Query { rule, month, previous: p, current: c, message: format!("{what} ({rule}); {}", rule.what_to_check()) });
    };
    if changed(previous.csae, current.csae, 3, 10, 20) {
        push(Check::H01, None, Figure::Count(previous.csae), Figure::Count(current.csae),
            format!("CSAE crimes went from {} in {was} to {} in {now}", previous.csae, current.csae));
    }
    if changed(previous.group_based, current.group_based, 1, 2, 10) {
        push(Check::H02, None, Figure::Count(previous.group_based), Figure::Count(current.group_based),
            format!("group-based crimes went from {} in {was} to {} in {now}", previous.group_based, current.group_based));
    }
    let months = previous.months.len().max(1) as u64;
    if previous.csae >= 10 * months {
        let average = (previous.csae as f64 / months as f64 * 10.0).round() / 10.0;
        for (m, _) in current.months.iter().filter(|m| m.1 == 0) {
            let label = format!("{:04}-{:02}", m.year(), m.month());
            push(Check::H03, Some(label.clone()), Figure::Value(average), Figure::Count(0),
                format!("no CSAE crime was recorded in {label}, while {was} averaged {average:.1} a month"));
        }
    }
    let (ps, pe, cs, ce) = (previous.suspect_records, previous.suspect_records_with_ethnicity, current.suspect_records, current.suspect_records_with_ethnicity);
    if ps >= 20 && cs >= 20 && fell_by(pe, ps, ce, cs, 1, 5) {
        push(Check::H04, None, Figure::Value(round4(share(pe, ps))), Figure::Value(round4(share(ce, cs))),
            format!("group-based suspect records with self-defined ethnicity recorded fell from {} ({pe} of {ps}) in {was} to {} ({ce} of {cs}) in {now}", pct(pe, ps), pct(ce, cs)));
    }
    let (pg, pr, cg, cr) = (previous.group_based, previous.with_recorded_category, current.group_based, current.with_recorded_category);
    if pg >= 10 && cg >= 10 && fell_by(pr, pg, cr, cg, 1, 4) {
        push(Check::H05, None, Figure::Value(round4(share(pr, pg))), Figure::Value(round4(share(cr, cg))),
            format!("group-based crimes with a recorded category fell from {} ({pr} of {pg}) in {was} to {} ({cr} of {cg}) in {now}", pct(pr, pg), pct(cr, cg)));
    }
    out
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(y: i32) -> Figures {
        Figures::empty(NaiveDate::from_ymd_opt(y, 1, 1).unwrap(), NaiveDate::from_ymd_opt(y, 12, 31).unwrap())
    }

    /// A year with `csae` crimes spread over every month, `gb` of them group-based.
    fn spread(y: i32, csae: u64, gb: u64) -> Figures {
        let mut f = year(y);
        for i in 0..csae {
            let d = NaiveDate::from_ymd_opt(y, (i % 12) as u32 + 1, 15).unwrap();
            f.add_crimes(d, i < gb, 1);
        }
        f
    }

    fn rules(q: &[Query]) -> Vec<Check> {
        q.iter().map(|q| q.rule).collect()
    }

    #[test]
    fn h01_fires_above_thirty_percent_and_twenty_crimes_only() {
        // 100 -> 130 is exactly 30%: no; 131 is more than 30% and more than 20 crimes.
        assert!(!rules(&queries(&spread(2022, 100, 0), &spread(2023, 130, 0))).contains(&Check::H01));
        assert!(rules(&queries(&spread(2022, 100, 0), &spread(2023, 131, 0))).contains(&Check::H01));
        assert!(rules(&queries(&spread(2022, 100, 0), &spread(2023, 69, 0))).contains(&Check::H01));
        assert!(!rules(&queries(&spread(2022, 100, 0), &spread(2023, 70, 0))).contains(&Check::H01));
        // 50 -> 70 is 40% but exactly 20 crimes: no; 71 is 21 crimes.
        assert!(!rules(&queries(&spread(2022, 50, 0), &spread(2023, 70, 0))).contains(&Check::H01));
        assert!(rules(&queries(&spread(2022, 50, 0), &spread(2023, 71, 0))).contains(&Check::H01));
    }

    #[test]
    fn h02_fires_above_fifty_percent_and_ten_crimes_only() {
        assert!(!rules(&queries(&spread(2022, 200, 40), &spread(2023, 200, 60))).contains(&Check::H02));
        assert!(rules(&queries(&spread(2022, 200, 40), &spread(2023, 200, 61))).contains(&Check::H02));
        assert!(rules(&queries(&spread(2022, 200, 40), &spread(2023, 200, 19))).contains(&Check::H02));
        assert!(!rules(&queries(&spread(2022, 200, 40), &spread(2023, 200, 20))).contains(&Check::H02));
        // 16 -> 26 is 62.5% but exactly 10 crimes: no; 27 is 11.
        assert!(!rules(&queries(&spread(2022, 200, 16), &spread(2023, 200, 26))).contains(&Check::H02));
        assert!(rules(&queries(&spread(2022, 200, 16), &spread(2023, 200, 27))).contains(&Check::H02));
    }

    #[test]
    fn h03_fires_for_each_empty_month_when_the_previous_year_averaged_ten() {
        let mut now = year(2023);
        for m in 1..=12 {
            if m != 4 && m != 9 {
                now.add_crimes(NaiveDate::from_ymd_opt(2023, m, 1).unwrap(), false, 12);
            }
        }
        let q = queries(&spread(2022, 120, 0), &now);
        let h03: Vec<_> = q.iter().filter(|q| q.rule == Check::H03).map(|q| q.month.clone().unwrap()).collect();
        assert_eq!(h03, ["2023-04", "2023-09"]);
        assert_eq!(q.iter().find(|q| q.rule == Check::H03).unwrap().previous, Figure::Value(10.0));
        // 119 crimes is an average under 10 a month.
        assert!(!rules(&queries(&spread(2022, 119, 0), &now)).contains(&Check::H03));
    }

    fn suspects(y: i32, all: u64, with: u64) -> Figures {
        let mut f = spread(y, 200, 50);
        f.suspect_records = all;
        f.suspect_records_with_ethnicity = with;
        f
    }

    #[test]
    fn h04_fires_at_a_fall_of_twenty_points_with_twenty_records_each_year() {
        // 80% -> 60% is exactly 20 points: fires; 80% -> 61% does not.
        assert!(rules(&queries(&suspects(2022, 100, 80), &suspects(2023, 100, 60))).contains(&Check::H04));
        assert!(!rules(&queries(&suspects(2022, 100, 80), &suspects(2023, 100, 61))).contains(&Check::H04));
        // 20 records each year is enough; 19 is not.
        assert!(rules(&queries(&suspects(2022, 20, 20), &suspects(2023, 20, 16))).contains(&Check::H04));
        assert!(!rules(&queries(&suspects(2022, 19, 19), &suspects(2023, 20, 10))).contains(&Check::H04));
        assert!(!rules(&queries(&suspects(2022, 20, 20), &suspects(2023, 19, 10))).contains(&Check::H04));
        // A rise never fires.
        assert!(!rules(&queries(&suspects(2022, 100, 10), &suspects(2023, 100, 90))).contains(&Check::H04));
    }

    fn categories(y: i32, gb: u64, recorded: u64) -> Figures {
        let mut f = spread(y, 400, gb);
        f.with_recorded_category = recorded;
        f
    }

    #[test]
    fn h05_fires_at_a_fall_of_twenty_five_points_with_ten_crimes_each_year() {
        // Thirds: 75% -> 50% is exactly 25 points over different totals.
        assert!(rules(&queries(&categories(2022, 40, 30), &categories(2023, 42, 21))).contains(&Check::H05));
        assert!(!rules(&queries(&categories(2022, 40, 30), &categories(2023, 42, 22))).contains(&Check::H05));
        assert!(rules(&queries(&categories(2022, 10, 10), &categories(2023, 10, 7))).contains(&Check::H05));
        assert!(!rules(&queries(&categories(2022, 9, 9), &categories(2023, 10, 0))).contains(&Check::H05));
        assert!(!rules(&queries(&categories(2022, 10, 10), &categories(2023, 9, 0))).contains(&Check::H05));
    }

    #[test]
    fn a_steady_year_raises_nothing_and_messages_name_both_figures() {
        assert!(queries(&suspects(2022, 100, 80), &suspects(2023, 100, 80)).is_empty());
        let q = queries(&spread(2022, 100, 0), &spread(2023, 200, 0));
        assert_eq!(q[0].message.split("; ").next().unwrap(), "CSAE crimes went from 100 in 2022-01-01..2022-12-31 to 200 in 2023-01-01..2023-12-31 (H01)");
        assert_eq!(serde_json::to_value(&q[0]).unwrap()["previous"], 100);
    }

    #[test]
    fn the_validation_page_shows_each_check_as_the_code_words_it() {
        let doc = include_str!("../../../docs/validation.md");
        for c in Check::ALL {
            assert!(doc.contains(&format!("| `{c}` | {} | {} |", c.description(), c.what_to_check())), "{c} in docs/validation.md");
        }
    }

    #[test]
    fn the_previous_period_is_a_year_earlier_and_lists_every_month() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(previous_period(d(2024, 3, 1), d(2025, 2, 28)), (d(2023, 3, 1), d(2024, 2, 28)));
        assert_eq!(previous_period(d(2024, 1, 1), d(2024, 12, 31)), (d(2023, 1, 1), d(2023, 12, 31)));
        assert_eq!(Figures::empty(d(2024, 3, 1), d(2025, 2, 28)).months.len(), 12);
        assert_eq!(Figures::empty(d(2024, 1, 1), d(2024, 1, 31)).months.len(), 1);
    }
}
