import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/contexts.js';
import { createLogger } from '../../src/core/logger.js';
import type { Database } from '../../src/db/client.js';
import { createFeishu, type Feishu } from '../../src/feishu/index.js';
import { createBitableMirror, type BitableMirror } from '../../src/mirror/index.js';
import { TEMPLATES_DIR } from '../../src/mirror/mirror-context.js';
import { LogCapture } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/helpers.js';

export interface MirrorSetup {
  t: TestSandbox;
  database: Database;
  feishu: Feishu;
  mirror: BitableMirror;
  logs: LogCapture;
  /** A fresh mirror over the same database and Feishu (a restart, or other templates). */
  remount(templatesDir?: string): Promise<BitableMirror>;
  close(): Promise<void>;
}

/** The mirror on a fresh database, talking to a fresh sandbox through the bot's own client. */
export async function mirrorOnSandbox(
  options: { templatesDir?: string; bitableWriteMs?: number } = {},
): Promise<MirrorSetup> {
  const t = await startTestSandbox({ bitableWriteMs: options.bitableWriteMs ?? 1 });
  const database = await createTestDatabase();
  const logs = new LogCapture();
  const log = createLogger('debug', logs.stream);
  const feishu = createFeishu({
    appId: t.sandbox.credentials.appId,
    appSecret: t.sandbox.credentials.appSecret,
    baseUrl: t.sandbox.url,
    log,
    retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 50 },
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
  });
  const remount = async (templatesDir = options.templatesDir) => {
    const mirror = createBitableMirror();
    await mirror.attach(
      { database, feishu, log, clock: systemClock, timeZone: 'Asia/Shanghai' },
      { schemaWritesPerSecond: 1000, ...(templatesDir ? { templatesDir } : {}) },
    );
    return mirror;
  };
  const mirror = await remount();
  return {
    t,
    database,
    feishu,
    mirror,
    logs,
    remount,
    async close() {
      await t.close();
      await database.close();
    },
  };
}

/** A copy of bitable-templates/ to edit; `edit(key, fn)` rewrites one template. */
export async function templatesCopy() {
  const dir = await mkdtemp(join(tmpdir(), 'templates-'));
  await cp(TEMPLATES_DIR, dir, { recursive: true });
  return {
    dir,
    async edit(key: string, fn: (template: { fields: Array<Record<string, unknown>> }) => void) {
      const file = join(dir, `${key}.json`);
      const template = JSON.parse(await readFile(file, 'utf8')) as { fields: Array<Record<string, unknown>> };
      fn(template);
      await writeFile(file, JSON.stringify(template, null, 2));
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Tables, fields and views of a Base as ids and names: equal before and after means nothing changed. */
export function baseShape(t: TestSandbox, appToken: string) {
  const app = t.sandbox.state.apps().find((a) => a.app_token === appToken);
  return app?.tables.map((table) => ({
    id: table.table_id,
    name: table.name,
    fields: table.fields.map((f) => `${f.field_id}:${f.field_name}:${f.type}`),
    views: table.views.map((v) => `${v.view_id}:${v.view_name}`),
  }));
}
