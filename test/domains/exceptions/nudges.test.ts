import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweep } from '../../../src/domains/exceptions/jobs.js';
import type { CaseChanged } from '../../../src/domains/exceptions/index.js';
import { waitFor } from '../../helpers/app.js';
import {
  apiPost,
  buttons,
  cardText,
  caseRow,
  click,
  exceptionsApp,
  say,
  serviceOf,
  settle,
  sh,
  type ExceptionsTestApp,
  fresh,
} from './helpers.js';

const changes: CaseChanged[] = [];

describe('nudging the warehouse until the number is in', () => {
  let t: ExceptionsTestApp;
  /** One scheduled sweep at a Shanghai wall time, and its follow-ups. */
  const tick = async (iso: string) => {
    t.clock.set(iso);
    const result = await sweep(serviceOf(t), sh(iso));
    await settle(t);
    return result;
  };

  beforeAll(async () => {
    t = await exceptionsApp({ mirror: { onCaseChanged: async (c) => void changes.push(c) } });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  const open = async (externalId: string, extra: Record<string, unknown> = {}) => {
    const res = await apiPost(t, '/api/exceptions', {
      source: 'oms',
      externalId,
      kind: 'refund_dispute',
      orderNo: `TM-${externalId}`,
      amountAtRiskFen: 12_900,
      ...extra,
    });
    expect(res.statusCode).toBe(201);
    await settle(t);
    return res.json().case.id as number;
  };

  let first: number;

  it('starts waiting on the warehouse and sends the first reminder with an input field at once', async () => {
    first = await open('A1');
    const c = await caseRow(t, first);
    expect(c).toMatchObject({
      state: 'waiting_warehouse',
      warehouseOpenId: 'ou_wh_1',
      ownerOpenId: 'ou_rd_1',
      nudgeCount: 1,
    });
    const [nudge] = t.feishu.to('ou_wh_1');
    expect(nudge).toBeDefined();
    expect(cardText(nudge!.card)).toContain('请回填单号');
    expect(cardText(nudge!.card)).toContain('"tag":"input","name":"return_tracking_number"');
    expect(buttons(nudge!.card)).toEqual([
      { action: 'exceptions.fill', caseId: first, version: (await caseRow(t, first)).version },
    ]);
    expect(cardText(t.feishu.to('oc_disputes')[0]!.card)).toContain('待仓库回填');
  });

  it('does not remind again before the interval has passed', async () => {
    expect((await tick('2026-11-23T10:30')).nudges).toBe(0);
    expect(t.feishu.to('ou_wh_1')).toHaveLength(1);
  });

  it('reminds again after 60 working minutes, once even if the sweep runs twice', async () => {
    expect((await tick('2026-11-23T11:00')).nudges).toBe(1);
    expect((await tick('2026-11-23T11:01')).nudges).toBe(0);
    const reminders = t.feishu.to('ou_wh_1');
    expect(reminders).toHaveLength(2);
    expect(cardText(reminders[1]!.card)).toContain('第 2 次提醒');
    const { rows } = await t.database.query('select seq from exceptions_nudges where case_id = $1 order by seq', [
      first,
    ]);
    expect(rows).toEqual([{ seq: 1 }, { seq: 2 }]);
  });

  it('stays quiet over lunch and at night, and resumes in working hours', async () => {
    // 11:00 + 60 working minutes = 12:00, the start of lunch: the next reminder waits for 13:30.
    expect((await tick('2026-11-23T12:30')).nudges).toBe(0);
    expect((await tick('2026-11-23T13:29')).nudges).toBe(0);
    expect((await tick('2026-11-23T13:30')).nudges).toBe(1);
    expect((await tick('2026-11-23T14:31')).nudges).toBe(1);
    t.feishu.clear();
    // Friday evening to Monday morning: nothing over the weekend.
    t.clock.set('2026-11-27T18:00');
    const late = await open('A2');
    for (const iso of ['2026-11-27T19:30', '2026-11-28T10:00', '2026-11-29T15:00'])
      expect((await tick(iso)).nudges).toBe(0);
    expect((await tick('2026-11-30T09:31')).nudges).toBe(2); // the late case, and the first one still waiting
    expect(t.feishu.to('ou_wh_1').filter((s) => cardText(s.card).includes(`"caseId":${late}`))).toHaveLength(2);
  });

  it('stops reminding once the number is entered on the card, and moves the case on', async () => {
    const nudge = t.feishu.to('ou_wh_1').at(-1)!;
    const bad = await click(
      t,
      { action: 'exceptions.fill', ...(await fresh(t, first)) },
      { openId: 'ou_wh_1', messageId: nudge.messageId, formValue: { return_tracking_number: 'SF12345' } },
    );
    expect(bad.toast?.type).toBe('error');
    expect(bad.toast?.content).toContain('无法识别的单号');
    expect((await caseRow(t, first)).state).toBe('waiting_warehouse');
    const stranger = await click(
      t,
      { action: 'exceptions.fill', ...(await fresh(t, first)) },
      { openId: 'ou_agent_2', formValue: { return_tracking_number: 'SF1234567890123' } },
    );
    expect(stranger.toast?.type).toBe('error');
    const res = await click(
      t,
      { action: 'exceptions.fill', ...(await fresh(t, first)) },
      { openId: 'ou_wh_1', messageId: nudge.messageId, formValue: { return_tracking_number: 'sf 1234567890123' } },
    );
    expect(res.toast?.type).toBe('success');
    expect(cardText(res.card!.data)).toContain('SF1234567890123');
    await settle(t);
    expect(await caseRow(t, first)).toMatchObject({
      state: 'in_progress',
      fields: { return_tracking_number: 'SF1234567890123' },
    });
    const sent = t.feishu.sent.length;
    expect((await tick('2026-11-30T16:00')).nudges).toBe(1); // only the other case
    expect(
      t.feishu.sent.slice(sent).filter((s) => s.kind === 'send' && cardText(s.card).includes(`"caseId":${first}`)),
    ).toEqual([]);
  });

  it('stops reminding when the warehouse replies "单号 …" in chat', async () => {
    const second = (await caseRow(t, first + 1)).id;
    const wrong = await say(t, '单号 SF12', 'ou_wh_1');
    expect(cardText(t.feishu.replies(wrong)[0]!.card)).toContain('无法识别的单号');
    expect((await caseRow(t, second)).state).toBe('waiting_warehouse');
    const msg = await say(t, '退货单号：YT1234567890123', 'ou_wh_1');
    await settle(t);
    expect(cardText(t.feishu.replies(msg)[0]!.card)).toContain('催办已停止');
    expect(await caseRow(t, second)).toMatchObject({
      state: 'in_progress',
      fields: { return_tracking_number: 'YT1234567890123' },
    });
    expect((await tick('2026-12-01T10:00')).nudges).toBe(0);
  });

  it('accepts the number typed into the grid, and tells the mirror of every change', async () => {
    t.clock.set('2026-12-01T10:05');
    const third = await open('A3');
    const refused = await serviceOf(t).editFromTable(
      third,
      { numbers: { return_tracking_number: 'JT1234567890123' } },
      'ou_wh_1',
      sh('2026-12-01T10:05'),
    );
    expect(refused).toEqual([]);
    await settle(t);
    await waitFor(async () => (await caseRow(t, third)).state === 'in_progress', 'bitable edit applied');
    expect((await caseRow(t, third)).fields).toEqual({ return_tracking_number: 'JT1234567890123' });
    await settle(t);
    const mirrored = changes.filter((c) => c.case.id === third);
    expect(mirrored.at(-1)!.case.state).toBe('in_progress');
    expect(mirrored.at(-1)!.caseNo).toBe(`EX${String(third).padStart(6, '0')}`);
  });
});
