import * as assert from 'node:assert/strict';
import * as z from 'zod';
import { describeIssue, describeIssues, issuePaths } from '../../src/contracts/issues';

describe('validation issues in words (src/contracts/issues.ts)', () => {
  const Schema = z.object({ name: z.string().min(1, 'a name is required'), models: z.array(z.object({ id: z.string() })) });
  const issuesOf = (value: unknown) => {
    const parsed = Schema.safeParse(value);
    assert.equal(parsed.success, false);
    return parsed.error!.issues;
  };

  it('says where and what: `path: message`, the message alone for the value itself', () => {
    assert.equal(describeIssue({ path: ['models', 0, 'id'], message: 'expected a string' }), 'models.0.id: expected a string');
    assert.equal(describeIssue({ path: [], message: 'expected an object' }), 'expected an object');
  });

  it('joins zod issues with "; ", up to a limit, saying how many more there are', () => {
    const issues = issuesOf({ name: '', models: [{ id: 1 }, { id: 2 }] });
    assert.equal(issues.length, 3);
    assert.equal(describeIssues(issues, 2), 'name: a name is required; models.0.id: Invalid input: expected string, received number; and 1 more');
    assert.equal(describeIssues(issues).split('; ').length, 3);
  });

  it('cuts every part, so a description never grows with the input', () => {
    const longName = 'x'.repeat(10_000);
    const text = describeIssues(Array.from({ length: 1_000 }, () => ({ path: [longName, longName], message: `Unrecognized key: "${longName}"` })));
    assert.ok(text.length < 1_000, `${text.length} characters`);
    assert.match(text, /; and 997 more$/);
  });

  it('names only the places for answers from outside, each once, without the messages', () => {
    const secret = 'sk-should-not-be-quoted';
    const issues = [
      { path: ['choices', 0], message: `bad value ${secret}` },
      { path: ['choices', 0], message: 'again' },
      { path: [], message: 'root' },
      { path: ['usage'], message: 'missing' },
      { path: ['model'], message: 'missing' },
    ];
    assert.equal(issuePaths(issues), 'choices.0, (root), usage');
    assert.equal(issuePaths(issues, 4), 'choices.0, (root), usage, model');
  });
});
