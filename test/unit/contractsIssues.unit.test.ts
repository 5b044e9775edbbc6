import * as assert from 'node:assert/strict';
import { z } from 'zod';
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

  it('joins zod issues with "; ", up to a limit', () => {
    const issues = issuesOf({ name: '', models: [{ id: 1 }, { id: 2 }] });
    assert.equal(issues.length, 3);
    assert.equal(describeIssues(issues, 2), 'name: a name is required; models.0.id: Invalid input: expected string, received number');
    assert.equal(describeIssues(issues).split('; ').length, 3);
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
