//! Dataset → publication folder in one call: the analysis, disclosure control (public mode)
//! and every output file. `csae report`, `csae demo` and the portal's builds all come here, so
//! a publication means the same thing whichever way it was made.

use std::path::Path;

use csae_analysis::{Analysis, Headline, Options};

use crate::Mode;

/// How to build a publication (the `csae report` flags).
#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub analysis: Options,
    pub mode: Mode,
    /// Smallest count published in public mode (`--min-cell`, default 5).
    pub min_cell: u32,
    /// Publish even when no accepted crime was recorded in the period (`--allow-empty`).
    pub allow_empty: bool,
    /// Release information (`--next-release`, `--status`, `--contact`).
    pub release: crate::ReleaseOptions,
    /// Years of the series a one-year report shows, its own included (`--series-years`, default 10).
    pub series_years: u32,
    /// An earlier publication of the same disclosure mode to compare with (`--previous`).
    pub previous: Option<std::path::PathBuf>,
    /// The population of each force area for rates and the ethnicity comparison
    /// (`--population`; default the built-in 2011 Census file).
    pub population: csae_model::Population,
}

impl Default for PublishOptions {
    fn default() -> Self {
        PublishOptions { analysis: Options::default(), mode: Mode::Public, min_cell: 5, allow_empty: false, release: crate::ReleaseOptions::default(), series_years: 10, previous: None, population: csae_model::Population::census_2011().clone() }
    }
}

/// What was published.
#[derive(Debug)]
pub struct Published {
    /// The exact headline (for the terminal and the portal's analysts; never written in public mode).
    pub headline: Headline,
    /// The headline as written to `headline.json` (public: values that depend on withheld cells are null).
    pub headline_json: serde_json::Value,
    /// Cells withheld by disclosure control, primary and secondary.
    pub withheld: usize,
    pub tables: usize,
}

/// Why nothing was published: the input or options are unusable (exit 2), the disclosure
/// audit refused a table (exit 1), or the period has no data and no empty publication was
/// asked for (exit 1). Either way the previous publication is untouched.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{0}")]
    Unusable(String),
    #[error("{0}")]
    AuditFailed(String),
    #[error("{0}")]
    Empty(String),
}

/// Builds the publication of `dataset` into `out` (replacing an earlier one there atomically).
pub fn publish(dataset: &Path, out: &Path, opts: &PublishOptions) -> Result<Published, PublishError> {
    if opts.mode == Mode::Public && opts.min_cell < 2 {
        return Err(PublishError::Unusable(format!("--min-cell {} would publish single counts; give 2 or more (default 5)", opts.min_cell)));
    }
    crate::folder::check_out(out).map_err(PublishError::Unusable)?;
    let previous = opts.previous.as_deref().map(|p| crate::revisions::read_previous(p, opts.mode)).transpose().map_err(PublishError::Unusable)?;
    let timing = csae_dataset::Timing::start();
    // The series' earlier years are opened first, one at a time, so that no more than one
    // year is in memory beside the report's own.
    let unusable = |e: csae_analysis::AnalysisError| PublishError::Unusable(e.to_string());
    let manifest = csae_dataset::read_manifest(dataset).ok();
    let earlier = match &manifest {
        Some(m) => csae_analysis::series::earlier_years(dataset, &opts.analysis, m, opts.series_years).map_err(unusable)?,
        None => None,
    };
    timing.lap("analysis: series, earlier years");
    let analysis = Analysis::open(dataset, &opts.analysis).map_err(|e| PublishError::Unusable(e.to_string()))?;
    timing.lap("analysis: dataset, definitions, networks");
    let headline = analysis.headline().map_err(|e| PublishError::Unusable(e.to_string()))?;
    if headline.forces_with_data == 0 && !opts.allow_empty {
        return Err(PublishError::Empty(format!(
            "no accepted crime of {} was recorded in the period {} to {}, so nothing was written (an earlier publication in {} is kept); choose a period with data, or give --allow-empty to publish an empty report",
            dataset.display(),
            headline.period.from,
            headline.period.to,
            out.display()
        )));
    }
    let mut tables = analysis.tables().map_err(|e| PublishError::Unusable(e.to_string()))?;
    timing.lap("analysis: tables and headline");
    let series = match earlier {
        Some(e) => e.finish(&analysis),
        // A default period is known once the dataset is open.
        None => csae_analysis::series::build(dataset, &analysis, opts.series_years),
    }
    .map_err(unusable)?;
    let context = crate::Context::of(&analysis, opts).with_series(series.as_ref());
    drop(analysis);
    let headline = match &series {
        Some(s) => {
            // The series tables go after the themes' tables, before data quality.
            let at = tables.iter().position(|t| t.id.starts_with('Q')).unwrap_or(tables.len());
            tables.splice(at..at, csae_analysis::series::tables(s));
            headline.with_series(s)
        }
        None => headline,
    };
    // The population context goes after the series, before data quality.
    let at = tables.iter().position(|t| t.id.starts_with('Q')).unwrap_or(tables.len());
    let rates = csae_analysis::rates::tables(&tables, &opts.population);
    tables.splice(at..at, rates);
    let headline = headline.with_population(&tables, &opts.population.source);
    timing.lap("analysis: series, population context");
    let (headline_json, withheld) = match opts.mode {
        Mode::Internal => (serde_json::to_value(&headline).expect("headline serialises"), 0),
        Mode::Public => {
            let report = csae_analysis::disclosure::protect_tables(&mut tables, opts.min_cell).map_err(|e| PublishError::AuditFailed(e.0))?;
            let cells = report.iter().map(|s| s.primary + s.secondary).sum();
            (csae_analysis::disclosure::public_headline(&headline, &tables, opts.min_cell), cells)
        }
    };
    timing.lap("disclosure control");
    let mut context = context.with_headline(&headline_json).with_population(&opts.population, &tables);
    if let Some(previous) = &previous {
        // A table needs a row: with no figure changed, the report says so instead.
        let v01 = crate::revisions::revisions(previous, &headline_json, &tables, opts.mode);
        if !v01.rows.is_empty() {
            tables.push(v01);
        }
        context.revised_forces = Some(crate::revisions::revised_forces(previous, &context.sources));
    }
    crate::write(out, &headline_json, &tables, &context).map_err(|e| PublishError::Unusable(format!("cannot write the publication to {} ({e}); choose a writable folder for --out", out.display())))?;
    timing.lap("publication files");
    Ok(Published { headline, headline_json, withheld, tables: tables.len() })
}
