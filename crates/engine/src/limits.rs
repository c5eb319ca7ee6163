//! How much of a caller's value the addon copies out of JavaScript in one call.
//!
//! Copying walks a value element by element, so a sparse array whose `length` is
//! 2³² − 1 (a few bytes of real content) would take minutes and gigabytes. Every copy
//! therefore checks an array's length before walking it and keeps a budget of values
//! and bytes. The bounds are far above any real request or configuration: Bedrock
//! takes at most 20 images (3.75 MB each) and 5 documents (4.5 MB each) per message,
//! and text is bounded by the model's context window.

use std::fmt;

/// Most elements of any one array the addon reads.
pub const MAX_ARRAY_LENGTH: u32 = 100_000;

/// Most values (elements, members and leaves) one copy reads.
pub const MAX_VALUES: usize = 1_000_000;

/// Most string and byte content one copy reads, in bytes (256 MiB).
pub const MAX_BYTES: usize = 256 << 20;

/// Which bound a value broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TooLarge {
    /// An array longer than `MAX_ARRAY_LENGTH`, refused before any element was read.
    Array { length: u32 },
    /// More values than `MAX_VALUES` in all.
    Values,
    /// More string and byte content than `MAX_BYTES` in all.
    Bytes,
    /// Values nested deeper than `limit` (a value holding itself included).
    Depth { limit: u32 },
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TooLarge::Array { length } => write!(
                f,
                "has {length} elements, more than the {MAX_ARRAY_LENGTH} accepted"
            ),
            TooLarge::Values => write!(f, "has more than the {MAX_VALUES} values accepted"),
            TooLarge::Bytes => write!(
                f,
                "has more than the {} MiB of text and bytes accepted",
                MAX_BYTES >> 20
            ),
            TooLarge::Depth { limit } => write!(f, "is nested more than {limit} deep"),
        }
    }
}

/// What one copy may still read; each step is checked before it is taken.
#[derive(Debug)]
pub struct Budget {
    values: usize,
    bytes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            values: MAX_VALUES,
            bytes: MAX_BYTES,
        }
    }
}

impl Budget {
    /// One more value.
    pub fn value(&mut self) -> Result<(), TooLarge> {
        self.values = self.values.checked_sub(1).ok_or(TooLarge::Values)?;
        Ok(())
    }

    /// An array about to be walked: its length is within bounds and within the budget.
    pub fn array(&mut self, length: u32) -> Result<(), TooLarge> {
        if length > MAX_ARRAY_LENGTH {
            return Err(TooLarge::Array { length });
        }
        self.members(length as usize)
    }

    /// The members of an object (or elements of an array) about to be walked.
    pub fn members(&mut self, count: usize) -> Result<(), TooLarge> {
        self.values = self.values.checked_sub(count).ok_or(TooLarge::Values)?;
        Ok(())
    }

    /// `count` bytes of string or byte content.
    pub fn bytes(&mut self, count: usize) -> Result<(), TooLarge> {
        self.bytes = self.bytes.checked_sub(count).ok_or(TooLarge::Bytes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_longer_than_the_bound_is_refused_by_its_length() {
        let mut budget = Budget::default();
        assert_eq!(
            budget.array(u32::MAX),
            Err(TooLarge::Array { length: u32::MAX })
        );
        assert_eq!(budget.array(MAX_ARRAY_LENGTH), Ok(()));
    }

    #[test]
    fn many_arrays_within_the_bound_still_exhaust_the_value_budget() {
        let mut budget = Budget::default();
        let arrays_that_fit = MAX_VALUES / MAX_ARRAY_LENGTH as usize;
        for _ in 0..arrays_that_fit {
            assert_eq!(budget.array(MAX_ARRAY_LENGTH), Ok(()));
        }
        assert_eq!(budget.value(), Err(TooLarge::Values));
    }

    #[test]
    fn bytes_are_counted_across_strings() {
        let mut budget = Budget::default();
        assert_eq!(budget.bytes(MAX_BYTES - 1), Ok(()));
        assert_eq!(budget.bytes(1), Ok(()));
        assert_eq!(budget.bytes(1), Err(TooLarge::Bytes));
    }

    #[test]
    fn messages_name_the_limit() {
        assert_eq!(
            TooLarge::Array {
                length: 4_294_967_295
            }
            .to_string(),
            "has 4294967295 elements, more than the 100000 accepted"
        );
        assert_eq!(
            TooLarge::Values.to_string(),
            "has more than the 1000000 values accepted"
        );
        assert_eq!(
            TooLarge::Bytes.to_string(),
            "has more than the 256 MiB of text and bytes accepted"
        );
        assert_eq!(
            TooLarge::Depth { limit: 32 }.to_string(),
            "is nested more than 32 deep"
        );
    }
}
