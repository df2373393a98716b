import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBench } from '../../bench/harness.js';
import { testDatabaseUrl } from '../helpers/db.js';

// The harness itself, in its short mode: it must run end to end and write well-formed results.
// The numbers are for `npm run bench` on a quiet machine; nothing here asserts them.
const Target = z.object({
  metric: z.string().min(1),
  op: z.enum(['<', '<=', '>=', '>', 'within']),
  value: z.union([z.number(), z.tuple([z.number(), z.number()])]),
  actual: z.number().nullable(),
  met: z.boolean(),
});
const Results = z.object({
  version: z.literal(1),
  mode: z.literal('short'),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  machine: z.object({
    cores: z.number().int().positive(),
    cpuModel: z.string(),
    totalMemoryMb: z.number(),
    platform: z.string(),
    node: z.string().startsWith('v'),
    database: z.string().min(1),
    processes: z.literal('tsx'),
  }),
  scenarios: z.array(
    z.object({
      name: z.string(),
      description: z.string().min(1),
      metrics: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
      targets: z.array(Target),
      notes: z.array(z.string()),
    }),
  ),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});

describe('the bench harness (short mode)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fo-bench-test-'));
  // `npm run bench` compiles src/ and bench/ first (bench/compiled.ts) so that memory is measured as production runs;
  // here the harness is what is tested, so its processes run under tsx and the suite skips the compile.
  const tsxBefore = process.env.BENCH_TSX;
  process.env.BENCH_TSX = '1';
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    if (tsxBefore === undefined) delete process.env.BENCH_TSX;
    else process.env.BENCH_TSX = tsxBefore;
  });

  it('runs every scenario once and writes results.json with machine, numbers and targets', async () => {
    const outFile = join(dir, 'results.json');
    const printed: string[] = [];
    // The exceptions reports scenario is left out (minutes of data generation even when small);
    // its generator and card path are tested in exceptions-generator.test.ts.
    await runBench({
      short: true,
      serverUrl: testDatabaseUrl,
      outFile,
      print: (l) => printed.push(l),
      scenarios: ['intake', 'effect', 'mirror'],
    });

    const results = Results.parse(JSON.parse(readFileSync(outFile, 'utf8')));
    expect(results.scenarios.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'intake.saturation',
        'intake.fixed-rate',
        'card.callback',
        'event-to-effect',
        'backlog.drain',
        'memory',
      ]),
    );
    for (const s of results.scenarios.filter((x) => x.name !== 'mirror'))
      expect(s.targets.length, s.name).toBeGreaterThan(0);
    const metric = (scenario: string, name: string) =>
      results.scenarios.find((s) => s.name === scenario)?.metrics[name];
    // Work really happened: requests were answered and every queued event got its reply.
    expect(metric('intake.saturation', 'app.ok')).toBeGreaterThan(0);
    expect(metric('intake.saturation', 'baseline.ok')).toBeGreaterThan(0);
    expect(metric('card.callback', 'ok')).toBeGreaterThan(0);
    expect(metric('backlog.drain', 'answered')).toBe(metric('backlog.drain', 'events'));
    expect(metric('memory', 'peakRssMb')).toBeGreaterThan(0);
    expect(metric('intake.saturation', 'groupCommit.ok')).toBeGreaterThan(0);
    // The readable table names the machine and each target.
    const report = printed.join('\n');
    expect(report).toMatch(/machine: \d+ cores/);
    expect(report).toContain('intake.fixed-rate');
  }, 300_000);
});
