import { z } from 'zod';
import { storableDeep } from './text.js';

/** The flattened parts of a card callback, new (`card.action.trigger`) or legacy (v1). */
export const CardCallback = z.object({
  operator: z.object({
    open_id: z.string().optional(),
    user_id: z.string().optional(),
    union_id: z.string().optional(),
  }),
  token: z.string().optional(),
  action: z.object({
    value: z.unknown(),
    tag: z.string().optional(),
    name: z.string().optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
    input_value: z.string().optional(),
    option: z.string().optional(),
  }),
  context: z.object({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() }).optional(),
});
export type CardCallback = z.infer<typeof CardCallback>;

/** `action.value` is the developer's object, or a JSON string of one. */
export function parseActionValue(value: unknown): (Record<string, unknown> & { action?: string }) | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = storableDeep(JSON.parse(v)); // its escapes may spell NUL or a lone surrogate
    } catch {
      return undefined;
    }
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const action = (v as { action?: unknown }).action;
  return typeof action === 'string' ? (v as Record<string, unknown> & { action: string }) : undefined;
}

/** Legacy v1 bodies are flat: {open_id, user_id, open_message_id, token, action}. */
export function fromLegacy(body: Record<string, unknown>): unknown {
  return {
    operator: { open_id: body.open_id, user_id: body.user_id },
    token: body.token,
    action: body.action,
    context: { open_message_id: body.open_message_id, open_chat_id: body.open_chat_id },
  };
}
