//! Shared set-up: datasets to publish (the hand-made sample and a synthetic collection).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use csae_ingest::ingest::{IngestOptions, ingest};
use csae_ingest::pseudonym::Key;
use csae_publish::{Mode, PublishOptions, Published, publish};

/// A collection (or one return) ingested into `dir/ds`.
pub fn ingest_returns(returns: &Path, dir: &Path) -> PathBuf {
    let (sources, skipped) = csae_ingest::find_returns(&[returns.to_path_buf()]).unwrap();
    let key = Key::from_bytes(b"publication-test-key-of-32-bytes!!").unwrap();
    let ds = dir.join("ds");
    let opts = IngestOptions { today: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), period: None, now: "2026-11-25T00:00:00Z".into() };
    ingest(&sources, skipped, &ds, &key, &opts).unwrap();
    ds
}

/// The hand-made sample's return (one force, Cumbria).
pub fn tiny_return() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny/cumbria")
}

/// The hand-made sample ingested into `dir/ds`.
pub fn tiny_dataset(dir: &Path) -> PathBuf {
    ingest_returns(&tiny_return(), dir)
}

/// A clean synthetic national collection (seed 2023) at `scale`, ingested into `dir/ds`.
pub fn synthetic_dataset(dir: &Path, scale: f64) -> PathBuf {
    synthetic_dataset_with(dir, scale, 0.0)
}

/// A synthetic national collection with a share of rows broken on purpose (`dirty`).
pub fn synthetic_dataset_with(dir: &Path, scale: f64, dirty: f64) -> PathBuf {
    let returns = dir.join("returns");
    let opts = csae_synth::SynthOptions { seed: 2023, scale, dirty, format: csae_synth::Format::Csv };
    csae_synth::synth(&returns, &opts, &|_| {}).unwrap();
    ingest_returns(&returns, dir)
}

pub fn publish_to(ds: &Path, out: &Path, mode: Mode) -> Published {
    publish(ds, out, &PublishOptions { mode, ..PublishOptions::default() }).unwrap()
}
