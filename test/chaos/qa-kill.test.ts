import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
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

// Customer-service QA under kill -9: conversations sent in through the API (idempotent on channel +
// external id), three inspectors asking for the next one in chat (质检) and scoring it on the card,
// the agent confirming each result on the feedback card, while the bot is killed at seeded random
// moments. Then the logical effects are counted: one conversation and one review per conversation,
// each review scored once with one set of marks, one feedback card per review, each confirmed once.
// CHAOS_SEED=<n> replays a run.
const SEED = chaosSeed();
const killWaits = seededRandom(SEED ^ 0x27d4eb2f);
const tag = `CHAOS_SEED=${SEED}`;
process.stdout.write(`qa-kill: ${tag}\n`);

const API_TOKEN = 'chaos-qa-api-token-0123456789';
const CONVERSATIONS = 18;
const INSPECTORS = ['xujing', 'liangchen', 'songjia'].map(demoOpenId);
const AGENT = demoOpenId('wangxiaoli');

/** A card whose buttons name this review (not review 10 for review 1). */
const namesReview = (content: string, reviewId: number): boolean =>
  new RegExp(`"reviewId":${reviewId}[,}]`).test(content);

describe('the QA workflow with the bot killed at seeded random moments', () => {
  let run: WorkflowRun;
  /** Reviews the bot answered as scored (a success toast on the inspector's card). */
  const scoredAcks: number[] = [];
  const p2p = (openId: string) => run.sandbox.state.p2pChatOf(openId)!.chat_id;

  beforeAll(async () => {
    run = await startWorkflowRun({ tag, apiToken: API_TOKEN, untilMs: 180_000 });
  }, 180_000);
  afterAll(() => run?.close());

  const until = <T>(check: () => Promise<T | undefined | false>, what: string, ms?: number) =>
    run.until(check, what, ms);

  const conversation = (i: number) => {
    const at = (s: number) => new Date(Date.parse('2026-11-20T02:00:00Z') + i * 3_600_000 + s * 1000).toISOString();
    return {
      channel: 'tmall',
      externalId: `chaos-${SEED}-${i}`,
      shop: '天猫旗舰店',
      agent: AGENT,
      csat: 4,
      messages: [
        { role: 'customer', at: at(0), text: `我的快递到哪了 (${i})` },
        { role: 'agent', at: at(400), text: '单号发我' },
        { role: 'agent', at: at(450), text: '已催，谢谢' },
      ],
    };
  };

  const scored = async () =>
    (
      await run.pool.query<{ n: number }>(
        `select count(*)::int as n from qa_reviews where state <> 'to_score' and conversation_id in
           (select id from qa_conversations where external_id like $1)`,
        [`chaos-${SEED}-%`],
      )
    ).rows[0]!.n;

  /**
   * The inspector types 质检 and scores what the card shows in one click (every suggestion taken).
   * The reply is keyed to the message, so a re-pushed 质检 never opens a second card; a 质检 that
   * Feishu gave up on (every push met a dead bot) gets no reply and is simply typed again.
   */
  async function inspect(inspector: string): Promise<void> {
    while ((await scored()) < CONVERSATIONS) {
      await run.settled();
      const asked = run.sandbox.actions.sendUserMessage({
        userOpenId: inspector,
        chatId: p2p(inspector),
        text: '质检',
      });
      const reply = await until(
        async () => {
          const r = run.sandbox.state.botMessages().find((m) => m.parent_id === asked.message_id);
          if (r) return r;
          if ((await scored()) >= CONVERSATIONS) return 'done' as const;
          const record = run.sandbox.state
            .deliveries()
            .find(
              (d) =>
                (d.envelope.event as { message?: { message_id?: string } }).message?.message_id === asked.message_id,
            );
          return record?.state === 'failed' ? ('lost' as const) : undefined;
        },
        'reply to 质检',
        180_000,
      );
      if (reply === 'done') return;
      if (reply === 'lost') continue;
      const accept = findButtonValue(JSON.parse(reply.content), (v) => v.action === 'qa.score' && v.accept === true);
      if (!accept) continue; // nothing left for this inspector right now
      const reviewId = Number(accept.reviewId);
      const done = async () =>
        (await run.pool.query<{ state: string }>('select state from qa_reviews where id = $1', [reviewId])).rows[0]
          ?.state !== 'to_score';
      await until(async () => {
        if (await done()) return true;
        await run.settled();
        const r = await run.sandbox.actions
          .clickCard({
            operatorOpenId: inspector,
            messageId: reply.message_id,
            action: { tag: 'button', value: accept, form_value: { comment: '注意响应速度' } },
          })
          .catch(() => undefined);
        if (r?.ok && r.toast?.type === 'success') scoredAcks.push(reviewId);
        await sleep(300);
        return done();
      }, `review ${reviewId} scored`);
    }
  }

  /** The agent confirms every result on its feedback card. */
  async function confirmAll(): Promise<void> {
    await until(
      async () => {
        const { rows } = await run.pool.query<{ id: number; state: string }>(
          `select id::int as id, state from qa_reviews where conversation_id in
             (select id from qa_conversations where external_id like $1)`,
          [`chaos-${SEED}-%`],
        );
        const open = rows.filter((r) => r.state !== 'acknowledged');
        if (rows.length === CONVERSATIONS && open.length === 0) return true;
        for (const r of open.filter((x) => x.state === 'feedback_sent')) {
          await run.settled();
          const card = run.sandbox.state
            .botMessages()
            .filter((m) => m.chat_id === p2p(AGENT) && m.content.includes('qa.ack') && namesReview(m.content, r.id))
            .at(-1);
          const value = card && findButtonValue(JSON.parse(card.content), (v) => v.action === 'qa.ack');
          if (value)
            await run.sandbox.actions
              .clickCard({ operatorOpenId: AGENT, messageId: card.message_id, action: { tag: 'button', value } })
              .catch(() => undefined);
        }
        await sleep(500);
        return undefined;
      },
      'every result confirmed',
      540_000,
    );
  }

  it('scores and confirms every conversation once across kills, each effect exactly once', async () => {
    const stopKilling = run.killRepeatedly(() => Math.round(600 + killWaits() * 1800));
    try {
      // Two batches, the second repeating the first batch's last conversation (a re-sent export).
      const first = await run.api('/api/qa/conversations', {
        conversations: Array.from({ length: 5 }, (_, i) => conversation(i)),
      });
      const second = await run.api('/api/qa/conversations', {
        conversations: Array.from({ length: CONVERSATIONS - 4 }, (_, i) => conversation(i + 4)),
      });
      expect(first.status, `${tag} ${JSON.stringify(first.json)}`).toBeLessThan(300);
      expect(second.status, `${tag} ${JSON.stringify(second.json)}`).toBeLessThan(300);
      await Promise.all([...INSPECTORS.map(inspect), confirmAll()]);
    } finally {
      await stopKilling();
    }
    process.stdout.write(`qa-kill (${tag}): ${run.kills.length} kills, restarts took ${run.downMs.join(', ')} ms\n`);
    expect(run.kills.length, `${tag}: the bot was killed during the run`).toBeGreaterThan(1);
    expect(run.restartErrors, `${tag}: the bot came back after every kill`).toEqual([]);

    await until(async () => {
      await run.sandbox.state.idle();
      const { rows } = await run.pool.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where state in ('created', 'retry', 'active')
           and name like 'qa%' and name not like '%sweep%' and name not like '%sampl%' and name not like '%digest%'`,
      );
      return rows[0]!.n === 0;
    }, 'queue drained');

    // One conversation per external id, one review each, scored once, confirmed.
    const conversations = (
      await run.pool.query<{ id: number; external_id: string }>(
        'select id::int as id, external_id from qa_conversations where external_id like $1',
        [`chaos-${SEED}-%`],
      )
    ).rows;
    expect(conversations.map((c) => c.external_id).sort(), tag).toEqual(
      Array.from({ length: CONVERSATIONS }, (_, i) => `chaos-${SEED}-${i}`).sort(),
    );
    const messages = (
      await run.pool.query<{ conversation_id: number; n: number }>(
        `select conversation_id::int as conversation_id, count(*)::int as n from qa_messages
          where conversation_id = any($1) group by 1`,
        [conversations.map((c) => c.id)],
      )
    ).rows;
    expect(
      messages.filter((m) => m.n !== 3),
      tag,
    ).toEqual([]);
    const reviews = (
      await run.pool.query<{ id: number; conversation_id: number; state: string; inspector_open_id: string }>(
        `select id::int as id, conversation_id::int as conversation_id, state, inspector_open_id from qa_reviews
          where conversation_id = any($1)`,
        [conversations.map((c) => c.id)],
      )
    ).rows;
    expect(new Set(reviews.map((r) => r.conversation_id)).size, tag).toBe(CONVERSATIONS);
    expect(reviews.length, tag).toBe(CONVERSATIONS);
    expect(
      reviews.filter((r) => r.state !== 'acknowledged').map((r) => `${r.id} ${r.state}`),
      tag,
    ).toEqual([]);
    expect(
      scoredAcks.filter((id) => !reviews.some((r) => r.id === id)),
      tag,
    ).toEqual([]);
    // One set of marks per review: a repeated score never added a second.
    const marks = (
      await run.pool.query<{ review_id: number; n: number; codes: number }>(
        `select review_id::int as review_id, count(*)::int as n, count(distinct code)::int as codes
           from qa_review_items where review_id = any($1) group by 1`,
        [reviews.map((r) => r.id)],
      )
    ).rows;
    expect(marks.length, tag).toBe(CONVERSATIONS);
    expect(
      marks.filter((m) => m.n !== m.codes),
      tag,
    ).toEqual([]);

    // One feedback card per review to the agent, under one uuid, whatever the retries.
    const attempts = run.sandbox.state.sendAttempts();
    expect(sendsWithoutUuid(attempts), tag).toEqual([]);
    expect(uuidsWithSeveralTargets(attempts), tag).toEqual([]);
    for (const r of reviews) {
      const uuids = new Set(
        attempts
          .filter((a) => a.outcome !== 'refused' && a.content.includes('qa.ack') && namesReview(a.content, r.id))
          .map((a) => a.uuid),
      );
      expect({ review: r.id, feedback: uuids.size }, tag).toEqual({ review: r.id, feedback: 1 });
    }
    expect(contentUnderSeveralUuids(attempts), tag).toEqual([]);

    expect(linesWithSecrets(run.sandbox, run.lines), tag).toEqual([]);
    expect(
      run.lines.some((l) => l.includes(API_TOKEN)),
      tag,
    ).toBe(false);
  }, 900_000);
});
