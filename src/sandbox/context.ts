import type { Logger } from 'pino';
import type { TableWriteLocks } from './bitable/records.js';
import type { EventDeliverer } from './delivery/event-deliverer.js';
import type { FaultController } from './faults.js';
import type { RateLimiter } from './rate-limit.js';
import type { SandboxStore } from './state/store.js';

export interface SandboxSettings {
  /** Lifetime of a tenant_access_token, seconds (Feishu: 7200). */
  tokenTtlSeconds: number;
  /** How long one Bitable write holds its table (a second write meanwhile gets 1254291). */
  bitableWriteMs: number;
  /** Deadline for the bot to answer an event or a card callback (Feishu: 3 s). */
  callbackTimeoutMs: number;
  /** Per-second limits: messages per receiving user / chat, PATCHes per message, Bitable search/list. */
  limits: { messagesPerTarget: number; patchesPerMessage: number; bitableReads: number };
}

export const DEFAULT_SETTINGS: SandboxSettings = {
  tokenTtlSeconds: 7200,
  bitableWriteMs: 15,
  callbackTimeoutMs: 3000,
  // 5 QPS per user / per group for sends, 5 QPS per message for PATCH, 20/s for records search & list (FEISHU.md §d).
  limits: { messagesPerTarget: 5, patchesPerMessage: 5, bitableReads: 20 },
};

/** Everything a sandbox route needs, built once in startSandbox. */
export interface SandboxContext {
  store: SandboxStore;
  faults: FaultController;
  limiter: RateLimiter;
  locks: TableWriteLocks;
  deliverer: EventDeliverer;
  now: () => Date;
  log?: Logger | undefined;
  settings: SandboxSettings;
  endpoints: { eventUrl?: string; cardUrl?: string; dashboardUrl?: string };
}
