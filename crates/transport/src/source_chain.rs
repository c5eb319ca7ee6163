//! Walking a `std::error::Error`'s chain of sources: finding a cause by type, and the
//! messages joined for logs and Node-style texts.

use std::error::Error as StdError;

/// The messages of an error and its sources, joined.
pub(crate) fn chain(e: &(dyn StdError + 'static)) -> String {
    let mut out = e.to_string();
    for source in sources(e).skip(1) {
        let text = source.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

/// `e`, then its sources, outermost first.
pub(crate) fn sources<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |&c| c.source())
}

/// The first error of type `T` among `e` and its sources.
pub(crate) fn find_source<'a, T: StdError + 'static>(
    e: &'a (dyn StdError + 'static),
) -> Option<&'a T> {
    sources(e).find_map(|c| c.downcast_ref::<T>())
}
