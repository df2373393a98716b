import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import '../../src/core/jobs.js';

// pg-boss 10.4 records a job's completion or failure without awaiting it; with the database gone that rejection used
// to end the process (src/core/jobs.ts catchUnawaitedCompletions). The chaos suite's PostgreSQL restart shows it end
// to end when a job happens to finish while the database is down; here the guard itself, deterministically.
describe('a job completion that cannot be recorded', () => {
  const manager = (createRequire(import.meta.url)('pg-boss/src/manager.js') as { prototype: Record<string, unknown> })
    .prototype;

  for (const method of ['complete', 'fail'] as const)
    it(`${method}: the rejection goes to the queue's error event instead of ending the process`, async () => {
      const emitted: unknown[] = [];
      const lost = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      // What the Manager's own method reaches first when the database is gone: its pool refuses.
      const self = {
        emit: (event: string, err: unknown) => emitted.push([event, err]) > 0,
        mapCompletionIdArg: () => ['job-1'],
        mapCompletionDataArg: () => null,
        db: { executeSql: async () => Promise.reject(lost) },
        config: { schema: 'pgboss' },
        completeJobsCommand: 'select 1',
        failJobsByIdCommand: 'select 1',
      };
      const recorded = (manager[method] as (...a: unknown[]) => Promise<unknown>).call(self, 'q', 'job-1');
      await expect(recorded).resolves.toBeUndefined();
      expect(emitted).toEqual([['error', lost]]);
    });
});
