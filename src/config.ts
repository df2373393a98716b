import { z } from 'zod';
import { isTimeZone } from './core/zoned-time.js';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const port = z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535);

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LARK_APP_ID: optionalText,
  LARK_APP_SECRET: optionalText,
  LARK_VERIFICATION_TOKEN: optionalText,
  LARK_ENCRYPT_KEY: optionalText,
  LARK_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://open.feishu.cn' })
    .default('https://open.feishu.cn')
    .transform((v) => v.replace(/\/+$/, '')),
  LARK_EVENT_MODE: z.enum(['webhook', 'websocket']).default('webhook'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: optionalText.pipe(
    z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
  ),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TZ_BUSINESS: z
    .string()
    .default('Asia/Shanghai')
    .refine(isTimeZone, 'is not an IANA time zone such as Asia/Shanghai'),
  API_TOKENS: optionalText.transform((v) =>
    (v ?? '').split(',').map((t) => t.trim()).filter((t) => t.length > 0),
  ),
  SESSION_SECRET: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  // Feishu re-pushes an un-acked event for ~7.1 h (FEISHU.md §a.5); anything older is a replay.
  EVENT_MAX_AGE_SECONDS: z.coerce.number().int().min(60).default(8 * 3600),
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(7).default(7),
  JOB_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(5),
  // A job whose worker died (crash, kill -9) is handed out again this long after it started.
  JOB_EXPIRE_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  // Feishu caps one bot at about 50 outbound messages per second (DESIGN.md, Scale-out).
  LARK_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(50),
  SANDBOX_PORT: port.default(3100),
  SANDBOX: z.enum(['auto', 'on', 'off']).default('auto'),
});
export type Env = z.input<typeof EnvSchema>;

export interface FeishuConfig {
  appId: string;
  appSecret: string;
  verificationToken: string | undefined;
  encryptKey: string | undefined;
  baseUrl: string;
  eventMode: 'webhook' | 'websocket';
  messagesPerSecond: number;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  /** null when no Feishu app is configured: the offline sandbox takes its place. */
  feishu: FeishuConfig | null;
  server: { port: number; host: string };
  database: { url: string | undefined; dataDir: string };
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  timeZone: string;
  apiTokens: string[];
  sessionSecret: string | undefined;
  intake: { maxAgeSeconds: number; retentionDays: number };
  jobs: { retryLimit: number; expireInSeconds: number };
  sandbox: { port: number; mode: 'auto' | 'on' | 'off' };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the settings once; throws ConfigError with one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join('.') || 'environment';
    throw new ConfigError(`${name}: ${issue.message}`);
  }
  const e = parsed.data;
  let feishu: FeishuConfig | null = null;
  if (e.LARK_APP_ID) {
    if (!e.LARK_APP_SECRET) throw new ConfigError('LARK_APP_SECRET: required when LARK_APP_ID is set');
    if (e.NODE_ENV === 'production' && e.LARK_EVENT_MODE === 'webhook' && !e.LARK_ENCRYPT_KEY) {
      // Without an Encrypt Key Feishu sends no signature; only a clear-text token guards the webhook.
      throw new ConfigError('LARK_ENCRYPT_KEY: required in production so that Feishu requests are signed');
    }
    if (e.LARK_EVENT_MODE === 'webhook' && !e.LARK_ENCRYPT_KEY && !e.LARK_VERIFICATION_TOKEN) {
      throw new ConfigError('LARK_VERIFICATION_TOKEN: required when LARK_ENCRYPT_KEY is not set');
    }
    feishu = {
      appId: e.LARK_APP_ID,
      appSecret: e.LARK_APP_SECRET,
      verificationToken: e.LARK_VERIFICATION_TOKEN,
      encryptKey: e.LARK_ENCRYPT_KEY,
      baseUrl: e.LARK_BASE_URL,
      eventMode: e.LARK_EVENT_MODE,
      messagesPerSecond: e.LARK_MESSAGES_PER_SECOND,
    };
  } else if (e.LARK_APP_SECRET) {
    throw new ConfigError('LARK_APP_ID: required when LARK_APP_SECRET is set');
  }
  return {
    env: e.NODE_ENV,
    feishu,
    server: { port: e.PORT, host: e.HOST },
    database: { url: e.DATABASE_URL, dataDir: e.DATA_DIR },
    logLevel: e.LOG_LEVEL,
    timeZone: e.TZ_BUSINESS,
    apiTokens: e.API_TOKENS,
    sessionSecret: e.SESSION_SECRET,
    intake: { maxAgeSeconds: e.EVENT_MAX_AGE_SECONDS, retentionDays: e.EVENT_RETENTION_DAYS },
    jobs: { retryLimit: e.JOB_RETRY_LIMIT, expireInSeconds: e.JOB_EXPIRE_SECONDS },
    sandbox: { port: e.SANDBOX_PORT, mode: e.SANDBOX },
  };
}
