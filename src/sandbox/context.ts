import type { Logger } from 'pino';
import type { TableWriteLocks } from './bitable/write-locks.js';
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
  /** The bot's business time zone (TZ_BUSINESS): the console shows chat times in it. */
  timeZone: string;
  /**
   * Which group messages the bot is pushed: only those that @-mention it (no im:message.group_msg scope),
   * or every one (the scope granted — what counting a group community's messages needs).
   */
  groupMessages: 'mentions' | 'all';
}

export const DEFAULT_SETTINGS: SandboxSettings = {
  tokenTtlSeconds: 7200,
  bitableWriteMs: 15,
  callbackTimeoutMs: 3000,
  // 5 QPS per user / per group for sends, 5 QPS per message for PATCH, 20/s for records search & list (FEISHU.md §d).
  limits: { messagesPerTarget: 5, patchesPerMessage: 5, bitableReads: 20 },
  timeZone: 'Asia/Shanghai',
  groupMessages: 'mentions',
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
  /**
   * Every message send the app attempted (create or reply), in arrival order, before uuid dedup:
   * kept in memory only (not in the saved document), so a test sees a second, different send
   * that Feishu's dedup would not hide, and each repeat of one uuid.
   */
  sendAttempts: SendAttempt[];
}

export interface SendAttempt {
  at: number;
  /** create: POST /im/v1/messages; reply: POST /im/v1/messages/:id/reply. */
  via: 'create' | 'reply';
  /** receive_id (create) or the message replied to (reply). */
  target: string;
  msg_type: string;
  content: string;
  uuid?: string | undefined;
  /** stored: a new message; repeat: a uuid seen within the hour answered with the first message. */
  outcome: 'stored' | 'repeat' | 'refused';
  message_id?: string | undefined;
}
