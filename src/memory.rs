//! Hands the memory freed after a large answer back to the system at once.
//!
//! mimalloc (the addon's allocator) returns freed pages lazily, when the thread that
//! freed them allocates again; a thread that has just built a 50 MB answer and then sits
//! idle would keep that memory resident beside the copy JavaScript is building.

/// Answers at least this large (as JSON text) are followed by a collection; smaller ones
/// leave it to mimalloc, so the common path pays nothing.
pub const LARGE_ANSWER_BYTES: usize = 4 << 20;

extern "C" {
    /// mimalloc's own API (compiled into the addon with the allocator).
    fn mi_collect(force: bool);
}

/// Returns the calling thread's freed pages to the system (`force: false`: only what is free).
pub fn release_freed() {
    // SAFETY: a plain call into the allocator linked into this library; no arguments to uphold.
    unsafe { mi_collect(false) }
}
