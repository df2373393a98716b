import { calendarDay } from '../../../core/zoned-time.js';
import { assess, type RiskSummary, type SigningHistory } from '../logic/risk.js';
import { repo, type CounterpartyRow } from '../repository.js';
import type { ContractDeps } from './context.js';

/** Our own history with the counterparty: contracts (count, total, the last three), disputes, overdue payments. */
export async function signingHistory(
  x: ContractDeps,
  counterpartyId: number,
  now: Date,
  excludeId?: number,
): Promise<SigningHistory> {
  const db = x.database.db;
  const all = (await repo.ofCounterparty(db, counterpartyId, 200)).filter(
    (c) => c.id !== excludeId && c.state !== 'draft',
  );
  const today = calendarDay(now, x.config.timeZone);
  const overdue = await x.database.query<{ n: number }>(
    `select count(*)::int as n from contracts_payments p join contracts_contracts c on c.id = p.contract_id
     where c.counterparty_id = $1 and p.planned_date < $2 and p.state in ('pending_approval', 'approved')`,
    [counterpartyId, today],
  );
  const n = Number(overdue.rows[0]?.n ?? 0);
  return {
    count: all.length,
    totalFen: all.reduce((s, c) => s + c.amountCnyFen, 0),
    last: all
      .slice(0, 3)
      .map((c) => ({ contractNo: c.contractNo, title: c.title, amountFen: c.amountCnyFen, state: c.state })),
    // A dispute is marked by staff in a custom 纠纷 column of 合同台账 (true / 是).
    disputes: all.filter((c) => isYes(c.custom['dispute']) || isYes(c.custom['纠纷'])).length,
    overduePayments: n,
  };
}

const isYes = (v: unknown): boolean => v === true || v === '是' || v === 'yes';

/**
 * The full risk check: internal list, registration (cached, timeout → unknown), signing history. Never throws on the
 * provider.
 */
export async function checkRisk(
  x: ContractDeps,
  cp: CounterpartyRow,
  now: Date,
  excludeId?: number,
): Promise<RiskSummary> {
  const [registration, history] = await Promise.all([
    x.registration({ name: cp.name, creditCode: cp.creditCode }, now),
    signingHistory(x, cp.id, now, excludeId),
  ]);
  const summary = assess(cp.list, cp.listReason, registration, history);
  await repo.setCounterpartyRisk(x.database.db, cp.id, summary.level, now);
  return summary;
}
