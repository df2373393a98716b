import { z } from 'zod';
import { BitableBatchError, runBatches, type BatchOutcome, type FailureAction } from '../bitable/batch-runner.js';
import type { FilterOperator } from '../bitable/template-schema.js';
import type { FeishuClient } from './client.js';
import { FeishuApiError } from './errors.js';
import { clientToken } from './idempotency.js';
import { KeyedMutex, KeyedRateLimiter } from './rate-limit.js';

/**
 * Typed record access over the raw client (FEISHU.md §e). Search pages itself at 500 — not with the
 * SDK iterators, which stop silently on errors (§h.2). Writes are chunked (1,000; delete 500), one
 * writer per table (concurrent writes get 1254291), idempotent on retry (client_token).
 */

export interface TableRef {
  appToken: string;
  tableId: string;
}

export interface SearchCondition {
  field_name: string;
  operator: FilterOperator;
  value?: string[];
}
export interface SearchFilter {
  conjunction: 'and' | 'or';
  conditions?: SearchCondition[];
  children?: SearchFilter[];
}
export interface SearchQuery {
  viewId?: string;
  fieldNames?: string[];
  sort?: { field_name: string; desc?: boolean }[];
  filter?: SearchFilter;
  /** Adds created_time / last_modified_time / created_by / last_modified_by to each record. */
  automaticFields?: boolean;
}

const Fields = z.record(z.string(), z.unknown());
const BitableRecord = z.object({
  record_id: z.string(),
  fields: Fields,
  created_time: z.number().optional(),
  last_modified_time: z.number().optional(),
  created_by: z.unknown().optional(),
  last_modified_by: z.unknown().optional(),
});
export type BitableRecord = z.infer<typeof BitableRecord>;

const SearchPage = z.object({
  data: z.object({
    items: z.array(BitableRecord).nullish(),
    has_more: z.boolean(),
    page_token: z.string().nullish(),
    total: z.number().nullish(),
  }),
});
const WrittenRecords = z.object({
  data: z.object({ records: z.array(z.object({ record_id: z.string(), fields: Fields.optional() })) }),
});
const DeletedRecords = z.object({
  data: z.object({ records: z.array(z.object({ record_id: z.string(), deleted: z.boolean() })) }),
});

export interface WrittenRecord {
  record_id: string;
  fields: Record<string, unknown>;
}
export interface DeletedRecord {
  record_id: string;
  /** false when the record was already gone (a retried delete). */
  deleted: boolean;
}

/** Feishu answered with code 0 but not in the documented shape. */
export class BitableProtocolError extends Error {
  override name = 'BitableProtocolError';
  constructor(
    readonly op: string,
    readonly detail: string,
  ) {
    super(`多维表格响应异常 unexpected Bitable response to ${op}: ${detail}`);
  }
}

export { BitableBatchError } from '../bitable/batch-runner.js';

export interface BitableOptions {
  /** records/search is 20/s per app (FEISHU.md §d). */
  searchPerSecond?: number;
  /** Batch-write limits are UNCONFIRMED (§d); 10/s stays well inside the common 50/s level. */
  writesPerSecond?: number;
  /**
   * One writer per table across instances: taken inside the in-process writer lock (e.g. a PostgreSQL advisory
   * lock, see crossInstanceLock); without it the lock is per process.
   */
  tableLock?: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** Extra calls a batch may spend isolating bad records (see runBatches). */
  isolationBudget?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** This process's share of the per-app search and write rates (1 / live instances). */
  share?: () => number;
}

export interface Bitable {
  /** Every page of a search, 500 records at a time; a failed page rejects instead of ending early. */
  searchPages(
    table: TableRef,
    query?: SearchQuery,
    options?: { pageSize?: number },
  ): AsyncGenerator<BitableRecord[], void>;
  searchAll(table: TableRef, query?: SearchQuery): Promise<BitableRecord[]>;
  /** `key` names this write (job or event id + step) so a retry creates nothing twice. */
  batchCreate(
    table: TableRef,
    records: readonly Record<string, unknown>[],
    options: { key: string },
  ): Promise<WrittenRecord[]>;
  batchUpdate(
    table: TableRef,
    records: readonly { record_id: string; fields: Record<string, unknown> }[],
  ): Promise<WrittenRecord[]>;
  batchDelete(table: TableRef, recordIds: readonly string[]): Promise<DeletedRecord[]>;
}

export const MAX_PAGE_SIZE = 500;
export const MAX_WRITE_BATCH = 1000;
export const MAX_DELETE_BATCH = 500;

// Codes about one record's data (FEISHU.md §e): split the call to find it. Anything else stops the batch.
const RECORD_CODES = new Set([1254001, 1254006, 1254015, 1254043, 1254130, ...range(1254060, 1254072)]);
const RECORD_NOT_FOUND = 1254043;

export function createBitable(client: FeishuClient, options: BitableOptions = {}): Bitable {
  const { share } = options;
  const rate = (perApp: number) => (share ? () => perApp * share() : perApp);
  const searches = new KeyedRateLimiter(rate(options.searchPerSecond ?? 20), options.now, options.sleep);
  const writes = new KeyedRateLimiter(rate(options.writesPerSecond ?? 10), options.now, options.sleep);
  const mutex = new KeyedMutex();
  // One writer per table in this process; `options.tableLock` (when given) is taken inside it, so one waiter per
  // table at a time asks for the shared lock.
  const shared = options.tableLock;
  const tableLock = <T>(key: string, fn: () => Promise<T>): Promise<T> =>
    mutex.run(key, () => (shared ? shared(key, fn) : fn()));
  const path = (t: TableRef, suffix: string) =>
    `/open-apis/bitable/v1/apps/${encodeURIComponent(t.appToken)}/tables/${encodeURIComponent(t.tableId)}` +
    `/records/${suffix}`;
  const parse = <S extends z.ZodType>(op: string, schema: S, body: unknown): z.infer<S> => {
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new BitableProtocolError(
        op,
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    return parsed.data;
  };
  const post = async (op: string, url: string, data: unknown, params: Record<string, unknown>) => {
    await writes.acquire('records.write');
    return client.request(op, { method: 'POST', url, data, params });
  };
  const write = async <I, R>(
    op: string,
    table: TableRef,
    items: readonly I[],
    size: number,
    send: (slice: readonly I[], offset: number) => Promise<R[]>,
  ) => {
    if (items.length === 0) return [];
    const outcome: BatchOutcome<I, R> = await tableLock(`${table.appToken}/${table.tableId}`, () =>
      runBatches(items, { size, send, classify, isolationBudget: options.isolationBudget }),
    );
    if (outcome.failures.length > 0 || outcome.skipped.length > 0) throw new BitableBatchError(op, outcome);
    return outcome.results as R[];
  };

  async function* searchPages(table: TableRef, query: SearchQuery = {}, { pageSize = MAX_PAGE_SIZE } = {}) {
    const op = 'bitable.records.search';
    const seen = new Set<string>();
    let pageToken: string | undefined;
    do {
      await searches.acquire('records.search');
      const body = await client.request(op, {
        method: 'POST',
        url: path(table, 'search'),
        params: { page_size: pageSize, user_id_type: 'open_id', ...(pageToken ? { page_token: pageToken } : {}) },
        data: searchBody(query),
      });
      const page = parse(op, SearchPage, body).data;
      yield page.items ?? [];
      if (!page.has_more) return;
      if (!page.page_token || seen.has(page.page_token))
        throw new BitableProtocolError(op, 'has_more without a new page_token');
      seen.add(page.page_token);
      pageToken = page.page_token;
    } while (pageToken);
  }

  return {
    searchPages,
    async searchAll(table, query) {
      const all: BitableRecord[] = [];
      for await (const page of searchPages(table, query)) all.push(...page);
      return all;
    },
    batchCreate(table, records, { key }) {
      const op = 'bitable.records.batch_create';
      return write(op, table, records, MAX_WRITE_BATCH, async (slice, offset) => {
        // Same key and slice → same client_token, so Feishu applies a retried call once.
        // Person fields are written as open_ids; batch_delete takes no user_id_type (SDK typings, FEISHU.md §e).
        const params = { user_id_type: 'open_id', client_token: clientToken(`${key}:${offset}+${slice.length}`) };
        const body = await post(
          op,
          path(table, 'batch_create'),
          { records: slice.map((fields) => ({ fields })) },
          params,
        );
        return parse(op, WrittenRecords, body).data.records.map((r) => ({
          record_id: r.record_id,
          fields: r.fields ?? {},
        }));
      });
    },
    batchUpdate(table, records) {
      const op = 'bitable.records.batch_update';
      return write(op, table, records, MAX_WRITE_BATCH, async (slice) => {
        const body = await post(op, path(table, 'batch_update'), { records: slice }, { user_id_type: 'open_id' });
        return parse(op, WrittenRecords, body).data.records.map((r) => ({
          record_id: r.record_id,
          fields: r.fields ?? {},
        }));
      });
    },
    batchDelete(table, recordIds) {
      const op = 'bitable.records.batch_delete';
      return write(op, table, recordIds, MAX_DELETE_BATCH, async (slice) => {
        try {
          const body = await post(op, path(table, 'batch_delete'), { records: slice }, {});
          return parse(op, DeletedRecords, body).data.records;
        } catch (error) {
          // A delete retried after it went through finds nothing: already done.
          if (slice.length === 1 && error instanceof FeishuApiError && error.code === RECORD_NOT_FOUND)
            return [{ record_id: slice[0]!, deleted: false }];
          throw error;
        }
      });
    },
  };
}

function classify(error: unknown): FailureAction {
  return error instanceof FeishuApiError && RECORD_CODES.has(error.code) ? 'isolate' : 'stop';
}

function searchBody(query: SearchQuery): Record<string, unknown> {
  return {
    ...(query.viewId ? { view_id: query.viewId } : {}),
    ...(query.fieldNames ? { field_names: query.fieldNames } : {}),
    ...(query.sort ? { sort: query.sort } : {}),
    ...(query.filter ? { filter: query.filter } : {}),
    ...(query.automaticFields !== undefined ? { automatic_fields: query.automaticFields } : {}),
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
