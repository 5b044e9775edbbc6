import { pageLabel } from '../shared/paging';

interface PagerProps {
  testIdPrefix: string;
  offset: number;
  shown: number;
  total: number | undefined;
  pageSize: number;
  words: { noun: string; none: string };
  onOffset(offset: number): void;
}

/** Which rows a page shows, with Previous and Next; the label is announced when it changes. */
export function Pager({ testIdPrefix, offset, shown, total, pageSize, words, onOffset }: PagerProps) {
  return (
    <div class="editor-pager">
      <span class="toolbar-summary" data-testid={`${testIdPrefix}-page-label`} role="status" aria-live="polite">
        {total === undefined ? 'Loading…' : pageLabel(offset, shown, total, words)}
      </span>
      <vscode-button data-testid={`${testIdPrefix}-previous`} secondary disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
        Previous
      </vscode-button>
      <vscode-button data-testid={`${testIdPrefix}-next`} secondary disabled={total === undefined || offset + shown >= total} onClick={() => onOffset(offset + pageSize)}>
        Next
      </vscode-button>
    </div>
  );
}
