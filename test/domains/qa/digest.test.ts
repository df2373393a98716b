import nock from 'nock';
import { rebuildRollup } from '../../../src/domains/qa/rollup-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/app.js';
import { apiPost, conversation, qaApp, sh, type QaTestApp } from './helpers.js';

describe('the weekly QA digest: last week against the week before, to team leads and the QA lead', () => {
  let t: QaTestApp;

  beforeAll(async () => {
    t = await qaApp();
    await apiPost(t, '/api/qa/conversations', {
      conversations: [
        conversation('T1', {}, true),
        conversation('T2', {}, true),
        conversation('J1', { channel: 'jd', agent: 'ou_agent_2' }, true),
      ],
    });
    await apiPost(t, '/api/qa/sampling', { from: '2026-11-19T16:00:00Z', to: '2026-11-20T16:00:00Z', seed: 'd' });
    // 天猫组: T1 90 (pass) scored last week, T2 70 (fail) the week before; 京东组: J1 85 last week only.
    const scored: Record<string, [number, string, string]> = {
      T1: [90, 'pass', '2026-11-20T10:00'],
      T2: [70, 'fail', '2026-11-13T10:00'],
      J1: [85, 'pass', '2026-11-20T11:00'],
    };
    for (const [ext, [score, result, at]] of Object.entries(scored))
      await t.database.query(
        `update qa_reviews r set score = $2, result = $3, state = 'scored', scored_at = $4
           from qa_conversations c where c.id = r.conversation_id and c.external_id = $1`,
        [ext, score, result, sh(at).toISOString()],
      );
    // Scored straight in qa_reviews, past the service that keeps the stored rollups: rebuild them.
    await rebuildRollup(t.database);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('sends each lead their team by DM on Monday 09:00, comparing the same scorecard version', async () => {
    const at = sh('2026-11-23T09:00');
    t.clock.current = at;
    expect(await t.deps.jobs.tick('qa.weekly-digest', at)).toBe(true);
    await waitFor(async () => {
      t.deps.jobs.notify('schedule.qa.weekly-digest');
      return t.feishu.to('ou_qa_lead').length > 0 && t.feishu.to('ou_lead_jd').length > 0;
    }, 'digest sent');
    const card = (openId: string) => {
      const sent = t.feishu.to(openId);
      expect(sent).toHaveLength(1);
      return JSON.stringify(sent[0]!.card);
    };
    const tmall = card('ou_lead_tm');
    expect(tmall).toContain('质检周报 Weekly QA · 天猫客服组 · 2026-11-16 – 2026-11-22');
    expect(tmall).toContain('同一标准 same scorecard v1');
    expect(tmall).toContain('加权均分 70.0 → 90.0（+20.0）');
    expect(tmall).toContain('合格 0% → 100%');
    expect(tmall).toContain('上周 Last week');
    expect(tmall).not.toContain('京东');
    const jd = card('ou_lead_jd');
    expect(jd).toContain('上周同一标准下没有可比数据');
    expect(jd).not.toContain('天猫');
    const all = card('ou_qa_lead');
    expect(all).toContain('质检周报 Weekly QA · 全部 All');
    expect(all).toContain('加权均分 70.0 → 87.5（+17.5）');
    // Nobody else: personal figures never go to a shared chat.
    expect(
      t.feishu.sent
        .filter((s) => s.kind === 'send')
        .map((s) => s.to)
        .sort(),
    ).toEqual(['ou_lead_jd', 'ou_lead_tm', 'ou_qa_lead']);
  });
});
