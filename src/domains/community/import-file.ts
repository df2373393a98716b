import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import type { Database } from '../../db/client.js';
import { ingestMetrics, type RejectedRow } from './service/ingest.js';
import { formatOf } from '../shared/file-format.js';

/** A rejected line of the file: its line number (1 = first line, the header for CSV) and why. */
export interface RejectedLine {
  line: number;
  community: string | null;
  date: string | null;
  errors: string[];
}

export interface ImportReport {
  rows: number;
  created: number;
  corrected: number;
  unchanged: number;
  rejected: RejectedLine[];
  /** Rejected lines beyond the first 10,000 are counted, not kept (the report file has them all). */
  rejectedCount: number;
}

// Column names accepted in a CSV header: the API's, snake_case and the 每日指标 template's.
const ALIASES: Record<string, string> = {
  community: 'community',
  community_code: 'community',
  code: 'community',
  社群: 'community',
  社群编码: 'community',
  date: 'date',
  day: 'date',
  日期: 'date',
  memberstotal: 'membersTotal',
  members_total: 'membersTotal',
  群成员数: 'membersTotal',
  membersjoined: 'membersJoined',
  members_joined: 'membersJoined',
  joined: 'membersJoined',
  新增成员: 'membersJoined',
  membersleft: 'membersLeft',
  members_left: 'membersLeft',
  left: 'membersLeft',
  退群成员: 'membersLeft',
  activemembers: 'activeMembers',
  active_members: 'activeMembers',
  active: 'activeMembers',
  活跃成员: 'activeMembers',
  messages: 'messages',
  消息数: 'messages',
  orders: 'orders',
  成交订单数: 'orders',
  gmvfen: 'gmvFen',
  gmv_fen: 'gmvFen',
  refundsfen: 'refundsFen',
  refunds_fen: 'refundsFen',
  // in yuan: converted to fen
  gmv: 'gmvYuan',
  成交金额: 'gmvYuan',
  refunds: 'refundsYuan',
  退款金额: 'refundsYuan',
};

const num = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  const s = v.trim().replace(/,/g, '');
  if (s === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : v;
};

/** A CSV record (header → cell) as the API's row: aliases resolved, numbers read, yuan → fen. */
function rowOfCsv(record: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    const key = ALIASES[k.trim().toLowerCase()] ?? ALIASES[k.trim()] ?? k.trim();
    if (key === 'community' || key === 'date') out[key] = v;
    else if (key === 'gmvYuan' || key === 'refundsYuan') {
      const n = num(v);
      out[key === 'gmvYuan' ? 'gmvFen' : 'refundsFen'] = typeof n === 'number' ? Math.round(n * 100) : n;
    } else out[key] = num(v);
  }
  return out;
}

async function* csvRows(
  path: string,
  onBytes: (n: number) => void,
  bad: (line: number, message: string) => void,
): AsyncGenerator<{ line: number; row: unknown }> {
  const input = createReadStream(path);
  input.on('data', (chunk) => onBytes(chunk.length));
  const parser = input.pipe(
    parse({
      columns: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: false,
      skip_records_with_error: true,
      info: true,
    }),
  );
  // A malformed line (wrong number of cells, a broken quote) is skipped by the parser and reported here.
  parser.on('skip', (err: Error & { lines?: number }) =>
    bad(err.lines ?? 0, `CSV 格式错误 malformed CSV: ${err.message}`),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    yield { line: info.lines, row: rowOfCsv(record) };
  }
}

async function* jsonLines(
  path: string,
  onBytes: (n: number) => void,
  bad: (line: number, message: string) => void,
): AsyncGenerator<{ line: number; row: unknown }> {
  const input = createReadStream(path, { encoding: 'utf8' });
  input.on('data', (chunk) => onBytes(Buffer.byteLength(chunk as string)));
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    try {
      yield { line, row: JSON.parse(text) as unknown };
    } catch {
      bad(line, 'JSON 格式错误 · malformed JSON');
    }
  }
}

/**
 * Streams a CSV or JSON-lines file into the daily metrics in batches (the file is never held in
 * memory): the same checks and idempotency as the API; every refused line is reported with its
 * line number, through `onRejected` as it happens and in the report.
 */
export async function importMetricsFile(
  x: { database: Database; timeZone: string },
  path: string,
  options: {
    format?: 'csv' | 'jsonl';
    batchSize?: number;
    now: () => Date;
    onProgress?: (p: { bytes: number; totalBytes: number; rows: number }) => void;
    onRejected?: (r: RejectedLine) => void;
  },
): Promise<ImportReport> {
  const totalBytes = (await stat(path)).size;
  const report: ImportReport = { rows: 0, created: 0, corrected: 0, unchanged: 0, rejected: [], rejectedCount: 0 };
  let bytes = 0;
  const reject = (r: RejectedLine) => {
    report.rejectedCount++;
    if (report.rejected.length < 10_000) report.rejected.push(r);
    options.onRejected?.(r);
  };
  const bad = (line: number, message: string) => reject({ line, community: null, date: null, errors: [message] });
  const source =
    (options.format ?? formatOf(path)) === 'csv'
      ? csvRows(path, (n) => (bytes += n), bad)
      : jsonLines(path, (n) => (bytes += n), bad);
  const size = options.batchSize ?? 5_000;
  let batch: Array<{ line: number; row: unknown }> = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const lines = batch.map((b) => b.line);
    const r = await ingestMetrics(
      x,
      batch.map((b) => b.row),
      'csv',
      options.now(),
      (i) => lines[i]!,
    );
    report.created += r.created;
    report.corrected += r.corrected;
    report.unchanged += r.unchanged;
    for (const rej of r.rejected as RejectedRow[])
      reject({ line: batch[rej.index]!.line, community: rej.community, date: rej.date, errors: rej.errors });
    report.rows += batch.length;
    batch = [];
    options.onProgress?.({ bytes, totalBytes, rows: report.rows });
  };
  for await (const item of source) {
    batch.push(item);
    if (batch.length >= size) await flush();
  }
  await flush();
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}
