import { levelOf, type DashboardScope } from '../../../dashboard/access.js';
import { ForbiddenError } from '../../../core/errors.js';
import { directoryOf } from '../../directory/service.js';
import type { CommunityDeps } from './deps.js';

/** Which communities a report shows the person who asked: every one, those of some teams, or those they operate. */
export interface Reach {
  /** Undefined: no team limit; otherwise only the communities of these teams ([] shows none). */
  teams?: readonly string[];
  /** Only the communities this person operates (the dashboard's level `own`). */
  operator?: string;
  /**
   * With `teams`: also the communities this person operates outside those teams (a lead who runs some
   * communities themselves, in another team or in none, still sees them).
   */
  alsoOperator?: string;
  /** Whose picture it is, for the card's subtitle. */
  label?: string;
}

export const EVERY_COMMUNITY: Reach = {};

/** A reach as the rollups' filters (rollup-repository.ts `ReachQuery`). */
export const reachFilters = (reach: Reach) => ({
  teams: reach.teams,
  operator: reach.operator,
  alsoOperator: reach.alsoOperator,
});

/**
 * A community (or an alert on one) is in the reach: in one of its teams (or run by `alsoOperator`) and run by
 * its operator, when limited.
 */
export const inReach = (reach: Reach, c: { team: string | null; operator: string | null }): boolean =>
  (!reach.teams ||
    (c.team !== null && reach.teams.includes(c.team)) ||
    (reach.alsoOperator !== undefined && c.operator === reach.alsoOperator)) &&
  (!reach.operator || c.operator === reach.operator);

/**
 * The reach of a report asked for in chat, by the dashboard's rule for the community tab (ACCESS_POLICY), so chat
 * never shows more or less than the tab: level `all` (managers, admins) every community; `team` (a community
 * operator who is a lead) the communities of the teams they are in or lead and those they operate themselves
 * outside them; `own` (a community operator) the communities they operate, on every platform and in every team.
 * Anyone the tab has no level for is refused.
 * No one asking (the scheduled digest to the operators' group) is every community.
 */
export async function reachOf(x: Pick<CommunityDeps, 'database'>, openId: string | undefined): Promise<Reach> {
  if (!openId) return EVERY_COMMUNITY;
  const directory = directoryOf(x.database);
  const person = await directory.person(openId);
  const level = person?.active ? levelOf('community', person.roles) : null;
  if (!person || !level)
    throw new ForbiddenError(
      '社群报表只给社群运营、组长、经理和管理员看 · Community reports are for community operators, their leads, ' +
        'managers and admins',
    );
  if (level === 'all') return EVERY_COMMUNITY;
  if (level === 'own') return { operator: openId, label: `${person.name} 运营的社群 · own communities` };
  const all = await directory.teams();
  const mine = all.filter((t) => person.teams.includes(t.key) || t.leadOpenId === openId || t.managerOpenId === openId);
  return {
    teams: mine.map((t) => t.key),
    alsoOperator: openId,
    label: `${mine.map((t) => t.name).join('、') || '无团队 no team'} · 及本人运营的社群 and own`,
  };
}

/** What the community tab asks for: a team and a person to filter by (both optional). */
export interface TabAsk {
  team?: string | undefined;
  operator?: string | undefined;
}

/**
 * The community tab's reach for a signed-in person, by the same rule as chat (reachOf): level `all` what was
 * asked; `own` the viewer's own communities (another person → 403); `team` one of their teams when asked
 * (another team → 403), else every team of theirs and the communities they operate themselves outside them.
 */
export function tabReach(scope: DashboardScope, asked: TabAsk): Reach {
  const team = scope.team(asked.team);
  const operator = scope.person(asked.operator);
  const base = { ...(operator ? { operator } : {}) };
  if (team) return { ...base, teams: [team] };
  if (scope.level !== 'team') return base;
  return { ...base, teams: scope.teams, alsoOperator: scope.openId };
}
