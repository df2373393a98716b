import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, testDatabaseUrl } from '../helpers/db.js';

// `npm start` with no configuration at all: the offline sandbox, the embedded database (or
// DATABASE_URL on Postgres runs), demo data; SIGTERM shuts it down cleanly.
describe('npm start', () => {
  let child: ChildProcess | undefined;
  let dataDir: string;
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    child?.kill('SIGKILL');
    await drop?.();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs offline, serves the console and the bot, and exits cleanly on SIGTERM', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fo-start-'));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dataDir,
      PORT: '0',
      SANDBOX_PORT: '0',
      LOG_LEVEL: 'info',
    };
    if (testDatabaseUrl) {
      const db = await createPostgresDatabase(testDatabaseUrl);
      env.DATABASE_URL = db.url;
      drop = db.drop;
    }
    // The command of package.json's "start" script, without npm in between (so SIGTERM reaches it).
    const start = (
      JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }
    ).scripts.start.split(' ');
    expect(start[0]).toBe('node');
    child = spawn(process.execPath, start.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    const started = Date.now();
    // The whole line, up to its end: a pipe may hand the banner over in more than one piece.
    while (!/打开控制台:\s+(\S+)\n/.test(output)) {
      if (Date.now() - started > 300_000 || child.exitCode !== null) throw new Error(`did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const bot = /已启动\s+(\S+)/.exec(output)![1]!;
    const consoleUrl = /打开控制台:\s+(\S+)/.exec(output)![1]!;
    expect(output).toContain('OFFLINE SANDBOX');
    // The banner says how events arrive (the sandbox delivers them to the webhook).
    expect(output).toMatch(/events 事件接收\s+webhook \S+\/webhook\/event/);
    // The banner comes last, after the demo seeding, which is one line; no line floods the screen.
    const beforeBanner = output.slice(0, output.indexOf('feishu-ops is running')).split('\n');
    expect(beforeBanner.some((l) => l.includes('demo history seeded'))).toBe(true);
    expect(beforeBanner.filter((l) => l.includes('exception case opened'))).toEqual([]);
    expect(beforeBanner.length).toBeLessThan(40);
    expect(Math.max(...beforeBanner.map((l) => l.length))).toBeLessThan(1_000);
    expect((await fetch(`${bot}/readyz`)).status).toBe(200);
    const page = await fetch(consoleUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 360_000);
});
