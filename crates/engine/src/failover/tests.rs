use super::*;

const ALL: FailoverPolicy = FailoverPolicy {
    server_errors: true,
    connection_errors: true,
    attempt_timeout: false,
};

fn named(name: &str) -> FailedSend<'_> {
    FailedSend {
        name,
        ..FailedSend::default()
    }
}

#[test]
fn bedrock_server_exceptions_fail_over_whatever_their_status() {
    for name in SERVER_FAILURE_NAMES {
        let send = FailedSend {
            status: Some(429.0),
            ..named(name)
        };
        assert!(fails_over(ALL, send), "{name}");
    }
}

#[test]
fn a_5xx_or_server_fault_fails_over_only_with_server_errors_on() {
    let status_503 = FailedSend {
        status: Some(503.0),
        ..named("SomethingElse")
    };
    let server_fault = FailedSend {
        fault: Some("server"),
        ..named("SomethingElse")
    };
    assert!(fails_over(ALL, status_503));
    assert!(fails_over(ALL, server_fault));
    let off = FailoverPolicy {
        server_errors: false,
        ..ALL
    };
    assert!(!fails_over(off, status_503));
    assert!(!fails_over(off, named("ServiceUnavailableException")));
}

#[test]
fn validation_and_access_denied_fail_fast_even_as_server_faults() {
    for name in REQUEST_FAULT_NAMES {
        let send = FailedSend {
            status: Some(500.0),
            fault: Some("server"),
            ..named(name)
        };
        assert!(!fails_over(ALL, send), "{name}");
    }
    let client_400 = FailedSend {
        status: Some(400.0),
        fault: Some("client"),
        ..named("SomeClientException")
    };
    assert!(!fails_over(ALL, client_400));
}

#[test]
fn broken_connections_and_bodies_fail_over_only_with_connection_errors_on() {
    let by_code = FailedSend {
        codes: ["", "ECONNREFUSED"],
        ..named("Error")
    };
    let reset = FailedSend {
        message: "read ECONNRESET",
        ..named("Error")
    };
    let truncated = FailedSend {
        message: "socket hang up",
        ..named("Error")
    };
    let unparseable = FailedSend {
        message: "Unterminated string in JSON at position 92\n  Deserialization error: to see the raw response",
        status: Some(200.0),
        ..named("SyntaxError")
    };
    let off = FailoverPolicy {
        connection_errors: false,
        ..ALL
    };
    for send in [by_code, reset, truncated, unparseable] {
        assert!(fails_over(ALL, send), "{send:?}");
        assert!(!fails_over(off, send), "{send:?}");
    }
}

#[test]
fn a_timeout_fails_over_for_the_attempt_timeout_or_as_a_connection_error() {
    let none = FailoverPolicy {
        server_errors: true,
        connection_errors: false,
        attempt_timeout: false,
    };
    assert!(!fails_over(none, named("TimeoutError")));
    assert!(fails_over(
        FailoverPolicy {
            attempt_timeout: true,
            ..none
        },
        named("TimeoutError")
    ));
    assert!(fails_over(ALL, named("TimeoutError")));
}

#[test]
fn an_unremarkable_error_does_not_fail_over() {
    assert!(!fails_over(ALL, named("Error")));
}
