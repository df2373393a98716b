import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { OpenApiError, parseWith } from '../api/errors.js';
import { findTable } from '../bitable/tables.js';
import type { SandboxContext } from '../context.js';
import type { ConsoleActions } from './actions.js';
import { memberRoutes } from './members.js';
import { chatView, messageView, nextStepsView, tableView } from './views.js';

const consoleError = (detail: string) => new OpenApiError(400, `bad request: ${detail}`, 400);
const User = z.object({ user: z.string().min(1) });
const CardAction = z.object({
  user: z.string(),
  message_id: z.string(),
  action: z.object({
    tag: z.string(),
    value: z.unknown().optional(),
    name: z.string().optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
    option: z.string().optional(),
    options: z.array(z.string()).optional(),
    input_value: z.string().optional(),
    checked: z.boolean().optional(),
  }),
});
type TableParams = { app_token: string; table_id: string };

/** JSON for the console page under /sandbox/api (no token: the console is the people, not the app). */
export function consoleRoutes(app: FastifyInstance, ctx: SandboxContext, actions: ConsoleActions): void {
  const { data } = ctx.store;
  const api = '/sandbox/api';
  memberRoutes(app, ctx, actions);

  app.get(`${api}/bootstrap`, async () => ({
    tenant: data.tenant,
    bot: data.bot,
    departments: data.departments,
    users: data.users,
    app_id: data.credentials.appId,
    time_zone: ctx.settings.timeZone,
    endpoints: { event: Boolean(ctx.endpoints.eventUrl), card: Boolean(ctx.endpoints.cardUrl) },
  }));

  app.get(`${api}/chats`, async (request) => {
    const { user } = parseWith(User, request.query, consoleError);
    return data.chats
      .filter((c) => c.members.includes(user))
      .map((c) => chatView(data, c))
      .sort((a, b) => (b.last?.at ?? 0) - (a.last?.at ?? 0) || (a.chat_type === 'p2p' ? -1 : 1));
  });

  app.get(`${api}/next-steps`, async (request) => {
    const { user } = parseWith(User, request.query, consoleError);
    return nextStepsView(data, user);
  });

  app.get(`${api}/chats/:chat_id/messages`, async (request) => {
    const chatId = (request.params as { chat_id: string }).chat_id;
    return data.messages
      .filter((m) => m.chat_id === chatId && !m.deleted)
      .slice(-200)
      .map((m) => messageView(data, m));
  });

  app.post(`${api}/chats/:chat_id/messages`, async (request) => {
    const body = parseWith(
      User.extend({ text: z.string().min(1).max(4000), mention_bot: z.boolean().optional() }),
      request.body,
      consoleError,
    );
    const chatId = (request.params as { chat_id: string }).chat_id;
    const message = actions.sendUserMessage({
      userOpenId: body.user,
      chatId,
      text: body.text,
      mentionBot: body.mention_bot ?? false,
    });
    return messageView(data, message);
  });

  app.post(`${api}/card-actions`, async (request) => {
    const body = parseWith(CardAction, request.body, consoleError);
    const action = Object.fromEntries(
      Object.entries(body.action).filter(([, v]) => v !== undefined),
    ) as typeof body.action;
    return actions.clickCard({ operatorOpenId: body.user, messageId: body.message_id, action });
  });

  app.get(`${api}/bitable`, async () =>
    Object.values(data.apps).map((a) => ({
      app_token: a.app_token,
      name: a.name,
      subscribed: Boolean(data.subscriptions[a.app_token]),
      tables: a.tables.map((t) => ({ table_id: t.table_id, name: t.name, record_count: t.records.length })),
    })),
  );

  const table = (request: FastifyRequest) => {
    const p = request.params as TableParams;
    return findTable(ctx, p.app_token, p.table_id);
  };
  app.get(`${api}/bitable/:app_token/:table_id`, async (request) => {
    const view = (request.query as { view?: unknown }).view;
    return tableView(data, table(request).table, typeof view === 'string' ? view : undefined, ctx.now().getTime());
  });

  const Write = User.extend({ fields: z.record(z.string(), z.unknown()) });
  app.post(`${api}/bitable/:app_token/:table_id/records`, async (request) => {
    const body = parseWith(Write, request.body, consoleError);
    const p = request.params as TableParams;
    const record = await actions.addRecord(body.user, p.app_token, p.table_id, body.fields);
    return { record_id: record.record_id };
  });
  app.patch(`${api}/bitable/:app_token/:table_id/records/:record_id`, async (request) => {
    const body = parseWith(Write, request.body, consoleError);
    const p = request.params as TableParams & { record_id: string };
    const record = await actions.editRecord(body.user, p.app_token, p.table_id, p.record_id, body.fields);
    return { record_id: record.record_id };
  });
  app.delete(`${api}/bitable/:app_token/:table_id/records/:record_id`, async (request) => {
    const { user } = parseWith(User, request.query, consoleError);
    const p = request.params as TableParams & { record_id: string };
    await actions.deleteRecord(user, p.app_token, p.table_id, p.record_id);
    return { deleted: true };
  });

  app.get(`${api}/deliveries`, async () =>
    ctx.deliverer
      .deliveries()
      .slice(-100)
      .reverse()
      .map((d) => ({ event_id: d.event_id, event_type: d.event_type, state: d.state, attempts: d.attempts })),
  );

  // Live updates: one SSE stream; the page re-fetches what changed.
  app.get(`${api}/stream`, (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    reply.raw.write('retry: 2000\n\n');
    const listener = (change: unknown) => reply.raw.write(`data: ${JSON.stringify(change)}\n\n`);
    const ping = setInterval(() => reply.raw.write(': ping\n\n'), 15_000);
    ctx.store.changes.on('change', listener);
    request.raw.on('close', () => {
      clearInterval(ping);
      ctx.store.changes.off('change', listener);
    });
  });
}
