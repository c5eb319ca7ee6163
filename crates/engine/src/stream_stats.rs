//! Streaming statistics, beyond the original: per model, the time to the first event
//! (p50/p95/p99 over the last 1,000 streams) and the output tokens per second.

use crate::ordered::JsMap;
use crate::stats::{LatencyMetrics, LatencyWindow};

#[derive(Debug, Default)]
struct ModelStreams {
    first_event: LatencyWindow,
    streams: u64,
    output_tokens: f64,
    streaming_ms: f64,
}

/// One model's streaming figures as reported.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamStatsView {
    pub model_id: String,
    pub streams: u64,
    pub time_to_first_event: LatencyMetrics,
    /// Output tokens over the time from the first event to the end of the stream.
    pub output_tokens_per_second: f64,
}

#[derive(Debug, Default)]
pub struct StreamStats {
    models: JsMap<ModelStreams>,
}

impl StreamStats {
    /// A stream that ended: `first_event_ms` after the request started, then
    /// `streaming_ms` from the first event to the end, with `output_tokens` (the usage
    /// in its metadata event; 0 when it had none).
    pub fn record(
        &mut self,
        model_id: &str,
        first_event_ms: f64,
        output_tokens: f64,
        streaming_ms: f64,
    ) {
        let model = self
            .models
            .get_or_insert_with(model_id, ModelStreams::default);
        model.first_event.record(first_event_ms);
        model.streams += 1;
        model.output_tokens += output_tokens;
        model.streaming_ms += streaming_ms;
    }

    pub fn reset(&mut self) {
        self.models.clear();
    }

    pub fn view(&self) -> Vec<StreamStatsView> {
        self.models
            .iter()
            .map(|(model_id, model)| StreamStatsView {
                model_id: model_id.to_owned(),
                streams: model.streams,
                time_to_first_event: model.first_event.metrics(),
                output_tokens_per_second: if model.streaming_ms > 0.0 {
                    model.output_tokens * 1000.0 / model.streaming_ms
                } else {
                    0.0
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_event_percentiles_and_token_rate_are_per_model() {
        let mut stats = StreamStats::default();
        for ms in 1..=100 {
            stats.record("a", f64::from(ms), 10.0, 100.0);
        }
        stats.record("b", 7.0, 0.0, 0.0);
        let view = stats.view();
        assert_eq!(view.len(), 2);
        assert_eq!(view[0].model_id, "a");
        assert_eq!(view[0].streams, 100);
        assert_eq!(view[0].time_to_first_event.p50, 51.0);
        assert_eq!(view[0].time_to_first_event.p99, 100.0);
        assert_eq!(view[0].output_tokens_per_second, 100.0);
        assert_eq!(
            view[1].output_tokens_per_second, 0.0,
            "no time streamed, no rate"
        );
        stats.reset();
        assert!(stats.view().is_empty());
    }
}
