/**
 * The port the core (and every module) sends chat messages through; src/feishu/messages.ts
 * implements it over the Feishu IM API. Every send carries an idempotency `key` (event or job id
 * + step), so a retried event or job never posts twice.
 */

/** A Feishu card JSON 2.0 object, ready to send. */
export type Card = Record<string, unknown>;

export type Recipient = { chatId: string } | { openId: string } | { userId: string } | { email: string };

export type MessageBody = { card: Card } | { text: string };

export interface SentMessage {
  messageId: string;
  chatId: string | undefined;
}

export interface Messenger {
  send(input: { to: Recipient; key: string } & MessageBody): Promise<SentMessage>;
  /** `chatId`, when known, puts the reply under the chat's 5 QPS budget. */
  reply(
    input: { messageId: string; key: string; inThread?: boolean; chatId?: string } & MessageBody,
  ): Promise<SentMessage>;
  /** PATCH a shared card in place (config.update_multi); 14-day window, 5 QPS per message. */
  updateCard(input: { messageId: string; card: Card }): Promise<void>;
  /** Delayed update with a card-callback token (valid 30 min, twice). */
  delayedUpdate(input: { token: string; card: Card }): Promise<void>;
}
