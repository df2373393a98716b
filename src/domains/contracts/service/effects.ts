import { calendarDay } from '../../../core/zoned-time.js';
import { contractCards } from '../cards.js';
import { repo, type ContractRow } from '../repository.js';
import { approverFor, startApproval } from './approvals.js';
import {
  commitChange,
  lostRace,
  UPDATE_WINDOW_MS,
  type ContractDeps,
  type Effect,
  type EffectsJob,
} from './context.js';
import { checkRisk } from './risk.js';
import { autoRenewDue } from './expiry.js';
import { tellBudgetOwner } from './budget-alerts.js';
import { mayTerminate, withdrawnCards } from './terminate.js';
import { LIVE_STATES } from '../logic/contract.js';
import { viewOf } from './view.js';

const keyOf = (c: Pick<ContractRow, 'id'>, ...parts: Array<string | number>): string =>
  ['contracts', c.id, ...parts].join(':');

/** Runs a change's follow-ups from the queue; every send has a deterministic key, so a retry sends nothing twice. */
export async function runEffects(x: ContractDeps, job: EffectsJob, now: Date): Promise<void> {
  const c = await repo.get(x.database.db, job.contractId);
  if (!c) return;
  for (const effect of job.effects) await runEffect(x, c, effect, now);
}

async function runEffect(x: ContractDeps, c: ContractRow, effect: Effect, now: Date): Promise<void> {
  const cards = contractCards(x.cards);
  const send = x.feishu.messages;
  switch (effect.type) {
    case 'requester_card':
      return syncRequesterCard(x, c, now);
    case 'submit':
      return submitChecked(x, c, now);
    case 'auto_renew':
      return autoRenewDue(x, c, effect.day, now);
    case 'approval_card': {
      const step = await repo.step(x.database.db, effect.stepId);
      if (!step || step.decision !== 'pending' || !step.approverOpenId) return;
      const card = cards.approval(await viewOf(x, c), step);
      const sent = await send.send({ to: { openId: step.approverOpenId }, card, key: keyOf(c, 'step', step.id) });
      await repo.addStepCard(x.database.db, step.id, { messageId: sent.messageId, to: step.approverOpenId, at: now });
      return;
    }
    case 'step_reminder':
    case 'step_escalated': {
      const step = await repo.step(x.database.db, effect.stepId);
      if (!step || step.decision !== 'pending' || step.round !== c.round) return;
      const view = await viewOf(x, c);
      if (effect.type === 'step_escalated') {
        if (!step.escalatedTo) return;
        const card = cards.approval(view, step, { kind: 'escalated', timeZone: x.config.timeZone });
        const sent = await send.send({
          to: { openId: step.escalatedTo },
          card,
          key: keyOf(c, 'step', step.id, 'escalated'),
        });
        await repo.addStepCard(x.database.db, step.id, { messageId: sent.messageId, to: step.escalatedTo, at: now });
        // The requester learns it once (a step escalates once; the key makes a retried job a no-op). The manager it
        // went to already has the card above, so a requester who is that manager is not told twice.
        const requester = c.requesterOpenId ?? c.ownerOpenId;
        if (requester !== step.escalatedTo)
          await send.send({
            to: { openId: requester },
            card: cards.escalationNotice(view, step, x.config.timeZone),
            key: keyOf(c, 'step', step.id, 'escalated', 'requester'),
          });
        return;
      }
      const card = cards.approval(view, step, { kind: 'reminder', timeZone: x.config.timeZone });
      // The person it was escalated to is reminded too, from the day after the escalation.
      const escalatedBefore =
        step.escalatedTo && step.escalatedAt && calendarDay(step.escalatedAt, x.config.timeZone) < effect.day;
      const to = [step.approverOpenId, escalatedBefore ? step.escalatedTo : null].filter((o): o is string => !!o);
      for (const openId of to) {
        const sent = await send.send({
          to: { openId },
          card,
          key: keyOf(c, 'step', step.id, 'remind', effect.day, openId),
        });
        await repo.addStepCard(x.database.db, step.id, { messageId: sent.messageId, to: openId, at: now });
      }
      return;
    }
    case 'step_withdrawn':
      return withdrawnCards(x, c, effect.stepId, now);
    case 'reminder': {
      // Terminated (or otherwise ended) since the sweep queued it: no reminder.
      if (!LIVE_STATES.includes(c.state)) return;
      const view = await viewOf(x, c);
      for (const openId of await reminderRecipients(x, c, effect.level)) {
        // 终止 only on the cards of those who may end it (finance is told, and may renew, but not end).
        const card = cards.reminder(view, effect, await mayTerminate(x, c, openId));
        await send.send({ to: { openId }, card, key: keyOf(c, 'reminder', effect.key, openId) });
      }
      return;
    }
    case 'payment_card': {
      const p = await repo.payment(x.database.db, effect.paymentId);
      if (!p || p.state !== 'pending_approval') return;
      const to = await approverFor(x, 'finance', c);
      if (!to) return void x.log.warn({ contractId: c.id, paymentId: p.id }, 'no finance approver for the payment');
      // The counterparty as it stands now (checked again at the request; from the cache here), not as at signing.
      const cp = await repo.counterparty(x.database.db, c.counterpartyId);
      const view = await viewOf(x, c);
      const risk = cp ? await checkRisk(x, cp, now, c.id) : view.risk;
      await send.send({
        to: { openId: to },
        card: cards.paymentApproval({ ...view, risk }, p),
        key: keyOf(c, 'payment', p.id),
      });
      return;
    }
    case 'budget':
      await x.mirror.onBudgetChanged(effect.budgetId);
      return;
    case 'payment':
      await x.mirror.onPaymentChanged(effect.paymentId);
      return;
    case 'budget_alert':
      return tellBudgetOwner(x, effect);
    case 'mirror':
      await x.mirror.onChanged(c);
      return;
  }
}

/** A deferred intake (a card click): the risk check, kept on the contract, then the chain. A repeat does nothing. */
async function submitChecked(x: ContractDeps, c: ContractRow, now: Date): Promise<void> {
  if (c.state !== 'draft' || c.round > 0) return;
  let current = c;
  const cp = await repo.counterparty(x.database.db, c.counterpartyId);
  if (!current.risk && cp) {
    const risk = await checkRisk(x, cp, now, c.id);
    current = await commitChange(x, {
      current: c,
      patch: { risk: risk as unknown as Record<string, unknown>, riskLevel: risk.level },
      action: 'risk_checked',
      actor: null,
      note: risk.level,
      now,
      effects: [],
    });
  }
  try {
    await startApproval(x, current, c.requesterOpenId, now);
  } catch (err) {
    // The intake started it meanwhile (create.ts, risk known at once): submitted once, nothing to do.
    if (!lostRace(err)) throw err;
  }
}

/** Owner first; then with the manager; then legal and finance too. */
async function reminderRecipients(x: ContractDeps, c: ContractRow, level: number): Promise<string[]> {
  const out = new Set<string>([c.ownerOpenId]);
  if (level >= 2) {
    const m = await approverFor(x, 'manager', c);
    if (m) out.add(m);
  }
  if (level >= 3) {
    for (const role of ['legal', 'finance'] as const) {
      const p = await approverFor(x, role, c);
      if (p) out.add(p);
    }
  }
  return [...out];
}

/**
 * The requester's one card: sent once, PATCHed in place afterwards with the latest row (again
 * if the row changed meanwhile, so an older job never leaves an older card); a card past the
 * 14-day update window is sent anew.
 */
export async function syncRequesterCard(x: ContractDeps, c: ContractRow, now: Date): Promise<void> {
  const to = c.requesterOpenId ?? c.ownerOpenId;
  let current = c;
  for (let i = 0; i < 3; i++) {
    const card = contractCards(x.cards).contract(await viewOf(x, current));
    const fresh =
      current.cardMessageId && current.cardSentAt && now.getTime() - current.cardSentAt.getTime() < UPDATE_WINDOW_MS;
    if (fresh) {
      await x.feishu.messages.updateCard({ messageId: current.cardMessageId!, card });
    } else {
      const sent = await x.feishu.messages.send({
        to: { openId: to },
        card,
        key: keyOf(current, 'card', current.cardSentAt ? current.cardSentAt.getTime() : 0),
      });
      if (sent.messageId) await repo.setCard(x.database.db, current.id, sent.messageId, now);
    }
    const latest = await repo.get(x.database.db, c.id);
    if (!latest || (latest.version === current.version && latest.cardMessageId)) return;
    current = latest;
  }
}
