import { decodeRecord, type DecodedRecord } from '../bitable/codec.js';
import { RecordCodecError } from '../bitable/codec-errors.js';
import type { BitableRecord } from '../feishu/bitable.js';
import { audit, deletedSince, type AuditEntry } from './audit.js';
import type { MirrorChange } from './changes.js';
import { diffRecords, pick } from './columns.js';
import { deleteRows, idsSyncedBefore, readRows, upsertRows, type RowWrite } from './mirror-rows.js';
import { mirrorTableName, quote } from './mirror-ddl.js';
import type { MirrorContext, MirrorTable } from './mirror-context.js';

export interface TableReconcile {
  tableKey: string;
  scanned: number;
  inserted: number;
  /** Rows whose edited values differed (audited). */
  updated: number;
  /** Rows where only values Feishu computes (formulas, modified time…) differed. */
  refreshed: number;
  deleted: number;
  /** Rows left alone because the mirror's copy is newer by Bitable's clock. */
  keptNewer: number;
  /** Rows of a declared table whose bot-owned fields were rewritten from the workflow. */
  repaired: number;
  unreadable: number;
  /** A few of the record ids it fixed, for the log. */
  sample: string[];
}

type Progress = (tableKey: string, scanned: number, estimate?: number) => void;

/**
 * Spaces page requests evenly across every table of a run. Feishu counts records/search per app
 * in a sliding second (FEISHU.md §d); a burst of 20 lets the 21st arrive inside the window of a
 * late-arriving first, and each 429 costs a whole second. Even spacing with a small margin never does.
 */
export class Pacer {
  private next = 0;
  constructor(private readonly intervalMs: number) {}

  async slot(): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

export async function reconcileTable(
  ctx: MirrorContext,
  table: MirrorTable,
  startedAt: Date,
  progress: Progress,
  pacer: Pacer,
): Promise<TableReconcile> {
  const { template, ref } = table;
  const key = template.key;
  const db = ctx.deps.database;
  const r: TableReconcile = {
    tableKey: key,
    scanned: 0,
    inserted: 0,
    updated: 0,
    refreshed: 0,
    deleted: 0,
    keptNewer: 0,
    repaired: 0,
    unreadable: 0,
    sample: [],
  };
  const { rows } = await db.query<{ n: number | string }>(`select count(*) as n from ${quote(mirrorTableName(key))}`);
  const held = Number(rows[0]?.n ?? 0);
  // A first load is not news: the workflows hear about records only once the mirror had the table.
  const announce = held > 0 && ctx.changes.has(key);
  progress(key, 0, held);
  const seen = new Set<string>();
  const note = (id: string) => r.sample.length < 10 && r.sample.push(id);

  for await (const page of prefetch(ctx.deps.feishu.bitable.searchPages(ref, { automaticFields: true }), () =>
    pacer.slot(),
  )) {
    const decoded: { id: string; values: DecodedRecord; modifiedAt: Date | null; by: string | undefined }[] = [];
    for (const record of page) {
      seen.add(record.record_id);
      try {
        decoded.push({
          id: record.record_id,
          values: decodeRecord(template, record.fields),
          modifiedAt: modifiedAt(record),
          by: modifiedBy(record),
        });
      } catch (err) {
        if (!(err instanceof RecordCodecError)) throw err;
        r.unreadable++;
        ctx.log.warn(
          { tableKey: key, recordId: record.record_id, problems: err.message.slice(0, 300) },
          'bitable record unreadable, not mirrored',
        );
      }
    }
    const existing = await readRows(
      db,
      template,
      decoded.map((d) => d.id),
    );
    const writes: RowWrite[] = [];
    const entries: AuditEntry[] = [];
    const changes: MirrorChange[] = [];
    const fresh = decoded.filter((d) => !existing.has(d.id));
    const goneSince = fresh.length > 0 ? await deletedSince(db.db, key, startedAt) : new Set<string>();
    for (const d of decoded) {
      const row = existing.get(d.id);
      const at = d.modifiedAt ?? startedAt;
      const change = {
        tableKey: key,
        recordId: d.id,
        operatorOpenId: d.by,
        at,
        source: 'reconcile' as const,
        key: `reconcile:${key}:${d.id}:${at.getTime()}`,
      };
      if (!row) {
        if (goneSince.has(d.id)) continue; // deleted by an event after this scan began
        writes.push({ recordId: d.id, values: d.values, modifiedAt: d.modifiedAt, source: 'reconcile' });
        r.inserted++;
        note(d.id);
        if (announce)
          changes.push({
            ...change,
            action: 'added',
            before: {},
            after: d.values,
            changedKeys: Object.keys(d.values),
            record: d.values,
          });
        continue;
      }
      const diff = diffRecords(template, row.values, d.values);
      if (diff.edited.length + diff.derived.length === 0) continue;
      if (row.modifiedAt && d.modifiedAt && row.modifiedAt > d.modifiedAt) {
        r.keptNewer++;
        continue;
      }
      writes.push({ recordId: d.id, values: d.values, modifiedAt: d.modifiedAt, source: 'reconcile' });
      if (diff.edited.length === 0) {
        r.refreshed++;
        continue;
      }
      r.updated++;
      note(d.id);
      const before = pick(row.values, diff.edited);
      const after = pick(d.values, diff.edited);
      entries.push({
        tableKey: key,
        recordId: d.id,
        action: 'update',
        source: 'reconcile',
        before,
        after,
        bitableModifiedAt: d.modifiedAt,
        operatorOpenId: d.by,
      });
      if (announce)
        changes.push({ ...change, action: 'edited', before, after, changedKeys: diff.edited, record: d.values });
    }
    if (writes.length > 0) {
      await db.transaction(async (tx) => {
        await upsertRows(tx, template, writes, { onlyIfNewer: true });
        await audit(tx.db, entries);
      });
    }
    await dispatch(ctx, changes);
    // Whatever the modified times say: the workflow is the truth of the fields the bot owns.
    const seam = ctx.seams.get(key);
    if (seam) r.repaired += await seam.repairRows(decoded.filter((d) => !changes.some((c) => c.recordId === d.id)));
    r.scanned += page.length;
    progress(key, r.scanned);
  }

  const gone = (await idsSyncedBefore(db, template, startedAt)).filter((id) => !seen.has(id));
  for (let i = 0; i < gone.length; i += 500) {
    const ids = gone.slice(i, i + 500);
    const held = await readRows(db, template, ids);
    await db.transaction(async (tx) => {
      await deleteRows(tx, template, ids);
      await audit(
        tx.db,
        [...held.values()].map((row) => ({
          tableKey: key,
          recordId: row.recordId,
          action: 'delete' as const,
          source: 'reconcile' as const,
          before: row.values,
          after: null,
          bitableModifiedAt: null,
        })),
      );
    });
    r.deleted += ids.length;
    ids.forEach(note);
    const when = new Date();
    await dispatch(
      ctx,
      [...held.values()].map((row) => ({
        tableKey: key,
        recordId: row.recordId,
        action: 'deleted' as const,
        before: row.values,
        after: {},
        changedKeys: Object.keys(row.values),
        record: undefined,
        operatorOpenId: undefined,
        at: when,
        source: 'reconcile' as const,
        key: `reconcile:${key}:${row.recordId}:deleted`,
      })),
    );
  }
  return r;
}

/** Handlers' failures must not stop a repair: the mirror is already right; log and go on. */
async function dispatch(ctx: MirrorContext, changes: readonly MirrorChange[]): Promise<void> {
  for (const change of changes) {
    try {
      await ctx.changes.dispatch(change, ctx.log);
    } catch {
      // logged by the registry
    }
  }
}

function modifiedAt(record: BitableRecord): Date | null {
  return typeof record.last_modified_time === 'number' ? new Date(record.last_modified_time) : null;
}

function modifiedBy(record: BitableRecord): string | undefined {
  const by = record.last_modified_by as { id?: unknown } | undefined;
  return by && typeof by.id === 'string' ? by.id : undefined;
}

/** Keeps the next page in flight while the caller works on this one. */
export async function* prefetch<T>(
  pages: AsyncGenerator<T, void>,
  before: () => Promise<void> = async () => undefined,
): AsyncGenerator<T, void> {
  const pull = async () => {
    await before();
    return pages.next();
  };
  let next = pull();
  for (;;) {
    const result = await next;
    if (result.done) return;
    next = pull();
    // Handled when awaited above; this only keeps an abandoned read from being "unhandled".
    next.catch(() => undefined);
    yield result.value;
  }
}
