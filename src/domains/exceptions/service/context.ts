import type { Config } from '../../../config.js';
import { ConflictError } from '../../../core/errors.js';
import type { JobQueue } from '../../../core/jobs.js';
import type { Logger } from '../../../core/logger.js';
import type { Database, Tx } from '../../../db/client.js';
import type { CardRenderer } from '../../../core/cards/render.js';
import type { Feishu } from '../../../feishu/index.js';
import type { Directory } from '../../directory/service.js';
import { Role, type Actor } from '../logic/case.js';
import type { CaseMirror } from '../mirror.js';
import { repo, type CasePatch, type CaseRow, type HistoryRow } from '../repository.js';
import { loadRules, type Rules } from '../rules.js';
import type { ExceptionSettings } from '../settings/index.js';
import { keep, keptFor } from './read-once.js';
import { refreshResult } from './results.js';

export const EFFECTS_JOB = 'exceptions.effects';

/** What the exception use cases need, built once in index.ts. */
export interface ExceptionDeps {
  database: Database;
  directory: Directory;
  /** The workflow's rules as declared with `bot.settings` (cached; see settings/index.ts). */
  settings: ExceptionSettings;
  feishu: Feishu;
  cards: CardRenderer;
  jobs: Pick<JobQueue, 'send'>;
  config: Pick<Config, 'timeZone'>;
  log: Logger;
  mirror: CaseMirror;
}

/**
 * Follow-ups of a committed change, run from the queue (a card callback must answer within 3 s;
 * a failed Feishu call is retried without redoing the change). Each has a deterministic key.
 */
export type Effect =
  | { type: 'card' }
  | { type: 'dm_assigned'; ownerOpenId: string }
  | { type: 'approval_request'; approvalId: number }
  | { type: 'approval_decided'; approvalId: number }
  /** `by`: who pressed 升级 (absent: the SLA clock did); `note`: the reason they typed, if any. */
  | {
      type: 'escalation';
      step: string;
      recipientOpenId: string;
      message: string;
      by?: string | null;
      note?: string | null;
    }
  | { type: 'nudge'; seq: number; recipientOpenId: string }
  /** A stale recovery claim's reminder to its owner; `at` is when the sweep marked it (ISO). */
  | { type: 'claim_reminder'; claimId: number; at: string }
  | { type: 'mirror' };

export interface EffectsJob {
  caseId: number;
  /** EX000123, so a failing job's log line names the case people know (older jobs lack it). */
  caseNo?: string;
  version: number;
  effects: Effect[];
}

export const rulesOf = (x: ExceptionDeps): Promise<Rules> => loadRules(x.settings, x.config.timeZone);

/** Roles from the directory, plus lead/manager of the case's own team. */
export async function actorFor(x: ExceptionDeps, openId: string, c: Pick<CaseRow, 'teamKey'> | null): Promise<Actor> {
  // Both reads at once: on PostgreSQL they go out on two connections instead of one after the other.
  const [person, team] = await Promise.all([x.directory.person(openId), c ? x.directory.team(c.teamKey) : null]);
  const roles = new Set<Role>(
    (person?.active ? person.roles : []).flatMap((r) => (Role.safeParse(r).success ? [r as Role] : [])),
  );
  if (c) {
    keep(c, { team });
    if (team?.leadOpenId === openId) roles.add('lead');
    if (team?.managerOpenId === openId) roles.add('manager');
  }
  return { userId: openId, roles: [...roles] };
}

const STALE = 'stale_version';

/**
 * The version a card button was drawn for: a number, `null` for a card that names none (sent
 * before buttons carried one), `undefined` when the caller does not act from a card (API, chat).
 */
export type ExpectedVersion = number | null | undefined;

/** True when a click acts on an older version than the row's: a repeat or an old card. */
export const isStale = (c: Pick<CaseRow, 'version'>, expected: ExpectedVersion): boolean =>
  expected !== undefined && expected !== c.version;

/** The conditional update lost to a change committed meanwhile (e.g. the first of a double click). */
export const lostRace = (err: unknown): boolean =>
  err instanceof ConflictError && (err.details as { code?: string } | undefined)?.code === STALE;

export const SYSTEM_ACTOR: Actor = { userId: 'system', roles: ['system'] };

export interface Change {
  current: CaseRow;
  patch: CasePatch;
  /** The action name recorded in history and audit (start, approve, field_filled …). */
  action: string;
  actor: string | null;
  now: Date;
  details?: Record<string, unknown>;
  effects?: Effect[];
  /** More writes in the same transaction (an approval row, a nudge row …); may name the effects. */
  also?: (tx: Tx, updated: CaseRow) => Promise<Effect[] | void>;
}

/**
 * The one way a case changes: a conditional update on the version read, its history entry when
 * the state moved, an audit row, and its follow-ups queued in the same transaction.
 */
export async function commitChange(x: ExceptionDeps, change: Change): Promise<CaseRow> {
  const { current, patch, now } = change;
  const rules = await rulesOf(x);
  return x.database.transaction(async (tx) => {
    const updated = await repo.updateCase(tx.db, current.id, current.version, patch);
    if (!updated)
      throw new ConflictError(
        '此异常件刚被他人更新，请刷新后重试 · The case was just changed by someone else; please retry',
        { caseId: current.id, code: STALE },
      );
    // The history as read with `current` (read-once.ts), when the caller has it: still whole, since the update above
    // applied to that very version.
    let history = keptFor(current).history?.slice();
    if (updated.state !== current.state) {
      const entry = await repo.addHistory(tx.db, {
        caseId: updated.id,
        state: updated.state,
        action: change.action,
        actorOpenId: change.actor,
        at: now,
      });
      history = history && [...history, entry].sort(byTimeThenId);
    }
    await repo.audit(tx.db, {
      caseId: updated.id,
      action: change.action,
      actorOpenId: change.actor,
      details: { from: current.state, to: updated.state, ...change.details },
      at: now,
    });
    const named = await change.also?.(tx, updated);
    // The whole history of `updated`: the card drawn for it reuses it.
    keep(updated, { history: await refreshResult(tx, updated, rules, now, history) });
    await queueEffects(x, tx, updated, named ?? change.effects ?? [{ type: 'card' }]);
    return updated;
  });
}

/** The order `repo.history` answers in. */
const byTimeThenId = (a: HistoryRow, b: HistoryRow): number => a.at.getTime() - b.at.getTime() || a.id - b.id;

export async function queueEffects(x: ExceptionDeps, tx: Tx, c: CaseRow, effects: Effect[]): Promise<void> {
  const all: Effect[] = [...effects, { type: 'mirror' }];
  await x.jobs.send<EffectsJob>(
    EFFECTS_JOB,
    { caseId: c.id, caseNo: caseNo(c.id), version: c.version, effects: all },
    { tx },
  );
}

/** `EX000123`: what people see and type. */
export const caseNo = (id: number): string => `EX${String(id).padStart(6, '0')}`;

export function parseCaseNo(text: string): number | null {
  const m = /^EX-?0*(\d{1,12})$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
}
