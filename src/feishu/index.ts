import { FeishuClient, type FeishuClientOptions } from './client.js';
import { createBitable, type Bitable, type BitableOptions } from './bitable.js';
import { createMessages, type Messages } from './messages.js';

export { FeishuApiError } from './errors.js';
export type { Card, MessageBody, Recipient } from './messages.js';

/** Everything the domains may ask of Feishu, by intent; the SDK stays behind this folder. */
export interface Feishu {
  messages: Messages;
  bitable: Bitable;
  client: FeishuClient;
}

export interface FeishuOptions extends FeishuClientOptions {
  /** Outbound message budget for the whole bot (Feishu caps a bot at about 50/s). */
  messagesPerSecond?: number;
  bitable?: BitableOptions;
}

export function createFeishu(options: FeishuOptions): Feishu {
  const client = new FeishuClient(options);
  return {
    client,
    messages: createMessages(client, { perRecipientPerSecond: 5, perMessagePerSecond: 5, perBotPerSecond: options.messagesPerSecond ?? 50 }),
    bitable: createBitable(client, { ...(options.sleep ? { sleep: options.sleep } : {}), ...options.bitable }),
  };
}
