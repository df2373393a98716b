import { createHash } from 'node:crypto';
import type { Database, SqlExecutor } from '../../../db/client.js';
import { precheck, type Message, type PrecheckPolicy } from '../logic/prechecks.js';
import { criteriaFor, type Criterion } from '../logic/scorecard.js';
import { qaRepo } from '../repository.js';

/**
 * What a stored pre-check count is valid for: the scorecard version (its criteria per channel) and the pre-check
 * policy. The plan only uses a row computed with the same basis (and message count), so a published scorecard or
 * an edited policy makes every row stale at once and each is recomputed when next needed.
 */
export interface PrecheckBasis {
  version: number;
  policy: PrecheckPolicy;
  policyKey: string;
  criteria: (channel: string) => Criterion[];
}

type Queryable = Pick<SqlExecutor, 'query'>;

/** A short hash of the policy as parsed (zod fills defaults in schema order, so equal policies hash alike). */
export const policyKeyOf = (policy: PrecheckPolicy): string =>
  createHash('sha256').update(JSON.stringify(policy)).digest('hex').slice(0, 16);

export function precheckBasis(card: { version: number; criteria: Criterion[] }, policy: PrecheckPolicy): PrecheckBasis {
  const byChannel = new Map<string, Criterion[]>();
  return {
    version: card.version,
    policy,
    policyKey: policyKeyOf(policy),
    criteria(channel) {
      let list = byChannel.get(channel);
      if (!list) byChannel.set(channel, (list = criteriaFor({ criteria: card.criteria }, channel)));
      return list;
    },
  };
}

/** The basis new conversations are checked with at ingest: the latest published scorecard; none before the first. */
export async function latestBasis(database: Database, policy: PrecheckPolicy): Promise<PrecheckBasis | null> {
  const card = await qaRepo.latestScorecard(database.db);
  return card ? precheckBasis(card, policy) : null;
}

export interface Checked {
  conversationId: number;
  channel: string;
  /** The conversation's message_count the messages were read at (a later append makes the row stale). */
  messageCount: number;
  messages: readonly Message[];
}

/** Stores each conversation's hit count under `basis`, replacing a row of another basis (one statement). */
export async function storePrechecks(q: Queryable, basis: PrecheckBasis, rows: readonly Checked[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const hits = rows.map((r) => precheck(r.messages, basis.criteria(r.channel), basis.policy).length);
  await q.query(
    `insert into qa_conversation_prechecks (conversation_id, scorecard_version, policy_key, message_count, hits)
     select id, $2, $3, n, h from unnest($1::bigint[], $4::int[], $5::int[]) as k(id, n, h)
     on conflict (conversation_id) do update
       set scorecard_version = excluded.scorecard_version, policy_key = excluded.policy_key,
           message_count = excluded.message_count, hits = excluded.hits`,
    [rows.map((r) => r.conversationId), basis.version, basis.policyKey, rows.map((r) => r.messageCount), hits],
  );
  return hits;
}

/** The messages of these conversations, only the columns the checks read. */
export async function messagesOf(q: Queryable, ids: readonly number[]): Promise<Map<number, Message[]>> {
  const { rows } = await q.query<Omit<Message, 'at'> & { at: Date | string; conversation_id: string | number }>(
    `select conversation_id, seq, role, "at", text from qa_messages
      where conversation_id = any($1::bigint[]) order by conversation_id, seq`,
    [ids],
  );
  const out = new Map<number, Message[]>();
  for (const m of rows) {
    const id = Number(m.conversation_id);
    const message = { seq: m.seq, role: m.role, at: new Date(m.at), text: m.text };
    const list = out.get(id);
    if (list) list.push(message);
    else out.set(id, [message]);
  }
  return out;
}

const CHUNK = 5_000;

/**
 * Computes and stores the hit counts of conversations that have no row for `basis` (imported before the store
 * existed, or checked under an older scorecard or policy): their messages are read in chunks of 5,000.
 */
export async function fillPrechecks(
  database: Database,
  basis: PrecheckBasis,
  missing: ReadonlyArray<{ id: number; channel: string; messageCount: number }>,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (let i = 0; i < missing.length; i += CHUNK) {
    const chunk = missing.slice(i, i + CHUNK);
    const messages = await messagesOf(
      database,
      chunk.map((c) => c.id),
    );
    const rows = chunk.map((c) => ({
      conversationId: c.id,
      channel: c.channel,
      messageCount: c.messageCount,
      messages: messages.get(c.id) ?? [],
    }));
    const hits = await storePrechecks(database, basis, rows);
    chunk.forEach((c, k) => out.set(c.id, hits[k]!));
  }
  return out;
}

/**
 * The data migration of qa_conversation_prechecks: conversations of the last `days` not yet reviewed and without
 * a row for the current basis get one, 1,000 per statement, in id order (so it ends even if a row cannot be made
 * current). Run in the background at start; the plan fills whatever is still missing for its own period.
 */
export async function backfillPrechecks(
  database: Database,
  basis: PrecheckBasis,
  now: Date,
  days = 7,
): Promise<number> {
  const since = new Date(now.getTime() - days * 86_400_000);
  let after = 0;
  let filled = 0;
  for (;;) {
    const { rows } = await database.query<{ id: string | number; channel: string; message_count: number }>(
      `select c.id, c.channel, c.message_count from qa_conversations c
         left join qa_conversation_prechecks p on p.conversation_id = c.id
        where c.started_at >= $1 and c.id > $2
          and (p.conversation_id is null or p.scorecard_version <> $3 or p.policy_key <> $4
               or p.message_count <> c.message_count)
          and not exists (select 1 from qa_reviews r
                           where r.conversation_id = c.id and r.sample_reason <> 'calibration')
        order by c.id limit 1000`,
      [since.toISOString(), after, basis.version, basis.policyKey],
    );
    if (rows.length === 0) return filled;
    const missing = rows.map((r) => ({ id: Number(r.id), channel: r.channel, messageCount: r.message_count }));
    await fillPrechecks(database, basis, missing);
    filled += missing.length;
    after = missing.at(-1)!.id;
  }
}
