import type { Logger } from '../core/logger.js';
import { FeishuApiError, toFeishuError } from './errors.js';

export interface TokenFetcher {
  (): Promise<{ token: string; expireSeconds: number }>;
}

/**
 * Caches the tenant_access_token until 3 minutes before it expires (as the SDKs do) and
 * refreshes it once for everybody: concurrent callers share one in-flight request, and an
 * invalidation only counts when it names the token currently cached.
 */
export class TenantTokenManager {
  private current: { token: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: TokenFetcher,
    private readonly now: () => number = Date.now,
    private readonly log?: Logger,
  ) {}

  async get(): Promise<string> {
    if (this.current && this.current.expiresAt > this.now()) return this.current.token;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Drop the cached token if it is still `token`, so the next get() fetches a new one. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async refresh(): Promise<string> {
    const { token, expireSeconds } = await this.fetchToken();
    this.current = { token, expiresAt: this.now() + Math.max(0, expireSeconds - 180) * 1000 };
    this.log?.debug({ expireSeconds }, 'tenant token refreshed');
    return token;
  }
}

export interface TokenResponse {
  code?: number;
  msg?: string;
  tenant_access_token?: string;
  expire?: number;
}

export function parseTokenResponse(body: TokenResponse): { token: string; expireSeconds: number } {
  if (body.code !== 0 || !body.tenant_access_token) {
    throw body.code !== undefined && body.code !== 0
      ? toFeishuError('auth.tenantAccessToken', body)
      : new FeishuApiError(-1, 'no tenant_access_token in response', 200, undefined, 'auth.tenantAccessToken');
  }
  return { token: body.tenant_access_token, expireSeconds: body.expire ?? 7200 };
}
