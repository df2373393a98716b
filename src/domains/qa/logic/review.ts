/** Review life cycle (质检记录.状态 option keys). */
export const REVIEW_STATES = ['to_score', 'scored', 'feedback_sent', 'acknowledged', 'appealed', 'closed'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];
export const RESULTS = ['pass', 'fail', 'red_line'] as const;
export const SAMPLE_REASONS = ['random', 'precheck', 'bad_rating', 'complaint', 'calibration', 'manual'] as const;
export type SampleReason = (typeof SAMPLE_REASONS)[number];

export const STATE_NAME: Readonly<Record<ReviewState, string>> = {
  to_score: '待质检',
  scored: '已评分',
  feedback_sent: '已反馈',
  acknowledged: '已确认',
  appealed: '申诉中',
  closed: '已结案',
};
export const RESULT_NAME = { pass: '合格', fail: '不合格', red_line: '红线不合格' } as const;

/** Appeal steps, in order: the agent's team lead, then the QA lead. */
export const APPEAL_STEPS = ['team_lead', 'qa_lead'] as const;
export type AppealStep = (typeof APPEAL_STEPS)[number];
export const APPEAL_STATES = ['open', 'upheld', 'overturned', 'adjusted', 'expired'] as const;
export type AppealState = (typeof APPEAL_STATES)[number];
export const DECISIONS = ['uphold', 'overturn', 'adjust'] as const;
export type Decision = (typeof DECISIONS)[number];
/** What the audit trail records: a person's decision, or a step that passed its deadline undecided (by `system`). */
export const AUDITED_DECISIONS = [...DECISIONS, 'expired'] as const;
export type AuditedDecision = (typeof AUDITED_DECISIONS)[number];
export const SYSTEM_DECIDER = 'system';
