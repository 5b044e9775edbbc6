// Waiting to write, for the extension host's connection and the usage ledger's writer thread
// alike (no l10n, no logger: the writer bundles this alone).
//
// The write gate: one word of shared memory that the extension host's connection and the usage
// ledger's writer thread (a connection of the same process) take before they begin a write and
// give back after it ends. SQLite serialises their writes by itself; but a write that meets the
// other's lock sleeps in SQLite's busy handler, a millisecond at least, blocking its thread. At
// the gate it waits only as long as the other's write takes (a fraction of that), woken the
// moment it ends. Taking the gate is never needed for correctness: a wait that lasts too long
// goes on without it, and SQLite's lock still holds.

/** Who holds the gate. */
export const GATE_FREE = 0;
export const GATE_HOST = 1;
export const GATE_WRITER = 2;

/** The most one write waits at the gate before it goes on to SQLite's own lock. */
const MAX_GATE_WAIT_MS = 20;

export function newWriteGate(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Takes the gate for `who`; true once taken, false when it was not free within `maxWaitMs`. */
export function enterGate(gate: Int32Array, who: typeof GATE_HOST | typeof GATE_WRITER, maxWaitMs = MAX_GATE_WAIT_MS): boolean {
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    const holder = Atomics.compareExchange(gate, 0, GATE_FREE, who);
    if (holder === GATE_FREE) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(gate, 0, holder, left);
  }
}

/** Gives the gate back and wakes whoever waits at it. */
export function leaveGate(gate: Int32Array): void {
  Atomics.store(gate, 0, GATE_FREE);
  Atomics.notify(gate, 0);
}

/** The pauses between the tries of a write that met another connection's lock: doubling from 2 ms, at most 100 ms. */
export function retryDelayMs(attempt: number): number {
  return Math.min(100, 2 ** (attempt + 1));
}

/** SQLite's "database is locked" (SQLITE_BUSY) at the start of a write: another connection holds the write lock. */
export function isLocked(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return code === 5 || /database is locked|SQLITE_BUSY/i.test(error instanceof Error ? error.message : String(error));
}
