import { md } from '../../src/core/cards/markdown.js';
import type { Card, CardRenderer } from '../../src/core/cards/render.js';
import { qaCards } from '../../src/domains/qa/cards.js';
import { DEFAULT_SCORECARD } from '../../src/domains/qa/logic/scorecard.js';
import type { ReviewView } from '../../src/domains/qa/service/review.js';
import { digestText, myResultsText, reportText } from '../../src/domains/qa/report-text.js';
import type { QaSummary } from '../../src/domains/qa/service/reports.js';
import { rootCauseText } from '../../src/domains/qa/root-cause-text.js';
import type { RootCauseReport } from '../../src/domains/qa/service/root-causes.js';
import { calibrationText } from '../../src/domains/qa/calibration-text.js';
import type { CalibrationReport } from '../../src/domains/qa/service/calibration.js';

/** A period's rollup where every name is `text` (agent, team, channel, criterion names come from data). */
function sampleSummary(text: string): QaSummary {
  const row = (key: string) => ({
    key,
    name: text || key,
    reviews: 12,
    avgScore: 86.5,
    weightedScore: 88.25,
    passRate: 0.75,
    failed: 3,
    appealed: 2,
    overturned: 1,
    avgSeconds: 185,
    pass: key === 'all' ? { estimate: 0.7142857, low: 0.4404, high: 0.8878, effective: 10.9 } : null,
    // Every other row has too little data: the card says 数据不足.
    scoreCi: key === 'all' ? { estimate: 88.25, low: 84.1, high: 92.4, effective: 10.9 } : null,
  });
  return {
    from: '2026-10-24T16:00:00.000Z',
    to: '2026-11-23T16:00:00.000Z',
    confidence: 0.95,
    totals: row('all'),
    byAgent: [row('ou_a'), row('ou_b')],
    byTeam: [row('cs_tmall'), row('cs_jd')],
    byChannel: [row('tmall')],
    byInspector: [row('ou_i')],
    byItem: [{ version: 3, code: 'PRO-01', name: text, reviews: 12, avgDeduction: 2.5, deductionRate: 0.5 }],
    training: {
      repeat: 2,
      groups: [
        { version: 3, code: 'PRO-01', name: text, agents: [{ key: 'ou_a', name: text, deducted: 3, reviews: 6 }] },
      ],
    },
  };
}

/** A calibration round's report where the round, inspector and criterion names are `text`. */
function sampleCalibration(text: string): CalibrationReport {
  return {
    round: 3,
    name: text || '2026-W48',
    lead: 'ou_lead',
    conversations: 5,
    scored: 14,
    expected: 15,
    threshold: 0.1,
    passKappa: 0.41,
    inspectors: [
      { inspector: 'ou_a', name: text, scored: 5, bias: -2.4, deviation: 4.1, passAgreement: 0.8, kappa: 0.52 },
      { inspector: 'ou_b', name: text, scored: 4, bias: null, deviation: null, passAgreement: null, kappa: null },
    ],
    criteria: [
      { code: 'ACC-01', name: text, kappa: 0.12, spread: 0.31, flagged: true },
      { code: 'ATT-01', name: text, kappa: null, spread: 0, flagged: false },
    ],
  };
}

/** A review as the QA cards see it; every text field holds `text` (API, chat or Bitable text). */
export function sampleReview(text: string, agentOpenId: string, over: Partial<ReviewView['review']> = {}): ReviewView {
  const at = new Date('2026-11-20T02:00:00Z');
  const criteria = DEFAULT_SCORECARD.criteria.map((c, i) => (i === 0 ? { ...c, name: text || 'x', guide: text } : c));
  return {
    no: 'QA000048',
    review: {
      id: 48,
      conversationId: 7,
      scorecardVersion: 3,
      agentOpenId,
      inspectorOpenId: agentOpenId,
      channel: 'tmall',
      teamKey: null,
      state: 'to_score',
      sampleReason: 'random',
      inclusionProbability: null,
      calibrationRoundId: null,
      suggestions: [
        { check: 'first_response', code: 'PRO-01', points: 2, seq: 1, quote: text, detail: '首次响应 3 分 0 秒' },
      ],
      score: 72.5,
      result: 'fail',
      redLineHit: false,
      comment: text,
      openedAt: at,
      cardMessageId: null,
      scoredAt: at,
      secondsSpent: 185,
      feedbackMessageId: null,
      feedbackSentAt: null,
      acknowledgedAt: null,
      bitableRecordId: null,
      version: 2,
      createdAt: at,
      updatedAt: at,
      ...over,
    },
    conversation: {
      id: 7,
      channel: 'tmall',
      externalId: text || 'x',
      shop: text,
      agentOpenId,
      teamKey: 'cs_tmall',
      startedAt: at,
      endedAt: at,
      csat: 2,
      orderIds: [text],
      tags: [text],
      url: null,
      messageCount: 60,
      source: 'api',
      createdAt: at,
    },
    messages: Array.from({ length: 60 }, (_, i) => ({
      id: i + 1,
      conversationId: 7,
      seq: i + 1,
      role: i % 2 ? 'agent' : 'customer',
      sender: null,
      at,
      text,
    })),
    criteria,
    suggestions: [
      { check: 'first_response', code: 'PRO-01', points: 2, seq: 1, quote: text, detail: '首次响应 3 分 0 秒' },
    ],
    items: [
      {
        id: 1,
        reviewId: 48,
        code: 'PRO-01',
        points: 2,
        na: false,
        redLineHit: false,
        fromSuggestion: true,
        quote: text,
        note: text,
        rootCause: 'script',
        bitableRecordId: null,
      },
      {
        id: 2,
        reviewId: 48,
        code: 'RED-01',
        points: 1,
        na: false,
        redLineHit: true,
        fromSuggestion: false,
        quote: text,
        note: text,
        rootCause: null,
        bitableRecordId: null,
      },
      {
        id: 3,
        reviewId: 48,
        code: 'BON-01',
        points: 2,
        na: false,
        redLineHit: false,
        fromSuggestion: false,
        quote: null,
        note: null,
        rootCause: null,
        bitableRecordId: null,
      },
    ],
  };
}

/** Root causes whose names (causes, teams, channels, criteria) are all `text`. */
function sampleCauses(text: string): RootCauseReport {
  const causes = [
    { key: 'script', name: text, count: 3, share: 0.6 },
    { key: '', name: '未标注 Not given', count: 2, share: 0.4 },
  ];
  const group = (key: string) => ({ key, name: text, deductions: 5, causes });
  return {
    deductions: 5,
    tagged: 3,
    byCause: causes,
    byTeam: [group('cs_tmall'), group('cs_jd')],
    byChannel: [group('tmall'), group('jd')],
    byItem: [{ ...group('3:PRO-01'), version: 3, code: 'PRO-01' }],
  };
}

/** Every QA card, rendered with `text` in every user-supplied variable. */
export function renderQa(cards: CardRenderer, text: string, agentOpenId: string): Record<string, Card> {
  const q = qaCards(cards);
  // Root-cause names are data (qa.root_causes): escaped like any user text.
  const ctx = { timeZone: 'Asia/Shanghai', channelName: text, rootCauses: { script: text, process: '流程' } };
  const v = sampleReview(text, agentOpenId);
  return {
    'qa/score': q.score(sampleReview(text, agentOpenId, { state: 'to_score', score: null, result: null }), ctx),
    'qa/scored': q.scored(v, ctx),
    'qa/notice': q.notice(text, text, 'red'),
    'qa/notice (我的质检)': q.notice(
      '我的质检 My QA',
      myResultsText(
        sampleSummary(text),
        [sampleReview(text, agentOpenId, { state: 'closed' }).review],
        'Asia/Shanghai',
      ),
    ),
    'qa/notice (质检报告)': q.notice(`质检报告 QA report · ${text}`, reportText(text, sampleSummary(text))),
    'qa/notice (质检报告 根因)': q.notice(`质检报告 QA report · ${text}`, rootCauseText(sampleCauses(text))),
    'qa/notice (质检周报)': q.notice(
      `质检周报 Weekly QA · ${text}`,
      digestText(text, sampleSummary(text), sampleSummary(text), 3),
    ),
    'qa/notice (校准报告)': q.notice('校准报告 Calibration · #3', calibrationText(sampleCalibration(text))),
    'qa/feedback (open)': q.feedback(sampleReview(text, agentOpenId, { state: 'feedback_sent' }), ctx),
    'qa/feedback (decided)': q.feedback(
      sampleReview(text, agentOpenId, { state: 'closed' }),
      ctx,
      md`**申诉结果 Appeal** ${text}`,
    ),
    'qa/appeal-form': q.appealForm(v, ctx, new Date('2026-11-27T02:00:00Z')),
    'qa/appeal-decide': q.appealDecide(v, ctx, {
      id: 12,
      no: 'SS000012',
      reviewId: 48,
      agentOpenId,
      reason: text,
      proposals: [{ code: 'PRO-01', points: 1, reason: text }],
      state: 'open',
      step: 'qa_lead',
      stepDueAt: new Date('2026-11-27T02:00:00Z'),
      deciderOpenId: null,
      originalScore: 72.5,
      revisedScore: null,
      decisionNote: null,
      submittedAt: new Date('2026-11-20T02:00:00Z'),
      decidedAt: null,
      lastReminderAt: null,
      bitableRecordId: null,
      version: 2,
      decisions: [
        {
          id: 1,
          appealId: 12,
          step: 'team_lead',
          decision: 'expired',
          byOpenId: 'system',
          reason: text,
          marks: null,
          revisedScore: null,
          at: new Date('2026-11-21T02:00:00Z'),
        },
        {
          id: 2,
          appealId: 12,
          step: 'team_lead',
          decision: 'overturn',
          byOpenId: agentOpenId,
          reason: text,
          marks: null,
          revisedScore: 80,
          at: new Date('2026-11-21T02:00:00Z'),
        },
      ],
    }),
  };
}
