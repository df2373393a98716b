import type { Logger } from 'pino';
import { bitableRecordRoutes } from './api/bitable-records.js';
import { bitableSchemaRoutes } from './api/bitable-schema.js';
import { contactRoutes } from './api/contact.js';
import { driveRoutes } from './api/drive.js';
import { authenRoutes } from './api/authen.js';
import { expireAllTokens } from './api/auth.js';
import { imMessageRoutes } from './api/im-messages.js';
import { buildSandboxServer } from './api/server.js';
import { TableWriteLocks } from './bitable/write-locks.js';
import { adminRoutes } from './console/admin.js';
import { consoleActions, type ConsoleActions } from './console/actions.js';
import { consoleRoutes } from './console/routes.js';
import { helpdeskRoutes } from './console/helpdesk.js';
import { staticRoutes } from './console/static.js';
import { DEFAULT_SETTINGS, type SandboxContext, type SandboxSettings } from './context.js';
import { EventDeliverer, FEISHU_RETRY_SCHEDULE_MS } from './delivery/event-deliverer.js';
import { FaultController } from './faults.js';
import { RateLimiter } from './rate-limit.js';
import { buildTenant } from './seed/build-tenant.js';
import { readStateFile, SandboxStore, writeStateFile } from './state/store.js';
import type { SandboxCredentials } from './state/types.js';
import { createStateView, type SandboxStateView } from './state-view.js';

export type { FaultController, FaultRequest, FaultSnapshot } from './faults.js';
export type { SandboxStateView } from './state-view.js';
export type { ConsoleActions, UserMessageInput } from './console/actions.js';
export type { HelpdeskMessageInput } from './console/helpdesk.js';
export type { CardActionInput, CardActionResult } from './delivery/card-callback.js';
export type { DeliveryRecord } from './delivery/event-deliverer.js';
export type { SendAttempt } from './context.js';
export type * from './state/types.js';
export { FEISHU_RETRY_SCHEDULE_MS } from './delivery/event-deliverer.js';
export { DEMO_PEOPLE, DEMO_DEPARTMENTS, DEMO_GROUPS } from './seed/demo-people.js';
export { demoOpenId } from './seed/build-tenant.js';
export { demoTenant } from './seed/demo-tenant.js';
export { sandboxBanner, sandboxFeishuConfig } from './wiring.js';

export interface SandboxOptions {
  dataDir: string;
  port: number;
  host?: string;
  log?: Logger;
  now?: () => Date;
  /** tenant_access_token lifetime in seconds (default 7200). */
  tokenTtlSeconds?: number;
  /** Retry delays after a failed event delivery (default Feishu's 15 s, 5 min, 1 h, 6 h). */
  retryScheduleMs?: number[];
  /** Multiplies the default retry schedule, e.g. 0.001 turns 15 s into 15 ms (ignored with retryScheduleMs). */
  retryScale?: number;
  /** How long the bot has to answer an event or card callback (default 3000 ms). */
  callbackTimeoutMs?: number;
  /** How long one Bitable write holds its table (default 15 ms). */
  bitableWriteMs?: number;
  limits?: Partial<SandboxSettings['limits']>;
  /** Business time zone the console shows chat times in (default Asia/Shanghai). */
  timeZone?: string;
  /** Group messages pushed to the bot: 'mentions' (default) or 'all' (the im:message.group_msg scope). */
  groupMessages?: SandboxSettings['groupMessages'];
  /** Debounce of the state file write (default 200 ms). */
  saveDebounceMs?: number;
}

export interface SandboxHandle {
  /** Base URL of the Open API stand-in: the bot's LARK_BASE_URL. */
  url: string;
  /** The console page. */
  consoleUrl: string;
  credentials: SandboxCredentials;
  setBotEndpoints(e: { eventUrl: string; cardUrl: string; dashboardUrl?: string }): void;
  faults: FaultController;
  state: SandboxStateView;
  /** Act as a person: send a message, click a card, edit a Base (what the console page does). */
  actions: ConsoleActions;
  close(): Promise<void>;
}

/** Creates DATA_DIR/sandbox/state.json with the demo tenant unless it exists (or `force`). */
export async function seedSandbox(
  dataDir: string,
  options: { force?: boolean; now?: () => Date } = {},
): Promise<{ created: boolean; credentials: SandboxCredentials }> {
  const existing = options.force ? undefined : await readStateFile(dataDir);
  if (existing) return { created: false, credentials: existing.credentials };
  const state = buildTenant((options.now ?? (() => new Date()))().getTime());
  await writeStateFile(dataDir, state);
  return { created: true, credentials: state.credentials };
}

export async function startSandbox(options: SandboxOptions): Promise<SandboxHandle> {
  const now = options.now ?? (() => new Date());
  await seedSandbox(options.dataDir, { now });
  const data = (await readStateFile(options.dataDir))!;
  const store = new SandboxStore(data, options.dataDir, options.saveDebounceMs ?? 200, (err) =>
    options.log?.error({ err }, 'sandbox state save failed'),
  );
  const settings: SandboxSettings = {
    tokenTtlSeconds: options.tokenTtlSeconds ?? DEFAULT_SETTINGS.tokenTtlSeconds,
    bitableWriteMs: options.bitableWriteMs ?? DEFAULT_SETTINGS.bitableWriteMs,
    callbackTimeoutMs: options.callbackTimeoutMs ?? DEFAULT_SETTINGS.callbackTimeoutMs,
    limits: { ...DEFAULT_SETTINGS.limits, ...options.limits },
    timeZone: options.timeZone ?? DEFAULT_SETTINGS.timeZone,
    groupMessages: options.groupMessages ?? DEFAULT_SETTINGS.groupMessages,
  };
  const faults = new FaultController(
    () => expireAllTokens({ store, now }),
    () => store.changes.emit('change', { kind: 'faults' }),
  );
  const retryScheduleMs =
    options.retryScheduleMs ?? FEISHU_RETRY_SCHEDULE_MS.map((ms) => ms * (options.retryScale ?? 1));
  const deliverer = new EventDeliverer({
    store,
    faults,
    now,
    log: options.log,
    retryScheduleMs,
    timeoutMs: settings.callbackTimeoutMs,
  });
  const ctx: SandboxContext = {
    store,
    faults,
    limiter: new RateLimiter(now),
    locks: new TableWriteLocks(),
    deliverer,
    now,
    log: options.log,
    settings,
    endpoints: {},
    sendAttempts: [],
  };
  const actions = consoleActions(ctx);
  const app = buildSandboxServer(ctx, [
    imMessageRoutes,
    contactRoutes,
    authenRoutes,
    bitableSchemaRoutes,
    bitableRecordRoutes,
    driveRoutes,
    adminRoutes,
    helpdeskRoutes,
    staticRoutes,
    (a, c) => consoleRoutes(a, c, actions),
  ]);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${publicHost}:${port}`;
  options.log?.info({ url }, 'sandbox Open API listening');

  return {
    url,
    consoleUrl: `${url}/sandbox`,
    credentials: { ...data.credentials },
    setBotEndpoints(e) {
      ctx.endpoints.eventUrl = e.eventUrl;
      ctx.endpoints.cardUrl = e.cardUrl;
      if (e.dashboardUrl) ctx.endpoints.dashboardUrl = e.dashboardUrl;
      deliverer.setEndpoint(e.eventUrl);
    },
    faults,
    state: createStateView(ctx),
    actions,
    async close() {
      deliverer.close();
      await app.close();
      await store.flush();
    },
  };
}
