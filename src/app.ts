import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Dispatcher, EVENT_QUEUE } from './core/bot.js';
import { AppError, PermanentError } from './core/errors.js';
import { registerApiSupport, validationError } from './core/api.js';
import { coreModule } from './core/help.js';
import { createInbox } from './core/inbox.js';
import { createIntake, type Intake } from './core/intake.js';
import type { AppModule, Deps } from './deps.js';
import { Registry } from './core/registry.js';
import { SettingsStore } from './core/settings.js';
import type { JobContext } from './core/contexts.js';
import type { JobMeta } from './core/jobs.js';
import { migrationsApplied } from './db/migrate.js';
import { webhookRoutes } from './feishu/webhook.js';
import { createSessions } from './core/session.js';
import { withoutQuery } from './core/logger.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { bitableLinks } from './dashboard/links.js';
import { tabsSetUp } from './dashboard/tabs.js';
import { directoryOf } from './domains/directory/service.js';

export interface BuiltApp {
  app: FastifyInstance;
  registry: Registry;
  dispatcher: Dispatcher;
  intake: Intake;
  /** More conditions for /readyz (e.g. the long connection): each names itself in the body. */
  readiness: Map<string, ReadinessCheck>;
}

/** `ready: false` makes /readyz answer 503; `detail` is shown under the check's name either way. */
export type ReadinessCheck = () => { ready: boolean; detail: Record<string, unknown> };

/** Fastify + webhook + every module's handlers and routes. Never listens; jobs start in start.ts. */
export async function buildApp(deps: Deps, modules: AppModule[]): Promise<BuiltApp> {
  const settings = new SettingsStore({ database: deps.database, log: deps.log.child({ component: 'settings' }) });
  const registry = new Registry(settings);
  const inbox = createInbox(deps.database);
  const dispatcher = new Dispatcher(
    registry,
    { log: deps.log, clock: deps.clock, messenger: deps.feishu.messages, cards: deps.cards },
    inbox,
  );
  const core = coreModule(() => dispatcher, {
    database: deps.database,
    retentionDays: deps.config.intake.retentionDays,
  });
  for (const module of [core, ...modules]) {
    await module.setup(registry.forModule(module.name, module.title), {
      ...deps,
      log: deps.log.child({ module: module.name }),
    });
  }
  defineJobs(deps, registry, dispatcher);
  const intake = createIntake({
    database: deps.database,
    dispatcher,
    jobs: deps.jobs,
    log: deps.log.child({ component: 'intake' }),
  });

  // Only the configured proxies may speak for the client (X-Forwarded-For/-Proto); by default none.
  const trustProxy = deps.config.trustProxy.length > 0 ? deps.config.trustProxy : false;
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy,
  });
  // Settings are cached per instance and re-read when any instance changes them.
  await settings.start();
  app.addHook('onClose', () => settings.close());
  await registerApiSupport(app, {
    tokens: deps.config.apiTokens,
    perMinute: deps.config.apiWritesPerMinute,
    docs: deps.config.apiDocs,
  });
  const directory = directoryOf(deps.database);
  const sessions = createSessions({
    secret: deps.config.sessionSecret,
    database: deps.database,
    now: () => deps.clock.now().getTime(),
    cookie: deps.config.sessionCookie,
    // Checked on every request: a person deactivated in the directory loses the dashboard at once.
    admit: async (openId) => {
      const person = await directory.person(openId);
      return person?.active ? { openId: person.openId, name: person.name } : null;
    },
  });
  if (sessions.ephemeral && deps.config.env === 'production')
    deps.log.warn('SESSION_SECRET is not set: dashboard sign-ins end when this process restarts');
  app.decorateRequest('viewer', null);
  app.decorateRequest('dashboardScope', null);
  app.addHook('onRequest', async (req) => {
    // Only /api/ reads the viewer: page assets cost no session query.
    if (req.url.startsWith('/api/')) req.viewer = await sessions.read(req);
  });
  app.setErrorHandler((thrown, req, reply) => {
    // The dashboard's reads answer a bad filter with 400 (bad request), the ingest APIs with 422.
    const err =
      validationError(thrown, req.url.startsWith('/api/dashboard/') ? 'bad_request' : 'unprocessable') ?? thrown;
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err }, 'request failed');
      else req.log.info({ code: err.code, url: withoutQuery(req.url) }, err.message);
      return reply.status(err.status).send(err.toJSON());
    }
    const e = err as { statusCode?: number; code?: string; message: string; validation?: unknown };
    const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const code =
      status === 413
        ? 'payload_too_large'
        : status === 415
          ? 'unsupported_media_type'
          : status === 400
            ? 'bad_request'
            : status >= 500
              ? 'internal'
              : String(e.code ?? 'error').toLowerCase();
    const message = status >= 500 ? 'internal error' : e.message;
    return reply.status(status).send({ error: { code, message, details: e.validation ?? null } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `no route ${req.method} ${req.url.split(/[?#]/)[0]}`, details: null },
    }),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  const readiness = new Map<string, ReadinessCheck>();
  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.database.ping();
      if (!(await migrationsApplied(deps.database))) return reply.status(503).send({ status: 'migrations pending' });
    } catch {
      return reply.status(503).send({ status: 'database unreachable' });
    }
    const checks = [...readiness].map(([name, check]) => ({ name, ...check() }));
    const details = Object.fromEntries(checks.map((c) => [c.name, c.detail]));
    const down = checks.find((c) => !c.ready);
    if (down) return reply.status(503).send({ status: `${down.name} not ready`, ...details });
    return { status: 'ready', ...details };
  });

  const feishu = deps.config.feishu;
  const sandboxConsole = deps.config.sandbox.enabled && feishu ? `${feishu.baseUrl}/sandbox` : undefined;
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
  await app.register(
    dashboardRoutes({
      sessions,
      directory,
      appId: feishu?.appId ?? '',
      login: (code) => deps.feishu.userFromLoginCode(code),
      tabsSetUp: tabsSetUp(registry.routes.map((r) => r.prefix)),
      // Outside Feishu only the sandbox has a sign-in page: its console, where one picks who to be.
      ...(sandboxConsole ? { signInUrl: sandboxConsole } : {}),
      links: () =>
        bitableLinks(
          deps.database.db,
          sandboxConsole ? (token) => `${sandboxConsole}?base=${encodeURIComponent(token)}` : undefined,
        ),
    }),
  );
  return { app, registry, dispatcher, intake, readiness };
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
    deps.jobs.define<object>(
      name,
      (data, meta) => {
        const ctx = context(job.module, meta.id, meta.retryCount + 1, 'job', name);
        return logFailure(ctx, meta, () => job.handler(data, ctx), data);
      },
      job.options,
    );
  }
  for (const [name, s] of registry.schedules) {
    // A slot's key is stable across retries, so a re-run reuses its idempotency keys.
    deps.jobs.schedule(name, s.cron, (slot, meta) => {
      const ctx = { ...context(s.module, slot.toISOString(), meta.retryCount + 1, 'schedule', name), now: slot };
      return logFailure(ctx, meta, () => s.handler(slot, ctx));
    });
  }
}

/**
 * One log line per failed run: a warning while the queue will retry it, an error when it gives up
 * (or at once for a PermanentError) — with the job's own ids (e.g. the case) and the Feishu error
 * code, so an operator can find it in `feishu-ops jobs --failed` and run it again.
 */
async function logFailure(ctx: JobContext, meta: JobMeta, work: () => Promise<void>, data?: object): Promise<void> {
  try {
    await work();
  } catch (err) {
    const final = err instanceof PermanentError || meta.retryCount >= meta.retryLimit;
    const fields = {
      err,
      final,
      jobId: meta.id,
      attempt: meta.retryCount + 1,
      ...remoteCode(err),
      ...(data ? { jobData: scalars(data) } : {}),
    };
    if (final) ctx.log.error(fields, 'job failed for good');
    else ctx.log.warn(fields, 'job failed, will retry');
    throw err;
  }
}

/** The remote error's code and log id when the failure came from an API (e.g. FeishuApiError). */
function remoteCode(err: unknown): { code?: unknown; logId?: unknown } {
  if (!err || typeof err !== 'object') return {};
  const e = err as { code?: unknown; logId?: unknown };
  return { ...(e.code !== undefined ? { code: e.code } : {}), ...(e.logId !== undefined ? { logId: e.logId } : {}) };
}

/** A job's top-level scalar fields (ids, numbers, versions): enough to name what it was about. */
function scalars(data: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data)
      .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
      .map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, 80) : v]),
  );
}
