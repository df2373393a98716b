import type { Db } from '../../db/client.js';
import type { FieldOwner, TableSpec } from '../../mirror/index.js';
import { repo, type ClaimRow } from './repository.js';
import { caseNo } from './service/context.js';

/** 追款 (recovery_claims): every loss-recovery claim of a case, one row each, kept by the bot. */
export const CLAIMS_TABLE = 'recovery_claims';

export const claimNo = (id: number): string => `ZK${String(id).padStart(6, '0')}`;
const parseClaimNo = (text: string): number | null => {
  const m = /^ZK0*(\d{1,12})$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
};

const STATE_NAME: Record<string, string> = {
  open: '已提交',
  partially_recovered: '部分追回',
  recovered: '已追回',
  written_off: '已核销',
};
const COUNTERPARTY_NAME: Record<string, string> = {
  carrier: '快递公司',
  platform: '平台',
  customer: '客户',
  supplier: '供应商',
  other: '其他',
};

// Money, state and dates follow the claim's workflow; people keep notes, evidence and follow-ups.
export const CLAIM_OWNERS: Record<string, FieldOwner> = {
  claim_no: 'bot',
  exception: 'bot',
  counterparty_type: 'bot',
  counterparty: 'bot',
  claim_amount: 'bot',
  recovered_amount: 'bot',
  outstanding: 'bot',
  state: 'bot',
  owner: 'bot',
  submitted_at: 'bot',
  recovered_at: 'bot',
  created_at: 'bot',
  updated_at: 'bot',
  carrier: 'people',
  next_follow_up: 'people',
  evidence: 'people',
  note: 'people',
};

/** A claim as a row (codec input form). */
export function claimRow(c: ClaimRow): Record<string, unknown> {
  return {
    claim_no: claimNo(c.id),
    counterparty_type: COUNTERPARTY_NAME[c.counterpartyType] ?? null,
    counterparty: c.counterparty || null,
    claim_amount: c.claimFen / 100,
    recovered_amount: c.recoveredFen / 100,
    state: STATE_NAME[c.state] ?? null,
    owner: c.ownerOpenId ? [c.ownerOpenId] : [],
    submitted_at: c.openedAt,
    recovered_at: c.state === 'recovered' ? c.closedAt : null,
  };
}

/**
 * The declaration of 追款. `withEdits` (the running bot) hears people's edits: their columns are
 * theirs, the rest is put back; without it (`feishu-ops sync`) rows are only written and repaired.
 */
export function claimTableSpec(database: Db, options: { withEdits: boolean }): TableSpec<ClaimRow> {
  return {
    owner: CLAIM_OWNERS,
    recordNo: 'claim_no',
    label: '追款',
    numberOf: (c) => claimNo(c.id),
    async load(no) {
      const id = parseClaimNo(no);
      return id ? ((await repo.getClaim(database, id)) ?? undefined) : undefined;
    },
    async toRow(c, links) {
      const exception = await links('exceptions', 'case_no', caseNo(c.caseId));
      return { ...claimRow(c), ...(exception ? { exception: [exception] } : {}) };
    },
    // People's columns (notes, evidence, follow-ups) are not held by the workflow: nothing to refuse.
    ...(options.withEdits ? { onEdit: async () => [] } : {}),
  };
}
