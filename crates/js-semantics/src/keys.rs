//! The order in which JavaScript lists a plain object's own keys (`Object.keys`,
//! `for…in`, `JSON.stringify`): array-index keys first, ascending, then the other keys
//! in insertion order.

/// The value of `key` as an array index (a canonical decimal below 2³² − 1),
/// which plain objects list before every other key, in numeric order.
fn array_index(key: &str) -> Option<u32> {
    let canonical = key == "0"
        || (!key.starts_with('0') && !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()));
    if !canonical {
        return None;
    }
    key.parse::<u32>().ok().filter(|&index| index != u32::MAX)
}

/// Sorts items whose keys are already unique, kept in insertion order, into plain-object
/// key order.
pub fn order_like_object_keys<T>(items: &mut [T], key: impl Fn(&T) -> &str) {
    // A stable sort keeps the non-index keys in insertion order.
    items.sort_by_key(|item| match array_index(key(item)) {
        Some(index) => (false, index),
        None => (true, 0),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_indices_come_first_in_numeric_order_then_the_rest_as_inserted() {
        let mut keys = [
            "b",
            "10",
            "a",
            "2",
            "01",
            "4294967295",
            "4294967294",
            "-1",
            "0",
            "1.5",
            "",
        ];
        order_like_object_keys(&mut keys, |key| key);
        assert_eq!(
            keys,
            [
                "0",
                "2",
                "10",
                "4294967294",
                "b",
                "a",
                "01",
                "4294967295",
                "-1",
                "1.5",
                ""
            ]
        );
    }
}
