import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/app.js';
import { pointSandboxAt, startBot, type BotProcess } from './support/bot.js';
import {
  ChatLoad,
  Ledger,
  messageIdOf,
  notExactlyOnce,
  repliesPerMessage,
  repush,
  sleep,
  startChaosSandbox,
} from './support/feishu.js';
import { freshDatabase, testPool } from './support/postgres.js';
import { chaosSeed, seededRandom } from './support/seeded-random.js';
import { linesWithSecrets } from './support/secrets.js';

// The kill moments and the re-pushed fifth come from CHAOS_SEED (printed): CHAOS_SEED=<n> replays them.
const SEED = chaosSeed();
const random = seededRandom(SEED);
const tag = `CHAOS_SEED=${SEED}`;
process.stdout.write(`kill-restart: ${tag}\n`);

describe('the bot killed with SIGKILL under load', () => {
  let sandbox: Awaited<ReturnType<typeof startChaosSandbox>>;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;
  let bot: BotProcess;
  let ledger: Ledger;
  const lines: string[] = [];
  const restart = async () => {
    bot = await startBot({ sandbox, databaseUrl: database.url, lines });
    pointSandboxAt(sandbox, bot.url);
  };

  beforeAll(async () => {
    sandbox = await startChaosSandbox();
    database = await freshDatabase();
    pool = testPool(database.url);
    ledger = new Ledger(sandbox).follow();
  });
  afterAll(async () => {
    ledger.unfollow();
    await bot?.stop();
    await sandbox?.dispose();
    await pool?.end();
    await database?.drop();
  });

  it('answers every acknowledged event exactly once across five kills at random moments', async () => {
    await restart();
    const load = new ChatLoad(sandbox, 15);
    load.start();
    const killedAfterMs: number[] = [];
    for (let trial = 0; trial < 5; trial++) {
      const wait = Math.round(400 + random() * 2500);
      await sleep(wait);
      await bot.kill9();
      killedAfterMs.push(wait);
      await restart();
    }
    await sleep(1500);
    load.stop();
    await sandbox.state.idle();
    // Jobs that were running at a kill come back once pg-boss expires them (4 s here); one killed
    // after its reply was sent is marked done only then.
    const settled = async () => {
      ledger.snapshot();
      const ids = ledger.acked().map((r) => r.event_id);
      const { rows } = await pool.query<{ n: number }>(
        `select count(*)::int as n from lark_events where event_id = any($1) and status = 'done'`,
        [ids],
      );
      return notExactlyOnce(sandbox, ledger.acked()).length === 0 && rows[0]!.n === ids.length;
    };
    await waitFor(settled, 'every acked event answered and done', 90_000).catch(() => undefined);

    const acked = ledger.acked();
    expect(acked.length, `${tag}, kills after ${killedAfterMs.join(', ')} ms`).toBeGreaterThan(60);
    expect(notExactlyOnce(sandbox, acked)).toEqual([]);
    expect([...repliesPerMessage(sandbox).values()].filter((n) => n > 1)).toEqual([]);
    const sent = sandbox.state.botMessages();
    expect(new Set(sent.map((m) => m.uuid)).size).toBe(sent.length);
    const { rows } = await pool.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from lark_events where event_id = any($1) group by status',
      [acked.map((r) => r.event_id)],
    );
    expect(rows).toEqual([{ status: 'done', n: acked.length }]);
  });

  it('stores each event once and answers it once when Feishu re-pushes all of them, a fifth twice more', async () => {
    ledger.snapshot();
    const all = ledger.all();
    const again = all.filter(() => random() < 0.2);
    const statuses = await Promise.all([...all, ...again, ...again].map((r) => repush(sandbox, bot.url, r)));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await waitFor(async () => notExactlyOnce(sandbox, all).length === 0, 'every event answered', 60_000).catch(
      () => undefined,
    );

    expect(notExactlyOnce(sandbox, all)).toEqual([]);
    const stored = await pool.query<{ event_id: string; n: number }>(
      'select event_id, count(*)::int as n from lark_events where event_id = any($1) group by event_id',
      [all.map((r) => r.event_id)],
    );
    expect(stored.rows).toHaveLength(all.length);
    expect(stored.rows.filter((r) => r.n !== 1)).toEqual([]);
    const sent = sandbox.state.botMessages();
    expect(new Set(sent.map((m) => m.uuid)).size).toBe(sent.length);
  });

  it('reclaims a job whose worker died after Feishu accepted its reply; the retry reuses the uuid', async () => {
    // The reply is stored but its answer is lost; the retries then meet 429s with a 3 s reset,
    // which holds the job between "Feishu call succeeded" and "job marked done" long enough to kill it.
    sandbox.faults.failNext(1, { status: 500, pathPrefix: '/open-apis/im/v1/messages/', afterProcessing: true });
    sandbox.faults.rateLimitNext(5, { pathPrefix: '/open-apis/im/v1/messages/', resetSeconds: 3 });
    const chat = sandbox.state.chats().find((c) => c.chat_type === 'p2p' && c.p2p_user)!;
    const message = sandbox.actions.sendUserMessage({ userOpenId: chat.p2p_user!, chatId: chat.chat_id, text: 'help' });
    await waitFor(
      async () => repliesPerMessage(sandbox).get(message.message_id) === 1,
      'the reply stored at the stand-in',
      120_000,
    );
    await bot.kill9();
    sandbox.faults.clear();
    await restart();

    ledger.snapshot();
    const record = ledger.all().find((r) => messageIdOf(r) === message.message_id)!;
    const done = await waitFor(
      async () => {
        const { rows } = await pool.query<{ status: string; attempts: number }>(
          'select status, attempts from lark_events where event_id = $1',
          [record.event_id],
        );
        return rows[0]?.status === 'done' ? rows[0] : undefined;
      },
      'the reclaimed job done',
      30_000,
    );
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(repliesPerMessage(sandbox).get(message.message_id)).toBe(1);
  });

  it('never writes a secret or an access token into a log line', () => {
    expect(lines.length).toBeGreaterThan(0);
    expect(linesWithSecrets(sandbox, lines)).toEqual([]);
  });
});
