import { z } from 'zod';
import { bi, type Bilingual } from '../../shared/bilingual.js';

/** Lifecycle of an exception case; the transitions live in state-machine.ts. */
export const CASE_STATES = [
  'new',
  'assigned',
  'waiting_warehouse',
  'waiting_customer',
  'waiting_platform',
  'in_progress',
  'pending_approval',
  'resolved',
  'closed',
  'cancelled',
] as const;
export const CaseState = z.enum(CASE_STATES);
export type CaseState = z.infer<typeof CaseState>;

export const STATE_LABELS: Readonly<Record<CaseState, Bilingual>> = {
  new: bi('新建', 'New'),
  assigned: bi('已分派', 'Assigned'),
  waiting_warehouse: bi('待仓库', 'Waiting on warehouse'),
  waiting_customer: bi('待客户', 'Waiting on customer'),
  waiting_platform: bi('待平台', 'Waiting on platform'),
  in_progress: bi('处理中', 'In progress'),
  pending_approval: bi('待审批', 'Pending approval'),
  resolved: bi('已解决', 'Resolved'),
  closed: bi('已关闭', 'Closed'),
  cancelled: bi('已取消', 'Cancelled'),
};

/** States in which the case is finished; clocks stop and nothing escalates. */
export const TERMINAL_STATES: readonly CaseState[] = ['resolved', 'closed', 'cancelled'];

export const isTerminal = (state: CaseState): boolean => TERMINAL_STATES.includes(state);

export const PRIORITIES = ['P1', 'P2', 'P3'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

export const PRIORITY_LABELS: Readonly<Record<Priority, Bilingual>> = {
  P1: bi('紧急', 'Urgent'),
  P2: bi('高', 'High'),
  P3: bi('普通', 'Normal'),
};

/** Who acts on a case. `system` is the bot itself (jobs, auto-routing, replies it parsed). */
export const Role = z.enum(['agent', 'warehouse', 'lead', 'manager', 'finance', 'finance_director', 'system']);
export type Role = z.infer<typeof Role>;

/** Roles that can be designated to approve a refund or compensation. */
export const APPROVER_ROLES = ['lead', 'manager', 'finance_director'] as const;
export const ApproverRole = z.enum(APPROVER_ROLES);
export type ApproverRole = z.infer<typeof ApproverRole>;

export interface Actor {
  readonly userId: string;
  readonly roles: readonly Role[];
}

/** One entry of a case's state history: the state it entered and when. */
export interface StateChange {
  readonly state: CaseState;
  readonly at: Date;
}
