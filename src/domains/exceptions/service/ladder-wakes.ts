import type { CaseRow } from '../repository.js';
import type { Rules } from '../rules.js';

/**
 * What the sweep remembers between ticks, per process: for each open case, the version it read
 * and the instant before which its ladder cannot change (`nextLadderChange`). A case is read
 * again once that instant is near, once it changed (any change raises its version, a ladder step
 * sent too), or once the rules changed (a new rules object: every case is read again, so stored
 * due and breach times follow an SLA or calendar edit within one sweep). Another instance taking
 * the next slot starts with an empty memory and reads every case once.
 */
export class LadderWakes {
  private rules: Rules | null = null;
  private readonly byCase = new Map<number, { version: number; wakeAt: number }>();

  /** The open cases whose clocks must be read at `now`; cases no longer open are forgotten. */
  due<C extends Pick<CaseRow, 'id' | 'version'>>(rules: Rules, cases: readonly C[], now: Date): C[] {
    if (rules !== this.rules) {
      this.byCase.clear();
      this.rules = rules;
    }
    const open = new Set<number>();
    const out: C[] = [];
    for (const c of cases) {
      open.add(c.id);
      const known = this.byCase.get(c.id);
      if (!known || known.version !== c.version || now.getTime() >= known.wakeAt) out.push(c);
    }
    for (const id of this.byCase.keys()) if (!open.has(id)) this.byCase.delete(id);
    return out;
  }

  /** After reading `c`'s clock: nothing to do for it before `wakeAt` (ms). */
  remember(c: Pick<CaseRow, 'id' | 'version'>, wakeAt: number): void {
    this.byCase.set(c.id, { version: c.version, wakeAt });
  }
}

const byService = new WeakMap<object, LadderWakes>();
/** The memory of one service instance (keyed by its deps object). */
export function ladderWakesOf(owner: object): LadderWakes {
  let w = byService.get(owner);
  if (!w) byService.set(owner, (w = new LadderWakes()));
  return w;
}
