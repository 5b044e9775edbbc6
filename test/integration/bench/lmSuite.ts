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
import { OllamaFixture } from '../../fixtures/ollamaFixture';
import { summarise } from '../../../bench/figures';

const ITERATIONS = Number(process.env.SWITCHBOARD_BENCH_ITERATIONS || 200);
const WARMUP = 30;
const PROMPT = 'tell me something in a few words please';

export async function run(): Promise<void> {
  const exports = await vscode.extensions.getExtension<TestModeExports>('switchboard-dev.switchboard')!.activate();
  const testing = exports.testing;
  const fixture = new OllamaFixture();
  const url = await fixture.start();
  const raw = new UndiciAgent({ connections: 8 });
  try {
    const connection = (await vscode.commands.executeCommand<Connection>('switchboard.addConnection', { name: 'Bench Ollama', providerId: 'ollama', baseUrl: url }))!;
    testing.queueAnswers('llama3.2:latest');
    await vscode.commands.executeCommand('switchboard.discoverModels', connection.id);
    const id = `${connection.id}/llama3.2:latest`;
    let model: vscode.LanguageModelChat | undefined;
    for (let tries = 0; !model && tries < 100; tries++) {
      [model] = await vscode.lm.selectChatModels({ vendor: 'switchboard', id });
      if (!model) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!model) throw new Error('Switchboard offered no chat model');
    const chosen = model;

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
    };
    const file = process.env.SWITCHBOARD_TEST_RESULTS;
    if (file) fs.writeFileSync(file, JSON.stringify(figures) + '\n');
  } finally {
    await raw.close();
    await fixture.stop();
  }
}
