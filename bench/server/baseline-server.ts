// The baseline: bare Fastify, one INSERT per request, same pool size and durability as the app.
import Fastify from 'fastify';
import { openDatabase } from '../../src/db/client.js';
import { serveIpc } from '../child.js';

const database = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir: process.env.DATA_DIR });
await database.exec(
  'create table if not exists bench_baseline (id bigserial primary key, body jsonb ' +
    'not null, received_at timestamptz not null default now())',
);
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.removeContentTypeParser(['application/json', 'text/plain']);
app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
app.post('/webhook/event', async (req, reply) => {
  let body: unknown;
  try {
    body = JSON.parse(String(req.body));
  } catch {
    return reply.status(400).send({ error: 'bad json' });
  }
  await database.query('insert into bench_baseline (body) values ($1)', [body]);
  return {};
});
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as { port: number };
serveIpc({}, async () => {
  await app.close();
  await database.close();
});
process.send?.({ type: 'ready', ready: { url: `http://127.0.0.1:${port}`, pid: process.pid } });
