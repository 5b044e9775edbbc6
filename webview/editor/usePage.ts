import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * One page of something the host filters and pages, read again whenever `key` changes (the
 * filter, the offset, a visit to the tab). Only the newest request's reply is kept: typing in
 * a filter sends a request per key, and an older reply may arrive after a newer one.
 */
export function usePage<T>(
  load: () => Promise<T>,
  key: string,
  onError: (error: unknown) => void,
  /** The first page, already asked for (see firstPages): the first read waits for it instead. */
  first?: Promise<T>,
): { page: T | undefined; reload(): void } {
  const [page, setPage] = useState<T | undefined>(undefined);
  const [reloads, setReloads] = useState(0);
  const latest = useRef(0);
  const asked = useRef(first);
  useEffect(() => {
    const request = ++latest.current;
    const reply = asked.current ?? load();
    asked.current = undefined;
    reply.then(
      (result) => {
        if (request === latest.current) setPage(result);
      },
      (error: unknown) => {
        if (request === latest.current) onError(error);
      },
    );
  }, [key, reloads]);
  return { page, reload: () => setReloads((n) => n + 1) };
}
