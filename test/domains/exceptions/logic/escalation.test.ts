import { describe, expect, it } from 'vitest';
import { caseClock, DEFAULT_SLA_MATRIX } from '../../../../src/domains/exceptions/logic/clocks.js';
import {
  dueEscalations,
  EscalationPolicy,
  manualEscalation,
  type EscalationStep,
} from '../../../../src/domains/exceptions/logic/escalation.js';
import { buildBusinessCalendar } from '../../../../src/domains/shared/business-calendar.js';
import { history, sh } from './factories.js';

const cal = buildBusinessCalendar();
// P2 lost parcel: 480 business minutes from Monday 09:00 → due Monday 18:30.
const c = { kind: 'lost', priority: 'P2' as const, openedAt: sh('2026-11-23T09:00'), platformDueAt: null };
const open = { state: 'in_progress' as const };
const h = history(['in_progress', '2026-11-23T09:00']);
const stepsAt = (iso: string, sent: EscalationStep[] = [], policy?: EscalationPolicy): EscalationStep[] => {
  const now = sh(iso);
  return dueEscalations(open, caseClock(c, h, DEFAULT_SLA_MATRIX, cal, now), sent, now, policy).map((e) => e.step);
};

describe('escalation ladder', () => {
  it('warns the owner at 80% of the SLA and not a minute before', () => {
    // 80% of 480 = 384 business minutes: 180 in the morning + 204 after lunch = 16:54.
    expect(stepsAt('2026-11-23T16:53')).toEqual([]);
    expect(stepsAt('2026-11-23T16:54')).toEqual(['warn_owner']);
  });

  it('tells the lead at breach, with the owner already warned', () => {
    expect(stepsAt('2026-11-23T18:29', ['warn_owner'])).toEqual([]);
    expect(stepsAt('2026-11-23T18:30', ['warn_owner'])).toEqual(['notify_lead']);
  });

  it('tells the manager 240 business minutes after the breach', () => {
    // Tuesday 09:00–12:00 is 180, then 60 after lunch.
    expect(stepsAt('2026-11-24T14:29', ['warn_owner', 'notify_lead'])).toEqual([]);
    expect(stepsAt('2026-11-24T14:30', ['warn_owner', 'notify_lead'])).toEqual(['notify_manager']);
  });

  it('is idempotent: steps already sent are never returned again', () => {
    expect(stepsAt('2026-11-25T10:00', ['warn_owner', 'notify_lead', 'notify_manager'])).toEqual([]);
  });

  it('returns every missed step in ladder order when the job was down', () => {
    expect(stepsAt('2026-11-25T10:00')).toEqual(['warn_owner', 'notify_lead', 'notify_manager']);
  });

  it('uses a configured warning fraction and manager interval', () => {
    const policy = EscalationPolicy.parse({ warnAtFraction: 0.5, managerAfterMinutes: 30 });
    expect(stepsAt('2026-11-23T14:30', [], policy)).toEqual(['warn_owner']);
    expect(stepsAt('2026-11-24T09:30', ['warn_owner', 'notify_lead'], policy)).toEqual(['notify_manager']);
  });

  it('names the recipient and explains in Chinese and English', () => {
    const now = sh('2026-11-23T16:54');
    const [warning] = dueEscalations(open, caseClock(c, h, DEFAULT_SLA_MATRIX, cal, now), [], now);
    expect(warning).toEqual({
      step: 'warn_owner',
      recipient: 'owner',
      message: { zh: 'SLA时限已用 80%，请尽快处理', en: '80% of the SLA used; please act soon' },
      at: now,
      manual: false,
    });
  });

  it('escalates nothing once the case is resolved', () => {
    const resolved = history(['in_progress', '2026-11-23T09:00'], ['resolved', '2026-11-24T12:00']);
    const now = sh('2026-11-25T10:00');
    expect(
      dueEscalations({ state: 'resolved' }, caseClock(c, resolved, DEFAULT_SLA_MATRIX, cal, now), [], now),
    ).toEqual([]);
  });

  it('escalates by hand to the lead, then the manager, then no further', () => {
    const now = sh('2026-11-23T10:00');
    const clock = caseClock(c, h, DEFAULT_SLA_MATRIX, cal, now);
    expect(manualEscalation(clock, [], now)).toMatchObject({ step: 'notify_lead', recipient: 'lead', manual: true });
    expect(manualEscalation(clock, ['notify_lead'], now)).toMatchObject({
      step: 'notify_manager',
      recipient: 'manager',
    });
    expect(manualEscalation(clock, ['notify_lead', 'notify_manager'], now)).toBeNull();
  });
});
