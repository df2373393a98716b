import type { QaDeps } from './service/context.js';

const DAY = 86_400_000;

export interface QueueFilter {
  /** The inspector whose queue (undefined: every inspector's). */
  inspector?: string;
  channel?: string;
  team?: string;
  /** At level `team`: the conversations of these teams only. */
  teams?: readonly string[];
}

export interface QueueFigures {
  /** Reviews assigned and still to score. */
  waiting: number;
  /** Waiting, and overdue within the next 24 hours. */
  dueSoon: number;
  /** Waiting longer than `dueDays` days. */
  overdue: number;
  /** Of the waiting, blind calibration reviews. */
  calibration: number;
  /** When the longest-waiting review was sampled (null: none waits). */
  oldestAt: string | null;
}

export interface QaQueue {
  dueDays: number;
  /** The instant the numbers are counted at. */
  asOf: string;
  totals: QueueFigures;
  byChannel: Array<QueueFigures & { key: string; name: string }>;
  byInspector: Array<QueueFigures & { key: string; name: string }>;
}

interface Row {
  inspector: string;
  channel: string;
  waiting: number;
  due_soon: number;
  overdue: number;
  calibration: number;
  oldest: Date | string;
}

const empty = (): QueueFigures => ({ waiting: 0, dueSoon: 0, overdue: 0, calibration: 0, oldestAt: null });
const iso = (d: Date | string) => new Date(d).toISOString();

function add(into: QueueFigures, r: Row): void {
  into.waiting += Number(r.waiting);
  into.dueSoon += Number(r.due_soon);
  into.overdue += Number(r.overdue);
  into.calibration += Number(r.calibration);
  const oldest = iso(r.oldest);
  if (into.oldestAt === null || oldest < into.oldestAt) into.oldestAt = oldest;
}

/**
 * The reviews waiting for their inspector as of `now` (a queue has no period): how many, how many overdue or due
 * within a day, the oldest, by channel and by inspector. One grouped read over the waiting reviews
 * (qa_reviews_waiting_idx: only the reviews still to score are in it, with their channel and team).
 */
export async function reviewQueue(x: QaDeps, f: QueueFilter, now: Date): Promise<QaQueue> {
  // Days a review may wait for its inspector before it is overdue: qa.policy reviewDueDays (规则配置; default 3).
  const dueDays = (await x.settings.policy.get()).reviewDueDays;
  const params: unknown[] = [
    new Date(now.getTime() - dueDays * DAY).toISOString(),
    new Date(now.getTime() - (dueDays - 1) * DAY).toISOString(),
  ];
  const where = [`r.state = 'to_score'`, 'r.inspector_open_id is not null'];
  const bind = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.inspector) bind('r.inspector_open_id = ?', f.inspector);
  if (f.channel) bind('r.channel = ?', f.channel);
  if (f.team) bind('r.team_key = ?', f.team);
  else if (f.teams) bind('r.team_key = any(?::text[])', [...f.teams]);
  const { rows } = await x.database.query<Row>(
    `select r.inspector_open_id as inspector, r.channel,
            count(*)::int as waiting,
            count(*) filter (where r.created_at >= $1 and r.created_at < $2)::int as due_soon,
            count(*) filter (where r.created_at < $1)::int as overdue,
            count(*) filter (where r.calibration_round_id is not null)::int as calibration,
            min(r.created_at) as oldest
       -- Channel and team are the review's own copy (trigger of migration 0046), in qa_reviews_waiting_idx: the
       -- queue reads that index and no conversation (docs/dashboard-qa-queue.md).
       from qa_reviews r
      where ${where.join(' and ')}
      group by 1, 2`,
    params,
  );
  const totals = empty();
  const channels = new Map<string, QueueFigures>();
  const inspectors = new Map<string, QueueFigures>();
  for (const r of rows) {
    add(totals, r);
    add(channels.get(r.channel) ?? channels.set(r.channel, empty()).get(r.channel)!, r);
    add(inspectors.get(r.inspector) ?? inspectors.set(r.inspector, empty()).get(r.inspector)!, r);
  }
  const people = new Map((await x.directory.people()).map((p) => [p.openId, p.name]));
  const channelNames = (await x.settings.channels.get()).names;
  const named = (m: Map<string, QueueFigures>, name: (key: string) => string) =>
    [...m]
      .map(([key, q]) => ({ key, name: name(key), ...q }))
      .sort((a, b) => b.overdue - a.overdue || b.waiting - a.waiting || a.key.localeCompare(b.key));
  return {
    dueDays,
    asOf: now.toISOString(),
    totals,
    byChannel: named(channels, (k) => channelNames[k] ?? k),
    byInspector: named(inspectors, (k) => people.get(k) ?? k),
  };
}
