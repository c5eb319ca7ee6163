/** The bundled Bedrock emulator (`bedrock-model-multiplexer/testing`). */

/** How one model answers; see the README's emulator section for every field. */
export interface EmulatorBehavior {
  mode?: 'echo' | 'fixed' | 'content';
  text?: string;
  content?: Array<Record<string, unknown>>;
  stopReason?: string;
  latencyMs?: number;
  stream?: { chunkSize?: number; eventDelayMs?: number };
  fault?:
    | 'throttle' | 'unavailable' | 'modelNotReady' | 'validationError' | 'accessDenied'
    | 'resourceNotFound' | 'internalError' | 'modelTimeout' | 'modelError' | 'serviceQuotaExceeded'
    | 'malformedBody' | 'truncatedBody' | 'connectionReset';
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
  signatureVerified: boolean;
  serviceTier?: string;
  status: number;
  [key: string]: unknown;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`: pass it as `clientConfig.endpoint`. */
  readonly endpoint: string;
  setBehavior(modelId: string, behavior: EmulatorBehavior): void;
  requests(): RecordedRequest[];
  clearRequests(): void;
  connectionsOpen(): number;
  stop(): Promise<void>;
}

export declare function startEmulator(options?: EmulatorOptions): RunningEmulator;

/** The credentials an emulator accepts unless told otherwise. */
export declare const EMULATOR_CREDENTIALS: { readonly accessKeyId: string; readonly secretAccessKey: string };
