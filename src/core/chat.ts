import { z } from 'zod';
import { normaliseCommand, type CommandEntry } from './registry.js';
import { storableText } from './text.js';

/** The parts of `im.message.receive_v1` the router uses (FEISHU.md §c). */
export const MessageEvent = z.object({
  sender: z.object({
    sender_id: z
      .object({ open_id: z.string(), user_id: z.string().optional(), union_id: z.string().optional() })
      .partial()
      .optional(),
    sender_type: z.string().optional(),
  }),
  message: z.object({
    message_id: z.string(),
    /** Set when the message answers another one (a quoted reply); `root_id` is the thread's first. */
    // Absent, empty or malformed all mean "not a reply": never a reason to drop the message.
    parent_id: z.string().optional().catch(undefined),
    root_id: z.string().optional().catch(undefined),
    chat_id: z.string(),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    mentions: z
      .array(
        z.object({
          key: z.string(),
          name: z.string().optional(),
          id: z.object({ open_id: z.string().optional() }).partial().optional(),
        }),
      )
      .optional(),
  }),
});
export type MessageEvent = z.infer<typeof MessageEvent>;

/** Plain text of a text or post message, with every @mention placeholder removed. */
export function messageText(message: MessageEvent['message']): string | undefined {
  let content: unknown;
  try {
    content = JSON.parse(message.content);
  } catch {
    return undefined;
  }
  // Valid JSON is not always an object ("null", "42"): such content has no text, it is not an error.
  if (!content || typeof content !== 'object') return undefined;
  let text: string | undefined;
  if (message.message_type === 'text') {
    text = typeof (content as { text?: unknown }).text === 'string' ? (content as { text: string }).text : undefined;
  } else if (message.message_type === 'post') {
    text = postText(content);
  }
  if (text === undefined) return undefined;
  // The content is JSON inside the event: its `\u0000` escapes become real NULs only here.
  return storableText(text)
    .replace(/@_user_\d+/g, ' ')
    .replace(/@_all/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function postText(content: unknown): string | undefined {
  // A post is {title, content: [[{tag:"text", text}, {tag:"at"}...], ...]}, possibly per locale.
  const body = (content as { content?: unknown }).content ?? Object.values(content as object)[0];
  const rows = (body as { content?: unknown })?.content ?? body;
  if (!Array.isArray(rows)) return undefined;
  return rows
    .flat()
    .map((seg: { tag?: string; text?: string }) => (seg?.tag === 'text' || seg?.tag === 'a' ? (seg.text ?? '') : ' '))
    .join('');
}

export interface CommandMatch {
  entry: CommandEntry;
  command: string;
  args: string;
}

const CJK = /[\u3400-\u9fff]/;

/**
 * Finds the command a text starts with: "/help", "help", "帮助", "异常件 SF123", "异常件SF123".
 * The longest name wins; an English name must be followed by a space or the end.
 */
export function matchCommand(text: string, commands: CommandEntry[]): CommandMatch | undefined {
  const input = text.trim().replace(/^[/／]/, '');
  const lower = input.toLowerCase();
  let best: CommandMatch | undefined;
  for (const entry of commands) {
    for (const name of entry.names) {
      const word = normaliseCommand(name);
      if (!lower.startsWith(word)) continue;
      const rest = input.slice(word.length);
      const boundary = rest === '' || /^\s/.test(rest) || CJK.test(word.at(-1)!);
      if (!boundary) continue;
      if (!best || word.length > best.command.length) best = { entry, command: word, args: rest.trim() };
    }
  }
  return best;
}

/** The closest command name, for "did you mean …?" in the hint card. */
export function suggestCommand(text: string, commands: CommandEntry[]): string | undefined {
  const word = normaliseCommand(text.split(/\s+/)[0] ?? '').slice(0, 40);
  if (!word) return undefined;
  let best: { name: string; d: number } | undefined;
  for (const name of commands.flatMap((c) => c.names)) {
    const d = distance(word, normaliseCommand(name));
    if (d <= Math.max(1, Math.floor(name.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/** Edit distance counting a swap of two neighbours as one edit ("hlep" → "help"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
