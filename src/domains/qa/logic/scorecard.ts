import { z } from 'zod';

/** Report categories of a criterion (the 评分标准.分类 options' keys). */
export const CATEGORIES = ['attitude', 'accuracy', 'process', 'communication', 'compliance'] as const;
export const Category = z.enum(CATEGORIES);

const Code = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9_.-]+$/, '编码只能用字母、数字和 _ . - · code: letters, digits, _ . - only');

/**
 * One criterion of the scorecard. `maxPoints` is the scale the inspector scores on (deduct 0 …
 * maxPoints); `weight` is what the criterion is worth of the 100 total. A bonus item adds up to
 * its weight on top (capped at 100); a red-line item fails the review when hit; `channels`
 * empty = every channel, otherwise the criterion applies only there (per-channel criteria on top
 * of the shared ones).
 */
export const Criterion = z.object({
  code: Code,
  name: z.string().trim().min(1).max(100),
  category: Category,
  weight: z.number().min(0).max(100),
  maxPoints: z.number().int().positive().max(100),
  guide: z.string().max(2000).default(''),
  naAllowed: z.boolean().default(false),
  bonus: z.boolean().default(false),
  redLine: z.boolean().default(false),
  channels: z.array(z.string().trim().min(1).max(40)).default([]),
  keywords: z.array(z.string().trim().min(1).max(60)).default([]),
  order: z.number().default(0),
});
export type Criterion = z.infer<typeof Criterion>;

function checkScorecard(s: { criteria: Criterion[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const [i, c] of s.criteria.entries()) {
    const code = c.code.toUpperCase();
    if (seen.has(code))
      ctx.addIssue({ code: 'custom', path: ['criteria', i, 'code'], message: `编码 ${c.code} 重复 · duplicate code` });
    seen.add(code);
    if (c.weight === 0 && !c.redLine)
      ctx.addIssue({
        code: 'custom',
        path: ['criteria', i, 'weight'],
        message: `${c.code}：分值须大于 0（只有红线项可为 0） · weight must be above 0 (only red lines may be 0)`,
      });
    if (c.bonus && c.redLine)
      ctx.addIssue({
        code: 'custom',
        path: ['criteria', i],
        message: `${c.code}：加分项不能同时是红线项 · a bonus item cannot be a red line`,
      });
  }
  if (!s.criteria.some((c) => !c.bonus))
    ctx.addIssue({
      code: 'custom',
      path: ['criteria'],
      message: '至少需要一项非加分标准 · at least one scored (non-bonus) criterion',
    });
}

export const Scorecard = z.object({ criteria: z.array(Criterion).max(60) }).superRefine(checkScorecard);
export type Scorecard = z.infer<typeof Scorecard>;

/** The draft as a setting (settings are objects; an empty one is the built-in scorecard). */
export const ScorecardSetting = z
  .object({
    criteria: z
      .array(Criterion)
      .max(60)
      .default(() => DEFAULT_SCORECARD.criteria),
  })
  .superRefine(checkScorecard);

/** The criteria that apply to a conversation of `channel`, in card order. */
export function criteriaFor(card: Scorecard, channel: string): Criterion[] {
  return card.criteria
    .filter((c) => c.channels.length === 0 || c.channels.includes(channel))
    .sort((a, b) => a.order - b.order || a.code.localeCompare(b.code));
}

const c = (
  code: string,
  name: string,
  category: Criterion['category'],
  weight: number,
  maxPoints: number,
  guide: string,
  extra: Partial<Criterion> = {},
  order = 0,
): Criterion => Criterion.parse({ code, name, category, weight, maxPoints, guide, order, ...extra });

/** The built-in scorecard (version 1 until the QA lead edits 评分标准 and publishes). */
export const DEFAULT_SCORECARD: Scorecard = {
  criteria: [
    c(
      'ATT-01',
      '问候与称呼 Greeting',
      'attitude',
      10,
      2,
      '开场问候、称呼得体 · greets and addresses the customer',
      {},
      1,
    ),
    c(
      'ATT-02',
      '服务态度 Courtesy',
      'attitude',
      15,
      5,
      '礼貌耐心，无推诿 · polite and patient, no brush-off',
      { keywords: ['不知道', '没办法', '你自己看'] },
      2,
    ),
    c('PRO-01', '响应及时 Response time', 'process', 15, 5, '首次响应与每次回复及时 · replies promptly', {}, 3),
    c(
      'ACC-01',
      '信息准确 Accuracy',
      'accuracy',
      25,
      5,
      '商品、物流、售后政策回答准确 · product, delivery and after-sales answers are right',
      { naAllowed: true },
      4,
    ),
    c(
      'PRO-02',
      '流程规范 Process',
      'process',
      15,
      5,
      '按流程登记退款/工单 · follows the refund and case process',
      { naAllowed: true },
      5,
    ),
    c(
      'COM-01',
      '结束语 Closing',
      'communication',
      10,
      2,
      '结束前确认问题已解决并致谢 · confirms the issue is solved and thanks',
      {},
      6,
    ),
    c(
      'COM-02',
      '主动推荐 Proactive help',
      'communication',
      10,
      2,
      '主动提供相关帮助 · offers relevant help',
      { naAllowed: true },
      7,
    ),
    c(
      'BON-01',
      '超预期服务 Above and beyond',
      'communication',
      5,
      5,
      '超出预期的服务 · went beyond what was asked',
      { bonus: true },
      8,
    ),
    c(
      'RED-01',
      '违规承诺或辱骂 Abuse or forbidden promise',
      'compliance',
      0,
      1,
      '辱骂客户、泄露隐私、私下交易、违规承诺 · abuse, leaking data, off-platform deals, forbidden promises',
      { redLine: true, keywords: ['加我微信', '私下转账', '滚'] },
      9,
    ),
  ],
};
