//! The four tables of a new dataset version written return by return while the returns are
//! still being prepared, always in the order of the returns, however the threads finish them.
//! Each return's Arrow batches are encoded and freed as soon as the returns before it are
//! written, so the collection's batches (about 130 MB nationally) are never held at once, and
//! encoding fills the time a core would otherwise wait for the last returns.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use arrow::array::RecordBatch;
use csae_model::Table;

use super::{TableWriter, table_file};

/// The new tables, fed by [`TableStream::submit`].
pub struct TableStream {
    writers: Mutex<Writers>,
    order: Mutex<Order>,
}

struct Writers {
    /// In [`Table::ALL`] order.
    tables: Vec<TableWriter>,
    /// The first write that failed; nothing is written after it.
    error: Option<std::io::Error>,
}

struct Order {
    /// The next return to write.
    next: usize,
    /// Returns handed over before their turn.
    waiting: BTreeMap<usize, Option<[RecordBatch; 4]>>,
    /// A thread is writing: others hand over and go back to their work.
    draining: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl TableStream {
    /// Creates the four table files in `stage`.
    pub fn create(stage: &Path) -> std::io::Result<TableStream> {
        let tables = Table::ALL.into_iter().map(|t| TableWriter::create(&table_file(stage, t), t)).collect::<Result<_, _>>()?;
        Ok(TableStream {
            writers: Mutex::new(Writers { tables, error: None }),
            order: Mutex::new(Order { next: 0, waiting: BTreeMap::new(), draining: false }),
        })
    }

    /// Hands over the batches of return number `i` (in `Table::ALL` order; `None` when the
    /// return writes nothing, e.g. rejected whole). Every number from 0 up must be handed over
    /// once. The thread that hands over the next return due writes it, and then every return
    /// already waiting in turn; other threads return at once.
    pub fn submit(&self, i: usize, batches: Option<[RecordBatch; 4]>) {
        let mut order = lock(&self.order);
        order.waiting.insert(i, batches);
        if order.draining {
            return;
        }
        order.draining = true;
        loop {
            let due = order.next;
            let Some(item) = order.waiting.remove(&due) else { break };
            order.next += 1;
            drop(order);
            if let Some(batches) = item {
                self.write(&batches);
            }
            order = lock(&self.order);
        }
        order.draining = false;
    }

    fn write(&self, batches: &[RecordBatch; 4]) {
        let mut w = lock(&self.writers);
        if w.error.is_some() {
            return;
        }
        let Writers { tables, error } = &mut *w;
        for (writer, batch) in tables.iter_mut().zip(batches) {
            if let Err(e) = writer.write(batch) {
                *error = Some(e);
                return;
            }
        }
    }

    /// The writers, in `Table::ALL` order, once `returns` returns were handed over; the first
    /// write error, if any.
    pub fn into_writers(self, returns: usize) -> std::io::Result<Vec<TableWriter>> {
        let order = self.order.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        assert!(order.next == returns && order.waiting.is_empty(), "every return is handed over once");
        let w = self.writers.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        match w.error {
            Some(e) => Err(e),
            None => Ok(w.tables),
        }
    }
}
