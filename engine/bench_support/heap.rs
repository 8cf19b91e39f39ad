//! The benches' heap figures: a global allocator that counts live bytes and
//! remembers the peak. Included by each bench that reports a peak heap with
//! `#[path = "../../bench_support/heap.rs"] mod heap;` (a bench is its own
//! crate, and this is too small to be a crate of its own).

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// A global allocator can only be written as an `unsafe impl`; it hands every
// call straight to mimalloc, the `jalon` binary's allocator, so that the
// benches measure what the binary does.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { MiMalloc.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { MiMalloc.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    // Growing in place, as the binary's allocator does, rather than the
    // default copy into a new block.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { MiMalloc.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The heap as it was when a measured piece of work began.
pub struct Mark {
    base: usize,
}

impl Mark {
    /// From now on, the peak counts from what is live now.
    pub fn now() -> Mark {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        Mark { base }
    }

    /// The most bytes allocated at once since the mark, beyond what was
    /// live at it.
    pub fn peak(&self) -> usize {
        PEAK.load(Ordering::Relaxed) - self.base
    }
}

pub fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1 << 20) as f64
}
