import { ValidationError } from '../../../core/errors.js';
import type { Tx } from '../../../db/client.js';
import type { Priority } from '../logic/case.js';
import { findKind } from '../logic/kinds.js';
import { repo, type CaseRow } from '../repository.js';
import { caseNo, queueEffects, rulesOf, type Effect, type ExceptionDeps } from './context.js';
import { refreshResult } from './results.js';
import { line, missingAwaited, validateFields } from './fields.js';

/** A new case as every source gives it, already parsed at its boundary (chat, card, API, Bitable). */
export interface NewCaseInput {
  source: string;
  externalId?: string | null | undefined;
  kind: string;
  priority?: Priority | undefined;
  title?: string | undefined;
  description?: string | undefined;
  orderNo?: string | undefined;
  channel?: string | undefined;
  shop?: string | undefined;
  fields?: Record<string, string | undefined> | undefined;
  amountAtRiskFen?: number | undefined;
  platformDueAt?: Date | null | undefined;
  reporterOpenId?: string | null | undefined;
}

export interface Created {
  case: CaseRow;
  created: boolean;
}

/**
 * Opens a case: kind → owning team → its chat and an owner by rotation. A case missing a
 * number the kind needs starts waiting on the warehouse at once, so the nudges start.
 * Idempotent on (source, externalId).
 */
export async function createCase(x: ExceptionDeps, input: NewCaseInput, now: Date): Promise<Created> {
  const rules = await rulesOf(x);
  const found = findKind(rules.kinds, input.kind);
  if (!found.ok) throw new ValidationError(line(found.error.message), { field: 'kind', code: found.error.code });
  const kind = found.value;
  const rule = rules.kindRules[kind.id];
  if (rule && !rule.enabled)
    throw new ValidationError(
      `「${kind.label.zh}」已在异常类型配置中停用 · The kind ${kind.id} is disabled in 异常类型配置`,
      { field: 'kind', code: 'kind_disabled' },
    );
  // The platform's own deadline, when the source gives none and the kind has a default.
  const platformDueAt =
    input.platformDueAt ??
    (rule?.platformDeadlineHours ? new Date(now.getTime() + rule.platformDeadlineHours * 3_600_000) : null);
  const fields = validateFields(rules.kinds, input.fields ?? {});
  if (input.externalId) {
    const existing = await repo.caseBySource(x.database.db, input.source, input.externalId);
    if (existing) return { case: existing, created: false };
  }
  const team = await x.directory.team(kind.team);
  // Agents first, then the team's own specialists (refund_dispute, warehouse …), then anyone in it.
  const owner =
    (await x.directory.nextInRotation(kind.team, 'agent')) ??
    (await x.directory.nextInRotation(kind.team, kind.team)) ??
    (await x.directory.nextInRotation(kind.team));
  const ownerOpenId = owner?.openId ?? team?.leadOpenId ?? null;
  const missing = missingAwaited(kind, rules.kinds, fields);
  const waiting = missing.length > 0;
  const warehouse = waiting ? await x.directory.nextInRotation('warehouse', 'warehouse') : null;
  const states = [
    ...(ownerOpenId ? (['assigned'] as const) : []),
    ...(waiting && ownerOpenId ? (['waiting_warehouse'] as const) : []),
  ];
  const state = states.at(-1) ?? 'new';
  const row = await x.database.transaction(async (tx) => {
    const inserted = await repo.insertCase(tx.db, {
      kind: kind.id,
      priority: input.priority ?? kind.priority,
      state,
      title: input.title?.trim() || `${kind.label.zh} ${kind.label.en}${input.orderNo ? ` · ${input.orderNo}` : ''}`,
      description: input.description ?? '',
      source: input.source,
      externalId: input.externalId ?? null,
      channel: input.channel ?? null,
      shop: input.shop ?? null,
      orderNo: input.orderNo ?? null,
      fields,
      teamKey: kind.team,
      chatId: team?.chatId ?? null,
      ownerOpenId,
      reporterOpenId: input.reporterOpenId ?? null,
      warehouseOpenId: warehouse?.openId ?? null,
      amountAtRiskFen: input.amountAtRiskFen ?? 0,
      platformDueAt,
      openedAt: now,
      waitingSince: state === 'waiting_warehouse' ? now : null,
      lastNudgeAt: state === 'waiting_warehouse' ? now : null,
      nudgeCount: state === 'waiting_warehouse' ? 1 : 0,
    });
    if (!inserted) return null; // the same source + external id committed first
    await recordOpening(x, tx, inserted, { states: [...states], missing }, now);
    await refreshResult(tx, inserted, rules, now);
    return inserted;
  });
  if (row) {
    x.log.info({ caseId: row.id, kind: row.kind, owner: row.ownerOpenId, state: row.state }, 'exception case opened');
    return { case: row, created: true };
  }
  const existing = await repo.caseBySource(x.database.db, input.source, input.externalId ?? '');
  if (!existing) throw new Error('case insert conflicted but no case was found');
  return { case: existing, created: false };
}

async function recordOpening(
  x: ExceptionDeps,
  tx: Tx,
  c: CaseRow,
  opening: { states: string[]; missing: string[] },
  now: Date,
): Promise<void> {
  const { states, missing } = opening;
  await repo.addHistory(tx.db, {
    caseId: c.id,
    state: 'new',
    action: 'create',
    actorOpenId: c.reporterOpenId,
    at: now,
  });
  if (states.includes('assigned'))
    await repo.addHistory(tx.db, { caseId: c.id, state: 'assigned', action: 'assign', actorOpenId: null, at: now });
  if (states.includes('waiting_warehouse')) {
    await repo.addHistory(tx.db, {
      caseId: c.id,
      state: 'waiting_warehouse',
      action: 'wait_warehouse',
      actorOpenId: null,
      at: now,
    });
    await repo.insertNudge(tx.db, {
      caseId: c.id,
      seq: 1,
      recipientOpenId: c.warehouseOpenId ?? c.ownerOpenId,
      missingFields: missing,
      sentAt: now,
    });
  }
  await repo.audit(tx.db, {
    caseId: c.id,
    action: 'create',
    actorOpenId: c.reporterOpenId,
    details: { caseNo: caseNo(c.id), source: c.source, externalId: c.externalId, kind: c.kind, owner: c.ownerOpenId },
    at: now,
  });
  const effects: Effect[] = [{ type: 'card' }];
  if (c.ownerOpenId) effects.push({ type: 'dm_assigned', ownerOpenId: c.ownerOpenId });
  const nudgeTo = c.warehouseOpenId ?? c.ownerOpenId;
  if (c.state === 'waiting_warehouse' && nudgeTo) effects.push({ type: 'nudge', seq: 1, recipientOpenId: nudgeTo });
  await queueEffects(x, tx, c, effects);
}
