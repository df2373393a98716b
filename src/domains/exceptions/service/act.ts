import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../core/errors.js';
import type { Actor, CaseState } from '../logic/case.js';
import { findKind } from '../logic/kinds.js';
import { transition, type CaseAction, type TransitionRefusal } from '../logic/state-machine.js';
import { repo, type CasePatch, type CaseRow } from '../repository.js';
import type { Rules } from '../rules.js';
import {
  actorFor,
  caseNo,
  commitChange,
  isStale,
  lostRace,
  rulesOf,
  type Effect,
  type ExceptionDeps,
  type ExpectedVersion,
} from './context.js';
import { line, missingAwaited } from './fields.js';
import { keep, keepTeam, keptFor } from './read-once.js';

/** The moves a person makes with the buttons on the case card (approvals have their own). */
export const CardVerb = z.enum([
  'start',
  'wait_warehouse',
  'wait_customer',
  'wait_platform',
  'resume',
  'resolve',
  'close',
  'reopen',
  'cancel',
]);
export type CardVerb = z.infer<typeof CardVerb>;

export const DisputeOutcome = z.enum(['won', 'lost']);
export type DisputeOutcome = z.infer<typeof DisputeOutcome>;

export interface ActInput {
  verb: CardVerb;
  note?: string | undefined;
  outcome?: DisputeOutcome | undefined;
  /** The case version the button was drawn for (see ExpectedVersion). */
  version?: ExpectedVersion;
}

export interface Acted {
  case: CaseRow;
  /** False when the same move had already been made (a double click): nothing changed. */
  changed: boolean;
}

export async function loadCase(x: ExceptionDeps, caseId: number): Promise<CaseRow> {
  const c = await repo.getCase(x.database.db, caseId);
  if (!c) throw new NotFoundError('异常件 case', caseNo(caseId));
  return c;
}

export const snapshot = (c: CaseRow) => ({ state: c.state, ownerId: c.ownerOpenId, approverRole: c.approverRole });

/** Turns a state-machine refusal into the typed error the edges translate (toast, HTTP status). */
export function refusalError(refusal: TransitionRefusal): Error {
  const message = line(refusal.message);
  if (refusal.code === 'not_permitted') return new ForbiddenError(message);
  if (refusal.code === 'not_allowed_in_state') return new ConflictError(message, { code: refusal.code });
  return new ValidationError(message, { code: refusal.code });
}

function toAction(input: ActInput): CaseAction {
  const reason = input.note?.trim() ?? '';
  if (input.verb === 'reopen' || input.verb === 'cancel') return { type: input.verb, reason };
  return { type: input.verb };
}

/** State-dependent columns that come with entering a state. */
export function enteringPatch(
  c: CaseRow,
  to: CaseState,
  rules: Rules,
  now: Date,
  warehouseOpenId: string | null,
): { patch: CasePatch; effects: Effect[] } {
  const patch: CasePatch = { state: to };
  const effects: Effect[] = [{ type: 'card' }];
  if (to === c.state) return { patch, effects };
  if (c.state.startsWith('waiting_')) patch.waitingSince = null;
  if (to.startsWith('waiting_')) patch.waitingSince = now;
  if (to === 'resolved') patch.resolvedAt = now;
  if (to === 'waiting_warehouse') {
    const kind = findKind(rules.kinds, c.kind);
    const missing = kind.ok ? missingAwaited(kind.value, rules.kinds, c.fields) : [];
    const recipient = c.warehouseOpenId ?? warehouseOpenId ?? c.ownerOpenId;
    patch.warehouseOpenId = recipient;
    if (missing.length > 0 && recipient) {
      // The first reminder goes out on entering the wait; the nudge job repeats it.
      patch.lastNudgeAt = now;
      patch.nudgeCount = c.nudgeCount + 1;
      effects.push({ type: 'nudge', seq: c.nudgeCount + 1, recipientOpenId: recipient });
    }
  }
  return { patch, effects };
}

/** Applies one card move if the state and the person allow it; conditional on the version read. */
export async function act(
  x: ExceptionDeps,
  caseId: number,
  input: ActInput,
  operatorOpenId: string,
  now: Date,
): Promise<Acted> {
  // The row with all its card shows, in one statement: the change and the answer's card read nothing more.
  const found = await repo.caseForCard(x.database.db, caseId);
  if (!found) throw new NotFoundError('异常件 case', caseNo(caseId));
  const { case: c, history, ...extras } = found;
  keep(c, { history, extras });
  if (isStale(c, input.version)) return { case: c, changed: false };
  const actor = await actorFor(x, operatorOpenId, c);
  try {
    const acted = await applyAction(x, c, toAction(input), actor, now, input);
    // A card move writes no escalation or approval: the steps and pending approval read with `c` hold for the new row.
    if (acted.changed) keep(acted.case, { extras });
    keepTeam(c, acted.case); // the card drawn for the answer names the team authorization read
    return acted;
  } catch (err) {
    // A double click whose twin committed first: nothing more to do, answer with the current case.
    if (input.version !== undefined && lostRace(err)) return { case: await loadCase(x, caseId), changed: false };
    throw err;
  }
}

export async function applyAction(
  x: ExceptionDeps,
  c: CaseRow,
  action: CaseAction,
  actor: Actor,
  now: Date,
  extra: Partial<ActInput> = {},
): Promise<Acted> {
  const result = transition(snapshot(c), action, actor, now);
  if (!result.ok) {
    if (result.refusal.code === 'not_allowed_in_state' && (await lastAction(x, c)) === action.type)
      return { case: c, changed: false };
    throw refusalError(result.refusal);
  }
  const rules = await rulesOf(x);
  const next = result.case;
  const warehouse =
    next.state === 'waiting_warehouse' && !c.warehouseOpenId
      ? await x.directory.nextInRotation('warehouse', 'warehouse')
      : null;
  const { patch, effects } = enteringPatch(c, next.state, rules, now, warehouse?.openId ?? null);
  patch.ownerOpenId = next.ownerId;
  patch.approverRole = next.approverRole;
  if (action.type === 'resolve' && extra.outcome) patch.disputeOutcome = extra.outcome;
  if (action.type === 'resolve' && extra.note) patch.resolution = extra.note;
  if (action.type === 'reopen') patch.resolvedAt = null;
  const updated = await commitChange(x, {
    current: c,
    patch,
    action: action.type,
    actor: actor.userId,
    now,
    details: { ...(extra.note ? { note: extra.note } : {}), ...(extra.outcome ? { outcome: extra.outcome } : {}) },
    effects,
    also: async (tx, row) => {
      if (patch.nudgeCount && patch.nudgeCount > c.nudgeCount) {
        const kind = findKind(rules.kinds, c.kind);
        const missing = kind.ok ? missingAwaited(kind.value, rules.kinds, c.fields) : [];
        await repo.insertNudge(tx.db, {
          caseId: row.id,
          seq: patch.nudgeCount,
          recipientOpenId: row.warehouseOpenId,
          missingFields: missing,
          sentAt: now,
        });
      }
    },
  });
  x.log.info(
    { caseId: c.id, action: action.type, from: c.state, to: updated.state, by: actor.userId },
    'exception case moved',
  );
  return { case: updated, changed: true };
}

async function lastAction(x: ExceptionDeps, c: CaseRow): Promise<string | undefined> {
  return (keptFor(c).history ?? (await repo.history(x.database.db, [c.id]))).at(-1)?.action;
}
