// CPU time (user + system, ms) of the bot process and of the PostgreSQL server processes serving one database,
// read from /proc (Linux). On a shared 2-core machine, latencies depend on who else runs; the CPU a window of work
// took on each side does much less. Parallel workers are short-lived processes: the server side counts the
// backends of the database (the pool's connections) only.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
  } catch {
    return 0;
  }
}

function backendsOf(database: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.startsWith('postgres: ') && cmd.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Starts counting; `stop()` answers the CPU ms the bot and the database's backends used since. */
export function cpuWindow(botPid: number | undefined, database: string): { stop(): { botMs: number; dbMs: number } } {
  const bot0 = botPid ? cpuMsOf(botPid) : 0;
  const db0 = new Map(backendsOf(database).map((pid) => [pid, cpuMsOf(pid)]));
  return {
    stop() {
      const botMs = botPid ? cpuMsOf(botPid) - bot0 : 0;
      let dbMs = 0;
      for (const pid of backendsOf(database)) dbMs += cpuMsOf(pid) - (db0.get(pid) ?? 0);
      return { botMs, dbMs };
    },
  };
}
