import { createWriteStream } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { formatOf, importMetricsFile, type RejectedLine } from './import-file.js';

type WithDatabase = <T>(fn: (db: Database, c: Config) => Promise<T>) => Promise<T>;

const csvCell = (v: string | null): string => `"${(v ?? '').replace(/"/g, '""')}"`;

/**
 * `feishu-ops import community-metrics FILE`: CSV or JSON lines, streamed, with a progress bar and a rejected-rows
 * file.
 */
export function communityCommands(program: Command, withDatabase: WithDatabase): void {
  const imports =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('import data files · 导入数据文件');
  imports
    .command('community-metrics <file>')
    .description(
      'daily community metrics from CSV (header: community,date,membersTotal,… or 每日指标 column names) or JSON ' +
        'lines; idempotent per community and day · 导入社群每日指标',
    )
    .option('--format <format>', 'csv | jsonl (default: from the file name)')
    .option('--rejected <path>', 'where refused lines are written (default: <file>.rejected.csv)')
    .action(async (file: string, opts: { format?: string; rejected?: string }) => {
      const format = opts.format === 'jsonl' || opts.format === 'csv' ? opts.format : formatOf(file);
      const rejectedPath = opts.rejected ?? `${file}.rejected.csv`;
      const out = createWriteStream(rejectedPath);
      out.write('line,community,date,errors\n');
      const bar = new cliProgress.SingleBar(
        { format: '{bar} {percentage}% | {rows} rows 行 | {rejected} rejected 拒绝', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      let rejected = 0;
      await withDatabase(async (database, c) => {
        bar.start(100, 0, { rows: 0, rejected: 0 });
        const report = await importMetricsFile({ database, timeZone: c.timeZone }, file, {
          format,
          now: () => new Date(),
          onProgress: (p) =>
            bar.update(p.totalBytes > 0 ? Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100)) : 100, {
              rows: p.rows,
              rejected,
            }),
          onRejected: (r: RejectedLine) => {
            rejected++;
            out.write(`${r.line},${csvCell(r.community)},${csvCell(r.date)},${csvCell(r.errors.join('; '))}\n`);
          },
        });
        bar.update(100, { rows: report.rows, rejected });
        bar.stop();
        await new Promise<void>((resolve) => out.end(resolve));
        console.log(
          `${report.rows} rows: ${report.created} new, ${report.corrected} corrected, ${report.unchanged}` +
            ` unchanged, ${report.rejectedCount} rejected${report.rejectedCount > 0 ? ` → ${rejectedPath}` : ''}`,
        );
        if (report.rejectedCount > 0) process.exitCode = 2;
      });
    });
}
