import type { Actor, CaseState, StateChange } from '../../../../src/domains/exceptions/logic/case.js';
import type { CaseSnapshot } from '../../../../src/domains/exceptions/logic/state-machine.js';

/** Shanghai wall time → instant (UTC+8, no DST). */
export const sh = (iso: string): Date => new Date(`${iso}+08:00`);

export const agent = (userId = 'ou_agent'): Actor => ({ userId, roles: ['agent'] });
export const lead = (userId = 'ou_lead'): Actor => ({ userId, roles: ['lead'] });
export const manager = (userId = 'ou_manager'): Actor => ({ userId, roles: ['manager'] });
export const warehouse = (userId = 'ou_wh'): Actor => ({ userId, roles: ['warehouse'] });
export const system: Actor = { userId: 'bot', roles: ['system'] };

export const aCase = (overrides: Partial<CaseSnapshot> = {}): CaseSnapshot & { id: string } => ({
  id: 'EX-1',
  state: 'in_progress',
  ownerId: 'ou_agent',
  approverRole: null,
  ...overrides,
});

/** History from `[state, 'YYYY-MM-DDTHH:MM']` pairs in Shanghai time. */
export const history = (...entries: [CaseState, string][]): StateChange[] =>
  entries.map(([state, at]) => ({ state, at: sh(at) }));
