import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryOf } from './compiled.js';

/** A TypeScript entry of bench/ run as its own Node process (compiled, see compiled.ts), talked to over IPC. */
export class BenchChild {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private exited = false;

  private constructor(
    readonly proc: ChildProcess,
    readonly name: string,
  ) {
    proc.on('message', (m: { id?: number; result?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(`${name}: ${m.error}`));
      else w?.resolve(m.result);
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiting.values()) w.reject(new Error(`${name} exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  /** Starts `entry` (relative to bench/) and waits for its `{type: 'ready'}` message. */
  static async start<R = unknown>(
    entry: string,
    env: Record<string, string | undefined>,
    name = entry,
  ): Promise<{ child: BenchChild; ready: R }> {
    const source = fileURLToPath(new URL(entry, import.meta.url));
    const run = entryOf(relative(fileURLToPath(new URL('..', import.meta.url)), source));
    // The heap cap `npm start` and the Docker image use (package.json); BENCH_NODE_FLAGS overrides it.
    const extra = (process.env.BENCH_NODE_FLAGS ?? '--max-old-space-size=256').split(' ').filter(Boolean);
    const proc = fork(run.file, [], {
      execArgv: [...extra, ...run.execArgv],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = new BenchChild(proc, name);
    const ready = await new Promise<R>((resolve, reject) => {
      const onMessage = (m: { type?: string; ready?: R }) => {
        if (m.type !== 'ready') return;
        proc.off('message', onMessage);
        resolve(m.ready as R);
      };
      proc.on('message', onMessage);
      proc.once('exit', (code) => reject(new Error(`${name} exited before it was ready (${code})`)));
    });
    return { child, ready };
  }

  call<T>(cmd: string, args: unknown = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, cmd, args });
    });
  }

  /** Peak resident set size of the process so far, in MB (Linux VmHWM). */
  peakRssMb(): number | null {
    try {
      const status = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
      const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
      return kb ? Math.round(Number(kb) / 1024) : null;
    } catch {
      return null;
    }
  }

  /** Asks the process to stop gracefully; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.send({ cmd: 'stop' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** The child side: answers `{id, cmd, args}` messages with `handlers[cmd](args)`. */
export function serveIpc(handlers: Record<string, (args: never) => Promise<unknown>>, stop: () => Promise<void>): void {
  process.on('message', (m: { id?: number; cmd: string; args?: unknown }) => {
    if (m.cmd === 'stop') {
      void stop().finally(() => process.exit(0));
      return;
    }
    const handler = handlers[m.cmd];
    const run = handler ? handler(m.args as never) : Promise.reject(new Error(`unknown command ${m.cmd}`));
    run.then(
      (result) => process.send?.({ id: m.id, result }),
      (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
}
