//! Running independent jobs of unequal size on every core.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `work(item)` for every item, on as many threads as the machine has cores, the largest items
/// (by `size`) first; results in the order of `items`. Taking the largest first keeps the cores
/// busy to the end: a large return left for last would run alone while the other cores idle.
pub fn largest_first<T: Sync, R: Send>(items: &[T], size: impl Fn(&T) -> u64, work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let mut order: Vec<(u64, usize)> = items.iter().enumerate().map(|(i, t)| (size(t), i)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, items.len().max(1));
    let done: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    while let Some(&(_, i)) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                        out.push((i, work(&items[i])));
                    }
                    out
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut results: Vec<(usize, R)> = done.into_iter().flatten().collect();
    results.sort_by_key(|r| r.0);
    results.into_iter().map(|r| r.1).collect()
}

#[cfg(test)]
mod tests {
    use super::largest_first;

    #[test]
    fn every_item_once_results_in_input_order() {
        let items: Vec<u64> = (0..100).map(|i| (i * 37) % 101).collect();
        let seen = std::sync::Mutex::new(Vec::new());
        let out = largest_first(&items, |&x| x, |&x| {
            seen.lock().unwrap().push(x);
            x * 2
        });
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        let mut seen = seen.into_inner().unwrap();
        seen.sort_unstable();
        let mut all = items.clone();
        all.sort_unstable();
        assert_eq!(seen, all);
        assert!(largest_first(&[] as &[u64], |&x| x, |&x| x).is_empty());
    }
}
