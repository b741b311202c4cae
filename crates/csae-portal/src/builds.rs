//! Builds: the dataset and both publications (public and internal) of a period, made from the
//! latest confirmed version of each force with the same code as `csae ingest` and `csae report`.
//! A build is made in a staging folder under `tmp/` and renamed into `builds/<id>` whole.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::Row;

use crate::db::Db;
use crate::files::{Layout, publish_dir, write_durable};
use crate::periods::Period;
use crate::submissions::Submission;

/// The files of a build that can be downloaded, and their content types. Only these names are
/// served, so a download URL can never reach anything else in the data folder.
pub const FILES: &[(&str, &str, &str)] = &[
    ("public.zip", "application/zip", "the public publication (OFFICIAL): headline.json, tables/*.csv, README.txt"),
    ("internal.zip", "application/zip", "the internal publication (OFFICIAL-SENSITIVE): exact figures"),
    ("headline.json", "application/json", "the public headline (OFFICIAL)"),
    ("headline-internal.json", "application/json", "the exact headline (OFFICIAL-SENSITIVE)"),
    ("validation.json", "application/json", "the csae.validation/1 report of the returns built from (personal values hidden)"),
];

pub fn content_type(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _, _)| *n == name).map(|(_, t, _)| *t)
}

#[derive(Debug, Clone, Serialize)]
pub struct Build {
    pub id: String,
    pub period: String,
    pub built_by: String,
    pub built_at: String,
    pub submissions: Vec<String>,
    /// The exact (internal) headline.
    pub headline: serde_json::Value,
}

impl Build {
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).expect("a build serialises");
        v["files"] = FILES.iter().map(|(n, t, d)| serde_json::json!({"name": n, "content_type": t, "description": d, "href": format!("/api/v1/builds/{}/files/{n}", self.id)})).collect();
        v
    }
}

/// Hard-links (or copies, across file systems) a stored submission into the build's returns.
fn link_into(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            link_into(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
    }
}

/// Zips a folder (relative names, deflated) into `out`.
fn zip_dir(dir: &Path, out: &Path) -> std::io::Result<()> {
    fn walk(base: &Path, dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() { walk(base, &p, files)? } else { files.push(p) }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files)?;
    let f = std::fs::File::create(out)?;
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for p in files {
        let name = p.strip_prefix(dir).expect("walked under dir").to_string_lossy().replace('\\', "/");
        z.start_file(name, opts).map_err(std::io::Error::other)?;
        z.write_all(&std::fs::read(&p)?)?;
    }
    z.finish().map_err(std::io::Error::other)?.sync_all()
}

/// Why a build failed, in one sentence.
#[derive(Debug)]
pub struct BuildFailed(pub String);

/// What a finished build made.
pub struct Made {
    pub headline_internal: serde_json::Value,
}

/// What a build is made from: the period's latest confirmed versions, each earlier period's
/// (so the publication has its series), and the period's previous successful build (so its
/// revisions are listed).
pub struct Inputs<'a> {
    pub period: &'a Period,
    pub subs: &'a [Submission],
    pub earlier: &'a [(Period, Vec<Submission>)],
    pub previous: Option<PathBuf>,
}

/// Builds into `builds/<id>`. Blocking (ingest and analysis are CPU work): run on a blocking thread.
pub fn make(layout: &Layout, id: &str, inputs: &Inputs, release: &csae_publish::ReleaseOptions) -> Result<Made, BuildFailed> {
    let fail = |what: &str, e: &dyn std::fmt::Display| BuildFailed(format!("the build could not {what}: {e}"));
    let key = layout.key().map_err(|e| fail("get the pseudonymisation key", &e))?;
    let stage = layout.temp_path("build");
    let period = inputs.period;
    let result = (|| {
        let now = chrono::Utc::now();
        let dataset = stage.join("dataset");
        let mut report = csae_ingest::report::ValidationReport::new(Vec::new());
        // Earlier periods first, each with its own dates; their reports are keyed by period.
        let groups = inputs.earlier.iter().map(|(p, s)| (p, s.as_slice(), true)).chain([(period, inputs.subs, false)]);
        for (n, (per, subs, earlier)) in groups.enumerate() {
            let returns = stage.join("returns").join(n.to_string());
            std::fs::create_dir_all(&returns).map_err(|e| fail("prepare its folder", &e))?;
            for s in subs {
                let src = layout.submission(&s.id);
                let name = if s.format == "xlsx" { format!("{}.xlsx", s.force_id) } else { s.force_id.clone() };
                link_into(&src.join(&name), &returns.join(&name)).map_err(|e| fail("collect the confirmed returns", &e))?;
            }
            let (sources, skipped) = csae_ingest::find_returns(std::slice::from_ref(&returns)).map_err(|e| fail("find the returns", &e))?;
            let opts = csae_ingest::ingest::IngestOptions {
                today: now.date_naive(),
                period: Some(per.dates()),
                now: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            };
            let outcome = csae_ingest::ingest::ingest(&sources, skipped, &dataset, &key, &opts).map_err(|e| fail("ingest the returns", &e))?;
            for (k, f) in outcome.report.forces {
                report.forces.insert(if earlier { format!("{}/{k}", per.id) } else { k }, f);
            }
        }
        report.write_json(&stage.join("validation.json")).map_err(|e| fail("write the validation report", &e))?;
        let mut internal_headline = serde_json::Value::Null;
        for (mode, folder, headline_file) in
            [(csae_publish::Mode::Public, "public", "headline.json"), (csae_publish::Mode::Internal, "internal", "headline-internal.json")]
        {
            let opts = csae_publish::PublishOptions {
                analysis: csae_analysis::Options { period: Some(period.dates()), ..Default::default() },
                mode,
                min_cell: 5,
                // A build shows its outcome in the portal, empty or not.
                allow_empty: true,
                release: release.clone(),
                previous: inputs.previous.as_ref().map(|b| b.join(folder)).filter(|p| p.is_dir()),
                ..Default::default()
            };
            let out = stage.join(folder);
            let published = csae_publish::publish(&dataset, &out, &opts).map_err(|e| fail(&format!("write the {folder} publication"), &e))?;
            let json = serde_json::to_string_pretty(&published.headline_json).expect("headline serialises");
            write_durable(&stage.join(headline_file), json.as_bytes()).map_err(|e| fail("write the headline", &e))?;
            zip_dir(&out, &stage.join(format!("{folder}.zip"))).map_err(|e| fail("zip the publication", &e))?;
            if mode == csae_publish::Mode::Internal {
                internal_headline = serde_json::to_value(&published.headline).expect("headline serialises");
            }
        }
        publish_dir(&stage, &layout.build(id)).map_err(|e| fail("store the outputs", &e))?;
        Ok(Made { headline_internal: internal_headline })
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&stage);
    }
    result
}

/// The dataset of the latest build of any period: what uploads are checked against (H01–H05).
pub async fn latest_dataset(db: &Db, layout: &Layout) -> Result<Option<PathBuf>, sqlx::Error> {
    let r = sqlx::query("SELECT id FROM builds ORDER BY built_at DESC, id DESC").fetch_optional(&db.pool).await?;
    let id: Option<String> = r.map(|r| r.try_get(0)).transpose()?;
    Ok(id.map(|id| layout.build(&id).join("dataset")).filter(|d| d.is_dir()))
}

pub async fn insert(conn: &mut sqlx::AnyConnection, b: &Build) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO builds (id, period_id, built_by, built_at, submissions, headline) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(b.id.clone())
        .bind(b.period.clone())
        .bind(b.built_by.clone())
        .bind(b.built_at.clone())
        .bind(serde_json::to_string(&b.submissions).expect("ids serialise"))
        .bind(b.headline.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Build, sqlx::Error> {
    let subs: String = r.try_get(4)?;
    let headline: String = r.try_get(5)?;
    Ok(Build {
        id: r.try_get(0)?,
        period: r.try_get(1)?,
        built_by: r.try_get(2)?,
        built_at: r.try_get(3)?,
        submissions: serde_json::from_str(&subs).unwrap_or_default(),
        headline: serde_json::from_str(&headline).unwrap_or(serde_json::Value::Null),
    })
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Build>, sqlx::Error> {
    let r = sqlx::query("SELECT id, period_id, built_by, built_at, submissions, headline FROM builds WHERE id = $1").bind(id.to_string()).fetch_optional(&db.pool).await?;
    r.as_ref().map(from_row).transpose()
}

pub async fn list(db: &Db, period: &str) -> Result<Vec<Build>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, period_id, built_by, built_at, submissions, headline FROM builds WHERE period_id = $1 ORDER BY built_at DESC, id")
        .bind(period.to_string())
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(from_row).collect()
}
