/** The bundled Bedrock emulator (`bedrock-model-multiplexer/testing`). */

/** How one model answers; see the README's emulator section for every field. */
export interface EmulatorBehavior {
  mode?: 'echo' | 'fixed' | 'content';
  text?: string;
  content?: Array<Record<string, unknown>>;
  stopReason?: string;
  latencyMs?: number;
  /** The latency of a request the `slow` fault strikes (default 20 × `latencyMs`). */
  slowLatencyMs?: number;
  stream?: { chunkSize?: number; eventDelayMs?: number };
  fault?:
    | 'throttle' | 'unavailable' | 'modelNotReady' | 'validationError' | 'accessDenied'
    | 'resourceNotFound' | 'internalError' | 'modelTimeout' | 'modelError' | 'serviceQuotaExceeded'
    | 'malformedBody' | 'truncatedBody' | 'connectionReset' | 'slow';
  /** Sent as the `Retry-After` header of the fault's error answers (delay-seconds or an HTTP date). */
  retryAfter?: string;
  failFirst?: number;
  faultEvery?: number;
  faultProbability?: number;
  seed?: number;
  sequence?: string[];
  faultTiers?: Array<'default' | 'priority' | 'reserved' | 'flex'>;
  streamErrorAfter?: { events: number; exception: string };
  [key: string]: unknown;
}

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * Serve HTTPS (ALPN `h2` and `http/1.1`, TLS 1.3 and 1.2) instead of plain HTTP/1.1 and
   * h2c. `true`: a test CA made at start signs a leaf for `localhost`, `127.0.0.1` and
   * `::1`; trust it through `caPem` / `writeCaFile()`. `{ cert, key }`: your own PEM
   * certificate chain (leaf first) and private key. Default: plain HTTP.
   */
  tls?: boolean | { cert: string; key: string };
  /** Check SigV4 signatures (default true). */
  verifySignatures?: boolean;
  credentials?: Array<{ accessKeyId: string; secretAccessKey: string }>;
  defaultBehavior?: EmulatorBehavior;
}

/** One request the emulator received. */
export interface RecordedRequest {
  seq: number;
  modelId: string;
  operation: 'converse' | 'converseStream' | string;
  body: unknown;
  /** The body exactly as received (UTF-8 text): compare what two clients wrote byte for byte. */
  bodyText: string;
  headers: Record<string, string>;
  /** `'HTTP/1.1'` or `'HTTP/2.0'`. */
  httpVersion: string;
  /** The protocol by its ALPN name, `'h2'` (h2c included) or `'http/1.1'`. */
  protocol: 'h2' | 'http/1.1' | string;
  /** The request came over TLS. */
  tls: boolean;
  signatureVerified: boolean;
  serviceTier?: string;
  status: number;
  [key: string]: unknown;
}

/** An emulator's counters. */
export interface EmulatorStats {
  requests: number;
  connectionsOpen: number;
  connectionsTotal: number;
  /** Model requests whose client went away before the answer was complete (waiting, or mid-stream). */
  abandoned: number;
  /** TLS handshakes completed (connections accepted over TLS). */
  tlsHandshakes: number;
  /** Of those, the ones that resumed an earlier TLS session. */
  tlsResumedHandshakes: number;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`): pass it as `clientConfig.endpoint`. */
  readonly endpoint: string;
  /** The generated test CA's PEM certificate with `tls: true`; null otherwise. */
  readonly caPem: string | null;
  /**
   * Writes `caPem` to `file`, or to a new temporary file removed by `stop()`, and returns
   * the path: for `NODE_EXTRA_CA_CERTS` in a child process. Throws without a generated CA.
   */
  writeCaFile(file?: string): string;
  setBehavior(modelId: string, behavior: EmulatorBehavior): void;
  requests(): RecordedRequest[];
  clearRequests(): void;
  connectionsOpen(): number;
  stats(): EmulatorStats;
  stop(): Promise<void>;
}

export declare function startEmulator(options?: EmulatorOptions): RunningEmulator;

/** The credentials an emulator accepts unless told otherwise. */
export declare const EMULATOR_CREDENTIALS: { readonly accessKeyId: string; readonly secretAccessKey: string };
