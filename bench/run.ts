// npm run bench [-- --short] [--out file] [--rate N]
//                 [--scenario intake,effect,mirror,exceptions,cards,qa-import,qa-sampling,dashboard,
//                             community,contracts]
//                 [--sizes 10000,50000] [--scale 0.1]
// e.g. a quick reports run: npm run bench -- --scenario exceptions --sizes 10000 --out /tmp/r.json
// DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
// each run creates its own database there and drops it afterwards.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runBench, SCENARIOS, type ScenarioGroup } from './harness.js';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    out: { type: 'string' },
    rate: { type: 'string' },
    scenario: { type: 'string' },
    sizes: { type: 'string' },
    scale: { type: 'string' },
  },
});

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
const scenarios = list(values.scenario);
const unknown = scenarios?.filter((s) => !(SCENARIOS as readonly string[]).includes(s)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}: choose from ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
const sizes = list(values.sizes)?.map(Number);
if (sizes?.some((n) => !Number.isInteger(n) || n <= 0)) {
  console.error(`--sizes takes case counts, e.g. --sizes 10000,50000,200000`);
  process.exit(2);
}

const scale = values.scale === undefined ? undefined : Number(values.scale);
if (scale !== undefined && !(scale > 0 && scale <= 1)) {
  console.error('--scale takes a share of the dashboard data, e.g. --scale 0.1 (1 = 1M QA reviews)');
  process.exit(2);
}

const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const results = await runBench({
  short: values.short ?? false,
  serverUrl,
  outFile: values.out ?? fileURLToPath(new URL('./results.json', import.meta.url)),
  messagesPerSecond: values.rate ? Number(values.rate) : 50,
  ...(scenarios ? { scenarios: scenarios as ScenarioGroup[] } : {}),
  ...(sizes ? { exceptionSizes: sizes } : {}),
  ...(scale !== undefined ? { dashboardScale: scale } : {}),
});
const missed = results.scenarios.flatMap((s) => s.targets.filter((t) => !t.met).map((t) => `${s.name}: ${t.metric}`));
if (missed.length > 0) console.log(`\ntargets missed: ${missed.join('; ')}`);
process.exit(0);
