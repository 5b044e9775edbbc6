import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { build } from 'esbuild';

/** Builds a target of scripts/bundles.mjs for production, in memory: each JavaScript bundle's text and inputs. */
async function productionBundles(target: 'host' | 'webviews') {
  // Imported, not required: scripts/bundles.mjs is the ES module esbuild.mjs builds from.
  const { bundleTargets } = await import('../../scripts/bundles.mjs');
  const result = await build({ ...bundleTargets({ production: true })[target], write: false, metafile: true, logLevel: 'silent' });
  return Object.entries(result.metafile.outputs)
    .filter(([file, output]) => output.entryPoint && file.endsWith('.js'))
    .map(([file, output]) => ({
      name: path.basename(file),
      bytes: output.bytes,
      inputs: Object.keys(output.inputs),
      text: result.outputFiles.find((outputFile) => outputFile.path.endsWith(file))?.text ?? '',
    }));
}

describe('the production bundles', function () {
  // A build, not a timed check: esbuild is quick, but a busy machine may slow it down.
  this.timeout(120_000);

  it('keeps each webview within its budget (150 KB; the editor, with uPlot, 220 KB), with no zod in it (the host validates what views send)', async () => {
    // The budgets are set (and explained) where the bundles are: the test holds each bundle to its own.
    const { webviewBundleBudget } = await import('../../scripts/bundles.mjs');
    const webviews = await productionBundles('webviews');
    assert.deepEqual(webviews.map((bundle) => bundle.name).sort(), ['agents.js', 'connections.js', 'editor.js']);
    for (const bundle of webviews) {
      assert.ok(bundle.bytes < webviewBundleBudget(bundle.name), `${bundle.name} is ${bundle.bytes} bytes`);
      assert.deepEqual(bundle.inputs.filter((input) => input.includes('node_modules/zod/')), [], `${bundle.name} carries zod`);
    }
  });

  it('gives the host and the workers one zod locale and only the parts of undici they use, and never reads the global navigator (VS Code traps it)', async () => {
    const bundles = await productionBundles('host');
    assert.deepEqual(bundles.map((bundle) => bundle.name).sort(), ['agentHost.js', 'auditVerify.js', 'extension.js', 'ledgerWriter.js', 'tokenizer.js']);
    for (const bundle of bundles.filter((b) => b.name !== 'tokenizer.js')) {
      // `import * as z`: with `import { z }`, esbuild kept all of zod's 40 locales.
      // The audit verify worker and the ledger's writer carry no zod at all.
      if (bundle.name !== 'auditVerify.js' && bundle.name !== 'ledgerWriter.js') assert.deepEqual(bundle.inputs.filter((input) => input.includes('zod/v4/locales/')), ['node_modules/zod/v4/locales/en.js'], `${bundle.name}: zod's locales`);
      assert.doesNotMatch(bundle.text, /\bnavigator\b/, `${bundle.name} reads navigator`);
      // src/core/http/undici.ts loads the two parts it needs; undici's index brings fetch, WebSocket and more.
      assert.ok(!bundle.inputs.includes('node_modules/undici/index.js'), `${bundle.name} carries all of undici`);
    }
  });

  it('keeps OpenAI\'s tokenizer out of the extension\'s bundle, in a bundle of its own that only the first token count loads', async () => {
    const bundles = await productionBundles('host');
    const byName = new Map(bundles.map((bundle) => [bundle.name, bundle]));
    for (const name of ['extension.js', 'agentHost.js']) {
      assert.deepEqual(byName.get(name)!.inputs.filter((input) => input.includes('node_modules/gpt-tokenizer/')), [], `${name} carries the tokenizer`);
    }
    const tokenizer = byName.get('tokenizer.js')!;
    assert.ok(tokenizer.inputs.includes('node_modules/gpt-tokenizer/esm/bpeRanks/o200k_base.js'), 'the tokenizer bundle has the o200k_base table');
    // No navigator check here: "navigator" is a token of its vocabulary, and the host options' define covers the global.
  });
});
