import { createWriteStream } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { formatOf, type FileFormat } from './file-format.js';

export type WithDatabase = <T>(fn: (db: Database, c: Config) => Promise<T>) => Promise<T>;

/** How far a file import has read: bytes for the bar, counts for the words beside it. */
export interface FileProgress {
  bytes: number;
  totalBytes: number;
}

/** What an import reports at the end: the summary lines (stdout) and how many lines it refused. */
export interface ImportOutcome {
  summary: string[];
  rejectedCount: number;
}

export interface FileImportSpec<P extends FileProgress, R> {
  /** e.g. `qa-conversations`: the command is `feishu-ops import <name> <file>`. */
  name: string;
  description: string;
  /** Columns of `<file>.rejected.csv`, and one refused line as those columns. */
  rejectedColumns: string[];
  rejectedRow: (r: R) => (string | number | null)[];
  /** The words beside the bar, e.g. "12 messages, 3 conversations, 0 rejected". */
  progressText: (p: P) => string;
  run: (
    x: { database: Database; config: Config; file: string; format: FileFormat; rejectedPath: string },
    on: { progress: (p: P) => void; rejected: (r: R) => void },
  ) => Promise<ImportOutcome & { final: P }>;
}

// Numbers (line numbers) as they are, text quoted.
const csvCell = (v: string | number | null): string =>
  typeof v === 'number' ? String(v) : `"${(v ?? '').replace(/"/g, '""')}"`;

/**
 * One way every workflow's `feishu-ops import <name> FILE` behaves: CSV or JSON lines, a progress bar on a
 * terminal (a plain line at most every second when stderr is piped), refused lines written to
 * `FILE.rejected.csv` (or `--rejected`), a summary on stdout, exit code 2 when anything was refused.
 */
export function addFileImport<P extends FileProgress, R>(
  program: Command,
  withDatabase: WithDatabase,
  spec: FileImportSpec<P, R>,
): void {
  const imports =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('import data files · 导入数据文件');
  imports
    .command(`${spec.name} <file>`)
    .description(spec.description)
    .option('--format <format>', 'csv | jsonl (default: from the file name)')
    .option('--rejected <path>', 'where refused lines are written (default: <file>.rejected.csv)')
    .action(async (file: string, opts: { format?: string; rejected?: string }) => {
      const format = formatOf(file, opts.format);
      const rejectedPath = opts.rejected ?? `${file}.rejected.csv`;
      const out = createWriteStream(rejectedPath);
      out.write(`${spec.rejectedColumns.join(',')}\n`);
      const progress = progressReporter(spec.progressText);
      await withDatabase(async (database, config) => {
        const outcome = await spec.run(
          { database, config, file, format, rejectedPath },
          {
            progress: progress.update,
            rejected: (r) => out.write(`${spec.rejectedRow(r).map(csvCell).join(',')}\n`),
          },
        );
        progress.done(outcome.final);
        await new Promise<void>((resolve) => out.end(resolve));
        const where = outcome.rejectedCount > 0 ? ` → ${rejectedPath}` : '';
        outcome.summary.forEach((line, i) => console.log(i === 0 ? `${line}${where}` : line));
        if (outcome.rejectedCount > 0) process.exitCode = 2;
      });
    });
}

function progressReporter<P extends FileProgress>(text: (p: P) => string) {
  const tty = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {percentage}% | {text}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let lastLine = 0;
  const percentOf = (p: P) => (p.totalBytes > 0 ? Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100)) : 100);
  return {
    update(p: P): void {
      if (tty) {
        if (!started) bar.start(100, 0, { text: '' });
        started = true;
        bar.update(percentOf(p), { text: text(p) });
        return;
      }
      // Piped stderr (a log, CI): a plain line at most every second, no control codes.
      if (Date.now() - lastLine < 1000) return;
      lastLine = Date.now();
      process.stderr.write(`${percentOf(p)}% · ${text(p)}\n`);
    },
    done(p: P): void {
      if (tty) {
        if (!started) bar.start(100, 0, { text: '' });
        bar.update(100, { text: text(p) });
        bar.stop();
      } else process.stderr.write(`100% · ${text(p)}\n`);
    },
  };
}
