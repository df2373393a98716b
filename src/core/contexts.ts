import type { Logger } from './logger.js';
import type { Card, MessageBody, SentMessage } from './messenger.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface UserRef {
  openId: string;
  userId?: string | undefined;
  unionId?: string | undefined;
}

/** One stored event being worked on from the queue. */
export interface EventContext<E = Record<string, unknown>> {
  eventId: string;
  eventType: string;
  /** The `event` part of the v2 envelope (v1: the whole body). */
  event: E;
  header: Record<string, unknown>;
  attempt: number;
  log: Logger;
  now: Date;
  /** Idempotency key for the n-th outbound effect of this event. */
  key(step: string): string;
}

export interface CommandContext extends EventContext {
  /** The command word as typed (normalised), e.g. "help". */
  command: string;
  /** Text after the command word. */
  args: string;
  /** The whole message text with mentions stripped. */
  text: string;
  sender: UserRef;
  chat: { id: string; type: 'p2p' | 'group' | string };
  messageId: string;
  /** The message this one quotes (a reply to a bot card, say); undefined for a fresh message. */
  parentMessageId: string | undefined;
  /** The first message of the reply chain or thread, when there is one. */
  rootMessageId: string | undefined;
  /**
   * Answer in the conversation; `step` names the reply so a retry reuses its key. Resolves to the sent message
   * (its `messageId` from Feishu's answer, `data.message_id`), e.g. to update that card in place later.
   */
  reply(body: MessageBody, step?: string): Promise<SentMessage>;
}

export interface CardActionContext<V> {
  eventId: string;
  action: string;
  value: V;
  formValue: Record<string, unknown>;
  inputValue: string | undefined;
  option: string | undefined;
  operator: UserRef;
  messageId: string | undefined;
  chatId: string | undefined;
  /** Card-update token (valid 30 min, twice). */
  token: string | undefined;
  log: Logger;
  now: Date;
}

export interface Toast {
  type: 'info' | 'success' | 'error' | 'warning';
  content: string;
}

export interface CardActionResult {
  toast?: Toast;
  card?: Card;
}

export interface JobContext {
  jobId: string;
  attempt: number;
  log: Logger;
  now: Date;
  key(step: string): string;
}
