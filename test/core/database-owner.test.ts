import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createPostgresDatabase, testDatabaseUrl } from '../helpers/db.js';

const run = promisify(execFile);

// The embedded database has one owner process (issue 17 §2); PostgreSQL serves several instances.
describe('one owner for the embedded database', () => {
  const children: ChildProcess[] = [];
  let dataDir: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await drop?.();
    drop = undefined;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  function holder(env: Record<string, string>): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/hold-database.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const exited = new Promise((r) => child.once('exit', r));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('HOLDING')) resolve({ child, exited });
      });
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => reject(new Error(`holder exited ${code}: ${out}`)));
    });
  }

  const cli = (env: Record<string, string>, ...args: string[]) =>
    run(process.execPath, ['bin/feishu-ops.js', ...args], {
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      timeout: 60_000,
    });

  it.runIf(!testDatabaseUrl)(
    'refuses a second process on the same DATA_DIR, takes over after kill -9, loses no case',
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'fo-owner-'));
      const env = { DATA_DIR: dataDir, DATABASE_URL: '' };
      const first = await holder(env);

      // A second process (the real CLI) stops with one line naming the holder and the way out.
      const second = await cli(env, 'migrate').then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      );
      expect(second).toBeDefined();
      expect(second!.code).toBe(1);
      const lines = second!.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`in use by process ${first.child.pid}`);
      expect(lines[0]).toContain('DATABASE_URL');
      // …and so does an open inside this process.
      await expect(openDatabase({ dataDir })).rejects.toThrow(/in use by process/);

      first.child.kill('SIGKILL');
      await first.exited;
      // The stale lock of the killed process is taken over; its reported case is still there.
      const third = await holder(env);
      third.child.kill('SIGKILL');
      await third.exited;
      const db = await openDatabase({ dataDir });
      const { rows } = await db.query<{ title: string }>('select title from exceptions_cases order by id');
      await db.close();
      expect(rows.map((r) => r.title)).toEqual([`holder ${first.child.pid}`, `holder ${third.child.pid}`]);
    },
    120_000,
  );

  it.runIf(Boolean(testDatabaseUrl))(
    'lets several processes share one PostgreSQL',
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'fo-owner-'));
      const pg = await createPostgresDatabase(testDatabaseUrl!);
      drop = pg.drop;
      const env = { DATA_DIR: dataDir, DATABASE_URL: pg.url };
      const first = await holder(env);
      expect((await cli(env, 'migrate')).stdout).toContain('migrations applied');
      const second = await holder(env);
      const db = await openDatabase({ url: pg.url });
      const { rows } = await db.query<{ n: number }>('select count(*)::int as n from exceptions_cases');
      await db.close();
      expect(rows[0]?.n).toBe(2);
      first.child.kill('SIGKILL');
      second.child.kill('SIGKILL');
    },
    120_000,
  );
});
