import { createWriteStream } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { createLogger } from '../../core/logger.js';
import { SettingsStore, settingsHost } from '../../core/settings.js';
import type { Database } from '../../db/client.js';
import { directoryOf } from '../directory/service.js';
import { formatOf, importConversationsFile, type RejectedLine } from './import/file.js';
import { declareQaSettings } from './settings/index.js';

type WithDatabase = <T>(fn: (db: Database, c: Config) => Promise<T>) => Promise<T>;

const csvCell = (v: string | number | null): string => `"${String(v ?? '').replace(/"/g, '""')}"`;

/**
 * `feishu-ops import qa-conversations FILE`: CSV or JSON lines (docs/qa-import.md), streamed, with a
 * progress bar on stderr and a rejected-lines file (line, conversation, why).
 */
export function qaCommands(program: Command, withDatabase: WithDatabase): void {
  const imports =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('import data files · 导入数据文件');
  imports
    .command('qa-conversations <file>')
    .description(
      'customer-service conversations for QA from CSV (one message per line: channel,external_id,agent,role,at,' +
        'text,…) or JSON lines; idempotent on channel + external id ' +
        '(docs/qa-import.md) · 导入质检会话',
    )
    .option('--format <format>', 'csv | jsonl (default: from the file name)')
    .option('--rejected <path>', 'where refused lines are written (default: <file>.rejected.csv)')
    .action(async (file: string, opts: { format?: string; rejected?: string }) => {
      const format = opts.format === 'jsonl' || opts.format === 'csv' ? opts.format : formatOf(file);
      const rejectedPath = opts.rejected ?? `${file}.rejected.csv`;
      const out = createWriteStream(rejectedPath);
      out.write('line,last_line,channel,external_id,errors\n');
      const bar = new cliProgress.SingleBar(
        {
          format:
            '{bar} {percentage}% | {messages} messages 消息 | {conversations} conversations 会话 | {rejected} rejected 拒绝',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      await withDatabase(async (database, c) => {
        const settings = declareQaSettings(
          settingsHost(new SettingsStore({ database, log: createLogger(c.logLevel) }), 'qa'),
        );
        const tty = process.stderr.isTTY === true;
        let lastLine = 0;
        if (tty) bar.start(100, 0, { messages: 0, conversations: 0, rejected: 0 });
        const report = await importConversationsFile(
          { database, directory: directoryOf(database), settings, timeZone: c.timeZone },
          file,
          {
            format,
            onProgress: (p) => {
              const percent = p.totalBytes > 0 ? Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100)) : 100;
              if (tty) return bar.update(percent, p);
              // Piped stderr (a log, CI): a plain line at most every second, no control codes.
              if (Date.now() - lastLine < 1000) return;
              lastLine = Date.now();
              process.stderr.write(
                `${percent}% · ${p.messages} messages, ${p.conversations} conversations, ${p.rejected} rejected\n`,
              );
            },
            onRejected: (r: RejectedLine) =>
              out.write(
                `${r.line},${r.lastLine},${csvCell(r.channel)},${csvCell(r.externalId)},` +
                  `${csvCell(r.errors.join('; '))}` +
                  `\n`,
              ),
          },
        );
        const done = { messages: report.messages, conversations: report.conversations, rejected: report.rejectedCount };
        if (tty) {
          bar.update(100, done);
          bar.stop();
        } else
          process.stderr.write(
            `100% · ${done.messages} messages, ${done.conversations} conversations, ${done.rejected} rejected\n`,
          );
        await new Promise<void>((resolve) => out.end(resolve));
        console.log(
          `${report.messages} messages in ${report.conversations} conversations: ${report.created} new, ` +
            `${report.existing}` +
            ` already there, ${report.rejectedCount} rejected${report.rejectedCount > 0 ? ` → ${rejectedPath}` : ''}`,
        );
        for (const r of report.rejected.slice(0, 20))
          console.log(`  line ${r.line}${r.externalId ? ` (${r.externalId})` : ''}: ${r.errors.join('; ')}`);
        if (report.rejectedCount > 20) console.log(`  … ${report.rejectedCount - 20} more in ${rejectedPath}`);
        if (report.rejectedCount > 0) process.exitCode = 2;
      });
    });
}
