import { randomUUID } from 'node:crypto';
import { sealEvent } from '../../src/feishu/crypto.js';
import { secrets } from './app.js';

export interface SignedRequest {
  payload: string;
  headers: Record<string, string>;
}

/** Encrypts and signs a body exactly as Feishu does (FEISHU.md §a.3, §a.4). */
export function signed(
  body: unknown,
  options: { encryptKey?: string; timestamp?: number; nonce?: string } = {},
): SignedRequest {
  const at = options.timestamp === undefined ? new Date() : new Date(options.timestamp * 1000);
  const sealed = sealEvent(body, options.encryptKey ?? secrets.encryptKey, at, options.nonce);
  return { payload: sealed.body, headers: sealed.headers };
}

export function envelope(eventType: string, event: Record<string, unknown>, eventId = randomUUID().replace(/-/g, '')) {
  return {
    schema: '2.0',
    header: {
      event_id: eventId,
      token: secrets.verificationToken,
      create_time: String(Date.now()),
      event_type: eventType,
      tenant_key: 'tenant-test',
      app_id: secrets.appId,
    },
    event,
  };
}

export function messageEvent(
  text: string,
  options: {
    chatType?: 'p2p' | 'group';
    eventId?: string;
    openId?: string;
    mention?: boolean;
    messageId?: string;
    parentId?: string;
  } = {},
) {
  const chatType = options.chatType ?? 'p2p';
  const mention = options.mention ?? chatType === 'group';
  return envelope(
    'im.message.receive_v1',
    {
      sender: {
        sender_id: { open_id: options.openId ?? 'ou_sender', user_id: 'u_sender', union_id: 'on_sender' },
        sender_type: 'user',
        tenant_key: 'tenant-test',
      },
      message: {
        message_id: options.messageId ?? `om_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
        ...(options.parentId ? { parent_id: options.parentId, root_id: options.parentId } : {}),
        create_time: String(Date.now()),
        chat_id: chatType === 'p2p' ? 'oc_p2p_chat' : 'oc_group_chat',
        chat_type: chatType,
        message_type: 'text',
        content: JSON.stringify({ text: mention ? `@_user_1 ${text}` : text }),
        mentions: mention
          ? [{ key: '@_user_1', id: { open_id: 'ou_bot' }, name: 'feishu-ops', tenant_key: 'tenant-test' }]
          : [],
      },
    },
    options.eventId,
  );
}

export function cardAction(
  value: unknown,
  options: { openId?: string; eventId?: string; formValue?: Record<string, unknown>; messageId?: string } = {},
) {
  return envelope(
    'card.action.trigger',
    {
      operator: {
        tenant_key: 'tenant-test',
        open_id: options.openId ?? 'ou_operator',
        user_id: 'u_operator',
        union_id: 'on_operator',
      },
      token: 'c-card-update-token',
      action: { value, tag: 'button', ...(options.formValue ? { form_value: options.formValue } : {}) },
      host: 'im_message',
      context: { open_message_id: options.messageId ?? 'om_card_message', open_chat_id: 'oc_group_chat' },
    },
    options.eventId,
  );
}
