import { describe, expect, it } from 'vitest';
import {
  caseClock,
  DEFAULT_SLA_MATRIX,
  SlaMatrix,
  slaBudgetMinutes,
} from '../../../../src/domains/exceptions/logic/clocks.js';
import { buildBusinessCalendar } from '../../../../src/domains/shared/business-calendar.js';
import { history, sh } from './factories.js';

const cal = buildBusinessCalendar();
const lostP2 = { kind: 'lost', priority: 'P2' as const, openedAt: sh('2026-11-25T10:00'), platformDueAt: null };

describe('case clocks', () => {
  it('counts the internal SLA in business minutes from opening, across lunch', () => {
    const h = history(
      ['new', '2026-11-25T10:00'],
      ['assigned', '2026-11-25T10:05'],
      ['in_progress', '2026-11-25T10:30'],
    );
    const clock = caseClock(lostP2, h, DEFAULT_SLA_MATRIX, cal, sh('2026-11-25T15:00'));
    // 10:00–12:00 and 13:30–15:00 = 210 of 480 business minutes; due Thursday 10:00.
    expect(clock).toMatchObject({
      which: 'sla',
      status: 'running',
      dueAt: sh('2026-11-26T10:00'),
      remainingMinutes: 270,
      fractionUsed: 210 / 480,
      breached: false,
      platform: null,
    });
  });

  it('pauses the SLA clock while waiting on the customer', () => {
    const h = history(
      ['in_progress', '2026-11-25T10:00'],
      ['waiting_customer', '2026-11-25T11:00'],
      ['in_progress', '2026-11-25T14:30'],
    );
    const clock = caseClock(lostP2, h, DEFAULT_SLA_MATRIX, cal, sh('2026-11-25T15:00'));
    // 60 minutes before the pause, 30 after; the due time moves out by the paused 2 business hours.
    expect(clock.sla.usedMinutes).toBe(90);
    expect(clock.dueAt).toEqual(sh('2026-11-26T12:00'));
  });

  it('shows, while paused, when the case would be due if work resumed now', () => {
    const h = history(['in_progress', '2026-11-25T10:00'], ['waiting_customer', '2026-11-25T11:00']);
    const clock = caseClock(lostP2, h, DEFAULT_SLA_MATRIX, cal, sh('2026-11-25T15:00'));
    expect(clock).toMatchObject({ status: 'paused', remainingMinutes: 420, dueAt: sh('2026-11-26T14:00') });
  });

  it('keeps the SLA running while waiting on the warehouse', () => {
    const h = history(['in_progress', '2026-11-25T10:00'], ['waiting_warehouse', '2026-11-25T11:00']);
    const clock = caseClock(lostP2, h, DEFAULT_SLA_MATRIX, cal, sh('2026-11-25T15:00'));
    expect(clock).toMatchObject({ status: 'running', remainingMinutes: 270 });
  });

  it('shows the platform deadline when it comes first, in calendar minutes', () => {
    const refund = {
      kind: 'refund_dispute',
      priority: 'P1' as const,
      openedAt: sh('2026-11-20T17:00'),
      platformDueAt: sh('2026-11-22T17:00'),
    };
    const clock = caseClock(
      refund,
      history(['new', '2026-11-20T17:00']),
      DEFAULT_SLA_MATRIX,
      cal,
      sh('2026-11-21T17:00'),
    );
    expect(clock).toMatchObject({
      which: 'platform',
      dueAt: sh('2026-11-22T17:00'),
      remainingMinutes: 1440,
      fractionUsed: 0.5,
      breached: false,
    });
    // The SLA (120 business minutes) would only be due Monday 09:30.
    expect(clock.sla.dueAt).toEqual(sh('2026-11-23T09:30'));
  });

  it('shows the SLA when the platform deadline is later', () => {
    const c = { ...lostP2, platformDueAt: sh('2026-11-30T10:00') };
    const clock = caseClock(c, history(['new', '2026-11-25T10:00']), DEFAULT_SLA_MATRIX, cal, sh('2026-11-25T10:00'));
    expect(clock).toMatchObject({ which: 'sla', dueAt: sh('2026-11-26T10:00') });
    expect(clock.platform?.remainingMinutes).toBe(5 * 1440);
  });

  it('reports a breach with negative remaining minutes once the SLA has run out', () => {
    const c = { ...lostP2, openedAt: sh('2026-11-23T09:00') };
    const clock = caseClock(
      c,
      history(['in_progress', '2026-11-23T09:00']),
      DEFAULT_SLA_MATRIX,
      cal,
      sh('2026-11-24T10:00'),
    );
    expect(clock).toMatchObject({
      dueAt: sh('2026-11-23T18:30'),
      remainingMinutes: -60,
      breached: true,
      fractionUsed: 540 / 480,
    });
  });

  it('stays breached, with its original due time, when the case is later paused', () => {
    const c = { ...lostP2, openedAt: sh('2026-11-23T09:00') };
    const h = history(['in_progress', '2026-11-23T09:00'], ['waiting_customer', '2026-11-24T10:00']);
    const clock = caseClock(c, h, DEFAULT_SLA_MATRIX, cal, sh('2026-11-25T10:00'));
    expect(clock).toMatchObject({
      status: 'paused',
      dueAt: sh('2026-11-23T18:30'),
      breached: true,
      remainingMinutes: -60,
    });
  });

  it('judges a resolved case at the moment it was resolved', () => {
    const c = { ...lostP2, openedAt: sh('2026-11-23T09:00'), platformDueAt: sh('2026-11-24T09:00') };
    const h = history(['in_progress', '2026-11-23T09:00'], ['resolved', '2026-11-23T15:00']);
    const clock = caseClock(c, h, DEFAULT_SLA_MATRIX, cal, sh('2026-11-27T09:00'));
    expect(clock.status).toBe('stopped');
    expect(clock.sla).toMatchObject({ usedMinutes: 270, breached: false });
    expect(clock.platform).toMatchObject({ remainingMinutes: 18 * 60, breached: false });
  });

  it('does not count the time a National Day holiday takes', () => {
    const c = { ...lostP2, openedAt: sh('2026-09-30T17:00') };
    const clock = caseClock(c, history(['new', '2026-09-30T17:00']), DEFAULT_SLA_MATRIX, cal, sh('2026-10-08T09:30'));
    expect(clock.sla.usedMinutes).toBe(90 + 30);
  });

  it('counts from opening even when the first recorded change comes later', () => {
    const clock = caseClock(
      lostP2,
      history(['in_progress', '2026-11-25T11:00']),
      DEFAULT_SLA_MATRIX,
      cal,
      sh('2026-11-25T11:30'),
    );
    expect(clock.sla.usedMinutes).toBe(90);
  });

  it('takes the budget from the kind × priority matrix, falling back to the default row', () => {
    expect(slaBudgetMinutes(DEFAULT_SLA_MATRIX, 'refund_dispute', 'P1')).toBe(120);
    expect(slaBudgetMinutes(DEFAULT_SLA_MATRIX, 'loss_recovery', 'P1')).toBe(240);
    expect(slaBudgetMinutes(DEFAULT_SLA_MATRIX, 'loss_recovery', 'P3')).toBe(2400);
    expect(() => SlaMatrix.parse({ default: { P1: 0, P2: 1, P3: 1 } })).toThrow();
  });
});
