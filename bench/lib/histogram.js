'use strict';
// A fixed-size latency histogram (log-linear buckets, < 1% relative error).
// Why not an array of samples: a native client can finish tens of thousands of
// requests per window, and a growing array would add to the very peak RSS and GC
// work we are measuring. This costs one Uint32Array of 3,200 slots, O(1) per record.

const LINEAR = 256; // 0..255 µs are exact
const SUB = 128; // sub-buckets per power of two above that
const SLOTS = LINEAR + 23 * SUB; // up to 2^31 µs (~35 min)

class LatencyHistogram {
  constructor() {
    this.counts = new Uint32Array(SLOTS);
    this.n = 0;
    this.maxUs = 0;
  }

  /** Records one latency given in milliseconds (performance.now() differences). */
  record(ms) {
    let us = Math.round(ms * 1000);
    if (us < 0) us = 0;
    if (us > 0x7fffffff) us = 0x7fffffff;
    if (us > this.maxUs) this.maxUs = us;
    this.counts[indexOf(us)]++;
    this.n++;
  }

  /** The q-quantile (0..1) in milliseconds, or null when nothing was recorded. */
  quantileMs(q) {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < SLOTS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return valueOf(i) / 1000;
    }
    return this.maxUs / 1000;
  }
}

function indexOf(us) {
  if (us < LINEAR) return us;
  const e = 31 - Math.clz32(us); // >= 8
  return LINEAR + (e - 8) * SUB + ((us >>> (e - 7)) & (SUB - 1));
}

/** The middle of a bucket, in µs. */
function valueOf(index) {
  if (index < LINEAR) return index;
  const e = 8 + Math.floor((index - LINEAR) / SUB);
  const sub = (index - LINEAR) % SUB;
  const width = 2 ** (e - 7);
  return (SUB + sub) * width + width / 2;
}

module.exports = { LatencyHistogram };
