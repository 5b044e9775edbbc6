import type { ComponentChildren } from 'preact';

/** One tab of a view. Views list their tabs; adding one (e.g. Models) is adding an entry. */
export interface TabDefinition {
  id: string;
  label: string;
  content: ComponentChildren;
}

interface TabsProps {
  tabs: readonly TabDefinition[];
  selectedId: string;
  onSelect(id: string): void;
}

/**
 * vscode-tabs with one header and one panel per tab. Every panel stays mounted, so a tab
 * keeps its state (an open form, a running test) while another one is shown.
 */
export function Tabs({ tabs, selectedId, onSelect }: TabsProps) {
  const selectedIndex = Math.max(
    0,
    tabs.findIndex((tab) => tab.id === selectedId),
  );
  return (
    <vscode-tabs
      class="view-tabs"
      selectedIndex={selectedIndex}
      onvsc-tabs-select={(event) => {
        const tab = tabs[event.detail.selectedIndex];
        if (tab) onSelect(tab.id);
      }}
    >
      {tabs.map((tab) => (
        <vscode-tab-header key={`header-${tab.id}`} slot="header" data-testid={`tab-${tab.id}`}>
          {tab.label}
        </vscode-tab-header>
      ))}
      {tabs.map((tab) => (
        <vscode-tab-panel key={`panel-${tab.id}`} data-testid={`tab-panel-${tab.id}`}>
          {tab.content}
        </vscode-tab-panel>
      ))}
    </vscode-tabs>
  );
}
