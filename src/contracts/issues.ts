// How a validation failure is put into words, written once for the host and the webviews: a
// person sees the same `path: message` whichever side refused the input. Every part is cut to a
// bounded length, so no message, reply or log line grows with the input that caused it.

/** The part of a zod issue that the descriptions read. */
export interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** `text`, cut to `max` characters. */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** `path: message`, or the message alone when the issue is about the value as a whole. */
export function describeIssue(issue: Issue): string {
  const message = cut(issue.message, 200);
  return issue.path.length ? `${issue.path.map((part) => cut(String(part), 40)).join('.')}: ${message}` : message;
}

/** The first `limit` issues as `path: message; path: message`, and how many more there are. */
export function describeIssues(issues: readonly Issue[], limit = 3): string {
  const more = issues.length > limit ? `; and ${issues.length - limit} more` : '';
  return `${issues.slice(0, limit).map(describeIssue).join('; ')}${more}`;
}

/**
 * Where the issues are (`choices.0.message, usage`; `(root)` for the value itself), without
 * their messages: for answers from a provider, whose messages could quote what it sent. At most
 * `limit` distinct places.
 */
export function issuePaths(issues: readonly Issue[], limit = 3): string {
  return [...new Set(issues.map((issue) => issue.path.map((part) => cut(String(part), 40)).join('.') || '(root)'))].slice(0, limit).join(', ');
}
