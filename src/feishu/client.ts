import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from '../core/logger.js';
import { FeishuApiError, isRetryable, isTokenError, toFeishuError } from './errors.js';
import { TenantTokenManager, parseTokenResponse, type TokenResponse } from './token.js';

export interface FeishuClientOptions {
  appId: string;
  appSecret: string;
  baseUrl: string;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

const defaultRetry: RetryPolicy = { maxAttempts: 6, baseDelayMs: 300, maxDelayMs: 30_000 };

export type RequestOptions = ReturnType<typeof lark.withTenantToken>;

/** The SDK's own log lines can carry request configs; we log FeishuApiError ourselves instead. */
const quietLogger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

/**
 * The official SDK plus what it lacks (FEISHU.md §h.5: it never retries and never refreshes a
 * rejected token): typed errors, exponential backoff with jitter on 429/5xx/rate-limit codes
 * honouring x-ogw-ratelimit-reset, and one shared token refresh on an invalid-token code.
 */
export class FeishuClient {
  readonly sdk: lark.Client;
  readonly tokens: TenantTokenManager;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: Logger;

  constructor(options: FeishuClientOptions) {
    this.log = options.log.child({ component: 'feishu' });
    this.retry = { ...defaultRetry, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.sdk = new lark.Client({
      appId: options.appId,
      appSecret: options.appSecret,
      domain: options.baseUrl,
      disableTokenCache: true,
      logger: quietLogger,
      loggerLevel: lark.LoggerLevel.fatal,
    });
    this.tokens = new TenantTokenManager(
      () =>
        this.withRetries('auth.tenantAccessToken', async () => {
          const body = (await this.sdk.request({
            method: 'POST',
            url: '/open-apis/auth/v3/tenant_access_token/internal',
            data: { app_id: options.appId, app_secret: options.appSecret },
          })) as TokenResponse;
          return parseTokenResponse(body);
        }),
      options.now,
      this.log,
    );
  }

  /**
   * Runs one Open API call with a tenant token. `fn` receives the request options to pass to the
   * SDK method and resolves to the response body; `code !== 0` and HTTP errors become
   * FeishuApiError. Retried calls must carry their idempotency key inside `fn`.
   */
  async call<T extends { code?: number; msg?: string }>(
    op: string,
    fn: (options: RequestOptions) => Promise<T>,
  ): Promise<T> {
    let refreshed = false;
    return this.withRetries(op, async () => {
      const token = await this.tokens.get();
      try {
        return await this.once(op, () => fn(lark.withTenantToken(token)));
      } catch (err) {
        if (err instanceof FeishuApiError && isTokenError(err) && !refreshed) {
          refreshed = true;
          this.tokens.invalidate(token);
          this.log.warn({ op, code: err.code }, 'tenant token rejected, refreshing once');
          const fresh = await this.tokens.get();
          return this.once(op, () => fn(lark.withTenantToken(fresh)));
        }
        throw err;
      }
    });
  }

  /**
   * A raw request for endpoints the SDK does not type. `recover`, for calls without an idempotency
   * key, runs before each retry: when it finds that the failed attempt went through after all, its
   * answer is returned instead of sending again.
   */
  request<T extends { code?: number; msg?: string }>(
    op: string,
    req: { method: string; url: string; data?: unknown; params?: Record<string, unknown> },
    recover?: () => Promise<T | undefined>,
  ): Promise<T> {
    let attempted = false;
    return this.call(op, async (options) => {
      if (attempted && recover) {
        const found = await recover();
        if (found !== undefined) return found;
      }
      attempted = true;
      return this.sdk.request(req, options) as Promise<T>;
    });
  }

  private async once<T extends { code?: number; msg?: string }>(op: string, fn: () => Promise<T>): Promise<T> {
    let body: T;
    try {
      body = await fn();
    } catch (err) {
      throw toFeishuError(op, err);
    }
    if (body && typeof body === 'object' && typeof body.code === 'number' && body.code !== 0) {
      throw toFeishuError(op, body);
    }
    return body;
  }

  private async withRetries<T>(op: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const apiError = err instanceof FeishuApiError ? err : toFeishuError(op, err);
        if (!isRetryable(apiError) || attempt >= this.retry.maxAttempts) throw apiError;
        const delay = this.delayFor(apiError, attempt);
        this.log.warn(
          { op, attempt, code: apiError.code, httpStatus: apiError.httpStatus, delayMs: delay },
          'feishu call failed, backing off',
        );
        await this.sleep(delay);
      }
    }
  }

  /** Feishu's own reset hint wins; otherwise exponential backoff with full jitter. */
  private delayFor(err: FeishuApiError, attempt: number): number {
    if (err.retryAfterSeconds !== undefined)
      return Math.min(this.retry.maxDelayMs, err.retryAfterSeconds * 1000 + Math.random() * 250);
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}
