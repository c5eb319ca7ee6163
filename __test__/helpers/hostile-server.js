'use strict';
// A raw TCP "Bedrock" for hostile-server tests: it parses each HTTP/1.1 request and lets
// a script answer with whatever bytes it likes — a lying Content-Length, an endless
// body, a frame whose prelude claims 4 GB, a stall — on 127.0.0.1 only. Writes honour
// backpressure, so the server itself never buffers what the client refuses to read. It
// counts its open connections itself, so a test sees exactly which sockets a client
// holds; `startStallingServer` is the one script the cancellation tests share.
//
// Plain CommonJS, so a child process can load it too.

const net = require('node:net');
const zlib = require('node:zlib');

/**
 * Starts a server; `script(request, reply)` answers each request (async allowed). The
 * request is `{ method, path, headers, body }` (headers lower-cased, body a Buffer); see
 * `Reply` for what the script can do. After the script returns, the connection serves the
 * next request unless it was ended or destroyed.
 */
async function startHostileServer(script) {
  const sockets = new Set();
  const requests = [];
  let bytesWritten = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // a client closing mid-write is what these tests provoke
    serve(socket);
  });

  async function serve(socket) {
    let pending = Buffer.alloc(0);
    let wake = null;
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      wake?.();
    });
    socket.on('close', () => wake?.());
    const reply = new Reply(socket, (n) => (bytesWritten += n));
    while (!socket.destroyed) {
      const request = parseRequest(pending);
      if (!request) {
        await new Promise((resolve) => (wake = resolve));
        continue;
      }
      pending = pending.subarray(request.length);
      requests.push(request.request);
      try {
        await script(request.request, reply);
      } catch {
        socket.destroy();
      }
      if (reply.ended) return;
    }
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    /** Connections open right now. */
    openConnections: () => sockets.size,
    /** Bytes the scripts have written so far (all connections). */
    bytesWritten: () => bytesWritten,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** One request parsed from the front of `buffer`, or null until it has all arrived. */
function parseRequest(buffer) {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const [requestLine, ...lines] = buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
  const [method, path] = requestLine.split(' ');
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const bodyLength = Number(headers['content-length'] ?? 0);
  const length = headEnd + 4 + bodyLength;
  if (buffer.length < length) return null;
  return { request: { method, path, headers, body: buffer.subarray(headEnd + 4, length) }, length };
}

/** What a script does with the connection. */
class Reply {
  #socket;
  #count;
  ended = false;

  constructor(socket, count) {
    this.#socket = socket;
    this.#count = count;
  }

  get closed() {
    return this.#socket.destroyed;
  }

  /** Writes `data`; resolves once the socket takes more (true) or has closed (false). */
  write(data) {
    const socket = this.#socket;
    if (socket.destroyed) return Promise.resolve(false);
    const bytes = Buffer.from(data);
    this.#count(bytes.length);
    if (socket.write(bytes)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (open) => {
        socket.off('drain', onDrain);
        socket.off('close', onClose);
        resolve(open);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      socket.on('drain', onDrain);
      socket.on('close', onClose);
    });
  }

  /** Writes `chunk` again and again, up to `total` bytes or until the client closes. */
  async pump(chunk, total) {
    let written = 0;
    while (written < total && (await this.write(chunk))) written += chunk.length;
    return written;
  }

  /** Resolves when the client closes the connection, or after `ms` (false then). */
  untilClosed(ms) {
    const socket = this.#socket;
    if (socket.destroyed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  end() {
    this.ended = true;
    this.#socket.end();
  }

  destroy() {
    this.ended = true;
    this.#socket.destroy();
  }
}

const STATUS_TEXT = { 200: 'OK', 400: 'Bad Request', 424: 'Failed Dependency', 500: 'Internal Server Error' };

/** A response head: status line and headers (`headers` as given, in order). */
function head(status, headers = {}) {
  const lines = [`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Status'}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** A whole JSON response (`body` a string or a value to stringify) with its Content-Length. */
function jsonResponse(status, body, headers = {}) {
  const text = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return Buffer.concat([
    head(status, { 'content-type': 'application/json', 'content-length': text.length, 'x-amzn-requestid': 'hostile-1', ...headers }),
    text,
  ]);
}

/** The head of a chunked event-stream response. */
function eventStreamHead() {
  return head(200, { 'content-type': 'application/vnd.amazon.eventstream', 'transfer-encoding': 'chunked', 'x-amzn-requestid': 'hostile-1' });
}

/** `data` as one chunk of a chunked body. */
function chunk(data) {
  const bytes = Buffer.from(data);
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
}

/** An event-stream message: string headers, then `payload`, with both checksums. */
function eventFrame(headers, payload) {
  const headerBytes = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const n = Buffer.from(name);
      const v = Buffer.from(value);
      // name length, name, type 7 (string), value length (16 bits), value
      return Buffer.concat([Buffer.from([n.length]), n, Buffer.from([7, v.length >> 8, v.length & 0xff]), v]);
    }),
  );
  const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const total = 12 + headerBytes.length + body.length + 4;
  const frame = Buffer.alloc(total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(headerBytes.length, 4);
  frame.writeUInt32BE(zlib.crc32(frame.subarray(0, 8)), 8);
  headerBytes.copy(frame, 12);
  body.copy(frame, 12 + headerBytes.length);
  frame.writeUInt32BE(zlib.crc32(frame.subarray(0, total - 4)), total - 4);
  return frame;
}

/** A ConverseStream event of type `type` (`messageStart`, `contentBlockDelta`, ...). */
function event(type, payload) {
  return eventFrame({ ':message-type': 'event', ':event-type': type, ':content-type': 'application/json' }, payload);
}

/** A modelled exception event (`modelStreamErrorException`, ...). */
function exceptionEvent(type, payload) {
  return eventFrame({ ':message-type': 'exception', ':exception-type': type, ':content-type': 'application/json' }, payload);
}

/** A frame prelude alone, claiming `totalLength` bytes, with a valid prelude checksum. */
function prelude(totalLength, headersLength = 0) {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(totalLength, 0);
  bytes.writeUInt32BE(headersLength, 4);
  bytes.writeUInt32BE(zlib.crc32(bytes.subarray(0, 8)), 8);
  return bytes;
}

const STALLING_CONVERSE_BODY = JSON.stringify({
  output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
  metrics: { latencyMs: 1 },
});

/**
 * A server for the cancellation tests: it answers Converse with a small JSON body on
 * keep-alive connections (so a client's pool holds idle sockets), and ConverseStream with
 * the response head and one `messageStart` event, then stalls (or, after
 * `stallBeforeHeaders()`, stalls before the head).
 */
async function startStallingServer() {
  const state = { stallHeaders: false, streamRequests: 0, converseRequests: 0 };
  const server = await startHostileServer(async (request, reply) => {
    if (request.path.endsWith('/converse-stream')) {
      state.streamRequests += 1;
      if (state.stallHeaders) return;
      const streamHead = head(200, {
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-requestid': 'stalling-stream',
        'transfer-encoding': 'chunked',
      });
      await reply.write(Buffer.concat([streamHead, chunk(event('messageStart', { role: 'assistant' }))]));
      return; // ...and nothing more: the stream stalls after its first event
    }
    state.converseRequests += 1;
    await reply.write(jsonResponse(200, STALLING_CONVERSE_BODY, { 'x-amzn-requestid': 'stalling-converse' }));
  });
  return {
    endpoint: server.endpoint,
    /** Sockets a client holds open to this server right now. */
    connectionsOpen: server.openConnections,
    /** ConverseStream requests received so far. */
    streamRequests: () => state.streamRequests,
    converseRequests: () => state.converseRequests,
    /** From now on, ConverseStream requests get no answer at all (the opening call waits). */
    stallBeforeHeaders: () => {
      state.stallHeaders = true;
    },
    close: () => server.close(),
  };
}

module.exports = {
  startHostileServer,
  startStallingServer,
  head,
  jsonResponse,
  eventStreamHead,
  chunk,
  eventFrame,
  event,
  exceptionEvent,
  prelude,
};
