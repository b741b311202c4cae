//! `csae demo [--out DIR]`: the main job end to end on a synthetic national collection.

use std::process::ExitCode;
use std::time::Instant;

use csae_ingest::ingest::{IngestOptions, ingest};
use csae_ingest::pseudonym::Key;
use csae_synth::{Format, SynthOptions, synth_years};

use crate::cli::DemoArgs;
use crate::error::{CliError, CliResult};

pub fn run(a: DemoArgs) -> CliResult {
    let start = Instant::now();
    let out = &a.out;
    std::fs::create_dir_all(out).map_err(|e| CliError::unusable(format!("cannot create {} ({e}); choose a writable folder for --out", out.display())))?;
    let (returns, dataset, publication, key_file) = (out.join("returns"), out.join("dataset"), out.join("publication"), out.join("demo.key"));

    let (from, to) = (2019, 2023);
    let pb = crate::progress::bar(csae_model::forces().len() as u64 * (to - from + 1) as u64, "1/3 synthesising 44 force returns a year, 2019 to 2023");
    let opts = SynthOptions { seed: 2023, scale: a.scale, dirty: 0.002, format: Format::Csv };
    opts.check().map_err(CliError::unusable)?;
    if returns.exists() && !returns.join(to.to_string()).exists() {
        // An earlier demo's single collection: replaced by the series.
        std::fs::remove_dir_all(&returns).map_err(|e| CliError::unusable(format!("cannot replace {} ({e})", returns.display())))?;
    }
    synth_years(&returns, &opts, from, to, &|_| pb.inc(1)).map_err(CliError::unusable)?;
    pb.finish_and_clear();
    let years: Vec<std::path::PathBuf> = (from..=to).map(|y| returns.join(y.to_string())).collect();

    let key = if key_file.exists() { Key::load(Some(&key_file)) } else { Key::write_new(&key_file) }.map_err(CliError::unusable)?;
    let pb = crate::progress::spinner("2/3 validating, pseudonymising and ingesting");
    let (sources, skipped) = csae_ingest::find_returns(&years).map_err(CliError::unusable)?;
    let now = chrono::Local::now();
    let iopts = IngestOptions { today: now.date_naive(), period: None, now: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) };
    let outcome = ingest(&sources, skipped, &dataset, &key, &iopts).map_err(CliError::unusable)?;
    pb.finish_and_clear();

    let pb = crate::progress::spinner("3/3 analysing and writing the publication (tables, workbook, report)");
    let year = |m, d| chrono::NaiveDate::from_ymd_opt(to, m, d).expect("a date of the year");
    let popts = csae_publish::PublishOptions { analysis: csae_analysis::Options { period: Some((year(1, 1), year(12, 31))), ..Default::default() }, ..Default::default() };
    let published = csae_publish::publish(&dataset, &publication, &popts).map_err(crate::cmd_report::publish_error)?;
    let headline = published.headline;
    pb.finish_and_clear();

    let totals = csae_ingest::ingest::totals(&outcome.report);
    let (read, rejected) = totals.values().fold((0, 0), |acc, t| (acc.0 + t.0, acc.1 + t.2));
    let pct = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{:.1}%", 100.0 * v));
    say!("csae demo: a synthetic national series, {from} to {to}, published for {} to {} (all data synthetic)", headline.period.from, headline.period.to);
    say!("  returns: 44 forces a year for {} years, {read} rows read, {rejected} rejected and quarantined with their rule codes", to - from + 1);
    say!("  CSAE crimes: {}; group-based: {} ({})", headline.csae_crimes, headline.group_based_crimes, pct(headline.group_based_share));
    say!("  of group-based: familial {}, CSE {}", pct(headline.familial_share), pct(headline.group_based_by_category.get("CSE").map(|&n| n as f64 / headline.group_based_crimes.max(1) as f64)));
    say!("  suspects aged 10-17 (of known ages): {}; suspect ethnicity recorded: {}", pct(headline.suspects_aged_10_17_share_of_known), pct(headline.suspect_ethnicity_recorded_share));
    say!("  networks: {} ({} multi-offender, {} spanning forces)", headline.networks.count, headline.networks.multi_offender, headline.networks.multi_force);
    if let (Some(c), Some(y)) = (&headline.change, headline.change.as_ref().and_then(|c| c.previous_year)) {
        let change = c.group_based_change_share.map_or("n/a".to_string(), |v| format!("{:+.1}%", 100.0 * v));
        say!("  group-based crimes: {change} on {y}");
    }
    if let Some(r) = &headline.repeat_suspects {
        say!("  suspects seen in an earlier year: {} of {} ({})", r.repeat, r.distinct_identified_suspects, pct(r.repeat_share));
    }
    say!("  disclosure control: {} cells withheld, every withheld cell audited", published.withheld);
    say!("report: {} (public mode, OFFICIAL; {:.1} s)", publication.join("report.html").display(), start.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}
