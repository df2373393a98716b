import type { Config } from '../../../config.js';
import type { CardRenderer } from '../../../core/cards/render.js';
import type { JobQueue } from '../../../core/jobs.js';
import type { Logger } from '../../../core/logger.js';
import type { Database } from '../../../db/client.js';
import type { Feishu } from '../../../feishu/index.js';
import type { Directory, Person } from '../../directory/service.js';
import type { QaSettings } from '../settings/index.js';

export const EFFECTS_JOB = 'qa.effects';
/** The AI pre-score of a review whose card was just shown from a card button (only while LLM_* is set). */
export const PRESCORE_OPENED_JOB = 'qa.ai-prescore-opened';
export interface PrescoreOpenedJob {
  reviewId: number;
}

/** Follow-ups of a committed change, run from the queue (a card callback answers within 3 s). */
export type Effect =
  | { type: 'feedback' }
  /** The review's rows in Bitable; `comment`: also the card's 质检评语 into an empty cell, once (bitable.ts). */
  | { type: 'mirror'; comment?: true }
  /** The agent's feedback DM drawn again (a root cause changed later); `key` keys a re-send (feedback.ts). */
  | { type: 'feedback_card'; key: string }
  /** The scoring card shown in the review's card message, drawn again (the AI's suggestions arrived). */
  | { type: 'scoring_card' }
  /** The stored rollups: fold in every review marked stale (rollup-store.ts refreshDirtyRollup). */
  | { type: 'rollup' }
  | { type: 'appeal_step'; appealId: number; step: string }
  | { type: 'appeal_decided'; appealId: number }
  /** An overdue step's daily reminder; `day` (UTC date) keys the message, so a retry sends it once. */
  | { type: 'appeal_reminder'; appealId: number; day: string };

export interface EffectsJob {
  reviewId: number;
  version: number;
  effects: Effect[];
}

/** Where the review rows go in Bitable (质检记录 / 评分明细); tests and the sandbox without Bitable use none. */
export interface ReviewMirror {
  onReviewChanged(reviewId: number, options?: { comment?: boolean }): Promise<void>;
}
export const noMirror: ReviewMirror = { onReviewChanged: async () => {} };

export interface QaDeps {
  database: Database;
  directory: Directory;
  settings: QaSettings;
  feishu: Feishu;
  cards: CardRenderer;
  jobs: Pick<JobQueue, 'send' | 'sendMany'>;
  config: Pick<Config, 'timeZone' | 'llm'>;
  log: Logger;
  mirror: ReviewMirror;
}

/** `QA000123`, `SS000012`: what people see and type. */
export const reviewNo = (id: number): string => `QA${String(id).padStart(6, '0')}`;
export const appealNo = (id: number): string => `SS${String(id).padStart(6, '0')}`;
export function parseReviewNo(text: string): number | null {
  const m = /^QA-?0*(\d{1,12})$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
}

/** Inspectors score; the QA lead (质检员 + 组长, or qa_lead) also publishes the scorecard and decides appeals last. */
export const isQaLead = (p: Person | null | undefined): boolean =>
  !!p?.active && (p.roles.includes('qa_lead') || (p.roles.includes('qa_inspector') && p.roles.includes('lead')));
export const isInspector = (p: Person | null | undefined): boolean =>
  !!p?.active && (p.roles.includes('qa_inspector') || isQaLead(p));
