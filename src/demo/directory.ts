import type { Directory, PersonInput, TeamInput } from '../domains/directory/service.js';
import { DEMO_PEOPLE, demoOpenId, type SandboxStateView } from '../sandbox/index.js';

/**
 * The demo company's directory for the bot, derived from the sandbox tenant: who holds which
 * role, which teams they serve and which group chat each team works in. With a real Feishu app
 * this comes from the 人员与角色 Bitable table instead.
 */
const ROLE_OF: Record<string, string[]> = {
  cs_agent: ['agent'],
  cs_team_lead: ['agent', 'lead'],
  qa_inspector: ['qa_inspector'],
  qa_lead: ['qa_inspector', 'qa_lead', 'lead'],
  warehouse: ['warehouse'],
  refund_dispute: ['refund_dispute', 'agent'],
  legal: ['legal'],
  finance: ['finance'],
  community_operator: ['community_operator'],
  manager: ['manager'],
};

// Team key → the demo group it works in, its lead and its manager (person keys).
const TEAMS: Array<{ key: string; name: string; group: string; lead: string; manager: string; members: (p: (typeof DEMO_PEOPLE)[number]) => boolean }> = [
  { key: 'customer_service', name: '客服中心 Customer Service', group: 'cs_tmall', lead: 'zhaomin', manager: 'yangfan', members: (p) => p.department.startsWith('cs_') },
  { key: 'refund_dispute', name: '售后纠纷组 Refunds & Disputes', group: 'refund', lead: 'dongjie', manager: 'yangfan', members: (p) => p.department === 'refund' },
  { key: 'warehouse', name: '仓储物流部 Warehouse', group: 'warehouse', lead: 'fengqiang', manager: 'qinlan', members: (p) => p.department === 'warehouse' },
  { key: 'logistics', name: '物流 Logistics', group: 'warehouse', lead: 'fengqiang', manager: 'qinlan', members: (p) => p.department === 'warehouse' },
  { key: 'finance', name: '财务部 Finance', group: 'finance', lead: 'shentao', manager: 'qinlan', members: (p) => p.department === 'finance' },
  { key: 'qa', name: '质检组 Quality Assurance', group: 'qa', lead: 'zhengxue', manager: 'yangfan', members: (p) => p.department === 'qa' },
  { key: 'legal', name: '法务部 Legal', group: 'legal', lead: 'yuanyuan', manager: 'qinlan', members: (p) => p.department === 'legal' },
  { key: 'community', name: '社群运营部 Community', group: 'community', lead: 'luting', manager: 'qinlan', members: (p) => p.department === 'community' },
];

const EXTRA_ROLES: Record<string, string[]> = {
  fengqiang: ['lead'],
  dongjie: ['lead'],
  shentao: ['lead', 'finance_director'],
  yuanyuan: ['lead'],
  luting: ['lead'],
};

export function demoDirectory(state: SandboxStateView): { people: PersonInput[]; teams: TeamInput[] } {
  const chats = state.chats();
  const people = DEMO_PEOPLE.map((p): PersonInput => {
    const teams = TEAMS.filter((t) => t.members(p)).map((t) => t.key);
    const team = TEAMS.find((t) => t.members(p));
    return {
      openId: demoOpenId(p.key),
      name: p.name,
      enName: p.en_name,
      email: `${p.key}@demo-retail.cn`,
      teams,
      roles: [...new Set([...(ROLE_OF[p.role] ?? []), ...(EXTRA_ROLES[p.key] ?? [])])],
      channel: p.channel ?? null,
      managerOpenId: team ? demoOpenId(team.lead === p.key ? team.manager : team.lead) : null,
      active: true,
    };
  });
  const teams = TEAMS.map((t): TeamInput => ({
    key: t.key,
    name: t.name,
    chatId: chats.find((c) => c.chat_type === 'group' && c.team === t.group)?.chat_id ?? null,
    leadOpenId: demoOpenId(t.lead),
    managerOpenId: demoOpenId(t.manager),
  }));
  return { people, teams };
}

export async function seedDemoDirectory(directory: Directory, state: SandboxStateView): Promise<void> {
  const { people, teams } = demoDirectory(state);
  await directory.upsertTeams(teams);
  await directory.upsertPeople(people);
}
