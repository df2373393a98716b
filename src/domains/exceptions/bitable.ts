import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { TableTemplate } from '../../bitable/template-schema.js';
import type { Database } from '../../db/client.js';
import type { BitableMirror, MirrorChange } from '../../mirror/index.js';
import { NotProvisionedError } from '../../mirror/mirror-context.js';
import type { CaseMirror } from './mirror.js';
import { repo, type CaseRow } from './repository.js';
import type { ExceptionService } from './service/index.js';
import { caseNo } from './service/context.js';
import type { Feishu } from '../../feishu/index.js';

/**
 * The 异常件工单 Bitable table as staff see it: every case written there after each change, and
 * what people type there (a tracking number, a new state, a new row) handed to the workflow.
 */
export const TABLE = 'exceptions';

// Domain priority → the template's option keys (the table keeps Feishu's P0–P3 scale).
const PRIORITY_OPTION: Record<string, string> = { P1: 'p0', P2: 'p1', P3: 'p2' };
const PRIORITY_OF_OPTION: Record<string, string> = { p0: 'P1', p1: 'P2', p2: 'P3', p3: 'P3' };
const CHANNEL_OPTION: Record<string, string> = { store: 'offline_store', private: 'private_community' };
// Columns people may edit, and the workflow field each one feeds.
const EDITABLE: Record<string, 'tracking_number' | 'return_tracking_number' | 'state' | 'resolution'> = {
  tracking_no: 'tracking_number',
  return_tracking_no: 'return_tracking_number',
  state: 'state',
  resolution: 'resolution',
};

export class CaseTable {
  constructor(private readonly template: TableTemplate) {}

  /** The option's display name for a key, or undefined when the table has no such option. */
  optionName(fieldKey: string, optionKey: string | null | undefined): string | undefined {
    const field = this.template.fields.find((f) => f.key === fieldKey);
    const options = field && (field.type === 3 || field.type === 4) ? field.property.options : [];
    return options.find((o) => o.key === optionKey)?.name;
  }

  optionKey(fieldKey: string, name: unknown): string | undefined {
    const field = this.template.fields.find((f) => f.key === fieldKey);
    const options = field && (field.type === 3 || field.type === 4) ? field.property.options : [];
    return options.find((o) => o.name === name)?.key;
  }

  /** A case as a row of the table, by field key (`null` clears a cell). */
  values(c: CaseRow): Record<string, unknown> {
    const yuan = (fen: number) => fen / 100;
    const values: Record<string, unknown> = {
      title: c.title,
      kind: this.optionName('kind', c.kind),
      priority: this.optionName('priority', PRIORITY_OPTION[c.priority]),
      state: this.optionName('state', c.state),
      channel: this.optionName('channel', c.channel ? (CHANNEL_OPTION[c.channel] ?? c.channel) : null),
      source: this.optionName('source', c.source),
      shop: c.shop ?? null,
      order_no: c.orderNo ?? null,
      tracking_no: c.fields.tracking_number ?? null,
      return_tracking_no: c.fields.return_tracking_number ?? null,
      owner: c.ownerOpenId ? [c.ownerOpenId] : null,
      amount_at_risk: yuan(c.amountAtRiskFen),
      amount_refunded: yuan(c.refundedFen),
      amount_recovered: yuan(c.recoveredFen),
      amount_written_off: yuan(c.writtenOffFen),
      approval_state: this.optionName('approval_state', c.approverRole ? 'pending' : null),
      platform_deadline: c.platformDueAt ?? null,
      resolved_at: c.resolvedAt ?? null,
      external_id: c.externalId ?? null,
      description: c.description || null,
      resolution: c.resolution ?? null,
    };
    // An option the table lacks is left out rather than failing the whole row.
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  }
}

/** Writes each changed case to Bitable; does nothing until Bitable is provisioned. */
export function bitableCaseMirror(mirror: BitableMirror, table: CaseTable, deps: { database: Database; log: Logger }): CaseMirror & { backfill(limit?: number): Promise<number> } {
  return {
    /**
     * Cases that have no row yet (opened before Bitable was provisioned, or history) get one,
     * under the same per-case key as a first write, so neither path can make a second row.
     */
    async backfill(limit = 200) {
      const missing = await repo.casesWithoutBitableRow(deps.database.db, limit);
      let written = 0;
      for (const c of missing) {
        try {
          await this.onCaseChanged({ caseNo: caseNo(c.id), case: c, key: `exceptions:case:${c.id}:bitable-row` });
          written++;
        } catch (err) {
          deps.log.warn({ err, caseId: c.id }, 'case not written to bitable; the next backfill retries');
        }
      }
      return written;
    },
    async onCaseChanged({ case: c, key }) {
      try {
        // The link may have been made after this snapshot; a case born in Bitable has its row already.
        const recordId = c.bitableRecordId ?? (await repo.getCase(deps.database.db, c.id))?.bitableRecordId ?? (c.source === 'bitable' ? c.externalId : null);
        // A new row is keyed by the case, so two racing writers create it once (client_token).
        const rowKey = recordId ? key : `exceptions:case:${c.id}:bitable-row`;
        const [written] = await mirror.writeRecords(TABLE, [{ ...(recordId ? { recordId } : {}), values: table.values(c) }], { key: rowKey });
        if (written && written.recordId !== c.bitableRecordId) await repo.setBitableRecord(deps.database.db, c.id, written.recordId);
      } catch (err) {
        if (err instanceof NotProvisionedError) return deps.log.debug({ caseId: c.id }, 'bitable not provisioned, case not written');
        throw err;
      }
    },
  };
}

/** People's edits in the table → the workflow, with the same checks as the card and the chat. */
export function onCaseRowChanged(service: ExceptionService, table: CaseTable, deps: { database: Database; log: Logger; feishu: Feishu }) {
  return async (change: MirrorChange): Promise<void> => {
    if (change.action === 'deleted') return deps.log.info({ recordId: change.recordId }, 'case row deleted in bitable; the case is kept');
    const existing = await repo.caseByBitableRecord(deps.database.db, change.recordId);
    if (!existing) {
      if (change.action === 'added') await createFromRow(service, table, change, deps);
      return;
    }
    const operator = change.operatorOpenId ?? existing.ownerOpenId;
    if (!operator) return;
    for (const key of change.changedKeys) {
      const field = EDITABLE[key];
      const raw = change.after[key];
      if (!field || raw === undefined) continue;
      const value = field === 'state' ? table.optionKey('state', raw) : typeof raw === 'string' ? raw.trim() : null;
      const current = field === 'state' ? existing.state : field === 'resolution' ? existing.resolution : existing.fields[field];
      if (!value || value === current) continue; // our own write coming back, or a cleared cell
      try {
        await service.applyBitableEdit({ caseId: existing.id, field, value, operatorOpenId: operator }, change.at);
      } catch (err) {
        // A refused edit (bad number, move not allowed) is the person's to fix; retrying will not help.
        if (!(err instanceof AppError)) throw err;
        deps.log.warn({ caseId: existing.id, field, code: err.code, message: err.message }, 'bitable edit refused');
        // Tell the person who typed it why, since the table itself cannot show an error.
        await deps.feishu.messages.send({
          to: { openId: operator },
          key: `${change.key}:refused:${key}`,
          text: `多维表格「异常件工单」中 ${caseNo(existing.id)} 的修改未生效：${err.message}\nYour edit to ${caseNo(existing.id)} in Bitable was not applied.`,
        });
      }
    }
  };
}

async function createFromRow(service: ExceptionService, table: CaseTable, change: MirrorChange, deps: { log: Logger }): Promise<void> {
  const row = change.record ?? {};
  const kind = table.optionKey('kind', row.kind);
  if (!kind) return deps.log.info({ recordId: change.recordId }, 'new bitable row without a kind; not a case yet');
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const amount = typeof row.amount_at_risk === 'number' && row.amount_at_risk >= 0 ? Math.round(row.amount_at_risk * 100) : undefined;
  try {
    const created = await service.create(
      {
        source: 'bitable',
        externalId: change.recordId,
        kind,
        priority: PRIORITY_OF_OPTION[table.optionKey('priority', row.priority) ?? ''] as 'P1' | 'P2' | 'P3' | undefined,
        title: text(row.title),
        orderNo: text(row.order_no),
        description: text(row.description),
        amountAtRiskFen: amount,
        fields: { tracking_number: text(row.tracking_no), return_tracking_number: text(row.return_tracking_no) },
        reporterOpenId: change.operatorOpenId ?? null,
      },
      change.at,
    );
    await repo.setBitableRecord(service.deps.database.db, created.case.id, change.recordId);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    deps.log.warn({ recordId: change.recordId, message: err.message }, 'bitable row could not become a case');
  }
}
