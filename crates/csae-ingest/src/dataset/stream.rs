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

/// The new tables, fed by [`TableStream::submit`]. Each table has its own queue, so two
/// threads can encode two tables at once.
pub struct TableStream {
    tables: Vec<Queue>,
}

/// One table's file and the batches waiting for their turn.
struct Queue {
    writer: Mutex<Written>,
    order: Mutex<Order>,
}

struct Written {
    file: TableWriter,
    /// The first write that failed; nothing is written after it.
    error: Option<std::io::Error>,
}

struct Order {
    /// The next return to write.
    next: usize,
    /// Returns handed over before their turn.
    waiting: BTreeMap<usize, Option<RecordBatch>>,
    /// A thread is writing this table: others hand over and go on.
    draining: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl TableStream {
    /// Creates the four table files in `stage`.
    pub fn create(stage: &Path) -> std::io::Result<TableStream> {
        let tables = Table::ALL
            .into_iter()
            .map(|t| {
                Ok(Queue {
                    writer: Mutex::new(Written { file: TableWriter::create(&table_file(stage, t), t)?, error: None }),
                    order: Mutex::new(Order { next: 0, waiting: BTreeMap::new(), draining: false }),
                })
            })
            .collect::<std::io::Result<_>>()?;
        Ok(TableStream { tables })
    }

    /// Hands over the batches of return number `i` (in `Table::ALL` order; `None` when the
    /// return writes nothing, e.g. rejected whole). Every number from 0 up must be handed over
    /// once. For each table, the thread that hands over the next return due writes it, and
    /// then every return already waiting in turn; otherwise it goes on at once.
    pub fn submit(&self, i: usize, batches: Option<[RecordBatch; 4]>) {
        let mut batches = batches.map(|b| b.map(Some));
        for (k, queue) in self.tables.iter().enumerate() {
            let batch = batches.as_mut().and_then(|b| b[k].take());
            queue.submit(i, batch);
        }
    }

    /// The writers, in `Table::ALL` order, once `returns` returns were handed over; the first
    /// write error, if any.
    pub fn into_writers(self, returns: usize) -> std::io::Result<Vec<TableWriter>> {
        self.tables
            .into_iter()
            .map(|q| {
                let order = q.order.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
                assert!(order.next == returns && order.waiting.is_empty(), "every return is handed over once");
                let w = q.writer.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
                match w.error {
                    Some(e) => Err(e),
                    None => Ok(w.file),
                }
            })
            .collect()
    }
}

impl Queue {
    fn submit(&self, i: usize, batch: Option<RecordBatch>) {
        let mut order = lock(&self.order);
        order.waiting.insert(i, batch);
        if order.draining {
            return;
        }
        order.draining = true;
        loop {
            let due = order.next;
            let Some(item) = order.waiting.remove(&due) else { break };
            order.next += 1;
            drop(order);
            if let Some(batch) = item {
                let mut w = lock(&self.writer);
                if w.error.is_none()
                    && let Err(e) = w.file.write(&batch)
                {
                    w.error = Some(e);
                }
            }
            order = lock(&self.order);
        }
        order.draining = false;
    }
}
