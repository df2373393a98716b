import pg from 'pg';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createThrowawayDatabase } from '../../../src/db/admin.js';

// The newest installed PostgreSQL server binaries (Debian: /usr/lib/postgresql/<major>/bin).
const BIN = (() => {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return join(root, majors[0] ?? '15', 'bin');
})();

/** The shared server for the chaos tests that do not restart PostgreSQL. */
export const sharedServerUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database on `serverUrl`; drop() removes it with force. */
export function freshDatabase(serverUrl = sharedServerUrl): Promise<{ url: string; drop(): Promise<void> }> {
  return createThrowawayDatabase(serverUrl, 'fo_chaos');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Cluster {
  url: string;
  stop(mode?: 'immediate' | 'fast'): void;
  start(): void;
  destroy(): void;
}

/** A throwaway PostgreSQL cluster (initdb + pg_ctl as the postgres user), never the shared one. */
export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'fo-chaos-pg-'));
  const data = join(dir, 'data');
  chownSync(dir, uid('postgres'), gid('postgres'));
  const port = await freePort();
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const pgCtl = (args: string[]) => asPostgres('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), ...args]);
  const start = () => pgCtl(['-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`, 'start']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: (mode = 'immediate') => pgCtl(['-m', mode, 'stop']),
    start,
    destroy() {
      try {
        pgCtl(['-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}

/**
 * The test's own connections to the database under test. pg's Pool.end() resolves before its idle
 * connections have closed, and drop() terminates them (57P01); the pool re-emits that as 'error',
 * which without a listener is an uncaught exception that fails a green run. Errors on idle
 * connections are the teardown's, so they are ignored; a query's error still reaches its caller.
 */
export function testPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}
