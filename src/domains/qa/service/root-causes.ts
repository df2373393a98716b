import type { Tx } from '../../../db/client.js';
import { rollupCauses } from '../rollup-causes.js';
import type { RollupFilter } from '../rollup-repository.js';
import { qaRepo } from '../repository.js';
import type { QaDeps } from './context.js';

export interface CauseCount {
  /** A key of `qa.root_causes`, or `''` for deductions without one. */
  key: string;
  name: string;
  count: number;
  /** Of the group's deductions. */
  share: number;
}

export interface CauseGroup {
  key: string;
  name: string;
  deductions: number;
  causes: CauseCount[];
}

/** Root causes of the period's deductions (issue 10 §8): overall and per team / channel / criterion. */
export interface RootCauseReport {
  deductions: number;
  tagged: number;
  byCause: CauseCount[];
  byTeam: CauseGroup[];
  byChannel: CauseGroup[];
  byItem: Array<CauseGroup & { version: number; code: string }>;
}

const UNTAGGED = '未标注 Not given';

/**
 * Counts the deductions (points lost on a non-bonus criterion) of the reviews scored in the filter's period by
 * root cause, from the stored rollup (rollup-causes.ts; a cause set later in 评分明细 counts once the follow-up job
 * has folded it in, seconds later). Few rows come back (team × channel × criterion × cause), grouped here.
 */
export async function rootCauseReport(x: QaDeps, f: RollupFilter, db: Tx = x.database): Promise<RootCauseReport> {
  const rows = await rollupCauses(db, f);
  const names = (await x.settings.rootCauses.get()).names;
  const channelNames = (await x.settings.channels.get()).names;
  const teamNames = new Map((await x.directory.teams()).map((t) => [t.key, t.name]));
  const criteria = new Map<string, { name: string; bonus: boolean }>();
  for (const v of await qaRepo.scorecards(db.db, [...new Set(rows.map((r) => r.version))]))
    for (const c of v.criteria) criteria.set(`${v.version}:${c.code}`, { name: c.name, bonus: c.bonus });
  const deductions = rows.filter((r) => !criteria.get(`${r.version}:${r.code}`)?.bonus);
  const causeName = (k: string) => (k ? (names[k] ?? k) : UNTAGGED);
  const counted = (list: typeof deductions): CauseCount[] => {
    const by = new Map<string, number>();
    for (const r of list) by.set(r.cause ?? '', (by.get(r.cause ?? '') ?? 0) + r.n);
    const total = list.reduce((n, r) => n + r.n, 0);
    return [...by]
      .map(([key, count]) => ({ key, name: causeName(key), count, share: total ? count / total : 0 }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  };
  const grouped = (keyOf: (r: (typeof rows)[number]) => string, nameOf: (k: string) => string): CauseGroup[] => {
    const groups = new Map<string, typeof deductions>();
    for (const r of deductions) {
      const list = groups.get(keyOf(r));
      if (list) list.push(r);
      else groups.set(keyOf(r), [r]);
    }
    return [...groups]
      .map(([key, list]) => ({
        key,
        name: nameOf(key),
        deductions: list.reduce((n, r) => n + r.n, 0),
        causes: counted(list),
      }))
      .sort((a, b) => b.deductions - a.deductions || a.key.localeCompare(b.key));
  };
  return {
    deductions: deductions.reduce((n, r) => n + r.n, 0),
    tagged: deductions.filter((r) => r.cause).reduce((n, r) => n + r.n, 0),
    byCause: counted(deductions),
    byTeam: grouped(
      (r) => r.team ?? '',
      (k) => teamNames.get(k) ?? (k || '—'),
    ),
    byChannel: grouped(
      (r) => r.channel,
      (k) => channelNames[k] ?? k,
    ),
    byItem: grouped(
      (r) => `${r.version}:${r.code}`,
      (k) => criteria.get(k)?.name ?? k.split(':')[1]!,
    ).map((g) => ({ ...g, version: Number(g.key.split(':')[0]), code: g.key.split(':')[1]! })),
  };
}
