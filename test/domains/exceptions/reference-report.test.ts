import { describe, expect, it } from 'vitest';
import { ageBuckets, finishedAt, percentile, summarizeCases, type CaseRecord } from './reference-report.js';
import { history, sh } from './logic/factories.js';

const now = sh('2026-11-25T18:00');
const money = (atRiskFen: number, recoveredFen = 0) => ({ atRiskFen, refundedFen: 0, recoveredFen, writtenOffFen: 0 });

const records: CaseRecord[] = [
  {
    id: 'A',
    kind: 'lost',
    openedAt: sh('2026-11-24T09:00'),
    slaBreached: false,
    money: money(100_00, 100_00),
    history: history(
      ['new', '2026-11-24T09:00'],
      ['in_progress', '2026-11-24T09:30'],
      ['resolved', '2026-11-24T15:00'],
    ),
  },
  {
    id: 'B',
    kind: 'refund_dispute',
    openedAt: sh('2026-11-23T10:00'),
    slaBreached: true,
    money: money(500_00),
    disputeOutcome: 'won',
    history: history(
      ['in_progress', '2026-11-23T10:00'],
      ['waiting_customer', '2026-11-23T12:00'],
      ['in_progress', '2026-11-24T10:00'],
      ['resolved', '2026-11-25T10:00'],
      ['closed', '2026-11-25T11:00'],
    ),
  },
  {
    id: 'C',
    kind: 'damaged',
    openedAt: sh('2026-11-25T16:00'),
    slaBreached: false,
    money: money(30_00),
    history: history(['new', '2026-11-25T16:00'], ['waiting_warehouse', '2026-11-25T16:10']),
  },
  {
    id: 'D',
    kind: 'delayed',
    openedAt: sh('2026-11-21T18:00'),
    slaBreached: true,
    disputeOutcome: 'lost',
    history: history(['new', '2026-11-21T18:00'], ['in_progress', '2026-11-23T09:00']),
  },
  {
    id: 'E',
    kind: 'address_problem',
    openedAt: sh('2026-11-25T09:00'),
    slaBreached: false,
    money: money(9_99),
    history: history(['new', '2026-11-25T09:00'], ['cancelled', '2026-11-25T09:30']),
  },
  {
    id: 'F',
    kind: 'lost',
    openedAt: sh('2026-11-24T08:00'),
    slaBreached: false,
    disputeOutcome: 'pending',
    history: history(['in_progress', '2026-11-24T08:00'], ['resolved', '2026-11-24T20:00']),
  },
];

describe('exception reporting', () => {
  const summary = summarizeCases(records, now);

  it('counts open cases by kind and age bucket', () => {
    expect(summary.openByAgeAndKind.buckets.map((b) => b.label.en)).toEqual([
      '< 4h',
      '4h–1d',
      '1d–3d',
      '3d–7d',
      '≥ 7d',
    ]);
    expect(summary.openByAgeAndKind.buckets.map((b) => b.label.zh)).toEqual([
      '4小时内',
      '4小时–1天',
      '1天–3天',
      '3天–7天',
      '7天以上',
    ]);
    expect(summary.openByAgeAndKind.byKind).toEqual({ damaged: [1, 0, 0, 0, 0], delayed: [0, 0, 0, 1, 0] });
    expect(summary.openByAgeAndKind.total).toEqual([1, 0, 0, 1, 0]);
  });

  it('measures SLA attainment over finished cases and counts open breaches apart', () => {
    expect(summary.sla).toEqual({ finished: 3, met: 2, breached: 1, openBreached: 1, attainment: 2 / 3 });
  });

  it('gives median and p90 cycle time against the one-day target, ignoring cancelled cases', () => {
    // A 360, F 720, B 2880 minutes (B finished when resolved, not when closed).
    expect(summary.cycleTime).toEqual({
      count: 3,
      targetMinutes: 1440,
      medianMinutes: 720,
      p90Minutes: 2448,
      withinTarget: 2,
      withinTargetShare: 2 / 3,
    });
  });

  it('splits the time by state to show where it went', () => {
    expect(summary.timeByState).toEqual({
      new: 2410,
      in_progress: 6030,
      waiting_customer: 1320,
      waiting_warehouse: 110,
    });
  });

  it('sums money at risk and recovered, without cancelled cases', () => {
    expect(summary.money).toEqual({
      atRiskFen: 630_00,
      refundedFen: 0,
      recoveredFen: 100_00,
      writtenOffFen: 0,
      outstandingFen: 530_00,
      recoveryRate: 100 / 630,
    });
  });

  it('computes the dispute win rate over decided disputes', () => {
    expect(summary.disputes).toEqual({ won: 1, lost: 1, pending: 1, winRate: 0.5 });
  });

  it('returns nulls, not NaN, when there is nothing to measure', () => {
    const empty = summarizeCases([], now);
    expect(empty.sla.attainment).toBeNull();
    expect(empty.cycleTime.medianMinutes).toBeNull();
    expect(empty.money.recoveryRate).toBeNull();
    expect(empty.disputes.winRate).toBeNull();
  });

  it('dates a reopened case from its last resolution', () => {
    const reopened: CaseRecord = {
      id: 'R',
      kind: 'lost',
      openedAt: sh('2026-11-23T09:00'),
      slaBreached: false,
      history: history(
        ['in_progress', '2026-11-23T09:00'],
        ['resolved', '2026-11-23T10:00'],
        ['in_progress', '2026-11-24T09:00'],
        ['resolved', '2026-11-24T11:00'],
        ['closed', '2026-11-24T12:00'],
      ),
    };
    expect(finishedAt(reopened)).toEqual(sh('2026-11-24T11:00'));
  });

  it('interpolates percentiles between ranks', () => {
    expect(percentile([10], 0.9)).toBe(10);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(ageBuckets([1, 48]).map((b) => b.label.en)).toEqual(['< 1h', '1h–2d', '≥ 2d']);
  });
});
