import type { SandboxContext } from '../context.js';
import { newId } from '../ids.js';
import { OpenApiError, rateLimited } from '../api/errors.js';
import type { SandboxChat, SandboxMessage, SandboxState, SandboxUser } from '../state/types.js';

const MSG_TYPES = [
  'text',
  'post',
  'image',
  'file',
  'audio',
  'media',
  'sticker',
  'interactive',
  'share_chat',
  'share_user',
  'system',
];
const UUID_WINDOW_MS = 60 * 60_000;
const KB = 1024;

export const imError = (ext: string) =>
  new OpenApiError(230001, `Your request contains an invalid request parameter, ext=${ext}.`, 400);

export function findUser(state: SandboxState, idType: string, id: string): SandboxUser | undefined {
  return state.users.find((u) => {
    switch (idType) {
      case 'open_id':
        return u.open_id === id;
      case 'user_id':
        return u.user_id === id;
      case 'union_id':
        return u.union_id === id;
      case 'email':
        return u.email === id;
      default:
        return false;
    }
  });
}

/** The bot's p2p chat with a user, created on first use as Feishu does. */
export function p2pChat(ctx: SandboxContext, user: SandboxUser): SandboxChat {
  const existing = ctx.store.data.chats.find((c) => c.chat_type === 'p2p' && c.p2p_user === user.open_id);
  if (existing) return existing;
  const chat: SandboxChat = {
    chat_id: newId.chat(),
    chat_type: 'p2p',
    name: '',
    description: '',
    owner_open_id: user.open_id,
    members: [user.open_id],
    p2p_user: user.open_id,
    create_time: ctx.now().getTime(),
  };
  ctx.store.data.chats.push(chat);
  ctx.store.touch({ kind: 'chat', chatId: chat.chat_id });
  return chat;
}

export function resolveReceiver(ctx: SandboxContext, idType: string, id: string): SandboxChat {
  if (!['open_id', 'user_id', 'union_id', 'email', 'chat_id'].includes(idType))
    throw imError('invalid receive_id_type');
  if (idType === 'chat_id') {
    const chat = ctx.store.data.chats.find((c) => c.chat_id === id);
    if (!chat) throw imError('invalid receive_id');
    return chat;
  }
  const user = findUser(ctx.store.data, idType, id);
  if (!user) throw new OpenApiError(230013, 'Bot has NO availability to this user.', 400);
  return p2pChat(ctx, user);
}

/** Content is a JSON string; cards and posts ≤ 30 KB, text ≤ 150 KB (FEISHU.md §c). */
export function checkContent(msgType: string, content: string): Record<string, unknown> {
  if (!MSG_TYPES.includes(msgType)) throw imError('invalid msg_type');
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw imError('invalid message content');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw imError('invalid message content');
  const limit = msgType === 'text' ? 150 * KB : 30 * KB;
  if (Buffer.byteLength(content, 'utf8') > limit)
    throw new OpenApiError(230025, 'The message content length exceeds the limit.', 400);
  if (msgType === 'text' && typeof (parsed as { text?: unknown }).text !== 'string')
    throw imError('text content needs a text field');
  return parsed as Record<string, unknown>;
}

export function limitChat(ctx: SandboxContext, chat: SandboxChat): void {
  const wait = ctx.limiter.hit(`im:${chat.chat_id}`, ctx.settings.limits.messagesPerTarget);
  if (wait !== undefined) throw rateLimited(ctx.settings.limits.messagesPerTarget, wait);
}

/** A uuid seen within the hour returns the first message instead of sending another. */
export function messageForUuid(ctx: SandboxContext, uuid: string | undefined): SandboxMessage | undefined {
  if (!uuid) return undefined;
  const seen = ctx.store.data.uuids[uuid];
  if (!seen || ctx.now().getTime() - seen.at > UUID_WINDOW_MS) return undefined;
  return ctx.store.data.messages.find((m) => m.message_id === seen.message_id);
}

export function storeMessage(
  ctx: SandboxContext,
  message: Omit<SandboxMessage, 'message_id' | 'create_time' | 'update_time' | 'updated' | 'deleted'>,
): SandboxMessage {
  const at = ctx.now().getTime();
  const stored: SandboxMessage = {
    message_id: newId.message(),
    create_time: at,
    update_time: at,
    updated: false,
    deleted: false,
    ...message,
  };
  ctx.store.data.messages.push(stored);
  if (message.uuid) ctx.store.data.uuids[message.uuid] = { message_id: stored.message_id, at };
  pruneUuids(ctx, at);
  ctx.store.touch({ kind: 'message', chatId: stored.chat_id });
  return stored;
}

function pruneUuids(ctx: SandboxContext, at: number): void {
  for (const [uuid, seen] of Object.entries(ctx.store.data.uuids))
    if (at - seen.at > UUID_WINDOW_MS) delete ctx.store.data.uuids[uuid];
}

/** The message object of the Open API responses (shape of im.message.create.response.json). */
export function toApiMessage(state: SandboxState, m: SandboxMessage): Record<string, unknown> {
  const sender =
    m.sender.kind === 'app'
      ? { id: state.credentials.appId, id_type: 'app_id', sender_type: 'app', tenant_key: state.tenant.tenant_key }
      : { id: m.sender.open_id, id_type: 'open_id', sender_type: 'user', tenant_key: state.tenant.tenant_key };
  return {
    message_id: m.message_id,
    ...(m.root_id ? { root_id: m.root_id } : {}),
    ...(m.parent_id ? { parent_id: m.parent_id } : {}),
    ...(m.thread_id ? { thread_id: m.thread_id } : {}),
    msg_type: m.msg_type,
    create_time: String(m.create_time),
    update_time: String(m.update_time),
    deleted: m.deleted,
    updated: m.updated,
    chat_id: m.chat_id,
    sender,
    body: { content: m.content },
    ...(m.mentions.length > 0
      ? {
          mentions: m.mentions.map((x) => ({
            key: x.key,
            id: x.open_id,
            id_type: 'open_id',
            name: x.name,
            tenant_key: state.tenant.tenant_key,
          })),
        }
      : {}),
    ...(m.parent_id ? { upper_message_id: m.parent_id } : {}),
  };
}
