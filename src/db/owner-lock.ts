import { randomUUID } from 'node:crypto';
import {
  mkdirSync,
  openSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The embedded database has one owner process. PGlite is a single in-process Postgres: two
 * processes on one folder each believe they own it and overwrite each other's pages (two
 * `npm start` handed out the same case number, and a case vanished after a restart). The owner
 * writes `DATA_DIR/pglite.lock` (pid, host, token) beside the data and refreshes its time while it runs.
 */
export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
}

interface Holder {
  pid: number;
  host: string;
  token: string;
  since: string;
}

export interface OwnerLock {
  release(): void;
}

// A lock from another host is alive while its owner keeps touching it (every HEARTBEAT_MS).
const HEARTBEAT_MS = 5_000;
const STALE_MS = 20_000;
const heldHere = new Set<string>();

export function acquireOwnerLock(dir: string): OwnerLock {
  const path = join(dir, 'pglite.lock');
  const me: Holder = { pid: process.pid, host: hostname(), token: randomUUID(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 20; attempt++) {
    if (tryCreate(path, me)) return hold(path, me);
    const holder = readHolder(path);
    if (holder === 'missing') continue;
    if (holder === 'unreadable') {
      // Created a moment ago and not written yet, or a crash mid-write: stale once it is old.
      if (ageMs(path) < 2_000) {
        sleepSync(50);
        continue;
      }
    } else if (isAlive(path, holder)) {
      throw new DatabaseInUseError(inUseMessage(dir, holder));
    }
    takeOver(path, holder === 'unreadable' ? undefined : holder.token);
  }
  throw new DatabaseInUseError(
    `DATA_DIR: could not take the embedded database lock ${path}; another process keeps changing it`,
  );
}

function inUseMessage(dir: string, h: Holder): string {
  return (
    `DATA_DIR: the embedded database in ${dir} is in use by process ${h.pid} on ${h.host} (since ${h.since}); ` +
    ('one embedded database serves one process — stop that one, or set DATABASE_URL to a PostgreSQL to run ' +
      'several instances')
  );
}

function tryCreate(path: string, me: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

function hold(path: string, me: Holder): OwnerLock {
  heldHere.add(path);
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // The folder went away (tests removing DATA_DIR); nothing to keep alive.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      heldHere.delete(path);
      const current = readHolder(path);
      if (typeof current === 'object' && current.token === me.token) unlinkQuietly(path);
    },
  };
}

function readHolder(path: string): Holder | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.token === 'string')
      return { since: '?', ...h } as Holder;
  } catch {
    // fall through
  }
  return 'unreadable';
}

function isAlive(path: string, h: Holder): boolean {
  if (h.host !== hostname()) return ageMs(path) < STALE_MS;
  // Same pid as ours but not held by this process: a previous life of this container (pid 1 again).
  if (h.pid === process.pid) return heldHere.has(path);
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock. Two starters may find the same stale lock: the takeover runs under a
 * second, mkdir-based lock and removes the file only if it still names the dead holder, so the
 * loser of the race finds the winner's fresh lock instead of deleting it.
 */
function takeOver(path: string, staleToken: string | undefined): void {
  const guard = `${path}.takeover`;
  try {
    mkdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A starter killed during its takeover leaves the guard behind.
    if (ageMs(guard) > 10_000) rmdirQuietly(guard);
    else sleepSync(50);
    return;
  }
  try {
    const current = readHolder(path);
    const same =
      current === 'unreadable' ? staleToken === undefined : typeof current === 'object' && current.token === staleToken;
    if (same) unlinkQuietly(path);
  } finally {
    rmdirQuietly(guard);
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function rmdirQuietly(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // already gone
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
