import { asc, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import type { FieldOwner, TableSeam, TableSpec } from '../../../mirror/index.js';
import { RISK_NAME } from '../bitable.js';
import { repo, type PaymentRow } from '../repository.js';
import { contractsPayments } from '../schema.js';
import { dateCell } from './cells.js';
import { gridRepo } from './repository.js';

/** 付款: every payment request against a contract, planned and paid, as finance follows them. */
export const PAYMENT_TABLE = 'contract_payments';

/** People's columns: the workflow never reads or writes them (the payee, the invoice, notes). */
const PEOPLE = ['payee', 'invoice_received', 'invoice', 'note'] as const;
/** The bot's: what the payment request, finance's decision and the paid report say; an edit there is put back. */
const BOT = [
  'payment_no',
  'contract',
  'budget',
  'amount',
  'planned_date',
  'paid_date',
  'state',
  'risk_level',
  'approval_reason',
  'requester',
  'approver',
  'created_at',
  'updated_at',
] as const;
export const PAYMENT_OWNERS: Record<string, FieldOwner> = Object.fromEntries([
  ...PEOPLE.map((k) => [k, 'people']),
  ...BOT.map((k) => [k, 'bot']),
]);

const STATE_NAME: Record<PaymentRow['state'], string> = {
  pending_approval: '待审批',
  approved: '已审批',
  paid: '已付款',
  rejected: '已驳回',
  cancelled: '已取消',
};
// The registry not answering (timeout, error, garbage) is a level of its own here: the request went on without it.
const RISK_AT_REQUEST: Record<string, string> = { ...RISK_NAME, unknown: '未知' };
const FLAG_NAME: Record<string, string> = { over_budget: '超出预算', risk: '相对方风险' };

/** The payment's number in 付款, e.g. FK000042 (the bot's record number, written with the row). */
export const paymentNo = (p: Pick<PaymentRow, 'id'>): string => `FK${String(p.id).padStart(6, '0')}`;
const idOf = (no: string): number | undefined => {
  const m = /^FK(\d{1,15})$/.exec(no.trim());
  return m ? Number(m[1]) : undefined;
};
// A request made through the API without a person (`by` defaults to 'api') has no one to show as 申请人.
const person = (openId: string | null): string[] => (openId?.startsWith('ou_') ? [openId] : []);

/** A payment as its row (codec input form), without the links. */
export function paymentRow(p: PaymentRow, timeZone: string): Record<string, unknown> {
  return {
    amount: p.amountFen / 100,
    planned_date: p.plannedDate ? dateCell(p.plannedDate, timeZone) : null,
    paid_date: p.paidDate ? dateCell(p.paidDate, timeZone) : null,
    state: STATE_NAME[p.state],
    risk_level: p.riskLevel ? (RISK_AT_REQUEST[p.riskLevel] ?? null) : null,
    approval_reason: p.flags.flatMap((f) => (FLAG_NAME[f] ? [FLAG_NAME[f]] : [])),
    requester: person(p.requestedBy),
    approver: person(p.decidedBy),
  };
}

/**
 * The declaration of 付款: rows only the bot makes, linked to the contract's 合同台账 row and the budget's 预算 row.
 * The links name record ids the workflow stored when it wrote those rows (else the mirror's copy by number/code);
 * Feishu keeps the two-way back fields (合同台账.付款记录, 预算.付款记录) itself. UNCONFIRMED: whether Feishu sends a
 * record-changed event for the back field when an app writes the link (the sandbox does not echo an app's writes).
 */
export function paymentTableSpec(db: Db, timeZone: string): TableSpec<PaymentRow> {
  return {
    owner: PAYMENT_OWNERS,
    recordNo: 'payment_no',
    label: '付款',
    numberOf: paymentNo,
    load: async (no) => {
      const id = idOf(no);
      return id === undefined ? undefined : repo.payment(db, id);
    },
    recordIdOf: (p) => p.bitableRecordId,
    async toRow(p, links) {
      const c = await repo.get(db, p.contractId);
      const b = p.budgetId ? await repo.budget(db, p.budgetId) : undefined;
      const contract = c ? (c.bitableRecordId ?? (await links('contracts', 'contract_no', c.contractNo))) : undefined;
      const budget = b ? (b.bitableRecordId ?? (await links('budgets', 'code', b.code))) : undefined;
      return {
        ...paymentRow(p, timeZone),
        ...(contract ? { contract: [contract] } : {}),
        ...(budget ? { budget: [budget] } : {}),
      };
    },
    // People's columns are theirs (the workflow reads none of them): every edit there is taken. Declaring the hook is
    // also what makes the kit hand this table's edits over, so an edit of the bot's cells is put back with a DM.
    onEdit: async () => [],
    async onWritten(p, written) {
      if (written.recordId !== p.bitableRecordId) await gridRepo.setPaymentRecord(db, p.id, written.recordId);
    },
  };
}

/**
 * `feishu-ops sync`: every payment that has no 付款 row yet (requested before the 付款 mirror, or its write failed) is
 * written through the table's own seam, as a payment's change writes it; rows already there are the reconcile's.
 */
export function paymentsForSync(db: Db, table: TableSeam<PaymentRow>): () => Promise<string> {
  return async () => {
    const missing = await db
      .select()
      .from(contractsPayments)
      .where(isNull(contractsPayments.bitableRecordId))
      .orderBy(asc(contractsPayments.id));
    let written = 0;
    const failed: string[] = [];
    for (const p of missing) {
      // One payment Feishu refuses (e.g. a person it does not know) does not stop the others; it is named.
      const done = await table.write(p).catch(() => (failed.push(paymentNo(p)), null));
      if (done === undefined) return '付款 payments: Bitable not provisioned, nothing written';
      if (done) written++;
    }
    return (
      `付款 payments: ${written} payments without a row written 补写` +
      (failed.length > 0 ? `, ${failed.length} failed 失败 (${failed.join(', ')})` : '')
    );
  };
}
