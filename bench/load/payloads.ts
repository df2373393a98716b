import { sealEvent } from '../../src/feishu/crypto.js';

export interface Credentials {
  appId: string;
  encryptKey: string;
  verificationToken: string;
}

export interface SealedBody {
  body: string;
  headers: Record<string, string>;
}

/** Encrypts and signs exactly as Feishu does (FEISHU.md §a.3, §a.4): the bytes sent are the bytes hashed. */
export function seal(envelope: unknown, c: Credentials, now = Date.now()): SealedBody {
  return sealEvent(envelope, c.encryptKey, new Date(now));
}

function header(c: Credentials, eventId: string, eventType: string) {
  return {
    event_id: eventId,
    token: c.verificationToken,
    create_time: String(Date.now()),
    event_type: eventType,
    tenant_key: 'bench-tenant',
    app_id: c.appId,
  };
}

/**
 * A direct message to the bot whose sealed body is about `bytes` long: the text is padded so the
 * encrypted envelope lands near the size of a real message event with a few lines of Chinese.
 */
export function messageEnvelope(c: Credentials, eventId: string, bytes: number) {
  const event = {
    sender: {
      sender_id: { open_id: 'ou_bench_sender', user_id: 'u_bench', union_id: 'on_bench' },
      sender_type: 'user',
      tenant_key: 'bench-tenant',
    },
    message: {
      message_id: `om_${eventId.slice(-24)}`,
      create_time: String(Date.now()),
      chat_id: 'oc_bench_p2p',
      chat_type: 'p2p',
      message_type: 'text',
      content: '',
      user_agent: 'Mozilla/5.0 Feishu-Bench/1.0',
    },
  };
  const skeleton = JSON.stringify({ schema: '2.0', header: header(c, eventId, 'im.message.receive_v1'), event }).length;
  // base64 grows by 4/3 and the IV adds 16 bytes; JSON.stringify of the content string adds escapes.
  const room = Math.max(16, Math.floor((bytes - 40) * 0.75) - skeleton - 40);
  event.message.content = JSON.stringify({ text: `帮助 ${'x'.repeat(room)}` });
  return { schema: '2.0', header: header(c, eventId, 'im.message.receive_v1'), event };
}

/** A button click on a bench card: `bench.flip` of ticket `ticket` by `operator`. */
export function cardEnvelope(c: Credentials, eventId: string, operator: string, ticket: number) {
  return {
    schema: '2.0',
    header: header(c, eventId, 'card.action.trigger'),
    event: {
      operator: { tenant_key: 'bench-tenant', open_id: operator, user_id: 'u_bench', union_id: 'on_bench' },
      token: `c-${eventId}`,
      action: { value: { action: 'bench.flip', ticket }, tag: 'button' },
      host: 'im_message',
      context: { open_message_id: `om_card_${ticket}`, open_chat_id: 'oc_bench_group' },
    },
  };
}

/** The 等待客户 / 继续处理 buttons of an exception case card (exceptions.act), clicked on the case card itself. */
export function caseActEnvelope(
  c: Credentials,
  eventId: string,
  operator: string,
  caseId: number,
  version: number,
  verb: 'wait_customer' | 'resume',
) {
  return {
    schema: '2.0',
    header: header(c, eventId, 'card.action.trigger'),
    event: {
      operator: { tenant_key: 'bench-tenant', open_id: operator, user_id: 'u_bench', union_id: 'on_bench' },
      token: `c-${eventId}`,
      action: { value: { action: 'exceptions.act', caseId, version, verb }, tag: 'button' },
      host: 'im_message',
      context: { open_message_id: `om_bench_case_${caseId}`, open_chat_id: 'oc_bench_group' },
    },
  };
}

/** One click on a workflow card: who clicks, the button's value as the card carries it, the form's fields if any. */
export interface Click {
  operator: string;
  value: Record<string, unknown>;
  messageId: string;
  formValue?: Record<string, unknown>;
}

/** A button click on any card (FEISHU.md §b.1, card.action.trigger): the button value, form values beside it. */
export function clickEnvelope(c: Credentials, eventId: string, click: Click) {
  return {
    schema: '2.0',
    header: header(c, eventId, 'card.action.trigger'),
    event: {
      operator: { tenant_key: 'bench-tenant', open_id: click.operator, user_id: 'u_bench', union_id: 'on_bench' },
      token: `c-${eventId}`,
      action: { value: click.value, tag: 'button', ...(click.formValue ? { form_value: click.formValue } : {}) },
      host: 'im_message',
      context: { open_message_id: click.messageId, open_chat_id: 'oc_bench_p2p' },
    },
  };
}
