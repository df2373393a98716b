import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { unstorablePath } from '../../../core/text.js';
import { ConversationInput } from '../values.js';
import { ingestConversations, type IngestDeps } from '../service/ingest.js';
import { addLine, groupOfConversation, keyOf, messageLine, startGroup, type Group, type MessageLine } from './rows.js';
import { formatOf } from '../../shared/file-format.js';

/** A refused conversation or line: where it starts in the file (1 = first line, the header for CSV) and why. */
export interface RejectedLine {
  line: number;
  lastLine: number;
  channel: string | null;
  externalId: string | null;
  errors: string[];
}

export interface ImportReport {
  messages: number;
  conversations: number;
  created: number;
  existing: number;
  /** The first 10,000 refusals (the rejected file has them all). */
  rejected: RejectedLine[];
  rejectedCount: number;
}

export interface ImportProgress {
  bytes: number;
  totalBytes: number;
  messages: number;
  conversations: number;
  rejected: number;
}

type Item =
  { kind: 'line'; value: MessageLine } | { kind: 'group'; value: Group } | { kind: 'bad'; line: number; error: string };

async function* csvItems(path: string, timeZone: string, onBytes: (n: number) => void): AsyncGenerator<Item> {
  const input = createReadStream(path);
  input.on('data', (chunk) => onBytes(chunk.length));
  const parser = input.pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, skip_records_with_error: true, info: true }),
  );
  const skipped: Item[] = [];
  // A malformed line (wrong number of cells, a broken quote) is skipped by the parser and reported.
  parser.on('skip', (err: Error & { lines?: number }) =>
    skipped.push({ kind: 'bad', line: err.lines ?? 0, error: `CSV 格式错误 malformed CSV: ${err.message}` }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    yield* skipped.splice(0);
    yield { kind: 'line', value: messageLine(info.lines, record, timeZone) };
  }
  yield* skipped.splice(0);
}

async function* jsonItems(path: string, timeZone: string, onBytes: (n: number) => void): AsyncGenerator<Item> {
  const input = createReadStream(path, { encoding: 'utf8' });
  input.on('data', (chunk) => onBytes(Buffer.byteLength(chunk as string)));
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      yield { kind: 'bad', line, error: 'JSON 格式错误 · malformed JSON' };
      continue;
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      yield { kind: 'bad', line, error: '每行须是一个 JSON 对象 · each line must be a JSON object' };
    } else if (Array.isArray((o as { messages?: unknown }).messages)) {
      yield { kind: 'group', value: groupOfConversation(line, o as Record<string, unknown>, timeZone) };
    } else {
      yield { kind: 'line', value: messageLine(line, o as Record<string, unknown>, timeZone) };
    }
  }
}

/** The API's check of one gathered conversation: the body, or its errors with the line each is about. */
function check(g: Group): { ok: ConversationInput } | { errors: string[]; line: number } {
  if (g.dropped > 0)
    return {
      line: g.first,
      errors: [
        `messages: 一个会话最多 ${g.lines.length} 条消息 · at most ${g.lines.length} messages (${g.lines.length + g.dropped}` +
          ` given)`,
      ],
    };
  // As the API refuses a body holding NUL or a lone surrogate (PostgreSQL cannot store them), so does the import.
  const unstorable = unstorablePath(g.body);
  if (unstorable) {
    const m = /^\/messages\/(\d+)\//.exec(unstorable);
    const at = m ? g.lines[Number(m[1])] : undefined;
    return {
      line: at ?? g.first,
      errors: [
        `${at !== undefined ? `line ${at}: ` : ''}${unstorable.slice(1).replace(/\//g, '.')}: 含有无法保存的字符（NUL 或不成对的` +
          `代理项） · holds a character that cannot be stored`,
      ],
    };
  }
  const parsed = ConversationInput.safeParse(g.body);
  if (parsed.success) return { ok: parsed.data };
  let line = g.last;
  const errors = parsed.error.issues.slice(0, 5).map((i) => {
    const at = i.path[0] === 'messages' && typeof i.path[1] === 'number' ? g.lines[i.path[1]] : undefined;
    if (at !== undefined) line = Math.min(line, at);
    else line = Math.min(line, g.first);
    return `${at !== undefined ? `line ${at}: ` : ''}${i.path.join('.') || 'conversation'}: ${i.message}`;
  });
  return { errors, line };
}

/**
 * Streams a CSV or JSON-lines file of conversations into QA, never holding the file: lines are
 * gathered per conversation (its lines one after another), checked exactly as the API body is and
 * stored in batches by the API's ingest (idempotent on channel + external id, so a re-run stores
 * nothing twice). Every refusal is reported with its line number and why, as it happens and in the report.
 */
export async function importConversationsFile(
  x: IngestDeps & { timeZone: string },
  path: string,
  options: {
    format?: 'csv' | 'jsonl';
    /** Conversations per batch, and the most messages a batch holds before it is stored. */
    batchSize?: number;
    batchMessages?: number;
    onProgress?: (p: ImportProgress) => void;
    onRejected?: (r: RejectedLine) => void;
  } = {},
): Promise<ImportReport> {
  const totalBytes = (await stat(path)).size;
  const report: ImportReport = {
    messages: 0,
    conversations: 0,
    created: 0,
    existing: 0,
    rejected: [],
    rejectedCount: 0,
  };
  let bytes = 0;
  const reject = (r: RejectedLine) => {
    report.rejectedCount++;
    if (report.rejected.length < 10_000) report.rejected.push(r);
    options.onRejected?.(r);
  };
  const refuse = (g: Group, line: number, errors: string[]) =>
    reject({
      line,
      lastLine: g.last,
      channel: String(g.body.channel ?? '') || null,
      externalId: String(g.body.externalId ?? '') || null,
      errors,
    });
  const onBytes = (n: number) => (bytes += n);
  const source =
    (options.format ?? formatOf(path)) === 'csv'
      ? csvItems(path, x.timeZone, onBytes)
      : jsonItems(path, x.timeZone, onBytes);
  const maxConversations = options.batchSize ?? 1000;
  const maxMessages = options.batchMessages ?? 10_000;
  // Keys of conversations already closed in this file: their lines must come one after another.
  const closed = new Map<string, number>();
  let batch: Array<{ group: Group; input: ConversationInput }> = [];
  let batchMessages = 0;
  let open: Group | undefined;

  // One batch is stored while the next is read (at most one in flight: memory stays bounded, and
  // reading waits for the database when it falls behind).
  let inFlight: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  const store = async (stored: Array<{ group: Group; input: ConversationInput }>) => {
    const results = await ingestConversations(
      x,
      stored.map((b) => b.input),
      'import',
    );
    for (const r of results) {
      if (r.status === 'created') report.created++;
      else if (r.status === 'existing') report.existing++;
      else refuse(stored[r.index]!.group, stored[r.index]!.group.first, [`${r.error!.field}: ${r.error!.message}`]);
    }
  };
  const settle = async () => {
    await inFlight;
    if (failure) throw failure.error;
  };
  const flush = async () => {
    await settle();
    if (batch.length > 0) {
      const stored = batch;
      inFlight = store(stored).catch((error: unknown) => void (failure = { error }));
    }
    batch = [];
    batchMessages = 0;
    options.onProgress?.({
      bytes,
      totalBytes,
      messages: report.messages,
      conversations: report.conversations,
      rejected: report.rejectedCount,
    });
  };
  const close = async (g: Group) => {
    report.conversations++;
    const seen = closed.get(g.key);
    if (seen !== undefined) {
      refuse(g, g.first, [
        `会话的行须连续 · the lines of a conversation must come together (it started at line ${seen})`,
      ]);
      return;
    }
    closed.set(g.key, g.first);
    const checked = check(g);
    if ('errors' in checked) return refuse(g, checked.line, checked.errors);
    batch.push({ group: g, input: checked.ok });
    batchMessages += checked.ok.messages.length;
    if (batch.length >= maxConversations || batchMessages >= maxMessages) await flush();
  };

  for await (const item of source) {
    if (item.kind === 'bad') {
      reject({ line: item.line, lastLine: item.line, channel: null, externalId: null, errors: [item.error] });
      continue;
    }
    if (item.kind === 'group') {
      if (open) await close(open);
      open = undefined;
      report.messages += item.value.lines.length;
      await close(item.value);
      continue;
    }
    const l = item.value;
    report.messages++;
    if (!l.channel || !l.externalId) {
      reject({
        line: l.line,
        lastLine: l.line,
        channel: l.channel || null,
        externalId: l.externalId || null,
        errors: ['channel, externalId: 渠道和会话编号必填 · channel and external id are required'],
      });
      continue;
    }
    if (open && open.key !== keyOf(l)) {
      await close(open);
      open = undefined;
    }
    open ??= startGroup(l);
    addLine(open, l);
  }
  if (open) await close(open);
  await flush();
  await settle();
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}
