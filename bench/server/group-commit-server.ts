// The physical limit of the intake design (issue 14 item 2): the same work as the bot's webhook,
// and nothing else. Fastify with the raw-body parser, the signature check and decryption
// (openFeishuRequest), then the bot's own InboxWriter: the lark_events row and its pg-boss job,
// committed with the same group commit, acked after the commit. What it leaves out is what the
// bot adds on top: its plugins (helmet, rate limit, sessions, swagger), request logging, the
// intake's routing and the dispatcher. Runs on the database the bot migrated.
import Fastify from 'fastify';
import pino from 'pino';
import { EVENT_QUEUE } from '../../src/core/bot.js';
import { InboxWriter } from '../../src/core/inbox-writer.js';
import { JobQueue } from '../../src/core/jobs.js';
import { openDatabase } from '../../src/db/client.js';
import { openFeishuRequest } from '../../src/feishu/verify.js';
import { serveIpc } from '../child.js';

const database = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir: process.env.DATA_DIR });
const log = pino({ level: 'warn' });
const jobs = new JobQueue({ database, log, timeZone: 'Asia/Shanghai', retryLimit: 3 });
jobs.define(EVENT_QUEUE, async () => undefined);
await jobs.start({ workers: false, cron: false });
const writer = new InboxWriter(database, jobs, EVENT_QUEUE);
const verify = {
  encryptKey: process.env.LARK_ENCRYPT_KEY,
  verificationToken: process.env.LARK_VERIFICATION_TOKEN,
  maxAgeSeconds: 7 * 3600,
  now: () => Date.now(),
};

const app = Fastify({ logger: false });
app.removeContentTypeParser(['application/json', 'text/plain']);
app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
app.post('/webhook/event', async (req) => {
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const body = openFeishuRequest(raw, req.headers, verify) as {
    header?: { event_id?: string; event_type?: string; tenant_key?: string };
  };
  const h = body.header ?? {};
  await writer.write(
    {
      eventId: h.event_id ?? '',
      eventType: h.event_type ?? 'unknown',
      source: 'webhook',
      tenantKey: h.tenant_key,
      payload: body,
    },
    true,
  );
  return {};
});
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as { port: number };
serveIpc(
  {
    count: async () =>
      (await database.query<{ stored: number }>('select count(*)::int as stored from lark_events')).rows[0]!,
    reset: async () => {
      await database.exec(`truncate lark_events; delete from pgboss.job where name = '${EVENT_QUEUE}';`);
      return true;
    },
  },
  async () => {
    await app.close();
    await jobs.stop(5_000);
    await database.close();
  },
);
process.send?.({ type: 'ready', ready: { url: `http://127.0.0.1:${port}`, pid: process.pid } });
