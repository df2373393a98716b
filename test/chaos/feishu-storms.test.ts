import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/app.js';
import { freshDatabase } from './support/postgres.js';
import { pointSandboxAt, startBot, type BotProcess } from './support/bot.js';
import { Ledger, notExactlyOnce, repliesPerMessage, sleep, startChaosSandbox } from './support/feishu.js';
import { linesWithSecrets } from './support/secrets.js';

interface LogLine {
  msg: string;
  op?: string;
  attempt?: number;
  delayMs?: number;
  time: string;
}

describe('Feishu answering 429 and 5xx storms and expiring tokens', () => {
  let sandbox: Awaited<ReturnType<typeof startChaosSandbox>>;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let bot: BotProcess;
  const lines: string[] = [];

  beforeAll(async () => {
    sandbox = await startChaosSandbox();
    database = await freshDatabase();
    // Jobs may spend a while in backoff here: do not reclaim them as if their worker had died.
    bot = await startBot({ sandbox, databaseUrl: database.url, lines, env: { CHAOS_JOB_EXPIRE_SECONDS: '120' } });
    pointSandboxAt(sandbox, bot.url);
  });
  afterAll(async () => {
    await bot?.stop();
    await sandbox?.dispose();
    await database?.drop();
  });

  it('completes all outbound work once, with visible backoff and no tight loop', async () => {
    const im = '/open-apis/im/';
    const faults = { rateLimited: 40, failed: 40, lostAnswers: 10 };
    sandbox.faults.rateLimitNext(faults.rateLimited, { pathPrefix: im, resetSeconds: 1 });
    sandbox.faults.failNext(faults.failed / 2, { status: 503, pathPrefix: im });
    sandbox.faults.failNext(faults.lostAnswers, { status: 500, pathPrefix: im, afterProcessing: true });
    sandbox.faults.failNext(faults.failed / 2, { status: 502, pathPrefix: im });

    const ledger = new Ledger(sandbox).follow();
    const people = sandbox.state.chats().filter((c) => c.chat_type === 'p2p' && c.p2p_user);
    const started = Date.now();
    // "For a minute", scaled down: every token the bot gets stops working again 300 ms later, for 6 s.
    const expiry = setInterval(() => sandbox.faults.expireTokens(), 300);
    for (let i = 0; i < 30; i++) {
      const p = people[i % people.length]!;
      sandbox.actions.sendUserMessage({ userOpenId: p.p2p_user!, chatId: p.chat_id, text: 'help' });
      await sleep(50);
    }
    await sleep(6000 - (Date.now() - started));
    clearInterval(expiry);

    await waitFor(
      async () => notExactlyOnce(sandbox, (ledger.snapshot(), ledger.all())).length === 0,
      'every message answered',
      120_000,
    ).catch(() => undefined);
    ledger.unfollow();
    const all = ledger.all();
    expect(all).toHaveLength(30);
    expect(notExactlyOnce(sandbox, all)).toEqual([]);
    expect([...repliesPerMessage(sandbox).values()].filter((n) => n > 1)).toEqual([]);
    expect(sandbox.faults.snapshot().rules).toEqual([]);

    const entries = lines.map((l) => JSON.parse(l) as LogLine);
    const backoffs = entries.filter((e) => e.msg === 'feishu call failed, backing off');
    const refreshes = entries.filter((e) => e.msg === 'tenant token rejected, refreshing once');
    const injected = faults.rateLimited + faults.failed + faults.lostAnswers;
    // Backoff is in the logs, grows with the attempt, and never fires faster than ~100 ms.
    expect(backoffs.length).toBeGreaterThan(injected / 2);
    expect(Math.min(...backoffs.map((e) => e.delayMs ?? 0))).toBeGreaterThanOrEqual(100);
    const firstTries = backoffs
      .filter((e) => e.attempt === 1 && e.op !== 'auth.tenantAccessToken')
      .map((e) => e.delayMs!);
    const laterTries = backoffs.filter((e) => (e.attempt ?? 0) >= 3).map((e) => e.delayMs!);
    if (laterTries.length > 0) expect(Math.max(...laterTries)).toBeGreaterThan(Math.min(...firstTries));
    expect(refreshes.length).toBeGreaterThan(0);
    // No tight loop: failed calls stay within a small multiple of the faults Feishu served.
    expect(backoffs.length + refreshes.length).toBeLessThan(3 * injected + 200);
    expect(linesWithSecrets(sandbox, lines)).toEqual([]);
  });
});
