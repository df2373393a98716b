import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * Counts the SQL statements sent on behalf of one piece of work (a card click), on both drivers:
 * every statement issued from inside `countQueries(fn)`'s async context, BEGIN and COMMIT included;
 * the queue's own polling and the follow-up jobs run in other contexts and are not counted.
 */
const current = new AsyncLocalStorage<string[]>();
let installed = false;

const textOf = (q: unknown): string =>
  (typeof q === 'string' ? q : ((q as { text?: string } | null)?.text ?? String(q))).replace(/\s+/g, ' ').trim();

type Fn = (...args: unknown[]) => unknown;

function install(): void {
  if (installed) return;
  installed = true;
  // PostgreSQL: the pool's query and a checked-out client's both end in Client#query.
  const clientQuery = pg.Client.prototype.query as Fn;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    current.getStore()?.push(textOf(args[0]));
    return clientQuery.apply(this, args);
  } as typeof pg.Client.prototype.query;
  // PGlite: query/exec on the instance, and the transaction object's own query/exec.
  const proto = PGlite.prototype as unknown as Record<string, Fn>;
  for (const name of ['query', 'exec']) {
    const original = proto[name]!;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      current.getStore()?.push(textOf(args[0]));
      return original.apply(this, args);
    };
  }
  const transaction = proto.transaction!;
  proto.transaction = function (this: unknown, fn: unknown) {
    const log = current.getStore();
    return transaction.call(this, async (tx: Record<string, Fn>) => {
      log?.push('BEGIN');
      const wrapped = { ...tx };
      for (const name of ['query', 'exec']) {
        wrapped[name] = (...args: unknown[]) => {
          log?.push(textOf(args[0]));
          return tx[name]!(...args);
        };
      }
      const result = await (fn as (t: unknown) => Promise<unknown>)(wrapped);
      log?.push('COMMIT');
      return result;
    });
  };
}

/** Runs `fn` and answers the statements it sent. */
export async function countQueries<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  install();
  const statements: string[] = [];
  const result = await current.run(statements, fn);
  return { result, statements };
}
