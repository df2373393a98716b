import { levelOf } from '../../../dashboard/access.js';
import { ForbiddenError } from '../../../core/errors.js';
import { directoryOf } from '../../directory/service.js';
import type { CommunityDeps } from './deps.js';

/** Which communities a report shows the person who asked: every one, those of some teams, or those they operate. */
export interface Reach {
  /** Undefined: no team limit; otherwise only the communities of these teams ([] shows none). */
  teams?: readonly string[];
  /** Only the communities this person operates (the dashboard's level `own`). */
  operator?: string;
  /** Whose picture it is, for the card's subtitle. */
  label?: string;
}

export const EVERY_COMMUNITY: Reach = {};

/** A community (or an alert on one) is in the reach: in one of its teams and run by its operator, when limited. */
export const inReach = (reach: Reach, c: { team: string | null; operator: string | null }): boolean =>
  (!reach.teams || (c.team !== null && reach.teams.includes(c.team))) &&
  (!reach.operator || c.operator === reach.operator);

/**
 * The reach of a report asked for in chat, by the dashboard's rule for the community tab (ACCESS_POLICY), so chat
 * never shows more or less than the tab: level `all` (managers, admins) every community; `team` (a community
 * operator who is a lead) the communities of the teams they are in or lead; `own` (a community operator) the
 * communities they operate, on every platform and in every team. Anyone the tab has no level for is refused.
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
  return { teams: mine.map((t) => t.key), label: mine.map((t) => t.name).join('、') || '无团队 no team' };
}
