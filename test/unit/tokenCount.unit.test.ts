import * as assert from 'node:assert/strict';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as entryCount } from '../../src/core/chat/openAiTokenizer';
import { estimateTokens, TokenCounter, type CountTokens } from '../../src/core/chat/tokenCount';
import { MemoryLogger } from '../helpers/fakes';

/** The real entry of dist/tokenizer.js, loaded the way the extension loads its bundle: on demand, counting the loads. */
function counter(load: () => Promise<CountTokens> = async () => entryCount) {
  const logger = new MemoryLogger();
  let loads = 0;
  const tokens = new TokenCounter({
    load: () => {
      loads++;
      return load();
    },
    logger,
  });
  return { tokens, logger, loads: () => loads };
}

describe('token counts for VS Code chat', () => {
  // 17 tokens to o200k_base, where four characters a token would say 7.
  const text = '日本語のテキストは四文字で一トークンではありません。';

  it('counts an OpenAI or Azure OpenAI model\'s text with o200k_base, as gpt-tokenizer does, loading the tokenizer once', async () => {
    const { tokens, loads } = counter();
    assert.equal(await tokens.count('openai', 'hello world'), 2);
    assert.equal(await tokens.count('openai', text), 17);
    assert.equal(await tokens.count('openai', text), o200k(text));
    assert.equal(await tokens.count('azure-openai', text), o200k(text));
    assert.notEqual(o200k(text), estimateTokens(text), 'the string tells the tokenizer from the estimate');
    assert.equal(loads(), 1);
  });

  it('loads the tokenizer once when the first counts come together', async () => {
    const { tokens, loads } = counter();
    const counts = await Promise.all(Array.from({ length: 5 }, () => tokens.count('openai', text)));
    assert.deepEqual(counts, Array(5).fill(o200k(text)));
    assert.equal(loads(), 1);
  });

  it('estimates every other provider\'s models at four characters a token, without loading the tokenizer', async () => {
    const { tokens, loads } = counter();
    for (const provider of ['ollama', 'anthropic', 'gemini', 'openai-compatible', 'acme.contributed']) assert.equal(await tokens.count(provider, text), Math.ceil(text.length / 4));
    assert.equal(loads(), 0);
  });

  it('falls back to the estimate when the tokenizer cannot be loaded, says so once in the log, and does not try again on every count', async () => {
    const { tokens, logger, loads } = counter(() => Promise.reject(new Error('Cannot find module dist/tokenizer.js')));
    assert.equal(await tokens.count('openai', text), estimateTokens(text));
    assert.equal(await tokens.count('openai', text), estimateTokens(text));
    assert.equal(loads(), 1);
    assert.deepEqual(logger.lines.filter((line) => line.includes('tokenizer')).length, 1);
    assert.match(logger.lines.join('\n'), /Could not load the OpenAI tokenizer; token counts are estimates: Cannot find module dist\/tokenizer\.js/);
  });

  it('counts a text it counted lately without the tokenizer, and forgets the oldest beyond 128 texts', async () => {
    let calls = 0;
    const { tokens } = counter(async () => (value) => {
      calls++;
      return o200k(value);
    });
    assert.equal(await tokens.count('openai', text), 17);
    assert.equal(await tokens.count('openai', text), 17);
    assert.equal(calls, 1);
    for (let i = 0; i < 128; i++) await tokens.count('openai', `text ${i}`);
    assert.equal(await tokens.count('openai', text), 17);
    assert.equal(calls, 1 + 128 + 1, 'the first text was forgotten');
    const long = 'word '.repeat(4000);
    await tokens.count('openai', long);
    await tokens.count('openai', long);
    assert.equal(calls, 1 + 128 + 1 + 2, 'a text over 16 K characters is not kept');
  });
});
