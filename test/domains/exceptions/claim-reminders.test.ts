import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remindStaleClaims } from '../../../src/domains/exceptions/jobs.js';
import { repo } from '../../../src/domains/exceptions/repository.js';
import { CLAIM_PAGE } from '../../../src/domains/exceptions/service/claim-reminders.js';
import type { EffectsJob } from '../../../src/domains/exceptions/service/context.js';
import { createExceptionService } from '../../../src/domains/exceptions/service/index.js';
import { apiPost, cardText, exceptionsApp, serviceOf, settle, sh, type ExceptionsTestApp } from './helpers.js';

/** Stale-claim reminders go through the same transactional outbox as every other follow-up. */
describe('stale recovery-claim reminders', () => {
  let t: ExceptionsTestApp;
  let caseId: number;

  const reminders = (openId: string) => t.feishu.to(openId).filter((s) => cardText(s.card).includes('追款待跟进'));
  const claimRow = async (id: number) => (await repo.getClaim(t.database.db, id))!;
  const newClaim = async (ownerOpenId: string, at: Date) =>
    repo.insertClaim(t.database.db, {
      caseId,
      counterpartyType: 'carrier',
      counterparty: '顺丰 SF',
      claimFen: 100_00,
      ownerOpenId,
      openedAt: at,
      lastActivityAt: at,
    });

  beforeAll(async () => {
    t = await exceptionsApp({ start: '2026-11-23T09:00' });
    const res = await apiPost(t, '/api/exceptions', {
      externalId: 'CL1',
      kind: 'lost',
      orderNo: 'O-CL1',
      trackingNumber: 'SF1234567890123',
      amountAtRiskFen: 100_00,
    });
    caseId = res.json().case.id;
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('marks the claim and queues its reminder in one transaction; a failed enqueue leaves it for later', async () => {
    const claim = await newClaim('ou_claim_a', sh('2026-11-19T10:00'));
    const failing = createExceptionService({
      ...serviceOf(t).deps,
      jobs: {
        send: async () => {
          throw new Error('queue down');
        },
      },
    });
    await expect(remindStaleClaims(failing, sh('2026-11-23T09:30'))).rejects.toThrow('queue down');
    expect((await claimRow(claim.id)).lastRemindedAt).toBeNull(); // rolled back with the failed enqueue

    expect(await remindStaleClaims(serviceOf(t), sh('2026-11-23T09:30'))).toBe(1);
    expect((await claimRow(claim.id)).lastRemindedAt).toEqual(sh('2026-11-23T09:30'));
    await settle(t);
    expect(reminders('ou_claim_a')).toHaveLength(1);
    expect(cardText(reminders('ou_claim_a')[0]!.card)).toContain('已 3 天无进展');
  });

  it('a reminder whose send fails is sent by the retried job, once, under the same key', async () => {
    const claim = await newClaim('ou_claim_b', sh('2026-11-18T10:00'));
    const svc = serviceOf(t);
    // Queue without the workers picking it up: read the outbox row the sweep committed.
    const queue = {
      send: async (name: string, data: object) => {
        queued.push(data as EffectsJob);
        return name;
      },
    };
    const queued: EffectsJob[] = [];
    expect(await remindStaleClaims(createExceptionService({ ...svc.deps, jobs: queue }), sh('2026-11-23T10:00'))).toBe(
      1,
    );
    const job = queued.find((j) => j.effects.some((e) => e.type === 'claim_reminder' && e.claimId === claim.id))!;

    const keys: string[] = [];
    let fail = true;
    const flaky = createExceptionService({
      ...svc.deps,
      feishu: {
        ...svc.deps.feishu,
        messages: {
          ...svc.deps.feishu.messages,
          send: async (m) => {
            keys.push(m.key ?? '');
            if (fail) throw new Error('Feishu 500');
            return svc.deps.feishu.messages.send(m);
          },
        },
      },
    });
    await expect(flaky.runEffects(job, sh('2026-11-23T10:00'))).rejects.toThrow('Feishu 500');
    fail = false;
    await flaky.runEffects(job, sh('2026-11-23T10:01')); // the queue's retry
    await flaky.runEffects(job, sh('2026-11-23T10:02')); // and a duplicate delivery
    expect(new Set(keys)).toEqual(new Set([`exceptions:claim:${claim.id}:reminder:2026-11-23`]));
    expect(reminders('ou_claim_b')).toHaveLength(1);
    // The sweep marked it: a second sweep the same day queues nothing more.
    expect(await remindStaleClaims(svc, sh('2026-11-23T15:00'))).toBe(0);
  });

  it('does not send a queued reminder for a claim someone worked on or closed meanwhile', async () => {
    const claim = await newClaim('ou_claim_c', sh('2026-11-17T10:00'));
    const svc = serviceOf(t);
    const queued: EffectsJob[] = [];
    await remindStaleClaims(
      createExceptionService({
        ...svc.deps,
        jobs: {
          send: async (_n: string, d: object) => {
            queued.push(d as EffectsJob);
            return 'x';
          },
        },
      }),
      sh('2026-11-24T10:00'),
    );
    const job = queued.find((j) => j.effects.some((e) => e.type === 'claim_reminder' && e.claimId === claim.id))!;
    await svc.recordRecovery(claim.id, { recoveredFen: 10_00 }, 'ou_claim_c', sh('2026-11-24T10:05'));
    await svc.runEffects(job, sh('2026-11-24T10:06'));
    expect(reminders('ou_claim_c')).toHaveLength(0);
  });

  it(`reads open claims a page of ${CLAIM_PAGE} at a time and still reminds every stale one, once`, async () => {
    const at = sh('2026-11-01T10:00');
    const many = [];
    for (let i = 0; i < CLAIM_PAGE + 5; i++) many.push(await newClaim(`ou_many_${i % 5}`, at));
    const fresh = await newClaim('ou_fresh', sh('2026-11-25T09:00'));
    const now = sh('2026-11-25T10:00');
    expect(await remindStaleClaims(serviceOf(t), now)).toBeGreaterThanOrEqual(many.length);
    for (const c of many) expect((await claimRow(c.id)).lastRemindedAt).toEqual(now);
    expect((await claimRow(fresh.id)).lastRemindedAt).toBeNull();
    // Every one is marked, so a second sweep (or a second instance) queues nothing.
    expect(await remindStaleClaims(serviceOf(t), now)).toBe(0);
    await settle(t);
    const sent = [0, 1, 2, 3, 4].reduce((n, i) => n + reminders(`ou_many_${i}`).length, 0);
    expect(sent).toBe(many.length);
    expect(reminders('ou_fresh')).toHaveLength(0);
  });
});
