import { calendarDay } from '../../../core/zoned-time.js';
import { assess, type RiskSummary, type SigningHistory } from '../logic/risk.js';
import { repo, type CounterpartyRow } from '../repository.js';
import type { ContractDeps } from './context.js';

/**
 * Our own history with the counterparty in one statement (a risk check answered from the cache costs this read and the
 * counterparty's): contracts past draft (count, total, the last three), disputes, overdue payments.
 */
export async function signingHistory(
  x: ContractDeps,
  counterpartyId: number,
  now: Date,
  excludeId?: number,
): Promise<SigningHistory> {
  const today = calendarDay(now, x.config.timeZone);
  // A dispute is marked by staff in a custom 纠纷 column of 合同台账 (true / 是 / yes).
  const { rows } = await x.database.query<{
    count: number;
    total: string;
    disputes: number;
    last: Array<{ contractNo: string; title: string; amountFen: string | number; state: string }>;
    overdue: number;
  }>(
    `with mine as (
       select id, contract_no, title, amount_cny_fen, state, custom from contracts_contracts
        where counterparty_id = $1 and state <> 'draft' and id <> $2)
     select (select count(*)::int from mine) as count,
            (select coalesce(sum(amount_cny_fen), 0)::text from mine) as total,
            (select count(*)::int from mine
              where custom -> 'dispute' in ('true', '"是"', '"yes"') or custom -> '纠纷' in ('true', '"是"', '"yes"'))
              as disputes,
            (select coalesce(json_agg(json_build_object('contractNo', contract_no, 'title', title,
                      'amountFen', amount_cny_fen, 'state', state) order by id desc), '[]')
               from (select * from mine order by id desc limit 3) l) as last,
            (select count(*)::int from contracts_payments p join contracts_contracts c on c.id = p.contract_id
              where c.counterparty_id = $1 and p.planned_date < $3 and p.state in ('pending_approval', 'approved'))
              as overdue`,
    [counterpartyId, excludeId ?? 0, today],
  );
  const r = rows[0]!;
  return {
    count: r.count,
    totalFen: Number(r.total),
    last: r.last.map((c) => ({ ...c, amountFen: Number(c.amountFen) })),
    disputes: r.disputes,
    overduePayments: r.overdue,
  };
}

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
  // The level and the hour of the check are kept (相对方's 风险等级 and 最近核查); the same level within the hour writes
  // nothing, so a check answered from the cache costs two reads.
  const fresh = cp.checkedAt && now.getTime() - cp.checkedAt.getTime() < 3_600_000;
  if (cp.riskLevel !== summary.level || !fresh)
    await repo.setCounterpartyRisk(x.database.db, cp.id, summary.level, now);
  return summary;
}
