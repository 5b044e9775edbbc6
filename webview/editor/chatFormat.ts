import * as l10n from '@vscode/l10n';
import type { ChatRecord } from '../../src/contracts/chatRecords';
import type { ChatFilter, EditorSnapshot } from '../../src/contracts/editorView';
import { isOneOf } from '../../src/contracts/vocabulary';
import type { SelectOption } from '../agents/agentModel';
import { connectionName, formatClockTime, formatDuration, formatTokens, modelName, runStatusLabel } from '../agents/format';
import { pageLocale } from '../shared/locale';
import type { PageWords } from '../shared/paging';

/** How many chat requests one page of the Chat tab shows. */
export const CHAT_PAGE_SIZE = 50;

const CHAT_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;

export interface ChatFilterFields {
  connectionId: string;
  modelRef: string;
  status: string;
}

export const EMPTY_CHAT_FILTER: ChatFilterFields = { connectionId: '', modelRef: '', status: '' };

export const CHAT_STATUS_OPTIONS: readonly SelectOption[] = CHAT_STATUSES.map((status) => ({ value: status, label: runStatusLabel(status) }));

/** The filter as the host's contract takes it: blank fields are left out, not sent empty. */
export function chatFilter(fields: ChatFilterFields): ChatFilter {
  const { status } = fields;
  return {
    ...(fields.connectionId ? { connectionId: fields.connectionId } : {}),
    ...(fields.modelRef ? { modelRef: fields.modelRef } : {}),
    ...(isOneOf(CHAT_STATUSES, status) ? { status } : {}),
  };
}

export interface ChatCells {
  started: string;
  requester: string;
  connection: string;
  model: string;
  tokens: string;
  duration: string;
}

/** The cells of a chat request's row, in column order, with names, never ids. */
export function chatCells(record: ChatRecord, connections: EditorSnapshot['connections'], requesterNames: Readonly<Record<string, string>>, locale = pageLocale()): ChatCells {
  return {
    started: `${new Date(Date.parse(record.createdAt)).toLocaleDateString(locale)} ${formatClockTime(record.createdAt, locale)}`,
    requester: requesterNames[record.requesterId] ?? record.requesterId,
    connection: connectionName(connections, record.connectionId),
    model: modelName(connections, record.connectionId, record.modelRef),
    tokens: formatTokens(record.usage),
    duration: formatDuration(record.latencyMs),
  };
}

export const CHAT_PAGE_WORDS: PageWords = { range: (first, last, total) => l10n.t('Chat requests {0}–{1} of {2}', first, last, total), none: l10n.t('No chat requests match.') };
