import type { Database } from '../../../db/client.js';
import type { Logger } from '../../../core/logger.js';
import { z } from 'zod';
import { REGISTRATION_STATUSES, UNKNOWN, type Registration, type RiskPolicy } from '../logic/risk.js';
import { repo } from '../repository.js';
import type { RiskProvider, RiskQuery } from './provider.js';

/**
 * Registration data for a counterparty: from the cache while it is fresh (memory, then
 * Postgres), else from the provider within `timeoutMs`. A timeout, an error or a garbage answer
 * gives "unknown" with the reason — never an exception, never longer than the timeout.
 */
export function registrationChecker(
  deps: { database: Database; log: Logger },
  policy: () => Promise<RiskPolicy>,
  providerOf: (p: RiskPolicy) => RiskProvider,
) {
  const memory = new Map<string, { value: Registration; expiresAt: number }>();
  let built: { config: string; provider: RiskProvider } | undefined;
  return async function registration(query: RiskQuery, now: Date): Promise<Registration> {
    const current = await policy();
    const config = JSON.stringify(current.provider);
    if (built?.config !== config) built = { config, provider: providerOf(current) };
    const p = built.provider;
    const key = `${p.name}:${query.creditCode ?? query.name}`;
    const hit = memory.get(key);
    if (hit && hit.expiresAt > now.getTime()) return hit.value;
    const { timeoutMs, cacheTtlMinutes } = current;
    try {
      const stored = await repo.cached(deps.database.db, key, now);
      if (stored) {
        const value = stored as unknown as Registration;
        memory.set(key, { value, expiresAt: now.getTime() + cacheTtlMinutes * 60_000 });
        return value;
      }
    } catch (err) {
      deps.log.warn({ err }, 'risk cache read failed');
    }
    const value = await withTimeout(p, query, timeoutMs);
    if (value.status !== 'unknown' || !value.problem) {
      const expiresAt = now.getTime() + cacheTtlMinutes * 60_000;
      memory.set(key, { value, expiresAt });
      await repo
        .cache(deps.database.db, key, value as unknown as Record<string, unknown>, new Date(expiresAt))
        .catch((err: unknown) => deps.log.warn({ err }, 'risk cache write failed'));
    } else {
      deps.log.warn({ provider: p.name, problem: value.problem }, 'counterparty registration unknown');
    }
    return value;
  };
}

const orNull = <T extends z.ZodType>(t: T) =>
  t
    .nullable()
    .optional()
    .catch(null)
    .transform((v) => v ?? null);
/** What any provider's answer is read as: a known status, each other field valid or null. */
const Answer = z.object({
  status: z.enum(REGISTRATION_STATUSES),
  registeredCapitalFen: orNull(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)),
  legalRepresentative: orNull(z.string().max(100)),
  abnormalOperation: orNull(z.boolean()),
  judicialCases: orNull(z.number().int().nonnegative()),
  problem: z.string().max(200).optional().catch(undefined),
});

async function withTimeout(p: RiskProvider, query: RiskQuery, timeoutMs: number): Promise<Registration> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Registration>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(UNKNOWN(p.name, `超时 timeout ${timeoutMs} ms`));
    }, timeoutMs);
  });
  // A provider that throws before its promise exists is a failed lookup too.
  const lookup = Promise.resolve()
    .then(() => p.lookup(query, controller.signal))
    .then(
      (r) => {
        const parsed = Answer.safeParse(r);
        return parsed.success
          ? { ...parsed.data, source: p.name }
          : UNKNOWN(p.name, '无法识别的答复 unreadable answer');
      },
      (err: unknown) =>
        UNKNOWN(
          p.name,
          controller.signal.aborted
            ? `超时 timeout ${timeoutMs} ms`
            : String(err instanceof Error ? err.message : err).slice(0, 120),
        ),
    );
  try {
    return await Promise.race([lookup, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
