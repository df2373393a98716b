import { bi, type Bilingual } from '../../shared/bilingual.js';
import { APPROVER_LABELS } from '../logic/approvals.js';
import { isTerminal, PRIORITY_LABELS, STATE_LABELS, type ApproverRole, type CaseState } from '../logic/case.js';
import type { CaseClock } from '../logic/clocks.js';
import { topStep, type EscalationStep } from '../logic/escalation.js';
import { findKind } from '../logic/kinds.js';
import { availableActions } from '../logic/state-machine.js';
import { repo, type CaseRow, type PendingApproval } from '../repository.js';
import type { Rules } from '../rules.js';
import { CardVerb } from './act.js';
import { caseNo, rulesOf, type ExceptionDeps } from './context.js';
import { clockOf } from './case-clock.js';
import { keptFor } from './read-once.js';
import { fieldLabel, missingAwaited } from './fields.js';

/** Everything a card shows about a case, decided here so the card files stay data. */
export interface CaseView {
  id: number;
  /** The row version the view was drawn from: buttons carry it so a repeat changes nothing. */
  version: number;
  no: string;
  title: string;
  kind: Bilingual;
  priority: Bilingual & { code: string };
  state: CaseState;
  stateLabel: Bilingual;
  orderNo: string | null;
  channel: string | null;
  description: string;
  /** The case's Bitable row for people (https), where a cut description can be read in full. */
  rowUrl: string | null;
  fields: Array<{ id: string; label: Bilingual; value: string }>;
  missing: Array<{ id: string; label: Bilingual }>;
  ownerOpenId: string | null;
  warehouseOpenId: string | null;
  teamName: string;
  clock: CaseClock;
  money: { atRiskFen: number; refundedFen: number; recoveredFen: number; writtenOffFen: number };
  escalation: EscalationStep | null;
  nudgeCount: number;
  pendingApproval: { id: number; role: Bilingual; amountFen: number; purpose: string } | null;
  verbs: CardVerb[];
  canEscalate: boolean;
  canRequestApproval: boolean;
  isDispute: boolean;
  disputeOutcome: string | null;
  timeZone: string;
}

// The shared card is for everyone on the team: it offers what the owner or a lead may do;
// who clicked is checked on the click.
const TEAM = (c: CaseRow) => ({ userId: c.ownerOpenId ?? '', roles: ['lead', 'manager'] as const });

export function verbsFor(c: CaseRow): CardVerb[] {
  const snap = { state: c.state, ownerId: c.ownerOpenId, approverRole: c.approverRole };
  const team = TEAM(c);
  return availableActions(snap, { userId: team.userId, roles: [...team.roles] }).flatMap((a) =>
    CardVerb.safeParse(a).success ? [a as CardVerb] : [],
  );
}

export function buildView(
  c: CaseRow,
  ctx: {
    rules: Rules;
    clock: CaseClock;
    steps: readonly EscalationStep[];
    pending: PendingApproval | null;
    teamName: string;
    timeZone: string;
  },
): CaseView {
  const { rules } = ctx;
  const kind = findKind(rules.kinds, c.kind);
  const missing = kind.ok ? missingAwaited(kind.value, rules.kinds, c.fields) : [];
  const top = topStep(ctx.steps);
  const priority = PRIORITY_LABELS[c.priority];
  return {
    id: c.id,
    version: c.version,
    no: caseNo(c.id),
    title: c.title,
    kind: kind.ok ? kind.value.label : bi(c.kind, c.kind),
    priority: { ...priority, code: c.priority },
    state: c.state,
    stateLabel: STATE_LABELS[c.state],
    orderNo: c.orderNo,
    channel: c.channel,
    description: c.description,
    rowUrl: c.bitableRecordUrl,
    fields: Object.entries(c.fields).map(([id, value]) => ({ id, label: fieldLabel(rules.kinds, id), value })),
    missing: missing.map((id) => ({ id, label: fieldLabel(rules.kinds, id) })),
    ownerOpenId: c.ownerOpenId,
    warehouseOpenId: c.warehouseOpenId,
    teamName: ctx.teamName,
    clock: ctx.clock,
    money: {
      atRiskFen: c.amountAtRiskFen,
      refundedFen: c.refundedFen,
      recoveredFen: c.recoveredFen,
      writtenOffFen: c.writtenOffFen,
    },
    escalation: top,
    nudgeCount: c.nudgeCount,
    pendingApproval: ctx.pending
      ? {
          id: ctx.pending.id,
          role:
            APPROVER_LABELS[ctx.pending.approverRole as ApproverRole] ??
            bi(ctx.pending.approverRole, ctx.pending.approverRole),
          amountFen: ctx.pending.amountFen,
          purpose: ctx.pending.purpose,
        }
      : null,
    verbs: verbsFor(c),
    canEscalate: !isTerminal(c.state) && !ctx.steps.includes('notify_manager'),
    canRequestApproval: c.state === 'in_progress',
    isDispute: c.kind === 'refund_dispute',
    disputeOutcome: c.disputeOutcome,
    timeZone: ctx.timeZone,
  };
}

/**
 * Loads what the view needs and builds it, at `now`: what a click already read for this row
 * (read-once.ts) is not read again; steps and pending approval come in one query.
 */
export async function viewOf(x: ExceptionDeps, c: CaseRow, now: Date): Promise<CaseView> {
  const rules = await rulesOf(x);
  const kept = keptFor(c);
  const [history, extras, team] = await Promise.all([
    kept.history ?? repo.history(x.database.db, [c.id]),
    kept.extras ?? repo.viewExtras(x.database.db, c.id),
    kept.team !== undefined ? kept.team : x.directory.team(c.teamKey),
  ]);
  return buildView(c, {
    rules,
    clock: clockOf(c, history, rules, now),
    steps: extras.steps,
    pending: extras.pending,
    teamName: team?.name ?? c.teamKey,
    timeZone: x.config.timeZone,
  });
}
