//! Hands the memory freed after a large answer back to the system at once.
//!
//! mimalloc (the addon's allocator) returns freed memory lazily: after a delay, and only
//! when some thread next calls into it. After a 50 MB answer the body, the SDK's typed
//! copy and the tree it was converted through would stay resident beside the copy
//! JavaScript is building.

/// Answers at least this large (as JSON text) are followed by a collection; smaller ones
/// leave it to mimalloc, so the common path pays nothing.
pub const LARGE_ANSWER_BYTES: usize = 4 << 20;

extern "C" {
    /// mimalloc's own API (compiled into the addon with the allocator).
    fn mi_collect(force: bool);
}

/// Returns freed memory to the system now: the calling thread's free pages and, forced,
/// every purge mimalloc has scheduled for later (its arenas purge freed ranges only after
/// a delay, and only when some thread next calls into the allocator).
pub fn release_freed() {
    // SAFETY: a plain call into the allocator linked into this library; no arguments to uphold.
    unsafe { mi_collect(true) }
}
