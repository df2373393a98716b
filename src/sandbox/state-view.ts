import { readFields } from './bitable/codec.js';
import type { SandboxContext, SendAttempt } from './context.js';
import type { DeliveryRecord } from './delivery/event-deliverer.js';
import type { BitableApp, SandboxChat, SandboxMessage, SandboxState, SandboxUser } from './state/types.js';

/** Read-only accessors for tests and the composition root. */
export interface SandboxStateView {
  bot(): SandboxState['bot'];
  users(): SandboxUser[];
  chats(): SandboxChat[];
  /** The bot's p2p chat with a user. */
  p2pChatOf(openId: string): SandboxChat | undefined;
  messages(filter?: { chatId?: string; fromBot?: boolean }): SandboxMessage[];
  /** Messages the app sent (what users saw from the bot). */
  botMessages(): SandboxMessage[];
  /** Distinct message uuids seen (dedup window 1 h). */
  messageUuids(): string[];
  /** Every send the app attempted, before uuid dedup (latest 10,000): repeats and refusals too. */
  sendAttempts(): SendAttempt[];
  /** Distinct Bitable client_tokens seen. */
  clientTokens(): string[];
  apps(): BitableApp[];
  /** Records in read format keyed by field name. */
  records(appToken: string, tableId: string): Array<{ record_id: string; fields: Record<string, unknown> }>;
  subscriptions(): string[];
  deliveries(): DeliveryRecord[];
  /** Waits until no event delivery attempt is in flight. */
  idle(): Promise<void>;
  /** The whole document (escape hatch; do not mutate). */
  raw(): SandboxState;
}

export function createStateView(ctx: SandboxContext): SandboxStateView {
  const { data } = ctx.store;
  return {
    bot: () => data.bot,
    users: () => data.users,
    chats: () => data.chats,
    p2pChatOf: (openId) => data.chats.find((c) => c.chat_type === 'p2p' && c.p2p_user === openId),
    messages: (filter = {}) =>
      data.messages.filter(
        (m) =>
          (!filter.chatId || m.chat_id === filter.chatId) &&
          (filter.fromBot === undefined || (m.sender.kind === 'app') === filter.fromBot),
      ),
    botMessages: () => data.messages.filter((m) => m.sender.kind === 'app'),
    messageUuids: () => Object.keys(data.uuids),
    sendAttempts: () => [...ctx.sendAttempts],
    clientTokens: () => [...new Set(Object.keys(data.clientTokens).map((k) => k.split(':').slice(3).join(':')))],
    apps: () => Object.values(data.apps),
    records: (appToken, tableId) => {
      const table = data.apps[appToken]?.tables.find((t) => t.table_id === tableId);
      return (table?.records ?? []).map((r) => ({
        record_id: r.record_id,
        fields: readFields(table!.fields, r, data),
      }));
    },
    subscriptions: () => Object.keys(data.subscriptions),
    deliveries: () => ctx.deliverer.deliveries(),
    idle: () => ctx.deliverer.idle(),
    raw: () => data,
  };
}
