import fc from 'fast-check';
import { CaseState as CaseStateEnum } from '../../../../src/domains/exceptions/logic/case.js';
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

/** Random histories from `openedAt`: 1…`maxLength` states, each 1 minute to 3 days after the last. */
export function randomHistories(openedAt: Date, maxLength: number): fc.Arbitrary<StateChange[]> {
  return fc
    .array(
      fc.record({ state: fc.constantFrom(...CaseStateEnum.options), gap: fc.integer({ min: 1, max: 3 * 1440 }) }),
      { minLength: 1, maxLength },
    )
    .map((steps) => {
      let t = openedAt.getTime();
      return steps.map(({ state, gap }, i): StateChange => {
        if (i > 0) t += gap * 60_000;
        return { state, at: new Date(t) };
      });
    });
}
