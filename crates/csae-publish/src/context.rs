//! What every output of a publication says about itself beyond the numbers: marking, period,
//! options, the plain-English definitions, the release information and the dataset's provenance.

use csae_analysis::Analysis;
use csae_analysis::plain::Entry;

use crate::release::Release;
use crate::{Mode, PublishOptions};

#[derive(Debug, Clone)]
pub struct Context {
    pub mode: Mode,
    pub min_cell: u32,
    /// The period, inclusive ISO dates.
    pub from: String,
    pub to: String,
    pub min_suspects: u32,
    /// `self` or `officer-fallback`.
    pub ethnicity: String,
    /// The definitions in plain English, as the analysis ran them (`csae_analysis::plain`).
    pub glossary: Vec<Entry>,
    /// When the publication was built (ISO date) and when the dataset was last updated.
    pub built: String,
    pub dataset_updated: String,
    /// Returns in the dataset.
    pub returns: usize,
    /// Built with returns made by `csae synth`: every output says it is not official statistics.
    pub synthetic: bool,
    pub release: Release,
    /// The share of suspect records with ethnicity recorded, as published (see [`Context::with_headline`]).
    pub ethnicity_recorded: String,
    /// `sources.json`: the returns the publication was built from (see [`sources`]).
    pub sources: serde_json::Value,
    /// The report's year when it has a series (`series.md`), and the notes on its years.
    pub series_year: Option<i32>,
    pub series_notes: Vec<String>,
    /// With `--previous`: the forces whose returns changed since it (see `revisions`).
    pub revised_forces: Option<Vec<String>>,
}

/// `sources.json`: per force and period, the returns' files and their SHA-256 as the dataset's
/// manifest records them (nothing personal), so two publications can say whose data changed.
pub fn sources(manifest: &csae_dataset::Manifest) -> serde_json::Value {
    let returns: Vec<serde_json::Value> = manifest
        .returns
        .iter()
        .map(|r| {
            let files: serde_json::Map<String, serde_json::Value> =
                r.tables.iter().map(|(t, e)| (t.name().to_string(), serde_json::json!({"file": e.source, "sha256": e.sha256}))).collect();
            serde_json::json!({"force_id": r.force_id, "period": r.period, "ingested_at": r.ingested_at, "files": files})
        })
        .collect();
    serde_json::json!({"schema": "csae.sources/1", "dataset_updated": manifest.updated_at, "returns": returns})
}

impl Context {
    pub fn of(analysis: &Analysis, opts: &PublishOptions) -> Context {
        let p = &analysis.params;
        let built = chrono::Local::now().date_naive().to_string();
        Context {
            mode: opts.mode,
            min_cell: opts.min_cell,
            from: p.from.to_string(),
            to: p.to.to_string(),
            min_suspects: p.min_suspects,
            ethnicity: if p.officer_fallback { "officer-fallback" } else { "self" }.into(),
            glossary: csae_analysis::plain::glossary(p),
            release: Release::new(&opts.release, &built, analysis.synthetic()),
            built,
            dataset_updated: analysis.manifest.updated_at.clone(),
            returns: analysis.manifest.returns.len(),
            synthetic: analysis.synthetic(),
            ethnicity_recorded: "[withheld]".into(),
            sources: sources(&analysis.manifest),
            series_year: None,
            series_notes: Vec::new(),
            revised_forces: None,
        }
    }

    /// The series' year and its notes: years with fewer than 44 forces, years without data.
    pub fn with_series(mut self, series: Option<&csae_analysis::series::Series>) -> Context {
        let Some(s) = series else { return self };
        self.series_year = Some(s.year);
        for y in s.incomplete() {
            self.series_notes.push(format!(
                "In {} only {} of the {} forces sent data, so national totals for that year are not comparable with other years.",
                y.year,
                y.forces_with_data,
                csae_analysis::series::all_forces()
            ));
        }
        if !s.gaps.is_empty() {
            let years: Vec<String> = s.gaps.iter().map(ToString::to_string).collect();
            self.series_notes.push(format!("The dataset has no data for {}, so the series has no figures for {}.", years.join(", "), if years.len() == 1 { "that year" } else { "those years" }));
        }
        self
    }

    /// Takes from the published headline the figures the text around the tables quotes.
    pub fn with_headline(mut self, headline: &serde_json::Value) -> Context {
        let share = headline.get("suspect_ethnicity_recorded_share").and_then(serde_json::Value::as_f64);
        self.ethnicity_recorded = crate::numbers::share_text(share, self.mode);
        self
    }

    /// The caveats of the "Things you need to know" block.
    pub fn things_to_know(&self) -> Vec<String> {
        crate::release::things_to_know(self.min_suspects, &self.ethnicity_recorded)
    }

    /// The title of the publication, marked when the data is synthetic.
    pub fn title(&self) -> String {
        let title = format!("Group-based child sexual abuse and exploitation recorded by the police, England and Wales, {} to {}", self.from, self.to);
        if self.synthetic { format!("{}: {title}", crate::release::SYNTHETIC) } else { title }
    }

    /// The marking of every file: the protective marking, and the synthetic warning when it applies.
    pub fn marking(&self) -> String {
        if self.synthetic { format!("{} — {}", self.mode.marking(), crate::release::SYNTHETIC) } else { self.mode.marking().to_string() }
    }
}
