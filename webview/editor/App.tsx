import * as l10n from '@vscode/l10n';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { EditorChanged, EditorTab } from '../../src/contracts/editorView';
import { useViewClient } from '../shared/hooks';
import { Tabs, type TabDefinition } from '../shared/Tabs';
import { AuditTab } from './AuditTab';
import { ChatTab } from './ChatTab';
import { ModelsTab } from './ModelsTab';
import { RunsTab } from './RunsTab';
import { UsageTab } from './UsageTab';
import { createEditorClient, type EditorSnapshot } from './client';
import { askFirstPages } from './firstPages';
import { requestedOnPage } from '../../src/contracts/webviewPage';
import { useEditorApi } from './context';

type Counts = Record<EditorTab, number>;
const ZERO: Counts = { models: 0, runs: 0, chat: 0, usage: 0, audit: 0 };
const BEFORE_SNAPSHOT: EditorSnapshot = { type: 'snapshot', connections: [], agents: [] };

/** The tab that shows what a `changed` notice names: the budgets are in the Usage tab. */
const TAB_OF: Record<EditorChanged['what'], EditorTab> = { models: 'models', audit: 'audit', chat: 'chat', usage: 'usage', budgets: 'usage' };

/**
 * The Switchboard editor: the parts that need room, in tabs. The open tab survives a reload
 * (webview state); a command that asks for a tab ("Show Audit Log") switches to it once.
 */
export function App() {
  const api = useEditorApi();
  // Each snapshot replaces the last; notices are heard below.
  const { client, snapshot } = useViewClient(api, createEditorClient, 'Switchboard editor');
  const [tab, setTab] = useState<EditorTab>(() => {
    const state = api.getState();
    if (state?.tab) return state.tab;
    // A new page a command opened on a tab: shown from the start, and its request noted as
    // followed, so the snapshot's `show` does not switch to it a second time.
    const asked = requestedOnPage(document.body.dataset);
    if (!asked) return 'models';
    api.setState({ ...state, tab: asked.tab, shownRequest: asked.request });
    return asked.tab;
  });
  // Per tab: a tab reads its page afresh when it is shown, not when another one is.
  const [visits, setVisits] = useState<Counts>(ZERO);
  // Per tab: the host said what it pages changed while it was shown (a hidden tab reads afresh when shown anyway).
  const [changes, setChanges] = useState<Counts>(ZERO);
  const [budgetChanges, setBudgetChanges] = useState(0);
  // A tab is drawn, and asks the host for anything, only once it is first shown: the editor opens
  // on one tab, and drawing the others (the Runs and Chat model filters list every registered
  // model) would hold its first rows up. Once drawn, a tab stays, with its filters.
  const drawn = useRef(new Set<EditorTab>());
  drawn.current.add(tab);
  const shown = useRef(tab);
  shown.current = tab;
  const showTab = (next: EditorTab) => {
    setTab(next);
    setVisits((counts) => ({ ...counts, [next]: counts[next] + 1 }));
  };
  // Asked as the editor is first drawn; the client sends them after its `ready`, so the snapshot comes first.
  const firstPages = useMemo(() => askFirstPages(client, tab), [client]);
  useEffect(
    () =>
      client.onPush((message) => {
        if (message.type !== 'changed') return;
        const { what } = message as EditorChanged;
        if (shown.current !== TAB_OF[what]) return;
        if (what === 'budgets') setBudgetChanges((n) => n + 1);
        else setChanges((counts) => ({ ...counts, [what]: counts[what] + 1 }));
      }),
    [client],
  );

  useEffect(() => {
    const show = snapshot?.show;
    if (!show || show.request === api.getState()?.shownRequest) return;
    api.setState({ ...api.getState(), tab: show.tab, shownRequest: show.request });
    showTab(show.tab);
  }, [snapshot?.show?.request]);

  const select = (id: string) => {
    const next = id as EditorTab;
    api.setState({ ...api.getState(), tab: next });
    showTab(next);
  };

  // The tabs are drawn before the host's snapshot is in, while it is on its way: it names the
  // connections and agents, and comes before any page whose rows need those names.
  const current = snapshot ?? BEFORE_SNAPSHOT;
  const has = (id: EditorTab) => drawn.current.has(id);
  const tabs: TabDefinition[] = [
    { id: 'models', label: l10n.t('Models'), content: has('models') && <ModelsTab client={client} snapshot={current} visits={visits.models} changes={changes.models} firstPage={firstPages.models} /> },
    { id: 'runs', label: l10n.t('Runs'), content: has('runs') && <RunsTab client={client} snapshot={current} visits={visits.runs} firstPage={firstPages.runs} /> },
    { id: 'chat', label: l10n.t('Chat requests'), content: has('chat') && <ChatTab client={client} snapshot={current} visits={visits.chat} changes={changes.chat} /> },
    { id: 'usage', label: l10n.t('Usage'), content: has('usage') && <UsageTab client={client} snapshot={current} visits={visits.usage} changes={changes.usage} budgetChanges={budgetChanges} /> },
    {
      id: 'audit',
      label: l10n.t('Audit'),
      content: has('audit') && <AuditTab client={client} snapshot={current} visits={visits.audit} changes={changes.audit} firstPage={firstPages.audit} firstVerification={firstPages.verification} />,
    },
  ];
  return (
    <main class="editor">
      <Tabs tabs={tabs} selectedId={tab} onSelect={select} />
    </main>
  );
}
