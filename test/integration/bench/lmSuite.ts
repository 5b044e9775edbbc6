/**
 * The extension-host half of bench/lm.mjs, run as its own extensionTestsPath: a
 * `vscode.lm` `sendRequest` through Switchboard's chat provider (VS Code's RPC, routing, the
 * ModelCaller, the audit append, the chat record) against a raw undici streaming call with the
 * same body to the same loopback Ollama fixture, and the same request straight into ChatService
 * (Switchboard's part without VS Code's RPC), interleaved, each read to its end: time to the
 * first text and total. Writes its figures to SWITCHBOARD_TEST_RESULTS; asserts nothing.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { Agent as UndiciAgent, request } from 'undici';
import type { Connection } from '../../../src/contracts/connections';
import type { TestModeExports } from '../../../src/vscode/testing';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { imagePartOf } from '../../../src/core/chat/chatParts';
import { TokenCounter, type CountTokens } from '../../../src/core/chat/tokenCount';
import { CANARY_KEY } from '../../fixtures/canary';
import { OllamaFixture } from '../../fixtures/ollamaFixture';
import { OpenAiFixture } from '../../fixtures/openaiFixture';
import { noisePng } from '../../fixtures/pngImage';
import { summarise } from '../../../bench/figures';

const ITERATIONS = Number(process.env.SWITCHBOARD_BENCH_ITERATIONS || 200);
const WARMUP = 30;
const PROMPT = 'tell me something in a few words please';
const COUNTS = 200;
const IMAGES = 30;

/** 10 KB of what Copilot counts: prose, code and a little non-ASCII. */
function tenKilobytes(): string {
  const piece = 'function total(items: Item[]): number { return items.reduce((sum, item) => sum + item.price * item.count, 0); }\nThe café’s menu lists prices in € and ¥; the tokenizer must count them as a model does.\n';
  return piece.repeat(Math.ceil(10_240 / piece.length)).slice(0, 10_240);
}

async function timed(times: number, run: () => unknown): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    values.push(performance.now() - started);
  }
  return values;
}

/** The Switchboard chat model `id`, once VS Code lists it (it says when its list changes). */
async function chatModel(id: string): Promise<vscode.LanguageModelChat> {
  for (let changes = 0; changes < 20; changes++) {
    const changed = new Promise<void>((resolve) => {
      const listener = vscode.lm.onDidChangeChatModels(() => {
        listener.dispose();
        resolve();
      });
    });
    const [model] = await vscode.lm.selectChatModels({ vendor: 'switchboard', id });
    if (model) return model;
    await changed;
  }
  throw new Error(`Switchboard offered no chat model ${id}`);
}

export async function run(): Promise<void> {
  const exports = await vscode.extensions.getExtension<TestModeExports>('switchboard-dev.switchboard')!.activate();
  const testing = exports.testing;
  const fixture = new OllamaFixture();
  const url = await fixture.start();
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  const openaiUrl = await openai.start();
  const raw = new UndiciAgent({ connections: 8 });
  try {
    const connection = (await vscode.commands.executeCommand<Connection>('switchboard.addConnection', { name: 'Bench Ollama', providerId: 'ollama', baseUrl: url }))!;
    testing.queueAnswers('llama3.2:latest\nllava:latest');
    await vscode.commands.executeCommand('switchboard.discoverModels', connection.id);
    const id = `${connection.id}/llama3.2:latest`;
    const chosen = await chatModel(id);

    const viaChat = async () => {
      const started = performance.now();
      let first: number | undefined;
      const response = await chosen.sendRequest([vscode.LanguageModelChatMessage.User(PROMPT)], {});
      for await (const part of response.stream) if (part instanceof vscode.LanguageModelTextPart && part.value) first ??= performance.now() - started;
      return { first: first ?? NaN, total: performance.now() - started };
    };
    await viaChat();
    const body = fixture.requests.filter((r) => r.url === '/api/chat').at(-1)!.body;
    const viaRaw = async () => {
      const started = performance.now();
      let first: number | undefined;
      const response = await request(`${url}/api/chat`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: raw });
      // The same NDJSON stream, read chunk by chunk: the first chunk carries the first text.
      for await (const _chunk of response.body) first ??= performance.now() - started;
      return { first: first ?? NaN, total: performance.now() - started };
    };

    const chat = { first: [] as number[], total: [] as number[] };
    const service = { first: [] as number[], total: [] as number[] };
    const direct = { first: [] as number[], total: [] as number[] };
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const a = await viaChat();
      const b = await viaRaw();
      const c = await testing.chatDirect(id, PROMPT);
      if (i >= WARMUP) {
        service.first.push(c.first);
        service.total.push(c.total);
        chat.first.push(a.first);
        chat.total.push(a.total);
        direct.first.push(b.first);
        direct.total.push(b.total);
      }
      if (i % 50 === 0) fixture.requests.length = 0;
    }
    const paired = (x: number[], y: number[]) => summarise(x.map((value, i) => value - y[i]!));
    const figures = {
      iterations: ITERATIONS,
      node: process.version,
      vscode: vscode.version,
      chat: { first: summarise(chat.first), total: summarise(chat.total) },
      raw: { first: summarise(direct.first), total: summarise(direct.total) },
      overhead: { first: paired(chat.first, direct.first), total: paired(chat.total, direct.total) },
      service: { first: summarise(service.first), total: summarise(service.total) },
      serviceOverhead: { first: paired(service.first, direct.first), total: paired(service.total, direct.total) },
      chatRecords: testing.chatRecords().length,
      ...(await tokensAndImages(testing, connection.id, `${openaiUrl}/v1`)),
    };
    const file = process.env.SWITCHBOARD_TEST_RESULTS;
    if (file) fs.writeFileSync(file, JSON.stringify(figures) + '\n');
  } finally {
    await raw.close();
    await fixture.stop();
    await openai.stop();
  }
}

/**
 * provideTokenCount for 10 KB of text: an OpenAI model (gpt-tokenizer's o200k_base; the first
 * count loads dist/tokenizer.js) and an Ollama model (the estimate), through `vscode.lm`'s
 * countTokens (VS Code's RPC included) and straight into a TokenCounter on the same bundle; and
 * the cost of a 1 MB image: its encoding to base64 (imagePartOf), and a whole sendRequest with it
 * to llava.
 */
async function tokensAndImages(testing: TestModeExports['testing'], ollamaId: string, openaiBase: string) {
  const cloud = (await vscode.commands.executeCommand<Connection>('switchboard.addConnection', { name: 'Bench OpenAI', providerId: 'openai', baseUrl: openaiBase }))!;
  testing.queueAnswers(CANARY_KEY);
  await vscode.commands.executeCommand('switchboard.setApiKey', cloud.id);
  testing.queueAnswers('once', 'gpt-4o-mini');
  await vscode.commands.executeCommand('switchboard.discoverModels', cloud.id);
  const gpt = await chatModel(`${cloud.id}/gpt-4o-mini`);
  const llama = await chatModel(`${ollamaId}/llama3.2:latest`);
  const llava = await chatModel(`${ollamaId}/llava:latest`);
  const text = tenKilobytes();

  const coldStarted = performance.now();
  const tokens = await gpt.countTokens(text);
  const cold = performance.now() - coldStarted;
  let lmRound = 0;
  const viaLm = await timed(COUNTS, () => gpt.countTokens(`${lmRound++} ${text}`.slice(0, 10_240)));
  const estimated = await timed(COUNTS, () => llama.countTokens(text));

  const bundle = join(vscode.extensions.getExtension('switchboard-dev.switchboard')!.extensionPath, 'dist', 'tokenizer.js');
  const counter = new TokenCounter({ load: async () => (createRequire(bundle)(bundle) as { countTokens: CountTokens }).countTokens, logger: { info() {}, warn() {}, error() {} } });
  await counter.count('openai', text);
  // A different text each time (the tokenizer's work), and the same text again (a count it keeps).
  let round = 0;
  const direct = await timed(COUNTS, () => counter.count('openai', `${round++} ${text}`.slice(0, 10_240)));
  const repeated = await timed(COUNTS, () => counter.count('openai', text));

  // A PNG that decodes (VS Code decodes an image part before sending it on), of 1 MB: 512 × 512 RGBA of noise, stored.
  const image = noisePng(512, 512);
  // LanguageModelDataPart is stable from VS Code 1.105; the 1.104 typings this repository builds with do not have it.
  const { LanguageModelDataPart } = vscode as unknown as { LanguageModelDataPart: { image(data: Uint8Array, mimeType: string): vscode.LanguageModelTextPart } };
  const encode = await timed(IMAGES, () => imagePartOf('image/png', image));
  const ask = () =>
    llava
      .sendRequest([vscode.LanguageModelChatMessage.User([new vscode.LanguageModelTextPart('what is this?'), LanguageModelDataPart.image(image, 'image/png')])], {})
      .then(async (response) => {
        for await (const _piece of response.text);
      });
  await ask();
  const withImage = await timed(IMAGES, ask);
  const withoutImage = await timed(IMAGES, () => llava.sendRequest([vscode.LanguageModelChatMessage.User('what is this?')], {}).then(async (response) => {
    for await (const _piece of response.text);
  }));
  return {
    tokens: { chars: text.length, count: tokens, coldMs: cold, viaLm: summarise(viaLm), estimated: summarise(estimated), direct: summarise(direct), repeated: summarise(repeated) },
    image: { bytes: image.length, encode: summarise(encode), withImage: summarise(withImage), withoutImage: summarise(withoutImage) },
  };
}
