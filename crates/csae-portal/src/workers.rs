//! A fixed set of threads for the heavy blocking work of uploads (unpacking and validating a
//! return), taking jobs in the order they come.
//!
//! Why not `tokio::task::spawn_blocking` behind a semaphore: the blocking pool runs each job on
//! whichever of its threads is idle and grows to dozens of threads, and the allocator keeps
//! what a thread freed for that thread to reuse; validations always on the same
//! `validation_slots` threads keep the server's memory to what those threads need
//! (docs/performance.md, "Portal under load").

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

pub struct Workers {
    tx: Mutex<mpsc::Sender<Job>>,
}

/// The job could not run to its end (it panicked, or the workers are gone).
#[derive(Debug)]
pub struct Lost;

impl Workers {
    /// Starts `n` threads (at least one) named `{name}-{i}`.
    pub fn new(n: usize, name: &str) -> Workers {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..n.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking the next job, not while running it.
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A panicking job loses its answer (the caller gets `Lost`), not the thread.
                            Ok(job) => drop(std::panic::catch_unwind(AssertUnwindSafe(job))),
                            Err(_) => return,
                        }
                    }
                })
                .expect("the operating system starts a thread");
        }
        Workers { tx: Mutex::new(tx) }
    }

    /// Runs `f` on one of the threads when one is free; waits (asynchronously) for its result.
    /// If this future is dropped before `f` starts, `f` is dropped without running.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, Lost> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // Nobody waits any more (the client went away while queued): skip the work.
            if !done.is_closed() {
                let _ = done.send(f());
            }
        });
        self.tx.lock().map_err(|_| Lost)?.send(job).map_err(|_| Lost)?;
        result.await.map_err(|_| Lost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_named_threads_and_a_panic_loses_only_its_job() {
        let w = Workers::new(2, "test-worker");
        let name = w.run(|| std::thread::current().name().unwrap_or("").to_string()).await.unwrap();
        assert!(name.starts_with("test-worker-"), "{name}");
        assert!(w.run(|| -> u8 { panic!("a job fails") }).await.is_err());
        // Both threads are still there after the panic.
        let mut names = std::collections::BTreeSet::new();
        for _ in 0..50 {
            names.insert(w.run(|| std::thread::current().name().unwrap_or("").to_string()).await.unwrap());
        }
        assert!(w.run(|| 6 * 7).await.is_ok_and(|v| v == 42));
        assert!(!names.is_empty() && names.len() <= 2, "{names:?}");
    }
}
