import { spawn, type ChildProcess } from 'node:child_process';
import type { SandboxHandle } from '../../../src/sandbox/index.js';

export interface BotProcess {
  url: string;
  pid: number;
  /** Every line the process wrote to stdout (pino JSON), kept across restarts by the caller. */
  lines: string[];
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export interface BotOptions {
  sandbox: SandboxHandle;
  databaseUrl: string;
  env?: Record<string, string>;
  /** Lines of every process started with the same array, for log assertions. */
  lines?: string[];
  /** Give up (SIGKILL the child, reject naming its last lines) when it does not listen in time. */
  readyTimeoutMs?: number;
}

/** Starts the real app in a child process against the stand-in and waits until it listens. */
export async function startBot(o: BotOptions): Promise<BotProcess> {
  const c = o.sandbox.credentials;
  const lines = o.lines ?? [];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/chaos/support/bot-process.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: o.databaseUrl,
      LARK_APP_ID: c.appId,
      LARK_APP_SECRET: c.appSecret,
      LARK_ENCRYPT_KEY: c.encryptKey,
      LARK_VERIFICATION_TOKEN: c.verificationToken,
      LARK_BASE_URL: o.sandbox.url,
      LOG_LEVEL: 'info',
      JOB_RETRY_LIMIT: '8',
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let partial = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        const ready = /^CHAOS_READY (\S+)/.exec(line);
        if (ready) resolve(ready[1]!);
        else if (line) lines.push(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`bot exited before listening (${code})`)));
    if (o.readyTimeoutMs)
      setTimeout(() => {
        child.kill('SIGKILL');
        const last = lines.slice(-8).map((l) => l.slice(0, 300));
        reject(new Error(`bot not listening after ${o.readyTimeoutMs} ms; its last lines:\n${last.join('\n')}`));
      }, o.readyTimeoutMs).unref();
  });
  return {
    url,
    pid: child.pid!,
    lines,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function pointSandboxAt(sandbox: SandboxHandle, url: string): void {
  sandbox.setBotEndpoints({ eventUrl: `${url}/webhook/event`, cardUrl: `${url}/webhook/card` });
}
