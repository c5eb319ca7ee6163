// A scriptable stand-in for `@aws-sdk/client-bedrock-runtime`.
//
// A test file installs it with
//   jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);
// and then tells each model id how to answer with `bedrock.script(id, ...steps)`.
// Every step is consumed by one `send`; the last step keeps answering once the
// others are used up. Models without a script answer "answer from <id>".

export type Step = (input: any, options: any) => any;

export interface SentCall {
  modelId: string;
  input: any;
  options: any;
}

class FakeBedrock {
  calls: SentCall[] = [];
  clientConfigs: any[] = [];
  private scripts = new Map<string, Step[]>();

  script(modelId: string, ...steps: Step[]): void {
    this.scripts.set(modelId, steps);
  }

  reset(): void {
    this.calls = [];
    this.clientConfigs = [];
    this.scripts.clear();
  }

  send(command: any, options: any): any {
    const input = command.input;
    const modelId = input?.modelId;
    this.calls.push({ modelId, input, options });
    const steps = this.scripts.get(modelId);
    if (!steps || steps.length === 0) return Promise.resolve(converseOutput(`answer from ${modelId}`));
    const step = steps.length > 1 ? steps.shift()! : steps[0];
    return step(input, options);
  }

  /** Model ids in the order they were sent to, with ":tier" appended for tiered calls. */
  route(): string[] {
    return this.calls.map((c) => (c.input?.serviceTier ? `${c.modelId}:${c.input.serviceTier.type}` : c.modelId));
  }

  callsFor(modelId: string): SentCall[] {
    return this.calls.filter((c) => c.modelId === modelId);
  }
}

export const bedrock = new FakeBedrock();

class FakeBedrockRuntimeClient {
  config: any;
  constructor(config: any) {
    this.config = config;
    bedrock.clientConfigs.push(config);
  }
  send(command: any, options?: any): any {
    return bedrock.send(command, options);
  }
}

class FakeConverseCommand {
  input: any;
  constructor(input: any) {
    this.input = input;
  }
}

class FakeConverseStreamCommand {
  input: any;
  constructor(input: any) {
    this.input = input;
  }
}

export const fakeSdk = {
  BedrockRuntimeClient: FakeBedrockRuntimeClient,
  ConverseCommand: FakeConverseCommand,
  ConverseStreamCommand: FakeConverseStreamCommand,
};

// ---------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------

export const answer = (text: string): Step => () => Promise.resolve(converseOutput(text));
export const answerWith = (output: any): Step => () => Promise.resolve(output);
export const failWith = (error: any): Step => () => Promise.reject(error);
export const hang = (): Step => () => new Promise(() => {});
export const throwNow = (error: any): Step => () => {
  throw error;
};

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------

export function converseOutput(text: string): any {
  return {
    $metadata: { httpStatusCode: 200, requestId: 'fake-request' },
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 3, outputTokens: 5, totalTokens: 8 },
    metrics: { latencyMs: 12 },
  };
}

/** An error shaped like the ones the AWS SDK throws. */
export function sdkError(name: string, message: string, status: number, fault: 'client' | 'server' = 'client'): any {
  const error: any = new Error(message);
  error.name = name;
  error.$fault = fault;
  error.$metadata = { httpStatusCode: status, requestId: `req-${name}` };
  return error;
}

export const throttling = (): any => sdkError('ThrottlingException', 'Too many requests, please wait before trying again.', 429);
export const validationFailure = (): any => sdkError('ValidationException', 'The provided model identifier is invalid.', 400);

export const userInput = (text = 'Hello there') => ({
  messages: [{ role: 'user' as const, content: [{ text }] }],
});
