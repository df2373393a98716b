import type { SqlExecutor } from '../../db/client.js';
import type { ChatFactKind } from './logic/chat-events.js';

export interface FactToStore {
  key: string;
  communityId: number;
  day: string;
  kind: ChatFactKind;
  openId: string | null;
  members: number;
  eventId: string | null;
  at: Date;
}

/** Queries behind a Feishu group as a community: its facts and the daily rows made from them. */
export const chatRepo = {
  /** Stores facts not stored before (by key); returns the keys that are new. */
  async insertFacts(tx: SqlExecutor, facts: readonly FactToStore[]): Promise<Set<string>> {
    if (facts.length === 0) return new Set();
    const { rows } = await tx.query<{ key: string }>(
      `insert into community_chat_facts (key, community_id, day, kind, open_id, members, event_id, at)
       select * from unnest($1::text[], $2::bigint[], $3::date[], $4::text[], $5::text[], $6::int[], $7::text[],
                            $8::timestamptz[])
       on conflict (key) do nothing returning key`,
      [
        facts.map((f) => f.key),
        facts.map((f) => f.communityId),
        facts.map((f) => f.day),
        facts.map((f) => f.kind),
        facts.map((f) => f.openId),
        facts.map((f) => f.members),
        facts.map((f) => f.eventId),
        facts.map((f) => f.at.toISOString()),
      ],
    );
    return new Set(rows.map((r) => r.key));
  },

  /** Holds the community for the rest of the transaction: its days are recomputed one writer at a time. */
  async lockCommunity(tx: SqlExecutor, communityId: number): Promise<void> {
    await tx.query('select id from community_communities where id = $1 for update', [communityId]);
  },

  /**
   * Writes 每日指标 for `from` and every later day up to `to` from the facts: joined, left, messages,
   * active speakers (distinct senders) and members at the end of the day (the count at bind time plus
   * every join and leave up to that day, never below 0). Orders and money are left as they are.
   */
  async recomputeDays(tx: SqlExecutor, communityId: number, from: string, to: string, at: Date): Promise<void> {
    await tx.query(
      `insert into community_daily_metrics (community_id, day, members_total, members_joined, members_left,
              active_members, messages, source, revision, received_at, updated_at)
       select $1, d.day::date,
              greatest(0, (select coalesce(sum(f.members), 0) from community_chat_facts f
                            where f.community_id = $1 and f.day <= d.day))::int,
              count(e.key) filter (where e.kind = 'joined')::int,
              count(e.key) filter (where e.kind = 'left')::int,
              count(distinct e.open_id) filter (where e.kind = 'message')::int,
              count(e.key) filter (where e.kind = 'message')::int,
              'feishu', 1, $4, $4
         from generate_series($2::date, greatest($2::date, $3::date), interval '1 day') as d(day)
         left join community_chat_facts e on e.community_id = $1 and e.day = d.day::date
        group by d.day
       on conflict (community_id, day) do update set
              members_total = excluded.members_total, members_joined = excluded.members_joined,
              members_left = excluded.members_left, active_members = excluded.active_members,
              messages = excluded.messages, source = 'feishu', updated_at = excluded.updated_at`,
      [communityId, from, to, at],
    );
  },

  /** The last day with a row for this community (ISO), if any. */
  async lastDay(tx: SqlExecutor, communityId: number): Promise<string | undefined> {
    const { rows } = await tx.query<{ day: string | null }>(
      `select to_char(max(day), 'YYYY-MM-DD') as day from community_daily_metrics where community_id = $1`,
      [communityId],
    );
    return rows[0]?.day ?? undefined;
  },

  /** Communities that are Feishu groups, for closing a day that had no events. */
  async chatCommunities(db: SqlExecutor): Promise<Array<{ id: number; chatId: string }>> {
    const { rows } = await db.query<{ id: number; chatId: string }>(
      `select id::float8 as id, feishu_chat_id as "chatId" from community_communities
        where feishu_chat_id is not null and state = 'active' order by id`,
    );
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  },
};
