import { contractsModule, type ContractsOptions } from '../../../src/domains/contracts/index.js';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { blockNetwork, buildTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { feishuRecorder, sh, TestClock, type Recorder } from '../exceptions/helpers.js';
import type { Database } from '../../../src/db/client.js';
import { repo } from '../../../src/domains/contracts/repository.js';
import { apiPost, click } from '../exceptions/helpers.js';

export { apiGet, apiPost, buttons, cardText, click, say, sh } from '../exceptions/helpers.js';

/** Who is who: a requester, legal, finance, a manager (also the operations team's), the CEO, a risk officer. */
export async function seedPeople(t: TestApp): Promise<void> {
  const directory = createDirectory({ db: t.deps.database.db });
  await directory.upsertTeams([
    {
      key: 'operations',
      name: '运营 Operations',
      chatId: 'oc_ops',
      leadOpenId: 'ou_lead_ops',
      managerOpenId: 'ou_mgr',
    },
  ]);
  const person = (openId: string, name: string, roles: string[]) => ({ openId, name, teams: ['operations'], roles });
  await directory.upsertPeople([
    person('ou_req', '申请人', ['agent']),
    person('ou_legal', '法务', ['legal']),
    person('ou_fin', '财务', ['finance']),
    person('ou_mgr', '经理', ['manager']),
    person('ou_ceo', '总经理', ['general_manager']),
    person('ou_risk', '风控', ['risk_officer']),
  ]);
}

export interface ContractsTestApp extends TestApp {
  feishu: Recorder;
  clock: TestClock;
}

export async function contractsApp(
  options: { start?: string; database?: Database; module?: ContractsOptions } = {},
): Promise<ContractsTestApp> {
  blockNetwork();
  const clock = new TestClock(sh(options.start ?? '2026-03-02T10:00'));
  const feishu = feishuRecorder();
  const t = await buildTestApp({
    modules: [contractsModule(options.module ?? {})],
    workers: true,
    clock,
    ...(options.database ? { database: options.database, instanceId: 'second' } : {}),
    env: { API_TOKENS: 'tok-ops', LOG_LEVEL: 'warn' },
  });
  if (!options.database) await seedPeople(t);
  return Object.assign(t, { feishu, clock });
}

/** Waits until every queued follow-up (cards, reminders) has run. */
export async function settle(t: TestApp): Promise<void> {
  await waitFor(async () => {
    t.deps.jobs.notify('contracts.effects');
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = 'contracts.effects' and state in ('created', 'retry',
        'active')`,
    );
    return rows[0]?.n === 0;
  }, 'contract follow-ups');
}

export const body = (over: Record<string, unknown> = {}) => ({
  externalId: `X-${Math.random().toString(36).slice(2, 10)}`,
  title: '2026 年度快递服务合同',
  counterparty: '顺丰速运有限公司',
  type: 'logistics',
  amountFen: 80_000_00,
  currency: 'CNY',
  startDate: '2026-04-01',
  endDate: '2027-03-31',
  noticeDays: 30,
  ownerOpenId: 'ou_req',
  department: 'operations',
  ...over,
});

/** Approves every pending step of a contract by clicking the approver's latest card, until it is active. */
export async function approveAll(t: ContractsTestApp, contractId: number): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await settle(t);
    const { rows } = await t.database.query<{ id: number; approver_open_id: string; state: string; version: number }>(
      `select s.id::int as id, s.approver_open_id, c.state, c.version from contracts_contracts c
       left join contracts_approval_steps s on s.contract_id = c.id and s.round = c.round and s.decision = 'pending'
       where c.id = $1`,
      [contractId],
    );
    const row = rows[0]!;
    if (row.state !== 'in_approval') return;
    const res = await click(
      t,
      { action: 'contracts.decide', stepId: row.id, version: row.version, decision: 'approve' },
      { openId: row.approver_open_id },
    );
    if (res.toast?.type !== 'success') throw new Error(`approve failed: ${JSON.stringify(res.toast)}`);
  }
  throw new Error(`contract ${contractId} still in approval`);
}

/** A contract created through the API and approved through its cards: active. */
export async function activeContract(t: ContractsTestApp, over: Record<string, unknown> = {}): Promise<number> {
  const res = await apiPost(t, '/api/contracts', body(over));
  if (res.statusCode !== 201) throw new Error(res.body);
  const id = res.json().contract.id as number;
  await approveAll(t, id);
  await settle(t);
  return id;
}

/** A budget line (budgets have no intake of their own yet: the 预算 table's sync is not built). */
export async function addBudget(t: TestApp, code: string, yuanAmount: number, department = 'operations') {
  return repo.upsertBudget(t.deps.database.db, {
    code,
    name: `${department} 2026`,
    department,
    periodStart: '2026-01-01',
    periodEnd: '2026-12-31',
    amountFen: yuanAmount * 100,
  });
}

export const one = async <T extends Record<string, unknown>>(t: TestApp, sql: string, params: unknown[] = []) =>
  (await t.database.query<T>(sql, params)).rows[0]!;

/** One slot of the hourly approval-reminder schedule at `at` (Asia/Shanghai), run by the job queue, then follow-ups. */
export async function sweepApprovalsAt(t: ContractsTestApp, at: string): Promise<void> {
  const schedule = 'contracts.approval-reminders';
  t.clock.set(at);
  await t.deps.jobs.tick(schedule, sh(at));
  await waitFor(async () => {
    t.deps.jobs.notify(`schedule.${schedule}`);
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = $1 and state in ('created', 'retry', 'active')`,
      [`schedule.${schedule}`],
    );
    return rows[0]?.n === 0;
  }, `approval sweep at ${at}`);
  await settle(t);
}

/** The 09:00 expiry slot of `day` (Asia/Shanghai), queued as the scheduler does; `wait`: it and its follow-ups. */
export async function sweepExpiryOn(t: ContractsTestApp, day: string, wait = true): Promise<void> {
  t.clock.set(`${day}T09:00`);
  await t.deps.jobs.tick('contracts.expiry', sh(`${day}T09:00`));
  if (!wait) return;
  await waitFor(async () => {
    t.deps.jobs.notify('schedule.contracts.expiry');
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = 'schedule.contracts.expiry' and state in ('created',
        'retry', 'active')`,
    );
    return rows[0]?.n === 0;
  }, `sweep of ${day}`);
  await settle(t);
}
