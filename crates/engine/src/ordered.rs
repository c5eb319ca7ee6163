//! An insertion-ordered map with the semantics of a JavaScript `Map` keyed by strings.
//!
//! The original keeps its models, breakers and health metrics in `Map`s, and
//! their iteration order is observable (selection draws, event order, float
//! summation order). Setting an existing key keeps its position; deleting and
//! re-adding moves it to the end. The maps hold one entry per model, so a
//! linear scan is cheaper than hashing and keeps the order trivially right.

#[derive(Debug, Clone)]
pub struct JsMap<V> {
    entries: Vec<(String, V)>,
}

impl<V> Default for JsMap<V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<V> JsMap<V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k == key)
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// `Map.prototype.set`: replaces in place, or appends a new key.
    pub fn set(&mut self, key: &str, value: V) {
        match self.get_mut(key) {
            Some(slot) => *slot = value,
            None => self.entries.push((key.to_owned(), value)),
        }
    }

    /// The value under `key`, inserting `make()` at the end when absent.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let index = match self.position(key) {
            Some(index) => index,
            None => {
                self.entries.push((key.to_owned(), make()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[index].1
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.position(key).map(|index| self.entries.remove(index).1)
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut V)> {
        self.entries.iter_mut().map(|(k, v)| (k.as_str(), v))
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn into_entries(self) -> Vec<(String, V)> {
        self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<V>(map: &JsMap<V>) -> Vec<&str> {
        map.iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn setting_an_existing_key_keeps_its_position() {
        let mut map = JsMap::new();
        map.set("a", 1);
        map.set("b", 2);
        map.set("a", 3);
        assert_eq!(keys(&map), ["a", "b"]);
        assert_eq!(map.get("a"), Some(&3));
    }

    #[test]
    fn a_key_removed_and_added_again_moves_to_the_end() {
        let mut map = JsMap::new();
        map.set("a", 1);
        map.set("b", 2);
        assert_eq!(map.remove("a"), Some(1));
        map.set("a", 3);
        assert_eq!(keys(&map), ["b", "a"]);
        assert_eq!(map.remove("zzz"), None);
    }

    #[test]
    fn get_or_insert_with_creates_only_when_absent() {
        let mut map = JsMap::new();
        *map.get_or_insert_with("a", || 1) += 10;
        *map.get_or_insert_with("a", || 100) += 10;
        assert_eq!(map.get("a"), Some(&21));
        assert_eq!(map.len(), 1);
        map.clear();
        assert!(map.is_empty());
        assert!(!map.contains("a"));
    }
}
