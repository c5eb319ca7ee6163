'use strict';
// Optional AWS X-Ray tracing through @aws-lambda-powertools/tracer (an optional peer
// dependency). Without it, or with tracing off, every method is a cheap no-op and the
// multiplexer skips tracing altogether on the request path.

const TRACER_MODULE = '@aws-lambda-powertools/tracer';

class MultiplexerTracer {
  #tracer = null;
  #config;

  constructor(config) {
    this.#config = config;
    if (config.enabled) this.#load();
  }

  /**
   * Loads the tracer asynchronously, as the original does: it is active from the next
   * tick on. `require` in a promise, not `import()`: the original is compiled to
   * CommonJS, so callers' jest.mock of the tracer module must apply (jest's sandbox also
   * refuses a native dynamic import).
   */
  #load() {
    Promise.resolve()
      .then(() => require(TRACER_MODULE))
      .then(({ Tracer }) => {
        this.#tracer = new Tracer({ serviceName: this.#config.serviceName ?? 'bedrock-multiplexer' });
      })
      .catch(() => {
        this.#tracer = null;
      });
  }

  isEnabled() {
    return this.#config.enabled && this.#tracer !== null;
  }

  putAnnotation(key, value) {
    quietly(() => this.#tracer?.putAnnotation(key, value));
  }

  putMetadata(key, value) {
    if (!this.#config.captureBodies) return;
    quietly(() => this.#tracer?.putMetadata(key, value));
  }

  createSubsegment(name) {
    if (!this.#tracer) return null;
    return quietly(() => this.#tracer.getSegment()?.addNewSubsegment(name) ?? null) ?? null;
  }

  setSegment(segment) {
    if (this.#tracer && segment) quietly(() => this.#tracer.setSegment(segment));
  }

  closeSegment(segment) {
    if (segment) quietly(() => segment.close());
  }

  async traceOperation(operationName, operation, metadata) {
    const segment = this.createSubsegment(operationName);
    const startedAt = Date.now();
    try {
      if (metadata) {
        for (const [key, value] of Object.entries(metadata)) this.putAnnotation(key, value);
      }
      this.setSegment(segment);
      const result = await operation();
      this.putAnnotation('outcome', 'success');
      this.putAnnotation('latency_ms', Date.now() - startedAt);
      return result;
    } catch (error) {
      this.putAnnotation('outcome', 'error');
      this.putAnnotation('error_type', error.name || 'UnknownError');
      this.putAnnotation('latency_ms', Date.now() - startedAt);
      if (this.#config.captureBodies) {
        this.putMetadata('error', { message: error.message, stack: error.stack, code: error.code });
      }
      throw error;
    } finally {
      this.closeSegment(segment);
    }
  }

  generateRequestId() {
    return `req_${Date.now()}_${Math.random().toString(36).substr(2, 9)}`;
  }
}

/** Tracing must never break a request: a failing tracer call is ignored. */
function quietly(call) {
  try {
    return call();
  } catch {
    return undefined;
  }
}

function createTracer(config) {
  return new MultiplexerTracer(config);
}

module.exports = { MultiplexerTracer, createTracer };
