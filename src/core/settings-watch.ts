import pg from 'pg';
import type { Database } from '../db/client.js';
import type { Logger } from './logger.js';

/** The channel the settings trigger announces every write on (migrations/0008_settings_version.sql). */
export const SETTINGS_CHANNEL = 'core_settings';

export interface SettingsWatch {
  /** True while every change is being heard; while false, readers check the version row instead. */
  readonly live: boolean;
  close(): Promise<void>;
}

/**
 * Hears the settings trigger's NOTIFY. On PostgreSQL a dedicated connection LISTENs (a pooled one
 * would drop the LISTEN when released); if it breaks, `live` turns false and it reconnects with
 * backoff — `onChange` also fires then, since changes may have been missed. PGlite delivers
 * NOTIFY in-process to its own `listen`.
 */
export async function watchSettings(database: Database, log: Logger, onChange: () => void): Promise<SettingsWatch> {
  if (database.kind === 'pglite' && database.pglite) {
    const pglite = database.pglite;
    const unlisten = await pglite.listen(SETTINGS_CHANNEL, onChange);
    // A database closed first (shutdown order, a test closing it under the app) has no LISTEN left:
    // UNLISTEN on it would only throw "PGlite is closed".
    return { live: true, close: async () => (pglite.closed ? undefined : unlisten().catch(() => undefined)) };
  }
  if (!database.url) return { live: false, close: async () => undefined };
  return watchPostgres(database.url, log, onChange);
}

function watchPostgres(url: string, log: Logger, onChange: () => void): Promise<SettingsWatch> {
  let client: pg.Client | undefined;
  let live = false;
  let closed = false;
  let retryMs = 500;
  let timer: NodeJS.Timeout | undefined;

  const drop = (err?: unknown) => {
    if (!live && !client) return;
    live = false;
    const old = client;
    client = undefined;
    old?.end().catch(() => undefined);
    onChange();
    if (closed) return;
    log.warn({ err }, 'settings listener lost; reading the version row until it is back');
    schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => void connect(), retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 30_000);
  };
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    c.on('error', drop);
    c.on('end', () => drop());
    c.on('notification', (msg) => {
      if (msg.channel === SETTINGS_CHANNEL) onChange();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${SETTINGS_CHANNEL}`);
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      live = true;
      retryMs = 500;
      // Whatever changed while nobody listened is read again.
      onChange();
    } catch (err) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
      if (closed) return;
      log.warn({ err }, 'settings listener could not connect; retrying');
      schedule();
    }
  };

  return connect().then(() => ({
    get live() {
      return live;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      live = false;
      const c = client;
      client = undefined;
      c?.removeAllListeners('end');
      await c?.end().catch(() => undefined);
    },
  }));
}
