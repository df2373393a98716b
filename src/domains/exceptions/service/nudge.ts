import { ConflictError } from '../../../core/errors.js';
import { findKind } from '../logic/kinds.js';
import { nudgeDecision } from '../logic/nudges.js';
import { repo } from '../repository.js';
import { nudgePolicyFor } from '../rules.js';
import { commitChange, rulesOf, type ExceptionDeps } from './context.js';
import { missingAwaited } from './fields.js';
import { slices } from '../../../core/slices.js';

/**
 * Reminds the warehouse of every case still waiting for a number, at its kind's interval
 * and only inside working hours. A reminder is a conditional bump of nudge_count plus a unique
 * (case, seq) row, so two ticks at once remind once.
 */
export async function sweepNudges(x: ExceptionDeps, now: Date): Promise<number> {
  const rules = await rulesOf(x);
  let sent = 0;
  // A nudge decision reads the business calendar: slices keep the event loop turning over thousands of waits.
  const turn = slices();
  for (const c of await repo.casesInState(x.database.db, 'waiting_warehouse')) {
    await turn();
    const kind = findKind(rules.kinds, c.kind);
    const missing = kind.ok ? missingAwaited(kind.value, rules.kinds, c.fields) : [];
    const decision = nudgeDecision(
      {
        state: 'waiting_warehouse',
        waitingSince: c.waitingSince ?? c.updatedAt,
        lastNudgeAt: c.lastNudgeAt,
        missingFields: missing,
      },
      nudgePolicyFor(rules, c.kind),
      rules.calendar,
      now,
    );
    const recipient = c.warehouseOpenId ?? c.ownerOpenId;
    if (decision.action !== 'send' || !recipient) continue;
    const seq = c.nudgeCount + 1;
    try {
      await commitChange(x, {
        current: c,
        patch: { lastNudgeAt: now, nudgeCount: seq },
        action: 'nudge',
        actor: null,
        now,
        details: { seq, recipient, missing },
        effects: [{ type: 'card' }, { type: 'nudge', seq, recipientOpenId: recipient }],
        also: async (tx) => {
          if (
            !(await repo.insertNudge(tx.db, {
              caseId: c.id,
              seq,
              recipientOpenId: recipient,
              missingFields: missing,
              sentAt: now,
            }))
          ) {
            throw new ConflictError('nudge already sent', { seq });
          }
        },
      });
      sent++;
      x.log.info({ caseId: c.id, seq, recipient }, 'nudge sent');
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  return sent;
}
