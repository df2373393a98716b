import type { MessageBody, Messenger, Recipient, SentMessage } from '../core/messenger.js';
import type { FeishuClient } from './client.js';
import { messageUuid } from './idempotency.js';
import { KeyedRateLimiter } from './rate-limit.js';

export type ReceiveIdType = 'open_id' | 'user_id' | 'union_id' | 'email' | 'chat_id';
export type { Card, MessageBody, Recipient, SentMessage } from '../core/messenger.js';

/** Intent-named messaging: the core's Messenger port over the Feishu IM API. */
export type Messages = Messenger;

function recipient(to: Recipient): { id: string; type: ReceiveIdType } {
  if ('chatId' in to) return { id: to.chatId, type: 'chat_id' };
  if ('openId' in to) return { id: to.openId, type: 'open_id' };
  if ('userId' in to) return { id: to.userId, type: 'user_id' };
  return { id: to.email, type: 'email' };
}

function content(body: MessageBody): { msg_type: string; content: string } {
  return 'card' in body
    ? { msg_type: 'interactive', content: JSON.stringify(body.card) }
    : { msg_type: 'text', content: JSON.stringify({ text: body.text }) };
}

interface MessageResponse {
  code?: number;
  msg?: string;
  data?: { message_id?: string; chat_id?: string };
}

export interface MessageLimits {
  perRecipientPerSecond: number;
  perMessagePerSecond: number;
  perBotPerSecond: number;
  /** This process's share of each budget (1 / live instances); the budgets are Feishu's, per app. */
  share?: () => number;
}

export function createMessages(
  client: FeishuClient,
  limits: MessageLimits = { perRecipientPerSecond: 5, perMessagePerSecond: 5, perBotPerSecond: 50 },
): Messages {
  const share = limits.share;
  const rate = (perApp: number) => (share ? () => perApp * share() : perApp);
  const perBot = new KeyedRateLimiter(rate(limits.perBotPerSecond));
  const perRecipient = new KeyedRateLimiter(rate(limits.perRecipientPerSecond));
  const perMessage = new KeyedRateLimiter(rate(limits.perMessagePerSecond));
  const sent = (res: MessageResponse): SentMessage => ({
    messageId: res.data?.message_id ?? '',
    chatId: res.data?.chat_id,
  });

  return {
    async send(input) {
      const to = recipient(input.to);
      // Paced inside the call, after the token and before each attempt: a burst waiting on the first
      // token, or a retry, still leaves at the budget's pace.
      const res = await client.call<MessageResponse>('im.message.create', async (options) => {
        await perRecipient.acquire(`${to.type}:${to.id}`);
        await perBot.acquire('bot');
        return client.sdk.im.message.create(
          {
            params: { receive_id_type: to.type },
            data: { receive_id: to.id, ...content(input), uuid: messageUuid(input.key) },
          },
          options,
        );
      });
      return sent(res);
    },
    async reply(input) {
      const res = await client.call<MessageResponse>('im.message.reply', async (options) => {
        await (input.chatId
          ? perRecipient.acquire(`chat_id:${input.chatId}`)
          : perMessage.acquire(`reply:${input.messageId}`));
        await perBot.acquire('bot');
        return client.sdk.im.message.reply(
          {
            path: { message_id: input.messageId },
            data: { ...content(input), uuid: messageUuid(input.key), reply_in_thread: input.inThread ?? false },
          },
          options,
        );
      });
      return sent(res);
    },
    async updateCard(input) {
      await client.call('im.message.patch', async (options) => {
        await perMessage.acquire(`patch:${input.messageId}`);
        return client.sdk.im.message.patch(
          { path: { message_id: input.messageId }, data: { content: JSON.stringify(input.card) } },
          options,
        );
      });
    },
    async delayedUpdate(input) {
      await client.request('interactive.card.update', {
        method: 'POST',
        url: '/open-apis/interactive/v1/card/update',
        data: { token: input.token, card: input.card },
      });
    },
  };
}
