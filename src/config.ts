import { isIP } from 'node:net';
import { z } from 'zod';
import { Secret } from './core/secret.js';
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
  // The Base `feishu-ops provision` completes: pinned so a fresh database never creates a second one.
  LARK_BITABLE_APP_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9]+$/, 'must be a Base app_token (letters and digits)')
      .optional(),
  ),
  PORT: port.default(3000),
  // Unset: 0.0.0.0 with a Feishu app; 127.0.0.1 in the offline sandbox (it has no real sign-in).
  HOST: optionalText,
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
  ),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TZ_BUSINESS: z.string().default('Asia/Shanghai').refine(isTimeZone, 'is not an IANA time zone such as Asia/Shanghai'),
  API_TOKENS: optionalText.transform((v) =>
    (v ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t.length > 0),
  ),
  SESSION_SECRET: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  // Unset: the production default (Secure; SameSite=None, which the Feishu client's webview needs).
  SESSION_COOKIE_SECURE: optionalText.pipe(z.enum(['true', 'false']).optional()),
  SESSION_COOKIE_SAMESITE: optionalText.pipe(z.enum(['none', 'lax', 'strict']).optional()),
  // The reverse proxies whose X-Forwarded-* headers count; unset: none (a client's own header changes nothing).
  TRUST_PROXY: optionalText
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    )
    .refine(
      (list) => list.every(isProxyAddress),
      'must list IP addresses, CIDR ranges or loopback/linklocal/uniquelocal',
    ),
  // OpenAPI at /docs: on by default except in production.
  API_DOCS: optionalText.pipe(z.enum(['on', 'off']).optional()),
  // Feishu re-pushes an un-acked event for ~7.1 h (FEISHU.md §a.5); anything older is a replay.
  EVENT_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(8 * 3600),
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(7).default(7),
  JOB_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(5),
  // A job whose worker died (crash, kill -9) is handed out again this long after it started.
  JOB_EXPIRE_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  // Feishu caps one bot at about 50 outbound messages per second (DESIGN.md, Scale-out).
  LARK_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(50),
  // Writes under /api/ per bearer token (per address without one) per minute; past it: 429 + Retry-After.
  API_WRITES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  SANDBOX_PORT: port.default(3100),
  SANDBOX: z.enum(['auto', 'on', 'off']).default('auto'),
  // The optional AI pre-score of QA reviews: any OpenAI-compatible endpoint; all three or none.
  LLM_BASE_URL: optionalText.pipe(
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.openai.com/v1' })
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
  ),
  LLM_API_KEY: optionalText,
  LLM_MODEL: optionalText.pipe(z.string().max(200).optional()),
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
  /** LARK_BITABLE_APP_TOKEN: the Base provisioning always uses. */
  bitableAppToken?: string | undefined;
}

/** The AI pre-score's endpoint (`POST {baseUrl}/chat/completions`); the key prints as [redacted]. */
export interface LlmConfig {
  baseUrl: string;
  apiKey: Secret;
  model: string;
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
  apiWritesPerMinute: number;
  sessionSecret: string | undefined;
  /** Dashboard cookie attributes: set here, never derived from a request header. */
  sessionCookie: { secure: boolean; sameSite: 'none' | 'lax' | 'strict' };
  /** Proxies trusted for X-Forwarded-*; empty: none. */
  trustProxy: string[];
  /** Whether /docs and /docs/json are served. */
  apiDocs: boolean;
  intake: { maxAgeSeconds: number; retentionDays: number };
  jobs: { retryLimit: number; expireInSeconds: number };
  /** `enabled`: the offline sandbox plays Feishu (loadConfig then leaves `feishu` null). */
  sandbox: { port: number; mode: 'auto' | 'on' | 'off'; enabled: boolean };
  /** null (the default): no AI pre-score. */
  llm: LlmConfig | null;
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
    // The SDK's WSClient.start() accepts only this shape and otherwise logs one line and never
    // connects (@larksuiteoapi/node-sdk 1.74 lib/index.js, WSClient.start).
    if (e.LARK_EVENT_MODE === 'websocket' && !/^cli_[0-9a-fA-F]{16}$/.test(e.LARK_APP_ID)) {
      throw new ConfigError(
        'LARK_APP_ID: must be cli_ followed by 16 hex digits (as shown in the developer console) for ' +
          'LARK_EVENT_MODE=websocket',
      );
    }
    feishu = {
      appId: e.LARK_APP_ID,
      appSecret: e.LARK_APP_SECRET,
      verificationToken: e.LARK_VERIFICATION_TOKEN,
      encryptKey: e.LARK_ENCRYPT_KEY,
      baseUrl: e.LARK_BASE_URL,
      eventMode: e.LARK_EVENT_MODE,
      messagesPerSecond: e.LARK_MESSAGES_PER_SECOND,
      bitableAppToken: e.LARK_BITABLE_APP_TOKEN,
    };
  } else if (e.LARK_APP_SECRET) {
    throw new ConfigError('LARK_APP_ID: required when LARK_APP_SECRET is set');
  }
  const sandbox = sandboxEnabled(e.NODE_ENV, e.SANDBOX, feishu !== null);
  const production = e.NODE_ENV === 'production';
  const secureCookie = e.SESSION_COOKIE_SECURE ? e.SESSION_COOKIE_SECURE === 'true' : production;
  const sameSite = e.SESSION_COOKIE_SAMESITE ?? (secureCookie ? 'none' : 'lax');
  // Browsers drop a SameSite=None cookie that is not Secure.
  if (sameSite === 'none' && !secureCookie)
    throw new ConfigError('SESSION_COOKIE_SAMESITE: none needs SESSION_COOKIE_SECURE=true');
  return {
    env: e.NODE_ENV,
    feishu,
    server: { port: e.PORT, host: e.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0') },
    database: { url: e.DATABASE_URL, dataDir: e.DATA_DIR },
    logLevel: e.LOG_LEVEL,
    timeZone: e.TZ_BUSINESS,
    apiTokens: e.API_TOKENS,
    apiWritesPerMinute: e.API_WRITES_PER_MINUTE,
    sessionSecret: e.SESSION_SECRET,
    sessionCookie: { secure: secureCookie, sameSite },
    trustProxy: e.TRUST_PROXY,
    apiDocs: e.API_DOCS ? e.API_DOCS === 'on' : !production,
    intake: { maxAgeSeconds: e.EVENT_MAX_AGE_SECONDS, retentionDays: e.EVENT_RETENTION_DAYS },
    jobs: { retryLimit: e.JOB_RETRY_LIMIT, expireInSeconds: e.JOB_EXPIRE_SECONDS },
    sandbox: { port: e.SANDBOX_PORT, mode: e.SANDBOX, enabled: sandbox },
    llm: llmConfig(e),
  };
}

/** Fail closed: the AI pre-score runs with all three settings; one or two of them is a mistake, not "off". */
function llmConfig(e: z.infer<typeof EnvSchema>): LlmConfig | null {
  const set = { LLM_BASE_URL: e.LLM_BASE_URL, LLM_API_KEY: e.LLM_API_KEY, LLM_MODEL: e.LLM_MODEL };
  const missing = Object.entries(set).filter(([, v]) => !v);
  if (missing.length === 3) return null;
  if (missing.length > 0) {
    const given = Object.keys(set).filter((k) => !missing.some(([m]) => m === k));
    throw new ConfigError(`${missing[0]![0]}: required when ${given.join(' and ')} is set (AI pre-score)`);
  }
  return { baseUrl: e.LLM_BASE_URL!, apiKey: new Secret(e.LLM_API_KEY!), model: e.LLM_MODEL! };
}

/**
 * Fail closed: the offline sandbox (and its demo company) runs only when asked for (SANDBOX=on)
 * or in development/test with no Feishu app (SANDBOX=auto). A production process without an app
 * is a configuration error, never a sandbox seeding demo data into the production database.
 */
function sandboxEnabled(env: Config['env'], mode: Config['sandbox']['mode'], hasApp: boolean): boolean {
  if (hasApp) {
    if (mode === 'on')
      throw new ConfigError('SANDBOX: "on" runs the offline sandbox, but LARK_APP_ID is set; unset one of them');
    return false;
  }
  if (mode === 'on') return true;
  if (mode === 'off') throw new ConfigError('LARK_APP_ID: required when SANDBOX=off');
  if (env === 'production')
    throw new ConfigError(
      'LARK_APP_ID: required in production (or set SANDBOX=on to run the offline sandbox on purpose)',
    );
  return true;
}

/** What start-up knows about the database before the sandbox writes its demo company into it. */
export interface DatabaseContents {
  /** People or cases whose Feishu ids are not the demo tenant's: a real deployment's data. */
  foreignRows: number;
}

/**
 * Demo data is written only by the sandbox and never into a database that already holds real
 * (non-demo) data; a refusal is a configuration error naming the setting to change.
 */
export function checkDemoSeeding(config: Config, contents: DatabaseContents): void {
  if (!config.sandbox.enabled) throw new ConfigError('SANDBOX: demo data is written only by the offline sandbox');
  if (contents.foreignRows > 0) {
    const variable = config.database.url ? 'DATABASE_URL' : 'DATA_DIR';
    throw new ConfigError(
      `${variable}: this database holds real (non-demo) data (${contents.foreignRows} people or cases); the ` +
        `offline sandbox will not write its demo company into it — use an ` +
        `empty database or set LARK_APP_ID`,
    );
  }
}

/** An address or range proxy-addr understands: an IP, IP/bits, or one of its named ranges. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [ip, bits, ...rest] = entry.split('/');
  const family = isIP(ip ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}
