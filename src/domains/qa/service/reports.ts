import { ForbiddenError, NotFoundError } from '../../../core/errors.js';
import type { Person } from '../../directory/service.js';
import { meanInterval, rateInterval, type Interval } from '../logic/precision.js';
import { qaRepo } from '../repository.js';
import {
  rollupItems,
  rollupItemsByAgent,
  rollupReviews,
  rollupSpan,
  type RollupFilter,
  type RollupRow,
} from '../rollup-repository.js';
import { isQaLead, type QaDeps } from './context.js';

/**
 * A rollup with its sampling-weighted intervals (null: not enough data). The weighted sums the intervals are computed
 * from stay behind: half of a year's summary by agent was those sums, which no reader shows.
 */
export interface Figures extends Omit<RollupRow, 'passSums' | 'scoreSums'> {
  /** Weighted pass rate (Hájek) with its Wilson interval. */
  pass: Interval | null;
  /** Weighted average score with its interval. */
  scoreCi: Interval | null;
}

export interface Named extends Figures {
  name: string;
}

export interface QaSummary {
  from: string;
  to: string;
  /** The confidence level of every interval. */
  confidence: number;
  totals: Figures | null;
  byAgent: Named[];
  byTeam: Named[];
  byChannel: Named[];
  byInspector: Named[];
  byItem: Array<{
    version: number;
    code: string;
    name: string;
    reviews: number;
    avgDeduction: number | null;
    deductionRate: number | null;
  }>;
  /**
   * Training needs: per criterion (scorecard version), the agents deducted on it at least `repeat` times in the
   * period — a suggested training group — most agents first; the agent × criterion matrix behind it is `agents`.
   */
  training: {
    repeat: number;
    groups: Array<{
      version: number;
      code: string;
      name: string;
      agents: Array<{ key: string; name: string; deducted: number; reviews: number }>;
    }>;
  };
}

/**
 * Every rollup of a period with the names people know (agents, teams, channels, criteria), read from the stored
 * rollups (whole days) and the period's partial days.
 */
export async function summary(x: QaDeps, f: RollupFilter): Promise<QaSummary> {
  const db = x.database;
  const span = await rollupSpan(db, f);
  // Side by side on the pool, each without parallel workers (Database.read).
  const [totals, agents, teams, channels, inspectors, items, agentItems] = await Promise.all([
    db.read((r) => rollupReviews(r, f, 'all', span)),
    db.read((r) => rollupReviews(r, f, 'agent', span)),
    db.read((r) => rollupReviews(r, f, 'team', span)),
    db.read((r) => rollupReviews(r, f, 'channel', span)),
    db.read((r) => rollupReviews(r, f, 'inspector', span)),
    db.read((r) => rollupItems(r, f, span)),
    db.read((r) => rollupItemsByAgent(r, f, span)),
  ]);
  const people = new Map((await x.directory.people()).map((p) => [p.openId, p.name]));
  const teamNames = new Map((await x.directory.teams()).map((t) => [t.key, t.name]));
  const channelNames = (await x.settings.channels.get()).names;
  const criteria = new Map<string, string>();
  for (const v of await qaRepo.scorecards(db.db, [...new Set(items.map((i) => i.version))]))
    for (const c of v.criteria) criteria.set(`${v.version}:${c.code}`, c.name);
  const policy = await x.settings.policy.get();
  const precision = policy.precision;
  const groups = new Map<string, QaSummary['training']['groups'][number]>();
  for (const r of agentItems) {
    if (r.deducted < policy.trainingRepeat) continue;
    const key = `${r.version}:${r.code}`;
    const g = groups.get(key) ?? { version: r.version, code: r.code, name: criteria.get(key) ?? r.code, agents: [] };
    g.agents.push({ key: r.agent, name: people.get(r.agent) ?? r.agent, deducted: r.deducted, reviews: r.reviews });
    groups.set(key, g);
  }
  for (const g of groups.values()) g.agents.sort((a, b) => b.deducted - a.deducted || a.name.localeCompare(b.name));
  const figures = ({ passSums, scoreSums, ...r }: RollupRow): Figures => ({
    ...r,
    pass: rateInterval(passSums, precision),
    scoreCi: meanInterval(scoreSums, precision),
  });
  const name = (rows: RollupRow[], of: (k: string) => string | undefined) =>
    rows.map((r) => ({ ...figures(r), name: of(r.key) ?? (r.key || '—') }));
  return {
    from: f.from.toISOString(),
    to: f.to.toISOString(),
    confidence: precision.confidence,
    totals: totals[0] ? figures(totals[0]) : null,
    byAgent: name(agents, (k) => people.get(k)),
    byTeam: name(teams, (k) => teamNames.get(k)),
    byChannel: name(channels, (k) => channelNames[k]),
    byInspector: name(inspectors, (k) => people.get(k)),
    byItem: items.map((i) => ({ ...i, name: criteria.get(`${i.version}:${i.code}`) ?? i.code })),
    training: {
      repeat: policy.trainingRepeat,
      groups: [...groups.values()].sort(
        (a, b) => b.agents.length - a.agents.length || a.version - b.version || a.code.localeCompare(b.code),
      ),
    },
  };
}

/**
 * Whose report `who` may read with `质检报告 [target]`: the QA lead, managers and admins any team or
 * agent; a team lead their own teams and those teams' agents; anyone else nothing. The target is a
 * team key or name, or an agent's name or open_id; none = everything they may see.
 */
export async function reportScope(
  x: QaDeps,
  who: string,
  target: string,
): Promise<{ filter: Pick<RollupFilter, 'team' | 'teams' | 'agent'>; title: string }> {
  const me = await x.directory.person(who);
  const all = isQaLead(me) || !!me?.roles.some((r) => r === 'manager' || r === 'admin');
  const teams = await x.directory.teams();
  const led = teams.filter((t) => t.leadOpenId === who || t.managerOpenId === who).map((t) => t.key);
  const mine = all
    ? teams.map((t) => t.key)
    : me?.roles.includes('lead')
      ? [...new Set([...led, ...(me?.teams ?? [])])]
      : [];
  if (!all && mine.length === 0)
    throw new ForbiddenError('质检报告仅限组长和质检主管 · Only team leads and the QA lead can read QA reports');
  const t = target.trim();
  if (!t) return { filter: all ? {} : { teams: mine }, title: all ? '全部 All teams' : '我的团队 My teams' };
  const team = teams.find((x) => x.key === t || x.name === t);
  if (team) {
    if (!mine.includes(team.key)) throw new ForbiddenError(`你无权查看「${team.name}」的质检报告 · Not your team`);
    return { filter: { team: team.key }, title: team.name };
  }
  const people = await x.directory.people();
  const named = people.filter((p: Person) => p.openId === t || p.name === t);
  if (named.length > 1)
    throw new NotFoundError('客服 agent', `${t}（重名，请用 open_id · several people have this name）`);
  const agent = named[0];
  if (!agent) throw new NotFoundError('团队或客服 team or agent', t);
  if (!all && !agent.teams.some((k) => mine.includes(k)))
    throw new ForbiddenError(`你无权查看「${agent.name}」的质检报告 · Not on your team`);
  return { filter: { agent: agent.openId }, title: agent.name };
}
