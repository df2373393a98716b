import { OpenApiError } from '../api/errors.js';
import { createRecords, deleteRecords, updateRecords } from '../bitable/records.js';
import { findTable } from '../bitable/tables.js';
import type { SandboxContext } from '../context.js';
import { deliverCardAction, type CardActionInput, type CardActionResult } from '../delivery/card-callback.js';
import { stableHex } from '../ids.js';
import { storeMessage } from '../im/messages.js';
import { helpdeskActions } from './helpdesk.js';
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
      chat_id: chat.chat_id,
      msg_type: 'text',
      content,
      sender: { kind: 'user', open_id: user.open_id },
      mentions: mention ? [{ key: '@_user_1', open_id: data.bot.open_id, name: data.bot.name }] : [],
    });
    // A group's other messages reach the bot only with the read-all scope (im:message.group_msg, FEISHU.md §m.4).
    if (chat.chat_type === 'p2p' || mention || ctx.settings.groupMessages === 'all') {
      const tenant_key = data.tenant.tenant_key;
      ctx.deliverer.emit('im.message.receive_v1', {
        sender: {
          sender_id: { union_id: user.union_id, user_id: user.user_id, open_id: user.open_id },
          sender_type: 'user',
          tenant_key,
        },
        message: {
          message_id: message.message_id,
          create_time: String(message.create_time),
          update_time: String(message.update_time),
          chat_id: chat.chat_id,
          chat_type: chat.chat_type,
          message_type: 'text',
          content,
          ...(mention
            ? { mentions: [{ key: '@_user_1', id: bot(), mentioned_type: 'bot', name: data.bot.name, tenant_key }] }
            : {}),
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

  async function editRecord(
    userOpenId: string,
    appToken: string,
    tableId: string,
    recordId: string,
    fields: Record<string, unknown>,
  ): Promise<BitableRecord> {
    requireUser(ctx, userOpenId);
    const { app, table } = findTable(ctx, appToken, tableId);
    const writer = { kind: 'user' as const, open_id: userOpenId };
    const [record] = await ctx.locks.run(ctx, tableId, writer, () =>
      updateRecords(ctx, app, table, [{ record_id: recordId, fields }], writer),
    );
    return record!;
  }

  async function addRecord(
    userOpenId: string,
    appToken: string,
    tableId: string,
    fields: Record<string, unknown>,
  ): Promise<BitableRecord> {
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

  /**
   * A person makes a new group with the bot in it: Feishu then sends `im.chat.member.bot.added_v1`
   * with the chat and the operator, no `users` (shape from FEISHU.md §m.4 / the SDK's events template).
   */
  function addBotToNewGroup(input: { operatorOpenId: string; name: string; members: string[] }) {
    const user = requireUser(ctx, input.operatorOpenId);
    const chat = {
      chat_id: `oc_${stableHex(`group:${input.name}:${data.chats.length}`, 32)}`,
      chat_type: 'group' as const,
      name: input.name,
      description: '',
      owner_open_id: user.open_id,
      members: [...new Set([user.open_id, ...input.members])],
      create_time: Date.now(),
    };
    data.chats.push(chat);
    ctx.deliverer.emit('im.chat.member.bot.added_v1', {
      chat_id: chat.chat_id,
      operator_id: { union_id: user.union_id, user_id: user.user_id, open_id: user.open_id },
      external: false,
      operator_tenant_key: data.tenant.tenant_key,
      name: chat.name,
      i18n_names: { zh_cn: chat.name, en_us: '', ja_jp: '' },
    });
    return chat;
  }

  /**
   * People join, leave or have their invitation withdrawn: Feishu sends `im.chat.member.user.added_v1`,
   * `…deleted_v1` (left or removed) or `…withdrawn_v1` to the bots in the group, one event for all the
   * users of one action (FEISHU.md §m.4; fields as the SDK's IHandles types list them).
   */
  function changeGroupMembers(input: {
    change: 'added' | 'deleted' | 'withdrawn';
    operatorOpenId: string;
    chatId: string;
    userOpenIds: string[];
  }) {
    const operator = requireUser(ctx, input.operatorOpenId);
    const chat = data.chats.find((c) => c.chat_id === input.chatId && c.chat_type === 'group');
    if (!chat) throw notFound('chat');
    const users = input.userOpenIds.map((id) => requireUser(ctx, id));
    const ids = new Set(users.map((u) => u.open_id));
    chat.members =
      input.change === 'added' ? [...new Set([...chat.members, ...ids])] : chat.members.filter((m) => !ids.has(m));
    ctx.store.touch({ kind: 'chat', chatId: chat.chat_id });
    const tenant_key = data.tenant.tenant_key;
    ctx.deliverer.emit(`im.chat.member.user.${input.change}_v1`, {
      chat_id: chat.chat_id,
      operator_id: { union_id: operator.union_id, user_id: operator.user_id, open_id: operator.open_id },
      external: false,
      operator_tenant_key: tenant_key,
      users: users.map((u) => ({
        name: u.name,
        tenant_key,
        user_id: { union_id: u.union_id, user_id: u.user_id, open_id: u.open_id },
      })),
      name: chat.name,
      i18n_names: { zh_cn: chat.name, en_us: '', ja_jp: '' },
    });
    return chat;
  }

  return {
    sendUserMessage,
    clickCard,
    editRecord,
    addRecord,
    deleteRecord,
    addBotToNewGroup,
    changeGroupMembers,
    ...helpdeskActions(ctx),
  };
}

export type ConsoleActions = ReturnType<typeof consoleActions>;
