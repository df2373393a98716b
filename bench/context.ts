import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type SandboxHandle } from '../src/sandbox/index.js';
import { BenchChild } from './child.js';
import type { BenchDatabase } from './database.js';

export interface RunningServer {
  child: BenchChild;
  url: string;
}

export interface BenchContext {
  short: boolean;
  sandbox: SandboxHandle;
  database: BenchDatabase;
  /** Outbound message budget the bot is configured with (LARK_MESSAGES_PER_SECOND). */
  messagesPerSecond: number;
  logDir: string;
  print(line: string): void;
  startBot(options: { workers: boolean; env?: Record<string, string> }): Promise<RunningServer>;
  startBaseline(): Promise<RunningServer>;
  /** The same verify + decrypt + event and job rows with the bot's group commit, and nothing else. */
  startGroupCommitBaseline(): Promise<RunningServer>;
  /** Stops a server, keeping its peak RSS for the memory target. */
  stop(server: RunningServer): Promise<void>;
  peakRssMb(): number | null;
  /** Peak RSS of each bot process, by the order it was started. */
  peaks(): Record<string, number | null>;
}

export async function createContext(o: {
  short: boolean;
  database: BenchDatabase;
  messagesPerSecond: number;
  print(line: string): void;
}): Promise<BenchContext & { close(): Promise<void> }> {
  const logDir = mkdtempSync(join(tmpdir(), 'fo-bench-logs-'));
  // The stand-in's per-chat limit (5/s) is Feishu's; the bench measures the bot's own global budget, so chats are not
  // the bottleneck.
  const sandbox = await startSandbox({
    dataDir: mkdtempSync(join(tmpdir(), 'fo-bench-sandbox-')),
    port: 0,
    saveDebounceMs: 3_600_000,
    retryScale: 0.01,
    limits: { messagesPerTarget: 10_000 },
  });
  const c = sandbox.credentials;
  let peak: number | null = null;
  const peaks: Record<string, number | null> = {};
  let started = 0;
  const ctx: BenchContext & { close(): Promise<void> } = {
    short: o.short,
    sandbox,
    database: o.database,
    messagesPerSecond: o.messagesPerSecond,
    logDir,
    print: o.print,
    async startBot({ workers, env: extra }) {
      const env = {
        ...o.database.appEnv,
        NODE_ENV: 'production',
        LARK_APP_ID: c.appId,
        LARK_APP_SECRET: c.appSecret,
        LARK_ENCRYPT_KEY: c.encryptKey,
        LARK_VERIFICATION_TOKEN: c.verificationToken,
        LARK_BASE_URL: sandbox.url,
        LARK_MESSAGES_PER_SECOND: String(o.messagesPerSecond),
        LOG_LEVEL: 'info',
        BENCH_WORKERS: workers ? '1' : '0',
        BENCH_LOG_FILE: join(logDir, `bot-${++started}.log`),
        ...extra,
      };
      const { child, ready } = await BenchChild.start<{ url: string }>(
        './server/bot-server.ts',
        env,
        workers ? 'bot' : 'bot (intake only)',
      );
      return { child, url: ready.url };
    },
    async startBaseline() {
      const { child, ready } = await BenchChild.start<{ url: string }>(
        './server/baseline-server.ts',
        o.database.baselineEnv,
        'baseline',
      );
      return { child, url: ready.url };
    },
    async startGroupCommitBaseline() {
      const env = {
        ...o.database.appEnv,
        LARK_ENCRYPT_KEY: c.encryptKey,
        LARK_VERIFICATION_TOKEN: c.verificationToken,
      };
      const { child, ready } = await BenchChild.start<{ url: string }>(
        './server/group-commit-server.ts',
        env,
        'group-commit baseline',
      );
      return { child, url: ready.url };
    },
    async stop(server) {
      const rss = server.child.peakRssMb();
      if (server.child.name.startsWith('bot')) {
        peaks[`rssMb.${Object.keys(peaks).length + 1}.${server.child.name.replace(/[^a-z]+/g, '-')}`] = rss;
        if (rss !== null) peak = Math.max(peak ?? 0, rss);
      }
      await server.child.stop();
    },
    peakRssMb: () => peak,
    peaks: () => ({ ...peaks }),
    async close() {
      await sandbox.close();
    },
  };
  return ctx;
}
