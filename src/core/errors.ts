/**
 * Typed errors thrown deep and translated once at each edge: HTTP status, card toast, job retry.
 * Messages are user-facing: Chinese first, English beside it.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  get status(): number {
    return statusOf[this.code];
  }
  toJSON() {
    return { error: { code: this.code, message: this.message, details: this.details ?? null } };
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('unprocessable', message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string | number) {
    super('not_found', `找不到${what} ${id} · ${what} ${id} not found`, { what, id });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = '你没有权限执行此操作 · You are not allowed to do this') {
    super('forbidden', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, details);
  }
}

/** A failure that will not get better by retrying (bad data, missing record): jobs go dead at once. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
