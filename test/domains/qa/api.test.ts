import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, apiPost, conversation, qaApp, type QaTestApp } from './helpers.js';

describe('POST /api/qa/conversations and the scorecard API', () => {
  let t: QaTestApp;
  const count = async (table: string) =>
    (await t.database.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;

  beforeAll(async () => {
    t = await qaApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('answers 401 without a valid token', async () => {
    expect((await apiPost(t, '/api/qa/conversations', { conversations: [] }, null)).statusCode).toBe(401);
    expect((await apiPost(t, '/api/qa/conversations', { conversations: [] }, 'wrong')).statusCode).toBe(401);
  });

  it('stores a batch with its messages in time order, and a repeat changes nothing', async () => {
    const c1 = conversation('T1');
    const shuffled = { ...c1, messages: [...c1.messages].reverse() };
    const first = await apiPost(t, '/api/qa/conversations', {
      conversations: [shuffled, conversation('T2', { agent: '小王', tags: ['物流'] })],
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ created: 2, existing: 0, rejected: 0 });
    const again = await apiPost(t, '/api/qa/conversations', {
      conversations: [conversation('T1', { shop: '别的店' })],
    });
    expect(again.json()).toMatchObject({
      created: 0,
      existing: 1,
      results: [{ status: 'existing', conversationId: first.json().results[0].conversationId }],
    });
    expect(await count('qa_conversations')).toBe(2);
    expect(await count('qa_messages')).toBe(8);
    const { rows } = await t.database.query<{ seq: number; text: string; shop: string; agent_open_id: string }>(
      `select m.seq, m.text, c.shop, c.agent_open_id from qa_messages m join qa_conversations c on c.id =
        m.conversation_id where c.external_id = 'T1' order by m.seq`,
    );
    expect(rows.map((r) => r.text)).toEqual(['我的快递到哪了', '单号发我', '还没到', '已催，谢谢']);
    expect(rows[0]).toMatchObject({ shop: '天猫旗舰店', agent_open_id: 'ou_agent_1' });
  });

  it('the same external id on another channel is another conversation; concurrent same posts store once', async () => {
    const other = await apiPost(t, '/api/qa/conversations', {
      conversations: [conversation('T1', { channel: 'jd' })],
    });
    expect(other.json()).toMatchObject({ created: 1 });
    const results = await Promise.all(
      [1, 2, 3].map(() => apiPost(t, '/api/qa/conversations', { conversations: [conversation('T3')] })),
    );
    expect(results.map((r) => r.json().created).sort()).toEqual([0, 0, 1]);
    expect(await count('qa_conversations')).toBe(4);
  });

  it('refuses unknown channels and agents per conversation, with the reason, and stores the rest', async () => {
    const res = await apiPost(t, '/api/qa/conversations', {
      conversations: [
        conversation('B1', { channel: 'myspace' }),
        conversation('B2', { agent: 'ou_nobody' }),
        conversation('B3', { agent: '小李' }),
        conversation('G1'),
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ created: 1, rejected: 3 });
    expect(body.results[0]).toMatchObject({
      status: 'rejected',
      error: { field: 'channel', message: expect.stringContaining('未知渠道') },
    });
    expect(body.results[1]).toMatchObject({
      status: 'rejected',
      error: { field: 'agent', message: expect.stringContaining('未知客服') },
    });
    expect(body.results[2]).toMatchObject({
      status: 'rejected',
      error: { field: 'agent', message: expect.stringContaining('重名') },
    });
    expect(body.results[3]).toMatchObject({ status: 'created' });
  });

  it('answers 422 when every conversation is refused, and for malformed bodies, storing nothing', async () => {
    const before = await count('qa_conversations');
    const all = await apiPost(t, '/api/qa/conversations', { conversations: [conversation('B4', { channel: 'nope' })] });
    expect(all.statusCode).toBe(422);
    expect(all.json().error.details.rejected).toBe(1);
    const bad = [
      { conversations: [] },
      { conversations: [conversation('B5', { messages: [] })] },
      {
        conversations: [
          conversation('B6', { messages: [{ role: 'robot', at: '2026-11-20T10:00:00+08:00', text: 'x' }] }),
        ],
      },
      { conversations: [conversation('B7', { messages: [{ role: 'agent', at: 'yesterday', text: 'x' }] })] },
      { conversations: [conversation('B8', { csat: 9 })] },
      { conversations: [conversation('x'.repeat(200))] },
      {
        conversations: [
          conversation('B9', {
            messages: [{ role: 'agent', at: '2026-11-20T10:00:00+08:00', text: 'y'.repeat(5001) }],
          }),
        ],
      },
    ];
    for (const body of bad) {
      const res = await apiPost(t, '/api/qa/conversations', body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(res.json().error.details[0].path).toMatch(/^\/conversations/);
    }
    expect(await count('qa_conversations')).toBe(before);
  });

  it('publishing: only the QA lead; a new version only when 评分标准 changed; reviews keep theirs', async () => {
    const current = await apiGet(t, '/api/qa/scorecard');
    expect(current.json()).toMatchObject({
      version: 1,
      criteria: expect.arrayContaining([expect.objectContaining({ code: 'ATT-01' })]),
    });
    const refused = await apiPost(t, '/api/qa/scorecard/publish', { by: 'ou_insp_1' });
    expect(refused.statusCode).toBe(403);
    const same = await apiPost(t, '/api/qa/scorecard/publish', { by: 'ou_qa_lead' });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ version: 1, created: false });
    expect(await count('qa_scorecard_versions')).toBe(1);
  });
});
