//! Local resource exhaustion (no file descriptor, buffer or local port left on this
//! machine): named as Node names it, and not retried (`no_retry.rs`), as the JS SDK
//! does not retry it.

use crate::source_chain;
use std::error::Error as StdError;

/// Node's (libuv's) code and errno for an OS error that means this machine ran out of
/// something, rather than that the server or the network failed.
#[cfg(unix)]
pub(crate) fn node_code(error: &std::io::Error) -> Option<(&'static str, i32)> {
    let errno = error.raw_os_error()?;
    let code = match errno {
        libc::EMFILE => "EMFILE",
        libc::ENFILE => "ENFILE",
        libc::ENOBUFS => "ENOBUFS",
        libc::ENOMEM => "ENOMEM",
        libc::EADDRNOTAVAIL => "EADDRNOTAVAIL",
        _ => return None,
    };
    Some((code, -errno))
}

/// Windows reports these through Winsock codes that libuv maps apart; not named there.
#[cfg(not(unix))]
pub(crate) fn node_code(_error: &std::io::Error) -> Option<(&'static str, i32)> {
    None
}

/// The local exhaustion somewhere in `error`'s sources, if any.
pub(crate) fn find(error: &(dyn StdError + 'static)) -> Option<(&'static str, i32)> {
    source_chain::sources(error)
        .find_map(|e| e.downcast_ref::<std::io::Error>().and_then(node_code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_runtime_api::client::result::ConnectorError;

    #[test]
    fn names_descriptor_exhaustion_as_node_does() {
        let error = std::io::Error::from_raw_os_error(libc::EMFILE);
        assert_eq!(node_code(&error), Some(("EMFILE", -24)));
        // As the SDK's orchestrator holds a failed connect.
        let connector = ConnectorError::io(Box::new(error));
        assert_eq!(find(&connector), Some(("EMFILE", -24)));
    }

    #[test]
    fn leaves_server_and_network_failures_alone() {
        for errno in [libc::ECONNREFUSED, libc::ECONNRESET, libc::ETIMEDOUT] {
            assert_eq!(node_code(&std::io::Error::from_raw_os_error(errno)), None);
        }
        assert_eq!(find(&std::io::Error::other("socket hang up")), None);
    }
}
