import { and, desc, eq, gte } from 'drizzle-orm';
import type { DecodedRecord } from '../bitable/codec.js';
import type { Db } from '../db/client.js';
import { mirrorAudit } from './schema.js';

export interface AuditEntry {
  tableKey: string;
  recordId: string;
  action: 'update' | 'delete' | 'stale';
  source: 'event' | 'reconcile';
  before: DecodedRecord | null;
  after: DecodedRecord | null;
  bitableModifiedAt: Date | null;
  operatorOpenId?: string | undefined;
  eventId?: string | undefined;
}

/** Keeps what an overwrite replaced (and changes that lost to a newer write). */
export async function audit(db: Db, entries: readonly AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 500) {
    const slice = entries.slice(i, i + 500);
    if (slice.length === 0) continue;
    await db.insert(mirrorAudit).values(
      slice.map((e) => ({
        tableKey: e.tableKey,
        recordId: e.recordId,
        action: e.action,
        source: e.source,
        before: e.before,
        after: e.after,
        bitableModifiedAt: e.bitableModifiedAt,
        operatorOpenId: e.operatorOpenId ?? null,
        eventId: e.eventId ?? null,
      })),
    );
  }
}

export async function auditTrail(db: Db, tableKey: string, recordId: string) {
  return db
    .select()
    .from(mirrorAudit)
    .where(and(eq(mirrorAudit.tableKey, tableKey), eq(mirrorAudit.recordId, recordId)))
    .orderBy(desc(mirrorAudit.id));
}

/** Records deleted (by an event) since `at`: a reconcile that started earlier must not bring them back. */
export async function deletedSince(db: Db, tableKey: string, at: Date): Promise<Set<string>> {
  const rows = await db
    .select({ recordId: mirrorAudit.recordId })
    .from(mirrorAudit)
    .where(and(eq(mirrorAudit.tableKey, tableKey), eq(mirrorAudit.action, 'delete'), gte(mirrorAudit.at, at)));
  return new Set(rows.map((r) => r.recordId));
}
