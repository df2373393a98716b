import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { demoTenant } from '../../../src/sandbox/index.js';
import { waitFor } from '../../helpers/app.js';
import { pointSandboxAt, startBot, type BotProcess } from './bot.js';
import { sleep, startChaosSandbox } from './feishu.js';
import { freshDatabase, testPool } from './postgres.js';

/**
 * One workflow chaos run (contracts-kill, qa-kill): the stand-in, a fresh database, the bot in its own
 * process with the demo directory and the Base provisioned, and a killer that SIGKILLs it at seeded
 * moments and starts it again. Every wait names the seed and the kills so far when it times out.
 */
export interface WorkflowRun {
  sandbox: Awaited<ReturnType<typeof startChaosSandbox>>;
  pool: pg.Pool;
  /** Every line any bot process of the run wrote (pino JSON). */
  lines: string[];
  kills: number[];
  /** How long each restart took (kill to listening). */
  downMs: number[];
  /** Starts that failed after a kill (a finding: each is kept with the bot's last lines). */
  restartErrors: string[];
  /** Resolves once the bot is up again (at once when no restart is under way). */
  settled(): Promise<void>;
  until<T>(check: () => Promise<T | undefined | false>, what: string, ms?: number): Promise<T>;
  /** A POST to the bot that survives its death: retried against the restarted process until answered < 500. */
  api(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Kills the bot after each `nextWaitMs()` until the returned stop() is called (which awaits the last restart). */
  killRepeatedly(nextWaitMs: () => number): () => Promise<void>;
  close(): Promise<void>;
}

export async function startWorkflowRun(o: { tag: string; apiToken: string; untilMs: number }): Promise<WorkflowRun> {
  const sandbox = await startChaosSandbox();
  const database = await freshDatabase();
  const pool = testPool(database.url);
  const tenantDir = mkdtempSync(join(tmpdir(), 'fo-chaos-tenant-'));
  const tenantFile = join(tenantDir, 'tenant.json');
  writeFileSync(tenantFile, JSON.stringify(demoTenant(sandbox.state)));
  const lines: string[] = [];
  const env = { CHAOS_WORKFLOWS: '1', API_TOKENS: o.apiToken };
  let bot: BotProcess = await startBot({
    sandbox,
    databaseUrl: database.url,
    lines,
    env: { ...env, CHAOS_DEMO_TENANT: tenantFile },
  });
  pointSandboxAt(sandbox, bot.url);
  const kills: number[] = [];
  const downMs: number[] = [];
  const restartErrors: string[] = [];
  let restarting: Promise<void> | undefined;

  async function restartBot(): Promise<BotProcess> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startBot({ sandbox, databaseUrl: database.url, lines, env, readyTimeoutMs: 60_000 });
      } catch (err) {
        restartErrors.push(`${(err as Error).message}; last lines: ${lines.slice(-5).join('\n')}`);
        if (attempt >= 3) throw err;
      }
    }
  }

  const until = async <T>(check: () => Promise<T | undefined | false>, what: string, ms = o.untilMs) => {
    try {
      return await waitFor(check, `${what} (${o.tag})`, ms);
    } catch (err) {
      throw new Error(
        `${(err as Error).message}; kills after ${kills.join(', ')} ms; restarts ${downMs.join(', ')} ms`,
      );
    }
  };

  return {
    sandbox,
    pool,
    lines,
    kills,
    downMs,
    restartErrors,
    settled: async () => {
      await restarting;
    },
    until,
    api: (path, body) =>
      until(async () => {
        await restarting;
        try {
          const res = await fetch(`${bot.url}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${o.apiToken}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(5000),
          });
          if (res.status >= 500) return undefined;
          return { status: res.status, json: (await res.json()) as Record<string, unknown> };
        } catch {
          await sleep(200);
          return undefined;
        }
      }, `POST ${path} answered`),
    killRepeatedly(nextWaitMs) {
      let driving = true;
      const started = Date.now();
      const killer = (async () => {
        while (driving) {
          await sleep(nextWaitMs());
          if (!driving) break;
          kills.push(Date.now() - started);
          restarting = (async () => {
            await bot.kill9();
            const down = Date.now();
            bot = await restartBot();
            pointSandboxAt(sandbox, bot.url);
            downMs.push(Date.now() - down);
          })();
          await restarting;
        }
      })();
      return async () => {
        driving = false;
        await killer;
      };
    },
    async close() {
      await bot.stop();
      await sandbox.dispose();
      await pool.end();
      await database.drop();
      rmSync(tenantDir, { recursive: true, force: true });
    },
  };
}
