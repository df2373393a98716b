// Issue 12 "Numbers", on PostgreSQL:
//  (a) rollups over 2,000 communities × 365 days refresh in under 2 s. The rollups (community_metric_rollups and
//      community_metric_gaps, migrations 0025/0026) are kept by statement triggers in the writer's own transaction, so
//      "refresh" here is: one full day for all 2,000 communities posted in one request (new, then corrected), timed
//      from the request until its answer, by when every rollup row reflects it (checked against the daily rows right
//      after). The full rebuild from the daily rows (community_rollups_rebuild(), what `feishu-ops sync` runs) is
//      timed too, and reported beside it.
//  (b) POST /api/community/metrics ingests 10,000 rows in one request in under 1 s (new rows; the same rows again and
//      a correction of all of them are reported beside).
//  (c) `feishu-ops import community-metrics FILE` of a generated 1,000,000-row CSV in its own process with the heap
//      cap `npm start` uses: peak RSS (VmHWM) under 300 MB, every good row stored, every bad row reported.
// The year of history is bench/dashboard/generate.ts's (about one day in a hundred missing, four teams, 40 operators).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { BenchContext, RunningServer } from '../context.js';
import { generateDashboardData } from '../dashboard/generate.js';
import { target, type ScenarioResult } from '../results.js';
import { runCli } from './qa-import.js';

const DAY = 86_400_000;
const API_ROWS = 10_000;
/** One imported row in this many has a negative count: reported, the rest stored. */
const BAD_EVERY = 10_000;
const IMPORT_DAYS = 500;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const round = (x: number) => Math.round(x * 100) / 100;

interface Sizes {
  communities: number;
  importRows: number;
}

/** A community's figures for a day; `variant` changes every figure (a correction). */
function figures(i: number, day: string, variant: number) {
  const seed = (i * 7919 + Number(day.replaceAll('-', '')) * 31 + variant * 104_729) >>> 0;
  const joined = seed % 20;
  const left = (seed >>> 5) % 15;
  const total = 300 + ((seed >>> 3) % 2000) + variant;
  const orders = (seed >>> 7) % 30;
  return {
    membersTotal: total,
    membersJoined: joined + variant,
    membersLeft: left,
    activeMembers: Math.floor(total * 0.1) + (seed % 7),
    messages: (seed >>> 2) % 500,
    orders,
    gmvFen: orders * 9_900 + variant,
    refundsFen: (seed >>> 4) % 5_000,
  };
}

export async function communityScenario(ctx: BenchContext): Promise<{ results: ScenarioResult[]; skipped?: string }> {
  const url = ctx.database.appEnv.DATABASE_URL;
  if (!url)
    return { results: [], skipped: 'needs PostgreSQL (DATABASE_URL): issue 12 states its numbers on PostgreSQL' };
  const size: Sizes = ctx.short
    ? { communities: 200, importRows: 50_000 }
    : { communities: 2_000, importRows: 1_000_000 };
  const apiDays = Math.ceil(API_ROWS / size.communities);
  // The history ends early enough that the refresh day and the API's days are still in the past.
  const today = Math.floor(Date.now() / DAY) * DAY;
  const historyEnd = today - (apiDays + 4) * DAY;
  const token = randomBytes(24).toString('hex');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const dir = mkdtempSync(join(tmpdir(), 'fo-bench-community-'));
  try {
    const probe = await ctx.startBot({ workers: false });
    await ctx.stop(probe);
    ctx.print(`community: generating ${size.communities} communities × 365 days…`);
    const g = await generateDashboardData(client, {
      reviews: 0,
      contracts: 0,
      communityDays: size.communities * 360,
      now: new Date(historyEnd),
    });
    const codes = (
      await client.query<{ code: string }>(
        `select code from community_communities where code like 'bench-%' order by id`,
      )
    ).rows.map((r) => r.code);
    const bot = await ctx.startBot({ workers: false, env: { API_TOKENS: token } });
    const metrics: Record<string, number | string | null> = {
      communities: codes.length,
      historyRows: g.communityDays,
      generateMs: g.ms,
      loadAvg1mBefore: round(loadavg()[0]!),
    };
    const notes: string[] = [];
    let refresh: { newMs: number; correctedMs: number; rebuildMs: number };
    let api: { newMs: number; unchangedMs: number; correctedMs: number };
    try {
      // (a) One day for every community, then the same day corrected.
      const day = isoDay(historyEnd + DAY);
      const dayRows = (variant: number) =>
        codes.map((code, i) => ({ community: code, date: day, ...figures(i, day, variant) }));
      const fresh = await post(bot, client, token, dayRows(0));
      const freshOk = await rollupsMatch(client, [day]);
      const corrected = await post(bot, client, token, dayRows(1));
      const correctedOk = await rollupsMatch(client, [day]);
      const rebuildMs = await rebuild(client);
      refresh = { newMs: round(fresh.ms), correctedMs: round(corrected.ms), rebuildMs: round(rebuildMs) };
      Object.assign(metrics, {
        'refresh.day.rows': codes.length,
        'refresh.day.newMs': round(fresh.ms),
        'refresh.day.newCpuMs': fresh.cpuMs,
        'refresh.day.newQueries': fresh.queries,
        'refresh.day.correctedMs': round(corrected.ms),
        'refresh.day.correctedCpuMs': corrected.cpuMs,
        'refresh.day.correctedQueries': corrected.queries,
        'refresh.day.rollupsMatchAfterNew': freshOk ? 1 : 0,
        'refresh.day.rollupsMatchAfterCorrection': correctedOk ? 1 : 0,
        'refresh.rebuildMs': round(rebuildMs),
      });
      check(notes, 'refresh new day', fresh, { created: codes.length });
      check(notes, 'refresh correction', corrected, { corrected: codes.length });

      // (b) 10,000 rows in one request: new, the same again, then every figure corrected.
      const days = Array.from({ length: apiDays }, (_, d) => isoDay(historyEnd + (2 + d) * DAY));
      const apiRows = (variant: number) =>
        days
          .flatMap((d) => codes.map((code, i) => ({ community: code, date: d, ...figures(i, d, variant) })))
          .slice(0, API_ROWS);
      const a1 = await post(bot, client, token, apiRows(0));
      const a2 = await post(bot, client, token, apiRows(0));
      const a3 = await post(bot, client, token, apiRows(2));
      const apiOk = await rollupsMatch(client, days);
      api = { newMs: round(a1.ms), unchangedMs: round(a2.ms), correctedMs: round(a3.ms) };
      Object.assign(metrics, {
        'api.rows': API_ROWS,
        'api.requestBytes': a1.bytes,
        'api.newMs': round(a1.ms),
        'api.newCpuMs': a1.cpuMs,
        'api.newQueries': a1.queries,
        'api.unchangedMs': round(a2.ms),
        'api.unchangedCpuMs': a2.cpuMs,
        'api.correctedMs': round(a3.ms),
        'api.correctedCpuMs': a3.cpuMs,
        'api.correctedQueries': a3.queries,
        'api.rollupsMatch': apiOk ? 1 : 0,
      });
      check(notes, 'api new', a1, { created: API_ROWS });
      check(notes, 'api same again', a2, { unchanged: API_ROWS });
      check(notes, 'api corrected', a3, { corrected: API_ROWS });
      metrics.botPeakRssMb = bot.child.peakRssMb();
    } finally {
      await ctx.stop(bot);
    }
    metrics.loadAvg1mAfterApi = round(loadavg()[0]!);

    // (c) The import of a generated file, day after day for a set of communities of its own.
    const imp = await importRun(ctx, client, dir, size.importRows);
    Object.assign(metrics, imp.metrics);
    notes.push(...imp.notes);
    const mismatched = await mismatchedGroups(client);
    metrics.rollupGroupsMismatchedAtEnd = mismatched;
    metrics.loadAvg1mAfter = round(loadavg()[0]!);

    return {
      results: [
        {
          name: 'community.rollups',
          description:
            `${codes.length} communities × 365 days (${g.communityDays} rows, ~1% of days missing); trigger-kept ` +
            `rollups: one day for every community posted in one request (new, then corrected), timed until the ` +
            `answer, when the rollups reflect it (checked against the daily rows); the full rebuild ` +
            `(community_rollups_rebuild(), as feishu-ops sync runs it) reported beside`,
          metrics: pick(metrics, /^(communities|historyRows|generateMs|loadAvg|refresh\.)/),
          targets: [
            target('one day, all communities, new: ms', '<', 2000, refresh.newMs),
            target('one day, all communities, corrected: ms', '<', 2000, refresh.correctedMs),
            target('full rebuild ms', '<', 2000, refresh.rebuildMs),
            target('rollups equal the daily rows (groups off)', 'within', [0, 0], mismatched),
          ],
          notes: notes.filter((n) => n.startsWith('refresh')),
        },
        {
          name: 'community.api',
          description:
            `POST /api/community/metrics with ${API_ROWS} rows (${apiDays} days × ${codes.length} communities) in ` +
            'one request to the running bot, over the history above: new rows, the same again, all corrected',
          metrics: pick(metrics, /^(api\.|botPeakRssMb|loadAvg1mAfterApi)/),
          targets: [
            target('10,000 new rows: ms', '<', 1000, api.newMs),
            target('10,000 rows again (unchanged): ms', '<', 1000, api.unchangedMs),
            target('10,000 rows corrected: ms', '<', 1000, api.correctedMs),
            // The same requests' CPU time, bot and PostgreSQL together: what they need of a quiet machine.
            target('10,000 new rows: CPU ms (bot + database)', '<', 1000, metrics['api.newCpuMs'] as number),
            target(
              '10,000 rows corrected: CPU ms (bot + database)',
              '<',
              1000,
              metrics['api.correctedCpuMs'] as number,
            ),
          ],
          notes: notes.filter((n) => n.startsWith('api')),
        },
        {
          name: 'community.import',
          description: imp.description,
          metrics: pick(metrics, /^(import\.|loadAvg1mAfter$)/),
          targets: imp.targets,
          notes: notes.filter((n) => n.startsWith('import')),
        },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await client.end();
  }
}

const pick = (m: Record<string, number | string | null>, re: RegExp) =>
  Object.fromEntries(Object.entries(m).filter(([k]) => re.test(k)));

interface Posted {
  ms: number;
  cpuMs: number;
  status: number;
  bytes: number;
  queries: number;
  body: { created?: number; corrected?: number; unchanged?: number; rejected?: unknown[] };
}

async function post(bot: RunningServer, client: pg.Client, token: string, rows: unknown[]): Promise<Posted> {
  const payload = JSON.stringify({ rows });
  const q0 = (await bot.child.call<{ queries: number }>('queries')).queries;
  const pids = await backends(client, bot);
  const cpu0 = cpuMs(pids);
  const started = performance.now();
  const res = await fetch(`${bot.url}/api/community/metrics`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: payload,
  });
  const body = (await res.json()) as Posted['body'];
  const ms = performance.now() - started;
  const cpu1 = cpuMs([...new Set([...pids, ...(await backends(client, bot))])]);
  const q1 = (await bot.child.call<{ queries: number }>('queries')).queries;
  const cpu = [...cpu1].reduce((sum, [pid, t]) => sum + t - (cpu0.get(pid) ?? 0), 0);
  return { ms, cpuMs: cpu, status: res.status, bytes: Buffer.byteLength(payload), queries: q1 - q0, body };
}

/** The bot's process and the database server processes of its connections (this run's database, not ours). */
async function backends(client: pg.Client, bot: RunningServer): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  return [bot.child.proc.pid!, ...rows.map((r) => r.pid)];
}

/**
 * CPU time (user + system) each process has used so far, from /proc/<pid>/stat, in ms (100 ticks a second): what a
 * request cost the bot and PostgreSQL together, a figure a busy machine does not inflate the way it does wall time.
 */
function cpuMs(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // gone
    }
  }
  return out;
}

function check(
  notes: string[],
  what: string,
  p: Posted,
  expected: Partial<Record<'created' | 'corrected' | 'unchanged', number>>,
) {
  const off = Object.entries(expected).filter(([k, v]) => p.body[k as keyof typeof expected] !== v);
  if (p.status !== 200 || off.length > 0 || (p.body.rejected?.length ?? 0) > 0)
    notes.push(
      `${what}: status ${p.status}, expected ${JSON.stringify(expected)}, answered ` +
        `${JSON.stringify({ ...p.body, rejected: p.body.rejected?.length })}`,
    );
}

/** The stored rollups of `days` equal the sums of the daily rows of those days (every group, every figure). */
async function rollupsMatch(client: pg.Client, days: string[]): Promise<boolean> {
  const { rows } = await client.query<{ off: number }>(
    `with stored as (
       select day, platform, team_key, operator_open_id, "rows"::bigint, joined, "left", member_days, active_days,
              messages, orders, gmv_fen, refunds_fen
         from community_metric_rollups where day = any($1::date[])),
     recomputed as (
       select m.day, c.platform, coalesce(c.team_key, ''), coalesce(c.operator_open_id, ''), count(*),
              sum(m.members_joined), sum(m.members_left), sum(m.members_total), sum(m.active_members),
              sum(m.messages), sum(m.orders), sum(m.gmv_fen), sum(m.refunds_fen)
         from community_daily_metrics m join community_communities c on c.id = m.community_id
        where m.day = any($1::date[])
        group by 1, 2, 3, 4)
     select (select count(*) from (select * from stored except select * from recomputed) a)::int +
            (select count(*) from (select * from recomputed except select * from stored) b)::int as off`,
    [days],
  );
  return rows[0]!.off === 0;
}

/** Groups (day × platform × team × operator) whose stored rollup differs from the daily rows, over all days. */
async function mismatchedGroups(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ off: number }>(
    `with stored as (
       select day, platform, team_key, operator_open_id, "rows"::bigint, joined, "left", member_days, active_days,
              messages, orders, gmv_fen, refunds_fen from community_metric_rollups),
     recomputed as (
       select m.day, c.platform, coalesce(c.team_key, ''), coalesce(c.operator_open_id, ''), count(*),
              sum(m.members_joined), sum(m.members_left), sum(m.members_total), sum(m.active_members),
              sum(m.messages), sum(m.orders), sum(m.gmv_fen), sum(m.refunds_fen)
         from community_daily_metrics m join community_communities c on c.id = m.community_id
        group by 1, 2, 3, 4)
     select (select count(*) from (select * from stored except select * from recomputed) a)::int +
            (select count(*) from (select * from recomputed except select * from stored) b)::int as off`,
  );
  return rows[0]!.off;
}

/** community_rollups_rebuild() as `feishu-ops sync` runs it (rebuildRollups in rollup-stored.ts), committed. */
async function rebuild(client: pg.Client): Promise<number> {
  const started = performance.now();
  await client.query('begin');
  try {
    await client.query('lock table community_daily_metrics in share mode');
    await client.query('select community_rollups_rebuild()');
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
  return performance.now() - started;
}

async function importRun(ctx: BenchContext, client: pg.Client, dir: string, total: number) {
  const count = Math.ceil(total / IMPORT_DAYS);
  await client.query(
    `insert into community_communities (code, name, platform, operator_open_id, team_key)
     select 'imp-' || g, '导入社群 Import community ' || g,
            (array['wecom','douyin','xiaohongshu','wechat','store'])[1 + g % 5],
            'ou_bench_operator_' || (g % 40), (array['cs_north','cs_south','cs_east','cs_west'])[1 + g % 4]
       from generate_series(0, $1::int - 1) g`,
    [count],
  );
  const file = join(dir, 'metrics.csv');
  ctx.print(`community: generating a ${total}-row CSV…`);
  const gen = await generateCsv(file, total, count);
  const env = ctx.database.appEnv;
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, 'community,date,membersTotal\n');
  const startup = await runCli(['import', 'community-metrics', empty], env);
  ctx.print(`community: importing ${gen.rows} rows (${Math.round(gen.bytes / 2 ** 20)} MB)…`);
  const load = loadavg()[0]!;
  const run = await runCli(['import', 'community-metrics', file], env);
  const summary = /(\d+) rows: (\d+) new, (\d+) corrected, (\d+) unchanged, (\d+) rejected/.exec(run.stdout);
  const [rows, created, , , rejected] = summary ? summary.slice(1).map(Number) : [null, null, null, null, null];
  const stored = Number(
    (
      await client.query<{ n: string }>(
        `select count(*) as n from community_daily_metrics m join community_communities c on c.id = m.community_id
          where c.code like 'imp-%'`,
      )
    ).rows[0]!.n,
  );
  const importMs = Math.max(1, run.ms - startup.ms);
  const expected = gen.rows - gen.bad;
  return {
    description:
      `feishu-ops import community-metrics of a generated ${Math.round(gen.bytes / 2 ** 20)} MB CSV ` +
      `(${gen.rows} rows: ` +
      `${count} communities × ${IMPORT_DAYS} days, day after day, ${gen.bad} rows with a negative count), its own ` +
      'process with the npm start heap cap; rows/s over the run minus the start-up on an empty file',
    metrics: {
      'import.rows': rows,
      'import.created': created,
      'import.rejected': rejected,
      'import.stored': stored,
      'import.rowsPerSecond': rows === null ? null : Math.round((rows / importMs) * 1000),
      'import.ms': Math.round(importMs),
      'import.startupMs': Math.round(startup.ms),
      'import.cpuMs': run.cpuMs === null || startup.cpuMs === null ? null : run.cpuMs - startup.cpuMs,
      'import.peakRssMb': run.peakRssMb,
      'import.startupPeakRssMb': startup.peakRssMb,
      'import.generateMs': Math.round(gen.ms),
      'import.loadAvg1mBefore': round(load),
    },
    targets: [
      target('peak RSS MB', '<', 300, run.peakRssMb),
      target('rows stored', 'within', [expected, expected], stored),
      target('rows rejected', 'within', [gen.bad, gen.bad], rejected),
    ],
    notes: [
      ...(run.code !== 0 && run.code !== 2 ? [`import: exit ${run.code}: ${run.stderr.slice(-500)}`] : []),
      ...(summary ? [] : [`import: no summary line in the output: ${run.stdout.slice(-300)}`]),
    ],
  };
}

async function generateCsv(file: string, total: number, communities: number) {
  const started = performance.now();
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('community,date,membersTotal,membersJoined,membersLeft,activeMembers,messages,orders,gmv,refunds\n');
  const first = Math.floor(Date.now() / DAY) * DAY - (IMPORT_DAYS + 1) * DAY;
  let rows = 0;
  let bad = 0;
  let chunk = '';
  for (let d = 0; d < IMPORT_DAYS && rows < total; d++) {
    const day = isoDay(first + d * DAY);
    for (let i = 0; i < communities && rows < total; i++, rows++) {
      const f = figures(i, day, 0);
      const isBad = rows % BAD_EVERY === BAD_EVERY - 1;
      if (isBad) bad++;
      chunk +=
        `imp-${i},${day},${f.membersTotal},${f.membersJoined},${isBad ? -1 : f.membersLeft},${f.activeMembers},` +
        `${f.messages},${f.orders},${(f.gmvFen / 100).toFixed(2)},${(f.refundsFen / 100).toFixed(2)}\n`;
      if (chunk.length > 1 << 16) {
        await write(chunk);
        chunk = '';
      }
    }
  }
  await write(chunk);
  out.end();
  await once(out, 'finish');
  return { rows, bad, bytes: statSync(file).size, ms: performance.now() - started };
}
