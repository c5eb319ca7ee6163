//! How the original's plain objects order their keys, for the results the engine builds
//! as plain objects and iterates. The copied JavaScript value itself lives in `bmm_js`.

use crate::ordered::JsMap;
use bmm_js::keys::order_like_object_keys;

/// The copied JavaScript value the validators judge (re-exported: it is the type of the
/// engine's validation input).
pub use bmm_js::value::JsValue;

/// What `Object.entries` yields after assigning each pair, in turn, to a
/// fresh plain object: a repeated key keeps its first position and its last
/// value, and array-index keys move to the front in numeric order.
///
/// (The key `__proto__` would set the prototype instead; model ids are not
/// expected to be spelled that way and it is treated as an ordinary key.)
pub fn object_entries<T>(assignments: impl IntoIterator<Item = (String, T)>) -> Vec<(String, T)> {
    let mut object = JsMap::new();
    for (key, value) in assignments {
        object.set(&key, value);
    }
    let mut entries = object.into_entries();
    order_like_object_keys(&mut entries, |(key, _)| key);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_entries_put_array_indices_first_and_keep_first_position_of_repeats() {
        let entries = object_entries(
            [
                "b",
                "10",
                "a",
                "2",
                "b",
                "01",
                "4294967295",
                "4294967294",
                "-1",
            ]
            .iter()
            .enumerate()
            .map(|(i, k)| (k.to_string(), i)),
        );
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["2", "10", "4294967294", "b", "a", "01", "4294967295", "-1"]
        );
        assert_eq!(
            entries.iter().find(|(k, _)| k == "b").map(|(_, v)| *v),
            Some(4)
        );
    }
}
