/**
 * @jest-environment ./__test__/helpers/host-typed-arrays-environment.js
 */
// OpenTelemetry and refusal detection (issue 15): a refusal the ONNX fixture detects is
// counted, its attempt carries the classifier's score and the `refusal` outcome, and the
// next attempt names it as its failover reason. Its own file: the classifier needs the
// environment that shares Node's typed arrays (see refusal.test.ts).

import * as path from 'path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BedrockMultiplexer } from '../index';
import { EMULATOR_CREDENTIALS, startEmulator } from '../testing';

jest.setTimeout(20_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'refusal-classifier.onnx');
const RELUCTANT = 'otel.reluctant-v1:0';
const HELPFUL = 'otel.helpful-v1:0';

it('a detected refusal is counted, scored on its attempt, and the reason of the failover', async () => {
  const emulator = startEmulator();
  emulator.setBehavior(RELUCTANT, { mode: 'fixed', text: "I'm sorry, but I can't help with that request." });
  emulator.setBehavior(HELPFUL, { mode: 'fixed', text: 'The capital of France is Paris.' });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const measurements = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: measurements, exportIntervalMillis: 3_600_000 });
  const mux = new BedrockMultiplexer({
    models: [
      { modelId: RELUCTANT, weight: 1, isFallback: false },
      { modelId: HELPFUL, weight: 1, isFallback: true },
    ],
    clientConfig: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
    defaultTimeoutMs: 5000,
    maxRetries: 3,
    refusalDetection: { enabled: true, modelPath: FIXTURE },
    openTelemetry: { tracerProvider, meterProvider: new MeterProvider({ readers: [reader] }) },
  } as any);
  try {
    const response = await mux.processRequest({ messages: [{ role: 'user', content: [{ text: 'capital of France?' }] }] });
    expect(response.output?.message?.content?.[0].text).toBe('The capital of France is Paris.');
    const attempts = spans
      .getFinishedSpans()
      .filter((s) => s.attributes['bmm.attempt'] !== undefined)
      .sort((a, b) => Number(a.attributes['bmm.attempt']) - Number(b.attributes['bmm.attempt']));
    expect(attempts.map((s) => [s.attributes['gen_ai.request.model'], s.attributes['bmm.outcome'], s.attributes['bmm.failover_reason']])).toEqual([
      [RELUCTANT, 'refusal', undefined],
      [HELPFUL, 'success', 'refusal'],
    ]);
    expect(attempts[0].attributes['bmm.refusal_score']).toBeGreaterThanOrEqual(0.5);
    expect(attempts[1].attributes['bmm.refusal_score']).toBeLessThan(0.5);
    await reader.forceFlush();
    const refusals = measurements
      .getMetrics()
      .flatMap((r) => r.scopeMetrics)
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === 'bmm.refusals')
      .flatMap((m) => m.dataPoints.map((p) => [p.attributes['gen_ai.request.model'], p.value]));
    expect(refusals).toEqual([[RELUCTANT, 1]]);
  } finally {
    mux.destroy();
    await emulator.stop();
  }
});
