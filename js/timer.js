'use strict';
// Timer: a restartable one-shot over setTimeout. JavaScript by nature: it must run on
// the caller's timers, fake ones included.

class Timer {
  #callback;
  #handle = null;

  constructor(callback) {
    this.#callback = callback;
  }

  start(durationMs) {
    this.cancel();
    this.#handle = setTimeout(() => {
      this.#handle = null;
      this.#callback();
    }, durationMs);
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
