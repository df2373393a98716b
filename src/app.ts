import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Dispatcher, EVENT_QUEUE } from './core/bot.js';
import { AppError } from './core/errors.js';
import { registerApiSupport, validationError } from './core/api.js';
import { coreModule } from './core/help.js';
import { createInbox } from './core/inbox.js';
import { createIntake, type Intake } from './core/intake.js';
import type { Deps, DomainModule } from './core/module.js';
import { Registry } from './core/registry.js';
import type { JobContext } from './core/contexts.js';
import { migrationsApplied } from './db/migrate.js';
import { webhookRoutes } from './feishu/webhook.js';
import { userFromLoginCode } from './feishu/user-auth.js';
import { createSessions } from './core/session.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { createDirectory } from './domains/directory/service.js';

export interface BuiltApp {
  app: FastifyInstance;
  registry: Registry;
  dispatcher: Dispatcher;
  intake: Intake;
}

/** Fastify + webhook + every module's handlers and routes. Never listens; jobs start in main.ts. */
export async function buildApp(deps: Deps, modules: DomainModule[]): Promise<BuiltApp> {
  const registry = new Registry();
  const inbox = createInbox(deps.database);
  const dispatcher = new Dispatcher(registry, deps, inbox);
  for (const module of [coreModule(() => dispatcher), ...modules]) {
    await module.setup(registry.forModule(module.name, module.title), { ...deps, log: deps.log.child({ module: module.name }) });
  }
  defineJobs(deps, registry, dispatcher);
  const intake = createIntake({ database: deps.database, dispatcher, jobs: deps.jobs, log: deps.log.child({ component: 'intake' }) });

  const app: FastifyInstance = Fastify({ loggerInstance: deps.log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 1024 * 1024, trustProxy: true });
  await registerApiSupport(app, { tokens: deps.config.apiTokens });
  const sessions = createSessions(deps.config.sessionSecret, () => deps.clock.now().getTime());
  if (sessions.ephemeral && deps.config.env === 'production') deps.log.warn('SESSION_SECRET is not set: dashboard sign-ins end when this process restarts');
  app.decorateRequest('viewer', null);
  app.addHook('onRequest', async (req) => {
    req.viewer = sessions.read(req);
  });
  app.setErrorHandler((thrown, req, reply) => {
    const err = validationError(thrown) ?? thrown;
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err }, 'request failed');
      else req.log.info({ code: err.code, url: req.url }, err.message);
      return reply.status(err.status).send(err.toJSON());
    }
    const e = err as { statusCode?: number; code?: string; message: string; validation?: unknown };
    const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 400 ? 'bad_request' : status >= 500 ? 'internal' : String(e.code ?? 'error').toLowerCase();
    const message = status >= 500 ? 'internal error' : e.message;
    return reply.status(status).send({ error: { code, message, details: e.validation ?? null } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url}`, details: null } }),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.database.ping();
      if (!(await migrationsApplied(deps.database))) return reply.status(503).send({ status: 'migrations pending' });
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'database unreachable' });
    }
  });

  const feishu = deps.config.feishu;
  await app.register(webhookRoutes, {
    verify: {
      encryptKey: feishu?.encryptKey,
      verificationToken: feishu?.verificationToken,
      maxAgeSeconds: deps.config.intake.maxAgeSeconds,
      now: () => deps.clock.now().getTime(),
    },
    receive: (body) => intake.receive(body, 'webhook'),
  });
  for (const route of registry.routes) await app.register(route.plugin, { prefix: route.prefix });
  const credentials = { appId: feishu?.appId ?? '', appSecret: feishu?.appSecret ?? '' };
  await app.register(
    dashboardRoutes({
      sessions,
      directory: createDirectory({ db: deps.db }),
      appId: credentials.appId,
      login: (code) => userFromLoginCode(deps.feishu.client, credentials, code),
    }),
  );
  return { app, registry, dispatcher, intake };
}

function defineJobs(deps: Deps, registry: Registry, dispatcher: Dispatcher): void {
  deps.jobs.define<{ id: number }>(EVENT_QUEUE, (data, meta) => dispatcher.runEvent(data.id, meta), { concurrency: 4 });
  const context = (module: string, jobId: string, attempt: number, kind: string, name: string): JobContext => ({
    jobId,
    attempt,
    log: deps.log.child({ module, [kind]: name, jobId }),
    now: deps.clock.now(),
    key: (step) => `${name}:${jobId}:${step}`,
  });
  for (const [name, job] of registry.jobs) {
    deps.jobs.define<object>(name, (data, meta) => job.handler(data, context(job.module, meta.id, meta.retryCount + 1, 'job', name)), job.options);
  }
  for (const [name, s] of registry.schedules) {
    // A slot's key is stable across retries, so a re-run reuses its idempotency keys.
    deps.jobs.schedule(name, s.cron, (slot) => s.handler(slot, { ...context(s.module, slot.toISOString(), 1, 'schedule', name), now: slot }));
  }
}
