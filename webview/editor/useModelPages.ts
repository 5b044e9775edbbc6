import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import type { editorResults } from '../../src/contracts/editorView';
import type { RegisteredModel } from '../../src/contracts/models';

export type ModelsPage = z.output<(typeof editorResults)['modelsPage']>;

/** Models per page asked of the host: a few screens of rows. */
export const MODELS_PAGE_SIZE = 100;

/** The pages of one query that have arrived, with its counts. */
export interface Loaded {
  /** The filter and sort (and visit) the pages are of. */
  query: string;
  /** `query` and the host's changes heard: pages of an older read are kept only until theirs arrive. */
  read: string;
  total: number;
  registered: number;
  pages: ReadonlyMap<number, readonly RegisteredModel[]>;
}

export interface ModelPagesState {
  /** How many models the filter matches and how many are registered; undefined until the first page. */
  counts: { total: number; registered: number } | undefined;
  /** The model at this row, once its page has arrived. */
  at(index: number): RegisteredModel | undefined;
  /** The rows drawn: their pages are asked for (each once per read). */
  onRange(start: number, end: number): void;
  /** Every model of the pages that have arrived. */
  loaded(): Iterable<RegisteredModel>;
}

/**
 * The Models tab's rows, a page at a time from the host, as the list scrolls to them. A new
 * `query` (filter, sort) starts afresh; while its first page is on its way, the old rows stay.
 * A change of `refreshes` (the host said the models changed) reads the drawn pages again and
 * keeps the old ones until theirs arrive, so an Enable does not blank the table for a moment.
 * Replies of an older read are dropped: typing in the filter sends a request per key.
 */
export function useModelPages(load: (offset: number) => Promise<ModelsPage>, query: string, onError: (error: unknown) => void, first: Promise<ModelsPage> | undefined, refreshes: number): ModelPagesState {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const read = `${query}\n${refreshes}`;
  const current = useRef({ read, query, load, onError });
  current.current = { read, query, load, onError };
  const firstPage = useRef(first);
  const asked = useRef(new Set<string>());
  const range = useRef({ start: 0, end: 1 });

  const ask = useCallback((page: number) => {
    const { read, query, load } = current.current;
    const id = `${read}\n${page}`;
    if (asked.current.has(id)) return;
    asked.current.add(id);
    const reply = page === 0 && firstPage.current ? firstPage.current : load(page * MODELS_PAGE_SIZE);
    firstPage.current = undefined;
    reply.then(
      (result) => {
        if (current.current.read !== read) return;
        setLoaded((previous) => withPage(previous, { query, read, page, reply: result, askedAgain: (number) => asked.current.has(`${read}\n${number}`) }));
      },
      (error: unknown) => {
        asked.current.delete(id);
        if (current.current.read === read) current.current.onError(error);
      },
    );
  }, []);

  const askRange = useCallback(() => {
    for (const page of pagesOfRows(range.current.start, range.current.end)) ask(page);
  }, [ask]);

  useEffect(() => {
    asked.current = new Set([...asked.current].filter((id) => id.startsWith(`${read}\n`)));
    askRange();
  }, [read, askRange]);

  const onRange = useCallback(
    (start: number, end: number) => {
      range.current = { start, end };
      askRange();
    },
    [askRange],
  );

  return {
    counts: loaded && { total: loaded.total, registered: loaded.registered },
    at: (index) => loaded?.pages.get(Math.floor(index / MODELS_PAGE_SIZE))?.[index % MODELS_PAGE_SIZE],
    onRange,
    loaded: () => [...(loaded?.pages.values() ?? [])].flat(),
  };
}

/** The pages that hold rows `start` to `end` (one past the last). */
export function pagesOfRows(start: number, end: number): number[] {
  const pages: number[] = [];
  for (let page = Math.floor(start / MODELS_PAGE_SIZE); page <= Math.floor(Math.max(start, end - 1) / MODELS_PAGE_SIZE); page++) pages.push(page);
  return pages;
}

/**
 * The pages once a page of `read` arrived: added to that read's; a new read of the same query
 * starts from the old pages it asks again (each replaced as its own arrives), a new query from none.
 */
export function withPage(previous: Loaded | undefined, arrived: { query: string; read: string; page: number; reply: ModelsPage; askedAgain(page: number): boolean }): Loaded {
  const { query, read, page, reply } = arrived;
  const kept = previous?.read === read ? [...previous.pages] : previous?.query === query ? [...previous.pages].filter(([number]) => arrived.askedAgain(number)) : [];
  const pages = new Map(kept);
  pages.set(page, reply.models);
  return { query, read, total: reply.total, registered: reply.registered, pages };
}
