import type { FastifyRequest } from 'fastify';
import { AppError, ForbiddenError } from '../core/errors.js';
import type { Db } from '../db/client.js';
import { directoryOf, type Directory } from '../domains/directory/service.js';
import { TAB_KEYS, type TabKey } from './tabs.js';

/**
 * Who sees what on the dashboard, decided by the roles in the directory (人员与角色.角色, as
 * src/domains/directory/sync/people.ts words them). Every /api/dashboard/<tab>/ endpoint asks
 * through `guard(tab)`: no or forged session → 401, a tab the person has no role for → 403, and
 * the endpoint narrows its rows with the scope (`scopeOf(req)`): another team's data → 403.
 *
 *   all  — every row of the tab (managers; legal and finance for contracts; the QA lead for QA)
 *   team — rows of the viewer's teams (a team lead; members of the teams that work exceptions)
 *   own  — the viewer's own rows: an agent's QA results, an inspector's queue and calibration,
 *          an operator's communities, a contract's handler
 */
export type Level = 'all' | 'team' | 'own';

interface Rule {
  /** Every one of these roles is needed. */
  roles: readonly string[];
  level: Level;
}

const EVERYTHING: Rule[] = [
  { roles: ['manager'], level: 'all' },
  { roles: ['admin'], level: 'all' },
];

/** First matching rule wins, so the broadest reach comes first. Data, not code: edit freely. */
export const ACCESS_POLICY: Readonly<Record<TabKey, readonly Rule[]>> = {
  qa: [
    ...EVERYTHING,
    // The QA lead runs QA for every team: the role qa_lead, or an inspector who is also a lead (as isQaLead in
    // src/domains/qa/service/context.ts reads the directory).
    { roles: ['qa_lead'], level: 'all' },
    { roles: ['qa_inspector', 'lead'], level: 'all' },
    { roles: ['lead'], level: 'team' },
    { roles: ['qa_inspector'], level: 'own' }, // their queue and the calibrations they are in
    { roles: ['agent'], level: 'own' }, // their own results
  ],
  exceptions: [
    ...EVERYTHING,
    { roles: ['finance_director'], level: 'all' },
    { roles: ['lead'], level: 'team' },
    { roles: ['refund_dispute'], level: 'team' },
    { roles: ['warehouse'], level: 'team' },
    { roles: ['finance'], level: 'team' },
    { roles: ['agent'], level: 'team' },
  ],
  contracts: [
    ...EVERYTHING,
    { roles: ['legal'], level: 'all' },
    { roles: ['finance'], level: 'all' },
    { roles: ['finance_director'], level: 'all' },
    { roles: ['procurement'], level: 'own' }, // the contracts they handle
  ],
  community: [
    ...EVERYTHING,
    { roles: ['community_operator', 'lead'], level: 'team' },
    { roles: ['community_operator'], level: 'own' }, // the communities they operate
  ],
};

export interface DashboardScope {
  tab: TabKey;
  level: Level;
  /** The signed-in person. */
  openId: string;
  name: string;
  roles: readonly string[];
  /** Teams whose rows this person reads at level `team` (their own teams and those they lead); [] otherwise. */
  teams: readonly string[];
  /**
   * The team a request may filter by: at `all` the requested one (undefined = every team); at
   * `team` the requested one if it is theirs (403 if not), else undefined = all of `teams`; at
   * `own` a requested team is refused (403): the rows are the person's own.
   */
  team(requested: string | undefined): string | undefined;
  /**
   * The person a request may filter by: at `own` always the viewer (another person → 403); at
   * `all` the requested one; at `team` the requested one, which the endpoint must still find in `teams`.
   */
  person(requested: string | undefined): string | undefined;
}

export interface TabAccess {
  tab: TabKey;
  level: Level;
}

const denied = () => new ForbiddenError('你无权查看这些数据 · You may not see this data');

/** The level a person with `roles` has on `tab`, or null for none. */
export function levelOf(tab: TabKey, roles: readonly string[]): Level | null {
  const rule = ACCESS_POLICY[tab].find((r) => r.roles.every((role) => roles.includes(role)));
  return rule?.level ?? null;
}

export function createDashboardAccess(directory: Directory) {
  /** The person behind the session, their roles and teams (those they are in and those they lead). */
  async function who(req: FastifyRequest) {
    if (!req.viewer) throw new AppError('unauthorized', '请先登录 · Please sign in');
    const person = await directory.person(req.viewer.openId);
    if (!person?.active) throw new AppError('unauthorized', '请先登录 · Please sign in');
    const led = (await directory.teams())
      .filter((t) => t.leadOpenId === person.openId || t.managerOpenId === person.openId)
      .map((t) => t.key);
    return {
      openId: person.openId,
      name: person.name,
      roles: person.roles,
      teams: [...new Set([...person.teams, ...led])].sort(),
    };
  }

  function scope(tab: TabKey, person: Awaited<ReturnType<typeof who>>): DashboardScope | null {
    const level = levelOf(tab, person.roles);
    if (!level) return null;
    const teams = level === 'team' ? person.teams : [];
    return {
      tab,
      level,
      openId: person.openId,
      name: person.name,
      roles: person.roles,
      teams,
      team(requested) {
        if (requested === undefined || requested === '') return undefined;
        if (level === 'all' || (level === 'team' && teams.includes(requested))) return requested;
        throw new ForbiddenError(`你无权查看团队 ${requested} 的数据 · You may not see team ${requested}'s data`);
      },
      person(requested) {
        if (level === 'own') {
          if (requested !== undefined && requested !== '' && requested !== person.openId)
            throw new ForbiddenError('你只能查看自己的数据 · You may see only your own data');
          return person.openId;
        }
        return requested === '' ? undefined : requested;
      },
    };
  }

  return {
    /** onRequest hook for an /api/dashboard/<tab>/ route: runs before validation, so strangers learn nothing. */
    guard(tab: TabKey) {
      return async (req: FastifyRequest) => {
        const s = scope(tab, await who(req));
        if (!s) throw denied();
        req.dashboardScope = s;
      };
    },

    /** Every tab and what this person may do there (GET /api/dashboard/me). */
    async tabs(
      req: FastifyRequest,
    ): Promise<{ openId: string; name: string; roles: string[]; teams: string[]; tabs: TabAccess[] }> {
      const person = await who(req);
      const tabs = TAB_KEYS.flatMap((tab) => {
        const level = levelOf(tab, person.roles);
        return level ? [{ tab, level }] : [];
      });
      return { ...person, tabs };
    },
  };
}

export type DashboardAccess = ReturnType<typeof createDashboardAccess>;

/** For a domain's setup: `const access = dashboardAccess(deps.database.db)`, then `onRequest: access.guard('qa')`. */
export function dashboardAccess(db: Db): DashboardAccess {
  return createDashboardAccess(directoryOf({ db }));
}

/** The scope `guard` put on this request; a route without the guard is a programming error. */
export function scopeOf(req: FastifyRequest): DashboardScope {
  if (!req.dashboardScope) throw new Error(`route ${req.url} reads the dashboard scope without guard()`);
  return req.dashboardScope;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the dashboard guard: who is asking and how far they may see. */
    dashboardScope: DashboardScope | null;
  }
}
