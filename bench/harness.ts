import { existsSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildOnce, underTsx } from './compiled.js';
import { createContext, type BenchContext } from './context.js';
import { createBenchDatabase } from './database.js';
import { formatReport } from './report.js';
import { target, type BenchResults, type ScenarioResult } from './results.js';
import { communityScenario } from './scenarios/community.js';
import { dashboardScenario } from './scenarios/dashboard.js';
import { contractsScenarios } from './scenarios/contracts.js';
import { backlogDrain, eventToEffect } from './scenarios/effect.js';
import { DEFAULT_SIZES, exceptionsScenarios } from './scenarios/exceptions.js';
import { intakeScenarios } from './scenarios/intake.js';
import { qaImportScenario } from './scenarios/qa-import.js';
import { qaSamplingScenario } from './scenarios/qa-sampling.js';
import { workflowCardScenarios } from './scenarios/workflow-cards.js';

/** Scenario groups `npm run bench -- --scenario a,b` can pick; all of them by default. */
export const SCENARIOS = [
  'intake',
  'effect',
  'mirror',
  'exceptions',
  'cards',
  'qa-import',
  'qa-sampling',
  'dashboard',
  'community',
  'contracts',
] as const;
export type ScenarioGroup = (typeof SCENARIOS)[number];

export interface BenchOptions {
  short: boolean;
  /** A PostgreSQL server to create the run's database on; undefined runs on embedded PGlite. */
  serverUrl: string | undefined;
  /** Where results.json goes; undefined writes nothing. */
  outFile?: string;
  messagesPerSecond?: number;
  print?: (line: string) => void;
  /** Which scenario groups run (default: all). */
  scenarios?: readonly ScenarioGroup[];
  /** Case counts for the exceptions scenario (default 10k, 50k, 200k; 2k in short mode). */
  exceptionSizes?: number[];
  /** The dashboard scenario's data as a share of a year of a large retailer (default 1: 1M QA reviews). */
  dashboardScale?: number;
}

/** Options a further bench (bench/mirror.ts) receives; it returns one or more ScenarioResult. */
export interface ExtraBenchOptions {
  short: boolean;
  serverUrl: string | undefined;
  context: BenchContext;
}

export async function runBench(o: BenchOptions): Promise<BenchResults> {
  const print = o.print ?? ((line: string) => console.log(line));
  const startedAt = new Date().toISOString();
  buildOnce(print);
  const database = await createBenchDatabase(o.serverUrl);
  const ctx = await createContext({ short: o.short, database, messagesPerSecond: o.messagesPerSecond ?? 50, print });
  const scenarios: ScenarioResult[] = [];
  const skipped: BenchResults['skipped'] = [];
  let databaseLabel = database.label;
  try {
    const probe = await ctx.startBot({ workers: false });
    const info = await probe.child.call<{ version: string }>('info');
    await ctx.stop(probe);
    databaseLabel = `${info.version.split(',')[0]} · ${database.label}`;
    print(`database: ${databaseLabel}`);

    const runs = new Set<ScenarioGroup>(o.scenarios ?? SCENARIOS);
    if (runs.has('intake')) scenarios.push(...(await intakeScenarios(ctx)));
    if (runs.has('effect')) {
      scenarios.push(await eventToEffect(ctx));
      scenarios.push(await backlogDrain(ctx));
    }
    if (runs.has('mirror')) {
      const mirror = await runExtra('mirror', './mirror.ts', 'runMirrorBench', {
        short: o.short,
        serverUrl: o.serverUrl,
        context: ctx,
      });
      if ('skipped' in mirror) skipped.push(mirror.skipped);
      else scenarios.push(...mirror.results);
    }
    if (runs.has('exceptions')) {
      const ex = await exceptionsScenarios(ctx, o.exceptionSizes ?? (o.short ? [2_000] : DEFAULT_SIZES));
      if (ex.skipped) skipped.push({ name: 'exceptions', reason: ex.skipped });
      scenarios.push(...ex.results);
    }
    if (runs.has('cards')) {
      const c = await workflowCardScenarios(ctx);
      if (c.skipped) skipped.push({ name: 'cards', reason: c.skipped });
      scenarios.push(...c.results);
    }
    if (runs.has('qa-import')) scenarios.push(...(await qaImportScenario(ctx)));
    if (runs.has('qa-sampling')) {
      const q = await qaSamplingScenario(ctx);
      if (q.skipped) skipped.push({ name: 'qa-sampling', reason: q.skipped });
      scenarios.push(...q.results);
    }
    if (runs.has('dashboard')) {
      const d = await dashboardScenario(ctx, o.dashboardScale ?? 1);
      if (d.skipped) skipped.push({ name: 'dashboard', reason: d.skipped });
      scenarios.push(...d.results);
    }
    if (runs.has('community')) {
      const c = await communityScenario(ctx);
      if (c.skipped) skipped.push({ name: 'community', reason: c.skipped });
      scenarios.push(...c.results);
    }
    if (runs.has('contracts')) {
      const c = await contractsScenarios(ctx);
      if (c.skipped) skipped.push({ name: 'contracts', reason: c.skipped });
      scenarios.push(...c.results);
    }
    const peak = ctx.peakRssMb();
    scenarios.push({
      name: 'memory',
      description: 'peak resident set size (VmHWM) of any bot process across the scenarios above',
      metrics: { peakRssMb: peak, ...ctx.peaks() },
      targets: [target('peak RSS MB', '<', 300, peak)],
      notes: [],
    });
  } finally {
    await ctx.close();
    await database.drop();
  }
  const results: BenchResults = {
    version: 1,
    mode: o.short ? 'short' : 'full',
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      totalMemoryMb: Math.round(totalmem() / 2 ** 20),
      platform: `${platform()} ${release()}`,
      node: process.version,
      database: databaseLabel,
      processes: underTsx() ? 'tsx' : 'compiled',
    },
    scenarios,
    skipped,
  };
  if (o.outFile) writeFileSync(o.outFile, `${JSON.stringify(results, null, 2)}\n`);
  print(formatReport(results));
  return results;
}

/** Runs a bench another engineer owns, if its file exists yet. */
async function runExtra(
  name: string,
  file: string,
  exportName: string,
  options: ExtraBenchOptions,
): Promise<{ results: ScenarioResult[] } | { skipped: { name: string; reason: string } }> {
  const url = new URL(file, import.meta.url);
  if (!existsSync(fileURLToPath(url)))
    return { skipped: { name, reason: `bench/${file.slice(2)} does not exist yet` } };
  const mod = (await import(url.href)) as Record<string, unknown>;
  const run = mod[exportName];
  if (typeof run !== 'function') return { skipped: { name, reason: `bench/${file.slice(2)} has no ${exportName}()` } };
  options.context.print(`${name}…`);
  try {
    // bench/mirror.ts takes {records, edits, serverUrl, log} and answers a flat record of numbers.
    const short = options.short ? { records: 2_000, edits: 5 } : {};
    const out =
      (await (run as (o: object) => Promise<unknown>)({ ...options, ...short, log: options.context.print })) ?? [];
    const list = Array.isArray(out) ? out : [out];
    return { results: list.map((r) => (isScenario(r) ? r : asScenario(name, file, r as Record<string, number>))) };
  } catch (err) {
    return { skipped: { name, reason: `failed: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

function isScenario(r: unknown): r is ScenarioResult {
  return typeof r === 'object' && r !== null && Array.isArray((r as ScenarioResult).targets);
}

function asScenario(name: string, file: string, metrics: Record<string, number>): ScenarioResult {
  return {
    name,
    description: `bench/${file.slice(2)} (its own numbers; targets live in its issue)`,
    metrics,
    targets: [],
    notes: [],
  };
}
