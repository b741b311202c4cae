//! A synthetic statistics series (`series.md`, "Synthetic series"): one collection per year
//! (`OUT/<year>/<force>…`), each shaped like the 2023 collection, with what a real series has:
//! national volumes drifting a few per cent a year, the online share rising, a few forces with
//! a step change in one year (a recording change), one force missing a month in one year, two
//! forces recording suspects' ethnicity or the category far less often in one year, and
//! suspects who reappear in later years (by `person_ref`, and travelling offenders by `pnc_id`).
//! 2023 keeps the calibrated volumes. `OUT/<year>/injected.json` lists the history queries
//! each designed change must raise.

use std::collections::BTreeMap;
use std::path::Path;

use csae_ingest::history::Figures;
use serde::Serialize;

use crate::generate::{ForceData, YearPlan, travellers};
use crate::rng::Rng;
use crate::{SynthError, SynthOptions, Summary, synth_collection, volumes};

/// The calibrated year: its volumes are the published figures'.
const CALIBRATED: i32 = 2023;
/// National volumes change by this share a year (growing towards 2023).
const DRIFT: f64 = 0.03;
/// Before a force's recording change, it recorded this share of its later volume.
const BEFORE_STEP: f64 = 0.6;
/// Share of a later year's new suspects who are persons of an earlier year.
const REAPPEAR: f64 = 0.1;
/// The online share rises by this much a year (as a chance added for CSE and other crimes).
const ONLINE_RISE: f64 = 0.02;

/// What `synth_years` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct YearsSummary {
    pub years: BTreeMap<i32, Summary>,
    /// Designed changes: forces with a recording change (force, first year after it).
    pub step_changes: Vec<(String, i32)>,
    /// The force and month (`YYYY-MM`) with no crimes.
    pub missing_month: Option<(String, String)>,
    /// Recording lapses: (force, year, `ethnicity` or `category`).
    pub lapses: Vec<(String, i32, &'static str)>,
}

/// A force's figures for the history checks, counted from the generated rows by the checks'
/// definitions (the analysis computes the same from the ingested rows).
fn counts(data: &ForceData, year: i32) -> Figures {
    use csae_model::Table;
    let col = |t: Table, name: &str| t.columns().iter().position(|c| c.name == name).expect("a column of the standard");
    let (recorded, cocad, ethnicity) = (col(Table::Crimes, "recorded_date"), col(Table::Crimes, "cocad_category"), col(Table::Suspects, "ethnicity"));
    let groups = csae_model::code_list("ethnicity");
    let mut suspects: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    for r in &data.tables[Table::Suspects as usize] {
        let e = suspects.entry(r.crime).or_default();
        e.0 += 1;
        if groups.codes.iter().any(|c| c.code == r.cells[ethnicity] && c.group.is_some()) {
            e.1 += 1;
        }
    }
    let mut f = Figures::empty(calendar(year, 1, 1), calendar(year, 12, 31));
    for (i, r) in data.tables[Table::Crimes as usize].iter().enumerate() {
        let (Some(true), Ok(d)) = (data.in_scope.get(i), r.cells[recorded].parse::<chrono::NaiveDate>()) else { continue };
        let (n, with_ethnicity) = suspects.get(&i).copied().unwrap_or_default();
        let group_based = n >= 2;
        f.add_crimes(d, group_based, 1);
        if group_based {
            f.suspect_records += n;
            f.suspect_records_with_ethnicity += with_ethnicity;
            f.with_recorded_category += u64::from(!r.cells[cocad].is_empty());
        }
    }
    f
}

fn calendar(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a calendar date")
}

/// Writes the series `from..=to` under `out`, one collection folder per year.
pub fn synth_years(out: &Path, opts: &SynthOptions, from: i32, to: i32, on_force: &(dyn Fn(&str) + Sync)) -> Result<YearsSummary, SynthError> {
    opts.check()?;
    if !(1990..=2100).contains(&from) || from > to || to - from >= 30 {
        return Err(SynthError(format!("--years {from}..{to} is not a series csae makes; give FROM..TO with FROM on or before TO, at most 30 years, between 1990 and 2100")));
    }
    if out.exists() && !(out.is_dir() && std::fs::read_dir(out).map(|d| d.flatten().all(|e| e.file_name().to_str().is_some_and(|n| n.parse::<i32>().is_ok()) && e.path().join("synth.json").exists())).unwrap_or(false)) {
        return Err(SynthError(format!("{} exists and is not a synthetic series; give a new folder for --out", out.display())));
    }
    let forces = csae_model::forces();
    let base = volumes(opts.scale);
    let mut rng = Rng::new(opts.seed, 7_000_000);
    // The larger forces carry the designed changes, so each is well above the checks' floors.
    let mut by_size: Vec<usize> = (0..forces.len()).collect();
    by_size.sort_by_key(|&i| std::cmp::Reverse(base[i]));
    let mut step_changes = Vec::new();
    let mut missing_month = None;
    let mut lapses: Vec<(usize, i32, &'static str)> = Vec::new();
    if to > from {
        for &i in by_size.iter().take(12).skip(rng.below(3)).step_by(4).take(3) {
            step_changes.push((i, from + 1 + rng.below((to - from) as usize) as i32));
        }
        let i = by_size[1 + rng.below(10)];
        let i = if step_changes.iter().any(|s| s.0 == i) { by_size[15] } else { i };
        missing_month = Some((i, from + 1 + rng.below((to - from) as usize) as i32, 1 + rng.below(12) as u32));
        // The two largest forces without another designed change lapse in one year each.
        let free = by_size.iter().copied().filter(|&f| !step_changes.iter().any(|s| s.0 == f) && missing_month.is_none_or(|m| m.0 != f));
        for (f, what) in free.zip(["ethnicity", "category"]) {
            lapses.push((f, from + 1 + rng.below((to - from) as usize) as i32, what));
        }
    }
    let pool = travellers(opts.seed, opts.scale);
    let tag = |y: i32| format!("{:02}", y.rem_euclid(100));
    let mut years = BTreeMap::new();
    let mut previous: Option<BTreeMap<String, Figures>> = None;
    std::fs::create_dir_all(out).map_err(|e| SynthError(format!("cannot create {} ({e}); choose a writable folder for --out", out.display())))?;
    for y in from..=to {
        let drift = if y <= CALIBRATED { (1.0 - DRIFT).powi(CALIBRATED - y) } else { (1.0 + DRIFT).powi(y - CALIBRATED) };
        let vols: Vec<usize> = (0..forces.len())
            .map(|i| {
                let step = step_changes.iter().any(|&(f, s)| f == i && y < s);
                (base[i] as f64 * drift * if step { BEFORE_STEP } else { 1.0 }).round() as usize
            })
            .collect();
        let plan = |i: usize| YearPlan {
            year: Some(y),
            tag: Some(tag(y)),
            earlier_tags: (from..y).map(tag).collect(),
            reappear: REAPPEAR,
            online_shift: ONLINE_RISE * f64::from(y - CALIBRATED),
            skip_month: missing_month.filter(|&(f, my, _)| f == i && my == y).map(|m| m.2),
            ethnicity_lapse: lapses.contains(&(i, y, "ethnicity")),
            category_lapse: lapses.contains(&(i, y, "category")),
        };
        let seen = std::sync::Mutex::new(BTreeMap::new());
        let year_opts = SynthOptions { seed: opts.seed.wrapping_add(((y - CALIBRATED) as i64 as u64).wrapping_mul(1_000_003)), ..opts.clone() };
        let summary = synth_collection(&out.join(y.to_string()), &year_opts, &pool, &vols, &plan, &|f, d| {
            seen.lock().expect("no thread panicked").insert(f.to_string(), counts(d, y));
        }, on_force)?;
        let now = seen.into_inner().expect("no thread panicked");
        let queries = previous.as_ref().map(|p| history_queries(p, &now)).unwrap_or_default();
        let file = out.join(y.to_string()).join("injected.json");
        // A dirty collection's injected.json (rows broken on purpose) gains the year's keys.
        let mut injected = std::fs::read_to_string(&file).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_else(|| serde_json::json!({"schema": "csae.synth-injected/1"}));
        let series = serde_json::json!({
            "year": y,
            "note": "history queries (series.md, H01-H05) this year raises against the year before, computed from the generated crimes by the checks' definitions: the recording changes raise H01 and H02, the missing month H03, the recording lapses H04 (ethnicity) and H05 (category) where the force has enough group-based crimes; `csae validate YEAR/ --history DATASET` raises exactly these",
            "step_changes": step_changes.iter().filter(|s| s.1 == y).map(|&(f, _)| forces[f].id.clone()).collect::<Vec<_>>(),
            "missing_month": missing_month.filter(|m| m.1 == y).map(|(f, my, m)| serde_json::json!({"force_id": forces[f].id, "month": format!("{my}-{m:02}")})),
            "recording_lapses": lapses.iter().filter(|l| l.1 == y).map(|&(f, _, what)| serde_json::json!({"force_id": forces[f].id, "field": what})).collect::<Vec<_>>(),
            "history": queries,
        });
        for (k, v) in series.as_object().expect("an object") {
            injected[k] = v.clone();
        }
        std::fs::write(&file, serde_json::to_string_pretty(&injected).expect("serialises")).map_err(|e| SynthError(format!("cannot write {} ({e})", file.display())))?;
        previous = Some(now);
        years.insert(y, summary);
    }
    Ok(YearsSummary {
        years,
        step_changes: step_changes.iter().map(|&(f, y)| (forces[f].id.clone(), y)).collect(),
        missing_month: missing_month.map(|(f, y, m)| (forces[f].id.clone(), format!("{y}-{m:02}"))),
        lapses: lapses.iter().map(|&(f, y, what)| (forces[f].id.clone(), y, what)).collect(),
    })
}

/// The history queries (`series.md`, H01–H05) of one year against the year before, per force.
fn history_queries(before: &BTreeMap<String, Figures>, now: &BTreeMap<String, Figures>) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for (force, c) in now {
        let Some(p) = before.get(force) else { continue };
        for q in csae_ingest::history::queries(p, c) {
            out.push(serde_json::json!({"rule": q.rule, "force_id": force, "month": q.month, "previous": q.previous, "current": q.current}));
        }
    }
    out
}
