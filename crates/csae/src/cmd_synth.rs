//! `csae synth --out DIR [--seed N] [--scale X] [--dirty RATE] [--format csv|xlsx|mixed]`.

use std::process::ExitCode;

use csae_synth::{SynthOptions, synth};

use crate::cli::SynthArgs;
use crate::error::{CliError, CliResult};

pub fn run(a: SynthArgs) -> CliResult {
    let opts = SynthOptions { seed: a.seed, scale: a.scale, dirty: a.dirty, format: a.format };
    opts.check().map_err(CliError::unusable)?;
    if let Some((from, to)) = a.years {
        let pb = crate::progress::bar(csae_model::forces().len() as u64 * (to - from + 1) as u64, "writing force returns, year by year");
        let summary = csae_synth::synth_years(&a.out, &opts, from, to, &|force| {
            pb.set_message(force.to_string());
            pb.inc(1);
        });
        pb.finish_and_clear();
        let summary = summary.map_err(CliError::unusable)?;
        say!("wrote a synthetic series of {} years to {} (one collection per year, OUT/<year>/)", summary.years.len(), a.out.display());
        for (force, year) in &summary.step_changes {
            say!("  recording change: {force} from {year}");
        }
        if let Some((force, month)) = &summary.missing_month {
            say!("  missing month: {force}, {month}");
        }
        for (force, year, what) in &summary.lapses {
            say!("  recording lapse: {force} records {} far less often in {year}", if *what == "ethnicity" { "suspects' self-defined ethnicity" } else { "the CoCAD category" });
        }
        say!("the history queries each year must raise are listed in its injected.json");
        return Ok(ExitCode::SUCCESS);
    }
    let pb = crate::progress::bar(csae_model::forces().len() as u64, "writing force returns");
    let summary = synth(&a.out, &opts, &|force| {
        pb.set_message(force.to_string());
        pb.inc(1);
    });
    pb.finish_and_clear();
    let summary = summary.map_err(CliError::unusable)?;
    let t: Vec<String> = summary.totals.iter().map(|(t, n)| format!("{n} {}", t.name())).collect();
    say!("wrote 44 synthetic returns to {}: {}", a.out.display(), t.join(", "));
    if a.dirty > 0.0 {
        say!("{} rows broken on purpose; every issue validation must report is listed in {}", summary.injected, a.out.join("injected.json").display());
    }
    Ok(ExitCode::SUCCESS)
}
