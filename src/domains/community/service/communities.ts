import { getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import type { CommunityInput } from '../logic/community.js';
import type { CommunityRow } from '../repository.js';
import { communities } from '../schema.js';
import { directoryOf } from '../../directory/service.js';

export { CommunityInput } from '../logic/community.js';

/**
 * Creates or updates communities by code (one statement; the same input again changes nothing).
 * Returns the stored rows with whether each one is new.
 */
export async function upsertCommunities(
  db: Db,
  inputs: readonly CommunityInput[],
  now: Date,
  extra: { bitableRecordId?: string } = {},
): Promise<Array<{ community: CommunityRow; created: boolean }>> {
  if (inputs.length === 0) return [];
  // In code order: the rows are locked in the order written, the order every writer of their days takes them in
  // (repo.lockCommunities), so a batch of updates and a batch of days never wait on each other in a circle.
  const ordered = [...inputs].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const rows = await db
    .insert(communities)
    .values(
      ordered.map((c) => ({
        code: c.code,
        name: c.name,
        platform: c.platform,
        kind: c.kind ?? null,
        operatorOpenId: c.operatorOpenId ?? null,
        storeCode: c.storeCode ?? null,
        tags: c.tags,
        state: c.state,
        feishuChatId: c.feishuChatId ?? null,
        // '' marks "no team" on a conflict (null keeps the stored team); the stored value is null either way.
        teamKey: c.team === undefined ? null : sql`${c.team ?? ''}`,
        ...(extra.bitableRecordId ? { bitableRecordId: extra.bitableRecordId } : {}),
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: communities.code,
      set: {
        name: sql`excluded.name`,
        platform: sql`excluded.platform`,
        kind: sql`excluded.kind`,
        operatorOpenId: sql`excluded.operator_open_id`,
        storeCode: sql`excluded.store_code`,
        tags: sql`excluded.tags`,
        state: sql`excluded.state`,
        feishuChatId: sql`coalesce(excluded.feishu_chat_id, ${communities.feishuChatId})`,
        teamKey: sql`nullif(coalesce(excluded.team_key, ${communities.teamKey}), '')`,
        updatedAt: sql`excluded.updated_at`,
      },
    })
    // xmax = 0 only for a row this statement inserted (PostgreSQL's upsert idiom).
    .returning({ ...getTableColumns(communities), inserted: sql<boolean>`(xmax = 0)` });
  // A new row told "no team" holds '' from the statement above: stored as null like every other.
  if (inputs.some((c) => c.team === null))
    await db
      .update(communities)
      .set({ teamKey: null })
      .where(sql`${communities.teamKey} = ''`);
  const byCode = new Map(
    rows.map(({ inserted, teamKey, ...community }) => [
      community.code,
      { community: { ...community, teamKey: teamKey || null }, created: Boolean(inserted) },
    ]),
  );
  // In the caller's order again.
  return inputs.map((c) => byCode.get(c.code)!);
}

/** Why a community's team is refused: not a 团队编码 of 团队 (the directory's teams). */
export const takenCodeReason = (code: string, by: string) =>
  `社群编码「${code}」已被社群「${by}」使用：请换一个编码 · The code "${code}" is already used by "${by}": use another code`;

export const unknownTeamReason = (team: string) =>
  `未知团队「${team}」：请填 团队 表里的团队编码 · Unknown team "${team}": use a 团队编码 from the 团队 table`;

/** The inputs (by position) whose team is set but is not one of the directory's teams. */
export async function unknownTeams(
  database: { db: Db },
  inputs: readonly Pick<CommunityInput, 'team'>[],
): Promise<Array<{ index: number; team: string }>> {
  const asked = inputs.flatMap((c, index) => (typeof c.team === 'string' ? [{ index, team: c.team }] : []));
  if (asked.length === 0) return [];
  const known = new Set((await directoryOf(database).teams()).map((t) => t.key));
  return asked.filter((a) => !known.has(a.team));
}
