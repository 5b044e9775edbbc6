import * as l10n from '@vscode/l10n';
import { pageLabel, type PageWords } from '../shared/paging';

interface PagerProps {
  testIdPrefix: string;
  offset: number;
  shown: number;
  total: number | undefined;
  pageSize: number;
  words: PageWords;
  onOffset(offset: number): void;
}

/** Which rows a page shows, with Previous and Next; the label is announced when it changes. */
export function Pager({ testIdPrefix, offset, shown, total, pageSize, words, onOffset }: PagerProps) {
  return (
    <div class="editor-pager">
      <span class="toolbar-summary" data-testid={`${testIdPrefix}-page-label`} role="status" aria-live="polite">
        {total === undefined ? l10n.t('Loading…') : pageLabel(offset, shown, total, words)}
      </span>
      <vscode-button data-testid={`${testIdPrefix}-previous`} secondary disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
        {l10n.t('Previous')}
      </vscode-button>
      <vscode-button data-testid={`${testIdPrefix}-next`} secondary disabled={total === undefined || offset + shown >= total} onClick={() => onOffset(offset + pageSize)}>
        {l10n.t('Next')}
      </vscode-button>
    </div>
  );
}
