import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxContext, SendAttempt } from '../context.js';
import { newId } from '../ids.js';
import {
  checkContent,
  imError,
  limitChat,
  messageForUuid,
  resolveReceiver,
  storeMessage,
  toApiMessage,
} from '../im/messages.js';
import { OpenApiError, parseWith, rateLimited } from './errors.js';

const SendBody = z.object({
  receive_id: z.string().min(1),
  msg_type: z.string().min(1),
  content: z.string(),
  uuid: z.string().max(50).optional(),
});
const ReplyBody = z.object({
  msg_type: z.string().min(1),
  content: z.string(),
  reply_in_thread: z.boolean().optional(),
  uuid: z.string().max(50).optional(),
});
const PatchBody = z.object({ content: z.string() });
const ReceiveQuery = z.object({ receive_id_type: z.string().default('open_id') });
const MessagePath = z.object({ message_id: z.string() });
const PATCH_MAX_AGE_MS = 14 * 24 * 3600_000;

function isShared(card: Record<string, unknown>): boolean {
  return (card.config as { update_multi?: unknown } | undefined)?.update_multi === true;
}

// The raw send log keeps the latest attempts only (a long-running console must not grow without end).
const MAX_SEND_ATTEMPTS = 10_000;

export function imMessageRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const { data } = ctx.store;
  const ok = (payload: unknown) => ({ code: 0, msg: 'success', data: payload });
  /** Records one send attempt whatever its outcome; changes nothing Feishu-visible. */
  const attempt = (
    a: Omit<SendAttempt, 'at' | 'outcome' | 'message_id'>,
    send: () => { message: Parameters<typeof toApiMessage>[1]; repeat: boolean },
  ) => {
    const entry: SendAttempt = { at: ctx.now().getTime(), outcome: 'refused', ...a };
    ctx.sendAttempts.push(entry);
    if (ctx.sendAttempts.length > MAX_SEND_ATTEMPTS)
      ctx.sendAttempts.splice(0, ctx.sendAttempts.length - MAX_SEND_ATTEMPTS);
    const { message, repeat } = send();
    entry.outcome = repeat ? 'repeat' : 'stored';
    entry.message_id = message.message_id;
    return ok(toApiMessage(data, message));
  };

  app.post('/open-apis/im/v1/messages', async (request) => {
    const { receive_id_type } = parseWith(ReceiveQuery, request.query);
    const body = parseWith(SendBody, request.body);
    const raw = { via: 'create' as const, target: body.receive_id, msg_type: body.msg_type, content: body.content };
    return attempt({ ...raw, uuid: body.uuid }, () => {
      const repeat = messageForUuid(ctx, body.uuid);
      if (repeat) return { message: repeat, repeat: true };
      const chat = resolveReceiver(ctx, receive_id_type, body.receive_id);
      checkContent(body.msg_type, body.content);
      limitChat(ctx, chat);
      const message = storeMessage(ctx, {
        chat_id: chat.chat_id,
        msg_type: body.msg_type,
        content: body.content,
        sender: { kind: 'app' },
        mentions: [],
        ...(body.uuid ? { uuid: body.uuid } : {}),
      });
      return { message, repeat: false };
    });
  });

  app.post('/open-apis/im/v1/messages/:message_id/reply', async (request) => {
    const { message_id } = parseWith(MessagePath, request.params);
    const body = parseWith(ReplyBody, request.body);
    const raw = { via: 'reply' as const, target: message_id, msg_type: body.msg_type, content: body.content };
    return attempt({ ...raw, uuid: body.uuid }, () => {
      const repeat = messageForUuid(ctx, body.uuid);
      if (repeat) return { message: repeat, repeat: true };
      const parent = data.messages.find((m) => m.message_id === message_id && !m.deleted);
      if (!parent) throw imError('invalid message_id');
      const chat = data.chats.find((c) => c.chat_id === parent.chat_id)!;
      checkContent(body.msg_type, body.content);
      limitChat(ctx, chat);
      const threadId = parent.thread_id ?? (body.reply_in_thread ? newId.thread() : undefined);
      const message = storeMessage(ctx, {
        chat_id: chat.chat_id,
        msg_type: body.msg_type,
        content: body.content,
        sender: { kind: 'app' },
        mentions: [],
        root_id: parent.root_id ?? parent.message_id,
        parent_id: parent.message_id,
        ...(threadId ? { thread_id: threadId } : {}),
        ...(body.uuid ? { uuid: body.uuid } : {}),
      });
      return { message, repeat: false };
    });
  });

  // Any-time card update: shared cards only (config.update_multi before and after), ≤ 14 days, 5 QPS per message.
  app.patch('/open-apis/im/v1/messages/:message_id', async (request) => {
    const { message_id } = parseWith(MessagePath, request.params);
    const body = parseWith(PatchBody, request.body);
    const message = data.messages.find((m) => m.message_id === message_id && !m.deleted);
    if (!message) throw imError('invalid message_id');
    if (message.msg_type !== 'interactive' || message.sender.kind !== 'app')
      throw imError('only cards sent by this app can be updated');
    const card = checkContent('interactive', body.content);
    if (!isShared(JSON.parse(message.content) as Record<string, unknown>) || !isShared(card)) {
      throw imError('card is not shared, config.update_multi must be true before and after the update');
    }
    if (ctx.now().getTime() - message.create_time > PATCH_MAX_AGE_MS) throw imError('message older than 14 days');
    const wait = ctx.limiter.hit(`patch:${message_id}`, ctx.settings.limits.patchesPerMessage);
    if (wait !== undefined)
      throw rateLimited(
        ctx.settings.limits.patchesPerMessage,
        wait,
        230020,
        'This operation triggers the frequency limit.',
      );
    message.content = body.content;
    message.updated = true;
    message.update_time = ctx.now().getTime();
    ctx.store.touch({ kind: 'message', chatId: message.chat_id });
    return { code: 0, data: {}, msg: 'ok' };
  });

  app.get('/open-apis/im/v1/messages/:message_id', async (request) => {
    const { message_id } = parseWith(MessagePath, request.params);
    const message = data.messages.find((m) => m.message_id === message_id);
    if (!message) throw imError('invalid message_id');
    return ok({ items: [toApiMessage(data, message)] });
  });

  // Delayed update with the callback's token: valid 30 min, at most 2 uses (FEISHU.md §b.3).
  app.post('/open-apis/interactive/v1/card/update', async (request) => {
    const body = parseWith(
      z.object({ token: z.string().min(1), card: z.record(z.string(), z.unknown()) }),
      request.body,
    );
    const entry = data.cardTokens[body.token];
    if (!entry || entry.expiresAt <= ctx.now().getTime()) throw new OpenApiError(300030, 'token expired', 400);
    if (entry.uses >= 2) throw new OpenApiError(300040, 'token has been used more than twice', 400);
    const message = data.messages.find((m) => m.message_id === entry.message_id);
    if (!message) throw new OpenApiError(300030, 'token expired', 400);
    const content = JSON.stringify(body.card);
    checkContent('interactive', content);
    entry.uses += 1;
    message.content = content;
    message.updated = true;
    message.update_time = ctx.now().getTime();
    ctx.store.touch({ kind: 'message', chatId: message.chat_id });
    return { code: 0, msg: 'ok' };
  });
}
