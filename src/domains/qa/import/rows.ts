import { fromZonedParts } from '../../../core/zoned-time.js';
import { LIMITS } from '../values.js';

/**
 * One line of an import file: a message with its conversation's fields (CSV, or a flat JSON line).
 * The conversation fields may be blank on every line after its first.
 */
export interface MessageLine {
  line: number;
  channel: string;
  externalId: string;
  shop?: string;
  agent?: string;
  csat?: unknown;
  orderIds?: string[];
  tags?: string[];
  url?: string;
  role?: string;
  at?: string;
  sender?: string;
  text?: string;
}

// Column names accepted (case-insensitive): the API's, snake_case and the usual Chinese headers.
const ALIASES: Record<string, keyof Omit<MessageLine, 'line'>> = {
  channel: 'channel',
  渠道: 'channel',
  externalid: 'externalId',
  external_id: 'externalId',
  conversation_id: 'externalId',
  会话id: 'externalId',
  会话编号: 'externalId',
  shop: 'shop',
  店铺: 'shop',
  agent: 'agent',
  客服: 'agent',
  csat: 'csat',
  满意度: 'csat',
  orderids: 'orderIds',
  order_ids: 'orderIds',
  订单号: 'orderIds',
  tags: 'tags',
  标签: 'tags',
  url: 'url',
  链接: 'url',
  role: 'role',
  角色: 'role',
  at: 'at',
  time: 'at',
  时间: 'at',
  sender: 'sender',
  发送人: 'sender',
  text: 'text',
  内容: 'text',
  消息: 'text',
};

const ROLE_ALIASES: Record<string, string> = {
  客户: 'customer',
  买家: 'customer',
  顾客: 'customer',
  客服: 'agent',
  店员: 'agent',
  系统: 'system',
};

const list = (v: unknown): string[] | undefined => {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  return v
    .split(/[|;，,、]/)
    .map((s) => s.trim())
    .filter(Boolean);
};
const str = (v: unknown): string | undefined =>
  v === null || v === undefined || (typeof v === 'string' && v.trim() === '') ? undefined : String(v).trim();

const WALL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A time as the API takes it. Exports often write local time without an offset
 * (`2026-11-20 10:00:05`): read in the business time zone. Anything else is passed on as written
 * for the API's check to accept or refuse.
 */
export function instantOf(v: string | undefined, timeZone: string): string | undefined {
  const m = v ? WALL.exec(v) : null;
  if (!m) return v;
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const s = m[6] === undefined ? 0 : Number(m[6]);
  // No rolling over: 2026-02-30 or 25:00 is passed on as written, for the check to refuse.
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return v;
  return fromZonedParts(timeZone, y, mo, d, h, mi, s).toISOString();
}

/** A CSV record or a flat JSON object as a message line: aliases resolved, lists split, role names mapped. */
export function messageLine(line: number, record: Record<string, unknown>, timeZone: string): MessageLine {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    const key = ALIASES[k.trim().toLowerCase()];
    if (key) out[key] = v;
  }
  const role = str(out.role);
  const csat = str(out.csat);
  return {
    line,
    channel: str(out.channel) ?? '',
    externalId: str(out.externalId) ?? '',
    shop: str(out.shop),
    agent: str(out.agent),
    csat: csat === undefined ? undefined : /^\d+$/.test(csat) ? Number(csat) : csat,
    orderIds: list(out.orderIds),
    tags: list(out.tags),
    url: str(out.url),
    role: role ? (ROLE_ALIASES[role] ?? role.toLowerCase()) : undefined,
    at: instantOf(str(out.at), timeZone),
    sender: str(out.sender),
    // Message text is kept as written (a blank message is allowed, as in the API).
    text: out.text === undefined || out.text === null ? undefined : String(out.text),
  };
}

/** The lines of one conversation, gathered while they arrive one after another. */
export interface Group {
  key: string;
  first: number;
  last: number;
  /** The conversation as the API body has it (for its check), its messages' lines beside it. */
  body: Record<string, unknown> & { messages: unknown[] };
  lines: number[];
  /** Lines beyond the API's message limit are counted, not kept (the conversation is refused). */
  dropped: number;
}

export const keyOf = (l: Pick<MessageLine, 'channel' | 'externalId'>) => `${l.channel}\u0000${l.externalId}`;

export function startGroup(l: MessageLine): Group {
  return {
    key: keyOf(l),
    first: l.line,
    last: l.line,
    body: { channel: l.channel, externalId: l.externalId, messages: [] },
    lines: [],
    dropped: 0,
  };
}

/** Adds a line: conversation fields fill in where still blank; the message joins the list. */
export function addLine(g: Group, l: MessageLine): void {
  g.last = l.line;
  for (const k of ['shop', 'agent', 'csat', 'orderIds', 'tags', 'url'] as const)
    if (g.body[k] === undefined && l[k] !== undefined) g.body[k] = l[k];
  if (g.body.messages.length >= LIMITS.messages) {
    g.dropped++;
    return;
  }
  g.body.messages.push({ role: l.role, at: l.at, text: l.text ?? '', ...(l.sender ? { sender: l.sender } : {}) });
  g.lines.push(l.line);
}

/** A whole-conversation JSON line (the API's shape) as a group of one line. */
export function groupOfConversation(line: number, o: Record<string, unknown>, timeZone: string): Group {
  const messages = Array.isArray(o.messages) ? (o.messages as unknown[]) : [];
  const body = {
    ...o,
    messages: messages.map((m) =>
      m && typeof m === 'object' && typeof (m as { at?: unknown }).at === 'string'
        ? { ...m, at: instantOf((m as { at: string }).at, timeZone) }
        : m,
    ),
  };
  return {
    key: keyOf({ channel: String(o.channel ?? ''), externalId: String(o.externalId ?? '') }),
    first: line,
    last: line,
    body,
    lines: messages.map(() => line),
    dropped: 0,
  };
}
