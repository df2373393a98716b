import { levelOf } from '../../../dashboard/access.js';
import { directoryOf } from '../../directory/service.js';
import type { CommunityDeps } from './deps.js';

/** Which communities a report shows the person who asked: every one, or those of some directory teams. */
export interface Reach {
  /** Undefined: every community; otherwise only the communities of these teams ([] shows none). */
  teams?: readonly string[];
  /** The teams' names, for the card's subtitle. */
  label?: string;
}

export const EVERY_COMMUNITY: Reach = {};

/**
 * The reach of a report asked for in chat, by the dashboard's rule for the community tab (ACCESS_POLICY):
 * a team lead (community_operator + lead, not a manager) sees the communities of the teams they are in or
 * lead; everyone else the whole picture, as before teams existed.
 */
export async function reachOf(x: Pick<CommunityDeps, 'database'>, openId: string | undefined): Promise<Reach> {
  if (!openId) return EVERY_COMMUNITY;
  const directory = directoryOf(x.database);
  const person = await directory.person(openId);
  if (!person?.active || levelOf('community', person.roles) !== 'team') return EVERY_COMMUNITY;
  const all = await directory.teams();
  const mine = all.filter((t) => person.teams.includes(t.key) || t.leadOpenId === openId || t.managerOpenId === openId);
  return { teams: mine.map((t) => t.key), label: mine.map((t) => t.name).join('、') || '无团队 no team' };
}
