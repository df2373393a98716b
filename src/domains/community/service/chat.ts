import { eq } from 'drizzle-orm';
import { md } from '../../../core/cards/markdown.js';
import type { Card } from '../../../core/cards/render.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../../core/errors.js';
import { calendarDay } from '../../../core/zoned-time.js';
import { directoryOf } from '../../directory/service.js';
import { communityCards } from '../cards.js';
import { chatRepo, type FactToStore } from '../chat-repository.js';
import type { ChatFact } from '../logic/chat-events.js';
import { CommunityInput } from '../logic/community.js';
import { repo, type CommunityRow } from '../repository.js';
import { communities } from '../schema.js';
import type { CommunityDeps } from './deps.js';
import { upsertCommunities } from './communities.js';

/** Who may make a group a community: its operators, and admins or managers. */
const BINDERS = ['community_operator', 'admin', 'manager'];

/**
 * Stores facts from Feishu's events for the groups bound as communities (others are ignored) and
 * rewrites the days they fall on (and later days: members total carries forward). A fact already
 * stored — a redelivered event, a re-run job, a duplicate message — changes nothing.
 */
export async function recordChatFacts(deps: CommunityDeps, facts: readonly ChatFact[], now: Date): Promise<number> {
  let stored = 0;
  for (const chatId of new Set(facts.map((f) => f.chatId))) {
    const community = await repo.byChat(deps.database.db, chatId);
    if (!community || community.state !== 'active') continue;
    const rows: FactToStore[] = facts
      .filter((f) => f.chatId === chatId)
      .map((f) => ({
        key: f.key,
        communityId: community.id,
        day: calendarDay(new Date(f.at), deps.timeZone),
        kind: f.kind,
        openId: f.openId,
        members: f.members,
        eventId: f.eventId,
        at: new Date(f.at),
      }));
    stored += await deps.database.transaction(async (tx) => {
      await chatRepo.lockCommunity(tx, community.id);
      const fresh = await chatRepo.insertFacts(tx, rows);
      const days = rows.filter((r) => fresh.has(r.key)).map((r) => r.day);
      if (days.length === 0) return 0;
      const from = days.reduce((a, b) => (a < b ? a : b));
      const last = (await chatRepo.lastDay(tx, community.id)) ?? from;
      const to = [last, ...days].reduce((a, b) => (a > b ? a : b));
      await chatRepo.recomputeDays(tx, community.id, from, to, now);
      return fresh.size;
    });
  }
  return stored;
}

/** Writes the row of `day` for every active Feishu-group community, so a quiet day reads 0, not "data late". */
export async function closeChatDay(deps: CommunityDeps, day: string, now: Date): Promise<number> {
  const list = await chatRepo.chatCommunities(deps.database);
  for (const c of list)
    await deps.database.transaction(async (tx) => {
      await chatRepo.lockCommunity(tx, c.id);
      await chatRepo.recomputeDays(tx, c.id, day, day, now);
    });
  return list.length;
}

interface ChatInfo {
  name: string;
  userCount: number;
}

/** GET /open-apis/im/v1/chats/:chat_id → name and user_count (a string; FEISHU.md §m.4). */
async function chatInfo(deps: CommunityDeps, chatId: string): Promise<ChatInfo> {
  const res = await deps.feishu.api.request<{
    code?: number;
    msg?: string;
    data?: { name?: string; user_count?: string };
  }>('im.chat.get', { method: 'GET', url: `/open-apis/im/v1/chats/${encodeURIComponent(chatId)}` });
  const userCount = Number(res.data?.user_count);
  return { name: res.data?.name?.trim() || chatId, userCount: Number.isFinite(userCount) ? userCount : 0 };
}

/** Throws unless `openId` is an active community operator, manager or admin. */
export async function mayBind(deps: CommunityDeps, openId: string): Promise<void> {
  const person = await directoryOf(deps.database).person(openId);
  if (!person?.active || !person.roles.some((r) => BINDERS.includes(r)))
    throw new ForbiddenError(
      '只有社群运营、主管或管理员可以绑定社群 · Only community operators, managers or admins may',
    );
}

/**
 * `社群 日报群` in a group: the daily digest goes to this group from now on (setting
 * community.reporting.digestChatId, saved with who set it). Same people as 社群 绑定.
 */
export async function setDigestChat(
  deps: CommunityDeps,
  input: Omit<BindInput, 'args'>,
  save: (value: { digestChatId: string }, by: string) => Promise<unknown>,
): Promise<Card> {
  if (input.chatType !== 'group')
    throw new ValidationError(
      '请在运营群里 @我 发送「社群 日报群」 · Send this in the operators’ group, @mentioning me',
    );
  await mayBind(deps, input.senderOpenId);
  await save({ digestChatId: input.chatId }, input.senderOpenId);
  return communityCards(deps.cards).notice(
    '已设为社群日报群 · Digest group set',
    md`
每天 10:00 的社群日报会发到本群。The daily community digest (10:00) now comes to this group.
    `,
    'green',
  );
}

export interface BindInput {
  chatId: string;
  chatType: string;
  senderOpenId: string;
  /** A community's code or name to bind; empty: this group becomes a new community. */
  args: string;
}

/**
 * `社群 绑定 [编码|名称]` in a group: the group becomes a community (platform 飞书群), or is tied to one
 * that exists. From then on its join, leave and message events make its 每日指标 rows; members total
 * starts from the group's member count now. Binding the same group again changes nothing.
 */
export async function bindChat(deps: CommunityDeps, input: BindInput, now: Date): Promise<Card> {
  const cards = communityCards(deps.cards);
  if (input.chatType !== 'group')
    throw new ValidationError('请在要绑定的群里 @我 发送「社群 绑定」 · Send this in the group, @mentioning me');
  await mayBind(deps, input.senderOpenId);
  const db = deps.database.db;
  const already = await repo.byChat(db, input.chatId);
  const typed = input.args.trim();
  if (already && (!typed || typed === already.code || typed === already.name)) return boundCard(already, null, false);
  if (already)
    throw new ConflictError(
      `本群已绑定为社群「${already.name}」（${already.code}） · This group is already a community`,
    );

  const info = await chatInfo(deps, input.chatId);
  let community: CommunityRow;
  if (typed) {
    const found = await repo.find(db, typed);
    if (!found)
      throw new ValidationError(
        `没有编码或名称为「${typed.slice(0, 40)}」的社群；发送「社群 绑定」把本群建为新社群 · No such community; send it without a name to ` +
          `make this group one`,
      );
    if (found.feishuChatId && found.feishuChatId !== input.chatId)
      throw new ConflictError(`社群「${found.name}」已绑定另一个群 · That community is bound to another group`);
    await db
      .update(communities)
      .set({ feishuChatId: input.chatId, updatedAt: now })
      .where(eq(communities.id, found.id));
    community = (await repo.byId(db, found.id))!;
  } else {
    const made = CommunityInput.parse({
      code: `feishu-${input.chatId.replace(/^oc_/, '').slice(-10)}`,
      name: info.name.slice(0, 100),
      platform: 'feishu',
      operatorOpenId: input.senderOpenId,
      feishuChatId: input.chatId,
    });
    community = (await upsertCommunities(db, [made], now))[0]!.community;
  }
  await deps.onCommunityChanged?.(community);
  // The member count now is where members total starts; joins and leaves from here move it.
  await recordBaseline(deps, community, info.userCount, now);
  return boundCard(community, info.userCount, true);

  function boundCard(c: CommunityRow, members: number | null, fresh: boolean): Card {
    return cards.notice(
      fresh ? '已绑定社群 · Group bound as a community' : '本群已是社群 · This group is already a community',
      md`**社群 Community** ${c.name} · ${c.code}${members === null ? '' : md` · **当前成员 Members now** ${members}`}
入群、退群与群消息由本群事件统计，每天写入每日指标。Joins, leaves and messages in this group are counted from its events into the daily metrics.`,
      'green',
    );
  }
}

async function recordBaseline(deps: CommunityDeps, c: CommunityRow, members: number, now: Date): Promise<void> {
  const day = calendarDay(now, deps.timeZone);
  await deps.database.transaction(async (tx) => {
    await chatRepo.lockCommunity(tx, c.id);
    const fresh = await chatRepo.insertFacts(tx, [
      {
        key: `bind:${c.id}:${c.feishuChatId}`,
        communityId: c.id,
        day,
        kind: 'baseline',
        openId: null,
        members,
        eventId: null,
        at: now,
      },
    ]);
    if (fresh.size > 0) await chatRepo.recomputeDays(tx, c.id, day, (await chatRepo.lastDay(tx, c.id)) ?? day, now);
  });
}
