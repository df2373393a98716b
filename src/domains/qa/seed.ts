import type { SeedContext } from '../../core/seed.js';
import { instantAtLocal, isoDateOf, localDayNumber, weekdayOf } from '../../core/zoned-time.js';
import { seededRandom } from '../shared/seeded-random.js';
import type { Mark } from './logic/score.js';
import { refreshDirtyRollup } from './rollup-store.js';
import { EFFECTS_JOB, isInspector, isQaLead, noMirror, type EffectsJob } from './service/context.js';
import { createQaService, type QaService } from './service/index.js';
import type { ConversationInput } from './values.js';

export const DEMO_QA_DAYS = 21;
const HOUR = 3_600_000;

/** An agent's conversation: the less skilled (0 … 1) miss a greeting or a closing, or answer slowly, more often. */
function demoConversation(
  agent: { openId: string; channel: string; skill: number },
  day: number,
  n: number,
  rnd: () => number,
  tz: string,
) {
  const start = instantAtLocal(tz, day, 0) + (9 + Math.floor(rnd() * 10)) * HOUR + n * 7 * 60_000;
  const at = (s: number) => new Date(start + s * 1000).toISOString();
  const greet = rnd() < 0.6 + 0.4 * agent.skill;
  const close = rnd() < 0.4 + 0.6 * agent.skill;
  const first = rnd() < 0.4 + 0.6 * agent.skill ? 10 + Math.floor(rnd() * 40) : 90 + Math.floor(rnd() * 300);
  const topic = ['物流', '退款', '尺码', '发票', '赠品'][Math.floor(rnd() * 5)]!;
  const messages: ConversationInput['messages'] = [
    { role: 'customer', at: at(0), text: `你好，我想问一下${topic}的问题，订单还没处理` },
    { role: 'agent', at: at(first), text: `${greet ? '您好，' : ''}我这边帮您查一下${topic}的情况` },
    { role: 'customer', at: at(first + 60), text: '好的，大概要多久？' },
    {
      role: 'agent',
      at: at(first + 90 + Math.floor(rnd() * (rnd() < 0.15 ? 400 : 60))),
      text: `已经为您加急处理，预计明天有结果${close ? '，感谢您的耐心等待' : ''}`,
    },
  ];
  return {
    channel: agent.channel,
    externalId: `demo-${isoDateOf(day)}-${agent.openId.slice(-8)}-${n}`,
    agent: agent.openId,
    csat: rnd() < 0.1 ? 1 + Math.floor(rnd() * 2) : 4 + Math.floor(rnd() * 2),
    orderIds: [],
    tags: rnd() < 0.1 ? ['退款'] : [],
    messages,
  } satisfies ConversationInput;
}

/**
 * The sandbox's QA demo (with history only): three weeks of the demo agents' conversations,
 * sampled each morning and scored by the demo inspectors through the service (pre-check
 * suggestions taken, now and then a deduction of their own, the time spent per review), so the
 * dashboard tab, 我的质检 and 质检报告 show real figures. Yesterday's sample is left to score:
 * an inspector typing 质检 gets the next conversation. Follow-ups (feedback cards, Bitable rows)
 * are dropped: the history happened in the past.
 */
export function qaSeed(qa: QaService) {
  return async (ctx: SeedContext): Promise<void> => {
    if (!ctx.history) return;
    const db = qa.deps.database;
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from qa_conversations where external_id like 'demo-%'`,
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    // As the directory seed put them: agents with their channel, the inspectors (the QA lead scores appeals, not here).
    const people = await qa.deps.directory.people();
    const agents = people
      .filter((p) => p.roles.includes('agent') && p.channel)
      .map((p, i) => ({ openId: p.openId, channel: p.channel!, skill: 0.5 + 0.5 * seededRandom(i + 1)() }));
    const inspectors = people.filter((p) => isInspector(p) && !isQaLead(p)).map((p) => p.openId);
    if (agents.length === 0 || inspectors.length === 0) return;
    const stepLog = ctx.log.child({}, { level: ctx.log.isLevelEnabled('debug') ? 'debug' : 'warn' });
    const quiet = createQaService({
      ...qa.deps,
      jobs: { send: async () => null, sendMany: async () => {} },
      mirror: noMirror,
      log: stepLog,
    });
    const agentSkill = new Map(agents.map((a) => [a.openId, a.skill]));
    const tz = qa.deps.config.timeZone;
    const today = localDayNumber(tz, ctx.now.getTime());
    const rnd = seededRandom(20_261_130);
    let scored = 0;
    for (let day = today - DEMO_QA_DAYS; day < today; day++) {
      const weekend = weekdayOf(day) === 0 || weekdayOf(day) === 6;
      const conversations = agents.flatMap((a) =>
        Array.from({ length: weekend ? 1 : 2 }, (_, n) => demoConversation(a, day, n, rnd, tz)),
      );
      await quiet.ingest(conversations, 'demo');
      const from = new Date(instantAtLocal(tz, day, 0));
      const to = new Date(instantAtLocal(tz, day + 1, 0));
      await quiet.sample(
        { from, to, seed: `demo-${isoDateOf(day)}` },
        new Date(instantAtLocal(tz, day + 1, 0) + 7.5 * HOUR),
      );
      if (day === today - 1) break; // yesterday's sample waits for the inspectors
      for (const [i, inspector] of inspectors.entries()) {
        let t = instantAtLocal(tz, day + 1, 0) + (9 + i * 0.5) * HOUR;
        while (await quiet.repo.nextToScore(db.db, inspector)) {
          const v = await quiet.next(inspector, new Date(t));
          if (!v) break;
          t += (90 + Math.floor(rnd() * 300)) * 1000;
          const extra: Mark[] = [];
          if (rnd() < 0.5 - 0.4 * agentSkill.get(v.review.agentOpenId)!) {
            const open = v.criteria.filter(
              (c) => !c.bonus && !c.redLine && !v.suggestions.some((s) => s.code === c.code),
            );
            const c = open[Math.floor(rnd() * open.length)];
            if (c) extra.push({ code: c.code, points: Math.max(1, Math.round(c.maxPoints * (0.3 + rnd() * 0.5))) });
          }
          await quiet.score(
            {
              reviewId: v.review.id,
              version: v.review.version,
              marks: extra,
              notes: {},
              comment: extra.length ? '注意回复的完整性' : '',
              accept: true,
              by: inspector,
            },
            new Date(t),
          );
          scored++;
        }
      }
    }
    // The quiet service queues no follow-ups: the stored rollups take the history in here, in one go.
    await refreshDirtyRollup(db);
    // Yesterday's sample is today's work: its 质检记录 rows, as the morning's sampling run would have queued them.
    const { rows: waiting } = await db.query<{ id: number; version: number }>(
      `select r.id::int as id, r.version from qa_reviews r join qa_conversations c on c.id = r.conversation_id
        where c.external_id like 'demo-%' and r.state = 'to_score' order by r.id`,
    );
    if (waiting.length > 0)
      await qa.deps.jobs.sendMany<EffectsJob>(
        EFFECTS_JOB,
        waiting.map((r) => ({ reviewId: r.id, version: r.version, effects: [{ type: 'mirror' }] })),
      );
    ctx.log.info({ days: DEMO_QA_DAYS, agents: agents.length, scored }, 'qa demo history seeded');
  };
}
