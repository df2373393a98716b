import { OpenApiError } from '../api/errors.js';
import { createRecords, deleteRecords, updateRecords } from '../bitable/records.js';
import { findTable } from '../bitable/tables.js';
import type { SandboxContext } from '../context.js';
import { deliverCardAction, type CardActionInput, type CardActionResult } from '../delivery/card-callback.js';
import { stableHex } from '../ids.js';
import { storeMessage } from '../im/messages.js';
import type { BitableRecord, SandboxMessage, SandboxUser } from '../state/types.js';

export interface UserMessageInput {
  userOpenId: string;
  chatId: string;
  text: string;
  /** In a group, the bot hears only messages that @-mention it. */
  mentionBot?: boolean;
}

const notFound = (what: string) => new OpenApiError(404, `${what} not found`, 404);

function requireUser(ctx: SandboxContext, openId: string): SandboxUser {
  const user = ctx.store.data.users.find((u) => u.open_id === openId);
  if (!user) throw notFound('user');
  return user;
}

/** What a person does in the console (or a test on their behalf): speak, click, edit. */
export function consoleActions(ctx: SandboxContext) {
  const { data } = ctx.store;
  const bot = () => ({ union_id: `on_${stableHex('bot-union', 32)}`, user_id: '', open_id: data.bot.open_id });

  function sendUserMessage(input: UserMessageInput): SandboxMessage {
    const user = requireUser(ctx, input.userOpenId);
    const chat = data.chats.find((c) => c.chat_id === input.chatId);
    if (!chat || !chat.members.includes(user.open_id)) throw notFound('chat');
    const botNames = [`@${data.bot.name}`, `@${data.bot.en_name}`, '@机器人', '@bot'];
    let text = input.text.trim();
    let mention = input.mentionBot === true;
    for (const name of botNames) {
      if (text.startsWith(name)) {
        mention = true;
        text = text.slice(name.length).trim();
      }
    }
    mention = mention && chat.chat_type === 'group';
    const content = JSON.stringify({ text: mention ? `@_user_1 ${text}` : text });
    const message = storeMessage(ctx, {
      chat_id: chat.chat_id, msg_type: 'text', content, sender: { kind: 'user', open_id: user.open_id },
      mentions: mention ? [{ key: '@_user_1', open_id: data.bot.open_id, name: data.bot.name }] : [],
    });
    if (chat.chat_type === 'p2p' || mention) {
      const tenant_key = data.tenant.tenant_key;
      ctx.deliverer.emit('im.message.receive_v1', {
        sender: { sender_id: { union_id: user.union_id, user_id: user.user_id, open_id: user.open_id }, sender_type: 'user', tenant_key },
        message: {
          message_id: message.message_id,
          create_time: String(message.create_time),
          update_time: String(message.update_time),
          chat_id: chat.chat_id,
          chat_type: chat.chat_type,
          message_type: 'text',
          content,
          ...(mention ? { mentions: [{ key: '@_user_1', id: bot(), mentioned_type: 'bot', name: data.bot.name, tenant_key }] } : {}),
          user_agent: 'Mozilla/5.0 Feishu-Sandbox-Console/1.0',
        },
      });
    }
    return message;
  }

  function clickCard(input: CardActionInput): Promise<CardActionResult> {
    requireUser(ctx, input.operatorOpenId);
    return deliverCardAction(ctx, input);
  }

  async function editRecord(userOpenId: string, appToken: string, tableId: string, recordId: string, fields: Record<string, unknown>): Promise<BitableRecord> {
    requireUser(ctx, userOpenId);
    const { app, table } = findTable(ctx, appToken, tableId);
    const writer = { kind: 'user' as const, open_id: userOpenId };
    const [record] = await ctx.locks.run(ctx, tableId, writer, () => updateRecords(ctx, app, table, [{ record_id: recordId, fields }], writer));
    return record!;
  }

  async function addRecord(userOpenId: string, appToken: string, tableId: string, fields: Record<string, unknown>): Promise<BitableRecord> {
    requireUser(ctx, userOpenId);
    const { app, table } = findTable(ctx, appToken, tableId);
    const writer = { kind: 'user' as const, open_id: userOpenId };
    const [record] = await ctx.locks.run(ctx, tableId, writer, () => createRecords(ctx, app, table, [fields], writer));
    return record!;
  }

  async function deleteRecord(userOpenId: string, appToken: string, tableId: string, recordId: string): Promise<void> {
    requireUser(ctx, userOpenId);
    const { app, table } = findTable(ctx, appToken, tableId);
    const writer = { kind: 'user' as const, open_id: userOpenId };
    await ctx.locks.run(ctx, tableId, writer, () => deleteRecords(ctx, app, table, [recordId], writer));
  }

  return { sendUserMessage, clickCard, editRecord, addRecord, deleteRecord };
}

export type ConsoleActions = ReturnType<typeof consoleActions>;
