import { z } from 'zod';

/** Registration data from the provider; any field may be unknown. */
export const REGISTRATION_STATUSES = ['active', 'abnormal', 'revoked', 'deregistered', 'unknown'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

export interface Registration {
  /** 'unknown' when the provider did not answer, answered with an error or with something unreadable. */
  status: RegistrationStatus;
  registeredCapitalFen: number | null;
  legalRepresentative: string | null;
  abnormalOperation: boolean | null;
  judicialCases: number | null;
  /** Why the data is unknown (timeout, http 500, unreadable answer), for the card. */
  problem?: string;
  source: string;
}

export const UNKNOWN = (source: string, problem: string): Registration => ({
  status: 'unknown',
  registeredCapitalFen: null,
  legalRepresentative: null,
  abnormalOperation: null,
  judicialCases: null,
  problem,
  source,
});

export const LIST_STATES = ['none', 'watch', 'black'] as const;
export type ListState = (typeof LIST_STATES)[number];

export interface SigningHistory {
  count: number;
  totalFen: number;
  last: Array<{ contractNo: string; title: string; amountFen: number; state: string }>;
  disputes: number;
  overduePayments: number;
}

export type RiskLevel = 'low' | 'medium' | 'high' | 'blocked' | 'unknown';

export interface RiskSummary {
  level: RiskLevel;
  list: ListState;
  listReason: string | null;
  registration: Registration;
  history: SigningHistory;
  /** A blacklist hit or a revoked/deregistered party: approval needs the extra risk-override step. */
  needsOverride: boolean;
  reasons: string[];
}

/** The overall level from the list, registration and history (pure). */
export function assess(
  list: ListState,
  listReason: string | null,
  registration: Registration,
  history: SigningHistory,
): RiskSummary {
  const reasons: string[] = [];
  let level = 'low' as RiskLevel;
  const raise = (to: RiskLevel, reason: string) => {
    const rank: RiskLevel[] = ['low', 'unknown', 'medium', 'high', 'blocked'];
    if (rank.indexOf(to) > rank.indexOf(level)) level = to;
    reasons.push(reason);
  };
  if (list === 'black') raise('blocked', '内部黑名单 internal blacklist');
  if (list === 'watch') raise('medium', '内部观察名单 internal watchlist');
  if (registration.status === 'revoked' || registration.status === 'deregistered')
    raise('blocked', `登记状态 ${registration.status}`);
  if (registration.status === 'abnormal' || registration.abnormalOperation)
    raise('high', '经营异常 abnormal operation');
  if ((registration.judicialCases ?? 0) > 0) raise('medium', `司法案件 ${registration.judicialCases} judicial cases`);
  if (history.disputes > 0) raise('medium', `历史纠纷 ${history.disputes} disputes`);
  if (history.overduePayments > 0) raise('medium', `逾期付款 ${history.overduePayments} overdue payments`);
  if (registration.status === 'unknown' && level === 'low') {
    level = 'unknown';
    reasons.push(`工商信息未知 registration unknown${registration.problem ? ` (${registration.problem})` : ''}`);
  }
  return { level, list, listReason, registration, history, needsOverride: level === 'blocked', reasons };
}

/** The HTTP provider's settings: where to ask, with which key, and where its answer keeps each value. */
export const HttpProviderConfig = z.object({
  url: z.url(),
  /** Name of the environment variable holding the key (the key itself never sits in a table). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .default('CONTRACTS_RISK_API_KEY'),
  /** Header the key goes in (many Chinese registry services use `Authorization` or `X-Api-Key`). */
  keyHeader: z.string().default('Authorization'),
  /** Query parameter the company name (or credit code, when known) is sent in. */
  queryParam: z.string().default('keyword'),
  /** Dotted paths into the answer, e.g. `data.regStatus`. */
  mapping: z
    .object({
      status: z.string().default('data.status'),
      registeredCapital: z.string().default('data.registeredCapital'),
      legalRepresentative: z.string().default('data.legalPerson'),
      abnormal: z.string().default('data.abnormal'),
      judicialCases: z.string().default('data.judicialCount'),
    })
    .default({
      status: 'data.status',
      registeredCapital: 'data.registeredCapital',
      legalRepresentative: 'data.legalPerson',
      abnormal: 'data.abnormal',
      judicialCases: 'data.judicialCount',
    }),
  /** Provider's status words → ours (e.g. 存续/在业 → active). */
  statusMap: z.record(z.string(), z.enum(REGISTRATION_STATUSES)).default({
    存续: 'active',
    在业: 'active',
    开业: 'active',
    active: 'active',
    经营异常: 'abnormal',
    吊销: 'revoked',
    注销: 'deregistered',
  }),
});
export type HttpProviderConfig = z.infer<typeof HttpProviderConfig>;

export const RiskPolicy = z.object({
  provider: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('none') }),
      z.object({ type: z.literal('file'), path: z.string().min(1) }),
      z.object({ type: z.literal('http'), http: HttpProviderConfig }),
    ])
    .default({ type: 'none' }),
  timeoutMs: z.number().int().min(100).max(30_000).default(3_000),
  cacheTtlMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 30)
    .default(24 * 60),
});
export type RiskPolicy = z.infer<typeof RiskPolicy>;
