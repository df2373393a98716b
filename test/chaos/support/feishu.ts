import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postSealed, sealRequest } from '../../../src/sandbox/delivery/envelope.js';
import { startSandbox, type DeliveryRecord, type SandboxHandle } from '../../../src/sandbox/index.js';

/**
 * The Feishu stand-in for chaos runs: Feishu's retry schedule scaled down 500× (15 s → 30 ms,
 * 5 min → 0.6 s, 1 h → 7.2 s, 6 h → 43 s), its real rate limits and uuid dedup.
 */
export async function startChaosSandbox(): Promise<SandboxHandle & { dispose(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fo-chaos-sandbox-'));
  const sandbox = await startSandbox({ dataDir, port: 0, retryScale: 0.002, saveDebounceMs: 600_000 });
  return Object.assign(sandbox, {
    async dispose() {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** People writing "help" to the bot in their direct chats at `perSecond`, until stopped. */
export class ChatLoad {
  private timer: NodeJS.Timeout | undefined;
  private n = 0;

  constructor(
    private readonly sandbox: SandboxHandle,
    private readonly perSecond: number,
  ) {}

  start(): void {
    const targets = this.sandbox.state.chats().filter((c) => c.chat_type === 'p2p' && c.p2p_user);
    this.timer = setInterval(() => {
      const t = targets[this.n++ % targets.length]!;
      this.sandbox.actions.sendUserMessage({ userOpenId: t.p2p_user!, chatId: t.chat_id, text: 'help' });
    }, 1000 / this.perSecond);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * Every delivery the stand-in made, merged across snapshots (its own log keeps the latest 500).
 * "Acked" means one attempt got HTTP 200, which is what Feishu takes as delivered.
 */
export class Ledger {
  readonly records = new Map<string, DeliveryRecord>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sandbox: SandboxHandle) {}

  follow(): this {
    this.timer = setInterval(() => this.snapshot(), 200);
    return this;
  }

  snapshot(): void {
    for (const r of this.sandbox.state.deliveries())
      if (r.event_type === 'im.message.receive_v1') this.records.set(r.event_id, r);
  }

  unfollow(): void {
    clearInterval(this.timer);
    this.snapshot();
  }

  acked(): DeliveryRecord[] {
    return [...this.records.values()].filter((r) => r.attempts.some((a) => a.status === 200));
  }

  all(): DeliveryRecord[] {
    return [...this.records.values()];
  }
}

export function messageIdOf(record: DeliveryRecord): string {
  return (record.envelope.event as { message: { message_id: string } }).message.message_id;
}

/** Bot replies per message they answer. */
export function repliesPerMessage(sandbox: SandboxHandle): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sandbox.state.botMessages())
    if (m.parent_id) counts.set(m.parent_id, (counts.get(m.parent_id) ?? 0) + 1);
  return counts;
}

/** Messages among `records` whose reply count is not exactly one. */
export function notExactlyOnce(
  sandbox: SandboxHandle,
  records: DeliveryRecord[],
): Array<{ eventId: string; replies: number }> {
  const replies = repliesPerMessage(sandbox);
  return records
    .map((r) => ({ eventId: r.event_id, replies: replies.get(messageIdOf(r)) ?? 0 }))
    .filter((x) => x.replies !== 1);
}

/**
 * Re-pushes an event as Feishu does: the same envelope, sealed and signed anew. A push that gets no
 * answer (the bot busy on a loaded machine, a connection dropped) is pushed again, as Feishu would,
 * until one is answered or `capMs` has passed; the status of the answered one is returned.
 */
export async function repush(
  sandbox: SandboxHandle,
  url: string,
  record: DeliveryRecord,
  capMs = 120_000,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    const sealed = sealRequest(record.envelope, sandbox.credentials.encryptKey, new Date());
    try {
      return (await postSealed(`${url}/webhook/event`, sealed, 30_000)).status;
    } catch (err) {
      if (Date.now() - started > capMs) throw err;
      await sleep(250);
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
