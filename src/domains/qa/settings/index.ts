import { z } from 'zod';
import type { Setting, SettingOptions, SettingsSnapshot } from '../../../core/settings.js';
import { PrecheckPolicy } from '../logic/prechecks.js';
import { PrecisionPolicy } from '../logic/precision.js';
import { SamplingPolicy } from '../logic/sampling.js';
import { ScorecardSetting } from '../logic/scorecard.js';
import { SCORECARD_TABLE, scorecardFromTable } from './from-table.js';

export interface SettingsHost {
  settings<S extends z.ZodType>(key: string, schema: S, options?: SettingOptions<S>): Setting<z.infer<S>>;
  settingsStore: { snapshot(): Promise<SettingsSnapshot> };
}

/** Channels conversations may come from: a channel is data (key → name), never code. */
export const Channels = z.object({
  names: z.record(z.string().regex(/^[a-z0-9_]+$/), z.string().min(1)).default({
    tmall: '天猫',
    jd: '京东',
    douyin: '抖音',
    pinduoduo: '拼多多',
    xiaohongshu: '小红书',
    wechat_mini: '微信小程序',
    wecom: '企业微信',
    offline_store: '线下门店',
    private_community: '私域社群',
    feishu_helpdesk: '飞书服务台',
  }),
});

/**
 * Root causes an inspector may give a deduction (issue 10 §8): data (key → name) the QA lead edits like the
 * channels; the key is stored, the name shown (cards, 评分明细's 根因 select, reports).
 */
export const RootCauses = z.object({
  names: z
    .record(z.string().regex(/^[a-z0-9_]+$/), z.string().trim().min(1).max(20))
    .default({
      script: '话术',
      process: '流程',
      knowledge: '知识',
      attitude: '态度',
      system: '系统/工具',
    })
    // Each is an option of the scoring card's selects, which share the card's 200-element budget.
    .refine((names) => Object.keys(names).length <= 8, { message: '根因最多 8 个 · at most 8 root causes' }),
});
export type RootCauses = z.infer<typeof RootCauses>;

export const QaPolicy = z.object({
  passScore: z.number().min(0).max(100).default(80),
  /** Days each appeal step has to decide. */
  appealStepDays: z.number().positive().max(60).default(7),
  /**
   * Days a sampled review may wait for its inspector before the dashboard's queue counts it overdue (sampling draws
   * yesterday's conversations each morning: three days is the working week's slack).
   */
  reviewDueDays: z.number().positive().max(60).default(3),
  /** Days after the feedback within which the agent may appeal. */
  appealWindowDays: z.number().positive().max(60).default(7),
  prechecks: PrecheckPolicy.prefault({}),
  sampling: SamplingPolicy.prefault({}),
  /** Margin and confidence: the sample sizes the plan asks for and the intervals reports show. */
  precision: PrecisionPolicy.prefault({}),
  /** A criterion whose calibration spread (standard deviation / max points) is over this share is flagged. */
  calibrationThreshold: z.number().gt(0).max(1).default(0.1),
  /** An agent deducted on a criterion at least this often in a period is suggested for training on it. */
  trainingRepeat: z.number().int().min(1).max(50).default(2),
  /** Monday's blind calibration round: how many of last week's reviewed conversations (0: none). */
  calibrationRound: z.object({ conversations: z.number().int().min(0).max(30).default(5) }).prefault({}),
});
export type QaPolicy = z.infer<typeof QaPolicy>;

/** Every rule of the QA workflow a lead may edit, with where they edit it. */
export function declareQaSettings(bot: SettingsHost) {
  return {
    snapshot: () => bot.settingsStore.snapshot(),
    // The draft: 评分标准 rows as they are now. Reviews use published versions (qa_scorecard_versions).
    scorecard: bot.settings('qa.scorecard', ScorecardSetting, {
      source: { table: SCORECARD_TABLE, map: scorecardFromTable },
    }),
    channels: bot.settings('qa.channels', Channels),
    rootCauses: bot.settings('qa.root_causes', RootCauses.prefault({})),
    policy: bot.settings('qa.policy', QaPolicy.prefault({})),
  };
}
export type QaSettings = ReturnType<typeof declareQaSettings>;
