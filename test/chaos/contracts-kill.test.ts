import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardActionResult } from '../../src/sandbox/index.js';
import { chainFor, DEFAULT_CHAIN } from '../../src/domains/contracts/logic/chain.js';
import { sleep } from './support/feishu.js';
import { chaosSeed, seededRandom } from './support/seeded-random.js';
import { linesWithSecrets } from './support/secrets.js';
import {
  contentUnderSeveralUuids,
  findButtonValue,
  sendsWithoutUuid,
  uuidsWithSeveralTargets,
} from './support/workflow.js';
import { startWorkflowRun, type WorkflowRun } from './support/workflow-run.js';

// The contracts workflow under kill -9: contracts sent in through the API (idempotent on source +
// externalId) and approved step by step on the approvers' cards, while the bot is killed at seeded
// random moments. Then the logical effects are counted: one contract per intake, every step decided
// once, every approval card sent once, no state entered twice. CHAOS_SEED=<n> replays a run.
const SEED = chaosSeed();
const random = seededRandom(SEED);
// ¥20,000–¥199,999: two or three steps (legal, finance, maybe manager) by the default chain.
const PLAN = Array.from({ length: 12 }, () => ({ amountFen: (20_000 + Math.floor(random() * 180_000)) * 100 }));
const killWaits = seededRandom(SEED ^ 0x85ebca6b);
const tag = `CHAOS_SEED=${SEED}`;
process.stdout.write(`contracts-kill: ${tag}\n`);

const API_TOKEN = 'chaos-contracts-api-token-0123456789';
const LANES = 3;

/** A card whose buttons name this step (not step 10 for step 1). */
const namesStep = (content: string, stepId: number): boolean => new RegExp(`"stepId":${stepId}[,}]`).test(content);

interface Step {
  id: number;
  contract_id: number;
  round: number;
  seq: number;
  decision: string;
  approver_open_id: string | null;
}

describe('the contracts workflow with the bot killed at seeded random moments', () => {
  let run: WorkflowRun;
  /** Steps the bot answered as decided (a success toast on the approver's card). */
  const acked: number[] = [];

  beforeAll(async () => {
    run = await startWorkflowRun({ tag, apiToken: API_TOKEN, untilMs: 120_000 });
  }, 180_000);
  afterAll(() => run?.close());

  const until = <T>(check: () => Promise<T | undefined | false>, what: string, ms?: number) =>
    run.until(check, what, ms);

  const stateOf = async (id: number) =>
    (await run.pool.query<{ state: string }>('select state from contracts_contracts where id = $1', [id])).rows[0]
      ?.state;
  const pendingStep = async (id: number) =>
    (
      await run.pool.query<Step>(
        `select s.id::int as id, s.contract_id::int as contract_id, s.round, s.seq, s.decision, s.approver_open_id
           from contracts_approval_steps s join contracts_contracts c on c.id = s.contract_id and c.round = s.round
          where s.contract_id = $1 and s.decision = 'pending'`,
        [id],
      )
    ).rows[0];

  /** The approval card the bot sent for a step (its buttons name the step and the contract's version). */
  const approvalCard = (stepId: number) =>
    run.sandbox.state
      .botMessages()
      .filter((m) => m.content.includes('contracts.decide') && namesStep(m.content, stepId))
      .at(-1);

  async function approve(step: Step): Promise<void> {
    const decided = async () =>
      (
        await run.pool.query<{ decision: string }>('select decision from contracts_approval_steps where id = $1', [
          step.id,
        ])
      ).rows[0]!.decision !== 'pending';
    await until(async () => {
      if (await decided()) return true;
      await run.settled();
      const card = approvalCard(step.id);
      if (!card) return undefined;
      const value = findButtonValue(JSON.parse(card.content), (v) => v.decision === 'approve');
      if (!value) return undefined;
      const r: CardActionResult | undefined = await run.sandbox.actions
        .clickCard({
          operatorOpenId: step.approver_open_id!,
          messageId: card.message_id,
          action: { tag: 'button', value },
        })
        .catch(() => undefined);
      if (r?.ok && r.toast?.type === 'success') acked.push(step.id);
      await sleep(300);
      return decided();
    }, `step ${step.id} of contract ${step.contract_id} decided`);
  }

  async function drive(i: number): Promise<number> {
    const body = {
      source: 'chaos',
      externalId: `chaos-${SEED}-${i}`,
      title: `混沌测试合同 ${i}`,
      counterparty: `混沌物流有限公司 ${i}`,
      type: 'logistics',
      amountFen: PLAN[i]!.amountFen,
      currency: 'CNY',
      startDate: '2026-04-01',
      endDate: '2028-03-31',
      noticeDays: 30,
      ownerOpenId: run.sandbox.state.users()[0]!.open_id,
      department: 'operations',
    };
    const r = await run.api('/api/contracts', body);
    expect([200, 201], `${tag} ${JSON.stringify(r.json)}`).toContain(r.status);
    const id = (r.json.contract as { id: number }).id;
    // Step by step until the contract is active: each pending step approved on its card.
    try {
      await until(
        async () => {
          if ((await stateOf(id)) === 'active') return true;
          const step = await pendingStep(id);
          if (step) await approve(step);
          return (await stateOf(id)) === 'active';
        },
        `contract ${id} active`,
        240_000,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${await story(id)}`);
    }
    return id;
  }

  /** What became of a contract: its row, steps, history, its jobs in pg-boss and the bot's lines about it. */
  async function story(id: number): Promise<string> {
    const q = async (sql: string) => JSON.stringify((await run.pool.query(sql, [id])).rows);
    const jobs = await q(
      `select name, state, retry_count, created_on, started_on, completed_on, output, data from pgboss.job
        where data->>'contractId' = $1::text
       union all
       select name, state, retry_count, created_on, started_on, completed_on, output, data from pgboss.archive
        where data->>'contractId' = $1::text`,
    );
    const cards = run.sandbox.state
      .botMessages()
      .filter((m) => m.content.includes('contracts.decide'))
      .map((m) => /"stepId":\d+/.exec(m.content)?.[0]);
    return [
      `contract: ${await q('select id, state, round, version, contract_no from contracts_contracts where id = $1')}`,
      `steps: ${await q('select * from contracts_approval_steps where contract_id = $1 order by round, seq')}`,
      `history: ${await q('select state, action, at from contracts_history where contract_id = $1 order by id')}`,
      `jobs: ${jobs}`,
      `approval cards sent: ${cards.join(', ')}`,
      `bot log: ${run.lines
        .filter((l) => l.includes(`"contractId":${id}`) || l.includes(`contract ${id}`))
        .slice(-20)
        .join('\n  ')}`,
    ].join('\n');
  }

  it('takes in and approves every contract once across kills, each effect exactly once', async () => {
    const stopKilling = run.killRepeatedly(() => Math.round(800 + killWaits() * 2500));
    let next = 0;
    const ids: number[] = [];
    const lane = async () => {
      while (next < PLAN.length) ids.push(await drive(next++));
    };
    try {
      await Promise.all(Array.from({ length: LANES }, lane));
    } finally {
      await stopKilling();
    }
    process.stdout.write(
      `contracts-kill (${tag}): ${run.kills.length} kills, restarts took ${run.downMs.join(', ')} ms\n`,
    );
    expect(run.kills.length, `${tag}: the bot was killed during the run`).toBeGreaterThan(1);
    expect(run.restartErrors, `${tag}: the bot came back after every kill`).toEqual([]);

    await until(async () => {
      await run.sandbox.state.idle();
      const { rows } = await run.pool.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where state in ('created', 'retry', 'active')
           and name like 'contracts%' and name not like '%sweep%' and name not like '%reminder%'`,
      );
      return rows[0]!.n === 0;
    }, 'queue drained');

    const amounts = new Map(PLAN.map((p, i) => [`chaos-${SEED}-${i}`, p.amountFen]));
    // One contract per intake, all active.
    const contracts = (
      await run.pool.query<{ id: number; external_id: string; state: string; contract_no: string }>(
        `select id::int as id, external_id, state, contract_no from contracts_contracts where source = 'chaos'`,
      )
    ).rows;
    expect(contracts.map((c) => c.external_id).sort(), tag).toEqual(PLAN.map((_, i) => `chaos-${SEED}-${i}`).sort());
    expect(new Set(ids).size, tag).toBe(PLAN.length);
    expect(
      contracts.filter((c) => c.state !== 'active').map((c) => `${c.contract_no} ${c.state}`),
      tag,
    ).toEqual([]);
    expect(new Set(contracts.map((c) => c.contract_no)).size, tag).toBe(PLAN.length);

    // Every step approved once, by its approver; every step the bot said was decided is decided.
    const steps = (
      await run.pool.query<Step & { decided_by: string | null }>(
        `select id::int as id, contract_id::int as contract_id, round, seq, decision, approver_open_id, decided_by
           from contracts_approval_steps where contract_id = any($1) order by contract_id, round, seq`,
        [contracts.map((c) => c.id)],
      )
    ).rows;
    // The chain the default routing gives each amount, no step more or less.
    for (const c of contracts)
      expect(
        { contract: c.contract_no, steps: steps.filter((s) => s.contract_id === c.id).map((s) => s.seq) },
        tag,
      ).toEqual({
        contract: c.contract_no,
        steps: chainFor({ bands: DEFAULT_CHAIN }, 'logistics', amounts.get(c.external_id)!).map((_, k) => k + 1),
      });
    expect(steps.length, tag).toBeGreaterThan(PLAN.length);
    expect(
      steps.filter((s) => s.decision !== 'approved' || s.decided_by !== s.approver_open_id).map((s) => s.id),
      tag,
    ).toEqual([]);
    expect(
      acked.filter((id) => !steps.some((s) => s.id === id)),
      tag,
    ).toEqual([]);

    // The audit trail: each contract submitted once, each step's approval one entry (the last one is
    // the contract's own 'approved'); a retried click or a replayed job never recorded a decision twice.
    const history = (
      await run.pool.query<{ contract_id: number; action: string; n: number }>(
        `select contract_id::int as contract_id, action, count(*)::int as n from contracts_history
          where contract_id = any($1) group by 1, 2`,
        [contracts.map((c) => c.id)],
      )
    ).rows;
    const entries = (id: number, action: string) =>
      history.find((h) => h.contract_id === id && h.action === action)?.n ?? 0;
    for (const c of contracts) {
      const chain = steps.filter((s) => s.contract_id === c.id).length;
      expect(
        {
          contract: c.contract_no,
          submitted: entries(c.id, 'submitted'),
          steps: entries(c.id, 'step_approved') + entries(c.id, 'approved'),
        },
        tag,
      ).toEqual({ contract: c.contract_no, submitted: 1, steps: chain });
    }

    // Each approval card went to its approver once, under one uuid, whatever the retries.
    const attempts = run.sandbox.state.sendAttempts();
    expect(sendsWithoutUuid(attempts), tag).toEqual([]);
    expect(uuidsWithSeveralTargets(attempts), tag).toEqual([]);
    for (const s of steps) {
      const uuids = new Set(
        attempts
          .filter((a) => a.outcome !== 'refused' && namesStep(a.content, s.id))
          .filter((a) => a.content.includes('contracts.decide') && a.target === s.approver_open_id)
          .map((a) => a.uuid),
      );
      expect({ step: s.id, cards: uuids.size }, tag).toEqual({ step: s.id, cards: 1 });
    }
    // No message was sent twice under two keys: the same content to the same place has one uuid.
    expect(contentUnderSeveralUuids(attempts), tag).toEqual([]);

    expect(linesWithSecrets(run.sandbox, run.lines), tag).toEqual([]);
    expect(
      run.lines.some((l) => l.includes(API_TOKEN)),
      tag,
    ).toBe(false);
  }, 600_000);
});
