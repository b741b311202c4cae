//! Receiving an upload: the body is streamed into a file under `tmp/`, counting bytes and
//! hashing as it goes, and refused (413) the moment it passes the size limit. Nothing of a
//! half-received body is ever kept: the temporary file is removed when dropped.

use std::path::{Path, PathBuf};

use axum::body::Bytes;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::error::ApiError;

/// A complete upload in a temporary file, removed on drop unless taken.
pub struct Received {
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
}

impl Drop for Received {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Writes chunks into a temporary file with a size limit.
pub struct Receiver {
    file: tokio::fs::File,
    path: PathBuf,
    bytes: u64,
    max: u64,
    hash: Sha256,
    done: bool,
}

impl Receiver {
    pub async fn create(path: PathBuf, max: u64) -> Result<Receiver, ApiError> {
        let file = tokio::fs::File::create(&path).await.map_err(|e| {
            eprintln!("csae serve: cannot create {} ({e})", path.display());
            ApiError::internal("store the upload")
        })?;
        Ok(Receiver { file, path, bytes: 0, max, hash: Sha256::new(), done: false })
    }

    pub async fn push(&mut self, chunk: &Bytes) -> Result<(), ApiError> {
        self.bytes += chunk.len() as u64;
        if self.bytes > self.max {
            return Err(too_large(self.max));
        }
        self.hash.update(chunk);
        self.file.write_all(chunk).await.map_err(|e| {
            eprintln!("csae serve: cannot write {} ({e})", self.path.display());
            ApiError::internal("store the upload (is the disk full?)")
        })
    }

    pub async fn finish(mut self) -> Result<Received, ApiError> {
        if self.bytes == 0 {
            return Err(ApiError::bad_request("empty_upload", "the upload is empty; send the return's XLSX workbook or a zip of its four CSV files"));
        }
        self.file.sync_all().await.map_err(|_| ApiError::internal("store the upload"))?;
        self.done = true;
        let hash = std::mem::take(&mut self.hash);
        Ok(Received { path: self.path.clone(), bytes: self.bytes, sha256: hex::encode(hash.finalize()) })
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

pub fn too_large(max: u64) -> ApiError {
    ApiError::too_large(format!("the upload is larger than the limit of {} MB; check it is the right file, or ask the national team to raise the limit", max / (1024 * 1024)))
}

/// The next piece of an upload's body, or 408 when the client sends nothing for `idle`.
pub async fn within<T>(idle: std::time::Duration, next: impl std::future::Future<Output = T>) -> Result<T, ApiError> {
    tokio::time::timeout(idle, next).await.map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            "upload_stalled",
            format!("the upload sent nothing for {} seconds, so it was stopped; check the connection and upload it again", idle.as_secs()),
        )
    })
}

/// Streams a raw request body (the API's upload) into `path`; `idle` is the longest wait for
/// the next piece of it.
pub async fn from_body(body: axum::body::Body, path: &Path, max: u64, idle: std::time::Duration) -> Result<Received, ApiError> {
    use http_body_util::BodyExt;
    let mut rx = Receiver::create(path.to_path_buf(), max).await?;
    let mut body = body;
    while let Some(frame) = within(idle, body.frame()).await? {
        let frame = frame.map_err(|_| ApiError::bad_request("upload_interrupted", "the upload was interrupted before it was complete; send it again"))?;
        if let Ok(data) = frame.into_data() {
            rx.push(&data).await?;
        }
    }
    rx.finish().await
}
