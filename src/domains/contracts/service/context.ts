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
import type { ContractState } from '../logic/contract.js';
import { repo, type ContractPatch, type ContractRow, type SweepRow } from '../repository.js';
import type { ContractSettings } from '../settings/index.js';
import { settleCommitment } from './commitment.js';
import { budgetCrossings, type BudgetAlert } from './budget-crossings.js';

export const EFFECTS_JOB = 'contracts.effects';

/** Feishu updates a sent card for 14 days; after that the card is sent again (FEISHU.md §b.3). An hour's margin. */
export const UPDATE_WINDOW_MS = 14 * 86_400_000 - 3_600_000;

/** Writes a contract's row to 合同台账 (the mirror.table seam), or nothing in tests. */
export interface ContractMirror {
  onChanged(c: ContractRow): Promise<void>;
  /** A budget line's 已占用 / 已支付 / 使用率 changed: its 预算 row's bot-owned cells are written (only those). */
  onBudgetChanged(budgetId: number): Promise<void>;
  /** A payment was requested or moved: its 付款 row is written (created, or only the bot's cells that changed). */
  onPaymentChanged(paymentId: number): Promise<void>;
}
export const noMirror: ContractMirror = {
  onChanged: async () => undefined,
  onBudgetChanged: async () => undefined,
  onPaymentChanged: async () => undefined,
};

/** What the contract use cases need, built once in index.ts. */
export interface ContractDeps {
  database: Database;
  directory: Directory;
  settings: ContractSettings;
  feishu: Pick<Feishu, 'messages'>;
  cards: CardRenderer;
  jobs: Pick<JobQueue, 'send' | 'sendMany'>;
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
  /** A payment was requested, decided or paid: its 付款 row follows. */
  | { type: 'payment'; paymentId: number }
  /** The requester withdrew the contract: the step's cards say so, without buttons. */
  | { type: 'step_withdrawn'; stepId: number }
  /** Past its end on `day` and auto-renewing: the renewal is made (expiry.ts autoRenewDue). */
  | { type: 'auto_renew'; day: string }
  /** What contracts and payments use of a budget line changed: its 预算 row follows. */
  | { type: 'budget'; budgetId: number }
  /** The line crossed 90 % used: its owner is told (service/budget-alerts.ts). */
  | BudgetAlert
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
    // A state move commits or releases the contract's budget in this transaction (service/commitment.ts).
    if (updated.state !== current.state) more.push(...(await settleCommitment(tx, updated, change.actor, now)));
    await queueEffects(x, tx, updated, [...(change.effects ?? [{ type: 'requester_card' }]), ...more]);
    return updated;
  });
}

export async function queueEffects(x: ContractDeps, tx: Tx, c: ContractRow, effects: Effect[]): Promise<void> {
  // Every change of a line's totals queues its `budget` effect: the same transaction sees whether it crossed 90 %.
  const alerts = await budgetCrossings(tx, budgetsOf(effects));
  await x.jobs.send<EffectsJob>(
    EFFECTS_JOB,
    {
      contractId: c.id,
      contractNo: c.contractNo,
      version: c.version,
      effects: [...effects, ...alerts, { type: 'mirror' }],
    },
    { tx },
  );
}

const budgetsOf = (effects: Effect[]): number[] => effects.flatMap((e) => (e.type === 'budget' ? [e.budgetId] : []));

/**
 * The same change for many contracts at once (the daily sweep's moves to expiring and expired): one conditional update
 * on the versions read, their history, each one's budget settled, their follow-ups — one transaction, a constant
 * number of statements (plus the budget's for contracts charged to one). A contract changed meanwhile is left out (the
 * next sweep looks again); the moved rows are answered.
 */
export async function commitMoves(
  x: ContractDeps,
  rows: SweepRow[],
  state: ContractState,
  now: Date,
): Promise<ContractRow[]> {
  if (rows.length === 0) return [];
  return x.database.transaction(async (tx) => {
    const updated = await repo.updateMany(tx.db, rows, { state }, now);
    if (updated.length === 0) return [];
    await repo.addHistoryMany(
      tx.db,
      updated.map((u) => ({ contractId: u.id, state, action: state, actorOpenId: null, note: null, at: now })),
    );
    const before = new Map(rows.map((r) => [r.id, r.state]));
    const jobs: EffectsJob[] = [];
    for (const u of updated) {
      const more: Effect[] = before.get(u.id) !== u.state ? await settleCommitment(tx, u, null, now) : [];
      // A release can take a line back under 90 % (so a later crossing tells the owner again).
      more.push(...(await budgetCrossings(tx, budgetsOf(more))));
      jobs.push({
        contractId: u.id,
        contractNo: u.contractNo,
        version: u.version,
        effects: [{ type: 'requester_card' }, ...more, { type: 'mirror' }],
      });
    }
    await x.jobs.sendMany<EffectsJob>(EFFECTS_JOB, jobs, { tx });
    return updated;
  });
}
