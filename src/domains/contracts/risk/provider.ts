import type { Registration } from '../logic/risk.js';

/** Who we ask about a counterparty's registration. */
export interface RiskQuery {
  name: string;
  creditCode: string | null;
}

/**
 * A registration data source (工商信息): a local file, an HTTP service, or a test double.
 * `signal` aborts the lookup at the configured timeout; a provider may throw anything — the
 * caller turns every failure into "unknown".
 */
export interface RiskProvider {
  readonly name: string;
  lookup(query: RiskQuery, signal: AbortSignal): Promise<Registration>;
}

export const noProvider: RiskProvider = {
  name: 'none',
  lookup: () => Promise.reject(new Error('no registration provider configured')),
};

/** A dotted path into a JSON answer (`data.regStatus`), or undefined. */
export function pick(value: unknown, path: string): unknown {
  let node: unknown = value;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A number from a number or a numeric string like "1000万" or "500.5"; null when unreadable. */
export function numberFrom(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return null;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(万|亿)?/.exec(value);
  if (!m) return null;
  const n = Number(m[1]) * (m[2] === '亿' ? 1e8 : m[2] === '万' ? 1e4 : 1);
  return Number.isFinite(n) ? n : null;
}

export function textFrom(value: unknown, max = 100): string | null {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : null;
}

export function boolFrom(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1' || value === 'true' || value === '是') return true;
  if (value === 0 || value === '0' || value === 'false' || value === '否') return false;
  return null;
}
