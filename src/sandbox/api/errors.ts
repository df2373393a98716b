import type { z } from 'zod';

/**
 * An Open API failure as Feishu answers it: `{code, msg}` with an HTTP status. Statuses follow
 * FEISHU.md: IM and gateway errors are HTTP 400, rate limits 429, Bitable business errors come
 * back with HTTP 200 and a non-zero code.
 */
export class OpenApiError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code} ${msg}`);
  }
}

export const tokenErrors = {
  // Sandbox choice, documented in src/sandbox/README.md: token errors answer HTTP 400 (status UNCONFIRMED upstream).
  missing: () => new OpenApiError(99991661, 'Need a token', 400),
  invalid: () => new OpenApiError(99991663, 'tenant token invalid', 400),
};

export function rateLimited(
  limit: number,
  resetSeconds: number,
  code = 99991400,
  msg = 'request trigger frequency limit',
): OpenApiError {
  return new OpenApiError(code, msg, 429, {
    'x-ogw-ratelimit-limit': String(limit),
    'x-ogw-ratelimit-reset': String(Math.max(1, Math.ceil(resetSeconds))),
  });
}

export function invalidParam(detail: string): OpenApiError {
  return new OpenApiError(99992402, `field validation failed, ext=${detail}`, 400);
}

export function bitableError(code: number, msg: string): OpenApiError {
  return new OpenApiError(code, msg, 200);
}

/** zod at the boundary: a bad body is the API's own validation error, never a 500. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  onError: (detail: string) => OpenApiError = invalidParam,
): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw onError(`${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
}
