// npm run bench [-- --short] [--out file] [--rate N]
// DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
// each run creates its own database there and drops it afterwards.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runBench } from './harness.js';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    out: { type: 'string' },
    rate: { type: 'string' },
  },
});

const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const results = await runBench({
  short: values.short ?? false,
  serverUrl,
  outFile: values.out ?? fileURLToPath(new URL('./results.json', import.meta.url)),
  messagesPerSecond: values.rate ? Number(values.rate) : 50,
});
const missed = results.scenarios.flatMap((s) => s.targets.filter((t) => !t.met).map((t) => `${s.name}: ${t.metric}`));
if (missed.length > 0) console.log(`\ntargets missed: ${missed.join('; ')}`);
process.exit(0);
