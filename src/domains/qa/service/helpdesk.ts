import { z } from 'zod';
import { shorten, storableText } from '../../../core/text.js';
import { createDirectory, type Person } from '../../directory/service.js';
import type { Role } from '../logic/prechecks.js';
import { LIMITS } from '../values.js';
import type { IngestDeps } from './ingest.js';

/** The channel key of Feishu 服务台 conversations (one per ticket). */
export const HELPDESK_CHANNEL = 'feishu_helpdesk';
export const HELPDESK_MESSAGE_EVENT = 'helpdesk.ticket_message.created_v1';

/**
 * `helpdesk.ticket_message.created_v1`, the part QA reads. Fields as the official Node SDK's generated
 * event type lists them (ticket_message_id, sender_id, sender_type, text, ticket.ticket_id, content) and
 * FEISHU.md §m.5: sender_type 1 = the service desk's bot, 2 = the guest (customer), 3 = an agent.
 * UNCONFIRMED: the event has no time of its own; the envelope's header.create_time (ms) is taken as the
 * message time. Unknown extra fields are ignored; a message we cannot read is logged and skipped.
 */
export const HelpdeskMessageEvent = z.object({
  ticket_message_id: z.string().trim().min(1).max(128),
  sender_type: z.coerce.number().int(),
  sender_id: z
    .object({ open_id: z.string().max(128).optional() })
    .partial()
    .nullish(),
  text: z.string().nullish(),
  msg_type: z.string().nullish(),
  ticket: z.object({ ticket_id: z.string().trim().min(1).max(LIMITS.externalId) }),
  content: z.object({ content: z.string().nullish() }).partial().nullish(),
});
export type HelpdeskMessageEvent = z.infer<typeof HelpdeskMessageEvent>;

const ROLE_OF_SENDER: Record<number, Role> = { 1: 'system', 2: 'customer', 3: 'agent' };

export interface HelpdeskMessage {
  ticketMessageId: string;
  ticketId: string;
  role: Role;
  senderOpenId: string | null;
  at: Date;
  text: string;
}

/** The event as a message, or why it cannot be one. */
export function helpdeskMessageOf(
  event: unknown,
  header: Record<string, unknown>,
  now: Date,
): HelpdeskMessage | { error: string } {
  const parsed = HelpdeskMessageEvent.safeParse(event);
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? 'unreadable' };
  const e = parsed.data;
  const role = ROLE_OF_SENDER[e.sender_type];
  if (!role) return { error: `unknown sender_type ${e.sender_type}` };
  const created = Number(header.create_time);
  const raw = e.text ?? e.content?.content ?? '';
  const text = raw.trim() === '' && e.msg_type && e.msg_type !== 'text' ? `[${e.msg_type}]` : raw;
  return {
    ticketMessageId: e.ticket_message_id,
    ticketId: e.ticket.ticket_id,
    role,
    senderOpenId: e.sender_id?.open_id || null,
    at: Number.isFinite(created) && created > 0 ? new Date(created) : now,
    // Stored as received, made storable (NUL, lone surrogates) and cut to the API's limit.
    text: shorten(storableText(text), LIMITS.text),
  };
}

export type HelpdeskOutcome =
  | { status: 'stored'; conversationId: number; created: boolean; appended: number }
  | { status: 'waiting'; reason: string };

type Row = {
  ticket_message_id: string;
  role: Role;
  sender_open_id: string | null;
  at: Date | string;
  text: string;
};

/**
 * One ticket message in: kept once per ticket_message_id (a redelivery changes nothing), then the
 * ticket's conversation (channel feishu_helpdesk, external id = ticket id) gets every kept message it
 * does not have yet, in time order. The conversation is made when an agent of 人员与角色 has spoken on
 * the ticket (before that — the bot stage — its messages wait). One ticket, one conversation, whatever
 * the order or repetition of events; one transaction per ticket at a time (advisory lock).
 */
export async function receiveHelpdeskMessage(x: IngestDeps, m: HelpdeskMessage): Promise<HelpdeskOutcome> {
  const channels = (await x.settings.channels.get()).names;
  return x.database.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`qa_helpdesk:${m.ticketId}`]);
    await tx.query(
      `insert into qa_helpdesk_messages (ticket_message_id, ticket_id, role, sender_open_id, at, text)
       values ($1, $2, $3, $4, $5, $6) on conflict (ticket_message_id) do nothing`,
      [m.ticketMessageId, m.ticketId, m.role, m.senderOpenId, m.at.toISOString(), m.text],
    );
    const pending = (
      await tx.query<Row>(
        `select ticket_message_id, role, sender_open_id, at, text from qa_helpdesk_messages
          where ticket_id = $1 and seq is null order by at, ticket_message_id`,
        [m.ticketId],
      )
    ).rows;
    const existing = (
      await tx.query<{ id: string | number; message_count: number }>(
        `select id, message_count from qa_conversations where channel = $1 and external_id = $2 for update`,
        [HELPDESK_CHANNEL, m.ticketId],
      )
    ).rows[0];
    if (pending.length === 0 && existing)
      return { status: 'stored', conversationId: Number(existing.id), created: false, appended: 0 };
    if (!channels[HELPDESK_CHANNEL])
      return { status: 'waiting', reason: `channel ${HELPDESK_CHANNEL} is not in the qa.channels setting` };

    let conversationId: number;
    let count: number;
    if (existing) {
      conversationId = Number(existing.id);
      count = existing.message_count;
    } else {
      // The agent: the first sender of an agent message who is in the directory.
      const senders = [...new Set(pending.filter((r) => r.role === 'agent').map((r) => r.sender_open_id))];
      // Read through this transaction: on the embedded database another connection would wait for it.
      const directory = createDirectory({ db: tx.db });
      let agent: Person | null = null;
      for (const id of senders) {
        agent = id ? await directory.person(id) : null;
        if (agent) break;
      }
      if (!agent)
        return {
          status: 'waiting',
          reason: senders.length > 0 ? 'no agent of the directory on this ticket yet' : 'no agent message yet',
        };
      const first = pending[0]!;
      const made = await tx.query<{ id: string | number }>(
        `insert into qa_conversations (channel, external_id, agent_open_id, team_key, started_at, ended_at,
                                       message_count, source)
         values ($1, $2, $3, $4, $5, $5, 0, $1) returning id`,
        [HELPDESK_CHANNEL, m.ticketId, agent.openId, agent.teams[0] ?? null, new Date(first.at).toISOString()],
      );
      conversationId = Number(made.rows[0]!.id);
      count = 0;
    }
    // A conversation holds at most the API's limit of messages; the rest stay kept, not copied.
    const take = pending.slice(0, Math.max(0, LIMITS.messages - count));
    if (take.length > 0) {
      const seqs = take.map((_, i) => count + i + 1);
      await tx.query(
        `insert into qa_messages (conversation_id, seq, role, sender, at, text)
         select $1, * from unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])`,
        [
          conversationId,
          seqs,
          take.map((r) => r.role),
          take.map((r) => r.sender_open_id),
          take.map((r) => new Date(r.at).toISOString()),
          take.map((r) => r.text),
        ],
      );
      await tx.query(
        `update qa_helpdesk_messages h set conversation_id = $1, seq = k.seq
           from unnest($2::text[], $3::int[]) as k(id, seq) where h.ticket_message_id = k.id`,
        [conversationId, take.map((r) => r.ticket_message_id), seqs],
      );
      await tx.query(
        `update qa_conversations c
            set message_count = $2,
                started_at = (select min(at) from qa_messages where conversation_id = c.id),
                ended_at = (select max(at) from qa_messages where conversation_id = c.id)
          where c.id = $1`,
        [conversationId, count + take.length],
      );
    }
    return { status: 'stored', conversationId, created: !existing, appended: take.length };
  });
}
