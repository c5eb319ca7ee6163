'use strict';
// A raw TCP "Bedrock" on 127.0.0.1 for the cancellation tests: it answers Converse with
// a small JSON body on keep-alive connections (so a client's pool holds idle sockets),
// and ConverseStream with the response head and one `messageStart` event, then stalls
// (or, with `stallHeaders`, stalls before the head). It counts its open connections
// itself, so a test sees exactly which sockets the client still holds.

const net = require('node:net');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** One AWS event-stream message: prelude, prelude CRC, string headers, payload, message CRC. */
function eventFrame(eventType, payload) {
  const headers = Buffer.concat(
    Object.entries({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' }).map(([name, value]) => {
      const head = Buffer.alloc(1 + name.length + 3);
      head.writeUInt8(name.length, 0);
      head.write(name, 1, 'latin1');
      head.writeUInt8(7, 1 + name.length); // string
      head.writeUInt16BE(Buffer.byteLength(value), 2 + name.length);
      return Buffer.concat([head, Buffer.from(value)]);
    }),
  );
  const body = Buffer.from(JSON.stringify(payload));
  const total = 12 + headers.length + body.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headers.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude), 0);
  const message = Buffer.concat([prelude, preludeCrc, headers, body]);
  const messageCrc = Buffer.alloc(4);
  messageCrc.writeUInt32BE(crc32(message), 0);
  return Buffer.concat([message, messageCrc]);
}

const CONVERSE_BODY = JSON.stringify({
  output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
  metrics: { latencyMs: 1 },
});

/** Starts the server; resolves once it listens. */
function startStallingServer() {
  const sockets = new Set();
  const state = { stallHeaders: false, streamRequests: 0, converseRequests: 0 };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        pending = pending.subarray(end + 4 + length);
        answer(socket, head.split(' ')[1] ?? '');
      }
    });
  });

  function answer(socket, path) {
    if (path.endsWith('/converse-stream')) {
      state.streamRequests += 1;
      if (state.stallHeaders) return;
      const frame = eventFrame('messageStart', { role: 'assistant' });
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\n' +
          'x-amzn-requestid: stalling-stream\r\ntransfer-encoding: chunked\r\n\r\n',
      );
      socket.write(`${frame.length.toString(16)}\r\n`);
      socket.write(Buffer.concat([frame, Buffer.from('\r\n')]));
      return; // ...and nothing more: the stream stalls after its first event
    }
    state.converseRequests += 1;
    socket.write(
      `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-amzn-requestid: stalling-converse\r\n` +
        `content-length: ${Buffer.byteLength(CONVERSE_BODY)}\r\n\r\n${CONVERSE_BODY}`,
    );
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        /** Sockets a client holds open to this server right now. */
        connectionsOpen: () => sockets.size,
        /** ConverseStream requests received so far. */
        streamRequests: () => state.streamRequests,
        converseRequests: () => state.converseRequests,
        /** From now on, ConverseStream requests get no answer at all (the opening call waits). */
        stallBeforeHeaders: () => {
          state.stallHeaders = true;
        },
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

module.exports = { startStallingServer };
