import { z } from 'zod';

/** The daily figures every community reports, in the order cards and files list them. */
export const COUNT_FIELDS = [
  'membersTotal',
  'membersJoined',
  'membersLeft',
  'activeMembers',
  'messages',
  'orders',
] as const;
export const MONEY_FIELDS = ['gmvFen', 'refundsFen'] as const;
export type CountField = (typeof COUNT_FIELDS)[number];
export type MoneyField = (typeof MONEY_FIELDS)[number];

export const COMMUNITY_STATES = ['active', 'paused', 'dissolved'] as const;
export type CommunityState = (typeof COMMUNITY_STATES)[number];

/** How a day's row arrived. */
export const METRIC_SOURCES = ['api', 'csv', 'bitable', 'feishu', 'demo'] as const;
export type MetricSource = (typeof METRIC_SOURCES)[number];

/** One community's day as stored: counts are whole people/messages/orders, money in fen. */
export interface DailyFigures {
  membersTotal: number;
  membersJoined: number;
  membersLeft: number;
  activeMembers: number;
  messages: number;
  orders: number;
  gmvFen: number;
  refundsFen: number;
}

/** A community code: what API callers and files name a community by (stable, case-sensitive). */
export const CommunityCode = z
  .string()
  .trim()
  .min(1, '社群编码不能为空 · community code is required')
  .max(64, '社群编码最多 64 个字符 · community code is at most 64 characters')
  .regex(/^[\p{L}\p{N}_.@:-]+$/u, '社群编码只能含字母、数字和 _ . @ : - · letters, digits and _ . @ : - only');

/** A platform is data: any short key (wechat, wecom, douyin, a new one tomorrow). */
export const PlatformKey = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9_-]+$/, '平台须为小写字母、数字、_ 或 - · platform: lower-case letters, digits, _ or -');

const MAX_COUNT = 100_000_000;
const MAX_FEN = 1_000_000_000_000;
const count = (label: string) =>
  z
    .number({ error: `${label} 须为数字 · must be a number` })
    .int(`${label} 须为整数 · must be a whole number`)
    .nonnegative(`${label} 不能为负数 · must not be negative`)
    .max(MAX_COUNT, `${label} 过大 · too large`);
const fen = (label: string) =>
  z
    .number({ error: `${label} 须为数字 · must be a number` })
    .int(`${label} 须为整数分 · must be whole fen`)
    .nonnegative(`${label} 不能为负数 · must not be negative`)
    .max(MAX_FEN, `${label} 过大 · too large`);

/** One metric row as an API body, a CSV line or a JSON line carries it (validated once, here). */
export const MetricRow = z.object({
  community: CommunityCode,
  date: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期须为 YYYY-MM-DD · date must be YYYY-MM-DD'),
  membersTotal: count('群成员数 membersTotal'),
  membersJoined: count('新增成员 membersJoined').default(0),
  membersLeft: count('退群成员 membersLeft').default(0),
  activeMembers: count('活跃成员 activeMembers').default(0),
  messages: count('消息数 messages').default(0),
  orders: count('订单数 orders').default(0),
  gmvFen: fen('成交金额 gmvFen').default(0),
  refundsFen: fen('退款金额 refundsFen').default(0),
});
export type MetricRow = z.infer<typeof MetricRow>;

export const figuresOf = (r: MetricRow): DailyFigures => ({
  membersTotal: r.membersTotal,
  membersJoined: r.membersJoined,
  membersLeft: r.membersLeft,
  activeMembers: r.activeMembers,
  messages: r.messages,
  orders: r.orders,
  gmvFen: r.gmvFen,
  refundsFen: r.refundsFen,
});

export const sameFigures = (a: DailyFigures, b: DailyFigures): boolean =>
  COUNT_FIELDS.every((k) => a[k] === b[k]) && MONEY_FIELDS.every((k) => a[k] === b[k]);
