import type { Command } from 'commander';
import { createLogger } from '../../core/logger.js';
import { SettingsStore, settingsHost } from '../../core/settings.js';
import { directoryOf } from '../directory/service.js';
import { addFileImport, type WithDatabase } from '../shared/import-command.js';
import { importConversationsFile, type ImportProgress, type RejectedLine } from './import/file.js';
import { declareQaSettings } from './settings/index.js';
import { rebuildRollup } from './rollup-store.js';

/**
 * `feishu-ops import qa-conversations FILE` (docs/qa-import.md; see addFileImport for how imports behave) and
 * `feishu-ops qa-rollup rebuild` (the QA tab's stored rollups from the reviews, days in TZ_BUSINESS).
 */
export function qaCommands(program: Command, withDatabase: WithDatabase): void {
  program
    .command('qa-rollup')
    .description('QA dashboard rollups · 质检汇总')
    .command('rebuild')
    .description(
      'recompute the stored QA rollups from every scored review, days in TZ_BUSINESS (after changing TZ_BUSINESS ' +
        'or writing reviews straight into the tables) · 重建质检汇总',
    )
    .action(async () => {
      await withDatabase(async (database, config) => {
        const started = Date.now();
        const r = await rebuildRollup(database, config.timeZone);
        console.log(
          `qa rollups rebuilt in ${r.timeZone}: ${r.reviewRows} review rows, ${r.itemRows} item rows, ` +
            `${r.causeRows} root-cause rows, ${r.monthRows} month rows, ` +
            `${Math.round((Date.now() - started) / 1000)} s`,
        );
      });
    });
  addFileImport<ImportProgress, RejectedLine>(program, withDatabase, {
    name: 'qa-conversations',
    description:
      'customer-service conversations for QA from CSV (one message per line: channel,external_id,agent,role,at,' +
      'text,…) or JSON lines; idempotent on channel + external id (docs/qa-import.md) · 导入质检会话',
    rejectedColumns: ['line', 'last_line', 'channel', 'external_id', 'errors'],
    rejectedRow: (r) => [r.line, r.lastLine, r.channel, r.externalId, r.errors.join('; ')],
    progressText: (p) => `${p.messages} messages, ${p.conversations} conversations, ${p.rejected} rejected`,
    run: async ({ database, config, file, format, rejectedPath }, on) => {
      const log = createLogger(config.logLevel);
      const settings = declareQaSettings(settingsHost(new SettingsStore({ database, log }), 'qa'));
      const report = await importConversationsFile(
        { database, directory: directoryOf(database), settings, timeZone: config.timeZone },
        file,
        { format, onProgress: on.progress, onRejected: on.rejected },
      );
      const shown = report.rejected.slice(0, 20);
      return {
        final: {
          bytes: 1,
          totalBytes: 1,
          messages: report.messages,
          conversations: report.conversations,
          rejected: report.rejectedCount,
        },
        rejectedCount: report.rejectedCount,
        summary: [
          `${report.messages} messages in ${report.conversations} conversations: ${report.created} new, ` +
            `${report.existing} already there, ${report.rejectedCount} rejected`,
          ...shown.map((r) => `  line ${r.line}${r.externalId ? ` (${r.externalId})` : ''}: ${r.errors.join('; ')}`),
          ...(report.rejectedCount > shown.length
            ? [`  … ${report.rejectedCount - shown.length} more in ${rejectedPath}`]
            : []),
        ],
      };
    },
  });
}
