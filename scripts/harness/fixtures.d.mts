// The types of fixtures.mjs for the TypeScript benches that start a fixture (bench/figures.ts).

/** A fixture server running in a process of its own. */
export interface StartedFixture {
  kind: string;
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export const FIXTURE_ENV: Readonly<Record<string, string>>;

export function startFixture(kind: string, options?: { timeoutMs?: number }): Promise<StartedFixture>;

export function startFixtures(kinds?: string[]): Promise<{ env: Record<string, string>; fixtures: StartedFixture[]; stop(): Promise<void[]> }>;
