import type { Command } from 'commander';
import { addFileImport, type WithDatabase } from '../shared/import-command.js';
import { importMetricsFile, type RejectedLine } from './import-file.js';

type Progress = { bytes: number; totalBytes: number; rows: number };

/** `feishu-ops import community-metrics FILE` (CSV or JSON lines; see addFileImport for how imports behave). */
export function communityCommands(program: Command, withDatabase: WithDatabase): void {
  addFileImport<Progress, RejectedLine>(program, withDatabase, {
    name: 'community-metrics',
    description:
      'daily community metrics from CSV (header: community,date,membersTotal,… or 每日指标 column names) or JSON ' +
      'lines; idempotent per community and day · 导入社群每日指标',
    rejectedColumns: ['line', 'community', 'date', 'errors'],
    rejectedRow: (r) => [r.line, r.community, r.date, r.errors.join('; ')],
    progressText: (p) => `${p.rows} rows 行`,
    run: async ({ database, config, file, format }, on) => {
      let last: Progress = { bytes: 0, totalBytes: 0, rows: 0 };
      const report = await importMetricsFile({ database, timeZone: config.timeZone }, file, {
        format,
        now: () => new Date(),
        onProgress: (p) => on.progress((last = p)),
        onRejected: on.rejected,
      });
      return {
        final: { ...last, bytes: last.totalBytes, rows: report.rows },
        rejectedCount: report.rejectedCount,
        summary: [
          `${report.rows} rows: ${report.created} new, ${report.corrected} corrected, ${report.unchanged}` +
            ` unchanged, ${report.rejectedCount} rejected`,
        ],
      };
    },
  });
}
