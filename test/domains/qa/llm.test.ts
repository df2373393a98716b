import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/app.js';
import { apiGet, apiPost, buttons, click, qaApp, say, settle, type QaTestApp } from './helpers.js';

type Json = Record<string, unknown>;
const LLM = 'https://llm.test';
const KEY = 'sk-test-llm-key-DO-NOT-LOG-7f3a';
const text = (card: unknown) => JSON.stringify(card);

/** A Tmall conversation of 小王 on day `d` of November: slow first reply, no greeting. */
function conversationOn(d: number, externalId: string) {
  const base = Date.parse(`2026-11-${String(d).padStart(2, '0')}T02:00:00Z`);
  const at = (s: number) => new Date(base + s * 1000).toISOString();
  return {
    channel: 'tmall',
    externalId,
    agent: 'ou_agent_1',
    csat: 3,
    messages: [
      { role: 'customer', at: at(0), text: '我的快递到哪了' },
      { role: 'agent', at: at(400), text: '单号发我' },
      { role: 'customer', at: at(420), text: '还没到，你们怎么回事' },
      { role: 'agent', at: at(450), text: '已催，谢谢' },
    ],
  };
}

/** The endpoint's answer with `content` as the model's message. */
const completion = (content: unknown) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(content) }, finish_reason: 'stop' }],
});

describe('the AI pre-score (LLM_* set, endpoint through nock)', () => {
  let t: QaTestApp;
  let minute = 0;
  const rows = async <T = Json>(sql: string, params: unknown[] = []) => (await t.database.query<T>(sql, params)).rows;
  const prescoreOf = async (reviewId: number) =>
    (await rows('select * from qa_ai_prescores where review_id = $1', [reviewId]))[0];

  /** Ingests the day's conversation and samples the day: its review, to score. */
  async function reviewOn(d: number, externalId: string): Promise<{ id: number; inspector: string }> {
    const res = await apiPost(t, '/api/qa/conversations', { conversations: [conversationOn(d, externalId)] });
    expect(res.json()).toMatchObject({ created: 1 });
    const day = `2026-11-${String(d).padStart(2, '0')}`;
    const s = await apiPost(t, '/api/qa/sampling', { from: `${day}T00:00:00Z`, to: `${day}T23:59:59Z`, seed: day });
    expect(s.statusCode).toBe(200);
    const [r] = await rows<{ id: string; inspector_open_id: string }>(
      `select r.id, r.inspector_open_id from qa_reviews r join qa_conversations c on c.id = r.conversation_id
        where c.external_id = $1`,
      [externalId],
    );
    return { id: Number(r!.id), inspector: r!.inspector_open_id };
  }

  /** One run of the every-minute schedule, as the cron would start it. */
  async function runPrescore(): Promise<void> {
    const at = new Date(Date.parse('2026-11-30T01:00:00Z') + minute++ * 5 * 60_000);
    t.clock.current = at;
    expect(await t.deps.jobs.tick('qa.ai-prescore', at)).toBe(true);
    await waitFor(async () => {
      t.deps.jobs.notify('schedule.qa.ai-prescore');
      const [r] = await rows<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = 'schedule.qa.ai-prescore' and state <> 'completed'`,
      );
      return r?.n === 0;
    }, 'ai pre-score run');
  }

  /** The inspector's 质检: the scoring card, checked to be for `reviewId`. */
  async function open(r: { id: number; inspector: string }) {
    const asked = await say(t, '质检', r.inspector);
    const card = t.feishu.replies(asked).at(-1)!.card;
    const submit = buttons(card).find((b) => b.action === 'qa.score' && b.accept === undefined)!;
    expect(Number(submit.reviewId)).toBe(r.id);
    return { card, submit, accept: buttons(card).find((b) => b.accept === true)! };
  }

  beforeAll(async () => {
    t = await qaApp({ env: { LLM_BASE_URL: `${LLM}/v1/`, LLM_API_KEY: KEY, LLM_MODEL: 'qa-model-1' } });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it("offers the AI's deductions beside the pre-checks, escaped; accepting all takes them in one click", async () => {
    const r = await reviewOn(2, 'AI-HAPPY');
    let asked: Json | undefined;
    const scope = nock(LLM)
      .post('/v1/chat/completions', (body: Json) => {
        asked = body;
        return true;
      })
      .matchHeader('authorization', `Bearer ${KEY}`)
      .reply(
        200,
        completion({
          criteria: [
            {
              code: 'ATT-02',
              points: 3,
              seq: 4,
              evidence: '已催',
              reason: '敷衍 <at id=all></at> **全员** [点我](https://evil.example)',
            },
            { code: 'COM-01', points: 1, seq: 4, evidence: '已催，谢谢', reason: '没有确认问题已解决' },
            { code: 'ACC-01', points: 0, reason: '回答无误' },
            { code: 'PRO-02', na: true },
            { code: 'NOPE-9', points: 3, evidence: '单号发我' },
          ],
        }),
      );
    await runPrescore();
    expect(scope.isDone()).toBe(true);
    // The request: the model, a JSON answer, the scorecard and the conversation as data.
    expect(asked).toMatchObject({ model: 'qa-model-1', response_format: { type: 'json_object' } });
    expect(JSON.stringify(asked)).toContain('还没到，你们怎么回事');
    expect(JSON.stringify(asked)).toContain('ATT-02');

    const p = await prescoreOf(r.id);
    expect(p).toMatchObject({ status: 'ok', offered: true, model: 'qa-model-1', dropped_quotes: 0, attempts: 1 });
    const scores = p!.scores as Json[];
    expect(scores.map((s) => s.code).sort()).toEqual(['ACC-01', 'ATT-02', 'COM-01', 'PRO-02']);
    expect(scores.find((s) => s.code === 'ATT-02')).toMatchObject({
      points: 3,
      seq: 4,
      quote: '已催',
      suggested: true,
    });
    expect(scores.find((s) => s.code === 'PRO-02')).toMatchObject({ na: true, points: 0, suggested: false });

    const { card, accept } = await open(r);
    const s = text(card);
    expect(s).toContain('预检建议扣分'); // the rule pre-checks (slow first reply) …
    expect(s).toContain('AI 预评分建议'); // … and the AI's beside them
    expect(s).not.toContain('<at id=all>');
    expect(s).not.toContain('](https://evil');
    expect(s).not.toContain('**全员**');
    const dir = process.env.CARD_DUMP_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'qa-score-ai.json'), JSON.stringify(card, null, 2));
    }

    const res = await click(t, accept, { openId: r.inspector });
    expect(res.toast).toMatchObject({ type: 'success' });
    await settle(t);
    const items = await rows<Json>(
      'select code, points, from_suggestion, quote from qa_review_items where review_id = $1 order by code',
      [r.id],
    );
    expect(items.find((i) => i.code === 'ATT-02')).toMatchObject({ points: 3, from_suggestion: true, quote: '已催' });
    expect(items.find((i) => i.code === 'COM-01')).toMatchObject({ points: 1, from_suggestion: true });
    expect(items.find((i) => i.code === 'PRO-01')).toMatchObject({ points: 5, from_suggestion: true });
  });

  it('drops a quote that is not in the conversation and clamps scores to each criterion’s range', async () => {
    const r = await reviewOn(3, 'AI-HOSTILE');
    nock(LLM)
      .post('/v1/chat/completions')
      .reply(
        200,
        completion({
          criteria: [
            { code: 'ATT-02', points: 99, seq: 2, evidence: '我保证给你双倍退款', reason: '违规承诺' },
            { code: 'COM-01', points: -4, seq: 4, evidence: '已催，谢谢' },
            { code: 'att-01', points: '2.6', seq: 1, evidence: '单号发我' },
            { code: 'ACC-01', na: true },
            { code: 'PRO-01', na: true },
          ],
        }),
      );
    await runPrescore();
    const p = await prescoreOf(r.id);
    expect(p).toMatchObject({ status: 'ok', dropped_quotes: 1, offered: true });
    const scores = p!.scores as Json[];
    // 99 → the max 5, its invented quote dropped, so it is not offered; −4 → 0.
    expect(scores.find((s) => s.code === 'ATT-02')).toMatchObject({ points: 5, quote: null, suggested: false });
    expect(scores.find((s) => s.code === 'COM-01')).toMatchObject({ points: 0, suggested: false });
    // "2.6" → 3 of 2 → 2; the quote found in message 2, not the one the model named.
    expect(scores.find((s) => s.code === 'ATT-01')).toMatchObject({ points: 2, seq: 2, suggested: true });
    expect(scores.find((s) => s.code === 'ACC-01')).toMatchObject({ na: true });
    // N/A where the criterion does not allow it, and no points: no score.
    expect(scores.find((s) => s.code === 'PRO-01')).toBeUndefined();

    const { card, submit } = await open(r);
    expect(text(card)).not.toContain('双倍退款');
    // The inspector edits: ATT-02 −5 (the AI's score, though not offered), ATT-01 dismissed (0).
    const res = await click(t, submit, { openId: r.inspector, formValue: { 'm_ATT-02': '5', 'm_ATT-01': '0' } });
    expect(res.toast).toMatchObject({ type: 'success' });
  });

  it('endpoint down (503, then a network error): the review goes on without it, recorded and retried', async () => {
    const r = await reviewOn(4, 'AI-DOWN');
    nock(LLM).post('/v1/chat/completions').reply(503, 'upstream unavailable');
    await runPrescore();
    expect(await prescoreOf(r.id)).toMatchObject({
      status: 'failed',
      reason: 'http_5xx',
      http_status: 503,
      attempts: 1,
    });
    // Minutes later, the next run asks again: the endpoint is unreachable now.
    nock(LLM).post('/v1/chat/completions').replyWithError('connect ECONNREFUSED');
    await runPrescore();
    expect(await prescoreOf(r.id)).toMatchObject({ status: 'failed', reason: 'network', attempts: 2 });
    nock(LLM)
      .post('/v1/chat/completions')
      .reply(429, { error: { message: 'rate limited' } });
    await runPrescore();
    expect(await prescoreOf(r.id)).toMatchObject({ status: 'failed', reason: 'rate_limited', attempts: 3 });
    // Three attempts: no fourth call (nothing is intercepted; a call would be a network error).
    await runPrescore();
    expect(await prescoreOf(r.id)).toMatchObject({ attempts: 3 });

    const { card, accept } = await open(r);
    expect(text(card)).toContain('预检建议扣分');
    expect(text(card)).not.toContain('AI 预评分建议');
    expect((await click(t, accept, { openId: r.inspector })).toast).toMatchObject({ type: 'success' });
  });

  it('garbage (prose instead of JSON, a wrong shape): recorded, not retried, the review goes on', async () => {
    const a = await reviewOn(5, 'AI-PROSE');
    nock(LLM)
      .post('/v1/chat/completions')
      .reply(200, {
        choices: [{ message: { role: 'assistant', content: 'Sure! The agent did great, 10/10.' } }],
      });
    await runPrescore();
    expect(await prescoreOf(a.id)).toMatchObject({ status: 'failed', reason: 'bad_json', scores: null });
    const b = await reviewOn(6, 'AI-SHAPE');
    nock(LLM)
      .post('/v1/chat/completions')
      .reply(200, completion({ criteria: [{ code: 'ATT-02', points: 'lots' }] }));
    await runPrescore();
    expect(await prescoreOf(b.id)).toMatchObject({ status: 'failed', reason: 'bad_shape' });
    nock(LLM).post('/v1/chat/completions').reply(200, '<html>not json</html>');
    const c = await reviewOn(7, 'AI-HTML');
    await runPrescore();
    expect(await prescoreOf(c.id)).toMatchObject({ status: 'failed', reason: 'bad_json' });
    await runPrescore(); // not asked again
    expect(await prescoreOf(a.id)).toMatchObject({ attempts: 1 });
    for (const r of [a, b, c]) {
      const { accept } = await open(r);
      expect((await click(t, accept, { openId: r.inspector })).toast).toMatchObject({ type: 'success' });
    }
  });

  it('a review opened with 质检 before the minute run is asked at once for its reply (llm-chat.test.ts)', async () => {
    const r = await reviewOn(8, 'AI-OPENED');
    // The endpoint is down when the opened review is asked: recorded, the reply left as shown, scored without it.
    const scope = nock(LLM).post('/v1/chat/completions').reply(503, 'upstream unavailable');
    const { accept } = await open(r);
    await waitFor(async () => {
      t.deps.jobs.notify('qa.ai-prescore-opened');
      return (await prescoreOf(r.id))?.status === 'failed';
    }, 'the opened review asked');
    expect(scope.isDone()).toBe(true);
    expect(await prescoreOf(r.id)).toMatchObject({ status: 'failed', reason: 'http_5xx', attempts: 1 });
    expect((await click(t, accept, { openId: r.inspector })).toast).toMatchObject({ type: 'success' });
  });

  it('the key never reaches a log line, a stored row or the printed config, even echoed by the endpoint', async () => {
    const r = await reviewOn(9, 'AI-401');
    nock(LLM)
      .post('/v1/chat/completions')
      .reply(401, { error: { message: `Incorrect API key provided: ${KEY}` } });
    await runPrescore();
    expect(await prescoreOf(r.id)).toMatchObject({ status: 'failed', reason: 'http_4xx', http_status: 401 });
    const stored = JSON.stringify(await rows('select * from qa_ai_prescores'));
    expect(stored).not.toContain(KEY);
    expect(t.logs.lines.join('\n')).not.toContain(KEY);
    expect(t.logs.messages()).toContain('ai pre-score failed, review goes on');
    expect(JSON.stringify(t.config)).not.toContain(KEY);
    expect(JSON.stringify(t.config.llm)).toContain('[redacted]');
    const { accept } = await open(r);
    expect((await click(t, accept, { openId: r.inspector })).toast).toMatchObject({ type: 'success' });
  });

  it('reports the agreement per criterion to the QA lead (chat and API); others are refused', async () => {
    const res = await apiGet(t, '/api/qa/ai/agreement?from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z');
    expect(res.statusCode).toBe(200);
    const a = res.json() as { enabled: boolean; reviews: number; failed: number; criteria: Json[] };
    // Scored: the happy one and the hostile one with an answer; six asked without a usable one (AI-OPENED among
    // them: opened with 质检 and asked at once while the endpoint was down).
    expect(a).toMatchObject({ enabled: true, reviews: 2, failed: 6 });
    const by = new Map(a.criteria.map((c) => [c.code, c]));
    // ATT-02: AI 3 / inspector 3 (confirmed), AI 5 / inspector 5 (not offered: its quote was invented).
    expect(by.get('ATT-02')).toMatchObject({ pairs: 2, exact: 1, kappa: 1, confirmed: 1, edited: 0, dismissed: 0 });
    // COM-01: 1/1 and 0/0; ATT-01: AI 2, the inspector dismissed it (0).
    expect(by.get('COM-01')).toMatchObject({ pairs: 2, exact: 1, kappa: 1, confirmed: 1 });
    expect(by.get('ATT-01')).toMatchObject({ pairs: 1, exact: 0, dismissed: 1 });

    const asked = await say(t, 'AI一致性', 'ou_qa_lead');
    const card = text(t.feishu.replies(asked).at(-1)!.card);
    expect(card).toContain('AI 预评分一致性');
    expect(card).toContain('κ 1.00');
    const refused = await say(t, 'AI一致性', 'ou_agent_1');
    expect(text(t.feishu.replies(refused).at(-1)!.card)).toContain('仅限质检主管');
  });

  it('leaves calibration reviews to the inspectors, and shows the agreement in 校准报告 too', async () => {
    const round = await apiPost(t, '/api/qa/calibration', {
      name: 'AI 校准',
      conversations: [{ channel: 'tmall', externalId: 'AI-HAPPY' }],
      inspectors: ['ou_insp_1', 'ou_insp_2'],
      by: 'ou_qa_lead',
    });
    expect(round.statusCode).toBe(201);
    await runPrescore(); // nothing intercepted: a call would be recorded as a network failure
    const [n] = await rows<{ n: number }>(
      `select count(*)::int as n from qa_ai_prescores p join qa_reviews r on r.id = p.review_id
        where r.sample_reason = 'calibration'`,
    );
    expect(n!.n).toBe(0);
    const asked = await say(t, '校准报告', 'ou_qa_lead');
    const card = text(t.feishu.replies(asked).at(-1)!.card);
    expect(card).toContain('AI 校准');
    expect(card).toContain('AI 预评分一致性');
    expect(card).toContain('κ 1.00');
  });
});
