import type { Team } from '../../directory/service.js';
import type { CaseRow, HistoryRow, ViewExtras } from '../repository.js';

/**
 * What a click already read, kept with the case row object it belongs to, so neither the change nor
 * the card drawn right after reads it again. Every entry is as of that row's version: history,
 * escalation steps and approvals only change in a transaction that also bumps the case's version
 * (commitChange, createCase), and the row came from the same statement (caseForCard) or from the
 * transaction that wrote it. Keyed by the object, so it lives as long as the row and never outlives
 * a change. The team is what authorization read a moment before (a directory row, not versioned).
 */
export interface ReadOnce {
  history?: readonly HistoryRow[];
  extras?: ViewExtras;
  team?: Team | null;
}

const kept = new WeakMap<object, ReadOnce>();

export function keep(row: Pick<CaseRow, 'teamKey'>, reads: ReadOnce): void {
  kept.set(row, { ...kept.get(row), ...reads });
}

export const keptFor = (row: Pick<CaseRow, 'teamKey'>): ReadOnce => kept.get(row) ?? {};

/** The team read for `from` still names `to`'s team when the change left the team alone. */
export function keepTeam(from: CaseRow, to: CaseRow): void {
  const { team } = keptFor(from);
  if (team !== undefined && from.teamKey === to.teamKey) keep(to, { team });
}
