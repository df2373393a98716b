import { ForbiddenError, ValidationError } from '../../../core/errors.js';
import type { Actor } from '../logic/case.js';
import { findKind } from '../logic/kinds.js';
import { extractTrackingReply, type TrackingField } from '../logic/tracking-reply.js';
import { repo, type CaseRow } from '../repository.js';
import {
  actorFor,
  caseNo,
  commitChange,
  isStale,
  lostRace,
  parseCaseNo,
  rulesOf,
  SYSTEM_ACTOR,
  type ExceptionDeps,
  type ExpectedVersion,
} from './context.js';
import { line, missingAwaited, validateFields } from './fields.js';
import { loadCase } from './act.js';

export type FillSource = 'card' | 'chat' | 'bitable' | 'api';

export interface Filled {
  case: CaseRow;
  changed: boolean;
  /** Fields the case still waits for. */
  missing: string[];
}

function mayFill(c: CaseRow, actor: Actor): boolean {
  if (actor.userId === c.warehouseOpenId || actor.userId === c.ownerOpenId) return true;
  return actor.roles.some((r) => ['warehouse', 'lead', 'manager', 'system'].includes(r));
}

/**
 * Enters numbers on a case — from the card, a chat reply, Bitable or the API alike. Once
 * nothing awaited is missing, a case waiting on the warehouse moves on (and the nudges stop,
 * since they only run while it waits).
 *
 * Without an expected version (chat, Bitable, API) the number is meant for the case as it is:
 * losing the race to a concurrent change (two grid edits of the row processed at once) re-reads
 * the case and applies it again, where an equal number is found already in. It is never refused
 * as "changed by someone else", which told people an edit that took had not.
 */
export async function fillFields(
  x: ExceptionDeps,
  caseId: number,
  values: Record<string, string | undefined>,
  by: { actor: Actor; source: FillSource; version?: ExpectedVersion },
  now: Date,
): Promise<Filled> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fillOnce(x, caseId, values, by, now);
    } catch (err) {
      if (by.version !== undefined || !lostRace(err) || attempt >= 5) throw err;
    }
  }
}

async function fillOnce(
  x: ExceptionDeps,
  caseId: number,
  values: Record<string, string | undefined>,
  by: { actor: Actor; source: FillSource; version?: ExpectedVersion },
  now: Date,
): Promise<Filled> {
  const c = await loadCase(x, caseId);
  if (!mayFill(c, by.actor))
    throw new ForbiddenError(
      '只有仓库、负责人或组长可以回填 · Only the warehouse, the owner or a lead may fill this in',
    );
  const rules = await rulesOf(x);
  let valid = validateFields(rules.kinds, values);
  if (Object.keys(valid).length === 0) throw new ValidationError('请填写单号 · Please enter a number');
  // From an outdated card (a repeat, or a nudge sent before the case moved) a number still
  // fills an empty field, the step the card asked for, but never overwrites one entered since.
  if (isStale(c, by.version)) valid = Object.fromEntries(Object.entries(valid).filter(([k]) => !c.fields[k]));
  const kind = findKind(rules.kinds, c.kind);
  const merged = { ...c.fields, ...valid };
  const missing = kind.ok ? missingAwaited(kind.value, rules.kinds, merged) : [];
  const same = Object.entries(valid).every(([k, v]) => c.fields[k] === v);
  if (same)
    return { case: c, changed: false, missing: kind.ok ? missingAwaited(kind.value, rules.kinds, c.fields) : [] };
  const moveOn = c.state === 'waiting_warehouse' && missing.length === 0;
  const updated = await commitChange(x, {
    current: c,
    patch: { fields: merged, ...(moveOn ? { state: 'in_progress', waitingSince: null } : {}) },
    action: moveOn ? 'field_filled' : 'fill_fields',
    actor: by.actor.userId,
    now,
    details: { source: by.source, values: valid },
  }).catch(async (err: unknown) => {
    if (by.version !== undefined && lostRace(err)) return null;
    throw err;
  });
  if (!updated) {
    const latest = await loadCase(x, caseId);
    return {
      case: latest,
      changed: false,
      missing: kind.ok ? missingAwaited(kind.value, rules.kinds, latest.fields) : [],
    };
  }
  x.log.info(
    { caseId: c.id, source: by.source, fields: Object.keys(valid), movedOn: moveOn },
    'exception fields filled',
  );
  return { case: updated, changed: true, missing };
}

export interface ChatFill extends Filled {
  field: TrackingField;
  number: string;
}

/**
 * A chat reply like `单号 SF1234567890123`: the case is the one named in the text (EX000123),
 * else the card replied to, else the single case waiting on this person.
 */
export async function fillFromChat(
  x: ExceptionDeps,
  text: string,
  sender: string,
  repliedTo: string | undefined,
  now: Date,
): Promise<ChatFill> {
  const c = await caseForReply(x, text, sender, repliedTo);
  const rules = await rulesOf(x);
  const kind = findKind(rules.kinds, c.kind);
  const awaited = kind.ok ? missingAwaited(kind.value, rules.kinds, c.fields) : [];
  const defaultField: TrackingField =
    awaited.includes('return_tracking_number') && !awaited.includes('tracking_number')
      ? 'return_tracking_number'
      : 'tracking_number';
  const reply = extractTrackingReply(text.replace(/EX-?\d+/i, ' '), defaultField);
  if (!reply)
    throw new ValidationError(
      '没有找到单号，请按「单号 SF1234567890123」回复 · No number found; reply like "单号 SF1234567890123"',
    );
  if (!reply.ok) throw new ValidationError(line(reply.error.message), { code: reply.error.code });
  const actor = await actorFor(x, sender, c);
  const filled = await fillFields(
    x,
    c.id,
    { [reply.value.field]: reply.value.number.number },
    { actor, source: 'chat' },
    now,
  );
  return { ...filled, field: reply.value.field, number: reply.value.number.number };
}

async function caseForReply(
  x: ExceptionDeps,
  text: string,
  sender: string,
  repliedTo: string | undefined,
): Promise<CaseRow> {
  const named = /EX-?\d+/i.exec(text);
  if (named) return loadCase(x, parseCaseNo(named[0]) ?? 0);
  const waiting = await repo.casesInState(x.database.db, 'waiting_warehouse');
  if (repliedTo) {
    const byCard = await repo.openCaseByCard(x.database.db, repliedTo);
    if (byCard) return byCard;
  }
  const mine = waiting.filter((c) => c.warehouseOpenId === sender || c.ownerOpenId === sender);
  if (mine.length === 1) return mine[0]!;
  // Says what to do, never who the sender is to the system (no open id in a reply).
  if (mine.length === 0) {
    throw new ValidationError(
      '你当前没有待回填单号的异常件。请回复工单卡片，或带上工单号，如「单号 EX000123 SF1234567890123」 · No case is waiting on you for a number; ' +
        'reply to the case card or include the case number',
      { code: 'no_waiting_case' },
    );
  }
  const list = mine
    .slice(0, 5)
    .map((c) => caseNo(c.id))
    .join('、');
  throw new ValidationError(
    `你有多个待回填的异常件（${list}），请带上工单号，如「单号 ${caseNo(mine[0]!.id)} SF1234567890123」 · Several cases wait on you; ` +
      `include the case number`,
  );
}

/** Bitable and the API fill as the system once their own boundary has authenticated the caller. */
export const systemFill = { actor: SYSTEM_ACTOR, source: 'api' as FillSource };
