/**
 * @jest-environment ./__test__/helpers/host-typed-arrays-environment.js
 */
// Refusal detection with the real ONNX fixture (__test__/fixtures/refusal-classifier.onnx)
// run by onnxruntime-node. The fixture reads input `input` (string, [1,1]) and returns
// probabilities [p_complied, p_rejected].
//
// onnxruntime-node cannot run inference inside jest's default sandbox (its output
// tensors fail a cross-realm `instanceof Float32Array` check, for the original library
// as much as for this one), so this file runs in an environment that shares Node's
// typed-array constructors; see helpers/host-typed-arrays-environment.js.

jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);

import * as path from 'path';
import { BedrockMultiplexer, MultiplexerError, OutcomeType, RefusalClassifier } from '../index';
import { answer, answerWith, bedrock, converseOutput, failWith, throttling, userInput } from './helpers/fake-bedrock';
import { modelConfig, names, recordEvents } from './helpers/util';

jest.setTimeout(20000);

const FIXTURE = path.join(__dirname, 'fixtures', 'refusal-classifier.onnx');
const MISSING = path.join(__dirname, 'fixtures', 'does-not-exist.onnx');

const REFUSAL = "I'm sorry, but I can't help with that request.";
const ANSWER = 'The capital of France is Paris.';

const withDetection = (refusalDetection: Record<string, any>, extra: Record<string, any> = {}) =>
  new BedrockMultiplexer({
    models: [modelConfig('reluctant'), modelConfig('helpful')],
    defaultTimeoutMs: 5000,
    maxRetries: 3,
    refusalDetection: { enabled: true, modelPath: FIXTURE, ...refusalDetection } as any,
    ...extra,
  });

beforeEach(() => {
  bedrock.reset();
  bedrock.script('helpful', answer(ANSWER));
  // The first model of the pool is always chosen first.
  jest.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => jest.restoreAllMocks());

describe('RefusalClassifier with the fixture model', () => {
  it('is not ready until initialised, and reports its threshold', async () => {
    const classifier = new RefusalClassifier({ modelPath: FIXTURE });
    expect(classifier.isReady).toBe(false);
    expect(classifier.confidenceThreshold).toBe(0.5);
    expect(new RefusalClassifier({ modelPath: FIXTURE, confidenceThreshold: 0.8 }).confidenceThreshold).toBe(0.8);
    await classifier.initialize();
    expect(classifier.isReady).toBe(true);
    await classifier.destroy();
    expect(classifier.isReady).toBe(false);
  });

  it('refuses to classify before initialisation or after destroy', async () => {
    const classifier = new RefusalClassifier({ modelPath: FIXTURE });
    await expect(classifier.classify('hi')).rejects.toThrow('RefusalClassifier not initialized. Call initialize() first.');
    await classifier.initialize();
    await classifier.destroy();
    await expect(classifier.classify('hi')).rejects.toThrow('RefusalClassifier not initialized. Call initialize() first.');
  });

  it('fails to initialise from a missing file', async () => {
    await expect(new RefusalClassifier({ modelPath: MISSING }).initialize()).rejects.toThrow();
  });

  it('scores a refusal high and an ordinary answer low', async () => {
    const classifier = new RefusalClassifier({ modelPath: FIXTURE });
    await classifier.initialize();
    const refusal = await classifier.classify(REFUSAL);
    expect(refusal.isRefusal).toBe(true);
    expect(refusal.confidence).toBeCloseTo(0.9969, 3);
    expect(refusal.latencyMs).toBeGreaterThanOrEqual(0);
    const normal = await classifier.classify(ANSWER);
    expect(normal.isRefusal).toBe(false);
    expect(normal.confidence).toBeCloseTo(0.0189, 3);
    await classifier.destroy();
  });

  it('applies its threshold inclusively to the refusal probability', async () => {
    const strict = new RefusalClassifier({ modelPath: FIXTURE, confidenceThreshold: 0.999 });
    const lax = new RefusalClassifier({ modelPath: FIXTURE, confidenceThreshold: 0.01 });
    await Promise.all([strict.initialize(), lax.initialize()]);
    expect((await strict.classify(REFUSAL)).isRefusal).toBe(false);
    expect((await lax.classify(ANSWER)).isRefusal).toBe(true);
    const zero = new RefusalClassifier({ modelPath: FIXTURE, confidenceThreshold: 0 });
    await zero.initialize();
    expect((await zero.classify(ANSWER)).isRefusal).toBe(true);
  });
});

describe('refusal detection in the multiplexer', () => {
  it('fails over from a refusing model and resolves with the next answer', async () => {
    bedrock.script('reluctant', answer(REFUSAL));
    const helpful = converseOutput(ANSWER);
    bedrock.script('helpful', answerWith(helpful));
    const mux = withDetection({});
    const log = recordEvents(mux);

    await expect(mux.processRequest(userInput('Tell me something'))).resolves.toBe(helpful);

    expect(names(log)).toEqual([
      'request',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'refusal-classification',
      'refusal-detected',
      'error',
      'stats',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'refusal-classification',
      'success',
      'stats',
    ]);
    const [, refusedId, isRefusal, confidence, latencyMs] = log[4];
    expect([refusedId, isRefusal]).toEqual(['reluctant', true]);
    expect(confidence).toBeCloseTo(0.9969, 3);
    expect(typeof latencyMs).toBe('number');
    expect(log[5]).toEqual(['refusal-detected', 'reluctant', confidence, REFUSAL]);
    expect(log[6][1]).toBeNull();
    expect(log[6][2]).toEqual({
      modelId: 'reluctant',
      type: OutcomeType.REFUSAL,
      latency: expect.any(Number),
      timestamp: expect.any(Date),
    });
    expect(log[11][1]).toBe('helpful');
    expect(log[11][2]).toBe(false);
    expect(log[11][3]).toBeCloseTo(0.0189, 3);

    const stats = mux.getStats();
    expect(stats.refusalCount).toBe(1);
    expect(stats.successCount).toBe(1);
    expect(stats.modelStats.reluctant.refusalCount).toBe(1);
    expect(stats.modelStats.helpful.successCount).toBe(1);
    expect(bedrock.route()).toEqual(['reluctant', 'helpful']);
    mux.destroy();
  });

  it('classifies the text blocks of the response joined with spaces', async () => {
    bedrock.script('reluctant', answerWith({
      output: { message: { role: 'assistant', content: [{ text: "I'm sorry," }, { image: {} }, { text: "but I can't help with that request." }] } },
    }));
    const mux = withDetection({});
    const detected: any[][] = [];
    mux.on('refusal-detected', (...args: any[]) => detected.push(args));
    await mux.processRequest(userInput());
    expect(detected).toHaveLength(1);
    expect(detected[0][2]).toBe(REFUSAL);
    mux.destroy();
  });

  it('runs out of models when the only model refuses', async () => {
    bedrock.script('solo', answer(REFUSAL));
    const mux = new BedrockMultiplexer({
      models: [modelConfig('solo')],
      defaultTimeoutMs: 5000,
      maxRetries: 3,
      refusalDetection: { enabled: true, modelPath: FIXTURE },
    });
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error).toBeInstanceOf(MultiplexerError);
    expect(error.code).toBe('NO_MODELS_AVAILABLE');
    expect(error.details).toEqual({ skippedModels: ['solo'], totalSkipped: 1 });
    expect(mux.getStats().refusalCount).toBe(1);
    mux.destroy();
  });

  it('honours the configured confidence threshold', async () => {
    bedrock.script('reluctant', answer(REFUSAL));
    const mux = withDetection({ confidenceThreshold: 0.999 });
    const verdicts: any[] = [];
    mux.on('refusal-classification', (id, isRefusal) => verdicts.push([id, isRefusal]));
    const response = await mux.processRequest(userInput());
    expect(response.output?.message?.content?.[0].text).toBe(REFUSAL);
    expect(verdicts).toEqual([['reluctant', false]]);
    mux.destroy();
  });

  it('classifies an escalated answer too, and fails over when it is a refusal', async () => {
    bedrock.script('reluctant', failWith(throttling()), answer(REFUSAL));
    const mux = withDetection({}, { tierEscalation: { enabled: true, escalationTier: 'priority' } });
    const log = recordEvents(mux);
    const response = await mux.processRequest(userInput());
    expect(response.output?.message?.content?.[0].text).toBe(ANSWER);
    expect(bedrock.route()).toEqual(['reluctant', 'reluctant:priority', 'helpful']);
    const sequence = names(log);
    const from = sequence.indexOf('tier-escalation');
    expect(sequence.slice(from, from + 6)).toEqual([
      'tier-escalation',
      'tier-escalation-success',
      'refusal-classification',
      'refusal-detected',
      'error',
      'stats',
    ]);
    expect(mux.getStats().modelStats.reluctant).toEqual(expect.objectContaining({ rateLimitCount: 1, refusalCount: 1 }));
    mux.destroy();
  });

  it('exposes classifyRefusal, which returns null when detection is off', async () => {
    const on = withDetection({});
    const verdict = await on.classifyRefusal(REFUSAL);
    expect(verdict).toEqual({ isRefusal: true, confidence: expect.any(Number), latencyMs: expect.any(Number) });
    on.destroy();
    const off = new BedrockMultiplexer({ models: [modelConfig('a')], defaultTimeoutMs: 5000, maxRetries: 0 });
    await expect(off.classifyRefusal(REFUSAL)).resolves.toBeNull();
  });
});

describe('refusal detection with a missing model file', () => {
  it('still answers every request and warns exactly once', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    bedrock.script('reluctant', answer(REFUSAL));
    const mux = new BedrockMultiplexer({
      models: [modelConfig('reluctant'), modelConfig('helpful')],
      defaultTimeoutMs: 5000,
      maxRetries: 3,
      refusalDetection: { enabled: true, modelPath: MISSING },
    });
    const log = recordEvents(mux);
    for (let i = 0; i < 3; i++) {
      const response = await mux.processRequest(userInput());
      expect(response.output?.message?.content?.[0].text).toBe(REFUSAL);
    }
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0][0]);
    expect(message.startsWith('[BedrockMultiplexer] Failed to initialize refusal classifier: ')).toBe(true);
    expect(message.endsWith('. Refusal detection will be disabled.')).toBe(true);
    expect(names(log).filter((n) => n.startsWith('refusal'))).toEqual([]);
    expect(mux.getStats().refusalCount).toBe(0);
    await expect(mux.classifyRefusal(REFUSAL)).resolves.toBeNull();
    expect(mux.refusalRetryEnabled).toBe(true);
  });
});

describe('refusal detection with retryOnRefusal: false', () => {
  it('never classifies and returns the refusal as the answer', async () => {
    const classify = jest.spyOn(RefusalClassifier.prototype, 'classify');
    bedrock.script('reluctant', answer(REFUSAL));
    const mux = withDetection({ retryOnRefusal: false });
    const log = recordEvents(mux);
    const response = await mux.processRequest(userInput());
    expect(response.output?.message?.content?.[0].text).toBe(REFUSAL);
    expect(classify).not.toHaveBeenCalled();
    expect(names(log).filter((n) => n.startsWith('refusal'))).toEqual([]);
    expect(mux.getStats().successCount).toBe(1);
    expect(bedrock.route()).toEqual(['reluctant']);
    mux.destroy();
  });
});
