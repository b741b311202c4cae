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
    /// What the population context rests on (see [`Context::with_population`]).
    pub population: PopulationNote,
}

/// The population file of the rates and the ethnicity comparison, as the notes describe it.
#[derive(Debug, Clone, Default)]
pub struct PopulationNote {
    /// The file's name.
    pub source: String,
    /// Whether it is the built-in 2011 Census file.
    pub census_2011: bool,
    /// The forces with no population (no rate), by name.
    pub without: Vec<String>,
    /// Their group-based crimes, which regional and national rates leave out, as published
    /// (a number, or `[c]` where it would reveal a withheld count).
    pub left_out: String,
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
            population: PopulationNote::default(),
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

    /// The population file and what the rates leave out: the group-based crimes of forces with
    /// no population, shown only where every such force's count is published, or where both
    /// totals it is the difference of (T01's and R01's) are.
    pub fn with_population(mut self, population: &csae_model::Population, tables: &[csae_analysis::Table]) -> Context {
        let find = |id: &str| tables.iter().find(|t| t.id == id);
        let cell = |t: &csae_analysis::Table, r: &str, c: &str| -> Option<(f64, bool)> {
            let (ri, ci) = (t.rows.iter().position(|x| x.0 == r)?, t.cols.iter().position(|x| x.0 == c)?);
            Some((t.values[ri][ci].unwrap_or(0.0), crate::csv_tables::is_suppressed(t, ri, ci)))
        };
        let without: Vec<&csae_model::Force> = csae_model::forces().iter().filter(|f| population.area(&f.id).is_none()).collect();
        let left_out = find("T01_scale_by_force").map(|t01| {
            let cells: Vec<(f64, bool)> = without.iter().filter_map(|f| cell(t01, &f.id, "GROUP_BASED")).collect();
            let totals_shown = [cell(t01, "Total", "GROUP_BASED"), find(csae_analysis::rates::R01).and_then(|r| cell(r, csae_analysis::rates::ENGLAND_AND_WALES, "GROUP_BASED"))].iter().all(|c| c.is_some_and(|c| !c.1));
            if cells.iter().all(|c| !c.1) || totals_shown { crate::numbers::thousands(cells.iter().map(|c| c.0).sum::<f64>() as u64) } else { "[c]".to_string() }
        });
        self.population = PopulationNote {
            source: population.source.clone(),
            census_2011: population == csae_model::Population::census_2011(),
            without: without.iter().map(|f| f.name.clone()).collect(),
            left_out: left_out.unwrap_or_else(|| "0".into()),
        };
        self
    }

    /// The notes of the population context: what rates divide by and leave out (R01), and how
    /// to read the ethnicity comparison (R02): its caveats and intervals.
    pub fn population_notes(&self) -> [String; 2] {
        let p = &self.population;
        let file = if p.census_2011 {
            format!("{}, the usual resident population of each police force area at the 2011 Census (ONS, all ages; built in)", p.source)
        } else {
            format!("{}, the population file given for this publication", p.source)
        };
        let without = if p.without.is_empty() {
            "Every force has a population.".to_string()
        } else {
            format!(
                "{} {} no population and so no rate; rates of regions and of England and Wales count only the crimes of forces with a population, which leaves out {} group-based crimes.",
                p.without.join(", "),
                if p.without.len() == 1 { "has" } else { "have" },
                p.left_out
            )
        };
        [
            format!(
                "Rates are crimes per 100,000 population, using {file}. The 95% interval of a rate is the exact Poisson interval of its count, divided by the population: the range of rates consistent with the count if crimes were recorded at random at a steady rate. {without}"
            ),
            format!(
                "{} Intervals are 95% Wilson score intervals of each share; the ratio's interval is the share's divided by the population share.",
                self.ethnicity_caveats().join(" ")
            ),
        ]
    }

    /// What every output showing the ethnicity comparison (R02) says in plain words beside it:
    /// records are not people, recording is incomplete and perhaps not at random, and what
    /// population it is compared with.
    pub fn ethnicity_caveats(&self) -> [String; 3] {
        [
            format!("The comparison counts suspect records, not independent people: {}.", csae_analysis::plain::RECORDS_NOT_PEOPLE),
            format!("Ethnicity was recorded on {} of suspect records only, and may not be recorded at random, so the shares may not reflect all suspects.", self.ethnicity_recorded),
            if self.population.census_2011 {
                "The population is of all ages and from the 2011 Census, while suspects are mostly adults recorded years later, so the comparison is not of like with like.".to_string()
            } else {
                format!("The population is as the file {} gives it; check its ages and year before comparing.", self.population.source)
            },
        ]
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
