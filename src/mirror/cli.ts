import cliProgress from 'cli-progress';
import { loadTemplates } from '../bitable/load-templates.js';
import { TEMPLATES_DIR } from './mirror-context.js';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { systemClock } from '../core/contexts.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { Database } from '../db/client.js';
import { createFeishu, type Feishu } from '../feishu/index.js';
import { createBitableMirror, type BitableMirror } from './bitable-mirror.js';
import { DEFAULT_BASE_NAME, type ProvisionReport } from './provision.js';
import type { ReconcileReport } from './reconcile.js';

type WithDatabase = <T>(fn: (database: Database, config: Config) => Promise<T>) => Promise<T>;

/** `feishu-ops provision` and `feishu-ops sync`. */
/**
 * Declares the workflows' tables on a fresh mirror (src/domains), so sync repairs their bot-owned columns; may
 * return passes to run after the reconcile (each prints its one line), e.g. a workflow writing rows it holds.
 */
export type DeclareTables = (
  mirror: BitableMirror,
  database: Database,
  feishu: Feishu,
) => void | ReadonlyArray<() => Promise<string>>;

export function mirrorCommands(
  program: Command,
  withDatabase: WithDatabase,
  declare: DeclareTables = () => undefined,
): void {
  program
    .command('provision')
    .description(
      'create or complete the Bitable Base, tables, fields and views from ' +
        'bitable-templates/ (safe to re-run) · 按模板创建或补全多维表格',
    )
    .option('--app-token <token>', 'adopt this existing Base instead of the stored one or a new one')
    .option('--name <name>', 'name of a new Base', DEFAULT_BASE_NAME)
    .option('--folder <token>', 'drive folder for a new Base')
    .option(
      '--share-with <ids...>',
      'give these people (open_id ou_…) or group chats the bot is in (chat_id oc_…) access · 共享给',
    )
    .option('--perm <perm>', 'permission for --share-with: view, edit or full_access (manage)', 'edit')
    .option(
      '--transfer-owner <open_id>',
      'make this person the owner of the Base (the app keeps full access) · 转移所有权',
    )
    .option('--json', 'print every id (tables, fields, views) as JSON')
    .action(
      (opts: {
        appToken?: string;
        name: string;
        folder?: string;
        shareWith?: string[];
        perm: string;
        transferOwner?: string;
        json?: boolean;
      }) =>
        withDatabase((database, config) =>
          withMirror(database, config, async (mirror) => {
            const bar = progressBar('{bar} {percentage}% | {value}/{total} | {step}');
            bar.start(1, 0, { step: '连接 connecting' });
            const report = await mirror
              .provision({
                baseName: opts.name,
                ...(opts.appToken ? { appToken: opts.appToken } : {}),
                ...(opts.folder ? { folderToken: opts.folder } : {}),
                pinnedAppToken: config.feishu?.bitableAppToken,
                ...(opts.shareWith ? { shareWith: opts.shareWith } : {}),
                sharePerm: sharePerm(opts.perm),
                ...(opts.transferOwner ? { transferOwnerTo: opts.transferOwner } : {}),
                onProgress: (p) => {
                  bar.setTotal(p.total);
                  bar.update(p.done, { step: p.step });
                },
              })
              .finally(() => bar.stop());
            printProvision(report, opts.json === true);
          }),
        ),
    );

  program
    .command('sync')
    .description(
      'compare Bitable with the Postgres mirror now and repair the drift (what the scheduled reconcile does) · 立即对账',
    )
    .option('-t, --table <keys...>', 'only these template tables')
    .action((opts: { table?: string[] }) =>
      withDatabase((database, config) =>
        withMirror(database, config, async (mirror, feishu) => {
          const after = declare(mirror, database, feishu) ?? [];
          const bar = progressBar('{bar} {percentage}% | {value}/{total} records 条 | {table}');
          bar.start(1, 0, { table: '' });
          const report = await mirror
            .reconcile({
              ...(opts.table ? { tables: opts.table } : {}),
              onProgress: (p) => {
                bar.setTotal(Math.max(p.total, 1));
                bar.update(p.scanned, { table: p.tableKey });
              },
            })
            .finally(() => bar.stop());
          printSync(report);
          for (const pass of after) console.log(await pass());
          // The directory reads people, teams, calendar and rules from the mirror: bring it up to date too.
          const { createDirectorySync } = await import('../domains/directory/bitable-sync.js');
          const { directoryOf } = await import('../domains/directory/service.js');
          const { declareDomainSettings } = await import('../domains/index.js');
          const { SettingsStore } = await import('../core/settings.js');
          const settings = new SettingsStore({ database, log: createLogger('warn') });
          declareDomainSettings(settings);
          const directory = await createDirectorySync({
            database,
            directory: directoryOf(database),
            settings,
            templates: await loadTemplates(TEMPLATES_DIR),
            tableName: (key) => mirror.tableName(key),
            log: createLogger('warn'),
            timeZone: config.timeZone,
            now: () => new Date(),
          }).sync();
          console.log(
            `人员与规则 directory: ${directory.people?.upserted ?? 0} people, ${directory.teams?.upserted ?? 0}` +
              ` teams, ${directory.problems.length} rows skipped`,
          );
        }),
      ),
    );
}

function sharePerm(value: string): 'view' | 'edit' | 'full_access' {
  if (value === 'view' || value === 'edit' || value === 'full_access') return value;
  throw new Error(`--perm: must be view, edit or full_access, not "${value}"`);
}

function progressBar(format: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { format, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
}

/** The real Feishu app when configured, otherwise the offline sandbox on DATA_DIR (as `npm start` does). */
async function withMirror(
  database: Database,
  config: Config,
  fn: (mirror: BitableMirror, feishu: Feishu) => Promise<void>,
): Promise<void> {
  const log = createLogger(config.logLevel === 'debug' || config.logLevel === 'trace' ? config.logLevel : 'warn');
  let close = async () => undefined as void;
  let feishu: Feishu;
  if (config.feishu) {
    feishu = createFeishu({ ...config.feishu, log });
  } else {
    // config.ts decided the sandbox may run (feishu is null only then).
    const { startSandbox } = await import('../sandbox/index.js');
    const sandbox = await startSandbox({ dataDir: config.database.dataDir, port: 0 });
    close = () => sandbox.close();
    const c = sandbox.credentials;
    feishu = createFeishu({ appId: c.appId, appSecret: c.appSecret, baseUrl: sandbox.url, log });
    console.log('离线沙箱 offline sandbox: no LARK_APP_ID set, using the local stand-in in DATA_DIR');
  }
  try {
    const mirror = createBitableMirror({ repairOnly: true });
    await mirror.attach({ database, feishu, log: log as Logger, clock: systemClock, timeZone: config.timeZone });
    await fn(mirror, feishu);
  } finally {
    await close();
  }
}

function printProvision(report: ProvisionReport, json: boolean): void {
  const { created } = report;
  const changed = created.tables.length + created.fields.length + created.views.length > 0;
  const lines = [
    '',
    `多维表格已就绪 Bitable ready${report.baseCreated ? '（新建 new Base）' : ''}`,
    `  链接 URL         ${report.url ?? '-'}`,
    `  app_token        ${report.appToken}`,
    `  新建 created     ${
      changed
        ? `${created.tables.length} tables 表, ${created.fields.length} fields 字段, ${created.views.length}` +
          ` views 视图`
        : '无变化 nothing changed'
    }`,
    `  订阅 subscribed  ${report.subscribed ? '是 yes (record changes reach the bot)' : '否 no'}`,
    `  视图筛选 filters ${report.filteredViews.length} views set from the templates`,
    ...report.shared.map(
      (s) => `  共享 shared      ${s.id} (${s.result === 'added' ? '已添加 added' : '已有权限 already had access'})`,
    ),
    ...(report.owner ? [`  所有者 owner     ${report.owner}`] : []),
    ...(report.baseCreated && report.shared.length === 0 && !report.owner
      ? [
          '  注意 note        应用创建的多维表格只有应用能打开：用 --share-with 或 --transfer-owner 授权 · nobody can open an app-owned ' +
            'Base until shared',
        ]
      : []),
    ...report.skipped.map((s) => `  跳过 skipped     ${s}`),
    ...report.conflicts.map((c) => `  冲突 conflict    ${c}`),
    '  ids 已保存到 Postgres stored in Postgres: mirror_base, mirror_tables, mirror_fields, mirror_views',
    '',
  ];
  console.log(lines.join('\n'));
  if (report.manualViews.length > 0) {
    console.log('需在飞书中手动设置的视图 · set these by hand in Feishu (the API cannot):');
    for (const v of report.manualViews) console.log(`  ${v.view}: ${v.settings.join('; ')}`);
  }
  console.table(
    report.tables.map((t) => ({
      key: t.key,
      name: t.name,
      table_id: t.tableId,
      fields: Object.keys(t.fields).length,
      views: Object.keys(t.views).length,
    })),
  );
  if (json) console.log(JSON.stringify({ appToken: report.appToken, url: report.url, tables: report.tables }, null, 2));
}

function printSync(report: ReconcileReport): void {
  const t = report.totals;
  const seconds = ((report.finishedAt.getTime() - report.startedAt.getTime()) / 1000).toFixed(1);
  console.log(
    `\n对账完成 reconcile done in ${seconds} s: 读取 scanned ${t.scanned}, 新增 inserted ${t.inserted}, 更新 updated ` +
      `${t.updated}` +
      `, 删除 deleted ${t.deleted}, 刷新 refreshed ${t.refreshed}, 保留较新 kept ` +
      `newer ${t.keptNewer}, 按流程修复 repaired ${t.repaired}, 无法读取 unreadable ${t.unreadable}`,
  );
  const fixed = report.tables.filter((r) => r.inserted + r.updated + r.deleted + r.unreadable > 0);
  if (fixed.length > 0)
    console.table(
      fixed.map((r) => ({
        table: r.tableKey,
        inserted: r.inserted,
        updated: r.updated,
        deleted: r.deleted,
        unreadable: r.unreadable,
        sample: r.sample.slice(0, 3).join(' '),
      })),
    );
}
