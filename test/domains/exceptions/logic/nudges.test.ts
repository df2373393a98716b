import { describe, expect, it } from 'vitest';
import { missingRequiredFields, defaultKindsConfig, findKind } from '../../../../src/domains/exceptions/logic/kinds.js';
import {
  nextNudgeAt,
  NudgePolicy,
  nudgeDecision,
  type NudgeSubject,
} from '../../../../src/domains/exceptions/logic/nudges.js';
import {
  buildBusinessCalendar,
  businessMinutesBetween,
  isWorkingTime,
} from '../../../../src/domains/shared/business-calendar.js';
import { sh } from './factories.js';

const cal = buildBusinessCalendar();
const hourly = NudgePolicy.parse({ intervalMinutes: 60 });

describe('nudging the warehouse for a missing field', () => {
  it('first reminds one business hour after the case started waiting, skipping lunch', () => {
    expect(nextNudgeAt(null, sh('2026-11-25T11:30'), 60, cal)).toEqual(sh('2026-11-25T14:00'));
  });

  it('repeats one business hour after the last reminder, overnight into the next morning', () => {
    expect(nextNudgeAt(sh('2026-11-25T17:45'), sh('2026-11-25T09:00'), 60, cal)).toEqual(sh('2026-11-26T09:15'));
  });

  it('never lands at 12:00 sharp: a reminder due as lunch starts waits until 13:30', () => {
    expect(nextNudgeAt(null, sh('2026-11-25T11:00'), 60, cal)).toEqual(sh('2026-11-25T13:30'));
  });

  it('skips weekends and public holidays', () => {
    expect(nextNudgeAt(sh('2026-11-20T18:00'), sh('2026-11-20T10:00'), 60, cal)).toEqual(sh('2026-11-23T09:30'));
    expect(nextNudgeAt(sh('2026-09-30T18:00'), sh('2026-09-30T10:00'), 60, cal)).toEqual(sh('2026-10-08T09:30'));
  });

  it('reminds inside working hours only, once per interval, until the tracking number is in', () => {
    const kind = findKind(defaultKindsConfig(), 'lost');
    if (!kind.ok) throw new Error('lost is a default kind');
    const waitingSince = sh('2026-11-25T16:00');
    const filledAt = sh('2026-11-27T10:05');
    const sent: Date[] = [];
    let lastNudgeAt: Date | null = null;
    // The scheduler ticks every 5 minutes for three days.
    for (let t = waitingSince.getTime(); t < sh('2026-11-28T00:00').getTime(); t += 5 * 60_000) {
      const now = new Date(t);
      const values = { tracking_number: now >= filledAt ? 'SF1234567890123' : '' };
      const subject: NudgeSubject = {
        state: 'waiting_warehouse',
        waitingSince,
        lastNudgeAt,
        missingFields: missingRequiredFields(kind.value, values),
      };
      const decision = nudgeDecision(subject, hourly, cal, now);
      if (decision.action === 'send') {
        sent.push(now);
        lastNudgeAt = now;
      }
    }
    expect(sent.map((d) => d.toISOString())).toEqual(
      [
        '2026-11-25T17:00',
        '2026-11-25T18:00',
        '2026-11-26T09:30',
        '2026-11-26T10:30',
        '2026-11-26T11:30',
        '2026-11-26T14:00',
        '2026-11-26T15:00',
        '2026-11-26T16:00',
        '2026-11-26T17:00',
        '2026-11-26T18:00',
        '2026-11-27T09:30',
      ].map((s) => sh(s).toISOString()),
    );
    expect(sent.every((d) => isWorkingTime(cal, d))).toBe(true);
    sent.slice(1).forEach((d, i) => expect(businessMinutesBetween(cal, sent[i]!, d)).toBe(60));
  });

  it('stops once the field is filled, and when the case no longer waits on the warehouse', () => {
    const base: NudgeSubject = {
      state: 'waiting_warehouse',
      waitingSince: sh('2026-11-25T09:00'),
      lastNudgeAt: null,
      missingFields: [],
    };
    expect(nudgeDecision(base, hourly, cal, sh('2026-11-25T15:00'))).toEqual({
      action: 'stop',
      reason: 'fields_filled',
    });
    expect(
      nudgeDecision(
        { ...base, state: 'in_progress', missingFields: ['tracking_number'] },
        hourly,
        cal,
        sh('2026-11-25T15:00'),
      ),
    ).toEqual({
      action: 'stop',
      reason: 'not_waiting_on_warehouse',
    });
  });

  it('waits for the next working instant when a late tick falls outside working hours', () => {
    const subject: NudgeSubject = {
      state: 'waiting_warehouse',
      waitingSince: sh('2026-11-25T09:00'),
      lastNudgeAt: sh('2026-11-25T17:00'),
      missingFields: ['tracking_number'],
    };
    expect(nudgeDecision(subject, hourly, cal, sh('2026-11-25T17:30'))).toEqual({
      action: 'wait',
      until: sh('2026-11-25T18:00'),
    });
    // The 18:00 reminder was missed; at 20:00 it waits for the morning rather than pinging at night.
    expect(nudgeDecision(subject, hourly, cal, sh('2026-11-25T20:00'))).toEqual({
      action: 'wait',
      until: sh('2026-11-26T09:00'),
    });
    expect(nudgeDecision(subject, hourly, cal, sh('2026-11-26T09:00'))).toEqual({
      action: 'send',
      missingFields: ['tracking_number'],
    });
  });

  it('rejects a non-positive interval', () => {
    expect(() => nextNudgeAt(null, sh('2026-11-25T09:00'), 0, cal)).toThrow(RangeError);
    expect(() => NudgePolicy.parse({ intervalMinutes: -5 })).toThrow();
  });
});
