//! How a validation result reads: its errors field by field, and as the thrown message.

/// One broken rule. `expected`/`actual` are `None` where the original leaves the key out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl ValidationError {
    pub(super) fn bare(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            expected: None,
            actual: None,
        }
    }

    pub(super) fn expecting(
        field: impl Into<String>,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Self {
            expected: Some(expected.into()),
            ..Self::bare(field, message)
        }
    }

    pub(super) fn mismatch(
        field: impl Into<String>,
        message: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Self {
            actual: Some(actual.into()),
            ..Self::expecting(field, message, expected)
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationResult {
    pub errors: Vec<ValidationError>,
}

impl ValidationResult {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// `formatValidationErrors`: empty when valid; `expected`/`actual` shown only when non-empty.
pub fn format_validation_errors(is_valid: bool, errors: &[ValidationError]) -> String {
    if is_valid {
        return String::new();
    }
    errors
        .iter()
        .map(|error| {
            let mut line = format!("{}: {}", error.field, error.message);
            if let Some(expected) = error.expected.as_deref().filter(|e| !e.is_empty()) {
                line.push_str(&format!(" (expected: {expected})"));
            }
            if let Some(actual) = error.actual.as_deref().filter(|a| !a.is_empty()) {
                line.push_str(&format!(" (got: {actual})"));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The message `assertValid` throws for an invalid result with these errors (the
/// multiplexer's constructor and `addModel` throw it too).
pub fn failure_message(errors: &[ValidationError]) -> String {
    format!(
        "Validation failed: {}",
        format_validation_errors(false, errors)
    )
}
