import { FeishuClient, type FeishuClientOptions } from './client.js';
import { createBitable, type Bitable, type BitableOptions } from './bitable.js';
import { createMessages, type Messages } from './messages.js';
import { userFromLoginCode, type FeishuUser } from './user-auth.js';

export { FeishuApiError } from './errors.js';
export type { Card, MessageBody, Recipient } from './messages.js';

/** Raw Open API calls for endpoints the SDK does not type (token, retries and errors handled). */
export type OpenApi = Pick<FeishuClient, 'request'>;

/**
 * Everything the app may ask of Feishu, by intent. The SDK client stays behind this folder:
 * nothing here hands it out, so a module cannot reach `@larksuiteoapi/node-sdk` through its deps.
 */
export interface Feishu {
  messages: Messages;
  bitable: Bitable;
  /** For the Bitable schema calls provisioning needs (src/bitable/schema-api.ts). */
  api: OpenApi;
  /** Workbench sign-in: the person behind a one-time login code. */
  userFromLoginCode(code: string): Promise<FeishuUser>;
}

export interface FeishuOptions extends FeishuClientOptions {
  /** Outbound message budget for the whole bot (Feishu caps a bot at about 50/s). */
  messagesPerSecond?: number;
  /**
   * This process's share of the per-app budgets (messages per app, per chat, per user; Bitable
   * writes per table): 1 / the instances alive. Absent: this process has them all.
   */
  budgetShare?: () => number;
  bitable?: BitableOptions;
}

export function createFeishu(options: FeishuOptions): Feishu {
  const client = new FeishuClient(options);
  const credentials = { appId: options.appId, appSecret: options.appSecret };
  return {
    messages: createMessages(client, {
      perRecipientPerSecond: 5,
      perMessagePerSecond: 5,
      perBotPerSecond: options.messagesPerSecond ?? 50,
      ...(options.budgetShare ? { share: options.budgetShare } : {}),
    }),
    bitable: createBitable(client, {
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.budgetShare ? { share: options.budgetShare } : {}),
      ...options.bitable,
    }),
    api: { request: client.request.bind(client) },
    userFromLoginCode: (code) => userFromLoginCode(client, credentials, code),
  };
}
