//! Revisions (`series.md`): a publication compared with one built earlier in the same
//! disclosure mode (`--previous`). `V01_revisions` lists every published figure that changed,
//! headline keys and S02's cells of the years both have; the forces whose returns changed are
//! named from the two `sources.json`.

use std::collections::BTreeMap;
use std::path::Path;

use csae_analysis::{Kind, Table};
use serde_json::Value;

use crate::Mode;

/// What a previous publication published, as read back from its folder.
pub struct Previous {
    headline: Value,
    sources: Value,
    /// S02's cells as published: (force, year) → text.
    s02: BTreeMap<(String, String), String>,
}

/// Reads the publication in `dir`, refusing a folder that is not one or was built in the
/// other disclosure mode (one sentence each).
pub fn read_previous(dir: &Path, mode: Mode) -> Result<Previous, String> {
    let not = || format!("--previous {} is not a csae publication (it has no headline.json of csae.headline/1); give the folder of an earlier `csae report`", dir.display());
    let text = std::fs::read_to_string(dir.join("headline.json")).map_err(|_| not())?;
    let headline: Value = serde_json::from_str(&text).map_err(|_| not())?;
    if headline.get("schema").and_then(Value::as_str) != Some("csae.headline/1") {
        return Err(not());
    }
    let built = headline.get("disclosure").and_then(Value::as_str).unwrap_or("unknown").to_string();
    if built != mode.name() {
        return Err(format!(
            "--previous {} was built with --disclosure {built}, and this publication is {}; compare publications of the same disclosure mode",
            dir.display(),
            mode.name()
        ));
    }
    let sources = std::fs::read_to_string(dir.join("sources.json")).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
    let mut s02 = BTreeMap::new();
    if let Ok(mut r) = csv::Reader::from_path(dir.join("tables/S02_group_based_by_force_and_year.csv")) {
        let header: Vec<String> = r.headers().map(|h| h.iter().map(str::to_string).collect()).unwrap_or_default();
        for rec in r.records().flatten() {
            for (c, year) in header.iter().enumerate().skip(2) {
                if let (Some(force), Some(v)) = (rec.get(0), rec.get(c)) {
                    s02.insert((force.to_string(), year.clone()), v.to_string());
                }
            }
        }
    }
    Ok(Previous { headline, sources, s02 })
}

/// A published figure: a number, withheld (`[c]`), or not applicable.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Figure {
    Value(f64),
    Withheld,
    NotApplicable,
}

/// A headline value as published: null is withheld in public mode and not applicable in
/// internal mode; shares are compared in whole per cent, as the public outputs show them.
fn headline_figure(v: &Value, share: bool, mode: Mode) -> Option<Figure> {
    match v {
        Value::Null if mode == Mode::Public => Some(Figure::Withheld),
        Value::Null => Some(Figure::NotApplicable),
        Value::Number(n) => n.as_f64().map(|x| Figure::Value(if share { (x * 100.0).round() } else { x })),
        _ => None,
    }
}

fn cell_figure(text: &str) -> Figure {
    match text {
        "[c]" => Figure::Withheld,
        t => t.parse().map_or(Figure::NotApplicable, Figure::Value),
    }
}

/// Every numeric leaf of a JSON value, by its dotted path.
fn leaves(v: &Value, path: String, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                leaves(x, if path.is_empty() { k.clone() } else { format!("{path}.{k}") }, out);
            }
        }
        Value::Number(_) | Value::Null => {
            out.insert(path, v.clone());
        }
        _ => {}
    }
}

/// Keys that are options of the build, not figures.
const NOT_FIGURES: [&str; 3] = ["min_suspects", "series.years", "change.previous_year"];

/// `V01_revisions`: one row per figure that changed.
pub fn revisions(previous: &Previous, headline: &Value, tables: &[Table], mode: Mode) -> Table {
    let mut rows: Vec<(String, Figure, Figure)> = Vec::new();
    let (mut before, mut now) = (BTreeMap::new(), BTreeMap::new());
    leaves(&previous.headline, String::new(), &mut before);
    leaves(headline, String::new(), &mut now);
    for (key, cur) in &now {
        if NOT_FIGURES.iter().any(|k| key.starts_with(k)) {
            continue;
        }
        let Some(prev) = before.get(key) else { continue };
        let share = key.ends_with("share") || key.ends_with("share_of_known") || key.starts_with("suspect_ethnicity_of_recorded");
        if let (Some(p), Some(c)) = (headline_figure(prev, share, mode), headline_figure(cur, share, mode)) {
            if p != c {
                rows.push((if share { format!("{key} (%)") } else { key.clone() }, p, c));
            }
        }
    }
    if let Some(s02) = tables.iter().find(|t| t.id == "S02_group_based_by_force_and_year") {
        for (r, (force, _)) in s02.rows.iter().enumerate() {
            for (c, (year, _)) in s02.cols.iter().enumerate().filter(|(_, (y, _))| y != "Total") {
                let Some(prev) = previous.s02.get(&(force.clone(), year.clone())) else { continue };
                let cur = crate::cell_text(s02.kind, s02.values[r][c], crate::csv_tables::is_suppressed(s02, r, c), mode);
                let (p, q) = (cell_figure(prev), cell_figure(&cur));
                if p != q {
                    rows.push((format!("S02 {force} {year}"), p, q));
                }
            }
        }
    }
    let value = |f: Figure| if let Figure::Value(x) = f { Some(x) } else { None };
    let withheld = |f: Figure| f == Figure::Withheld;
    let values = rows
        .iter()
        .map(|(_, p, c)| {
            let diff = value(*p).zip(value(*c)).map(|(p, c)| c - p);
            vec![value(*p), value(*c), diff]
        })
        .collect();
    let suppressed = rows.iter().map(|(_, p, c)| vec![withheld(*p), withheld(*c), withheld(*p) || withheld(*c)]).collect();
    Table {
        id: "V01_revisions".into(),
        title: "Figures that changed since the previous publication".into(),
        unit: "figures".into(),
        kind: Kind::Measures,
        row_name: "figure".into(),
        rows: rows.iter().map(|(f, _, _)| (f.clone(), f.clone())).collect(),
        col_name: "measure".into(),
        cols: vec![("PREVIOUS".into(), "Previous".into()), ("CURRENT".into(), "Current".into()), ("DIFFERENCE".into(), "Difference".into())],
        values,
        suppressed,
        bases: Vec::new(),
        decimals: Vec::new(),
    }
}

/// The returns of a `sources.json`: (force, period) → the files' SHA-256, sorted.
fn returns_of(sources: &Value) -> BTreeMap<(String, String), Vec<String>> {
    let mut out = BTreeMap::new();
    for r in sources.get("returns").and_then(Value::as_array).into_iter().flatten() {
        let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let mut shas: Vec<String> = r.get("files").and_then(Value::as_object).into_iter().flatten().filter_map(|(_, f)| f.get("sha256").and_then(Value::as_str).map(str::to_string)).collect();
        shas.sort();
        out.insert((text("force_id"), text("period")), shas);
    }
    out
}

/// Forces whose returns were added, replaced or removed, as "Name (period)".
pub fn revised_forces(previous: &Previous, sources: &Value) -> Vec<String> {
    let (before, now) = (returns_of(&previous.sources), returns_of(sources));
    let mut keys: Vec<&(String, String)> = before.keys().chain(now.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| before.get(*k) != now.get(*k))
        .map(|(force, period)| {
            let name = csae_model::force(force).map_or_else(|| force.clone(), |f| f.name.clone());
            format!("{name} ({})", period.replace("..", " to "))
        })
        .collect()
}
