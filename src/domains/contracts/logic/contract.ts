import { z } from 'zod';
import { bi, type Bilingual } from '../../shared/bilingual.js';

/** A contract's life: draft → in approval → active → expiring → expired / terminated / renewed. */
export const CONTRACT_STATES = [
  'draft',
  'in_approval',
  'active',
  'expiring',
  'expired',
  'terminated',
  'renewed',
] as const;
export const ContractState = z.enum(CONTRACT_STATES);
export type ContractState = z.infer<typeof ContractState>;
export const TERMINAL_STATES: readonly ContractState[] = ['expired', 'terminated', 'renewed'];
/** States whose end date the expiry sweep watches. */
export const LIVE_STATES: readonly ContractState[] = ['active', 'expiring'];

export const CONTRACT_TYPES = [
  'purchase',
  'sales',
  'framework',
  'service',
  'lease',
  'marketing',
  'logistics',
  'nda',
  'other',
] as const;
export const ContractType = z.enum(CONTRACT_TYPES);
export type ContractType = z.infer<typeof ContractType>;

/** Currencies the ledger accepts (the 币种 options of 合同台账). */
export const CURRENCIES = ['CNY', 'USD', 'HKD', 'EUR'] as const;
export const Currency = z.enum(CURRENCIES);
export type Currency = z.infer<typeof Currency>;

export const STATE_LABELS: Readonly<Record<ContractState, Bilingual>> = {
  draft: bi('草稿', 'Draft'),
  in_approval: bi('审批中', 'In approval'),
  active: bi('履行中', 'Active'),
  expiring: bi('即将到期', 'Expiring'),
  expired: bi('已到期', 'Expired'),
  terminated: bi('已终止', 'Terminated'),
  renewed: bi('已续签', 'Renewed'),
};

export const TYPE_LABELS: Readonly<Record<ContractType, Bilingual>> = {
  purchase: bi('采购合同', 'Purchase'),
  sales: bi('销售合同', 'Sales'),
  framework: bi('框架协议', 'Framework'),
  service: bi('服务合同', 'Service'),
  lease: bi('租赁合同', 'Lease'),
  marketing: bi('推广/达人合作', 'Marketing'),
  logistics: bi('物流合同', 'Logistics'),
  nda: bi('保密协议', 'NDA'),
  other: bi('其他', 'Other'),
};

/** The moves the workflow makes; each names the states it may start from. */
export const MOVES = {
  submit: { from: ['draft'], to: 'in_approval' },
  approve_all: { from: ['in_approval'], to: 'active' },
  reject: { from: ['in_approval'], to: 'terminated' },
  return: { from: ['in_approval'], to: 'draft' },
  near_end: { from: ['active'], to: 'expiring' },
  end: { from: ['active', 'expiring'], to: 'expired' },
  terminate: { from: ['draft', 'active', 'expiring'], to: 'terminated' },
  renew: { from: ['active', 'expiring', 'expired'], to: 'renewed' },
} as const satisfies Record<string, { from: readonly ContractState[]; to: ContractState }>;
export type Move = keyof typeof MOVES;

/** The state after `move`, or null when the move does not apply to `state` (pure). */
export function nextState(state: ContractState, move: Move): ContractState | null {
  const m = MOVES[move];
  return (m.from as readonly ContractState[]).includes(state) ? m.to : null;
}

/** Approval steps: one row per step of a round; a return for changes starts a new round. */
export const STEP_DECISIONS = ['waiting', 'pending', 'approved', 'rejected', 'returned', 'cancelled'] as const;
export type StepDecision = (typeof STEP_DECISIONS)[number];

/** Roles an approval step can need, in the order a chain runs them. */
export const APPROVER_ROLES = ['legal', 'risk_override', 'finance', 'manager', 'general_manager'] as const;
export const ApproverRole = z.enum(APPROVER_ROLES);
export type ApproverRole = z.infer<typeof ApproverRole>;
export const ROLE_LABELS: Readonly<Record<ApproverRole, Bilingual>> = {
  legal: bi('法务', 'Legal'),
  risk_override: bi('风控特批', 'Risk override'),
  finance: bi('财务', 'Finance'),
  manager: bi('主管', 'Manager'),
  general_manager: bi('总经理', 'CEO'),
};

export const PAYMENT_STATES = ['pending_approval', 'approved', 'paid', 'rejected', 'cancelled'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];
