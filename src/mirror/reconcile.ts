import type { MirrorContext, MirrorTable } from './mirror-context.js';
import { Pacer, reconcileTable, type TableReconcile } from './reconcile-table.js';

export type { TableReconcile } from './reconcile-table.js';

export interface ReconcileProgress {
  /** Records read from Bitable so far, all tables. */
  scanned: number;
  /** Best estimate of the records to read (what the mirror held, or more once seen). */
  total: number;
  tableKey: string;
}

export interface ReconcileReport {
  startedAt: Date;
  finishedAt: Date;
  tables: TableReconcile[];
  totals: {
    scanned: number;
    inserted: number;
    updated: number;
    refreshed: number;
    deleted: number;
    keptNewer: number;
    repaired: number;
    unreadable: number;
  };
}

export interface ReconcileOptions {
  /** Template keys to compare; default every provisioned table. */
  tables?: readonly string[];
  onProgress?: (p: ReconcileProgress) => void;
  /** Search pages per second, all tables together (Feishu: 20/s per app). */
  pagesPerSecond?: number;
}

/**
 * Compares every mirrored table with Bitable and repairs the drift: records the mirror lacks are
 * inserted, differing ones updated (unless the mirror's copy is newer by Bitable's clock),
 * records gone from Bitable deleted. Tables are read in parallel so the 20 searches/s budget
 * (FEISHU.md §d) stays busy while pages are compared and written.
 */
export async function reconcile(ctx: MirrorContext, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const bindings = await ctx.requireBindings();
  const keys = (options.tables ?? ctx.templates.tables.map((t) => t.key)).filter((k) => bindings.tables.has(k));
  const { rows } = await ctx.deps.database.query<{ now: Date | string }>('select now() as now');
  // The database's clock, the one _synced_at and the audit use.
  const startedAt = new Date(rows[0]!.now);
  const tables: MirrorTable[] = [];
  for (const key of keys) tables.push(await ctx.table(key));

  const estimates = new Map<string, number>();
  const scanned = new Map<string, number>();
  const progress = (tableKey: string, count: number, estimate?: number) => {
    if (estimate !== undefined) estimates.set(tableKey, estimate);
    scanned.set(tableKey, count);
    const done = sum(scanned.values());
    const total = sum([...estimates].map(([k, e]) => Math.max(e, scanned.get(k) ?? 0)));
    options.onProgress?.({ scanned: done, total, tableKey });
  };
  // 2 ms of margin per request keeps clock jitter between us and Feishu from tipping a window over.
  const pacer = new Pacer(1000 / (options.pagesPerSecond ?? 20) + 2);
  const results = await Promise.all(tables.map((t) => reconcileTable(ctx, t, startedAt, progress, pacer)));
  const report: ReconcileReport = {
    startedAt,
    finishedAt: new Date(),
    tables: results,
    totals: { scanned: 0, inserted: 0, updated: 0, refreshed: 0, deleted: 0, keptNewer: 0, repaired: 0, unreadable: 0 },
  };
  for (const r of results)
    for (const k of Object.keys(report.totals) as (keyof ReconcileReport['totals'])[]) report.totals[k] += r[k];
  const fixed = results.filter((r) => r.inserted + r.updated + r.deleted + r.repaired > 0);
  ctx.log.info(
    {
      ...report.totals,
      ms: report.finishedAt.getTime() - startedAt.getTime(),
      fixed: fixed.map((r) => ({
        table: r.tableKey,
        inserted: r.inserted,
        updated: r.updated,
        deleted: r.deleted,
        repaired: r.repaired,
        sample: r.sample,
      })),
    },
    'bitable reconcile finished',
  );
  return report;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
