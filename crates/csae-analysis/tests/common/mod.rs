//! Shared set-up of the tests that analyse a synthetic collection.

use std::path::{Path, PathBuf};

use csae_ingest::ingest::{IngestOptions, ingest};
use csae_ingest::pseudonym::Key;
use csae_synth::{Format, SynthOptions, synth};

/// A clean synthetic collection (seed 2023) at `scale`, ingested into `dir/ds`.
pub fn synthetic_dataset(dir: &Path, scale: f64) -> PathBuf {
    let returns = dir.join("returns");
    synth(&returns, &SynthOptions { seed: 2023, scale, dirty: 0.0, format: Format::Csv }, &|_| {}).unwrap();
    let (sources, skipped) = csae_ingest::find_returns(&[returns]).unwrap();
    let key = Key::from_bytes(b"synthetic-test-key-of-32-bytes!!!!").unwrap();
    let ds = dir.join("ds");
    let opts = IngestOptions { today: chrono::Local::now().date_naive(), period: None, now: "2026-11-25T00:00:00Z".into() };
    ingest(&sources, skipped, &ds, &key, &opts).unwrap();
    ds
}
