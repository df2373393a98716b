import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweep } from '../../../src/domains/exceptions/jobs.js';
import { caseRows } from '../../../src/domains/exceptions/bitable.js';
import {
  apiPost,
  cardText,
  caseRow,
  click,
  exceptionsApp,
  serviceOf,
  settle,
  sh,
  type ExceptionsTestApp,
  fresh,
} from './helpers.js';

describe('the escalation ladder', () => {
  let t: ExceptionsTestApp;
  const tick = async (iso: string) => {
    t.clock.set(iso);
    const result = await sweep(serviceOf(t), sh(iso));
    await settle(t);
    return result.escalations;
  };
  const open = async (externalId: string, extra: Record<string, unknown> = {}) => {
    const res = await apiPost(t, '/api/exceptions', {
      externalId,
      kind: 'refund_dispute',
      orderNo: `TM-${externalId}`,
      returnTrackingNumber: 'SF1234567890123',
      ...extra,
    });
    expect(res.statusCode).toBe(201);
    await settle(t);
    return res.json().case.id as number;
  };
  const escalationsTo = (openId: string) => t.feishu.to(openId).filter((s) => cardText(s.card).includes('异常件升级'));

  beforeAll(async () => {
    t = await exceptionsApp({ start: '2026-11-23T10:00' });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  let first: number;

  it('warns the owner at 80% of a P1 dispute SLA (120 working minutes), once', async () => {
    first = await open('E1');
    expect(await caseRow(t, first)).toMatchObject({ state: 'assigned', ownerOpenId: 'ou_rd_1', priority: 'P1' });
    expect(await tick('2026-11-23T11:35')).toBe(0);
    expect(await tick('2026-11-23T11:36')).toBe(1);
    expect(await tick('2026-11-23T11:50')).toBe(0);
    const [warning] = escalationsTo('ou_rd_1');
    expect(cardText(warning!.card)).toContain('SLA时限已用 80%');
  });

  it('tells the lead at the breach, and the manager four working hours later', async () => {
    expect(await tick('2026-11-23T12:00')).toBe(1);
    expect(cardText(escalationsTo('ou_lead_rd')[0]!.card)).toContain('请组长跟进');
    // Due 12:00; 240 working minutes later is 17:30 (lunch 12:00–13:30 does not count).
    expect(await tick('2026-11-23T17:29')).toBe(0);
    expect(await tick('2026-11-23T17:30')).toBe(1);
    expect(cardText(escalationsTo('ou_mgr')[0]!.card)).toContain('升级至经理');
    expect(await tick('2026-11-24T10:00')).toBe(0);
    const { rows } = await t.database.query('select step from exceptions_escalations where case_id = $1 order by id', [
      first,
    ]);
    expect(rows).toEqual([{ step: 'warn_owner' }, { step: 'notify_lead' }, { step: 'notify_manager' }]);
    const card = t.feishu.patches((await caseRow(t, first)).cardMessageId!).at(-1)!.card;
    expect(cardText(card)).toContain('已升级至经理');
    expect((card as { header: { template: string } }).header.template).toBe('red');
  });

  it('shows the clock and the rung in the grid row: SLA截止时间, 最近截止时间, 升级级别', async () => {
    const row = await caseRows(t.database.db).toRow(await caseRow(t, first), async () => undefined);
    // P1 dispute opened 10:00, 120 working minutes: due 12:00 Shanghai; no platform deadline.
    expect(row).toMatchObject({
      sla_due: sh('2026-11-23T12:00'),
      next_due: sh('2026-11-23T12:00'),
      escalation_level: '已升级主管',
    });
  });

  it('does not escalate while the clock is paused waiting on the customer', async () => {
    t.clock.set('2026-11-24T10:00');
    const paused = await open('E2');
    await click(
      t,
      { action: 'exceptions.act', ...(await fresh(t, paused)), verb: 'wait_customer' },
      { openId: 'ou_rd_1' },
    );
    await settle(t);
    expect(await tick('2026-11-24T17:00')).toBe(0);
    const { rows } = await t.database.query(
      'select count(*)::int as n from exceptions_escalations where case_id = $1',
      [paused],
    );
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('follows the platform deadline when it is sooner than the SLA', async () => {
    t.clock.set('2026-11-24T10:00');
    const urgent = await open('E3', {
      kind: 'delayed',
      trackingNumber: 'YT1234567890123',
      platformDeadline: '2026-11-24T11:00:00+08:00',
    });
    const c = await caseRow(t, urgent);
    const card = t.feishu.to('oc_logistics').find((s) => s.messageId === c.cardMessageId)!.card;
    expect(cardText(card)).toContain('平台时限 Platform deadline 截止 Due 11-24 11:00');
    expect(await tick('2026-11-24T10:48')).toBe(1); // 80% of the platform's 60 minutes
    const row = await caseRows(t.database.db).toRow(await caseRow(t, urgent), async () => undefined);
    expect(row).toMatchObject({
      platform_deadline: sh('2026-11-24T11:00'),
      next_due: sh('2026-11-24T11:00'),
      escalation_level: '已预警负责人',
    });
  });

  it('climbs one rung per 升级 click, then says there is nowhere higher', async () => {
    t.clock.set('2026-11-25T09:00');
    const manual = await open('E4');
    const stranger = await click(
      t,
      { action: 'exceptions.escalate', ...(await fresh(t, manual)) },
      { openId: 'ou_agent_2' },
    );
    expect(stranger.toast?.type).toBe('error');
    const once = await click(t, { action: 'exceptions.escalate', ...(await fresh(t, manual)) }, { openId: 'ou_rd_1' });
    expect(once.toast?.content).toContain('组长');
    const twice = await click(t, { action: 'exceptions.escalate', ...(await fresh(t, manual)) }, { openId: 'ou_rd_1' });
    expect(twice.toast?.content).toContain('经理');
    const thrice = await click(
      t,
      { action: 'exceptions.escalate', ...(await fresh(t, manual)) },
      { openId: 'ou_rd_1' },
    );
    expect(thrice.toast?.type).toBe('error');
    await settle(t);
    expect(escalationsTo('ou_lead_rd').filter((s) => cardText(s.card).includes('已手动升级'))).toHaveLength(1);
    const { rows } = await t.database.query(
      'select step, manual, by_open_id from exceptions_escalations where case_id = $1 order by id',
      [manual],
    );
    expect(rows).toEqual([
      { step: 'notify_lead', manual: true, by_open_id: 'ou_rd_1' },
      { step: 'notify_manager', manual: true, by_open_id: 'ou_rd_1' },
    ]);
  });
});
