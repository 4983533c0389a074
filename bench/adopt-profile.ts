// Where introspect's and adopt's time goes (npm run bench:adopt -- --profile): a connection that
// runs its queries one after the other and times each from the moment it really starts (pg
// queues the queries given to Promise.all; timing those from the call would count the wait),
// grouped by what the query is. What is left of the wall time is spent in JavaScript.
import { Client } from 'pg';

interface Entry {
  count: number;
  ms: number;
}

export interface QueryProfile {
  /** The client to hand to introspect or adopt. */
  readonly client: Client;
  /** Database time by query, longest first, and the total. */
  report(wallMs: number, top?: number): string[];
  reset(): void;
}

/** A SELECT by its text (first 110 characters, whitespace collapsed); DDL and the rest by their first two words. */
function labelOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (/^(SELECT|WITH)\b/i.test(flat)) return flat.slice(0, 110);
  return flat.split(' ').slice(0, 2).join(' ');
}

export function profiled(client: Client): QueryProfile {
  const entries = new Map<string, Entry>();
  let chain: Promise<unknown> = Promise.resolve();
  const query = (...args: unknown[]): Promise<unknown> => {
    const config = args[0] as string | { text: string };
    const text = typeof config === 'string' ? config : config.text;
    const run = chain.then(async () => {
      const start = process.hrtime.bigint();
      try {
        return await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
      } finally {
        const label = labelOf(text);
        const entry = entries.get(label) ?? { count: 0, ms: 0 };
        entry.count += 1;
        entry.ms += Number(process.hrtime.bigint() - start) / 1e6;
        entries.set(label, entry);
      }
    });
    chain = run.catch(() => undefined);
    return run;
  };
  const proxy = new Proxy(client, { get: (target, key, receiver) => (key === 'query' ? query : Reflect.get(target, key, receiver)) });
  return {
    client: proxy,
    report(wallMs, top = 12) {
      const sorted = [...entries].sort((a, b) => b[1].ms - a[1].ms);
      const database = sorted.reduce((total, [, e]) => total + e.ms, 0);
      return [
        `wall ${wallMs.toFixed(0)} ms = database ${database.toFixed(0)} ms (${sorted.reduce((n, [, e]) => n + e.count, 0)} queries) + JavaScript ${(wallMs - database).toFixed(0)} ms`,
        ...sorted.slice(0, top).map(([label, e]) => `${e.ms.toFixed(0).padStart(6)} ms ${String(e.count).padStart(5)}x  ${label}`),
      ];
    },
    reset: () => entries.clear(),
  };
}
