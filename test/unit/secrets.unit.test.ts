import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SwitchboardError } from '../../src/core/base/errors';
import { blankedResult, blankSecret, blankSecrets, blankSecretsDeep, keyHint, MIN_SECRET_LENGTH, Redactor, StreamBlanker, withoutSecrets } from '../../src/core/base/secrets';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';

/**
 * A secret no test used before: blanking keeps the patterns it builds per secret, so a test of
 * how they are built needs one that is new in every run.
 */
function fresh(): string {
  return `sk-${randomUUID()}`;
}

/** `text` with every character written as a JSON `\uXXXX` escape, in upper or lower case hex. */
function unicodeEscaped(text: string, upper: boolean): string {
  return [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).map((e) => (upper ? e.toUpperCase().replace('\\U', '\\u') : e)).join('');
}

describe('secret blanking', () => {
  describe('keyHint', () => {
    it('shows the last four characters from twelve characters on, and only stars below', () => {
      assert.equal(keyHint('abcdefghijk'), '****');
      assert.equal(keyHint('abcdefghijkl'), '****ijkl');
      assert.equal(keyHint(CANARY_KEY), `****${CANARY_KEY.slice(-4)}`);
      assert.equal(keyHint(''), '****');
    });
  });

  describe('blankSecrets', () => {
    it('blanks a secret of eight characters or more, and leaves shorter values (ordinary words) alone', () => {
      assert.equal(MIN_SECRET_LENGTH, 8);
      assert.equal(blankSecrets('a 1234567 b', ['1234567']), 'a 1234567 b');
      assert.equal(blankSecrets('a 12345678 b', ['12345678']), 'a **** b');
      assert.equal(blankSecrets('nothing here', [undefined, '']), 'nothing here');
    });

    it('blanks every occurrence of every secret, in each form a JSON body may write it', () => {
      const key = 'sk-a/b"c\\d-0123abcdef';
      const forms = [
        key,
        JSON.stringify(key).slice(1, -1),
        key.replace('/', '\\/'),
        unicodeEscaped(key, true),
        unicodeEscaped(key, false),
        // Some characters escaped, the others not.
        [...key].map((c, i) => (i % 2 ? unicodeEscaped(c, i % 4 === 1) : c === '"' || c === '\\' ? `\\${c}` : c)).join(''),
      ];
      const other = 'second-secret-value';
      const text = `${forms.join(' | ')} | ${other} ${other}`;
      assert.equal(blankSecrets(text, [key, other]), `${forms.map(() => '****').join(' | ')} | **** ****`);
    });

    it('matches a secret as itself: the characters a pattern would give a meaning match only themselves', () => {
      const key = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n';
      assert.equal(blankSecrets(`x ${key} y`, [key]), 'x **** y');
      assert.equal(blankSecrets('x aXbXcXdXeXfXgXhXiXjXkXlXmXn y', [key]), 'x aXbXcXdXeXfXgXhXiXjXkXlXmXn y');
      assert.equal(blankSecrets('x a\\.b y', ['a.bcdefgh']), 'x a\\.b y');
    });

    it('blanks the same secret again and again, and keeps working past its cache of patterns', () => {
      for (let i = 0; i < 3; i++) assert.equal(blankSecrets(`${CANARY_KEY} and ${CANARY_KEY}`, [CANARY_KEY]), '**** and ****');
      const many = Array.from({ length: 150 }, (_, i) => `secret-number-${i}`);
      for (const secret of many) assert.equal(blankSecret(`<${secret}>`, secret), '<****>');
      assert.equal(blankSecret(`<${many[0]}>`, many[0]), '<****>');
      assert.equal(blankSecret('as it is', undefined), 'as it is');
    });
  });

  describe('blankSecretsDeep', () => {
    it('blanks every string and every object key of plain data, at any depth', () => {
      const value = { [`k-${CANARY_KEY}`]: [`v ${CANARY_KEY}`, { deeper: [CANARY_KEY, 42, true, null] }], n: 1 };
      assert.deepEqual(blankSecretsDeep(value, [CANARY_KEY]), { 'k-****': ['v ****', { deeper: ['****', 42, true, null] }], n: 1 });
      assert.equal(blankSecretsDeep(`top ${CANARY_KEY}`, [CANARY_KEY]), 'top ****');
    });

    it('hands back values that are not plain data as they are, and everything as it is without a secret to blank', () => {
      const date = new Date(0);
      const instance = new (class Holder {
        constructor(readonly text = CANARY_KEY) {}
      })();
      const blanked = blankSecretsDeep({ date, instance }, [CANARY_KEY]);
      assert.equal(blanked.date, date);
      assert.equal(blanked.instance, instance);
      const value = { text: CANARY_KEY };
      assert.equal(blankSecretsDeep(value, [undefined, 'short']), value);
      assert.deepEqual(blankSecretsDeep({ text: 'is 12345678' }, ['12345678']), { text: 'is ****' }, 'eight characters are enough');
    });
  });

  describe('Redactor', () => {
    it('blanks every secret it was told about, and none too short or missing', () => {
      const redactor = new Redactor();
      redactor.remember(CANARY_KEY);
      redactor.remember('short');
      redactor.remember(undefined);
      redactor.remember('another-secret-value');
      redactor.remember('12345678');
      assert.equal(redactor.redact(`${CANARY_KEY} short another-secret-value 12345678`), '**** short **** ****');
    });
  });

  describe('withoutSecrets and blankedResult', () => {
    it('gives back the same error when there is nothing to blank, and one with the same code and the secret blanked when there is', () => {
      const clean = new SwitchboardError('timeout', 'No answer.');
      assert.equal(withoutSecrets(clean, [CANARY_KEY]), clean);
      const leaky = withoutSecrets(new SwitchboardError('auth_failed', `bad key ${CANARY_KEY}`), [CANARY_KEY]);
      assert.ok(leaky instanceof SwitchboardError);
      assert.deepEqual([leaky.code, leaky.message], ['auth_failed', 'bad key ****']);
      const plain = withoutSecrets(new Error(`socket said ${CANARY_KEY}`), [CANARY_KEY]) as SwitchboardError;
      assert.deepEqual([plain.code, plain.message], ['internal', 'Unexpected error: socket said ****']);
    });

    it("blanks the answer of a call, or its error's message", async () => {
      assert.deepEqual(await blankedResult([CANARY_KEY], async () => ({ said: CANARY_KEY })), { said: '****' });
      await assert.rejects(
        blankedResult([CANARY_KEY], () => Promise.reject(new SwitchboardError('bad_response', `echo ${CANARY_KEY}`))),
        (error: unknown) => {
          assertNoCanary(error);
          assert.ok(error instanceof SwitchboardError && error.code === 'bad_response' && error.message === 'echo ****');
          return true;
        },
      );
    });
  });

  describe('StreamBlanker', () => {
    it('holds back nothing and changes nothing without a secret, or once the text cannot start one', () => {
      assert.equal(new StreamBlanker([]).push('sk-'), 'sk-');
      const key = fresh();
      const blanker = new StreamBlanker([key, key]);
      assert.equal(blanker.push('hello '), 'hello ');
      assert.equal(blanker.end(), '');
    });

    it('blanks a secret of eight characters, and passes a shorter one through', () => {
      const eight = fresh().slice(0, 8);
      const blanker = new StreamBlanker([eight, eight.slice(0, 7)]);
      assert.equal(blanker.push(`a ${eight} b`) + blanker.end(), 'a **** b');
      const short = new StreamBlanker([eight.slice(0, 7)]);
      assert.equal(short.push(`a ${eight.slice(0, 7)}`), `a ${eight.slice(0, 7)}`);
    });

    it('holds back each possible start of the key, also cut inside an escape, until the next piece says what it was', () => {
      const key = fresh();
      const escaped = unicodeEscaped(key, false);
      const blanker = new StreamBlanker([key]);
      // Every cut of the key as it is, and of the key fully escaped (inside an escape too).
      const starts = [...Array.from({ length: key.length - 1 }, (_, i) => key.slice(0, i + 1)), ...Array.from({ length: escaped.length - 1 }, (_, i) => escaped.slice(0, i + 1))];
      for (const start of starts) {
        assert.equal(blanker.push(`text ${start}`), 'text ', start);
        assert.equal(blanker.end(), start, 'the end of the stream gives back what was held');
      }
      for (const [cut, form] of [
        [6, key],
        [13, escaped],
        [40, escaped],
      ] as const) {
        assert.equal(blanker.push(`a ${form.slice(0, cut)}`), 'a ');
        assert.equal(blanker.push(`${form.slice(cut)} b`), '**** b', `${form} cut at ${cut}`);
      }
      assert.equal(blanker.push(`c ${key.slice(0, 6)}`), 'c ');
      assert.equal(blanker.push('not the key'), `${key.slice(0, 6)}not the key`);
      assert.equal(blanker.push('\\x'), '\\x', 'a backslash that cannot start an escape of the key goes on');
    });

    it('holds back the longest possible start among several secrets', () => {
      const [key, other] = [fresh(), fresh()];
      const blanker = new StreamBlanker([key, other]);
      assert.equal(blanker.push(`x ${other.slice(0, 8)}`), 'x ');
      assert.equal(blanker.push(`${other.slice(8)} ${key.slice(0, 2)}`), '**** ');
      assert.equal(blanker.end(), key.slice(0, 2));
    });

    it('gives the same text as blanking the whole wherever a text without a backslash is cut: the plain form, found without the pattern', () => {
      const [key, other] = [fresh(), fresh()];
      const text = `a ${key} b ${other}${key} c ${key.slice(0, 9)} d`;
      assert.ok(!text.includes('\\'));
      const whole = blankSecrets(text, [key, other]);
      assert.equal(whole, `a **** b ******** c ${key.slice(0, 9)} d`);
      for (let cut = 1; cut < text.length; cut++) {
        const blanker = new StreamBlanker([key, other]);
        assert.equal(blanker.push(text.slice(0, cut)) + blanker.push(text.slice(cut)) + blanker.end(), whole, `cut at ${cut}`);
      }
    });

    it('blanks a key written partly as itself and partly escaped, cut where the escaped part starts', () => {
      const key = fresh();
      const mixed = `${key.slice(0, 5)}${unicodeEscaped(key.slice(5), false)}`;
      assert.equal(blankSecrets(`x ${mixed} y`, [key]), 'x **** y');
      const blanker = new StreamBlanker([key]);
      assert.equal(blanker.push(`x ${key.slice(0, 5)}`), 'x ', 'the plain start is held');
      assert.equal(blanker.push(`${mixed.slice(5)} y`) + blanker.end(), '**** y');
    });

    it('gives the same text as blanking the whole, wherever a long escaped key is cut', () => {
      const key = fresh();
      const text = `before ${unicodeEscaped(key, true)} middle ${JSON.stringify(key)} after`;
      const whole = blankSecrets(text, [key]);
      for (let cut = 1; cut < text.length; cut++) {
        const blanker = new StreamBlanker([key]);
        assert.equal(blanker.push(text.slice(0, cut)) + blanker.push(text.slice(cut)) + blanker.end(), whole, `cut at ${cut}`);
      }
    });
  });
});
