import type { FieldOwner, TableSpec } from '../../mirror/index.js';
import { fromZonedParts } from '../../core/zoned-time.js';
import type { Db } from '../../db/client.js';
import { repo, type ContractRow } from './repository.js';

/**
 * 合同台账, declared once: who owns each column and a contract as a row. The workflow keeps the
 * ledger (number, state, terms as approved, risk); people keep their notes, tags, files and
 * payment terms. Columns staff add to the template themselves are theirs and never written.
 */
export const TABLE = 'contracts';

const STATE_NAME: Record<string, string> = {
  draft: '草稿',
  in_approval: '审批中',
  active: '履行中',
  expiring: '即将到期',
  expired: '已到期',
  terminated: '已终止',
  renewed: '已续签',
};
const TYPE_NAME: Record<string, string> = {
  purchase: '采购合同',
  sales: '销售合同',
  framework: '框架协议',
  service: '服务合同',
  lease: '租赁合同',
  marketing: '推广/达人合作',
  logistics: '物流合同',
  nda: '保密协议',
  other: '其他',
};
const CURRENCY_NAME: Record<string, string> = { CNY: '人民币 CNY', USD: '美元 USD', HKD: '港币 HKD', EUR: '欧元 EUR' };
export const DEPARTMENT_NAME: Record<string, string> = {
  operations: '运营',
  customer_service: '客服',
  logistics: '物流仓储',
  marketing: '市场',
  procurement: '采购',
  finance: '财务',
  admin: '行政',
};
export const RISK_NAME: Record<string, string> = { low: '低', medium: '中', high: '高', blocked: '禁止合作' };
const LEVEL_NAME: Record<string, string> = {
  legal: '法务',
  finance: '财务',
  manager: '部门负责人',
  general_manager: '总经理',
};

const PEOPLE = ['payment_terms', 'tags', 'files', 'note'] as const;
const BOT = [
  'contract_no',
  'title',
  'contract_type',
  'counterparty',
  'amount',
  'currency',
  'owner',
  'department',
  'state',
  'approval_level',
  'approvers',
  'sign_date',
  'start_date',
  'end_date',
  'days_to_expiry',
  'auto_renew',
  'renewal_notice_days',
  'budget',
  'payments',
  'risk_level',
  'risk_checked_at',
  'created_at',
  'updated_at',
] as const;
export const CONTRACT_OWNERS: Record<string, FieldOwner> = Object.fromEntries([
  ...PEOPLE.map((k) => [k, 'people']),
  ...BOT.map((k) => [k, 'bot']),
]);

const dayAt = (iso: string | null, tz: string): Date | null => {
  if (!iso) return null;
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return fromZonedParts(tz, y, m, d);
};

/** A contract as a row, by field key, in the codec's input form. */
export function contractRow(
  c: ContractRow,
  approvers: string[],
  highestRole: string | undefined,
  tz: string,
): Record<string, unknown> {
  return {
    title: c.title,
    contract_type: TYPE_NAME[c.type] ?? null,
    amount: c.amountCnyFen / 100,
    currency: CURRENCY_NAME[c.currency] ?? null,
    owner: [c.ownerOpenId],
    department: c.department ? (DEPARTMENT_NAME[c.department] ?? null) : null,
    state: STATE_NAME[c.state] ?? null,
    approval_level: highestRole ? (LEVEL_NAME[highestRole] ?? null) : null,
    approvers,
    sign_date: dayAt(c.signDate, tz),
    start_date: dayAt(c.startDate, tz),
    end_date: dayAt(c.endDate, tz),
    auto_renew: c.autoRenew,
    renewal_notice_days: c.noticeDays,
    risk_level: c.riskLevel ? (RISK_NAME[c.riskLevel] ?? null) : null,
  };
}

/** Rows only: what the module and `feishu-ops sync` declare (grid edits of bot columns are put back by the kit). */
export function contractRows(db: Db, timeZone: string): TableSpec<ContractRow> {
  return {
    owner: CONTRACT_OWNERS,
    recordNo: 'contract_no',
    label: '合同台账',
    numberOf: (c) => c.contractNo,
    load: async (no) => repo.byNo(db, no),
    async toRow(c, links) {
      const steps = c.round > 0 ? await repo.steps(db, c.id, c.round) : [];
      const approvers = steps.flatMap((s) =>
        s.approverOpenId && s.decision !== 'cancelled' ? [s.approverOpenId] : [],
      );
      const highest = [...steps].reverse().find((s) => s.role !== 'risk_override')?.role;
      const cp = await repo.counterparty(db, c.counterpartyId);
      const party = cp ? await links('counterparties', 'party_name', cp.name) : undefined;
      return {
        ...contractRow(c, [...new Set(approvers)], highest, timeZone),
        ...(party ? { counterparty: [party] } : {}),
      };
    },
    recordIdOf: (c) => c.bitableRecordId,
    async onWritten(c, written) {
      if (written.recordId !== c.bitableRecordId) await repo.setBitableRecord(db, c.id, written.recordId);
    },
  };
}
