'use strict';
// Reads a V8 .cpuprofile (written by node --cpu-prof) and ranks functions by self time,
// and groups self time by where the code lives (the AWS SDK, our js/, Node internals),
// to show where a client's CPU goes.

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

function selfTimes(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  // timeDeltas[i] is the time before sample i; attribute it to that sample's node.
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map();
  const byGroup = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const where = shortUrl(callFrame.url);
    const key = callFrame.url ? `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}` : callFrame.functionName || '(anonymous)';
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const g = group(callFrame);
    byGroup.set(g, (byGroup.get(g) ?? 0) + us);
    total += us;
  }
  const rank = (m) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, pct: (us / total) * 100 }));
  return { totalMs: total / 1000, functions: rank(byFunction), groups: rank(byGroup) };
}

function shortUrl(url) {
  if (!url) return '';
  const p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) return p.slice(nm + 'node_modules/'.length);
  return p.startsWith(ROOT) ? path.relative(ROOT, p) : p;
}

function group({ url, functionName }) {
  if (!url) {
    if (/^\((garbage collector|idle|program|root)\)$/.test(functionName)) return functionName;
    return '(native / builtins)';
  }
  const p = url.replace(/^file:\/\//, '');
  let m = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(p);
  if (m) {
    // The many @smithy and @aws-sdk packages read best as two groups.
    if (m[1].startsWith('@smithy/')) return '@smithy/* (SDK runtime)';
    if (m[1].startsWith('@aws-sdk/')) return '@aws-sdk/*';
    return m[1];
  }
  if (p.startsWith('node:')) return 'node: internals';
  if (p.startsWith(path.join(ROOT, 'bench'))) return 'bench harness';
  if (p.startsWith(ROOT)) return 'bedrock-model-multiplexer js/';
  return p;
}

module.exports = { selfTimes };
