import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore, settingsHost } from '../../../src/core/settings.js';
import { declareQaSettings } from '../../../src/domains/qa/settings/index.js';
import { backfillPrechecks, latestBasis } from '../../../src/domains/qa/service/precheck-store.js';
import { PrecheckPolicy } from '../../../src/domains/qa/logic/prechecks.js';
import { waitFor } from '../../helpers/app.js';
import { apiPost, conversation, qaApp, type QaTestApp } from './helpers.js';

// The sampling plan weighs each conversation by its pre-check hits; those are stored when the conversation
// comes in (keyed by scorecard version, pre-check policy and message count) so the plan reads one row each.
describe('stored pre-check hits for the sampling plan', () => {
  let t: QaTestApp;
  const period = { from: '2026-11-19T16:00:00Z', to: '2026-11-20T16:00:00Z' };
  const stored = async () =>
    Object.fromEntries(
      (
        await t.database.query<{ external_id: string; hits: number; scorecard_version: number; policy_key: string }>(
          `select c.external_id, p.hits, p.scorecard_version, p.policy_key
             from qa_conversation_prechecks p join qa_conversations c on c.id = p.conversation_id`,
        )
      ).rows.map((r) => [r.external_id, r]),
    );
  const plan = async (seed: string) => {
    const res = await apiPost(t, '/api/qa/sampling', { ...period, seed });
    expect(res.statusCode).toBe(200);
    return (
      await t.database.query<{ external_id: string; sample_reason: string; p: number; inspector_open_id: string }>(
        `select c.external_id, r.sample_reason, r.inclusion_probability as p, r.inspector_open_id
           from qa_reviews r join qa_conversations c on c.id = r.conversation_id order by c.external_id`,
      )
    ).rows;
  };
  const forget = () => t.database.query(`delete from qa_reviews`);

  beforeAll(async () => {
    t = await qaApp();
    // An empty period's plan publishes the draft scorecard as version 1 (what ingest checks against).
    expect(
      (await apiPost(t, '/api/qa/sampling', { from: '2026-10-01T00:00:00Z', to: '2026-10-02T00:00:00Z' })).statusCode,
    ).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('ingest stores each new conversation’s hits under the current scorecard and policy', async () => {
    // 12 of 小王's conversations (quota 5, so the risk tilt matters): 4 slow and greeting-less, 8 clean.
    const res = await apiPost(t, '/api/qa/conversations', {
      conversations: Array.from({ length: 12 }, (_, i) => conversation(`S${String(i).padStart(2, '0')}`, {}, i >= 4)),
    });
    expect(res.json()).toMatchObject({ created: 12 });
    const rows = await stored();
    expect(Object.keys(rows)).toHaveLength(12);
    // Slow first reply (400 s) and no greeting: two findings; a clean one none.
    expect(rows.S00).toMatchObject({ hits: 2, scorecard_version: 1 });
    expect(rows.S04).toMatchObject({ hits: 0, scorecard_version: 1 });
  });

  it('draws the same plan from stored hits as from the messages, and fills missing rows as it goes', async () => {
    const fromStore = await plan('seed-a');
    expect(fromStore).toHaveLength(5);
    expect(fromStore.some((r) => r.sample_reason === 'precheck')).toBe(true);
    await forget();
    // As after the upgrade: no stored rows at all, so the plan checks every message itself.
    await t.database.query(`delete from qa_conversation_prechecks`);
    expect(await plan('seed-a')).toEqual(fromStore);
    expect(Object.keys(await stored())).toHaveLength(12);
    await forget();
  });

  it('a changed pre-check policy recomputes the hits: the plan never weighs by stale flags', async () => {
    const before = await stored();
    // First reply within an hour is fine and 单号 counts as a greeting: the slow ones have nothing left.
    const store = new SettingsStore({ database: t.database, log: t.log });
    declareQaSettings(settingsHost(store, 'qa'));
    const prechecks = PrecheckPolicy.parse({ firstResponseSeconds: 3600, greetings: ['您好', '单号'] });
    expect(await store.save('qa.policy', { prechecks }, 'ou_qa_lead')).toBe('saved');
    // The app hears of the change through NOTIFY on PostgreSQL (a moment later), at its next read on PGlite.
    let picks: Awaited<ReturnType<typeof plan>> = [];
    await waitFor(async () => {
      await forget();
      picks = await plan('seed-a');
      return !picks.some((r) => r.sample_reason === 'precheck');
    }, 'plan under the new policy');
    // Every conversation of the period is now equally likely: 5 of 12.
    for (const r of picks) expect(Number(r.p)).toBeCloseTo(5 / 12, 5);
    const after = await stored();
    expect(after.S00!.hits).toBe(0);
    expect(after.S00!.policy_key).not.toBe(before.S00!.policy_key);
    await forget();
  });

  it('the start-up backfill gives conversations stored without hits (older imports) their row', async () => {
    await t.database.query(`delete from qa_conversation_prechecks`);
    const policy = PrecheckPolicy.parse({});
    const basis = (await latestBasis(t.database, policy))!;
    expect(await backfillPrechecks(t.database, basis, new Date('2026-11-23T02:00:00Z'))).toBe(12);
    const rows = await stored();
    expect(rows.S00).toMatchObject({ hits: 2, policy_key: basis.policyKey });
    expect(rows.S04).toMatchObject({ hits: 0 });
    // Nothing left to do: a second run (another instance's start) changes nothing.
    expect(await backfillPrechecks(t.database, basis, new Date('2026-11-23T02:00:00Z'))).toBe(0);
  });
});
