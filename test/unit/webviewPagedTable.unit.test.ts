import * as assert from 'node:assert/strict';
import type { VNode } from 'preact';
import { PagedTable, type TableColumn } from '../../webview/shared/PagedTable';

type Row = { id: string; name: string; size: number };
const ROWS: Row[] = [
  { id: 'a', name: 'Alpha', size: 1 },
  { id: 'b', name: 'Beta', size: 22 },
];
const COLUMNS: TableColumn<Row>[] = [
  { id: 'name', label: 'Name', cell: (row) => row.name },
  { id: 'size', label: 'Size', numeric: true, cell: (row) => row.size },
];
const WORDS = { range: (first: string, last: string, total: string) => `Things ${first}–${last} of ${total}`, none: 'No things.' };

type Props = Record<string, unknown> & { children?: unknown };

/** Every element of a rendered tree (function components are not expanded: PagedTable draws plain elements). */
function elements(node: unknown): VNode<Props>[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!node || typeof node !== 'object' || !('props' in node)) return [];
  const vnode = node as VNode<Props>;
  return [vnode, ...elements(vnode.props.children)];
}

function text(node: unknown): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(text).join('');
  if (node && typeof node === 'object' && 'props' in node) return text((node as VNode<Props>).props.children);
  return '';
}

function byTestId(tree: unknown, testId: string): VNode<Props>[] {
  return elements(tree).filter((element) => element.props['data-testid'] === testId);
}

function render(overrides: Record<string, unknown> = {}) {
  const calls = { select: [] as (string | undefined)[], offsets: [] as number[], refreshes: 0 };
  const tree = PagedTable<Row>({
    testIdPrefix: 'things',
    label: 'Things',
    tableLabel: 'Things, newest first',
    onRefresh: () => calls.refreshes++,
    filters: 'the filters',
    columns: COLUMNS,
    rows: ROWS,
    rowKey: (row) => row.id,
    rowData: (row) => ({ 'data-thing-id': row.id }),
    paging: { offset: 0, total: 2, pageSize: 50, words: WORDS, onOffset: (offset) => calls.offsets.push(offset) },
    ...overrides,
  });
  return { tree, calls };
}

function keyDown(row: VNode<Props>, key: string, fromChild = false) {
  let prevented = false;
  const target = {};
  (row.props.onKeyDown as (event: unknown) => void)({ key, target, currentTarget: fromChild ? {} : target, preventDefault: () => (prevented = true) });
  return prevented;
}

describe('PagedTable: the table, filters and pager of the Runs, Chat requests and Audit tabs', () => {
  it('draws a heading per column and a row per item, with the cells in column order and the test ids of its prefix', () => {
    const { tree } = render();
    const table = byTestId(tree, 'things-table')[0]!;
    assert.equal(table.props['aria-label'], 'Things, newest first');
    assert.deepEqual(elements(table).filter((e) => e.type === 'th').map((th) => [text(th), th.props.class]), [
      ['Name', undefined],
      ['Size', 'numeric'],
    ]);
    const rows = byTestId(tree, 'things-row');
    assert.deepEqual(rows.map((row) => row.props['data-thing-id']), ['a', 'b']);
    assert.deepEqual(elements(rows[1]).filter((e) => e.type === 'td').map(text), ['Beta', '22']);
    assert.equal(text(byTestId(tree, 'things-page-label')[0]), 'Things 1–2 of 2');
    assert.ok(byTestId(tree, 'things-refresh').length === 1 && byTestId(tree, 'things-table-scroll').length === 1);
  });

  it('makes rows selectable from the keyboard only when the tab opens a detail: Enter or Space selects, again unselects', () => {
    const plain = byTestId(render().tree, 'things-row')[0]!;
    assert.equal(plain.props.tabIndex, undefined, 'a row that opens nothing is not a tab stop');

    const selected: (string | undefined)[] = [];
    const { tree } = render({ selectedKey: 'b', onSelect: (key: string | undefined) => selected.push(key) });
    const [first, second] = byTestId(tree, 'things-row');
    assert.deepEqual([first!.props.tabIndex, first!.props['aria-selected'], second!.props['aria-selected']], [0, false, true]);
    assert.match(String(second!.props.class), /\bselected\b/);
    assert.equal(keyDown(first!, 'Enter'), true);
    assert.equal(keyDown(second!, ' '), true);
    assert.equal(keyDown(first!, 'a'), false, 'other keys are left alone');
    assert.equal(keyDown(first!, 'Enter', true), false, "a button inside the row keeps its own Enter");
    (first!.props.onClick as () => void)();
    assert.deepEqual(selected, ['a', undefined, 'a']);
  });

  it('pages: Loading until the total is in, Previous and Next by a page, each off at its end', () => {
    const loading = render({ rows: undefined, paging: { offset: 0, total: undefined, pageSize: 50, words: WORDS, onOffset: () => undefined } }).tree;
    assert.equal(text(byTestId(loading, 'things-page-label')[0]), 'Loading…');
    assert.equal(byTestId(loading, 'things-next')[0]!.props.disabled, true);

    const { tree, calls } = render({ paging: { offset: 50, total: 120, pageSize: 50, words: WORDS, onOffset: (offset: number) => calls.offsets.push(offset) } });
    const [previous, next] = [byTestId(tree, 'things-previous')[0]!, byTestId(tree, 'things-next')[0]!];
    assert.deepEqual([previous.props.disabled, next.props.disabled], [false, false]);
    (previous.props.onClick as () => void)();
    (next.props.onClick as () => void)();
    assert.deepEqual(calls.offsets, [0, 100]);
    const last = render({ paging: { offset: 0, total: 2, pageSize: 50, words: WORDS, onOffset: () => undefined } }).tree;
    assert.deepEqual([byTestId(last, 'things-previous')[0]!.props.disabled, byTestId(last, 'things-next')[0]!.props.disabled], [true, true]);
    assert.equal(text(byTestId(render({ rows: [], paging: { offset: 0, total: 0, pageSize: 50, words: WORDS, onOffset: () => undefined } }).tree, 'things-page-label')[0]), 'No things.');
  });
});
