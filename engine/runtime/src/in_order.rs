//! Work on every core, results handed on in order: composing emails is
//! the longest step of a send, and it can run ahead on the cores the
//! connections leave idle while the messages still leave in due order.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

/// Runs `work` on each item, on up to `threads` threads, heaviest first
/// (by `weight`), and hands each result to `take` on this thread in the
/// items' order. Beginning the heaviest first lets the light ones after
/// them flow meanwhile. `take` returning false stops the rest: only items
/// already under way are finished.
pub fn in_order<T: Send, U: Send>(
    items: Vec<T>,
    threads: usize,
    weight: impl Fn(&T) -> usize,
    work: impl Fn(T) -> U + Sync,
    mut take: impl FnMut(U) -> bool,
) {
    if threads <= 1 || items.len() <= 1 {
        for item in items {
            if !take(work(item)) {
                return;
            }
        }
        return;
    }
    let count = items.len();
    let mut begin: Vec<usize> = (0..count).collect();
    begin.sort_by_key(|&n| std::cmp::Reverse(weight(&items[n])));
    let items: Vec<Mutex<Option<T>>> = items.into_iter().map(|i| Mutex::new(Some(i))).collect();
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let (done_in, done_out) = mpsc::channel::<(usize, U)>();
    // Takes the next item not begun, until none is left or `take` stopped.
    let worker = |done: mpsc::Sender<(usize, U)>| loop {
        if stopped.load(Ordering::Acquire) {
            return;
        }
        let Some(&n) = begin.get(next.fetch_add(1, Ordering::Relaxed)) else {
            return;
        };
        let item = items[n].lock().ok().and_then(|mut slot| slot.take());
        if let Some(item) = item {
            if done.send((n, work(item))).is_err() {
                return;
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..threads.min(count) {
            let done = done_in.clone();
            scope.spawn(move || worker(done));
        }
        // Held by the workers only: once they are all gone, waiting ends.
        drop(done_in);
        let mut early = BTreeMap::new();
        for wanted in 0..count {
            let result = loop {
                if let Some(result) = early.remove(&wanted) {
                    break Some(result);
                }
                match done_out.recv() {
                    Ok((n, result)) => {
                        early.insert(n, result);
                    }
                    // Every worker gone: a panic, raised when they join.
                    Err(_) => break None,
                }
            };
            if !result.is_some_and(&mut take) {
                break;
            }
        }
        stopped.store(true, Ordering::Release);
        drop(done_out);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_whatever_the_threads() {
        for threads in [1, 2, 4, 9] {
            let mut seen = Vec::new();
            in_order(
                (0..200u64).collect(),
                threads,
                |&n| (n % 5) as usize,
                |n| {
                    // Uneven work, so that later items often finish first.
                    std::thread::sleep(std::time::Duration::from_micros((200 - n) % 7 * 50));
                    n * n
                },
                |square| {
                    seen.push(square);
                    true
                },
            );
            let expected: Vec<u64> = (0..200u64).map(|n| n * n).collect();
            assert_eq!(seen, expected, "{threads} threads");
        }
    }

    #[test]
    fn a_stop_leaves_the_rest_undone() {
        for threads in [1, 2, 4] {
            let begun = AtomicUsize::new(0);
            let mut taken = Vec::new();
            in_order(
                (0..5000).collect::<Vec<u32>>(),
                threads,
                |_| 1,
                |n| {
                    begun.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(std::time::Duration::from_millis(1));
                    n
                },
                |n| {
                    taken.push(n);
                    n < 9
                },
            );
            assert_eq!(taken, (0..10).collect::<Vec<u32>>(), "{threads} threads");
            // Only what was under way when `take` stopped: a few per thread,
            // nowhere near the 5,000 (beginning half of them would take the
            // threads over half a second).
            let begun = begun.load(Ordering::Relaxed);
            assert!(begun < 2500, "{threads} threads: {begun} begun");
        }
    }
}
