import { readFields } from '../bitable/codec.js';
import { toApiField } from '../bitable/tables.js';
import { viewRecords } from '../bitable/views.js';
import type { BitableTable, SandboxChat, SandboxMessage, SandboxState } from '../state/types.js';

/** Shapes the console page reads; kept apart from the Open API shapes on purpose. */

function preview(m: SandboxMessage): string {
  try {
    const content = JSON.parse(m.content) as {
      text?: string;
      header?: { title?: { content?: string } };
      title?: string;
    };
    if (m.msg_type === 'text') return (content.text ?? '').replace(/@_user_\d+/g, '@').slice(0, 60);
    if (m.msg_type === 'interactive') return `[卡片 Card] ${content.header?.title?.content ?? ''}`;
    return `[${m.msg_type}]`;
  } catch {
    return `[${m.msg_type}]`;
  }
}

export function chatView(state: SandboxState, chat: SandboxChat) {
  let last: SandboxMessage | undefined;
  for (const m of state.messages) if (m.chat_id === chat.chat_id) last = m;
  return {
    chat_id: chat.chat_id,
    chat_type: chat.chat_type,
    name: chat.chat_type === 'p2p' ? state.bot.name : chat.name,
    description: chat.chat_type === 'p2p' ? '机器人单聊 Direct chat with the bot' : chat.description,
    member_count: chat.members.length + 1,
    last: last ? { text: preview(last), at: last.create_time, from_bot: last.sender.kind === 'app' } : null,
  };
}

export function messageView(state: SandboxState, m: SandboxMessage) {
  const user =
    m.sender.kind === 'user'
      ? state.users.find((u) => u.open_id === (m.sender as { open_id: string }).open_id)
      : undefined;
  let content: unknown;
  try {
    content = JSON.parse(m.content);
  } catch {
    content = { text: m.content };
  }
  return {
    message_id: m.message_id,
    msg_type: m.msg_type,
    content,
    mentions: m.mentions,
    sender:
      m.sender.kind === 'app'
        ? { kind: 'bot', name: state.bot.name, open_id: state.bot.open_id }
        : { kind: 'user', name: user?.name ?? '?', open_id: user?.open_id ?? '' },
    create_time: m.create_time,
    updated: m.updated,
    parent_id: m.parent_id ?? null,
  };
}

/** A table as one of its views shows it (the first view when none is named): filtered rows, hidden fields. */
export function tableView(state: SandboxState, table: BitableTable, viewId?: string, now = Date.now()) {
  const view = table.views.find((v) => v.view_id === viewId) ?? table.views[0];
  const { records, hidden } = viewRecords(table, view, now);
  return {
    table_id: table.table_id,
    name: table.name,
    view_id: view?.view_id ?? null,
    views: table.views.map((v) => ({
      view_id: v.view_id,
      view_name: v.view_name,
      view_type: v.view_type,
      filtered: Boolean(v.property?.filter_info?.conditions.length),
    })),
    hidden_fields: hidden,
    fields: table.fields.map(toApiField),
    records: records.map((r) => {
      const raw: Record<string, unknown> = {};
      for (const f of table.fields) if (r.fields[f.field_id] !== undefined) raw[f.field_name] = r.fields[f.field_id];
      return {
        record_id: r.record_id,
        fields: readFields(table.fields, r, state),
        raw,
        last_modified_time: r.last_modified_time,
      };
    }),
  };
}

/** A card the bot sent to one person that has buttons: that person has a step to take. */
function waitsOnButton(m: SandboxMessage): boolean {
  return m.sender.kind === 'app' && m.msg_type === 'interactive' && !m.deleted && m.content.includes('"button"');
}

/**
 * Whom to act as next: the people (not `user`) who most recently got a card with buttons in their
 * chat with the bot (an approval, an escalation, a scoring card), newest first, one entry each.
 */
export function nextStepsView(state: SandboxState, user: string, limit = 3) {
  const seen = new Set<string>([user]);
  const out: Array<{ open_id: string; name: string; title: string; card: string; at: number }> = [];
  for (let i = state.messages.length - 1; i >= 0 && out.length < limit; i--) {
    const m = state.messages[i]!;
    if (!waitsOnButton(m)) continue;
    const chat = state.chats.find((c) => c.chat_id === m.chat_id);
    const person = chat?.chat_type === 'p2p' ? chat.p2p_user : undefined;
    if (!person || seen.has(person)) continue;
    seen.add(person);
    const u = state.users.find((x) => x.open_id === person);
    if (!u) continue;
    out.push({ open_id: u.open_id, name: u.name, title: u.job_title, card: preview(m), at: m.create_time });
  }
  return out;
}
