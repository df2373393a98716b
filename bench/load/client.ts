import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadStats } from './loadgen.js';

/** Runs one load job in a fresh generator process and returns its numbers. */
export function runLoadProcess(job: LoadJob): Promise<LoadStats> {
  const file = fileURLToPath(new URL('./loadgen.ts', import.meta.url));
  const proc = fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: { type: string; stats?: LoadStats; error?: string }) => {
      if (m.type === 'done' && m.stats) resolve(m.stats);
      else reject(new Error(`load generator failed: ${m.error}`));
    });
    proc.once('exit', (code) => reject(new Error(`load generator exited (${code})`)));
    proc.send(job);
  });
}
