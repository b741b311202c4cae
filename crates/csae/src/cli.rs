//! The command-line interface: subcommands, flags and their help (with examples).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "csae",
    version,
    about = "National collection and analysis of police-recorded child sexual abuse and exploitation (CSAE) crimes",
    long_about = "National collection and analysis of police-recorded child sexual abuse and exploitation (CSAE) crimes.\n\n\
Forces send returns (a folder of four CSVs or an XLSX workbook); csae validates them against the data standard,\n\
pseudonymises them into a Parquet dataset, and publishes the national picture of group-based offending.\n\n\
Exit codes: 0 success; 1 processed, but with errors you must see (rejected rows); 2 could not run."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Validate returns against the data standard and summarise problems per force and rule.
    #[command(after_help = "Examples:\n  csae validate returns/cumbria\n  csae validate returns/ --json validation.json\n  csae validate cumbria.xlsx --show-personal\n  csae validate returns/2024/cumbria --history dataset   (queries against Cumbria's 2023 in the dataset)")]
    Validate(ValidateArgs),
    /// Validate returns and write accepted rows, pseudonymised, into a Parquet dataset.
    #[command(after_help = "Examples:\n  csae key new csae.key\n  csae ingest returns/ --out dataset --key-file csae.key\n  CSAE_PSEUDONYM_KEY_FILE=csae.key csae ingest returns/cumbria --out dataset --period 2023-01-01..2023-12-31")]
    Ingest(IngestArgs),
    /// Run the whole pipeline on a synthetic collection: synth → ingest (with a generated key) → report.
    #[command(after_help = "Example:\n  csae demo --out csae-demo   (then open csae-demo/publication)")]
    Demo(DemoArgs),
    /// Analyse a dataset and write the publication: report.html, tables.xlsx, tables/<id>.csv, headline.json, sources.json and README.txt.
    #[command(after_help = "Examples:\n  csae report dataset --out publication\n  csae report dataset --out internal --disclosure internal\n  csae report dataset --out pub2023 --period 2023-01-01..2023-12-31 --ethnicity officer-fallback\n  csae report dataset --out release --contact \"Jane Smith, csae-stats@example.gov.uk\" --next-release 2025-06-30\n\nExit 1 when the period has no data (nothing is written unless --allow-empty) or the disclosure audit refuses a table.")]
    Report(ReportArgs),
    /// Run a read-only SQL query over a dataset's tables and the analysis views (internal use).
    #[command(after_help = "Examples:\n  csae sql dataset \"SELECT category, count(*) FROM group_crimes GROUP BY category\"\n  csae sql dataset --list\n\nTables: crimes, victims, suspects, relationships, forces, offence_codes, code_lists, returns;\nviews: crime_scope, csae_crimes, group_crimes, suspect_records, victim_records, relationship_records, networks, network_crimes.")]
    Sql(SqlArgs),
    /// Write a synthetic national collection of 44 returns (for demos, tests and benchmarks).
    #[command(after_help = "Examples:\n  csae synth --out synthetic\n  csae synth --out big --scale 10 --seed 7\n  csae synth --out dirty --dirty 0.01 --format mixed   (also writes injected.json)")]
    Synth(SynthArgs),
    /// Manage pseudonymisation keys.
    #[command(after_help = "Example:\n  csae key new csae.key   (then: csae ingest returns/ --out dataset --key-file csae.key)")]
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Run the collection portal: forces upload returns, analysts track, build and download (see docs/portal.md).
    #[command(after_help = "Examples:\n  csae serve                                   (http://127.0.0.1:8080/, data in ./csae-data)\n  csae serve --config portal.toml --listen 0.0.0.0:8443 --data-dir /srv/csae")]
    Serve(ServeArgs),
    /// Manage the portal's users.
    #[command(after_help = "Example:\n  printf '%s\\n' \"$PASSWORD\" | csae user add --username cumbria.sub --role submitter --force cumbria")]
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the portal's API tokens.
    #[command(after_help = "Examples:\n  csae token new --username cumbria.sub\n  csae token revoke --username cumbria.sub")]
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check the portal's audit log.
    #[command(after_help = "Example:\n  csae audit verify --data-dir /srv/csae   (exit 0: intact; 1: altered)")]
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

/// The flags every portal command takes.
#[derive(Args)]
pub struct PortalArgs {
    /// The portal's TOML config file (keys in docs/portal.md; a database_url there selects PostgreSQL).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The data folder: uploads, builds, key, audit head, and the embedded database. Default: ./csae-data.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub portal: PortalArgs,
    /// The address to listen on. Default: 127.0.0.1:8080.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input (one line, at least 12 characters).
    #[command(after_help = "Examples:\n  printf '%s\\n' \"$PASSWORD\" | csae user add --username cumbria.sub --role submitter --force cumbria\n  csae user add --username lead --role admin,analyst < password.txt")]
    Add(UserAddArgs),
}

#[derive(Args)]
pub struct UserAddArgs {
    /// The new user's sign-in name, e.g. cumbria.sub: 2 to 64 characters of a-z, 0-9, ".", "_" or "-".
    #[arg(long, value_name = "U")]
    pub username: String,
    /// submitter, force_viewer, analyst, admin (or admin,analyst).
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    /// The force a submitter or force_viewer is bound to, e.g. cumbria.
    #[arg(long, value_name = "F")]
    pub force: Option<String>,
    #[command(flatten)]
    pub portal: PortalArgs,
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Make a new API token for a user and print it once.
    #[command(after_help = "Example:\n  csae token new --username cumbria.sub")]
    New(TokenArgs),
    /// Revoke every API token of a user.
    #[command(after_help = "Example:\n  csae token revoke --username cumbria.sub")]
    Revoke(TokenArgs),
}

#[derive(Args)]
pub struct TokenArgs {
    /// The user whose tokens these are.
    #[arg(long, value_name = "U")]
    pub username: String,
    #[command(flatten)]
    pub portal: PortalArgs,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the audit log and that every change has its entry; exit 1 when an entry was edited, removed or reordered.
    #[command(after_help = "Examples:\n  csae audit verify\n  csae audit verify --config portal.toml --head 1234:5f3c…   (a head recorded with `csae audit head`)")]
    Verify(AuditVerifyArgs),
    /// Print the audit log's head (SEQ:HASH), to record away from this machine for `audit verify --head`.
    #[command(after_help = "Example:\n  csae audit head >> /mnt/offsite/csae-audit-heads.txt")]
    Head(AuditHeadArgs),
}

#[derive(Args)]
pub struct AuditHeadArgs {
    #[command(flatten)]
    pub portal: PortalArgs,
}

#[derive(Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub portal: PortalArgs,
    /// A head recorded earlier with `csae audit head` (SEQ:HASH): the log must still hold that entry unchanged.
    #[arg(long, value_name = "SEQ:HASH")]
    pub head: Option<String>,
}

#[derive(Args)]
pub struct ValidateArgs {
    /// Returns to validate: a force folder of CSVs (e.g. cumbria/), a force workbook (cumbria.xlsx), or a collection folder of them.
    #[arg(required = true, value_name = "RETURN")]
    pub returns: Vec<PathBuf>,
    /// Write the full validation report (csae.validation/1 JSON) to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Show personal values (person refs, PNC ids, dates of birth) in messages. Only for a force checking its own return.
    #[arg(long)]
    pub show_personal: bool,
    /// Issues shown per rule in the summary (the JSON report has them all).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub examples: usize,
    /// The period the returns are declared for, FROM..TO (ISO dates): crimes recorded outside it are rejected (C08). A collection folder named after a year (2023/) declares that year without it.
    #[arg(long, value_name = "FROM..TO", value_parser = parse_period)]
    pub period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Compare each return with its force's previous year in this dataset (history checks H01-H05: queries, never rejections).
    #[arg(long, value_name = "DATASET")]
    pub history: Option<PathBuf>,
}

#[derive(Args)]
pub struct IngestArgs {
    /// Returns to ingest: force folders, force workbooks or collection folders.
    #[arg(required = true, value_name = "RETURN")]
    pub returns: Vec<PathBuf>,
    /// The dataset folder to create or update.
    #[arg(long, value_name = "DATASET")]
    pub out: PathBuf,
    /// The pseudonymisation key file (or set CSAE_PSEUDONYM_KEY_FILE). Make one with `csae key new FILE`.
    #[arg(long, value_name = "F")]
    pub key_file: Option<PathBuf>,
    /// The period the returns are declared for, FROM..TO (ISO dates): crimes recorded outside it are rejected (C08). Default: the year of a collection folder named after one (2023/), else the calendar years of each return's recorded dates.
    #[arg(long, value_name = "FROM..TO", value_parser = parse_period)]
    pub period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Also write the validation report (csae.validation/1 JSON) to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Exit with code 1 when any row is rejected (rejected rows are always quarantined).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Disclosure {
    /// Suppressed for publication (OFFICIAL).
    Public,
    /// Exact, for national analysts (OFFICIAL-SENSITIVE).
    Internal,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Ethnicity {
    /// Self-defined ethnicity only.
    #[value(name = "self")]
    SelfDefined,
    /// Officer-observed ethnicity when self-defined is not recorded.
    OfficerFallback,
}

#[derive(Args)]
pub struct AnalysisArgs {
    /// The reporting period, FROM..TO (inclusive ISO dates of recorded_date). Default: all of the dataset.
    #[arg(long, value_name = "FROM..TO", value_parser = parse_period)]
    pub period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Suspects a CSAE crime needs to be group-based.
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub min_suspects: u32,
    /// Ethnicity used for the person tables.
    #[arg(long, value_enum, default_value = "self")]
    pub ethnicity: Ethnicity,
}

#[derive(Args)]
pub struct ReportArgs {
    /// The dataset folder written by `csae ingest`.
    #[arg(value_name = "DATASET")]
    pub dataset: PathBuf,
    /// The publication folder to write (an earlier publication there is replaced).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Disclosure control: public (suppressed, OFFICIAL) or internal (exact, OFFICIAL-SENSITIVE).
    #[arg(long, value_enum, default_value = "public")]
    pub disclosure: Disclosure,
    /// Smallest count published in public mode.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub min_cell: u32,
    /// Write the publication even when no accepted crime was recorded in the period (otherwise: nothing written, exit 1).
    #[arg(long)]
    pub allow_empty: bool,
    /// The responsible statistician and contact for the release information, e.g. "Jane Smith, csae-stats@example.gov.uk" (a release needs it; without it the outputs say it is not set).
    #[arg(long, value_name = "TEXT")]
    pub contact: Option<String>,
    /// The date of the next release, when announced (ISO date; default: "To be announced").
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub next_release: Option<chrono::NaiveDate>,
    /// The statistics' status (default: "Official statistics in development").
    #[arg(long, value_name = "TEXT")]
    pub status: Option<String>,
    /// Years of the series a one-year report shows, its own included.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub series_years: u32,
    /// An earlier publication (same --disclosure) to compare with: adds V01_revisions and the report's "Revisions" section.
    #[arg(long, value_name = "PUBLICATION")]
    pub previous: Option<PathBuf>,
    /// Population of each force area for rates and the ethnicity comparison: a CSV with the header force_id,population,white,mixed,asian,black,other (optionally children) [default: the built-in 2011 Census file].
    #[arg(long, value_name = "FILE")]
    pub population: Option<PathBuf>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(Args)]
pub struct SqlArgs {
    /// The dataset folder written by `csae ingest`.
    #[arg(value_name = "DATASET")]
    pub dataset: PathBuf,
    /// The query (SELECT or WITH … SELECT).
    #[arg(value_name = "SQL", required_unless_present = "list")]
    pub query: Option<String>,
    /// List the tables and views that can be queried.
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Folder for the demo's collection, key, dataset and publication.
    #[arg(long, default_value = "csae-demo", value_name = "DIR")]
    pub out: PathBuf,
    /// Size relative to the national collection.
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub scale: f64,
}

#[derive(Args)]
pub struct SynthArgs {
    /// The folder to write the collection into (an earlier synthetic collection there is replaced).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The seed: the same seed always gives the same collection.
    #[arg(long, default_value_t = 2023, value_name = "N")]
    pub seed: u64,
    /// Size relative to the national collection (1 = about 114,000 CSAE crimes).
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub scale: f64,
    /// Share of rows to break on purpose, one validation rule each (0 = clean). Writes injected.json.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub dirty: f64,
    /// File format of the returns: csv, xlsx, or mixed (about a quarter of forces send workbooks).
    #[arg(long, default_value = "csv", value_name = "csv|xlsx|mixed")]
    pub format: csae_synth::Format,
    /// Write a series: one collection per year, OUT/<year>/ (drifts, recording changes, a missing month, persons who reappear; injected.json per year).
    #[arg(long, value_name = "FROM..TO", value_parser = parse_years)]
    pub years: Option<(i32, i32)>,
}

/// `FROM..TO` of years, e.g. `2019..2023`.
pub fn parse_years(s: &str) -> Result<(i32, i32), String> {
    let bad = || format!("{s:?} is not a range of years; write FROM..TO, e.g. 2019..2023");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let (a, b): (i32, i32) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
    if a > b {
        return Err(format!("the years {s} end before they start; write FROM..TO with FROM on or before TO"));
    }
    Ok((a, b))
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Write a fresh random pseudonymisation key to a new file (mode 0600).
    #[command(after_help = "Example:\n  csae key new csae.key")]
    New(KeyNewArgs),
}

#[derive(Args)]
pub struct KeyNewArgs {
    /// The key file to create; an existing file is never overwritten.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Parses `FROM..TO` with ISO dates, FROM ≤ TO.
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    csae_model::dates::parse_iso(s.trim()).ok_or_else(|| format!("{s:?} is not a date; write an ISO date, e.g. 2025-06-30"))
}

pub fn parse_period(s: &str) -> Result<(chrono::NaiveDate, chrono::NaiveDate), String> {
    let bad = || format!("{s:?} is not a period; write FROM..TO with ISO dates, e.g. 2023-01-01..2023-12-31");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let from = csae_model::dates::parse_iso(a.trim()).ok_or_else(bad)?;
    let to = csae_model::dates::parse_iso(b.trim()).ok_or_else(bad)?;
    if from > to {
        return Err(format!("the period {s} ends before it starts; write FROM..TO with FROM on or before TO"));
    }
    Ok((from, to))
}
