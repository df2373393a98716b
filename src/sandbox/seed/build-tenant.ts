import { newId, stableHex } from '../ids.js';
import type { SandboxChat, SandboxCredentials, SandboxDepartment, SandboxState, SandboxUser } from '../state/types.js';
import { DEMO_DEPARTMENTS, DEMO_GROUPS, DEMO_PEOPLE } from './demo-people.js';

export function newCredentials(): SandboxCredentials {
  return {
    appId: newId.appId(),
    appSecret: newId.secret(),
    encryptKey: newId.secret(),
    verificationToken: newId.secret(),
  };
}

// Ids are derived from the person's key, so a re-seed (or another machine) yields the same open_ids.
export function demoOpenId(key: string): string {
  return `ou_${stableHex(`open:${key}`, 32)}`;
}

function departments(): SandboxDepartment[] {
  return DEMO_DEPARTMENTS.map((d) => ({
    department_id: `d_${d.key}`,
    open_department_id: `od-${stableHex(`dept:${d.key}`, 32)}`,
    name: d.name,
    en_name: d.en_name,
    parent_department_id: d.parent ? `d_${d.parent}` : '0',
  }));
}

function users(): SandboxUser[] {
  return DEMO_PEOPLE.map((p, i) => ({
    open_id: demoOpenId(p.key),
    user_id: stableHex(`user:${p.key}`, 8),
    union_id: `on_${stableHex(`union:${p.key}`, 32)}`,
    name: p.name,
    en_name: p.en_name,
    email: `${p.key}@demo-retail.cn`,
    mobile: `+8613800${String(1000 + i * 37).padStart(6, '0')}`,
    department_ids: [`d_${p.department}`],
    job_title: p.title,
    role: p.role,
    ...(p.channel ? { channel: p.channel } : {}),
  }));
}

function memberKeys(members: string[]): string[] {
  const keys = new Set<string>();
  for (const m of members) {
    const inDept = DEMO_PEOPLE.filter((p) => p.department === m);
    if (inDept.length > 0) inDept.forEach((p) => keys.add(p.key));
    else if (DEMO_PEOPLE.some((p) => p.key === m)) keys.add(m);
  }
  return [...keys];
}

function chats(at: number): SandboxChat[] {
  const groups: SandboxChat[] = DEMO_GROUPS.map((g) => {
    const keys = memberKeys(g.members);
    return {
      chat_id: `oc_${stableHex(`chat:${g.key}`, 32)}`,
      chat_type: 'group',
      name: g.name,
      description: g.description,
      owner_open_id: demoOpenId(keys[0]!),
      members: keys.map(demoOpenId),
      team: g.key,
      create_time: at,
    };
  });
  const p2p: SandboxChat[] = DEMO_PEOPLE.map((p) => ({
    chat_id: `oc_${stableHex(`p2p:${p.key}`, 32)}`,
    chat_type: 'p2p',
    name: '',
    description: '',
    owner_open_id: demoOpenId(p.key),
    members: [demoOpenId(p.key)],
    p2p_user: demoOpenId(p.key),
    create_time: at,
  }));
  return [...groups, ...p2p];
}

/** A fresh demo tenant: departments, ~40 people with roles, team groups, the bot's p2p chats. */
export function buildTenant(at: number, credentials: SandboxCredentials = newCredentials()): SandboxState {
  const all = departments();
  const people = users();
  for (const dept of all) {
    const leader = DEMO_PEOPLE.find(
      (p) => `d_${p.department}` === dept.department_id && ['cs_team_lead', 'qa_lead', 'manager'].includes(p.role),
    );
    if (leader) dept.leader_user_id = demoOpenId(leader.key);
  }
  return {
    version: 1,
    credentials,
    tenant: { tenant_key: stableHex('tenant', 16), name: '云栖零售（演示）Yunqi Retail Demo' },
    bot: { open_id: `ou_${stableHex('bot', 32)}`, name: '运营助手', en_name: 'OpsBot' },
    departments: all,
    users: people,
    chats: chats(at),
    messages: [],
    tokens: {},
    cardTokens: {},
    uuids: {},
    clientTokens: {},
    apps: {},
    subscriptions: {},
  };
}
