// The unit tests run this file in Node through tsx, which reads no webview tsconfig: the pragmas
// give it the JSX settings that esbuild's webview build and webview/tsconfig.json already use.
/** @jsxRuntime automatic */
/** @jsxImportSource preact */
import * as l10n from '@vscode/l10n';
import type { ComponentChildren } from 'preact';
import { MessageLine, type RowMessage } from './messages';
import { pageLabel, type PageWords } from './paging';

/** One column of a PagedTable: its heading and what each row shows in it. */
export interface TableColumn<T> {
  id: string;
  label: string;
  /** Right-aligned, in tabular figures. */
  numeric?: boolean;
  cell(row: T): ComponentChildren;
}

/** Where the page stands, and how to move it. */
export interface Paging {
  offset: number;
  /** Undefined until the first page is in. */
  total: number | undefined;
  pageSize: number;
  words: PageWords;
  onOffset(offset: number): void;
}

interface PagedTableProps<T> {
  /**
   * Prefixes the test ids: `<prefix>-table`, `<prefix>-row`, `<prefix>-refresh`,
   * `<prefix>-message`, `<prefix>-page-label`, `<prefix>-previous`, `<prefix>-next`.
   */
  testIdPrefix: string;
  /** The tab's accessible name, and the table's ("Runs, newest first"). */
  label: string;
  tableLabel: string;
  /** What the toolbar says on its left (a verification, a count). */
  status?: ComponentChildren;
  /** Buttons before Refresh. */
  actions?: ComponentChildren;
  onRefresh(): void;
  message?: RowMessage;
  /** The filter fields. */
  filters: ComponentChildren;
  columns: readonly TableColumn<T>[];
  /** Undefined until the first page is in. */
  rows: readonly T[] | undefined;
  rowKey(row: T): string;
  /** `data-*` attributes of a row, e.g. `{ 'data-run-id': id }`. */
  rowData?(row: T): Record<string, string>;
  /** With these, a row is selected with a click, Enter or Space, and again to unselect (a detail opens under the table). */
  selectedKey?: string;
  onSelect?(key: string | undefined): void;
  paging: Paging;
  /** Under the pager: the selected row's detail. */
  children?: ComponentChildren;
}

/**
 * A tab of the Switchboard editor that shows something the host pages (runs, chat requests,
 * the audit log): a toolbar with Refresh, the filters, one page of a table whose header stays
 * in view while it scrolls, and Previous and Next. Long values wrap inside their cell, so every
 * column fits the editor's width.
 */
export function PagedTable<T>(props: PagedTableProps<T>) {
  const { testIdPrefix: prefix, columns, rows, selectedKey, onSelect, paging } = props;
  const shown = rows?.length ?? 0;
  const toggle = (key: string) => onSelect?.(key === selectedKey ? undefined : key);
  return (
    <section class={`editor-tab ${prefix}-tab`} aria-label={props.label}>
      <div class="editor-toolbar">
        {props.status}
        <span class="toolbar-spacer" />
        {props.actions}
        <vscode-button data-testid={`${prefix}-refresh`} secondary icon="refresh" onClick={props.onRefresh}>
          {l10n.t('Refresh')}
        </vscode-button>
      </div>
      <div class="editor-filters">{props.filters}</div>
      <div class="editor-table-scroll" data-testid={`${prefix}-table-scroll`}>
        <table class="editor-table" data-testid={`${prefix}-table`} aria-label={props.tableLabel}>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.id} scope="col" class={column.numeric ? 'numeric' : undefined}>
                  {column.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows?.map((row) => {
              const key = props.rowKey(row);
              const selected = key === selectedKey;
              const selection = onSelect && {
                class: `selectable${selected ? ' selected' : ''}`,
                tabIndex: 0,
                'aria-selected': selected,
                onClick: () => toggle(key),
                onKeyDown: (event: KeyboardEvent) => {
                  // Only on the row itself: a button in a cell handles its own keys.
                  if (event.target !== event.currentTarget || (event.key !== 'Enter' && event.key !== ' ')) return;
                  event.preventDefault();
                  toggle(key);
                },
              };
              return (
                <tr key={key} data-testid={`${prefix}-row`} {...props.rowData?.(row)} {...selection}>
                  {columns.map((column) => (
                    <td key={column.id} class={column.numeric ? 'numeric' : undefined}>
                      {column.cell(row)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div class="editor-pager">
        <span class="toolbar-summary" data-testid={`${prefix}-page-label`} role="status" aria-live="polite">
          {paging.total === undefined ? l10n.t('Loading…') : pageLabel(paging.offset, shown, paging.total, paging.words)}
        </span>
        <vscode-button data-testid={`${prefix}-previous`} secondary disabled={paging.offset === 0} onClick={() => paging.onOffset(Math.max(0, paging.offset - paging.pageSize))}>
          {l10n.t('Previous')}
        </vscode-button>
        <vscode-button data-testid={`${prefix}-next`} secondary disabled={paging.total === undefined || paging.offset + shown >= paging.total} onClick={() => paging.onOffset(paging.offset + paging.pageSize)}>
          {l10n.t('Next')}
        </vscode-button>
      </div>
      {props.message && <MessageLine testId={`${prefix}-message`} message={props.message} />}
      {props.children}
    </section>
  );
}
