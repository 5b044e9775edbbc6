import * as l10n from '@vscode/l10n';
import type { Routing, RunRecord } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import { LiveRegion } from '../shared/LiveRegion';
import {
  errorTitle,
  formatClockTime,
  formatDuration,
  formatStepOffset,
  formatTokensLong,
  isActiveRun,
  isProminentError,
  routingLines,
  runDuration,
  answeredByLine,
  attemptLines,
} from './format';

/** The outcome of the "Choose default connection" action, shown next to it. */
export interface ChooseDefaultState {
  busy?: boolean;
  message?: { kind: 'success' | 'error'; text: string };
}

interface RunDetailProps {
  id: string;
  run: RunRecord;
  connections: readonly AgentsConnection[];
  /** Who asked for the run, as a person reads it. */
  requesterName: string;
  now: number;
  chooseDefault: ChooseDefaultState;
  /** Offers "Choose default connection" on a run that had none; a view without it offers nothing. */
  onChooseDefault?(): void;
}

function Routing({ run, connections }: Pick<RunDetailProps, 'run' | 'connections'>) {
  if (!run.routing) {
    return (
      <p class="run-detail-note" data-testid="run-detail-no-routing">
        {isActiveRun(run.status) ? l10n.t('The connection and model are chosen when the run starts.') : l10n.t('The run ended before a connection was chosen.')}
      </p>
    );
  }
  const lines = routingLines(run.routing, connections);
  const answeredBy = answeredByLine(run.routing, connections);
  return (
    <ul class="run-routing" aria-label={l10n.t('Routing')}>
      <li data-testid="run-detail-connection" data-source={run.routing.sources.connectionId}>
        <vscode-icon name="plug" class="detail-icon" />
        <span>{lines.connection}</span>
      </li>
      <li data-testid="run-detail-provider" data-provider-id={run.routing.providerId}>
        <vscode-icon name="server" class="detail-icon" />
        <span>{lines.provider}</span>
      </li>
      <li data-testid="run-detail-model" data-source={run.routing.sources.modelRef}>
        <vscode-icon name="symbol-class" class="detail-icon" />
        <span>{lines.model}</span>
      </li>
      {answeredBy && (
        <li data-testid="run-detail-answered-by">
          <vscode-icon name="debug-step-over" class="detail-icon" />
          <span>{answeredBy}</span>
        </li>
      )}
    </ul>
  );
}

/** Every try of a run's (or a chat request's) calls, when there was more than the one that answered: retries, fallbacks, skipped targets. */
export function Attempts({ routing, connections }: { routing: Pick<Routing, 'attempts'> | undefined; connections: readonly AgentsConnection[] }) {
  const lines = routing ? attemptLines(routing, connections) : [];
  if (lines.length === 0) return null;
  return (
    <>
      <h4 class="run-detail-heading">{l10n.t('Attempts')}</h4>
      <ol class="run-trace run-attempts" data-testid="run-detail-attempts" aria-label={l10n.t('Attempts')}>
        {lines.map((line, index) => (
          <li key={index} class={`trace-step attempt-${line.kind}`} data-testid="run-attempt" data-kind={line.kind}>
            <span class="trace-step-name">
              <vscode-icon name={line.kind === 'ok' ? 'pass' : line.kind === 'skipped' ? 'debug-step-over' : 'error'} class="detail-icon" />
              {line.target}
            </span>
            <span class="trace-step-timing">{line.timing}</span>
            <span class="trace-step-detail">{line.outcome}</span>
          </li>
        ))}
      </ol>
    </>
  );
}

function RunError({ run, chooseDefault, onChooseDefault }: Pick<RunDetailProps, 'run' | 'chooseDefault' | 'onChooseDefault'>) {
  const error = run.error;
  if (!error) return null;
  const prominent = isProminentError(error.code);
  const cancelled = error.code === 'cancelled';
  return (
    <div
      class={`run-error${prominent ? ' prominent' : ''}${cancelled ? ' cancelled' : ''}`}
      data-testid="run-detail-error"
      data-code={error.code}
      role={cancelled ? 'status' : 'alert'}
    >
      <div class="run-error-title">
        <vscode-icon name={cancelled ? 'circle-slash' : 'error'} class="message-icon" />
        <strong>{errorTitle(error.code)}</strong>
      </div>
      <p class="run-error-message" data-testid="run-detail-error-message">
        {error.message}
      </p>
      {error.code === 'missing_connection' && onChooseDefault && (
        <div class="run-error-actions">
          <vscode-button data-testid="choose-default-button" icon={chooseDefault.busy ? 'loading' : 'plug'} iconSpin={chooseDefault.busy} disabled={chooseDefault.busy} onClick={() => !chooseDefault.busy && onChooseDefault()}>
            {l10n.t('Choose default connection')}
          </vscode-button>
          {chooseDefault.message && (
            <span class={`choose-default-message ${chooseDefault.message.kind}`} data-testid="choose-default-message" role={chooseDefault.message.kind === 'error' ? 'alert' : 'status'}>
              {chooseDefault.message.text}
            </span>
          )}
        </div>
      )}
    </div>
  );
}

/** Where the run and its output stand, for a screen reader: the output itself is too long to read out as it grows. */
function outputState(run: RunRecord): string {
  const partial = Boolean(run.outputPartial);
  switch (run.status) {
    case 'succeeded':
      return partial ? l10n.t('Run succeeded; the output shown is partial.') : l10n.t('Run succeeded.');
    case 'failed':
      return partial ? l10n.t('Run failed; the output shown is partial.') : l10n.t('Run failed.');
    case 'cancelled':
      return partial ? l10n.t('Run cancelled; the output shown is partial.') : l10n.t('Run cancelled.');
    default:
      return run.output === undefined ? l10n.t('Waiting for the model to answer.') : l10n.t('The answer is coming in.');
  }
}

/** Everything about one run: where it went and why, what it did, and what came out. */
export function RunDetail({ id, run, connections, requesterName, now, chooseDefault, onChooseDefault }: RunDetailProps) {
  const duration = formatDuration(runDuration(run, now));
  const tokens = formatTokensLong(run.usage);
  // A failed or cancelled run without output says why in its error; "no output" would only repeat it.
  const showOutput = run.output !== undefined || (run.status !== 'failed' && run.status !== 'cancelled');
  return (
    <section id={id} class="run-detail" data-testid="run-detail" data-run-id={run.id} aria-label={l10n.t('Run of {0}', run.agentName)}>
      <RunError run={run} chooseDefault={chooseDefault} onChooseDefault={onChooseDefault} />
      <LiveRegion testId="run-detail-output-state" text={outputState(run)} />

      <h4 class="run-detail-heading">{l10n.t('Routing')}</h4>
      <Routing run={run} connections={connections} />
      <Attempts routing={run.routing} connections={connections} />

      <dl class="run-facts">
        <dt>{l10n.t('Started')}</dt>
        <dd data-testid="run-detail-started" title={run.createdAt}>
          {formatClockTime(run.createdAt)}
        </dd>
        {duration && (
          <>
            <dt>{isActiveRun(run.status) ? l10n.t('Elapsed') : l10n.t('Duration')}</dt>
            <dd data-testid="run-detail-duration">{duration}</dd>
          </>
        )}
        {run.firstTokenMs !== undefined && (
          <>
            <dt>{l10n.t('First token')}</dt>
            <dd data-testid="run-detail-first-token">{formatDuration(run.firstTokenMs)}</dd>
          </>
        )}
        {tokens && (
          <>
            <dt>{l10n.t('Tokens')}</dt>
            <dd data-testid="run-detail-tokens">{tokens}</dd>
          </>
        )}
        <dt>{l10n.t('Requested by')}</dt>
        <dd data-testid="run-detail-requester" data-requester-id={run.requesterId}>
          {requesterName}
        </dd>
      </dl>

      {showOutput && (
        <>
          <h4 class="run-detail-heading">{l10n.t('Output')}</h4>
          {run.output !== undefined ? (
            <>
              <pre class="run-text run-output" data-testid="run-detail-output" data-streaming={isActiveRun(run.status) ? 'true' : 'false'} tabIndex={0} aria-label={l10n.t('Output')}>
                {run.output}
              </pre>
              {run.outputPartial && (
                <p class="run-detail-note" data-testid="run-detail-output-partial">
                  {l10n.t('Partial: the run stopped while the answer was still coming in; this is what arrived before.')}
                </p>
              )}
              {run.outputCut && (
                <p class="run-detail-note" data-testid="run-detail-output-cut">
                  {l10n.t('The output was longer than the setting switchboard.runOutputMaxKiB; only its start is stored.')}
                </p>
              )}
            </>
          ) : (
            <p class="run-detail-note" data-testid="run-detail-no-output">
              {isActiveRun(run.status) ? l10n.t('The output appears here as the model answers.') : l10n.t('This run produced no output.')}
            </p>
          )}
        </>
      )}

      {/* The model's reasoning, never part of the output: folded, opened on request. */}
      {run.reasoning && (
        <details class="run-reasoning" data-testid="run-detail-reasoning">
          <summary>{l10n.t('Reasoning ({0} characters)', run.reasoning.length.toLocaleString('en'))}</summary>
          <pre class="run-text" data-testid="run-detail-reasoning-text" tabIndex={0} aria-label={l10n.t('Reasoning')}>
            {run.reasoning}
          </pre>
          {run.reasoningCut && (
            <p class="run-detail-note" data-testid="run-detail-reasoning-cut">
              {l10n.t('The reasoning was longer than the setting switchboard.runOutputMaxKiB; only its start is stored.')}
            </p>
          )}
        </details>
      )}

      <h4 class="run-detail-heading">{l10n.t('Trace')}</h4>
      {run.trace.length === 0 ? (
        <p class="run-detail-note" data-testid="run-detail-trace-empty">
          {isActiveRun(run.status) ? l10n.t('No steps yet.') : l10n.t('No steps were recorded.')}
        </p>
      ) : (
        <ol class="run-trace" data-testid="run-detail-trace" aria-label={l10n.t('Trace')}>
          {run.trace.map((step, index) => (
            <li key={`${index}-${step.name}`} class="trace-step" data-testid="trace-step">
              <span class="trace-step-name">{step.name}</span>
              <span class="trace-step-timing" title={step.startedAt}>
                {[formatStepOffset(step, run.createdAt), formatDuration(step.durationMs)].filter(Boolean).join(' · ')}
              </span>
              {step.detail && <span class="trace-step-detail">{step.detail}</span>}
            </li>
          ))}
        </ol>
      )}

      <h4 class="run-detail-heading">{l10n.t('Input')}</h4>
      <pre class="run-text" data-testid="run-detail-input" tabIndex={0} aria-label={l10n.t('Input')}>
        {run.input}
      </pre>
    </section>
  );
}
