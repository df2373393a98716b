import { bitableError } from '../api/errors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Who writes: the app over the API (no events to itself) or a person in the console (events if subscribed). */
export type Writer = { kind: 'app' } | { kind: 'user'; open_id: string };

/**
 * Feishu rejects a write to a table while another write to it is in flight with 1254291 (FEISHU.md §e).
 * Each write holds its table for `bitableWriteMs`; API writes fail on conflict, console edits wait their turn.
 */
export class TableWriteLocks {
  private readonly busy = new Set<string>();

  async run<T>(
    ctx: { settings: { bitableWriteMs: number } },
    tableId: string,
    writer: Writer,
    fn: () => T,
  ): Promise<T> {
    while (this.busy.has(tableId)) {
      if (writer.kind === 'app') throw bitableError(1254291, 'Write conflict');
      await sleep(5);
    }
    this.busy.add(tableId);
    try {
      await sleep(ctx.settings.bitableWriteMs);
      return fn();
    } finally {
      this.busy.delete(tableId);
    }
  }
}
