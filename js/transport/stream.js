'use strict';
// One ConverseStream call through the native client, its events as the JS SDK's async
// iterable, and the set of a model's open streams that closes them all at once.

const { adopt } = require('../realm');
const { nativeOutput, nativeTransportFor, pathModelId } = require('./native');
const { firstEventError, streamError } = require('./sdk-error');

/**
 * The native streams of one model that are opening or open, each as a function
 * `(error) => void` that closes it at once. Held weakly: a stream its reader drops is
 * still closed by the garbage collector (its handle's finalizer drops the response),
 * and then leaves the set.
 */
class OpenStreams {
  #closers = new Set();
  #collected = new FinalizationRegistry((ref) => this.#closers.delete(ref));

  /** Adds `close`; returns the key for `delete`. */
  add(close) {
    const ref = new WeakRef(close);
    this.#closers.add(ref);
    this.#collected.register(close, ref, ref);
    return ref;
  }

  delete(ref) {
    this.#closers.delete(ref);
    this.#collected.unregister(ref);
  }

  /** Closes every stream, each with an error of its own from `makeError()`. */
  closeAll(makeError) {
    for (const ref of [...this.#closers]) ref.deref()?.(makeError());
  }
}

/**
 * One ConverseStream call through the native client, as the JS SDK's `send` gives it:
 * `{ stream, $metadata }` once the first event has arrived, `stream` an async iterable
 * of the SDK's event objects that throws the SDK's exceptions. Leaving a `for await`
 * early (or an error) closes the HTTP stream. Until it ends, the call is in `openStreams`
 * (an OpenStreams, when given): closing it there makes the opening call reject, or the
 * pending and the next `next()` throw, with the error given.
 */
async function sendNativeStream(clientConfig, modelId, input, callId, openStreams, maxResponseBytes) {
  const transport = nativeTransportFor(clientConfig);
  let closedWith = null;
  const closeOpening = (error) => {
    closedWith = error;
    transport.cancel(callId);
  };
  const opening = openStreams?.add(closeOpening);
  let result;
  try {
    result = await transport.converseStream(pathModelId(modelId), input, null, callId, maxResponseBytes);
  } finally {
    openStreams?.delete(opening);
  }
  if (closedWith) {
    result.stream?.close();
    throw closedWith;
  }
  if (result.cancelled) return undefined;
  if (!result.ok) throw firstEventError(result.error);
  // The JS SDK's own order and kind: `stream` first, an object that is only async-iterable.
  const events = nativeEvents(result.stream, openStreams);
  return { stream: { [Symbol.asyncIterator]: () => events }, $metadata: adopt(result.metadata) };
}

/**
 * The events of a native stream, as an async iterator whose `return()` closes the
 * HTTP stream at once, even while a `next()` is waiting for the connection; it stays
 * in `openStreams` (see sendNativeStream) until it ends.
 */
function nativeEvents(handle, openStreams) {
  let finished = false;
  let closedWith = null;
  // Reached from the iterator's methods through `finish`, so held as long as the
  // iterator is: `openStreams` holds it only weakly.
  const close = (error) => {
    closedWith = error;
    finished = true;
    openStreams?.delete(key);
    handle.close();
  };
  const key = openStreams?.add(close);
  const finish = () => close(null);
  const closedError = () => {
    const error = closedWith;
    closedWith = null; // thrown once; the iterator is done after that
    return error;
  };
  return {
    async next() {
      if (finished) {
        if (closedWith) throw closedError();
        return { done: true, value: undefined };
      }
      const next = await handle.next();
      if (closedWith) throw closedError();
      if (next.error) {
        finish();
        throw streamError(next.error);
      }
      if (next.done) {
        finish();
        return { done: true, value: undefined };
      }
      return { done: false, value: nativeOutput(next) };
    },
    async return() {
      finish();
      return { done: true, value: undefined };
    },
  };
}

module.exports = { OpenStreams, sendNativeStream };
