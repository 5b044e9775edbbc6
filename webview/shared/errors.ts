/** What to show for a failed request: the host's message (RpcError), or the error as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
