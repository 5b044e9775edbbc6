import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * One page of something the host filters and pages, read again whenever `key` changes (the
 * filter, the offset, a visit to the tab). Only the newest request's reply is kept: typing in
 * a filter sends a request per key, and an older reply may arrive after a newer one. A change of
 * `refreshes` (the host said the data changed) reads the page again too, but at most one such
 * read waits behind the one in flight: a burst of changes costs two reads, not one each.
 */
export function usePage<T>(
  load: () => Promise<T>,
  key: string,
  onError: (error: unknown) => void,
  /** The first page, already asked for (see firstPages): the first read waits for it instead. */
  first?: Promise<T>,
  refreshes = 0,
): { page: T | undefined; reload(): void } {
  const [page, setPage] = useState<T | undefined>(undefined);
  const [reloads, setReloads] = useState(0);
  const latest = useRef(0);
  const asked = useRef(first);
  const loading = useRef(false);
  const again = useRef(false);
  // The read uses the newest filter and offset, also when it was queued behind an older one.
  const current = useRef({ load, onError });
  current.current = { load, onError };

  const read = () => {
    const request = ++latest.current;
    const reply = asked.current ?? current.current.load();
    asked.current = undefined;
    loading.current = true;
    reply
      .then(
        (result) => {
          if (request === latest.current) setPage(result);
        },
        (error: unknown) => {
          if (request === latest.current) current.current.onError(error);
        },
      )
      .finally(() => {
        if (request !== latest.current) return;
        loading.current = false;
        if (again.current) {
          again.current = false;
          read();
        }
      });
  };

  useEffect(read, [key, reloads]);
  const seen = useRef(refreshes);
  useEffect(() => {
    if (refreshes === seen.current) return;
    seen.current = refreshes;
    if (loading.current) again.current = true;
    else read();
  }, [refreshes]);
  return { page, reload: () => setReloads((n) => n + 1) };
}

/** The filter fields of a table tab, its offset, and its page (usePage). */
export interface TableQuery<Fields, Page> {
  fields: Fields;
  /** Changes some fields and goes back to the first page. */
  change(patch: Partial<Fields>): void;
  offset: number;
  setOffset(offset: number): void;
  page: Page | undefined;
  reload(): void;
}

/**
 * A table tab's query: its fields, turned into the host's filter by `filterOf`, and the offset.
 * A new filter starts at the first page. `visits` and `refreshes` read the page again (see usePage).
 */
export function useTableQuery<Fields, Filter, Page>(options: {
  empty: Fields;
  filterOf(fields: Fields): Filter;
  load(filter: Filter, offset: number): Promise<Page>;
  onError(error: unknown): void;
  visits: number;
  refreshes?: number;
  first?: Promise<Page>;
}): TableQuery<Fields, Page> {
  const [fields, setFields] = useState<Fields>(options.empty);
  const [offset, setOffset] = useState(0);
  const filter = options.filterOf(fields);
  const { page, reload } = usePage(() => options.load(filter, offset), JSON.stringify([filter, offset, options.visits]), options.onError, options.first, options.refreshes);
  return {
    fields,
    change: (patch) => {
      setFields((current) => ({ ...current, ...patch }));
      setOffset(0);
    },
    offset,
    setOffset,
    page,
    reload,
  };
}
