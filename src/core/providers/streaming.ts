import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import { ChatStreamPartSchema, type ChatRequest, type ChatResult, type ChatStreamPart, type ConversationMessage, type ReasoningBlock, type ToolCall, type Usage } from '../../contracts/models';
import { issuePaths } from '../../contracts/issues';
import { SwitchboardError, factsOf, toErrorInfo, withFacts } from '../base/errors';
import { statusError, type ApiProfile } from '../http/httpErrors';
import { blankSecretsDeep, StreamBlanker, withoutSecrets } from '../base/secrets';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';
import { requestOptions } from './shared';

/** The silence allowed between two chunks of a streamed answer when the caller sets none (the setting's default). */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 30_000;

/** One event of a provider's stream: an SSE event (its name, if any, and data) or one NDJSON line. */
export interface StreamEvent {
  event?: string;
  data: string;
}

/** What a translator returns when the provider says its answer is over (`data: [DONE]`, `message_stop`). */
export const STREAM_END = Symbol('stream end');

/**
 * One provider's stream format, turned into parts. An adapter makes a new one for each call; it
 * keeps what spans events (tool-call fragments, usage, the finish reason).
 */
export interface StreamTranslator {
  /** The parts one event carries, or STREAM_END. Throws a SwitchboardError for an error the provider sent or a malformed event. */
  event(event: StreamEvent): ChatStreamPart[] | typeof STREAM_END;
  /**
   * The parts that close the answer (tool calls still open, usage, `finish`) once the stream is
   * over; `sawEnd` says whether the provider's end marker came. Throws when the answer is incomplete.
   */
  finish(sawEnd: boolean): ChatStreamPart[];
  /**
   * The parts of a whole, non-streamed answer (its JSON), for a server that answers the streaming
   * request with plain JSON; absent where the provider's answers cannot be read that way.
   */
  whole?(json: unknown): ChatStreamPart[];
}

export interface StreamCall {
  url: string;
  body: unknown;
  api: ApiProfile;
  headers: Record<string, string>;
  framing: 'sse' | 'ndjson';
  notFound?: 'model_not_found' | 'not_found';
}

/**
 * The one reader of streamed chat answers for the core adapters: POSTs the call, splits the
 * text into events (SSE through eventsource-parser, or NDJSON lines), lets the provider's
 * translator turn them into parts, and on any failure throws a SwitchboardError carrying the
 * text received so far as `partialOutput`. The parts come in batches, one per piece of text the
 * network delivered, so a fast stream passes through the layers above once per piece rather than
 * once per token.
 */
export async function* readChatStream(call: StreamCall, context: CallContext, translator: StreamTranslator): AsyncGenerator<ChatStreamPart[], void, undefined> {
  let text = '';
  const given = (parts: ChatStreamPart[]) => {
    for (const part of parts) if (part.type === 'text') text += part.text;
    return parts;
  };
  try {
    let contentType = '';
    const chunks = context.http.postStream(call.url, call.body, {
      ...requestOptions(call.api, call.headers, context),
      idleTimeoutMs: context.idleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
      accept: call.framing === 'sse' ? 'text/event-stream' : 'application/x-ndjson',
      ...(call.notFound ? { notFound: call.notFound } : {}),
      onContentType: (type) => {
        contentType = type;
      },
    });
    const answer = await answerOf(chunks, () => contentType, translator.whole);
    if ('parts' in answer) {
      yield given(answer.parts);
      return;
    }
    let sawEnd = false;
    for await (const events of call.framing === 'sse' ? sseEvents(answer.stream) : ndjsonEvents(answer.stream)) {
      const batch = translated(translator, events);
      // The parts before a bad event go out first, as they would have one by one.
      if (batch.parts.length) yield given(batch.parts);
      if ('failure' in batch) throw batch.failure;
      if (batch.end) {
        // Leaving the loop closes the connection; nothing after the end marker is read.
        sawEnd = true;
        break;
      }
    }
    yield given(translator.finish(sawEnd));
  } catch (error) {
    throw withPartialOutput(error, text);
  }
}

/** The parts of a batch of events, up to the end marker (`end`) or the first event the translator refuses (`failure`). */
function translated(translator: StreamTranslator, events: readonly StreamEvent[]): { parts: ChatStreamPart[]; end: boolean; failure?: unknown } {
  const parts: ChatStreamPart[] = [];
  try {
    for (const event of events) {
      const some = translator.event(event);
      if (some === STREAM_END) return { parts, end: true };
      for (const part of some) parts.push(part);
    }
  } catch (failure) {
    return { parts, end: false, failure };
  }
  return { parts, end: false };
}

/**
 * What kind of answer came: the stream that was asked for, or, from a server that does not
 * stream (`content-type: application/json`), one whole answer, read by `whole` into its parts.
 * A JSON-typed body that is not one JSON value is read as the stream after all.
 */
async function answerOf(
  chunks: AsyncGenerator<string, void, undefined>,
  contentType: () => string,
  whole: ((json: unknown) => ChatStreamPart[]) | undefined,
): Promise<{ parts: ChatStreamPart[] } | { stream: AsyncIterable<string> }> {
  // Once the first chunk (or the end) has come, so have the answer's headers.
  const first = await chunks.next();
  const stream = withFirst(first.done ? undefined : first.value, chunks);
  if (!whole || !/^application\/json\s*(;|$)/i.test(contentType().trim())) return { stream };
  let body = '';
  for await (const chunk of stream) body += chunk;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { stream: withFirst(body, chunks) };
  }
  return { parts: whole(json) };
}

/** `first` (when there is one), then the rest of `chunks`; leaving early closes `chunks`. */
async function* withFirst(first: string | undefined, chunks: AsyncGenerator<string, void, undefined>): AsyncGenerator<string, void, undefined> {
  if (first !== undefined) yield first;
  yield* chunks;
}

type EventSourceParserModule = typeof import('eventsource-parser', { with: { 'resolution-mode': 'import' } });
let parserModule: Promise<EventSourceParserModule> | undefined;

/**
 * SSE events through eventsource-parser, which keeps a line cut between chunks (even between
 * `data:` and its value) for the next one: the events each chunk completes, together. It is an
 * ES module only, and this project compiles to CommonJS, so it is loaded once with import().
 */
export async function* sseEvents(chunks: AsyncIterable<string>): AsyncGenerator<StreamEvent[], void, undefined> {
  const { createParser } = await (parserModule ??= import('eventsource-parser'));
  let events: StreamEvent[] = [];
  const parser = createParser({ onEvent: ({ event, data }) => events.push({ ...(event ? { event } : {}), data }) });
  for await (const chunk of chunks) {
    parser.feed(chunk);
    if (!events.length) continue;
    yield events;
    events = [];
  }
}

/**
 * One event per non-empty line, the lines each chunk completes together; a line cut between
 * chunks waits for its end. A last line without a newline still counts.
 */
export async function* ndjsonEvents(chunks: AsyncIterable<string>): AsyncGenerator<StreamEvent[], void, undefined> {
  // Pieces of the unfinished line, joined only once its end comes: a long line costs no more than its length.
  let pending: string[] = [];
  for await (const chunk of chunks) {
    if (!chunk.includes('\n')) {
      pending.push(chunk);
      continue;
    }
    const lines = (pending.join('') + chunk).split('\n');
    pending = [lines.pop() ?? ''];
    const events: StreamEvent[] = [];
    for (const line of lines) {
      const data = line.trim();
      if (data) events.push({ data });
    }
    if (events.length) yield events;
  }
  const last = pending.join('').trim();
  if (last) yield [{ data: last }];
}

/** Whether an event's JSON is the provider's `{"error": …}` rather than a piece of the answer. */
export function isErrorEvent(json: unknown): json is { error: unknown } {
  return typeof json === 'object' && json !== null && 'error' in json;
}

/** The text, the tool calls and the reasoning among parts, as a non-streaming answer holds them. */
export function contentOf(parts: readonly ChatStreamPart[]): Pick<ChatResult, 'content' | 'toolCalls' | 'reasoning' | 'reasoningBlocks'> {
  const toolCalls = parts.flatMap((part) => (part.type === 'tool_call' ? [part.call] : []));
  const reasoning = new ReasoningCollector();
  for (const part of parts) if (part.type === 'reasoning') reasoning.add(part);
  return { content: parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(''), ...(toolCalls.length ? { toolCalls } : {}), ...reasoning.result() };
}

/** An event's data as JSON, or `bad_response` for a malformed chunk (the data is not quoted: it is the provider's text). */
export function eventJson(event: StreamEvent, endpoint: string, provider: string): unknown {
  try {
    return JSON.parse(event.data);
  } catch {
    throw new SwitchboardError('bad_response', l10n.t('{0} sent a malformed chunk in the middle of its answer (not JSON), so the answer stops here. Try again; if it repeats, check that the base URL points at the {1} API.', endpoint, provider));
  }
}

/**
 * An error the provider sent inside a stream that had begun with 200, mapped as the same status
 * would be for a non-streaming call (`status` from the event, or 500 when it carries none).
 * `bodyText` is the event's data, where the profile finds the provider's message.
 */
export function streamedError(api: ApiProfile, endpoint: string, status: number | undefined, bodyText: string): SwitchboardError {
  return withFacts(statusError({ status: status ?? 500, endpoint: `${endpoint} (mid-stream)`, bodyText }, api, 'model_not_found'), { status: status ?? 500 });
}

/** The stream closed without the provider's end marker: the answer may be cut. */
export function incompleteStream(endpoint: string, provider: string): SwitchboardError {
  return new SwitchboardError('bad_response', l10n.t("{0} ended its answer before the {1} API's end marker, so the answer may be incomplete. Try again.", endpoint, provider));
}

/**
 * A tool call's arguments, assembled from fragments, as a JSON object; no text at all is no
 * arguments. Anything else (cut JSON, an array, a string) is `bad_response`: a call cannot be
 * run with arguments nobody can read.
 */
export function parseToolArguments(text: string, toolName: string, endpoint: string): Record<string, unknown> {
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badArguments(toolName, endpoint);
  }
  return toolArgumentsObject(value, toolName, endpoint);
}

/** Arguments the provider sent already parsed (Ollama, Gemini): a JSON object, or none at all. */
export function toolArgumentsObject(value: unknown, toolName: string, endpoint: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw badArguments(toolName, endpoint);
  return value;
}

function badArguments(toolName: string, endpoint: string): SwitchboardError {
  return new SwitchboardError('bad_response', l10n.t('{0} sent a call of the tool "{1}" whose arguments are not a JSON object, so the call cannot be made. Try again; a model that keeps doing this may not support tool calling well.', endpoint, toolName));
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An id for a tool call whose provider gives none (Ollama, Gemini), so its result can name it. */
export function newToolCallId(): string {
  return `call_${randomUUID().replaceAll('-', '')}`;
}

/** Each tool call's name by id, from the assistant messages of a conversation (Gemini and Ollama name the function in a result). */
export function toolNamesById(messages: readonly ConversationMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) if ('toolCalls' in message) for (const call of message.toolCalls) names.set(call.id, call.name);
  return names;
}

/**
 * `error` with `partialOutput` set to `text` (none when `text` is empty), keeping its code and
 * message. A value that is not a SwitchboardError stays as it is when there is no text.
 */
export function withPartialOutput(error: unknown, text: string): unknown {
  if (error instanceof SwitchboardError) {
    if ((error.partialOutput ?? '') === text) return error;
    return new SwitchboardError(error.code, error.message, { cause: error.cause, ...factsOf(error), ...(text ? { partialOutput: text } : {}) });
  }
  if (!text) return error;
  const info = toErrorInfo(error);
  return new SwitchboardError(info.code, info.message, { partialOutput: text });
}

/**
 * The one way to stream a chat from any adapter: its `chatStreamBatches`, else its `chatStream`
 * (each part a batch of its own), or for an adapter with neither (another extension's, say), its
 * `chat` given out as parts. Either way the parts are held to the contract (`bad_response`
 * otherwise, and `finish` must come last), every key of the connection is blanked (also one cut
 * between two text parts, whatever parts come between them, and inside a tool call's
 * arguments), and a failure carries the text given out so far as `partialOutput`. A tool call or
 * usage that arrives while the end of the text is held (it may begin a key) goes out first; the
 * held text follows once it is known not to be a key. The text parts of a batch that follow one
 * another go out as one, blanked once.
 */
export async function* streamChatBatches(adapter: ProviderAdapter, target: ConnectionTarget, request: ChatRequest, context: CallContext): AsyncGenerator<ChatStreamPart[], void, undefined> {
  const secrets = [target.apiKey, ...Object.values(target.credentialHeaders ?? {})];
  const blanker = new StreamBlanker(secrets);
  // Reasoning is a stream of its own: a key cut between two of its pieces is blanked the same way.
  const reasoning = new StreamBlanker(secrets);
  let text = '';
  try {
    let source: AsyncIterable<readonly unknown[]>;
    if (adapter.chatStreamBatches) source = adapter.chatStreamBatches(target, request, context);
    else if (adapter.chatStream) source = eachAlone(adapter.chatStream(target, request, context));
    else if (adapter.chat) source = resultParts(adapter.chat(target, request, context));
    else throw new SwitchboardError('invalid_input', l10n.t('This provider cannot run chats.'));
    let finished = false;
    for await (const batch of source) {
      if (!Array.isArray(batch)) throw new SwitchboardError('bad_response', l10n.t("The provider's adapter gave a batch of the answer that is not a list of parts."));
      const out: ChatStreamPart[] = [];
      // Text parts in a row, blanked together when another kind of part or the batch's end comes.
      let run = '';
      const endRun = () => {
        if (!run) return;
        const released = blanker.push(run);
        run = '';
        if (!released) return;
        text += released;
        out.push({ type: 'text', text: released });
      };
      try {
        for (const raw of batch) {
          if (finished) throw new SwitchboardError('bad_response', l10n.t('The provider\'s adapter gave more of the answer after saying it was finished.'));
          // Text is nearly every part of a stream: checked by hand, as the schema would, without its cost.
          if (isTextPart(raw)) {
            run += raw.text;
            continue;
          }
          const part = checkPart(raw);
          endRun();
          if (part.type === 'reasoning') {
            // A signature closes its block: what the block held back is known by then.
            const released = reasoning.push(part.text) + (part.signature ? reasoning.end() : '');
            if (released || part.signature) out.push({ type: 'reasoning', text: released, ...(part.signature ? { signature: blankSecretsDeep(part.signature, secrets) } : {}) });
            continue;
          }
          // Text held back in case it begins a key stays held across tool calls and usage, which go
          // out at once: the text after them may finish the key. Only the end of the answer releases it.
          if (part.type === 'finish') {
            const heldReasoning = reasoning.end();
            if (heldReasoning) out.push({ type: 'reasoning', text: heldReasoning });
            const held = blanker.end();
            if (held) {
              text += held;
              out.push({ type: 'text', text: held });
            }
            finished = true;
          }
          out.push(blankSecretsDeep(part, secrets));
        }
      } finally {
        // The parts before a bad one go out first, as they would have one by one.
        endRun();
        if (out.length) yield out;
      }
    }
    if (!finished) throw new SwitchboardError('bad_response', l10n.t('The provider\'s adapter ended the answer without saying it was finished, so it may be incomplete.'));
  } catch (error) {
    // What is still held may be the start of a key: it is not part of the partial output.
    throw withPartialOutput(withoutSecrets(error, secrets), text);
  }
}

/** Each part of the batches, one by one: a core adapter's `chatStream`, from its batches. */
export async function* eachPart(batches: AsyncIterable<readonly ChatStreamPart[]>): AsyncGenerator<ChatStreamPart, void, undefined> {
  for await (const batch of batches) yield* batch;
}

/** An adapter's two ways to stream, from its batches: `chatStreamBatches` for streamChatBatches, `chatStream` part by part. */
export function streamedInBatches(batches: (target: ConnectionTarget, request: ChatRequest, context: CallContext) => AsyncIterable<ChatStreamPart[]>): Required<Pick<ProviderAdapter, 'chatStream' | 'chatStreamBatches'>> {
  return { chatStreamBatches: batches, chatStream: (target, request, context) => eachPart(batches(target, request, context)) };
}

/** Each part of a stream as a batch of its own. */
async function* eachAlone(parts: AsyncIterable<unknown>): AsyncGenerator<unknown[], void, undefined> {
  for await (const part of parts) yield [part];
}

function checkPart(raw: unknown): ChatStreamPart {
  const parsed = ChatStreamPartSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new SwitchboardError('bad_response', l10n.t("The provider's adapter gave a part of the answer that is not valid (at {0}).", issuePaths(parsed.error.issues)));
}

function isTextPart(raw: unknown): raw is { type: 'text'; text: string } {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'text' && typeof (raw as { text?: unknown }).text === 'string';
}

/** A whole answer as one batch of the parts a stream would have given. */
async function* resultParts(pending: Promise<ChatResult>): AsyncGenerator<ChatStreamPart[], void, undefined> {
  yield answerParts(await pending);
}

/** The parts a stream would have given for a whole answer: the inverse of {@link collectChat}. */
export function answerParts(result: ChatResult): ChatStreamPart[] {
  return [
    ...reasoningParts(result),
    ...(result.content ? [{ type: 'text', text: result.content } as const] : []),
    ...(result.toolCalls ?? []).map((call) => ({ type: 'tool_call', call }) as const),
    { type: 'usage', usage: result.usage },
    { type: 'finish', modelRef: result.modelRef, ...(result.finishReason ? { finishReason: result.finishReason } : {}) },
  ];
}

/** A whole answer's reasoning as parts: each signed block, or the text alone. */
function reasoningParts(result: ChatResult): ChatStreamPart[] {
  if (result.reasoningBlocks?.length) return result.reasoningBlocks.map((block) => ({ type: 'reasoning', text: block.text, signature: block.signature }));
  return result.reasoning ? [{ type: 'reasoning', text: result.reasoning }] : [];
}

/**
 * The reasoning of a stream, whole: its text, and the signed blocks (each the text since the
 * last signature, closed by a part with a signature).
 */
export class ReasoningCollector {
  private text = '';
  private open = '';
  private readonly blocks: ReasoningBlock[] = [];

  add(part: Extract<ChatStreamPart, { type: 'reasoning' }>): void {
    this.text += part.text;
    this.open += part.text;
    if (part.signature) {
      this.blocks.push({ text: this.open, signature: part.signature });
      this.open = '';
    }
  }

  /** The fields of a ChatResult; none when the model showed no reasoning. */
  result(): Pick<ChatResult, 'reasoning' | 'reasoningBlocks'> {
    return { ...(this.text ? { reasoning: this.text } : {}), ...(this.blocks.length ? { reasoningBlocks: [...this.blocks] } : {}) };
  }
}

/** A stream's parts gathered into the whole answer, as a non-streaming call would give it. */
class ChatCollector {
  private content = '';
  private readonly reasoning = new ReasoningCollector();
  private readonly toolCalls: ToolCall[] = [];
  private usage: Usage = { inputTokens: 0, outputTokens: 0 };
  private finish: Extract<ChatStreamPart, { type: 'finish' }> | undefined;

  add(part: ChatStreamPart): void {
    if (part.type === 'text') this.content += part.text;
    else if (part.type === 'reasoning') this.reasoning.add(part);
    else if (part.type === 'tool_call') this.toolCalls.push(part.call);
    else if (part.type === 'usage') this.usage = part.usage;
    else this.finish = part;
  }

  result(): ChatResult {
    const { finish, toolCalls } = this;
    if (!finish) throw new SwitchboardError('bad_response', l10n.t('The answer ended without saying it was finished, so it may be incomplete.'));
    return {
      content: this.content,
      modelRef: finish.modelRef,
      usage: this.usage,
      ...(finish.finishReason ? { finishReason: finish.finishReason } : {}),
      ...(toolCalls.length ? { toolCalls } : {}),
      ...this.reasoning.result(),
    };
  }
}

/** Reads a stream to its end and gives the whole answer, as a non-streaming call would. */
export async function collectChat(parts: AsyncIterable<ChatStreamPart>): Promise<ChatResult> {
  const answer = new ChatCollector();
  for await (const part of parts) answer.add(part);
  return answer.result();
}

/** Reads batches of parts to their end, handing each part to `onPart` as it comes, and gives the whole answer. */
export async function collectBatches(batches: AsyncIterable<readonly ChatStreamPart[]>, onPart: (part: ChatStreamPart) => void): Promise<ChatResult> {
  const answer = new ChatCollector();
  for await (const batch of batches) {
    for (const part of batch) {
      onPart(part);
      answer.add(part);
    }
  }
  return answer.result();
}
