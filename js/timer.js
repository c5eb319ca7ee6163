'use strict';
// Timer: a restartable one-shot over setTimeout. JavaScript by nature: it must run on
// the caller's timers, fake ones included.

const { numberOf } = require('./text');

class Timer {
  #callback;
  #handle = null;

  constructor(callback) {
    this.#callback = callback;
  }

  start(durationMs) {
    this.cancel();
    // setTimeout would read the duration as a number too, without a bound on an array.
    const delay = numberOf(durationMs, 'durationMs');
    this.#handle = setTimeout(() => {
      this.#handle = null;
      this.#callback();
    }, delay);
  }

  cancel() {
    if (this.#handle !== null) {
      clearTimeout(this.#handle);
      this.#handle = null;
    }
  }

  isRunning() {
    return this.#handle !== null;
  }
}

module.exports = { Timer };
