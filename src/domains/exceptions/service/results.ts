import type { Logger } from '../../../core/logger.js';
import type { Database, Tx } from '../../../db/client.js';
import { caseResult, type CaseResult } from '../logic/results.js';
import { reportRepo } from '../report-repository.js';
import { repo, type CaseRow, type HistoryRow } from '../repository.js';
import type { Rules } from '../rules.js';
import { clockOf } from './case-clock.js';
import { slices } from '../../../core/slices.js';

/** A case's stored results at `at`, from its own history. */
export function resultOf(c: CaseRow, history: readonly HistoryRow[], rules: Rules, at: Date): CaseResult {
  const own = history.filter((h) => h.caseId === c.id);
  return caseResult(
    c,
    own.map((h) => ({ state: h.state, at: h.at })),
    clockOf(c, own, rules, at),
    rules.calendar,
    at,
  );
}

/**
 * Rewrites the case's results and its rollup share, in the transaction that changed it; answers the
 * case's history, read here unless the caller passes it (whole, as of `c`'s version).
 */
export async function refreshResult(
  tx: Tx,
  c: CaseRow,
  rules: Rules,
  now: Date,
  known?: readonly HistoryRow[],
): Promise<readonly HistoryRow[]> {
  const history = known ?? (await repo.history(tx.db, [c.id]));
  await reportRepo.storeResult(tx.db, resultOf(c, history, rules, now));
  return history;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Per database: every case with an id up to this had results at the end of an earlier pass. The
 * workflow stores a case's results in the transaction that opens it, so only cases written around
 * it (an import, the bench's generator) can lack them, and those get new, higher ids.
 */
const checkedThrough = new WeakMap<Database, number>();
/**
 * The newest ids are checked again on every pass anyway: a case written around the workflow may
 * commit after one with a higher id was seen.
 */
const RECHECK_IDS = 1_000;

/**
 * Stores results for cases that have none (history from before the results table, or written
 * around the workflow), `batch` cases per transaction, yielding between batches so the event
 * loop stays free. Returns how many were stored. The first pass in a process checks every case;
 * later ones (the sweep's) start near the highest id the last pass saw, so a sweep no longer
 * anti-joins every case with its results (about 200 ms at 50,000 cases on the bench machine).
 */
export async function backfillResults(
  x: { database: Database; log: Logger },
  rules: Rules,
  now: Date,
  batch = 500,
): Promise<number> {
  const top = await repo.maxCaseId(x.database.db);
  let stored = 0;
  let after = checkedThrough.get(x.database) ?? 0;
  for (;;) {
    const n = await x.database.transaction(async (tx) => {
      // Locked like a change would lock them: a change running now finishes first, or waits.
      const cases = await repo.casesWithoutResults(tx.db, after, batch);
      if (cases.length === 0) return -1;
      after = cases.at(-1)!.id;
      const history = await repo.historyBetween(tx.db, cases[0]!.id, after);
      const byCase = new Map<number, HistoryRow[]>();
      for (const h of history) (byCase.get(h.caseId) ?? byCase.set(h.caseId, []).get(h.caseId)!).push(h);
      // Each result reads a business-calendar clock: yield every ~10 ms so a backfill never holds
      // card callbacks and webhook acks behind a whole batch.
      const rows: CaseResult[] = [];
      const turn = slices();
      for (const c of cases) {
        await turn();
        rows.push(resultOf(c, byCase.get(c.id) ?? [], rules, now));
      }
      await reportRepo.insertMissingResults(tx.db, rows);
      return cases.length;
    });
    if (n < 0) break;
    stored += n;
    await yieldToLoop();
  }
  checkedThrough.set(x.database, Math.max(checkedThrough.get(x.database) ?? 0, top - RECHECK_IDS));
  if (stored > 0) x.log.info({ stored }, 'exception results backfilled');
  return stored;
}
