import type { PersonInput, TeamInput } from '../service.js';
import type { OptionKeys, Parsed, PeopleRow, SyncProblem, TeamRow } from './rows.js';

/** 人员与角色.角色 option keys → the role words the workflows ask the directory for. */
export const ROLE_WORDS: Readonly<Record<string, string>> = {
  agent: 'agent',
  inspector: 'qa_inspector',
  team_lead: 'lead',
  manager: 'manager',
  general_manager: 'manager',
  warehouse: 'warehouse',
  dispute: 'refund_dispute',
  finance: 'finance',
  legal: 'legal',
  community_ops: 'community_operator',
  procurement: 'procurement',
  admin: 'admin',
};

/** A team as synced, with the record ids that link people to it. */
export type SyncedTeam = TeamInput & { recordId: string; memberRecordIds: string[] };

/**
 * 团队编码 as the configuration spells team keys: `WAREHOUSE`, `Refund Dispute` → `warehouse`,
 * `refund_dispute` (the exception kinds name their owning team this way).
 */
export function teamKeyOf(code: string): string | undefined {
  const key = code
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return /^[a-z][a-z0-9_]*$/.test(key) ? key : undefined;
}

/** 团队 rows → teams by record id. Rows without a usable code are skipped; a repeated code keeps the latest edit. */
export function mapTeams(rows: readonly Parsed<TeamRow>[], problems: SyncProblem[]): Map<string, SyncedTeam> {
  const byKey = new Map<string, SyncedTeam>();
  for (const { recordId, row } of rows) {
    const key = row.code ? teamKeyOf(row.code) : undefined;
    if (!key) {
      problems.push({
        table: 'teams',
        recordId,
        message: row.code
          ? `团队编码「${row.code}」只能含字母、数字和下划线 team code must be letters, digits and _`
          : '缺少团队编码 no team code',
      });
      continue;
    }
    const earlier = byKey.get(key);
    if (earlier)
      problems.push({
        table: 'teams',
        recordId: earlier.recordId,
        message: `团队编码 ${key} 重复，以最近修改的一行为准 duplicate team code; the latest edit wins`,
      });
    byKey.set(key, {
      recordId,
      key,
      name: row.name ?? key,
      chatId: row.chat_id,
      leadOpenId: row.lead[0]?.id ?? null,
      managerOpenId: row.manager[0]?.id ?? null,
      active: row.active,
      source: 'bitable',
      memberRecordIds: row.members,
    });
  }
  return new Map([...byKey.values()].map((t) => [t.recordId, t]));
}

/** The role words of a person's 角色 cell; unknown option names are reported and left out. */
function rolesOf(recordId: string, names: readonly string[], options: OptionKeys, problems: SyncProblem[]): string[] {
  const roles = new Set<string>();
  for (const name of names) {
    const word = ROLE_WORDS[options.key('roles', name) ?? ''];
    if (word) roles.add(word);
    else problems.push({ table: 'people', recordId, message: `未知角色「${name}」已忽略 unknown role ignored` });
  }
  // The finance lead decides the top approval band (财务总监), as in the demo company.
  if (roles.has('finance') && roles.has('lead')) roles.add('finance_director');
  return [...roles].sort();
}

/**
 * 人员与角色 rows → people. The person is the 飞书账号 cell (rows without one are skipped); teams
 * come from 所属团队 and from 团队.成员 (the two sides of one link); 在岗 decides whether they get work.
 */
export function mapPeople(
  rows: readonly Parsed<PeopleRow>[],
  teams: ReadonlyMap<string, SyncedTeam>,
  options: OptionKeys,
  problems: SyncProblem[],
): PersonInput[] {
  const byOpenId = new Map<string, PersonInput & { recordId: string }>();
  for (const { recordId, row } of rows) {
    const user = row.user[0];
    if (!user) {
      problems.push({
        table: 'people',
        recordId,
        message: `${row.name ?? '该行'} 缺少飞书账号，已跳过 no Feishu account; skipped`,
      });
      continue;
    }
    const linked = [...teams.values()].filter(
      (t) => row.team.includes(t.recordId) || t.memberRecordIds.includes(recordId),
    );
    const own = linked[0];
    const earlier = byOpenId.get(user.id);
    if (earlier)
      problems.push({
        table: 'people',
        recordId: earlier.recordId,
        message: `${user.id} 出现在多行，以最近修改的一行为准 the same account is on several rows; the latest edit wins`,
      });
    byOpenId.set(user.id, {
      recordId,
      openId: user.id,
      name: row.name ?? user.name ?? user.id,
      enName: user.en_name || null,
      email: row.email,
      teams: [...new Set(linked.map((t) => t.key))].sort(),
      roles: rolesOf(recordId, row.roles, options, problems),
      channel: row.channels.map((c) => options.key('channels', c) ?? c).join(',') || null,
      // 直属组长; if empty, the team's lead (or its manager, for the lead themself).
      managerOpenId: row.lead[0]?.id ?? (own?.leadOpenId !== user.id ? own?.leadOpenId : own?.managerOpenId) ?? null,
      active: row.on_duty,
      source: 'bitable',
    });
  }
  return [...byOpenId.values()].map(({ recordId: _recordId, ...person }) => person);
}
