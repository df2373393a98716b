import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/core/logger.js';
import { SettingsStore } from '../../src/core/settings.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { waitFor, LogCapture } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';

const Nudge = z.object({ intervalMinutes: z.number().int().positive().default(60) });
const log = createLogger('debug', new LogCapture().stream);

/** Counts the statements a database runs, to show what a read costs. */
function counted(database: Database): Database & { count: () => number } {
  let n = 0;
  return Object.assign(Object.create(database) as Database, {
    query: (text: string, params?: unknown[]) => {
      n++;
      return database.query(text, params);
    },
    count: () => n,
  });
}

describe('settings declared by modules (bot.settings)', () => {
  let database: Database & { url?: string };
  const stores: SettingsStore[] = [];
  const store = (db: Database = database) => {
    const s = new SettingsStore({ database: db, log });
    stores.push(s);
    return s;
  };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await database.query('delete from directory_settings');
  });
  afterAll(() => database.close());

  it('reads the defaults, a saved value, and the defaults again when a stored edit is invalid', async () => {
    const s = store();
    const nudge = s.declare('exceptions', 'exceptions.nudges', Nudge);
    expect(await nudge.get()).toEqual({ intervalMinutes: 60 });
    expect(await s.save('exceptions.nudges', { intervalMinutes: 30 }, 'ou_lead')).toBe('saved');
    expect(await nudge.get()).toEqual({ intervalMinutes: 30 });
    await expect(s.save('exceptions.nudges', { intervalMinutes: -5 }, 'ou_lead')).rejects.toThrow();
    await database.query(
      `update directory_settings set value = '{"intervalMinutes":"soon"}' where key = 'exceptions.nudges'`,
    );
    expect(await nudge.get()).toEqual({ intervalMinutes: 60 });
  });

  it('refuses a key outside the module, a second source for one key, and a schema without defaults', () => {
    const s = store();
    expect(() => s.declare('exceptions', 'qa.sampling', Nudge)).toThrow(/must start with "exceptions\."/);
    s.declare('exceptions', 'exceptions.sla', Nudge, { source: { table: 'settings', map: () => undefined } });
    expect(() => s.declare('qa', 'exceptions.sla', Nudge)).toThrow(/must start with "qa\."/);
    expect(() => s.declare('exceptions', 'exceptions.sla', Nudge)).toThrow(/declared twice/);
    expect(() => s.declare('exceptions', 'exceptions.x', z.object({ n: z.number() }))).toThrow(/needs defaults/);
    // A shared key is read by several modules; one of them carries it in.
    s.declare('directory', 'shared.calendar', Nudge);
    expect(() => s.declare('exceptions', 'shared.calendar', Nudge)).not.toThrow();
  });

  it('answers from its cache without a query while the listener is live', async () => {
    const db = counted(database);
    const s = store(db);
    await s.start();
    const nudge = s.declare('exceptions', 'exceptions.nudges', Nudge);
    await nudge.get();
    const before = db.count();
    for (let i = 0; i < 20; i++) await nudge.get();
    expect(db.count() - before).toBe(0);
  });

  it('costs one query per read without a listener, and re-reads only when the version moved', async () => {
    const db = counted(database);
    const s = store(db);
    const nudge = s.declare('exceptions', 'exceptions.nudges', Nudge);
    await nudge.get();
    const before = db.count();
    await nudge.get();
    expect(db.count() - before).toBe(1);
    await database.query(
      `insert into directory_settings (key, value) values ('exceptions.nudges', '{"intervalMinutes": 15}')`,
    );
    expect(await nudge.get()).toEqual({ intervalMinutes: 15 });
  });

  it('sees a change another instance writes (listener, then version row)', async () => {
    const reader = store();
    await reader.start();
    const nudge = reader.declare('exceptions', 'exceptions.nudges', Nudge);
    expect(await nudge.get()).toEqual({ intervalMinutes: 60 });
    // Another instance: its own store, and on PostgreSQL its own connections.
    const other = database.url ? await openDatabase({ url: database.url, poolSize: 1 }) : database;
    try {
      const writer = store(other);
      writer.declare('exceptions', 'exceptions.nudges', Nudge);
      await writer.save('exceptions.nudges', { intervalMinutes: 20 }, 'bitable');
      await waitFor(async () => (await nudge.get()).intervalMinutes === 20, 'the reader sees the new interval');
      // Plain SQL by an admin is heard the same way (the trigger announces every write).
      await other.query(`update directory_settings set value = '{"intervalMinutes": 25}'`);
      await waitFor(async () => (await nudge.get()).intervalMinutes === 25, 'the reader sees the SQL edit');
      // Without a listener, the version row tells it.
      const unwatched = store();
      const again = unwatched.declare('exceptions', 'exceptions.nudges', Nudge);
      expect(await again.get()).toEqual({ intervalMinutes: 25 });
      await writer.remove('exceptions.nudges');
      expect(await again.get()).toEqual({ intervalMinutes: 60 });
    } finally {
      if (other !== database) await other.close();
    }
  });

  it('writes only what changed: saving the same value from the same writer is quiet', async () => {
    const s = store();
    s.declare('exceptions', 'exceptions.nudges', Nudge);
    expect(await s.save('exceptions.nudges', { intervalMinutes: 30 }, 'bitable')).toBe('saved');
    expect(await s.save('exceptions.nudges', { intervalMinutes: 30 }, 'bitable')).toBe('unchanged');
    const { rows } = await database.query<{ version: number }>(
      'select version::int as version from core_settings_version',
    );
    expect(await s.save('exceptions.nudges', { intervalMinutes: 30 }, 'bitable')).toBe('unchanged');
    expect(
      (await database.query<{ version: number }>('select version::int as version from core_settings_version')).rows[0]!
        .version,
    ).toBe(rows[0]!.version);
    expect(await s.remove('exceptions.nudges', 'ou_someone_else')).toBe(false);
    expect(await s.remove('exceptions.nudges', 'bitable')).toBe(true);
  });
});
