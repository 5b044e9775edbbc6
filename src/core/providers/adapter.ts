import type { ChatRequest, ChatResult, ChatStreamPart, ModelListing, Reasoning } from '../../contracts/models';
import type { HttpClient } from '../http/httpClient';

/** What an adapter needs to reach one connection. Built by the host; never sent anywhere. */
export interface ConnectionTarget {
  /** The connection's base URL with no trailing slash. */
  baseUrl: string;
  /** Non-secret options from the descriptor's fields (organization id, api version, ...). */
  options: Readonly<Record<string, string>>;
  /** The key from SecretStorage, if the connection has one. Goes only into a header. */
  apiKey?: string;
  /** Credential headers from SecretStorage (lower-case names), for adapters that send custom headers. */
  credentialHeaders?: Readonly<Record<string, string>>;
}

/** Per-call context: the shared HTTP client, the timeout in force and a cancellation signal. */
export interface CallContext {
  http: HttpClient;
  /** The whole call; for a streamed chat, the time to the answer's first byte. */
  timeoutMs: number;
  /** For a streamed chat, the longest silence between two chunks (`switchboard.streamIdleTimeoutSeconds`); 30 s when left out. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The code side of a provider. Every method throws SwitchboardError with a code and an
 * actionable message; none puts the key anywhere but a request header.
 */
export interface ProviderAdapter {
  /** A harmless call that proves the endpoint answers and accepts the key. Returns a short summary. */
  testConnection(target: ConnectionTarget, context: CallContext): Promise<string>;
  /** Checks option values beyond their schema when a connection is saved; the message of the first problem, or undefined. */
  validateOptions?(options: Readonly<Record<string, string>>): string | undefined;
  /**
   * Checks a model id the person typed (added by id, named by an agent or a run) against the
   * provider's own naming rules before it is stored or sent; the message of the problem, or undefined.
   */
  validateModelRef?(modelRef: string): string | undefined;
  /**
   * Checks a reasoning setting against what the provider takes (an effort or a thinking budget,
   * and its limits) before it is stored or sent; the message of the problem, or undefined.
   * Without it the provider has no reasoning setting, and every setting is refused.
   */
  checkReasoning?(reasoning: Reasoning, modelRef: string): string | undefined;
  /**
   * The models the connection serves, with what metadata the API (or the built-in table) gives,
   * and how many others it lists that are left out (embedding models, speech models) and why,
   * counted the way testConnection counts them. A contributed adapter returns the models alone
   * (src/api); the model registry takes either.
   */
  discoverModels?(target: ConnectionTarget, context: CallContext): Promise<ModelListing>;
  /** One non-streaming chat call. */
  chat?(target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult>;
  /**
   * One chat call whose answer arrives in parts: text as it comes, each tool call whole, the
   * usage, and `finish` last. Optional: callers use `streamChatBatches` (providers/streaming.ts),
   * which falls back to `chat`. A failure after some text throws a SwitchboardError whose
   * `partialOutput` holds that text.
   */
  chatStream?(target: ConnectionTarget, request: ChatRequest, context: CallContext): AsyncIterable<ChatStreamPart>;
  /**
   * The same answer as `chatStream`, in batches: the parts of each piece of text the network
   * delivered, together. The core adapters have it (`streamedInBatches`), and `streamChatBatches`
   * prefers it, so a fast stream passes through the layers above once per piece, not per token.
   */
  chatStreamBatches?(target: ConnectionTarget, request: ChatRequest, context: CallContext): AsyncIterable<ChatStreamPart[]>;
}
