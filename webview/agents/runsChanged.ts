import type { AgentsRunsChanged, AgentsSnapshot, ToAgentsView } from '../../src/contracts/agentsView';
import { AGENTS_RUNS_PAGE } from '../../src/contracts/vocabulary';

/**
 * The snapshot with a run's progress applied, as the host sends it instead of a new snapshot:
 * each run the view shows is replaced by its new state, the runs `added` go on top (newest
 * first), those `removed` go, the total counts both, and the page keeps its length. A changed run
 * the view does not show (an older one, past the page) is left out, as the next snapshot would.
 */
export function applyRunsChanged(snapshot: AgentsSnapshot, change: AgentsRunsChanged): AgentsSnapshot {
  const changed = new Map(change.runs.map((run) => [run.id, run]));
  const shown = new Set(snapshot.runs.map((run) => run.id));
  const added = change.added.flatMap((id) => (shown.has(id) ? [] : (changed.get(id) ?? []))).reverse();
  const removed = new Set(change.removed);
  const kept = snapshot.runs.flatMap((run) => (removed.has(run.id) ? [] : [changed.get(run.id) ?? run]));
  return {
    ...snapshot,
    runs: [...added, ...kept].slice(0, AGENTS_RUNS_PAGE),
    runsTotal: Math.max(0, (snapshot.runsTotal ?? snapshot.runs.length) + added.length - removed.size),
    requesterNames: { ...snapshot.requesterNames, ...change.requesterNames },
  };
}

/** What the Agents view shows after a message the host pushed: a snapshot, or a run's changes applied to the last. */
export function agentsViewState(current: AgentsSnapshot | undefined, message: Exclude<ToAgentsView, { type: 'reply' }>): AgentsSnapshot | undefined {
  return message.type === 'snapshot' ? message : current && applyRunsChanged(current, message);
}
