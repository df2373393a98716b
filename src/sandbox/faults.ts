import { z } from 'zod';

/** One queued fault: the next `remaining` matching requests fail with `status`. */
export interface FaultRule {
  id: number;
  kind: 'error' | 'rate-limit';
  status: number;
  remaining: number;
  pathPrefix?: string;
  resetSeconds: number;
  /** The request is carried out, then its answer is replaced by the error (a lost response: retries must dedupe). */
  afterProcessing?: boolean;
}

export interface FaultSnapshot {
  rules: FaultRule[];
  latency: { ms: number; pathPrefix?: string } | null;
  dropDeliveries: number;
  tokensExpiredAt: number | null;
}

export const FaultRequest = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('error'),
    count: z.number().int().min(1).default(1),
    status: z.number().int().min(500).max(599).default(500),
    pathPrefix: z.string().optional(),
    afterProcessing: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('rate-limit'),
    count: z.number().int().min(1).default(1),
    resetSeconds: z.number().int().min(1).default(1),
    pathPrefix: z.string().optional(),
  }),
  z.object({ kind: z.literal('latency'), ms: z.number().int().min(0).max(60_000), pathPrefix: z.string().optional() }),
  z.object({ kind: z.literal('drop-deliveries'), count: z.number().int().min(1).default(1) }),
  z.object({ kind: z.literal('expire-tokens') }),
]);
export type FaultRequest = z.infer<typeof FaultRequest>;

/** Faults on demand, for tests and demos (also reachable over HTTP under /sandbox/admin/faults). */
export class FaultController {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private latency: FaultSnapshot['latency'] = null;
  private drops = 0;
  private expiredAt: number | null = null;

  constructor(
    private readonly onExpireTokens: () => void,
    private readonly onChange: () => void = () => undefined,
  ) {}

  /**
   * The next `count` requests (under `pathPrefix`, e.g. '/open-apis/im/') answer 5xx; with
   * `afterProcessing` they are carried out first and only the answer is lost.
   */
  failNext(count: number, options: { status?: number; pathPrefix?: string; afterProcessing?: boolean } = {}): void {
    this.add({
      kind: 'error',
      status: options.status ?? 500,
      remaining: count,
      resetSeconds: 0,
      ...prefix(options.pathPrefix),
      ...(options.afterProcessing ? { afterProcessing: true } : {}),
    });
  }

  /** The next `count` requests answer 429 + 99991400 with `x-ogw-ratelimit-reset: resetSeconds`. */
  rateLimitNext(count: number, options: { resetSeconds?: number; pathPrefix?: string } = {}): void {
    this.add({
      kind: 'rate-limit',
      status: 429,
      remaining: count,
      resetSeconds: options.resetSeconds ?? 1,
      ...prefix(options.pathPrefix),
    });
  }

  /** Every issued tenant_access_token stops working now (callers see 99991663). */
  expireTokens(): void {
    this.expiredAt = Date.now();
    this.onExpireTokens();
    this.onChange();
  }

  /** Adds `ms` of delay before answering (0 turns it off). */
  setLatency(ms: number, pathPrefix?: string): void {
    this.latency = ms > 0 ? { ms, ...prefix(pathPrefix) } : null;
    this.onChange();
  }

  /** The next `count` event deliveries are lost for good (as if the network ate them, retries included). */
  dropDeliveries(count: number): void {
    this.drops += count;
    this.onChange();
  }

  apply(request: FaultRequest): void {
    switch (request.kind) {
      case 'error':
        return this.failNext(request.count, request);
      case 'rate-limit':
        return this.rateLimitNext(request.count, request);
      case 'latency':
        return this.setLatency(request.ms, request.pathPrefix);
      case 'drop-deliveries':
        return this.dropDeliveries(request.count);
      case 'expire-tokens':
        return this.expireTokens();
    }
  }

  clear(): void {
    this.rules = [];
    this.latency = null;
    this.drops = 0;
    this.onChange();
  }

  snapshot(): FaultSnapshot {
    return {
      rules: this.rules.map((r) => ({ ...r })),
      latency: this.latency,
      dropDeliveries: this.drops,
      tokensExpiredAt: this.expiredAt,
    };
  }

  /** Consumes and returns the first rule matching this path, if any. */
  take(path: string): FaultRule | undefined {
    const rule = this.rules.find((r) => !r.pathPrefix || path.startsWith(r.pathPrefix));
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    this.onChange();
    return { ...rule };
  }

  latencyFor(path: string): number {
    if (!this.latency) return 0;
    return !this.latency.pathPrefix || path.startsWith(this.latency.pathPrefix) ? this.latency.ms : 0;
  }

  /** True when this delivery should be dropped (consumes one). */
  takeDrop(): boolean {
    if (this.drops <= 0) return false;
    this.drops -= 1;
    this.onChange();
    return true;
  }

  private add(rule: Omit<FaultRule, 'id'>): void {
    this.rules.push({ id: this.nextId++, ...rule });
    this.onChange();
  }
}

function prefix(pathPrefix: string | undefined): { pathPrefix?: string } {
  return pathPrefix ? { pathPrefix } : {};
}
