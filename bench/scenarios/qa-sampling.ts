// Issue 10 "Numbers": a sampling plan for 100,000 conversations of a period in under 2 s. The period's
// conversations (~120 agents, 6 channels, 4 messages each: some slow first replies, low CSAT and refund tags,
// so the pre-checks and risk weights have work) are generated on the bench database; the bot in its own process
// answers POST /api/qa/sampling — the route the daily schedule's function (runSampling) serves: unreviewed
// conversations with their pre-check hits (stored at ingest; the bench's SQL-made ones get theirs in one cold plan
// first), the plan, the assignment, a review per pick. Each run starts from no reviews.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createDirectory } from '../../src/domains/directory/service.js';
import type { BenchContext } from '../context.js';
import { summarise, target, type ScenarioResult } from '../results.js';

const AGENTS = 120;
const INSPECTORS = 12;
const CHANNELS = ['tmall', 'jd', 'douyin', 'pinduoduo', 'wecom', 'offline_store'];
const FROM = '2026-11-02T00:00:00+08:00';
const TO = '2026-11-09T00:00:00+08:00';
const TOKEN = 'bench-qa-sampling-token-0123456789';

/** The period's conversations and their messages, made by the database (a minute or so for 100k). */
async function generate(db: Database, conversations: number): Promise<number> {
  const started = performance.now();
  const channels = `array[${CHANNELS.map((c) => `'${c}'`).join(',')}]`;
  await db.query(
    `insert into qa_conversations
       (channel, external_id, shop, agent_open_id, started_at, ended_at, csat, order_ids, tags, message_count, source)
     select (${channels})[1 + g % ${CHANNELS.length}], 'SMP-' || lpad(g::text, 7, '0'), '店铺' || (g % 7),
            'ou_bench_agent_' || (g % ${AGENTS}), $1::timestamptz + (g * interval '6 seconds'),
            $1::timestamptz + (g * interval '6 seconds') + interval '5 minutes',
            case when g % 9 = 0 then null else 1 + g % 5 end, '[]'::jsonb,
            case when g % 40 = 0 then '["退款"]'::jsonb else '[]'::jsonb end, 4, 'bench'
       from generate_series(0, $2::int - 1) g`,
    [FROM, conversations],
  );
  // Customer, agent (a slow first reply in one of 8), customer, agent; no greeting in one of 5.
  await db.query(
    `insert into qa_messages (conversation_id, seq, role, sender, at, text)
     select c.id, m.seq, m.role, null, c.started_at + m.after, m.text
       from qa_conversations c
      cross join lateral (values
        (1, 'customer', interval '0 s', '在吗，我的快递到哪了'),
        (2, 'agent', case when c.id % 8 = 0 then interval '400 s' else interval '20 s' end,
            case when c.id % 5 = 0 then '单号发我' else '您好，请把单号发我查一下' end),
        (3, 'customer', interval '60 s', '好的 SF1234567890'),
        (4, 'agent', interval '90 s', '已为您催促，感谢您的耐心')) as m(seq, role, after, text)
      where c.source = 'bench'`,
  );
  return performance.now() - started;
}

async function people(db: Database): Promise<void> {
  const directory = createDirectory({ db: db.db });
  const person = (openId: string, name: string, roles: string[], channel?: string) => ({
    openId,
    name,
    teams: [],
    roles,
    ...(channel ? { channel } : {}),
  });
  await directory.upsertPeople([
    ...Array.from({ length: AGENTS }, (_, i) => person(`ou_bench_agent_${i}`, `客服${i}`, ['agent'])),
    // Half the inspectors cover every channel, the rest two channels each (assignment by skills and load).
    ...Array.from({ length: INSPECTORS }, (_, i) =>
      person(
        `ou_bench_inspector_${i}`,
        `质检员${i}`,
        ['qa_inspector'],
        i % 2 ? `${CHANNELS[i % CHANNELS.length]},${CHANNELS[(i + 1) % CHANNELS.length]}` : undefined,
      ),
    ),
  ]);
}

export async function qaSamplingScenario(ctx: BenchContext): Promise<{ results: ScenarioResult[]; skipped?: string }> {
  const url = ctx.database.appEnv.DATABASE_URL;
  if (!url) return { results: [], skipped: 'needs PostgreSQL (DATABASE_URL): the size is for a server database' };
  const conversations = ctx.short ? 10_000 : 100_000;
  const runs = ctx.short ? 3 : 5;
  // The bot's first start migrates the bench database; then the period is generated.
  const probe = await ctx.startBot({ workers: false, env: { API_TOKENS: TOKEN } });
  await ctx.stop(probe);
  const database = await openDatabase({ url });
  let generateMs: number;
  try {
    ctx.print(`qa-sampling: generating ${conversations} conversations (${AGENTS} agents, 6 channels)…`);
    await people(database);
    generateMs = await generate(database, conversations);
  } catch (err) {
    await database.close();
    throw err;
  }
  ctx.print(`qa-sampling: generated in ${Math.round(generateMs / 1000)} s; drawing 1 cold and ${runs} plans…`);
  const ms: number[] = [];
  let coldMs: number | null = null;
  const notes: string[] = [];
  let last: Record<string, unknown> = {};
  const loadBefore = loadavg()[0]!;
  /** One plan from scratch: no review of the period yet (what the morning schedule meets). */
  const plan = async (url: string, seed: string): Promise<number | null> => {
    await database.query(`delete from qa_reviews where sample_reason <> 'calibration'`);
    const started = performance.now();
    const res = await fetch(`${url}/api/qa/sampling`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: FROM, to: TO, seed }),
    });
    const took = performance.now() - started;
    if (res.status !== 200) {
      notes.push(`${seed}: ${res.status} ${(await res.text()).slice(0, 300)}`);
      return null;
    }
    last = (await res.json()) as Record<string, unknown>;
    ctx.print(`  plan ${seed}: ${Math.round(took)} ms, ${String(last.picked)} of ${String(last.candidates)}`);
    return took;
  };
  try {
    // The cold plan, in a bot of its own (its peak RSS apart): the conversations were generated in SQL, not
    // ingested, so none has its stored pre-check hits yet (as right after the upgrade); it checks every message
    // and stores them. Then the timed plans in a fresh bot, as the morning schedule meets them.
    const cold = await ctx.startBot({ workers: false, env: { API_TOKENS: TOKEN } });
    try {
      const took = await plan(cold.url, 'bench-cold');
      coldMs = took === null ? null : Math.round(took);
    } finally {
      await ctx.stop(cold);
    }
    const bot = await ctx.startBot({ workers: false, env: { API_TOKENS: TOKEN } });
    try {
      for (let i = 0; i < runs; i++) {
        const took = await plan(bot.url, `bench-${i}`);
        if (took !== null) ms.push(took);
      }
    } finally {
      await ctx.stop(bot);
    }
  } finally {
    await database.close();
  }
  const s = summarise(ms);
  return {
    results: [
      {
        name: 'qa.sampling',
        description:
          `POST /api/qa/sampling (runSampling, the daily schedule's function) over a week of ${conversations} ` +
          `conversations (${AGENTS} agents, ${CHANNELS.length} channels, 4 messages each, ${INSPECTORS} inspectors): ` +
          `unreviewed conversations with their stored pre-check hits, the plan, the assignment, a review per pick ` +
          `(its pre-checks); p50 of ${runs} runs, each from no reviews, after one cold plan that computes and ` +
          'stores every hit (coldMs)',
        metrics: {
          conversations,
          candidates: (last.candidates as number) ?? null,
          picked: (last.picked as number) ?? null,
          created: (last.created as number) ?? null,
          p50Ms: s.p50,
          maxMs: s.max,
          coldMs,
          runs: ms.length,
          generateMs: Math.round(generateMs),
          loadAverage1mBefore: Math.round(loadBefore * 100) / 100,
          loadAverage1mAfter: Math.round(loadavg()[0]! * 100) / 100,
        },
        targets: [target('plan p50 ms', '<', 2_000, s.p50)],
        notes,
      },
    ],
  };
}
