// How a validation failure is put into words, written once for the host and the webviews: a
// person sees the same `path: message` whichever side refused the input.

/** The part of a zod issue that the descriptions read. */
export interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** `path: message`, or the message alone when the issue is about the value as a whole. */
export function describeIssue(issue: Issue): string {
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
}

/** The first `limit` issues as `path: message; path: message`. */
export function describeIssues(issues: readonly Issue[], limit = Infinity): string {
  return issues.slice(0, limit).map(describeIssue).join('; ');
}

/**
 * Where the issues are (`choices.0.message, usage`; `(root)` for the value itself), without
 * their messages: for answers from a provider, whose messages could quote what it sent. At most
 * `limit` distinct places.
 */
export function issuePaths(issues: readonly Issue[], limit = 3): string {
  return [...new Set(issues.map((issue) => issue.path.map(String).join('.') || '(root)'))].slice(0, limit).join(', ');
}
