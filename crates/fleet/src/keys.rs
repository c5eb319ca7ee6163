//! Key and channel names under the prefix (layout in the engine's `fleet` module docs).

use engine::fleet::record::field;

#[derive(Debug, Clone)]
pub(crate) struct Keys {
    pub state: String,
    pub counters: String,
    pub channel: String,
    prefix: String,
}

impl Keys {
    pub fn new(prefix: &str) -> Self {
        Self {
            state: format!("{prefix}state"),
            counters: format!("{prefix}counters"),
            channel: format!("{prefix}events"),
            prefix: prefix.to_owned(),
        }
    }

    /// The id of the last batch applied from one instance (expiring, as instances come and go).
    pub fn applied(&self, origin: u64) -> String {
        format!("{}applied:{origin:016x}", self.prefix)
    }

    /// The token bucket of one quota kind (`requests`, `tokens`) of one model.
    pub fn quota(&self, kind: &str, model_id: &str) -> String {
        format!("{}quota:{}", self.prefix, field(kind, model_id))
    }
}
