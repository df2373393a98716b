import { z } from 'zod';

/** What a bound Feishu group tells us, as stored in community_chat_facts. */
export const CHAT_FACT_KINDS = ['baseline', 'joined', 'left', 'message'] as const;
export type ChatFactKind = (typeof CHAT_FACT_KINDS)[number];

export const MEMBER_EVENTS = {
  added: 'im.chat.member.user.added_v1',
  deleted: 'im.chat.member.user.deleted_v1',
  withdrawn: 'im.chat.member.user.withdrawn_v1',
} as const;

/** One fact about one community chat, before it is tied to a community. */
export interface ChatFact {
  key: string;
  chatId: string;
  kind: ChatFactKind;
  openId: string | null;
  members: number;
  eventId: string;
  /** When it happened (epoch ms): the event's create_time, else the time we handle it. */
  at: number;
}

const UserId = z.object({ open_id: z.string().min(1).optional() }).passthrough();

/**
 * The `event` of the three member events, as FEISHU.md §m.4 and the SDK's types
 * (types/index.d.ts, IHandles "im.chat.member.user.added_v1" …) give it:
 * `{chat_id, operator_id{union_id,user_id,open_id}, external, operator_tenant_key,
 *   users[{name, tenant_key, user_id{union_id,user_id,open_id}}], name, i18n_names}`.
 */
const MemberEvent = z.object({
  chat_id: z.string().min(1),
  users: z.array(z.object({ user_id: UserId.optional() }).passthrough()).default([]),
});

/** The parts of im.message.receive_v1 counted (FEISHU.md §c; feishu-samples/im.message.receive_v1.group_mention). */
const MessageEvent = z.object({
  sender: z.object({ sender_id: UserId.optional(), sender_type: z.string().optional() }).passthrough(),
  message: z
    .object({
      message_id: z.string().min(1),
      chat_id: z.string().min(1),
      chat_type: z.string(),
      create_time: z.string().optional(),
    })
    .passthrough(),
});

const epochMs = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && /^\d{10,16}$/.test(v) ? Number(v) : undefined;
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
};

/**
 * Facts from a member event: one per user. `deleted_v1` is a person leaving or being removed;
 * `withdrawn_v1` is an invitation withdrawn (群内「撤销邀请」) — the invited users are no longer in the
 * group, so it counts as leaving. UNCONFIRMED: that Feishu sent `added_v1` for those users before the
 * withdrawal (the docs do not say); if it did not, members total undercounts by them. A user without an
 * open_id (another tenant's, say) still counts, keyed by position in the event.
 */
export function memberFacts(
  eventType: string,
  eventId: string,
  event: unknown,
  header: Record<string, unknown>,
  now: number,
): ChatFact[] {
  const parsed = MemberEvent.safeParse(event);
  if (!parsed.success) return [];
  const joined = eventType === MEMBER_EVENTS.added;
  // header.create_time is the event's time in ms (FEISHU.md §a.1).
  const at = epochMs(header.create_time) ?? now;
  return parsed.data.users.map((u, i) => {
    const openId = u.user_id?.open_id ?? null;
    return {
      key: `${eventId}:${openId ?? `#${i}`}`,
      chatId: parsed.data.chat_id,
      kind: joined ? 'joined' : 'left',
      openId,
      members: joined ? 1 : -1,
      eventId,
      at,
    };
  });
}

/**
 * A group message from a person (never a bot's: sender_type 'user' only; the bot's own messages are
 * not pushed, FEISHU.md §m.4). Counting every group message needs the `im:message.group_msg` scope;
 * without it Feishu pushes only messages that @-mention the bot, and the counts are those.
 */
export function messageFact(eventId: string, event: unknown, now: number): ChatFact | undefined {
  const parsed = MessageEvent.safeParse(event);
  if (!parsed.success) return undefined;
  const { sender, message } = parsed.data;
  if (message.chat_type !== 'group' || (sender.sender_type && sender.sender_type !== 'user')) return undefined;
  return {
    key: `msg:${message.message_id}`,
    chatId: message.chat_id,
    kind: 'message',
    openId: sender.sender_id?.open_id ?? null,
    members: 0,
    eventId,
    at: epochMs(message.create_time) ?? now,
  };
}
