import type { FeishuClient } from './client.js';
import { messageUuid } from './idempotency.js';
import { KeyedRateLimiter } from './rate-limit.js';

export type ReceiveIdType = 'open_id' | 'user_id' | 'union_id' | 'email' | 'chat_id';
export type Card = Record<string, unknown>;

export type Recipient = { chatId: string } | { openId: string } | { userId: string } | { email: string };

export type MessageBody = { card: Card } | { text: string };

export interface SentMessage {
  messageId: string;
  chatId: string | undefined;
}

/** Intent-named messaging; every send carries an idempotency `key` (event or job id + step). */
export interface Messages {
  send(input: { to: Recipient; key: string } & MessageBody): Promise<SentMessage>;
  /** `chatId`, when known, puts the reply under the chat's 5 QPS budget. */
  reply(input: { messageId: string; key: string; inThread?: boolean; chatId?: string } & MessageBody): Promise<SentMessage>;
  /** PATCH a shared card in place (config.update_multi); 14-day window, 5 QPS per message. */
  updateCard(input: { messageId: string; card: Card }): Promise<void>;
  /** Delayed update with a card-callback token (valid 30 min, twice). */
  delayedUpdate(input: { token: string; card: Card }): Promise<void>;
}

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

export function createMessages(client: FeishuClient, limits = { perRecipientPerSecond: 5, perMessagePerSecond: 5, perBotPerSecond: 50 }): Messages {
  const perBot = new KeyedRateLimiter(limits.perBotPerSecond);
  const perRecipient = new KeyedRateLimiter(limits.perRecipientPerSecond);
  const perMessage = new KeyedRateLimiter(limits.perMessagePerSecond);
  const sent = (res: MessageResponse): SentMessage => ({ messageId: res.data?.message_id ?? '', chatId: res.data?.chat_id });

  return {
    async send(input) {
      const to = recipient(input.to);
      await perRecipient.acquire(`${to.type}:${to.id}`);
      await perBot.acquire('bot');
      const res = await client.call<MessageResponse>('im.message.create', (options) =>
        client.sdk.im.message.create(
          { params: { receive_id_type: to.type }, data: { receive_id: to.id, ...content(input), uuid: messageUuid(input.key) } },
          options,
        ),
      );
      return sent(res);
    },
    async reply(input) {
      await (input.chatId ? perRecipient.acquire(`chat_id:${input.chatId}`) : perMessage.acquire(`reply:${input.messageId}`));
      await perBot.acquire('bot');
      const res = await client.call<MessageResponse>('im.message.reply', (options) =>
        client.sdk.im.message.reply(
          {
            path: { message_id: input.messageId },
            data: { ...content(input), uuid: messageUuid(input.key), reply_in_thread: input.inThread ?? false },
          },
          options,
        ),
      );
      return sent(res);
    },
    async updateCard(input) {
      await perMessage.acquire(`patch:${input.messageId}`);
      await client.call('im.message.patch', (options) =>
        client.sdk.im.message.patch({ path: { message_id: input.messageId }, data: { content: JSON.stringify(input.card) } }, options),
      );
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
