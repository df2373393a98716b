import { joinMarkdown, md } from '../../../core/cards/markdown.js';
import { ForbiddenError, NotFoundError } from '../../../core/errors.js';
import { contractCards } from '../cards.js';
import { LIVE_STATES } from '../logic/contract.js';
import { repo, type ContractRow } from '../repository.js';
import { badInput, commitChange, lostRace, UPDATE_WINDOW_MS, type ContractDeps, type Effect } from './context.js';

/** Directory roles that may terminate any contract (besides its owner). */
const MAY_TERMINATE = ['legal', 'manager', 'general_manager'];

export interface Ended {
  changed: boolean;
  contract: ContractRow;
}

/** A contract by its id or its number (chat names the number). */
async function find(x: ContractDeps, ref: number | string): Promise<ContractRow> {
  const c = typeof ref === 'number' ? await repo.get(x.database.db, ref) : await repo.byNo(x.database.db, ref);
  if (!c) throw new NotFoundError('合同 contract', String(ref));
  return c;
}

/**
 * 终止: the owner, legal or a manager ends a contract in force, with a reason. The move goes the one way every change
 * goes (commitChange): history with the reason, the budget's 已占用 settled to the payments still standing, the
 * requester's card, the 合同台账 row. The expiry sweep watches only contracts in force, so its reminders stop. A
 * contract no longer in force, or a card drawn from an older version, changes nothing.
 */
export async function terminate(
  x: ContractDeps,
  ref: number | string,
  version: number | null,
  reason: string,
  operator: string,
  now: Date,
): Promise<Ended> {
  const c = await find(x, ref);
  if (!LIVE_STATES.includes(c.state) || (version !== null && version !== c.version))
    return { changed: false, contract: c };
  if (!(await mayTerminate(x, c, operator)))
    throw new ForbiddenError('只有经办人、法务或主管可以终止合同 · Only the owner, legal or a manager can terminate');
  const why = reason.trim().slice(0, 500);
  if (!why) throw badInput('终止合同请填写原因 · Give a reason to terminate', 'reason');
  return change(x, c, { state: 'terminated', action: 'terminated', actor: operator, note: why, now, effects: [] });
}

/** Whether `operator` may end this contract: its owner, or an active person with a role that may end any. */
export async function mayTerminate(x: ContractDeps, c: ContractRow, operator: string): Promise<boolean> {
  if (operator === c.ownerOpenId) return true;
  const person = await x.directory.person(operator);
  return !!person?.active && person.roles.some((r) => MAY_TERMINATE.includes(r));
}

/**
 * 撤回: the requester takes a contract in approval back to a draft (to change and submit again, or leave). Every
 * step of the round still open is cancelled in the same transaction, so no approver can decide it, and the cards the
 * approvers hold are updated in place to say so.
 */
export async function withdraw(
  x: ContractDeps,
  ref: number | string,
  version: number | null,
  operator: string,
  now: Date,
): Promise<Ended> {
  const c = await find(x, ref);
  if (c.state !== 'in_approval' || (version !== null && version !== c.version)) return { changed: false, contract: c };
  if (operator !== (c.requesterOpenId ?? c.ownerOpenId))
    throw new ForbiddenError('只有申请人可以撤回 · Only the requester can withdraw');
  const steps = await repo.steps(x.database.db, c.id, c.round);
  const open = steps.filter((s) => s.decision === 'pending' || s.decision === 'waiting');
  return change(x, c, {
    state: 'draft',
    action: 'withdrawn',
    actor: operator,
    note: null,
    now,
    effects: open.filter((s) => s.decision === 'pending').map((s) => ({ type: 'step_withdrawn', stepId: s.id })),
    async also(tx) {
      for (const s of open) await repo.decideStep(tx.db, s.id, s.decision, { decision: 'cancelled' });
    },
  });
}

async function change(
  x: ContractDeps,
  c: ContractRow,
  o: {
    state: 'terminated' | 'draft';
    action: string;
    actor: string;
    note: string | null;
    now: Date;
    effects: Effect[];
    also?: Parameters<typeof commitChange>[1]['also'];
  },
): Promise<Ended> {
  try {
    const updated = await commitChange(x, {
      current: c,
      patch: { state: o.state },
      action: o.action,
      actor: o.actor,
      note: o.note,
      now: o.now,
      effects: [{ type: 'requester_card' }, ...o.effects],
      ...(o.also ? { also: o.also } : {}),
    });
    return { changed: true, contract: updated };
  } catch (err) {
    // The other click of a double click (or another change) committed first: nothing changes twice.
    if (!lostRace(err)) throw err;
    return { changed: false, contract: (await repo.get(x.database.db, c.id))! };
  }
}

/**
 * The approvers' cards of a withdrawn step become a notice without buttons: PATCHed in place while Feishu still updates
 * them (14 days), else — and when the PATCH fails, or the cards were sent before migration 0038 kept them — the notice
 * is sent anew to whoever held them, once per person (the send key). The old card's buttons name the old version, so a
 * click there changes nothing either way.
 */
export async function withdrawnCards(x: ContractDeps, c: ContractRow, stepId: number, now: Date): Promise<void> {
  const step = await repo.step(x.database.db, stepId);
  if (!step || step.decision !== 'cancelled') return;
  const card = contractCards(x.cards).notice(
    `已撤回 · Withdrawn: ${c.contractNo}`,
    joinMarkdown([
      md`**${c.contractNo}** ${c.title}`,
      md`
申请人已撤回该合同，无需再审批。The requester withdrew it; nothing to decide.
      `,
    ]),
    'grey',
  );
  const holders = [step.approverOpenId, step.escalatedTo].filter((p): p is string => !!p);
  const resend = new Set<string>(step.cardMessages.length === 0 ? holders : []);
  for (const entry of step.cardMessages) {
    // A bare id (kept before the holder and time were): the step's first card went out when it became pending.
    const card0 = typeof entry === 'string' ? { id: entry, to: null, at: step.pendingSince } : entry;
    const sentAt = card0.at ? new Date(card0.at).getTime() : 0;
    const to = card0.to ? [card0.to] : holders;
    if (now.getTime() - sentAt < UPDATE_WINDOW_MS) {
      try {
        await x.feishu.messages.updateCard({ messageId: card0.id, card });
        continue;
      } catch (err) {
        x.log.warn({ err, contractId: c.id, stepId, messageId: card0.id }, 'withdrawn approval card not updated');
      }
    }
    for (const openId of to) resend.add(openId);
  }
  for (const openId of resend)
    await x.feishu.messages.send({
      to: { openId },
      card,
      key: ['contracts', c.id, 'step', step.id, 'withdrawn', openId].join(':'),
    });
}
