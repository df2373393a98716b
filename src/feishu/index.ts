import type { Logger } from '../core/logger.js';
import { FeishuClient, type RetryPolicy } from './client.js';
import { createMessages, type Messages } from './messages.js';

export { FeishuApiError } from './errors.js';
export type { Card, MessageBody, Recipient } from './messages.js';

/** Everything the domains may ask of Feishu, by intent; the SDK stays behind this folder. */
export interface Feishu {
  messages: Messages;
  client: FeishuClient;
}

export interface FeishuOptions {
  appId: string;
  appSecret: string;
  baseUrl: string;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
}

export function createFeishu(options: FeishuOptions): Feishu {
  const client = new FeishuClient(options);
  return { client, messages: createMessages(client) };
}
