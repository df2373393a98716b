// npx tsx bench/mirror.ts [--records 100000] [--edits 40] [--pglite]
// The Bitable mirror against the sandbox with Feishu's limits on (records/search 20/s, page 500):
// a full reconcile of N records (first load, then steady state with 1% drift), and the latency
// from a cell edited in Bitable to the new value in Postgres (record-changed event → mirror).
// DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
// the run makes its own database there and drops it. --pglite uses the embedded database instead.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createThrowawayDatabase } from '../src/db/admin.js';
import { buildApp } from '../src/app.js';
import { encodeRecord } from '../src/bitable/codec.js';
import { loadTemplates } from '../src/bitable/load-templates.js';
import type { TableTemplate } from '../src/bitable/template-schema.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/core/logger.js';
import { createFeishu } from '../src/feishu/index.js';
import { createBitableMirror, mirrorModule } from '../src/mirror/index.js';
import { TEMPLATES_DIR } from '../src/mirror/mirror-context.js';
import { createDeps } from '../src/runtime.js';
import { demoOpenId, startSandbox } from '../src/sandbox/index.js';

export interface MirrorBenchOptions {
  /** Records to reconcile, spread over tables of at most 20,000 (Feishu's per-table cap). */
  records?: number;
  /** Cell edits timed from Bitable to Postgres. */
  edits?: number;
  /** PostgreSQL server URL; undefined runs on PGlite. */
  serverUrl?: string | undefined;
  log?: (line: string) => void;
}

// Tables with a text primary field and plain columns to fill.
const TABLES = [
  'people',
  'teams',
  'settings',
  'counterparties',
  'contracts',
  'communities',
  'qa_scorecard',
  'exception_kinds',
];
const SEARCH_PER_SECOND = 20;
const PAGE = 500;

export async function runMirrorBench(opts: MirrorBenchOptions = {}): Promise<Record<string, number>> {
  const say = opts.log ?? ((line: string) => console.log(line));
  const total = opts.records ?? 100_000;
  const dataDir = await mkdtemp(join(tmpdir(), 'fo-bench-mirror-'));
  const db = await benchDatabase(opts.serverUrl);
  // Feishu is another machine: the sandbox gets its own state file and a lazy save.
  const sandbox = await startSandbox({ dataDir, port: 0, bitableWriteMs: 1, saveDebounceMs: 600_000 });
  const c = sandbox.credentials;
  const config = loadConfig({
    LARK_APP_ID: c.appId,
    LARK_APP_SECRET: c.appSecret,
    LARK_ENCRYPT_KEY: c.encryptKey,
    LARK_VERIFICATION_TOKEN: c.verificationToken,
    LARK_BASE_URL: sandbox.url,
    DATA_DIR: dataDir,
    DATABASE_URL: db.url ?? '',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  }) as Config & { feishu: NonNullable<Config['feishu']> };
  const log = createLogger('warn');
  const deps = await createDeps({ config, log });
  const mirror = createBitableMirror();
  const built = await buildApp(deps, [
    mirrorModule(mirror, { subscribeOnStart: false, schemaWritesPerSecond: 1000, reconcileCron: '0 0 1 1 *' }),
  ]);
  const address = await built.app.listen({ port: 0, host: '127.0.0.1' });
  await deps.jobs.start({ cron: false });
  sandbox.setBotEndpoints({ eventUrl: `${address}/webhook/event`, cardUrl: `${address}/webhook/card` });
  try {
    const report = await mirror.provision();
    const templates = await loadTemplates(TEMPLATES_DIR);
    const seeded = await seed(sandbox.url, c, report, templates.tables, total, say);

    say(`reconcile of ${total} records (first load)…`);
    const pages =
      seeded.reduce((n, s) => n + Math.max(1, Math.ceil(s.count / PAGE)), 0) +
      (templates.tables.length - seeded.length);
    const minimumMs = (Math.max(0, pages - SEARCH_PER_SECOND) / SEARCH_PER_SECOND) * 1000;
    let t0 = performance.now();
    const first = await mirror.reconcile();
    const firstMs = performance.now() - t0;
    say(
      `  ${Math.round(firstMs)} ms, ${first.totals.inserted} inserted; ${pages} search pages, rate-limit minimum ` +
        `${Math.round(minimumMs)}` +
        ` ms`,
    );

    // 1% drift made while "the bot was down": edited straight in the sandbox, no events.
    const drift = driftSome(sandbox.state.raw(), seeded, Math.round(total / 100));
    t0 = performance.now();
    const second = await mirror.reconcile();
    const steadyMs = performance.now() - t0;
    say(`  steady state: ${Math.round(steadyMs)} ms, ${second.totals.updated} of ${drift} drifted records repaired`);

    const latencies = await editLatencies(sandbox, deps.database, report.appToken, seeded[0]!, opts.edits ?? 40);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    say(
      `  event → mirror: p50 ${Math.round(q(0.5))} ms, p95 ${Math.round(q(0.95))} ms, max ` +
        `${Math.round(latencies.at(-1)!)}` +
        ` ms`,
    );
    return {
      records: total,
      search_pages: pages,
      reconcile_min_ms: Math.round(minimumMs),
      reconcile_full_ms: Math.round(firstMs),
      reconcile_full_ratio_to_min: round2(firstMs / Math.max(minimumMs, 1)),
      reconcile_full_records_per_s: Math.round(total / (firstMs / 1000)),
      reconcile_steady_ms: Math.round(steadyMs),
      reconcile_steady_ratio_to_min: round2(steadyMs / Math.max(minimumMs, 1)),
      drift_repaired: second.totals.updated,
      drift_made: drift,
      edit_to_mirror_p50_ms: Math.round(q(0.5)),
      edit_to_mirror_p95_ms: Math.round(q(0.95)),
      edit_to_mirror_max_ms: Math.round(latencies.at(-1)!),
    };
  } finally {
    await built.app.close();
    await deps.jobs.stop(2000);
    await deps.database.close();
    await sandbox.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface Seeded {
  key: string;
  tableId: string;
  count: number;
  /** Display name of a text field to edit. */
  textField: string;
  textKey: string;
}

/** Bulk-loads records through the bot's own client (writes unthrottled: loading is not what is timed). */
async function seed(
  url: string,
  c: { appId: string; appSecret: string },
  report: Awaited<ReturnType<ReturnType<typeof createBitableMirror>['provision']>>,
  templates: readonly TableTemplate[],
  total: number,
  say: (l: string) => void,
): Promise<Seeded[]> {
  const feishu = createFeishu({
    appId: c.appId,
    appSecret: c.appSecret,
    baseUrl: url,
    log: createLogger('warn'),
    bitable: { writesPerSecond: 1000 },
  });
  const out: Seeded[] = [];
  let left = total;
  for (const key of TABLES) {
    if (left <= 0) break;
    const template = templates.find((t) => t.key === key)!;
    const tableId = report.tables.find((t) => t.key === key)!.tableId;
    const count = Math.min(left, 20_000);
    left -= count;
    const text = template.fields.filter((f) => f.type === 1 && !('ui_type' in f && f.ui_type));
    say(`seeding ${count} records into ${key}…`);
    const rows = Array.from({ length: count }, (_, i) =>
      encodeRecord(template, Object.fromEntries(text.map((f) => [f.key, `${f.key}-${i}`]))),
    );
    await feishu.bitable.batchCreate({ appToken: report.appToken, tableId }, rows, { key: `bench-seed-${key}` });
    out.push({ key, tableId, count, textField: text[1]?.name ?? text[0]!.name, textKey: text[1]?.key ?? text[0]!.key });
  }
  if (left > 0) throw new Error(`only ${total - left} records fit in ${TABLES.length} tables`);
  return out;
}

type RawState = ReturnType<Awaited<ReturnType<typeof startSandbox>>['state']['raw']>;

function driftSome(state: RawState, seeded: Seeded[], n: number): number {
  let made = 0;
  for (const app of Object.values(state.apps)) {
    for (const s of seeded) {
      const table = app.tables.find((t) => t.table_id === s.tableId);
      const field = table?.fields.find((f) => f.field_name === s.textField);
      if (!table || !field) continue;
      for (
        let i = 0;
        i < table.records.length && made < n;
        i += Math.max(1, Math.floor(table.records.length / (n / seeded.length)))
      ) {
        table.records[i]!.fields[field.field_id] = `drift-${i}`;
        table.records[i]!.last_modified_time = Date.now();
        made++;
      }
    }
  }
  return made;
}

async function editLatencies(
  sandbox: Awaited<ReturnType<typeof startSandbox>>,
  database: { query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }> },
  appToken: string,
  s: Seeded,
  edits: number,
): Promise<number[]> {
  const ids = sandbox.state
    .raw()
    .apps[appToken]!.tables.find((t) => t.table_id === s.tableId)!
    .records.map((r) => r.record_id);
  const out: number[] = [];
  for (let i = 0; i < edits; i++) {
    const recordId = ids[(i * 7919) % ids.length]!;
    const value = `edit-${i}-${randomUUID().slice(0, 8)}`;
    const t0 = performance.now();
    await sandbox.actions.editRecord(demoOpenId('lina'), appToken, s.tableId, recordId, { [s.textField]: value });
    for (;;) {
      const { rows } = await database.query<{ v: string }>(
        `select "${s.textKey}" as v from bitable_${s.key} where record_id = $1`,
        [recordId],
      );
      if (rows[0]?.v === value) break;
      if (performance.now() - t0 > 30_000) throw new Error(`edit ${i} never reached the mirror`);
      await new Promise((r) => setTimeout(r, 5));
    }
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  return out.sort((a, b) => a - b);
}

async function benchDatabase(serverUrl: string | undefined): Promise<{ url?: string; drop(): Promise<void> }> {
  if (!serverUrl) return { drop: async () => undefined };
  return createThrowawayDatabase(serverUrl, 'fo_bench_mirror');
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: { records: { type: 'string' }, edits: { type: 'string' }, pglite: { type: 'boolean', default: false } },
  });
  const results = await runMirrorBench({
    records: values.records ? Number(values.records) : undefined,
    edits: values.edits ? Number(values.edits) : undefined,
    serverUrl: values.pglite ? undefined : process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}
