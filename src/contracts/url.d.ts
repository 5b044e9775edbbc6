// The part of the WHATWG URL class that contracts use. Every place contracts run has it (the
// extension host, the worker, the webviews), but it is declared by the DOM and Node type
// packages, and this layer takes neither: with them would come `document`, `process` and the
// rest, which contracts must not touch.
declare class URL {
  constructor(url: string, base?: string);
  /** The URL, or null when `url` does not parse (Node 22, Chromium 126). */
  static parse(url: string, base?: string): URL | null;
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly hostname: string;
  readonly origin: string;
  readonly searchParams: { keys(): IterableIterator<string> };
}
