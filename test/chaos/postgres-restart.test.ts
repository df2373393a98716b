import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/app.js';
import { envelope, signed } from '../helpers/events.js';
import { pointSandboxAt, startBot, type BotProcess } from './support/bot.js';
import { ChatLoad, Ledger, notExactlyOnce, repliesPerMessage, sleep, startChaosSandbox } from './support/feishu.js';
import { startCluster, type Cluster } from './support/postgres.js';
import { linesWithSecrets } from './support/secrets.js';

describe('PostgreSQL restarted under load', () => {
  let sandbox: Awaited<ReturnType<typeof startChaosSandbox>>;
  let cluster: Cluster;
  let bot: BotProcess;
  const lines: string[] = [];

  beforeAll(async () => {
    sandbox = await startChaosSandbox();
    cluster = await startCluster();
    bot = await startBot({ sandbox, databaseUrl: cluster.url, lines });
    pointSandboxAt(sandbox, bot.url);
  });
  afterAll(async () => {
    await bot?.stop();
    await sandbox?.dispose();
    cluster?.destroy();
  });

  const directDelivery = async () => {
    const c = sandbox.credentials;
    const body = envelope('im.message.receive_v1', {
      sender: { sender_id: { open_id: 'ou_x' }, sender_type: 'user' },
      message: {
        message_id: 'om_x',
        chat_id: 'oc_x',
        chat_type: 'p2p',
        message_type: 'text',
        content: '{"text":"help"}',
      },
    });
    body.header.token = c.verificationToken;
    const req = signed(body, { encryptKey: c.encryptKey });
    const res = await fetch(`${bot.url}/webhook/event`, { method: 'POST', headers: req.headers, body: req.payload });
    return res.status;
  };

  it('answers 503 while the database is gone, recovers, and loses nothing it acknowledged', async () => {
    const ledger = new Ledger(sandbox).follow();
    const load = new ChatLoad(sandbox, 10);
    load.start();
    await sleep(2000);

    cluster.stop('immediate');
    const whileDown = await waitFor(
      async () => ((await directDelivery()) === 503 ? 503 : undefined),
      'a 503 while the database is down',
      10_000,
    );
    expect(whileDown).toBe(503);
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    await sleep(2500);
    cluster.start();

    await waitFor(async () => (await fetch(`${bot.url}/readyz`)).status === 200, 'ready again', 30_000);
    await sleep(2000);
    load.stop();
    await sandbox.state.idle();
    await waitFor(
      async () => notExactlyOnce(sandbox, (ledger.snapshot(), ledger.acked())).length === 0,
      'every acked event answered',
      60_000,
    ).catch(() => undefined);
    ledger.unfollow();

    const acked = ledger.acked();
    const refused = ledger.all().filter((r) => r.attempts.some((a) => a.status === 503));
    expect(refused.length, 'deliveries refused with 503 while the database was down').toBeGreaterThan(0);
    expect(notExactlyOnce(sandbox, acked)).toEqual([]);
    expect([...repliesPerMessage(sandbox).values()].filter((n) => n > 1)).toEqual([]);
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from lark_events where event_id = any($1) and status = 'done'`,
        [acked.map((r) => r.event_id)],
      );
      expect(rows[0]!.n).toBe(acked.length);
    } finally {
      await client.end();
    }
    expect(lines.some((l) => l.includes('event could not be stored'))).toBe(true);
    expect(linesWithSecrets(sandbox, lines)).toEqual([]);
  });
});
