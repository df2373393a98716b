import type { Person } from '../../directory/service.js';
import type { ConversationInput } from '../values.js';
import type { QaSettings } from '../settings/index.js';
import type { QaDeps } from './context.js';
import { latestBasis, storePrechecks, type PrecheckBasis } from './precheck-store.js';

/**
 * What ingest needs: the database, the directory, the channel list and the policy (its pre-checks are stored
 * with each new conversation for the sampling plan) — the API and the file import alike.
 */
export type IngestDeps = Pick<QaDeps, 'database' | 'directory'> & { settings: Pick<QaSettings, 'channels' | 'policy'> };

export type IngestStatus = 'created' | 'existing' | 'rejected';
export interface IngestResult {
  index: number;
  channel: string;
  externalId: string;
  status: IngestStatus;
  conversationId?: number;
  error?: { field: string; message: string };
}

/** Finds the agent by open_id, or by name when exactly one person has it. */
function agentResolver(people: Person[]) {
  const byId = new Map(people.map((p) => [p.openId, p]));
  const byName = new Map<string, Person[]>();
  for (const p of people) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  return (agent: string): Person | string => {
    const p = byId.get(agent);
    if (p) return p;
    const named = byName.get(agent) ?? [];
    if (named.length === 1) return named[0]!;
    return named.length > 1
      ? `客服「${agent}」重名，请用 open_id · several people are called ${agent}; send the open_id`
      : `未知客服「${agent}」（不在人员与角色中） · unknown agent ${agent}`;
  };
}

interface Ready {
  index: number;
  key: string;
  item: ConversationInput;
  agent: Person;
  messages: Array<Omit<ConversationInput['messages'][number], 'at'> & { at: Date }>;
}

const keyOf = (channel: string, externalId: string) => `${channel}\u0000${externalId}`;

/** A refusal by the data itself (data exception, integrity): that conversation is refused, not the batch. */
const refusedByData = (err: unknown): err is Error & { code: string } => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23)/.test(code);
};

/**
 * Stores conversations that passed the checks in one transaction of three statements, whatever
 * their number: the conversations (one multi-row INSERT … ON CONFLICT DO NOTHING over unnest
 * arrays), the messages of those it created (one INSERT over unnest), and the ids of those already
 * there. Answers the id and whether it was created, per key.
 */
async function storeBatch(
  database: IngestDeps['database'],
  ready: readonly Ready[],
  source: string,
  basis: PrecheckBasis | null,
): Promise<Map<string, { id: number; created: boolean }>> {
  const col = <T>(f: (r: Ready) => T) => ready.map(f);
  return database.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string | number; channel: string; external_id: string }>(
      `insert into qa_conversations (channel, external_id, shop, agent_open_id, team_key, started_at, ended_at, csat,
                                     order_ids, tags, url, message_count, source)
       select ch, ext, shop, agent, team, st, en, csat, o::jsonb, t::jsonb, url, n, $13
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                     $8::int[], $9::text[], $10::text[], $11::text[], $12::int[])
              as k(ch, ext, shop, agent, team, st, en, csat, o, t, url, n)
       on conflict (channel, external_id) do nothing
       returning id, channel, external_id`,
      [
        col((r) => r.item.channel),
        col((r) => r.item.externalId),
        col((r) => r.item.shop ?? null),
        col((r) => r.agent.openId),
        col((r) => r.agent.teams[0] ?? null),
        col((r) => r.messages[0]!.at.toISOString()),
        col((r) => r.messages.at(-1)!.at.toISOString()),
        col((r) => r.item.csat ?? null),
        col((r) => JSON.stringify(r.item.orderIds)),
        col((r) => JSON.stringify(r.item.tags)),
        col((r) => r.item.url ?? null),
        col((r) => r.messages.length),
        source,
      ],
    );
    const out = new Map<string, { id: number; created: boolean }>();
    for (const row of inserted.rows)
      out.set(keyOf(row.channel, row.external_id), { id: Number(row.id), created: true });
    const ids: number[] = [];
    const checked: Parameters<typeof storePrechecks>[2][number][] = [];
    const seqs: number[] = [];
    const roles: string[] = [];
    const senders: Array<string | null> = [];
    const ats: string[] = [];
    const texts: string[] = [];
    const stored = new Set<string>();
    for (const r of ready) {
      const made = out.get(r.key);
      // A key twice in one batch: its first conversation is stored, the repeat is `existing`.
      if (!made || stored.has(r.key)) continue;
      stored.add(r.key);
      checked.push({
        conversationId: made.id,
        channel: r.item.channel,
        messageCount: r.messages.length,
        messages: r.messages.map((m, i) => ({ seq: i + 1, role: m.role, at: m.at, text: m.text })),
      });
      r.messages.forEach((m, i) => {
        ids.push(made.id);
        seqs.push(i + 1);
        roles.push(m.role);
        senders.push(m.sender ?? null);
        ats.push(m.at.toISOString());
        texts.push(m.text);
      });
    }
    if (ids.length > 0)
      await tx.query(
        `insert into qa_messages (conversation_id, seq, role, sender, at, text)
         select * from unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])`,
        [ids, seqs, roles, senders, ats, texts],
      );
    // Its pre-check hits now, while the messages are in hand: the sampling plan reads this row, not the messages.
    if (basis) await storePrechecks(tx, basis, checked);
    const missing = ready.filter((r) => !out.has(r.key));
    if (missing.length > 0) {
      const existing = await tx.query<{ id: string | number; channel: string; external_id: string }>(
        `select c.id, c.channel, c.external_id
           from qa_conversations c join unnest($1::text[], $2::text[]) as k(ch, ext)
             on c.channel = k.ch and c.external_id = k.ext`,
        [missing.map((r) => r.item.channel), missing.map((r) => r.item.externalId)],
      );
      for (const row of existing.rows)
        out.set(keyOf(row.channel, row.external_id), { id: Number(row.id), created: false });
    }
    return out;
  });
}

/**
 * Stores a batch of conversations with their messages: idempotent on channel + external id (a
 * repeat answers `existing` and changes nothing). The batch goes in one transaction of three
 * statements (storeBatch); should the database refuse it for one conversation's data, each is
 * stored on its own so the bad one is reported and the rest stored. Unknown channels and agents
 * are refused with the reason.
 */
export async function ingestConversations(
  x: IngestDeps,
  items: readonly ConversationInput[],
  source: string,
): Promise<IngestResult[]> {
  const channels = (await x.settings.channels.get()).names;
  const resolve = agentResolver(await x.directory.people());
  const basis = await latestBasis(x.database, (await x.settings.policy.get()).prechecks);
  const results: IngestResult[] = new Array<IngestResult>(items.length);
  const ready: Ready[] = [];
  for (const [index, item] of items.entries()) {
    const base = { index, channel: item.channel, externalId: item.externalId };
    const reject = (field: string, message: string) =>
      (results[index] = { ...base, status: 'rejected', error: { field, message } });
    if (!channels[item.channel]) {
      reject('channel', `未知渠道「${item.channel}」（已知：${Object.keys(channels).join(', ')}） · unknown channel`);
      continue;
    }
    const agent = resolve(item.agent);
    if (typeof agent === 'string') {
      reject('agent', agent);
      continue;
    }
    const messages = item.messages
      .map((m, i) => ({ ...m, at: new Date(m.at), i }))
      .sort((a, b) => a.at.getTime() - b.at.getTime() || a.i - b.i);
    ready.push({ index, key: keyOf(item.channel, item.externalId), item, agent, messages });
  }
  const record = (r: Ready, got: { id: number; created: boolean } | undefined, firstOfKey: boolean) => {
    const base = { index: r.index, channel: r.item.channel, externalId: r.item.externalId };
    results[r.index] = {
      ...base,
      status: got?.created && firstOfKey ? 'created' : 'existing',
      conversationId: got?.id,
    };
  };
  if (ready.length > 0) {
    let stored: Map<string, { id: number; created: boolean }> | undefined;
    try {
      stored = await storeBatch(x.database, ready, source, basis);
    } catch (err) {
      if (!refusedByData(err)) throw err;
    }
    const seen = new Set<string>();
    for (const r of ready) {
      const first = !seen.has(r.key);
      seen.add(r.key);
      if (stored) {
        record(r, stored.get(r.key), first);
        continue;
      }
      // One by one, so only the conversation the database refuses is lost (and reported).
      try {
        record(r, (await storeBatch(x.database, [r], source, basis)).get(r.key), first);
      } catch (err) {
        if (!refusedByData(err)) throw err;
        results[r.index] = {
          index: r.index,
          channel: r.item.channel,
          externalId: r.item.externalId,
          status: 'rejected',
          error: { field: 'conversation', message: `数据库拒收 · the database refused it (${err.code})` },
        };
      }
    }
  }
  return results;
}
