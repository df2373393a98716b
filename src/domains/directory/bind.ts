import { eq } from 'drizzle-orm';
import { joinMarkdown, md, mention } from '../../core/cards/markdown.js';
import type { CardRenderer, Card } from '../../core/cards/render.js';
import type { CommandContext, EventContext } from '../../core/contexts.js';
import { ForbiddenError, ValidationError } from '../../core/errors.js';
import type { Database, Db } from '../../db/client.js';
import type { Feishu } from '../../feishu/index.js';
import type { BitableMirror } from '../../mirror/index.js';
import { quote } from '../../mirror/mirror-ddl.js';
import { directoryTeams } from './schema.js';
import type { Directory } from './service.js';
import { teamKeyOf } from './sync/people.js';

export interface BindDeps {
  db: Db;
  database: Database;
  directory: Directory;
  mirror: BitableMirror;
  feishu: Pick<Feishu, 'messages'>;
  cards: CardRenderer;
}

export const BIND_USAGE = '绑定 <团队名称或编码> · bind <team>';

interface TeamRow {
  recordId: string;
  key: string;
  name: string;
}

/** 团队 rows as the mirror holds them, with the key the directory uses. */
async function teamRows(x: BindDeps): Promise<TeamRow[]> {
  const { rows } = await x.database.query<{ record_id: string; code: string | null; name: string | null }>(
    `select record_id, code, name from ${quote(x.mirror.tableName('teams'))} order by record_id`,
  );
  return rows.flatMap((r) => {
    const key = r.code ? teamKeyOf(r.code) : undefined;
    return key ? [{ recordId: r.record_id, key, name: r.name?.trim() || key }] : [];
  });
}

/** A team named by its code, its full name, or the name's first word (物流组 for "物流组 Logistics"). */
function findTeam(rows: readonly TeamRow[], typed: string): TeamRow | undefined {
  const t = typed.trim().toLowerCase();
  return (
    rows.find((r) => r.key.toLowerCase() === t || r.name.toLowerCase() === t) ??
    rows.find((r) => r.name.split(/\s+/)[0]!.toLowerCase() === t)
  );
}

/**
 * `@bot 绑定 <团队>` in a group: writes the group's chat id into 团队.群聊ID (the staff's record) and
 * the directory at once. Only the team's lead or manager, or an admin, may; anyone else is told who can.
 */
export async function bindChat(x: BindDeps, ctx: Pick<CommandContext, 'args' | 'chat' | 'sender'>): Promise<Card> {
  if (ctx.chat.type !== 'group')
    throw new ValidationError(
      '请在要绑定的群里 @我 发送「绑定 <团队>」 · Send this in the group you want to bind, @mentioning me',
    );
  const typed = ctx.args.trim();
  const rows = await teamRows(x);
  const known = rows.map((r) => r.name).join('、') || '（团队表为空 · no teams yet）';
  if (!typed)
    throw new ValidationError(
      `请写上团队，如「绑定 ${rows[0]?.name.split(/\s+/)[0] ?? '物流组'}」。可选：${known} · Name the team`,
    );
  const row = findTeam(rows, typed);
  if (!row) throw new ValidationError(`没有名为「${typed.slice(0, 40)}」的团队。可选：${known} · No such team`);
  const team = await x.directory.team(row.key);
  const person = await x.directory.person(ctx.sender.openId);
  const allowed =
    team?.leadOpenId === ctx.sender.openId ||
    team?.managerOpenId === ctx.sender.openId ||
    (person?.active === true && person.roles.includes('admin'));
  if (!allowed)
    throw new ForbiddenError(
      `只有「${row.name}」的组长、主管或管理员可以绑定群聊 · Only the team's lead, its manager or an admin may bind its group`,
    );
  if (team?.chatId !== ctx.chat.id) {
    await x.mirror.writeRecords('teams', [{ recordId: row.recordId, values: { chat_id: ctx.chat.id } }], {
      key: `directory:bind:${row.key}:${ctx.chat.id}`,
    });
    await x.db.update(directoryTeams).set({ chatId: ctx.chat.id }).where(eq(directoryTeams.key, row.key));
  }
  const content = joinMarkdown([
    md`本群已绑定为 **${row.name}** 的团队群：该团队的新工单卡片会发到这里。This group is now ${
      row.name
    }'s team group: its new case cards come here.`,
    md`**操作人 By** ${mention(ctx.sender.openId)}`,
  ]);
  return x.cards.render('directory/bound', { team: row.name, content });
}

/** `im.chat.member.bot.added_v1`: a greeting in the group that says how to bind it (FEISHU.md §m.4). */
export async function greetGroup(x: BindDeps, ctx: EventContext): Promise<void> {
  const event = ctx.event as { chat_id?: unknown; name?: unknown };
  if (typeof event.chat_id !== 'string' || !event.chat_id) return;
  const rows = await teamRows(x);
  const unbound = [];
  for (const r of rows) if (!(await x.directory.team(r.key))?.chatId) unbound.push(r.name);
  const teams = unbound.length
    ? md`**尚未绑定群聊的团队 Teams without a group** ${unbound.join('、')}`
    : md`
所有团队都已绑定群聊 · Every team has a group.
      `;
  const card = x.cards.render('directory/greeting', { chat: typeof event.name === 'string' ? event.name : '', teams });
  await x.feishu.messages.send({ to: { chatId: event.chat_id }, card, key: ctx.key('greeting') });
}
