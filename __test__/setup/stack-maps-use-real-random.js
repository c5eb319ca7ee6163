/**
 * Jest maps every stack it formats through the test files' source maps, and
 * source-map 0.6 sorts the mappings with a quicksort that picks its pivot with
 * `Math.random()`. A suite that pins `Math.random` to 0 (as the original's and
 * our callers' suites do to steer model selection) turns that sort quadratic in
 * depth, and a large map then overflows the stack inside `error.stack`. Stack
 * formatting is not a draw the multiplexer makes, so it runs with the real
 * `Math.random` whatever the test has mocked.
 */
const realRandom = Math.random;
const formatStack = Error.prepareStackTrace;

if (typeof formatStack === 'function') {
  Error.prepareStackTrace = function prepareStackTraceWithRealRandom(error, frames) {
    const current = Object.getOwnPropertyDescriptor(Math, 'random');
    Math.random = realRandom;
    try {
      return formatStack.call(this, error, frames);
    } finally {
      Object.defineProperty(Math, 'random', current);
    }
  };
}
