/** A Feishu Open API call that did not succeed: HTTP error or `code !== 0`. Never carries secrets. */
export class FeishuApiError extends Error {
  override name = 'FeishuApiError';
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly httpStatus: number,
    readonly logId: string | undefined,
    readonly op: string,
    /** Seconds Feishu asked us to wait (x-ogw-ratelimit-reset), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`Feishu ${op} failed: code ${code} ${msg} (HTTP ${httpStatus}${logId ? `, log_id ${logId}` : ''})`);
  }
  toJSON() {
    return {
      name: this.name,
      op: this.op,
      code: this.code,
      msg: this.msg,
      httpStatus: this.httpStatus,
      logId: this.logId,
    };
  }
}

// Tenant token missing, malformed, invalid or expired (FEISHU.md §d): refresh once and retry.
const TOKEN_CODES = new Set([99991661, 99991663, 99991671, 99991677]);
// Rate limits and transient server-side failures (FEISHU.md §d, §e): back off and retry.
const RETRY_CODES = new Set([
  99991400, 1254290, 1254291, 1254607, 1255001, 1255002, 1255003, 1255004, 1255005, 1255040, 230020, 11232, 11233,
  11247, 1000004, 1000005,
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ENOTFOUND',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export function isTokenError(err: FeishuApiError): boolean {
  return TOKEN_CODES.has(err.code);
}

export function isRetryable(err: FeishuApiError): boolean {
  return err.httpStatus === 429 || err.httpStatus >= 500 || err.httpStatus === 0 || RETRY_CODES.has(err.code);
}

interface AxiosLikeError {
  code?: string;
  message?: string;
  response?: { status: number; data?: unknown; headers?: Record<string, unknown> };
}

/** Turns whatever the SDK threw or resolved into a FeishuApiError. */
export function toFeishuError(op: string, thrownOrBody: unknown, httpStatus = 200): FeishuApiError {
  const e = thrownOrBody as AxiosLikeError & { code?: unknown; msg?: unknown };
  if (e && typeof e === 'object' && 'response' in e && e.response) {
    const body = (e.response.data ?? {}) as { code?: unknown; msg?: unknown };
    const headers = e.response.headers ?? {};
    const reset = Number(headers['x-ogw-ratelimit-reset']);
    return new FeishuApiError(
      typeof body.code === 'number' ? body.code : -1,
      typeof body.msg === 'string' ? body.msg : `HTTP ${e.response.status}`,
      e.response.status,
      logIdOf(headers, body),
      op,
      Number.isFinite(reset) && reset >= 0 ? reset : undefined,
    );
  }
  if (e && typeof e === 'object' && typeof e.code === 'number') {
    return new FeishuApiError(e.code, typeof e.msg === 'string' ? e.msg : '', httpStatus, logIdOf({}, e), op);
  }
  const netCode = e && typeof e === 'object' && typeof e.code === 'string' ? e.code : undefined;
  const status = netCode && NETWORK_CODES.has(netCode) ? 0 : 0;
  return new FeishuApiError(-1, netCode ?? (e instanceof Error ? e.message : 'network error'), status, undefined, op);
}

function logIdOf(headers: Record<string, unknown>, body: unknown): string | undefined {
  const fromHeader = headers['x-tt-logid'];
  if (typeof fromHeader === 'string') return fromHeader;
  const err = (body as { error?: { log_id?: unknown } })?.error;
  return typeof err?.log_id === 'string' ? err.log_id : undefined;
}
