import type { SeedContext } from '../../core/seed.js';
import type { SandboxStateView } from '../state-view.js';
import { demoOpenId } from './build-tenant.js';
import { DEMO_PEOPLE } from './demo-people.js';

/** The demo company as the modules' seeds read it: people with their open_id, group chats by team. */
export function demoTenant(state: SandboxStateView): SeedContext['tenant'] {
  return {
    people: DEMO_PEOPLE.map((p) => ({
      openId: demoOpenId(p.key),
      key: p.key,
      name: p.name,
      enName: p.en_name,
      department: p.department,
      role: p.role,
      title: p.title,
      channel: p.channel,
    })),
    chats: state
      .chats()
      .flatMap((c) => (c.chat_type === 'group' && c.team ? [{ chatId: c.chat_id, name: c.name, group: c.team }] : [])),
  };
}
