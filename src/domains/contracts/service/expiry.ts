import { ForbiddenError, NotFoundError } from '../../../core/errors.js';
import { calendarDay } from '../../../core/zoned-time.js';
import { LIVE_STATES } from '../logic/contract.js';
import { addDays, addMonths, daysBetween } from '../logic/dates.js';
import { dueReminders, reminderKey } from '../logic/reminders.js';
import { repo, type ContractRow } from '../repository.js';
import { commitChange, lostRace, type ContractDeps } from './context.js';
import { createContract } from './create.js';

export interface SweepResult {
  expiring: number;
  expired: number;
  renewed: number;
  reminders: number;
}

/**
 * The daily sweep: live contracts and the reminders already sent in two queries, then per
 * contract only what changes — expiring within the window, expired (or auto-renewed) after the
 * end date, and the reminders due today in the business time zone.
 */
export async function sweepExpiry(x: ContractDeps, now: Date): Promise<SweepResult> {
  const db = x.database.db;
  const today = calendarDay(now, x.config.timeZone);
  const policy = (await x.settings.snapshot()).get(x.settings.reminders);
  const live = await repo.inStates(db, LIVE_STATES);
  const sent = new Map<number, Set<string>>();
  for (const r of await repo.remindersOf(
    db,
    live.map((c) => c.id),
  ))
    (sent.get(r.contractId) ?? sent.set(r.contractId, new Set()).get(r.contractId)!).add(r.key);
  const result: SweepResult = { expiring: 0, expired: 0, renewed: 0, reminders: 0 };
  let i = 0;
  for (const c of live) {
    if (++i % 200 === 0) await new Promise((r) => setImmediate(r)); // card callbacks are not held behind the sweep
    try {
      if (c.endDate < today) {
        if (c.autoRenew) {
          await autoRenew(x, c, policy.renewMonths, now);
          result.renewed++;
        } else {
          await commitChange(x, { current: c, patch: { state: 'expired' }, action: 'expired', actor: null, now });
          result.expired++;
        }
        continue;
      }
      let current = c;
      if (c.state === 'active' && daysBetween(today, c.endDate) <= policy.expiringDays) {
        current = await commitChange(x, {
          current: c,
          patch: { state: 'expiring' },
          action: 'expiring',
          actor: null,
          now,
        });
        result.expiring++;
      }
      if (current.snoozedUntil && current.snoozedUntil > today) continue;
      for (const due of dueReminders(current, today, policy, sent.get(c.id) ?? new Set())) {
        const key = reminderKey(due.kind, due.target, due.offset);
        await x.database.transaction(async (tx) => {
          if (!(await repo.addReminder(tx.db, { contractId: c.id, key, level: due.level, sentAt: now }))) return;
          await x.jobs.send(
            'contracts.effects',
            {
              contractId: c.id,
              contractNo: c.contractNo,
              version: current.version,
              effects: [
                { type: 'reminder', key, level: due.level, daysLeft: due.daysLeft, kind: due.kind, target: due.target },
              ],
            },
            { tx },
          );
          result.reminders++;
        });
      }
    } catch (err) {
      if (!lostRace(err)) throw err; // changed by a person meanwhile: the next sweep looks again
    }
  }
  return result;
}

/**
 * An auto-renewing contract past its end: the renewal starts the next day for the same term, already active; the old
 * one is renewed.
 */
async function autoRenew(x: ContractDeps, c: ContractRow, months: number, now: Date): Promise<ContractRow> {
  const startDate = addDays(c.endDate, 1);
  const cp = (await repo.counterparty(x.database.db, c.counterpartyId))!;
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
