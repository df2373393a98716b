import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTenant, type CardActionResult } from '../../src/sandbox/index.js';
import { chainFor, DEFAULT_CHAIN } from '../../src/domains/contracts/logic/chain.js';
import { waitFor } from '../helpers/app.js';
import { pointSandboxAt, startBot, type BotProcess } from './support/bot.js';
import { sleep, startChaosSandbox } from './support/feishu.js';
import { freshDatabase, testPool } from './support/postgres.js';
import { chaosSeed, seededRandom } from './support/seeded-random.js';
import { linesWithSecrets } from './support/secrets.js';
import { findButtonValue, sendsWithoutUuid, uuidsWithSeveralTargets } from './support/workflow.js';

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
  let sandbox: Awaited<ReturnType<typeof startChaosSandbox>>;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;
  let bot: BotProcess;
  let tenantDir: string;
  const lines: string[] = [];
  const env = { CHAOS_WORKFLOWS: '1', API_TOKENS: API_TOKEN };
  const kills: number[] = [];
  const downMs: number[] = [];
  /** Steps the bot answered as decided (a success toast on the approver's card). */
  const acked: number[] = [];
  let restarting: Promise<void> | undefined;

  beforeAll(async () => {
    sandbox = await startChaosSandbox();
    database = await freshDatabase();
    pool = testPool(database.url);
    tenantDir = mkdtempSync(join(tmpdir(), 'fo-chaos-tenant-'));
    const tenantFile = join(tenantDir, 'tenant.json');
    writeFileSync(tenantFile, JSON.stringify(demoTenant(sandbox.state)));
    bot = await startBot({ sandbox, databaseUrl: database.url, lines, env: { ...env, CHAOS_DEMO_TENANT: tenantFile } });
    pointSandboxAt(sandbox, bot.url);
  }, 180_000);
  afterAll(async () => {
    await bot?.stop();
    await sandbox?.dispose();
    await pool?.end();
    await database?.drop();
    if (tenantDir) rmSync(tenantDir, { recursive: true, force: true });
  });

  /** A bot that fails to come back after a kill is a finding: each failed start is kept and printed. */
  const restartErrors: string[] = [];
  async function restartBot(): Promise<BotProcess> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startBot({ sandbox, databaseUrl: database.url, lines, env, readyTimeoutMs: 60_000 });
      } catch (err) {
        restartErrors.push(`${(err as Error).message}; last lines: ${lines.slice(-5).join('\n')}`);
        if (attempt >= 3) throw err;
      }
    }
  }

  /** Polls until `check` holds; a timeout names the seed and every kill so far (read when it fails). */
  const until = async <T>(check: () => Promise<T | undefined | false>, what: string, ms = 120_000): Promise<T> => {
    try {
      return await waitFor(check, `${what} (${tag})`, ms);
    } catch (err) {
      throw new Error(
        `${(err as Error).message}; kills after ${kills.join(', ')} ms; restarts ${downMs.join(', ')} ms`,
      );
    }
  };

  /** A call to the bot that survives its death: retried against the restarted process. */
  async function api(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    return until(async () => {
      await restarting;
      try {
        const res = await fetch(`${bot.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
        });
        if (res.status >= 500) return undefined;
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      } catch {
        await sleep(200);
        return undefined;
      }
    }, `POST ${path} answered`);
  }

  const stateOf = async (id: number) =>
    (await pool.query<{ state: string }>('select state from contracts_contracts where id = $1', [id])).rows[0]?.state;
  const pendingStep = async (id: number) =>
    (
      await pool.query<Step>(
        `select s.id::int as id, s.contract_id::int as contract_id, s.round, s.seq, s.decision, s.approver_open_id
           from contracts_approval_steps s join contracts_contracts c on c.id = s.contract_id and c.round = s.round
          where s.contract_id = $1 and s.decision = 'pending'`,
        [id],
      )
    ).rows[0];

  /** The approval card the bot sent for a step (its buttons name the step and the contract's version). */
  const approvalCard = (stepId: number) =>
    sandbox.state
      .botMessages()
      .filter((m) => m.content.includes('contracts.decide') && namesStep(m.content, stepId))
      .at(-1);

  async function approve(step: Step): Promise<void> {
    const decided = async () =>
      (await pool.query<{ decision: string }>('select decision from contracts_approval_steps where id = $1', [step.id]))
        .rows[0]!.decision !== 'pending';
    await until(async () => {
      if (await decided()) return true;
      await restarting;
      const card = approvalCard(step.id);
      if (!card) return undefined;
      const value = findButtonValue(JSON.parse(card.content), (v) => v.decision === 'approve');
      if (!value) return undefined;
      const r: CardActionResult | undefined = await sandbox.actions
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
      ownerOpenId: sandbox.state.users()[0]!.open_id,
      department: 'operations',
    };
    const r = await api('/api/contracts', body);
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
    const q = async (sql: string) => JSON.stringify((await pool.query(sql, [id])).rows);
    const jobs = await q(
      `select name, state, retry_count, created_on, started_on, completed_on, output, data from pgboss.job
        where data->>'contractId' = $1::text
       union all
       select name, state, retry_count, created_on, started_on, completed_on, output, data from pgboss.archive
        where data->>'contractId' = $1::text`,
    );
    const cards = sandbox.state
      .botMessages()
      .filter((m) => m.content.includes('contracts.decide'))
      .map((m) => /"stepId":\d+/.exec(m.content)?.[0]);
    return [
      `contract: ${await q('select id, state, round, version, contract_no from contracts_contracts where id = $1')}`,
      `steps: ${await q('select * from contracts_approval_steps where contract_id = $1 order by round, seq')}`,
      `history: ${await q('select state, action, at from contracts_history where contract_id = $1 order by id')}`,
      `jobs: ${jobs}`,
      `approval cards sent: ${cards.join(', ')}`,
      `bot log: ${lines
        .filter((l) => l.includes(`"contractId":${id}`) || l.includes(`contract ${id}`))
        .slice(-20)
        .join('\n  ')}`,
    ].join('\n');
  }

  it('takes in and approves every contract once across kills, each effect exactly once', async () => {
    let driving = true;
    const killer = (async () => {
      const started = Date.now();
      while (driving) {
        await sleep(Math.round(800 + killWaits() * 2500));
        if (!driving) break;
        kills.push(Date.now() - started);
        restarting = (async () => {
          await bot.kill9();
          const down = Date.now();
          bot = await restartBot();
          pointSandboxAt(sandbox, bot.url);
          downMs.push(Date.now() - down);
        })();
        await restarting;
      }
    })();
    let next = 0;
    const ids: number[] = [];
    const lane = async () => {
      while (next < PLAN.length) ids.push(await drive(next++));
    };
    try {
      await Promise.all(Array.from({ length: LANES }, lane));
    } finally {
      driving = false;
      await killer;
    }
    process.stdout.write(`contracts-kill (${tag}): ${kills.length} kills, restarts took ${downMs.join(', ')} ms\n`);
    expect(kills.length, `${tag}: the bot was killed during the run`).toBeGreaterThan(1);
    expect(restartErrors, `${tag}: the bot came back after every kill`).toEqual([]);

    await until(async () => {
      await sandbox.state.idle();
      const { rows } = await pool.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where state in ('created', 'retry', 'active')
           and name like 'contracts%' and name not like '%sweep%' and name not like '%reminder%'`,
      );
      return rows[0]!.n === 0;
    }, 'queue drained');

    const amounts = new Map(PLAN.map((p, i) => [`chaos-${SEED}-${i}`, p.amountFen]));
    // One contract per intake, all active.
    const contracts = (
      await pool.query<{ id: number; external_id: string; state: string; contract_no: string }>(
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
      await pool.query<Step & { decided_by: string | null }>(
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
      await pool.query<{ contract_id: number; action: string; n: number }>(
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
    const attempts = sandbox.state.sendAttempts();
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
    const keys = new Map<string, Set<string | undefined>>();
    for (const a of attempts.filter((x) => x.outcome !== 'refused')) {
      const k = `${a.via} ${a.target} ${a.content}`;
      keys.set(k, (keys.get(k) ?? new Set()).add(a.uuid));
    }
    expect(
      [...keys].filter(([, u]) => u.size > 1).map(([k]) => k.slice(0, 200)),
      tag,
    ).toEqual([]);

    expect(linesWithSecrets(sandbox, lines), tag).toEqual([]);
    expect(
      lines.some((l) => l.includes(API_TOKEN)),
      tag,
    ).toBe(false);
  }, 600_000);
});
