import { z } from 'zod';
import { bi, type DomainProblem } from '../../shared/bilingual.js';
import {
  CaseState,
  STATE_LABELS,
  TERMINAL_STATES,
  type Actor,
  type ApproverRole,
  type Role,
  type StateChange,
} from './case.js';

export type CaseAction =
  | { readonly type: 'assign'; readonly assigneeId: string }
  | { readonly type: 'reassign'; readonly assigneeId: string }
  | { readonly type: 'start' }
  | { readonly type: 'wait_warehouse' }
  | { readonly type: 'wait_customer' }
  | { readonly type: 'wait_platform' }
  /** The field the case waited for arrived (card, Bitable or chat reply). */
  | { readonly type: 'field_filled' }
  | { readonly type: 'resume' }
  | { readonly type: 'request_approval'; readonly approverRole: ApproverRole }
  | { readonly type: 'approve' }
  | { readonly type: 'reject'; readonly reason: string }
  | { readonly type: 'escalate_approval'; readonly approverRole: ApproverRole }
  | { readonly type: 'resolve' }
  | { readonly type: 'close' }
  | { readonly type: 'reopen'; readonly reason: string }
  | { readonly type: 'cancel'; readonly reason: string };
export type CaseActionType = CaseAction['type'];

/** `owner`: the case's owner; `approver`: holds the role designated for the pending approval. */
export type Permission = Role | 'owner' | 'approver';

export interface TransitionRule {
  readonly from: readonly CaseState[];
  /** `same` keeps the state (re-assignment, escalating an approval). */
  readonly to: CaseState | 'same';
  readonly by: readonly Permission[];
}

const WAITING: CaseState[] = ['waiting_warehouse', 'waiting_customer', 'waiting_platform'];
const OPEN: CaseState[] = CaseState.options.filter((s) => !TERMINAL_STATES.includes(s));
const WORKING: CaseState[] = ['assigned', 'in_progress', ...WAITING];
const LEADS: Permission[] = ['lead', 'manager'];

export const DEFAULT_TRANSITIONS: Readonly<Record<CaseActionType, TransitionRule>> = {
  assign: { from: ['new'], to: 'assigned', by: [...LEADS, 'system'] },
  reassign: { from: OPEN.filter((s) => s !== 'new'), to: 'same', by: [...LEADS, 'system'] },
  start: { from: ['assigned'], to: 'in_progress', by: ['owner', ...LEADS] },
  wait_warehouse: {
    from: WORKING.filter((s) => s !== 'waiting_warehouse'),
    to: 'waiting_warehouse',
    by: ['owner', ...LEADS, 'system'],
  },
  wait_customer: {
    from: WORKING.filter((s) => s !== 'waiting_customer'),
    to: 'waiting_customer',
    by: ['owner', ...LEADS],
  },
  wait_platform: {
    from: WORKING.filter((s) => s !== 'waiting_platform'),
    to: 'waiting_platform',
    by: ['owner', ...LEADS],
  },
  field_filled: { from: ['waiting_warehouse'], to: 'in_progress', by: ['warehouse', 'owner', ...LEADS, 'system'] },
  resume: { from: WAITING, to: 'in_progress', by: ['owner', ...LEADS, 'system'] },
  request_approval: { from: ['in_progress'], to: 'pending_approval', by: ['owner', ...LEADS] },
  approve: { from: ['pending_approval'], to: 'in_progress', by: ['approver'] },
  reject: { from: ['pending_approval'], to: 'in_progress', by: ['approver'] },
  escalate_approval: { from: ['pending_approval'], to: 'same', by: ['approver', 'owner'] },
  resolve: { from: ['in_progress'], to: 'resolved', by: ['owner', ...LEADS] },
  close: { from: ['resolved'], to: 'closed', by: ['owner', ...LEADS, 'system'] },
  reopen: { from: ['resolved', 'closed'], to: 'in_progress', by: LEADS },
  cancel: { from: OPEN, to: 'cancelled', by: LEADS },
};

/** Which states stop the internal SLA clock; configurable, waiting on others by default. */
export const ClockPolicy = z.object({
  pausingStates: z.array(CaseState).default(['waiting_customer', 'waiting_platform']),
});
export type ClockPolicy = z.infer<typeof ClockPolicy>;
export const DEFAULT_CLOCK_POLICY: ClockPolicy = ClockPolicy.parse({});

export type ClockStatus = 'running' | 'paused' | 'stopped';

export function clockStatusIn(state: CaseState, policy: ClockPolicy = DEFAULT_CLOCK_POLICY): ClockStatus {
  if (TERMINAL_STATES.includes(state)) return 'stopped';
  return policy.pausingStates.includes(state) ? 'paused' : 'running';
}

/** The part of a case the state machine reads and writes. */
export interface CaseSnapshot {
  readonly state: CaseState;
  readonly ownerId: string | null;
  /** Set while an approval is pending: the role that must decide. */
  readonly approverRole: ApproverRole | null;
}

export type TransitionRefusalCode =
  'not_allowed_in_state' | 'not_permitted' | 'reason_required' | 'assignee_required' | 'same_approver';
export type TransitionRefusal = DomainProblem<TransitionRefusalCode>;

export type TransitionResult<C extends CaseSnapshot> =
  | { readonly ok: true; readonly case: C; readonly change: StateChange; readonly changed: boolean }
  | { readonly ok: false; readonly refusal: TransitionRefusal };

function holds(permission: Permission, c: CaseSnapshot, actor: Actor): boolean {
  if (permission === 'owner') return c.ownerId !== null && c.ownerId === actor.userId;
  if (permission === 'approver') return c.approverRole !== null && actor.roles.includes(c.approverRole);
  return actor.roles.includes(permission);
}

function refuse<C extends CaseSnapshot>(code: TransitionRefusalCode, zh: string, en: string): TransitionResult<C> {
  return { ok: false, refusal: { code, message: bi(zh, en) } };
}

function missingInput<C extends CaseSnapshot>(action: CaseAction): TransitionResult<C> | null {
  if ((action.type === 'assign' || action.type === 'reassign') && action.assigneeId.trim() === '') {
    return refuse('assignee_required', '请选择处理人', 'Choose an assignee');
  }
  if (
    (action.type === 'reject' || action.type === 'reopen' || action.type === 'cancel') &&
    action.reason.trim() === ''
  ) {
    return refuse('reason_required', '请填写原因', 'A reason is required');
  }
  return null;
}

/**
 * Applies an action to a case if the current state and the actor allow it.
 * Returns the updated case and the history entry to append, or a typed refusal.
 */
export function transition<C extends CaseSnapshot>(
  c: C,
  action: CaseAction,
  actor: Actor,
  now: Date,
  rules: Readonly<Record<CaseActionType, TransitionRule>> = DEFAULT_TRANSITIONS,
): TransitionResult<C> {
  const rule = rules[action.type];
  if (!rule.from.includes(c.state)) {
    const state = STATE_LABELS[c.state];
    return refuse(
      'not_allowed_in_state',
      `「${state.zh}」状态下不能执行此操作`,
      `Cannot ${action.type} a case that is ${state.en.toLowerCase()}`,
    );
  }
  if (!rule.by.some((p) => holds(p, c, actor))) {
    return refuse('not_permitted', '你没有权限执行此操作', `You are not allowed to ${action.type} this case`);
  }
  const invalid = missingInput<C>(action);
  if (invalid) return invalid;
  if (action.type === 'escalate_approval' && action.approverRole === c.approverRole) {
    return refuse('same_approver', '已由该角色审批，无需升级', 'The approval already sits with that role');
  }
  const to = rule.to === 'same' ? c.state : rule.to;
  const next: C = { ...c, state: to, ...updatedFields(c, action) };
  return { ok: true, case: next, change: { state: to, at: now }, changed: to !== c.state };
}

function updatedFields(c: CaseSnapshot, action: CaseAction): Partial<CaseSnapshot> {
  switch (action.type) {
    case 'assign':
    case 'reassign':
      return { ownerId: action.assigneeId };
    case 'request_approval':
    case 'escalate_approval':
      return { approverRole: action.approverRole };
    case 'approve':
    case 'reject':
    case 'cancel':
      return { approverRole: null };
    default:
      return { approverRole: c.approverRole };
  }
}

/** The actions an actor may take now — for the buttons on the case card. */
export function availableActions(
  c: CaseSnapshot,
  actor: Actor,
  rules: Readonly<Record<CaseActionType, TransitionRule>> = DEFAULT_TRANSITIONS,
): CaseActionType[] {
  return (Object.keys(rules) as CaseActionType[]).filter((type) => {
    const rule = rules[type];
    return rule.from.includes(c.state) && rule.by.some((p) => holds(p, c, actor));
  });
}
