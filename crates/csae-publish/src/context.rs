//! What every output of a publication says about itself beyond the numbers: marking, period,
//! options, the definitions (for methodology text) and the dataset's provenance.

use csae_analysis::Analysis;

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
    /// The definitions of `analysis.md` as the analysis ran them: (title, meaning).
    pub definitions: Vec<(String, String)>,
    /// When the publication was built (ISO date) and when the dataset was last updated.
    pub built: String,
    pub dataset_updated: String,
    /// Returns in the dataset.
    pub returns: usize,
}

impl Context {
    pub fn of(analysis: &Analysis, opts: &PublishOptions) -> Context {
        let p = &analysis.params;
        Context {
            mode: opts.mode,
            min_cell: opts.min_cell,
            from: p.from.to_string(),
            to: p.to.to_string(),
            min_suspects: p.min_suspects,
            ethnicity: if p.officer_fallback { "officer-fallback" } else { "self" }.into(),
            definitions: csae_analysis::definitions::definitions(p).into_iter().map(|d| (d.title.to_string(), d.meaning.to_string())).collect(),
            built: chrono::Local::now().date_naive().to_string(),
            dataset_updated: analysis.manifest.updated_at.clone(),
            returns: analysis.manifest.returns.len(),
        }
    }
}
