import type { Config } from '../../../config.js';
import { AppError, ConflictError } from '../../../core/errors.js';
import type { JobQueue } from '../../../core/jobs.js';
import type { Logger } from '../../../core/logger.js';
import type { CardRenderer } from '../../../core/cards/render.js';
import type { Database, Tx } from '../../../db/client.js';
import type { Feishu } from '../../../feishu/index.js';
import type { Directory } from '../../directory/service.js';
import type { Registration } from '../logic/risk.js';
import type { RiskQuery } from '../risk/provider.js';
import { repo, type ContractPatch, type ContractRow } from '../repository.js';
import type { ContractSettings } from '../settings/index.js';

export const EFFECTS_JOB = 'contracts.effects';

/** Writes a contract's row to 合同台账 (the mirror.table seam), or nothing in tests. */
export interface ContractMirror {
  onChanged(c: ContractRow): Promise<void>;
  /** A budget line's 已占用 / 已支付 / 使用率 changed: its 预算 row's bot-owned cells are written (only those). */
  onBudgetChanged(budgetId: number): Promise<void>;
}
export const noMirror: ContractMirror = { onChanged: async () => undefined, onBudgetChanged: async () => undefined };

/** What the contract use cases need, built once in index.ts. */
export interface ContractDeps {
  database: Database;
  directory: Directory;
  settings: ContractSettings;
  feishu: Pick<Feishu, 'messages'>;
  cards: CardRenderer;
  jobs: Pick<JobQueue, 'send'>;
  config: Pick<Config, 'timeZone'>;
  log: Logger;
  mirror: ContractMirror;
  /** Registration data with cache and timeout (risk/check.ts): never throws. */
  registration(query: RiskQuery, now: Date): Promise<Registration>;
}

/** Follow-ups of a committed change, run from the queue with deterministic keys. */
export type Effect =
  | { type: 'requester_card' }
  /** A card-form intake: check the counterparty's risk (up to the provider timeout), then send it into approval. */
  | { type: 'submit' }
  | { type: 'approval_card'; stepId: number }
  /** A pending step's daily reminder (`day`: the business-zone date, part of the send key). */
  | { type: 'step_reminder'; stepId: number; day: string }
  /** A pending step escalated: the card to the person it was escalated to. */
  | { type: 'step_escalated'; stepId: number }
  | { type: 'reminder'; key: string; level: number; daysLeft: number; kind: 'notice' | 'end'; target: string }
  | { type: 'payment_card'; paymentId: number }
  /** What contracts and payments use of a budget line changed: its 预算 row follows. */
  | { type: 'budget'; budgetId: number }
  | { type: 'mirror' };

export interface EffectsJob {
  contractId: number;
  contractNo: string;
  version: number;
  effects: Effect[];
}

/** Bad input the user can fix: HTTP 400 with the field, a refusal card in chat, an error toast on a card. */
export const badInput = (message: string, field: string): AppError => new AppError('bad_request', message, { field });

const STALE = 'stale_version';
export const lostRace = (err: unknown): boolean =>
  err instanceof ConflictError && (err.details as { code?: string } | undefined)?.code === STALE;

export interface Change {
  current: ContractRow;
  patch: ContractPatch;
  action: string;
  actor: string | null;
  note?: string | null;
  now: Date;
  effects?: Effect[];
  also?: (tx: Tx, updated: ContractRow) => Promise<Effect[] | void>;
}

/**
 * The one way a contract changes: a conditional update on the version read, its history, its follow-ups queued in the
 * same transaction.
 */
export async function commitChange(x: ContractDeps, change: Change): Promise<ContractRow> {
  const { current, now } = change;
  return x.database.transaction(async (tx) => {
    const updated = await repo.update(tx.db, current.id, current.version, change.patch, now);
    if (!updated)
      throw new ConflictError('合同刚被他人更新，请刷新后重试 · The contract was just changed; please retry', {
        contractId: current.id,
        code: STALE,
      });
    // Every change is a history entry (state moves, each step's decision, snoozes): the audit trail.
    await repo.addHistory(tx.db, {
      contractId: updated.id,
      state: updated.state,
      action: change.action,
      actorOpenId: change.actor,
      note: change.note ?? null,
      at: now,
    });
    const more = (await change.also?.(tx, updated)) ?? [];
    await queueEffects(x, tx, updated, [...(change.effects ?? [{ type: 'requester_card' }]), ...more]);
    return updated;
  });
}

export async function queueEffects(x: ContractDeps, tx: Tx, c: ContractRow, effects: Effect[]): Promise<void> {
  await x.jobs.send<EffectsJob>(
    EFFECTS_JOB,
    { contractId: c.id, contractNo: c.contractNo, version: c.version, effects: [...effects, { type: 'mirror' }] },
    { tx },
  );
}
