import { APPROVER_LABELS } from '../logic/approvals.js';
import type { ApproverRole } from '../logic/case.js';
import { exceptionCards } from '../cards.js';
import { repo, type CaseRow } from '../repository.js';
import { caseNo, type Effect, type EffectsJob, type ExceptionDeps } from './context.js';
import { viewOf, type CaseView } from './view.js';
import { sendClaimReminder } from './claim-reminders.js';

const keyOf = (c: CaseRow, ...parts: Array<string | number>): string => ['exceptions:case', c.id, ...parts].join(':');

/**
 * Posts the team card once (then PATCHes it in place), and sends the DMs a change calls for.
 * Runs from the queue; every send has a deterministic key, so a retry sends nothing twice.
 */
export async function runEffects(x: ExceptionDeps, job: EffectsJob, now: Date): Promise<void> {
  const c = await repo.getCase(x.database.db, job.caseId);
  if (!c) return;
  let view: Promise<CaseView> | undefined;
  const viewOnce = () => (view ??= viewOf(x, c, now));
  for (const effect of job.effects) {
    if (effect.type === 'claim_reminder') await sendClaimReminder(x, effect.claimId, effect.at);
    else await runEffect(x, c, await viewOnce(), effect, now);
  }
}

async function runEffect(
  x: ExceptionDeps,
  c: CaseRow,
  view: CaseView,
  effect: Exclude<Effect, { type: 'claim_reminder' }>,
  now: Date,
): Promise<void> {
  const cards = exceptionCards(x.cards);
  const send = x.feishu.messages;
  switch (effect.type) {
    case 'card':
      return syncCard(x, c, now);
    case 'dm_assigned':
      await send.send({
        to: { openId: effect.ownerOpenId },
        card: cards.assigned(view),
        key: keyOf(c, 'assigned', effect.ownerOpenId),
      });
      return;
    case 'nudge':
      if (view.missing.length === 0 || c.state !== 'waiting_warehouse') return; // filled meanwhile: nothing to chase
      await send.send({
        to: { openId: effect.recipientOpenId },
        card: cards.nudge(view, effect.seq),
        key: keyOf(c, 'nudge', effect.seq),
      });
      return;
    case 'escalation':
      await send.send({
        to: { openId: effect.recipientOpenId },
        card: cards.escalation(view, { message: effect.message, by: effect.by ?? null, note: effect.note ?? null }),
        key: keyOf(c, 'escalation', effect.step),
      });
      return;
    case 'approval_request':
      return sendApprovalRequest(x, c, view, effect.approvalId);
    case 'approval_decided':
      return sendDecision(x, c, view, effect.approvalId);
    case 'mirror':
      await x.mirror.onCaseChanged({ caseNo: caseNo(c.id), case: c, key: keyOf(c, 'v', c.version) });
      return;
  }
}

/**
 * The one card per case: sent to the team group the first time (or to the owner when the team
 * has no group), PATCHed afterwards. Renders the latest row, and again if it changed meanwhile,
 * so an older job can never leave an older card behind.
 */
export async function syncCard(x: ExceptionDeps, c: CaseRow, now: Date): Promise<void> {
  const cards = exceptionCards(x.cards);
  let current = c;
  for (let i = 0; i < 3; i++) {
    const card = cards.caseCard(await viewOf(x, current, now));
    if (current.cardMessageId) {
      await x.feishu.messages.updateCard({ messageId: current.cardMessageId, card });
    } else {
      const to = current.chatId
        ? { chatId: current.chatId }
        : current.ownerOpenId
          ? { openId: current.ownerOpenId }
          : null;
      if (!to) return;
      const sent = await x.feishu.messages.send({ to, card, key: keyOf(current, 'card') });
      if (sent.messageId) await repo.setCardMessage(x.database.db, current.id, sent.messageId);
    }
    const latest = await repo.getCase(x.database.db, c.id);
    if (!latest || (latest.version === current.version && latest.cardMessageId)) return;
    current = latest;
  }
}

/** The approval card to everyone who holds the designated role for this case. */
async function approversOf(x: ExceptionDeps, c: CaseRow, role: ApproverRole): Promise<string[]> {
  const team = await x.directory.team(c.teamKey);
  const fromTeam = role === 'lead' ? team?.leadOpenId : role === 'manager' ? team?.managerOpenId : null;
  if (fromTeam) return [fromTeam];
  const people = await x.directory.people({ role, ...(role === 'finance_director' ? {} : { team: c.teamKey }) });
  return people.map((p) => p.openId);
}

async function sendApprovalRequest(x: ExceptionDeps, c: CaseRow, view: CaseView, approvalId: number): Promise<void> {
  const a = await repo.getApproval(x.database.db, approvalId);
  if (!a || a.decision !== 'pending') return;
  const role = a.approverRole as ApproverRole;
  const card = exceptionCards(x.cards).approval(view, { ...a, role: APPROVER_LABELS[role] });
  const to = await approversOf(x, c, role);
  if (to.length === 0) x.log.warn({ caseId: c.id, role }, 'no approver found for the band');
  for (const openId of to)
    await x.feishu.messages.send({ to: { openId }, card, key: keyOf(c, 'approval', approvalId, openId) });
}

async function sendDecision(x: ExceptionDeps, c: CaseRow, view: CaseView, approvalId: number): Promise<void> {
  const a = await repo.getApproval(x.database.db, approvalId);
  if (!a) return;
  const card = exceptionCards(x.cards).approvalDecided(view, a);
  const to = new Set([a.requestedBy, c.ownerOpenId].filter((v): v is string => !!v && v !== a.decidedBy));
  for (const openId of to)
    await x.feishu.messages.send({ to: { openId }, card, key: keyOf(c, 'decision', approvalId, openId) });
}
