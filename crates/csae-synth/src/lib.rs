//! The synthetic national collection: 44 force returns in the standard form, deterministic
//! for a seed, shaped like the real collection (volumes by force from Home Office recorded
//! crime, the national offence mix, repeat victims and suspects, offender networks, travelling
//! offenders linked by PNC id, non-recent reports, missing values), calibrated to the published
//! 2023 national figures, and optionally dirty with a list of exactly what was broken.

pub mod calibration;
pub mod dirty;
pub mod generate;
pub mod rng;
pub mod write;
mod years;

pub use years::{YearsSummary, synth_years};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use csae_model::{Table, forces, reference::prc_volumes};
use rayon::prelude::*;
use serde::Serialize;

use crate::generate::{ForceGenerator, travellers};
use crate::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
    Mixed,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "mixed" => Ok(Format::Mixed),
            _ => Err(format!("{s:?} is not a format; use csv, xlsx or mixed")),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SynthOptions {
    pub seed: u64,
    pub scale: f64,
    pub dirty: f64,
    pub format: Format,
}

/// Largest `--scale` accepted: 100 × the national collection is about 11 million crimes.
pub const MAX_SCALE: f64 = 100.0;

#[derive(Debug, Clone, Serialize, Default)]
pub struct ForceSummary {
    pub format: String,
    pub rows: BTreeMap<Table, usize>,
    pub injected: usize,
}

/// `synth.json`: what was generated, with which options.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub schema: &'static str,
    pub options: SynthOptions,
    pub forces: BTreeMap<String, ForceSummary>,
    pub totals: BTreeMap<Table, usize>,
    pub injected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SynthError(pub String);

impl SynthOptions {
    pub fn check(&self) -> Result<(), SynthError> {
        if !(self.scale.is_finite() && self.scale > 0.0 && self.scale <= MAX_SCALE) {
            return Err(SynthError(format!("--scale {} is out of range; give a number above 0 and at most {MAX_SCALE} (1 is the national collection)", self.scale)));
        }
        if !(self.dirty.is_finite() && (0.0..=0.5).contains(&self.dirty)) {
            return Err(SynthError(format!("--dirty {} is out of range; give a share of rows between 0 and 0.5, e.g. 0.01", self.dirty)));
        }
        Ok(())
    }
}

/// CSAE crimes per force at a scale, proportional to the force's recorded child-specific
/// sexual offences (Home Office, 2017/18).
pub fn volumes(scale: f64) -> Vec<usize> {
    let prc = prc_volumes();
    let child: Vec<f64> = forces()
        .iter()
        .map(|f| {
            prc.iter()
                .filter(|(force, code, _)| force == &f.id && csae_model::offence(code).is_some_and(|o| o.child_specific))
                .map(|(_, _, n)| f64::from(*n))
                .sum()
        })
        .collect();
    let total: f64 = child.iter().sum();
    child.iter().map(|c| (calibration::NATIONAL_CSAE_CRIMES * scale * c / total).round() as usize).collect()
}

/// Writes the collection into `out` (replacing an earlier synthetic collection there, never
/// anything else). It is built in a staging folder and moved into place when complete, so an
/// interrupted run never leaves a collection that looks whole. `on_force` is called as each
/// force is written (for a progress bar).
pub fn synth(out: &Path, opts: &SynthOptions, on_force: &(dyn Fn(&str) + Sync)) -> Result<Summary, SynthError> {
    let vols = volumes(opts.scale);
    let pool = travellers(opts.seed, opts.scale);
    synth_collection(out, opts, &pool, &vols, &|_| generate::YearPlan::default(), &|_, _| {}, on_force)
}

/// One collection: per force, its volume and year plan; `seen` gets each force's data.
fn synth_collection(
    out: &Path,
    opts: &SynthOptions,
    pool: &[generate::Traveller],
    vols: &[usize],
    plan: &(dyn Fn(usize) -> generate::YearPlan + Sync),
    seen: &(dyn Fn(&str, &generate::ForceData) + Sync),
    on_force: &(dyn Fn(&str) + Sync),
) -> Result<Summary, SynthError> {
    opts.check()?;
    let io = |what: &str, e: &dyn std::fmt::Display| SynthError(format!("cannot {what} under {} ({e}); choose a writable folder for --out", out.display()));
    if out.exists() && !(out.is_dir() && (out.join("synth.json").exists() || is_empty(out))) {
        return Err(SynthError(format!("{} exists and is not a synthetic collection; give a new folder for --out", out.display())));
    }
    let name = out.file_name().map_or_else(|| "collection".into(), |n| n.to_string_lossy().into_owned());
    let stage: PathBuf = out.with_file_name(format!(".{name}.synth-tmp"));
    if stage.exists() {
        std::fs::remove_dir_all(&stage).map_err(|e| io("clear an earlier staging folder", &e))?;
    }
    std::fs::create_dir_all(&stage).map_err(|e| io("create a staging folder", &e))?;

    let prc = prc_volumes();
    let results: Vec<Result<(String, ForceSummary, Vec<dirty::Expected>), SynthError>> = forces()
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let mut data = ForceGenerator::new(f, i, opts.seed, &prc, pool).for_year(plan(i)).generate(vols[i]);
            seen(&f.id, &data);
            let mut rng = Rng::new(opts.seed, 1000 + i as u64);
            let xlsx = match opts.format {
                Format::Csv => false,
                Format::Xlsx => true,
                Format::Mixed => rng.chance(0.25),
            };
            let file_of = |t: Table| if xlsx { format!("{}.xlsx, sheet {}", f.id, t.name()) } else { format!("{}/{}.csv", f.id, t.name()) };
            let expected = if opts.dirty > 0.0 { dirty::inject(&mut data, &f.id, opts.dirty, &mut rng, &file_of) } else { Vec::new() };
            let style = write::Style::draw(&mut rng);
            if xlsx {
                write::write_xlsx(&stage.join(format!("{}.xlsx", f.id)), &data, &style, &mut rng).map_err(|e| io("write a workbook", &e))?;
            } else {
                write::write_csv(&stage.join(&f.id), &data, &style, &mut rng).map_err(|e| io("write CSV files", &e))?;
            }
            on_force(&f.id);
            let summary = ForceSummary {
                format: if xlsx { "xlsx".into() } else { "csv".into() },
                rows: Table::ALL.into_iter().map(|t| (t, data.tables[t as usize].len())).collect(),
                injected: expected.iter().filter(|e| e.injected).count(),
            };
            Ok((f.id.clone(), summary, expected))
        })
        .collect();
    let mut summary = Summary { schema: "csae.synth/1", options: opts.clone(), forces: BTreeMap::new(), totals: BTreeMap::new(), injected: 0 };
    let mut expected = Vec::new();
    for r in results {
        let (id, s, e) = r?;
        for (t, n) in &s.rows {
            *summary.totals.entry(*t).or_default() += n;
        }
        summary.injected += s.injected;
        summary.forces.insert(id, s);
        expected.extend(e);
    }
    let write_json = |file: &str, v: &dyn erased::Json| std::fs::write(stage.join(file), v.json()).map_err(|e| io("write a summary", &e));
    write_json("synth.json", &summary)?;
    if opts.dirty > 0.0 {
        let injected = serde_json::json!({
            "schema": "csae.synth-injected/1",
            "rate": opts.dirty,
            "note": "every issue validation must report: rows broken on purpose (injected: true) and what follows from them or from the clean data (cascades, W01/W02 warnings)",
            "issues": expected,
        });
        write_json("injected.json", &injected)?;
    }
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| io("replace the earlier collection", &e))?;
    }
    std::fs::rename(&stage, out).map_err(|e| io("move the collection into place", &e))?;
    Ok(summary)
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false)
}

mod erased {
    /// Anything written as pretty JSON.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string_pretty(self).expect("serialises")
        }
    }
}
