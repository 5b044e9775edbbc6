/**
 * The chat suites' shared set-up: connections with registered models, and another extension
 * (test/fixtures/extensions/fixture-chat) that reaches them only through VS Code's language
 * model API, as any extension can.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Connection } from '../../src/contracts/connections';
import type { TestingApi } from '../../src/vscode/testing';
import { CANARY_KEY, addConnection, waitFor } from './helpers';

export const CHAT_FIXTURE = 'switchboard-test.fixture-chat';

/** A part of a user message: text, an image (base64), or a `cache_control` breakpoint as Copilot marks one. */
export type Part = { text: string } | { image: string; mimeType: string } | { cache: true };

/** What test/fixtures/extensions/fixture-chat/extension.js exports. */
export interface ChatFixture {
  /** The ids `vscode.lm.selectChatModels` lists for Switchboard's vendor. */
  modelIds(): Promise<string[]>;
  ask(modelId: string, prompt: string): Promise<string>;
  askWith(modelId: string, parts: Part[]): Promise<string>;
  askConversation(modelId: string, messages: { role: 'user' | 'assistant'; parts: unknown[] }[], tools?: { name: string; description: string }[]): Promise<string>;
  askParts(modelId: string, prompt: string): Promise<{ kind: 'text' | 'tool_call' | 'other'; json: string }[]>;
  countTokens(modelId: string, text: string): Promise<number>;
}

export async function activateChatFixture(): Promise<ChatFixture> {
  const extension = vscode.extensions.getExtension<ChatFixture>(CHAT_FIXTURE);
  assert.ok(extension, `${CHAT_FIXTURE} is not installed in this extension host`);
  return extension.activate();
}

/**
 * A connection with the canary key and the models picked in discovery (`picks`: the pick's
 * answer, labels or ids one per line). Discovery with the connection as its argument asks
 * consent for the key first, answered "once".
 */
export async function addKeyedConnection(testing: TestingApi, input: { name: string; providerId: string; baseUrl: string }, picks: string): Promise<Connection> {
  const connection = await addConnection(input);
  testing.queueAnswers(CANARY_KEY); // the password box
  await vscode.commands.executeCommand('switchboard.setApiKey', connection.id);
  testing.queueAnswers('once', picks);
  await vscode.commands.executeCommand('switchboard.discoverModels', connection.id);
  return connection;
}

/** Waits until VS Code's language model API lists every one of `wanted`; a timeout says what it and Switchboard held. */
export async function waitForChatModels(testing: TestingApi, fixture: ChatFixture, wanted: readonly string[]): Promise<void> {
  let listed: string[] = [];
  try {
    await waitFor(`${wanted.join(', ')} in vscode.lm.selectChatModels`, async () => {
      listed = await fixture.modelIds();
      return wanted.every((id) => listed.includes(id)) || undefined;
    });
  } catch (error) {
    const registered = testing.storedModels().map((model) => `${model.connectionId}/${model.providerModelId}${model.enabled ? '' : ' (disabled)'}`);
    const answersLeft = testing.drainAnswers();
    throw new Error(
      `${(error as Error).message}\n  listed: ${listed.join(', ') || 'none'}\n  registered: ${registered.join(', ') || 'none'}\n  answers left unused: ${JSON.stringify(answersLeft)}\n  last questions: ${testing.answeredQuestions().slice(-4).join(' | ')}\n  last errors: ${testing.shownErrors().slice(-3).map((shown) => shown.message).join(' | ')}`,
    );
  }
}
