import * as assert from 'node:assert/strict';
import * as z from 'zod';
import type { Reply } from '../../src/contracts/rpc';
import { requestSchema } from '../../src/contracts/rpc';
import { SwitchboardError } from '../../src/core/base/errors';
import { Emitter } from '../../src/core/base/events';
import { ViewHost } from '../../src/core/views/viewHost';
import { MemoryLogger } from '../helpers/fakes';

/**
 * The host side of every view's protocol, on a small protocol of its own: one method, `echo`,
 * that answers its text, fails with a code for 'refuse' and throws a plain error for 'crash'.
 */
describe('ViewHost', () => {
  const RequestSchema = requestSchema({ echo: z.object({ text: z.string() }).strict() });
  const FromViewSchema = z.union([z.object({ type: z.literal('ready') }).strict(), RequestSchema]);
  type Request = z.infer<typeof RequestSchema>;
  type Snapshot = { type: 'snapshot'; n: number };

  function host() {
    const posted: (Snapshot | Reply | 'notice')[] = [];
    const logger = new MemoryLogger();
    const changed = new Emitter<void>();
    const noticed = new Emitter<void>();
    let n = 0;
    const view = new ViewHost<Request, Snapshot, 'notice'>({
      name: 'Test',
      schema: FromViewSchema,
      dispatch: async (request) => {
        if (request.params.text === 'refuse') throw new SwitchboardError('conflict', 'Refused on purpose.');
        if (request.params.text === 'crash') throw new Error('a bug in the host');
        return { text: request.params.text };
      },
      snapshot: () => ({ type: 'snapshot', n: ++n }),
      post: (message) => posted.push(message),
      logger,
      changes: [changed.event],
      notices: [{ event: noticed.event, notice: 'notice' }],
    });
    return { view, posted, logger, changed, noticed };
  }

  const request = (id: unknown, text: unknown = 'hi') => ({ type: 'request', id, method: 'echo', params: { text } });

  it('sends snapshots only after the view says it is ready, and again after each change', async () => {
    const { view, posted, changed } = host();
    changed.fire();
    assert.deepEqual(posted, [], 'nothing before ready');
    await view.handle({ type: 'ready' });
    changed.fire();
    assert.deepEqual(posted, [
      { type: 'snapshot', n: 1 },
      { type: 'snapshot', n: 2 },
    ]);
  });

  it('sends nothing after a reset (the webview was thrown away) until the view is ready again', async () => {
    const { view, posted, changed } = host();
    await view.handle({ type: 'ready' });
    view.reset();
    changed.fire();
    view.pushSnapshot();
    assert.equal(posted.length, 1);
    await view.handle({ type: 'ready' });
    assert.equal(posted.length, 2);
  });

  it('posts a notice on its event only while the view is ready, and stops when disposed', async () => {
    const { view, posted, noticed } = host();
    noticed.fire();
    assert.deepEqual(posted, [], 'not before the view is ready');
    await view.handle({ type: 'ready' });
    noticed.fire();
    assert.deepEqual(posted, [{ type: 'snapshot', n: 1 }, 'notice']);
    view.reset();
    noticed.fire();
    view.dispose();
    await view.handle({ type: 'ready' });
    noticed.fire();
    assert.deepEqual(posted, [{ type: 'snapshot', n: 1 }, 'notice', { type: 'snapshot', n: 2 }]);
  });

  it('stops listening to changes when disposed', async () => {
    const { view, posted, changed } = host();
    await view.handle({ type: 'ready' });
    view.dispose();
    changed.fire();
    assert.equal(posted.length, 1);
  });

  it('answers a request with exactly one reply: its value, or the error with its code', async () => {
    const { view, posted, logger } = host();
    await view.handle(request('a', 'hello'));
    await view.handle(request('b', 'refuse'));
    assert.deepEqual(posted, [
      { type: 'reply', id: 'a', ok: true, value: { text: 'hello' } },
      { type: 'reply', id: 'b', ok: false, error: { code: 'conflict', message: 'Refused on purpose.' } },
    ]);
    assert.deepEqual(logger.lines, [], "a refusal with a code is the view's answer, not a fault to log");
  });

  it('answers a request that fails unexpectedly with internal, and logs it', async () => {
    const { view, posted, logger } = host();
    await view.handle(request('c', 'crash'));
    assert.equal(posted.length, 1);
    const [reply] = posted as Extract<Reply, { ok: false }>[];
    assert.deepEqual([reply?.id, reply?.ok, reply?.error.code], ['c', false, 'internal']);
    assert.deepEqual(logger.lines, [`error echo failed: ${reply?.error.message}`]);
    assert.match(reply?.error.message ?? '', /a bug in the host/);
  });

  it('answers a malformed request with invalid_input naming the view, under its id, and logs it', async () => {
    const { view, posted, logger } = host();
    await view.handle(request('d', 42));
    assert.equal(posted.length, 1);
    const [reply] = posted as Extract<Reply, { ok: false }>[];
    assert.deepEqual([reply?.id, reply?.error.code], ['d', 'invalid_input']);
    assert.match(reply?.error.message ?? '', /^The Test view sent a message the host does not accept: .+\.$/);
    assert.deepEqual(logger.lines, [`warn ${reply?.error.message}`]);
  });

  it('replies to a malformed request only under an id a reply can carry (1 to 64 characters), and never throws', async () => {
    const { view, posted, logger } = host();
    for (const raw of [null, undefined, 'ready', 7, [], { type: 'request' }, request(''), request('x'.repeat(65)), request(5, 42)]) {
      await view.handle(raw);
    }
    assert.deepEqual(posted, []);
    assert.equal(logger.lines.length, 9, 'each one is logged');
    await view.handle(request('y'.repeat(64), 42));
    await view.handle(request('z', 42));
    assert.deepEqual(
      posted.map((reply) => (reply as Reply).id),
      ['y'.repeat(64), 'z'],
    );
  });
});
