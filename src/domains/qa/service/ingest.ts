import { sql } from 'drizzle-orm';
import type { Person } from '../../directory/service.js';
import { qaConversations, qaMessages } from '../schema.js';
import type { ConversationInput } from '../values.js';
import type { QaSettings } from '../settings/index.js';
import type { QaDeps } from './context.js';

/** What ingest needs: the database, the directory and the channel list (the API and the file import alike). */
export type IngestDeps = Pick<QaDeps, 'database' | 'directory'> & { settings: Pick<QaSettings, 'channels'> };

export type IngestStatus = 'created' | 'existing' | 'rejected';
export interface IngestResult {
  index: number;
  channel: string;
  externalId: string;
  status: IngestStatus;
  conversationId?: number;
  error?: { field: string; message: string };
}

const CHUNK = 500;

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

/**
 * Stores a batch of conversations with their messages: idempotent on channel + external id (a
 * repeat answers `existing` and changes nothing), each conversation in its own transaction so a
 * bad one is reported and the rest stored. Unknown channels and agents are refused with the reason.
 */
export async function ingestConversations(
  x: IngestDeps,
  items: readonly ConversationInput[],
  source: string,
): Promise<IngestResult[]> {
  const channels = (await x.settings.channels.get()).names;
  const resolve = agentResolver(await x.directory.people());
  const results: IngestResult[] = [];
  for (const [index, item] of items.entries()) {
    const base = { index, channel: item.channel, externalId: item.externalId };
    const reject = (field: string, message: string) =>
      results.push({ ...base, status: 'rejected', error: { field, message } });
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
    const result = await x.database.transaction(async (tx) => {
      const inserted = await tx.db
        .insert(qaConversations)
        .values({
          channel: item.channel,
          externalId: item.externalId,
          shop: item.shop ?? null,
          agentOpenId: agent.openId,
          teamKey: agent.teams[0] ?? null,
          startedAt: messages[0]!.at,
          endedAt: messages.at(-1)!.at,
          csat: item.csat ?? null,
          orderIds: item.orderIds,
          tags: item.tags,
          url: item.url ?? null,
          messageCount: messages.length,
          source,
        })
        .onConflictDoNothing()
        .returning({ id: qaConversations.id });
      const id = inserted[0]?.id;
      if (id === undefined) return undefined;
      for (let i = 0; i < messages.length; i += CHUNK) {
        await tx.db.insert(qaMessages).values(
          messages.slice(i, i + CHUNK).map((m, j) => ({
            conversationId: id,
            seq: i + j + 1,
            role: m.role,
            sender: m.sender ?? null,
            at: m.at,
            text: m.text,
          })),
        );
      }
      return id;
    });
    if (result !== undefined) {
      results.push({ ...base, status: 'created', conversationId: result });
      continue;
    }
    const existing = await x.database.db
      .select({ id: qaConversations.id })
      .from(qaConversations)
      .where(sql`${qaConversations.channel} = ${item.channel} and ${qaConversations.externalId} = ${item.externalId}`);
    results.push({ ...base, status: 'existing', conversationId: existing[0]?.id });
  }
  return results;
}
