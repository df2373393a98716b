import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OpenApiError, parseWith } from '../api/errors.js';
import type { SandboxContext } from '../context.js';
import { stableHex } from '../ids.js';

/**
 * Feishu 服务台 (Service Desk) in the sandbox: a message on a ticket, pushed to the bot as
 * `helpdesk.ticket_message.created_v1`.
 *
 * Shape: the fields of the official Node SDK's generated event type (`@larksuiteoapi/node-sdk`
 * types/index.d.ts, "helpdesk.ticket_message.created_v1": ticket_message_id, message_id, msg_type,
 * position, sender_id{union_id,user_id,open_id}, sender_type, text, ticket{ticket_id, status, …},
 * chat_id, content{content, msg_type}) and FEISHU.md §m.5 (sender_type 1 bot, 2 guest/user, 3 agent;
 * ticket status 1 created … 50/51/52 closed). UNCONFIRMED: the event carries no time of its own, so a
 * receiver takes the envelope's header.create_time as the message time; the form of ticket_id
 * (the docs show 19 digits) and of position (a string counter here) are assumptions; a real tenant
 * subscribes through POST /open-apis/helpdesk/v1/events/subscribe, which the sandbox does not model
 * (its events are always delivered).
 */
export interface HelpdeskMessageInput {
  ticketId: string;
  /** 1 the service desk's bot, 2 the guest (customer), 3 an agent. */
  senderType: 1 | 2 | 3;
  /** The sender's open_id: a tenant person for agents; any id for guests (bot messages have none). */
  senderOpenId?: string;
  text: string;
  /** Ticket status to report with the message (default 2, processing). */
  status?: number;
}

// Each ticket's message counter (`position`), per running sandbox.
const positions = new WeakMap<SandboxContext, Map<string, number>>();

export function helpdeskActions(ctx: SandboxContext) {
  const counters = positions.get(ctx) ?? new Map<string, number>();
  positions.set(ctx, counters);

  function pushHelpdeskMessage(input: HelpdeskMessageInput): { ticketMessageId: string; eventId: string } {
    if (!/^\d{1,32}$/.test(input.ticketId)) throw new OpenApiError(400, 'ticket_id must be digits', 400);
    const user = input.senderOpenId ? ctx.store.data.users.find((u) => u.open_id === input.senderOpenId) : undefined;
    if (input.senderType === 3 && !user) throw new OpenApiError(404, 'agent not found', 404);
    const position = (counters.get(input.ticketId) ?? 0) + 1;
    counters.set(input.ticketId, position);
    const seed = `helpdesk:${input.ticketId}:${position}:${Date.now()}:${Math.random()}`;
    const ticketMessageId = String(BigInt(`0x${stableHex(seed, 15)}`));
    const chatId = `oc_${stableHex(`helpdesk-chat:${input.ticketId}`, 32)}`;
    const eventId = ctx.deliverer.emit('helpdesk.ticket_message.created_v1', {
      ticket_message_id: ticketMessageId,
      message_id: `om_${stableHex(`${seed}:om`, 32)}`,
      msg_type: 'text',
      position: String(position),
      ...(input.senderType === 1
        ? {}
        : {
            sender_id: user
              ? { union_id: user.union_id, user_id: user.user_id, open_id: user.open_id }
              : { open_id: input.senderOpenId ?? `ou_${stableHex(`guest:${input.ticketId}`, 32)}` },
          }),
      sender_type: input.senderType,
      text: input.text,
      ticket: { ticket_id: input.ticketId, status: input.status ?? 2 },
      chat_id: chatId,
      content: { content: input.text, msg_type: 'text' },
    });
    return { ticketMessageId, eventId };
  }

  return { pushHelpdeskMessage };
}

const HelpdeskMessageBody = z.object({
  ticket_id: z.string(),
  sender_type: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  sender_open_id: z.string().optional(),
  text: z.string().max(5000),
  status: z.number().int().optional(),
});

/** POST /sandbox/admin/helpdesk/ticket-messages {ticket_id, sender_type, sender_open_id?, text, status?}. */
export function helpdeskRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const bad = (detail: string) => new OpenApiError(400, `bad helpdesk message: ${detail}`, 400);
  const { pushHelpdeskMessage } = helpdeskActions(ctx);
  app.post('/sandbox/admin/helpdesk/ticket-messages', async (request) => {
    const b = parseWith(HelpdeskMessageBody, request.body, bad);
    const pushed = pushHelpdeskMessage({
      ticketId: b.ticket_id,
      senderType: b.sender_type,
      senderOpenId: b.sender_open_id,
      text: b.text,
      status: b.status,
    });
    return { ticket_message_id: pushed.ticketMessageId, event_id: pushed.eventId };
  });
}
