import { ForbiddenError, NotFoundError } from '../../../core/errors.js';
import { calendarDay } from '../../../core/zoned-time.js';
import { LIVE_STATES } from '../logic/contract.js';
import { addDays, addMonths, daysBetween } from '../logic/dates.js';
import { dueReminders, reminderKey, type DueReminder } from '../logic/reminders.js';
import { repo, type ContractRow, type SweepRow } from '../repository.js';
import { commitChange, commitMoves, EFFECTS_JOB, lostRace, type ContractDeps, type EffectsJob } from './context.js';
import { createContract } from './create.js';

export interface SweepResult {
  expiring: number;
  expired: number;
  renewed: number;
  reminders: number;
}

/** Contracts changed (or reminders recorded) per transaction of the sweep. */
const SLICE = 500;

/**
 * The daily sweep, in a constant number of statements per slice of contracts: the live contracts that can have
 * something due today (ending within the reminder or expiring window, counted from the notice deadline too) and the
 * reminders they were sent, in two queries; then the moves — to expiring, to expired — each one batch per slice
 * (conditional on the versions read, history, budget release, follow-ups, in one transaction); auto-renewals one by
 * one (each makes a contract); the reminders due today in the business time zone, recorded and queued in one batch.
 */
export async function sweepExpiry(x: ContractDeps, now: Date): Promise<SweepResult> {
  const db = x.database.db;
  const today = calendarDay(now, x.config.timeZone);
  const policy = (await x.settings.snapshot()).get(x.settings.reminders);
  const horizon = Math.max(policy.expiringDays, ...policy.offsets);
  const live = await repo.sweepCandidates(db, addDays(today, horizon));
  const sent = new Map<number, Set<string>>();
  for (const r of await repo.remindersOf(
    db,
    live.map((c) => c.id),
  ))
    (sent.get(r.contractId) ?? sent.set(r.contractId, new Set()).get(r.contractId)!).add(r.key);
  const result: SweepResult = { expiring: 0, expired: 0, renewed: 0, reminders: 0 };
  const ended = live.filter((c) => c.endDate < today);
  // Each auto-renewal makes a contract (a risk check, a number, two changes): one follow-up job each, queued at once.
  const renewing: EffectsJob[] = ended
    .filter((c) => c.autoRenew)
    .map((c) => ({
      contractId: c.id,
      contractNo: c.contractNo,
      version: c.version,
      effects: [{ type: 'auto_renew', day: today }],
    }));
  if (renewing.length) await x.jobs.sendMany<EffectsJob>(EFFECTS_JOB, renewing);
  result.renewed = renewing.length;
  const toExpire = ended.filter((c) => !c.autoRenew);
  const toExpiring = live.filter(
    (c) => c.endDate >= today && c.state === 'active' && daysBetween(today, c.endDate) <= policy.expiringDays,
  );
  const current = new Map<number, SweepRow>();
  for (let i = 0; i < Math.max(toExpire.length, toExpiring.length); i += SLICE) {
    // Between slices: card callbacks are not held behind the sweep.
    if (i > 0) await new Promise((r) => setImmediate(r));
    result.expired += (await commitMoves(x, toExpire.slice(i, i + SLICE), 'expired', now)).length;
    for (const u of await commitMoves(x, toExpiring.slice(i, i + SLICE), 'expiring', now)) current.set(u.id, u);
    result.expiring = current.size;
  }
  const due: Array<{ c: SweepRow; reminder: DueReminder }> = [];
  for (const c of live) {
    if (c.endDate < today) continue;
    const cur = current.get(c.id) ?? c;
    if (cur.snoozedUntil && cur.snoozedUntil > today) continue;
    for (const reminder of dueReminders(cur, today, policy, sent.get(c.id) ?? new Set()))
      due.push({ c: cur, reminder });
  }
  for (let i = 0; i < due.length; i += SLICE)
    result.reminders += await recordReminders(x, due.slice(i, i + SLICE), now);
  return result;
}

/** Records the reminders (each once: another sweep may have) and queues their sending, in one transaction. */
async function recordReminders(
  x: ContractDeps,
  due: Array<{ c: SweepRow; reminder: DueReminder }>,
  now: Date,
): Promise<number> {
  if (due.length === 0) return 0;
  return x.database.transaction(async (tx) => {
    const keyOf = (d: DueReminder) => reminderKey(d.kind, d.target, d.offset);
    const added = await repo.addReminders(
      tx.db,
      due.map(({ c, reminder }) => ({ contractId: c.id, key: keyOf(reminder), level: reminder.level, sentAt: now })),
    );
    const fresh = new Set(added.map((r) => `${r.contractId}|${r.key}`));
    const jobs: EffectsJob[] = due
      .filter(({ c, reminder }) => fresh.has(`${c.id}|${keyOf(reminder)}`))
      .map(({ c, reminder: d }) => ({
        contractId: c.id,
        contractNo: c.contractNo,
        version: c.version,
        effects: [
          { type: 'reminder', key: keyOf(d), level: d.level, daysLeft: d.daysLeft, kind: d.kind, target: d.target },
        ],
      }));
    if (jobs.length) await x.jobs.sendMany<EffectsJob>(EFFECTS_JOB, jobs, { tx });
    return jobs.length;
  });
}

/**
 * An auto-renewing contract past its end (queued by the sweep, run from the effects job): the renewal starts the next
 * day for the same term, already active; the old one is renewed. Anything else (renewed meanwhile, not yet ended)
 * changes nothing.
 */
export async function autoRenewDue(x: ContractDeps, c: ContractRow, day: string, now: Date): Promise<void> {
  if (!c.autoRenew || !(LIVE_STATES as readonly string[]).includes(c.state) || c.endDate >= day) return;
  const policy = (await x.settings.snapshot()).get(x.settings.reminders);
  await autoRenew(x, c, policy.renewMonths, now).catch((err: unknown) => {
    if (!lostRace(err)) throw err; // changed by a person meanwhile: the next sweep looks again
  });
}

async function autoRenew(x: ContractDeps, c: ContractRow, months: number, now: Date): Promise<ContractRow> {
  const startDate = addDays(c.endDate, 1);
  const cp = (await repo.counterparty(x.database.db, c.counterpartyId))!;
  const budgetCode = await budgetCodeOf(x, c);
  const created = await createContract(
    x,
    {
      source: 'renewal',
      externalId: `auto:${c.id}`,
      title: c.title,
      counterparty: cp.name,
      type: c.type,
      productType: c.productType,
      shopType: c.shopType,
      custom: c.custom,
      amountFen: c.amountFen,
      currency: c.currency,
      startDate,
      endDate: addDays(addMonths(startDate, months), -1),
      noticeDays: c.noticeDays,
      autoRenew: true,
      ownerOpenId: c.ownerOpenId,
      department: c.department,
      files: c.files,
      budgetCode,
      requesterOpenId: c.ownerOpenId,
      renewsId: c.id,
      submit: false,
    },
    now,
  );
  if (created.created)
    await commitChange(x, {
      current: created.contract,
      patch: { state: 'active' },
      action: 'auto_renewed',
      actor: null,
      now,
    });
  return commitChange(x, {
    current: c,
    patch: { state: 'renewed' },
    action: 'auto_renewed',
    actor: null,
    note: created.contract.contractNo,
    now,
  });
}

export type RenewalChoice = 'renew' | 'let_expire' | 'later';

/**
 * 续签 starts a prefilled renewal intake (same parties and terms, the next period) into approval;
 * 不续签 turns auto-renew off so the contract expires; 稍后提醒 snoozes the reminders. The card's
 * version makes a second click change nothing.
 */
export async function chooseRenewal(
  x: ContractDeps,
  contractId: number,
  version: number | null,
  choice: RenewalChoice,
  operator: string,
  now: Date,
): Promise<{ changed: boolean; contract: ContractRow; renewal?: ContractRow }> {
  const c = await repo.get(x.database.db, contractId);
  if (!c) throw new NotFoundError('合同 contract', String(contractId));
  if (version !== null && version !== c.version) return { changed: false, contract: c };
  if (!(LIVE_STATES as readonly string[]).includes(c.state) && !(choice === 'renew' && c.state === 'expired'))
    return { changed: false, contract: c };
  const person = await x.directory.person(operator);
  const allowed =
    operator === c.ownerOpenId ||
    (person?.roles ?? []).some((r) => ['manager', 'legal', 'finance', 'general_manager'].includes(r));
  if (!allowed)
    throw new ForbiddenError(
      '只有经办人或主管、法务、财务可以决定续签 · Only the owner, a manager, legal or finance can decide',
    );
  const today = calendarDay(now, x.config.timeZone);
  if (choice === 'later') {
    const policy = (await x.settings.snapshot()).get(x.settings.reminders);
    return {
      changed: true,
      contract: await commitChange(x, {
        current: c,
        patch: { snoozedUntil: addDays(today, policy.snoozeDays) },
        action: 'snoozed',
        actor: operator,
        note: `until ${addDays(today, policy.snoozeDays)}`,
        now,
      }),
    };
  }
  if (choice === 'let_expire') {
    return {
      changed: true,
      contract: await commitChange(x, {
        current: c,
        patch: { autoRenew: false },
        action: 'not_renewing',
        actor: operator,
        note: '不续签 let expire',
        now,
      }),
    };
  }
  const cp = (await repo.counterparty(x.database.db, c.counterpartyId))!;
  const budgetCode = await budgetCodeOf(x, c);
  const term = Math.max(1, Math.round(daysBetween(c.startDate, c.endDate) / 30.4));
  const startDate = addDays(c.endDate, 1);
  const renewal = await createContract(
    x,
    {
      source: 'renewal',
      externalId: `renew:${c.id}`,
      title: c.title,
      counterparty: cp.name,
      type: c.type,
      productType: c.productType,
      shopType: c.shopType,
      custom: c.custom,
      amountFen: c.amountFen,
      currency: c.currency,
      startDate,
      endDate: addDays(addMonths(startDate, term), -1),
      noticeDays: c.noticeDays,
      autoRenew: c.autoRenew,
      ownerOpenId: c.ownerOpenId,
      department: c.department,
      files: [],
      budgetCode,
      requesterOpenId: operator,
      renewsId: c.id,
      // A click: the risk check before renewal runs from the queue, off Feishu's 3-second callback.
      deferRisk: true,
    },
    now,
  );
  const updated = await commitChange(x, {
    current: c,
    patch: { snoozedUntil: null },
    action: 'renewal_started',
    actor: operator,
    note: renewal.contract.contractNo,
    now,
  });
  return { changed: renewal.created, contract: updated, renewal: renewal.contract };
}

/**
 * A renewal is charged to the line the contract it renews was charged to: it commits there once approved (auto-renewed:
 * at once), while the old contract releases what its payments did not use.
 */
async function budgetCodeOf(x: ContractDeps, c: ContractRow): Promise<string | null> {
  return c.budgetId ? ((await repo.budget(x.database.db, c.budgetId))?.code ?? null) : null;
}

/** When a renewal becomes active, the contract it renews is marked renewed (the chain). */
export async function closeRenewed(x: ContractDeps, renewal: ContractRow, now: Date): Promise<void> {
  if (!renewal.renewsId || renewal.state !== 'active') return;
  const old = await repo.get(x.database.db, renewal.renewsId);
  if (old && old.state !== 'renewed' && old.state !== 'terminated') {
    await commitChange(x, {
      current: old,
      patch: { state: 'renewed' },
      action: 'renewed',
      actor: null,
      note: renewal.contractNo,
      now,
    }).catch((err: unknown) => {
      if (!lostRace(err)) throw err;
    });
  }
}
