import type { DemoPerson, SeedContext } from '../../core/seed.js';
import type { BitableMirror } from '../../mirror/index.js';

/**
 * The demo company's people and teams, written into 人员与角色 and 团队 in the sandbox Base —
 * where a real deployment keeps them — and read from there by the same sync. Option names are
 * the templates' (people.json, teams.json).
 */
const ROLES_OF: Readonly<Record<string, string[]>> = {
  cs_agent: ['客服'],
  cs_team_lead: ['客服', '组长'],
  qa_inspector: ['质检员'],
  qa_lead: ['质检员', '组长'],
  warehouse: ['仓库'],
  refund_dispute: ['退款维权', '客服'],
  legal: ['法务'],
  finance: ['财务'],
  community_operator: ['社群运营'],
  manager: ['主管'],
};
// Leads of teams whose demo role says only what they do.
const LEADS = new Set(['fengqiang', 'dongjie', 'shentao', 'yuanyuan', 'luting']);
const CHANNELS: Readonly<Record<string, string>> = {
  tmall: '天猫',
  jd: '京东',
  douyin: '抖音',
  store: '线下门店',
  private: '私域社群',
};

interface DemoTeam {
  code: string;
  name: string;
  function: string;
  group: string;
  lead: string;
  manager: string;
  members: (p: DemoPerson) => boolean;
}

// 团队编码 → the demo group it works in, its lead and manager (person keys), who is in it.
const TEAMS: readonly DemoTeam[] = [
  {
    code: 'customer_service',
    name: '客服中心 Customer Service',
    function: '客服',
    group: 'cs_tmall',
    lead: 'zhaomin',
    manager: 'yangfan',
    members: (p) => p.department.startsWith('cs_'),
  },
  {
    code: 'refund_dispute',
    name: '售后纠纷组 Refunds & Disputes',
    function: '退款维权',
    group: 'refund',
    lead: 'dongjie',
    manager: 'yangfan',
    members: (p) => p.department === 'refund',
  },
  {
    code: 'warehouse',
    name: '仓储物流部 Warehouse',
    function: '仓库',
    group: 'warehouse',
    lead: 'fengqiang',
    manager: 'qinlan',
    members: (p) => p.department === 'warehouse',
  },
  {
    code: 'logistics',
    name: '物流 Logistics',
    function: '仓库',
    group: 'warehouse',
    lead: 'fengqiang',
    manager: 'qinlan',
    members: (p) => p.department === 'warehouse',
  },
  {
    code: 'finance',
    name: '财务部 Finance',
    function: '财务',
    group: 'finance',
    lead: 'shentao',
    manager: 'qinlan',
    members: (p) => p.department === 'finance',
  },
  {
    code: 'qa',
    name: '质检组 Quality Assurance',
    function: '质检',
    group: 'qa',
    lead: 'zhengxue',
    manager: 'yangfan',
    members: (p) => p.department === 'qa',
  },
  {
    code: 'legal',
    name: '法务部 Legal',
    function: '法务',
    group: 'legal',
    lead: 'yuanyuan',
    manager: 'qinlan',
    members: (p) => p.department === 'legal',
  },
  {
    code: 'community',
    name: '社群运营部 Community',
    function: '社群运营',
    group: 'community',
    lead: 'luting',
    manager: 'qinlan',
    members: (p) => p.department === 'community',
  },
];

/**
 * Writes the demo people and teams into Bitable once (an empty 人员与角色 is the sign of a first
 * start). Returns how many people were written; the directory's sync then reads them.
 */
export async function seedDemoDirectory(
  mirror: BitableMirror,
  ctx: SeedContext,
  alreadyThere: () => Promise<boolean>,
): Promise<number> {
  if (await alreadyThere()) return 0;
  const { people, chats } = ctx.tenant;
  const openId = (key: string) => people.find((p) => p.key === key)?.openId;
  const user = (key: string) => {
    const id = openId(key);
    return id ? [{ id }] : null;
  };
  const teamRows = await mirror.writeRecords(
    'teams',
    TEAMS.map((t) => ({
      values: {
        name: t.name,
        code: t.code,
        function: t.function,
        chat_id: chats.find((c) => c.group === t.group)?.chatId ?? null,
        lead: user(t.lead),
        manager: user(t.manager),
        assignment: '轮询',
        active: true,
      },
    })),
    { key: 'demo:directory:teams' },
  );
  const teamRecord = new Map(TEAMS.map((t, i) => [t.code, teamRows[i]!.recordId]));
  const personRows = await mirror.writeRecords(
    'people',
    people.map((p) => {
      const own = TEAMS.find((t) => t.members(p));
      const roles = [...new Set([...(ROLES_OF[p.role] ?? []), ...(LEADS.has(p.key) ? ['组长'] : [])])];
      const channel = p.channel ? CHANNELS[p.channel] : undefined;
      return {
        values: {
          name: p.name,
          user: [{ id: p.openId }],
          roles,
          team: own ? [teamRecord.get(own.code)!] : null,
          channels: channel ? [channel] : null,
          on_duty: true,
          email: `${p.key}@demo-retail.cn`,
          note: p.title,
        },
      };
    }),
    { key: 'demo:directory:people' },
  );
  // 团队.成员 is the other side of 所属团队; a person may serve two teams (the warehouse also handles logistics).
  await mirror.writeRecords(
    'teams',
    TEAMS.map((t) => ({
      recordId: teamRecord.get(t.code)!,
      values: { members: people.flatMap((p, i) => (t.members(p) ? [personRows[i]!.recordId] : [])) },
    })),
    { key: 'demo:directory:members' },
  );
  return people.length;
}
