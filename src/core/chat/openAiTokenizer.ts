/**
 * The entry of `dist/tokenizer.js`, a bundle of its own (scripts/bundles.mjs): OpenAI's o200k_base
 * tokenizer is megabytes of tables, so the extension's bundle does not carry it and activation
 * never parses it; the first count of an OpenAI model loads this file (TokenCounter).
 */
export { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
