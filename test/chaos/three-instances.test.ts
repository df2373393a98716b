import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/app.js';
import { startBot, type BotProcess } from './support/bot.js';
import { Ledger, messageIdOf, sleep, startChaosSandbox } from './support/feishu.js';
import { freshDatabase, testPool } from './support/postgres.js';
import { roundRobin } from './support/proxy.js';
import { chaosSeed, seededRandom } from './support/seeded-random.js';

// Three instances behind a load balancer on one PostgreSQL, Feishu's per-app message budget set
// low so replies queue behind it. Under load one instance is killed with SIGKILL (which one, and
// after how many messages, from CHAOS_SEED, printed) and taken out of the balancer as a health
// check would. The other two must finish its work: every acknowledged message answered by one
// logical send (one uuid, stored once, counted at the stand-in's raw send log), every event done
// once, and the three together, then two, never sending faster than the one budget they share.
const SEED = chaosSeed();
const random = seededRandom(SEED);
const tag = `CHAOS_SEED=${SEED}`;
process.stdout.write(`three-instances: ${tag}\n`);

/** Feishu's per-app send budget for this run (LARK_MESSAGES_PER_SECOND), shared by the instances. */
const BUDGET = 9;
/** Chat messages sent, in bursts of BURST every 0.3 s; one instance is killed after a seeded 30–80. */
const MESSAGES = 120;
const BURST = 10;

describe('three instances on one PostgreSQL, one killed under load', () => {
  let sandbox: Awaited<ReturnType<typeof startChaosSandbox>>;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;
  let lb: Awaited<ReturnType<typeof roundRobin>>;
  const bots: BotProcess[] = [];
  const live = new Set<BotProcess>();
  const env = { LARK_MESSAGES_PER_SECOND: String(BUDGET) };

  beforeAll(async () => {
    sandbox = await startChaosSandbox();
    database = await freshDatabase();
    pool = testPool(database.url);
    // The first start migrates; then the other two join it.
    bots.push(await startBot({ sandbox, databaseUrl: database.url, env }));
    bots.push(...(await Promise.all([1, 2].map(() => startBot({ sandbox, databaseUrl: database.url, env })))));
    bots.forEach((b) => live.add(b));
    lb = await roundRobin(() => bots.filter((b) => live.has(b)).map((b) => b.url));
    sandbox.setBotEndpoints({ eventUrl: `${lb.url}/webhook/event`, cardUrl: `${lb.url}/webhook/card` });
    // Each instance counts the others at its next heartbeat (every 5 s): wait until all three have
    // beaten since the last one joined, so each paces at a third of the budget from the first send.
    const { rows } = await pool.query<{ t: Date }>('select now() as t');
    await waitFor(
      async () => {
        const seen = await pool.query<{ n: number }>(
          'select count(*)::int as n from core_instances where seen_at > $1',
          [rows[0]!.t],
        );
        return seen.rows[0]!.n >= 3;
      },
      'three instances beating',
      60_000,
    );
  }, 180_000);
  afterAll(async () => {
    await Promise.all(bots.map((b) => b.stop()));
    await lb?.close();
    await sandbox?.dispose();
    await pool?.end();
    await database?.drop();
  });

  it('the two left finish the killed one’s work, each effect once, inside the shared budget', async () => {
    const ledger = new Ledger(sandbox).follow();
    const victim = bots[Math.floor(random() * bots.length)]!;
    // Counted, not timed: a loaded machine slows the load down but does not change it. Each burst
    // is more than the budget allows in a second, so the replies queue from the first bursts on.
    const killAfter = BURST * (3 + Math.floor(random() * 6));
    const chats = sandbox.state.chats().filter((c) => c.chat_type === 'p2p' && c.p2p_user);
    let held: number[] = [];
    for (let sent = 0; sent < MESSAGES;) {
      for (let k = 0; k < BURST; k++, sent++) {
        const chat = chats[sent % chats.length]!;
        sandbox.actions.sendUserMessage({ userOpenId: chat.p2p_user!, chatId: chat.chat_id, text: 'help' });
      }
      if (sent === killAfter) {
        // Every instance is holding events it has not answered yet.
        held = (
          await pool.query<{ id: number }>(`select id::int as id from lark_events where status = 'processing'`)
        ).rows.map((r) => r.id);
        live.delete(victim);
        await victim.kill9();
      }
      await sleep(300);
    }

    // Settle: every delivery acknowledged, every acknowledged message answered, every event done.
    const settled = async () => {
      ledger.snapshot();
      const acked = ledger.acked();
      const answered = new Set(sandbox.state.botMessages().map((m) => m.parent_id));
      const { rows } = await pool.query<{ n: number }>(
        `select count(*)::int as n from lark_events where event_id = any($1) and status = 'done'`,
        [acked.map((r) => r.event_id)],
      );
      return (
        acked.length === ledger.all().length &&
        acked.every((r) => answered.has(messageIdOf(r))) &&
        rows[0]!.n === acked.length
      );
    };
    await waitFor(settled, `every event answered and done (${tag})`, 180_000).catch(() => undefined);
    ledger.unfollow();

    const all = ledger.all();
    const acked = ledger.acked();
    expect(all.length, tag).toBe(MESSAGES);
    expect(
      all.filter((r) => !acked.includes(r)).map((r) => `${r.event_id}: ${JSON.stringify(r.attempts)}`),
      tag,
    ).toEqual([]);

    // The killed instance was holding events; the others took them over (a second attempt) and finished them.
    expect(held.length, tag).toBeGreaterThan(0);
    const { rows: events } = await pool.query<{ id: number; event_id: string; status: string; attempts: number }>(
      'select id::int as id, event_id, status, attempts from lark_events where event_id = any($1)',
      [all.map((r) => r.event_id)],
    );
    expect(events, tag).toHaveLength(all.length);
    expect(
      events.filter((e) => e.status !== 'done'),
      tag,
    ).toEqual([]);

    // The shared budget: with a backlog, three instances each sending their own full budget would
    // send about 3× BUDGET a second; sharing it, all of them together send at most BUDGET in any
    // second. Counted over the whole drain (arrival jitter only moves its two ends), with one
    // second's allowance for each end.
    const times = sandbox.state
      .sendAttempts()
      .map((a) => a.at)
      .sort((a, b) => a - b);
    const spanSeconds = (times.at(-1)! - times[0]!) / 1000;
    const takenOver = events.filter((e) => held.includes(e.id) && e.attempts >= 2).length;
    process.stdout.write(
      `three-instances (${tag}): ${all.length} events, ${held.length} held at the kill, ${takenOver} taken over; ` +
        (`${times.length} send attempts in ${spanSeconds.toFixed(1)} s (${(times.length / spanSeconds).toFixed(1)}` +
          `/s, budget ${BUDGET}/s)\n`),
    );
    expect(times.length, `${tag}: ${times.length} sends in ${spanSeconds.toFixed(1)} s`).toBeLessThanOrEqual(
      BUDGET * (spanSeconds + 2),
    );
    expect(takenOver, `${tag}: an event held at the kill was taken over`).toBeGreaterThan(0);

    // Every effect once, counted at the stand-in's raw send log: per answered message one uuid,
    // stored as one message however many attempts carried it; nothing refused for the budget.
    const attempts = sandbox.state.sendAttempts();
    expect(
      attempts.filter((a) => !a.uuid || a.via !== 'reply'),
      tag,
    ).toEqual([]);
    const uuidsPerMessage = new Map<string, Set<string>>();
    const storedPerUuid = new Map<string, number>();
    for (const a of attempts) {
      uuidsPerMessage.set(a.target, (uuidsPerMessage.get(a.target) ?? new Set()).add(a.uuid!));
      if (a.outcome === 'stored') storedPerUuid.set(a.uuid!, (storedPerUuid.get(a.uuid!) ?? 0) + 1);
    }
    expect(
      acked.map(messageIdOf).filter((m) => uuidsPerMessage.get(m)?.size !== 1),
      tag,
    ).toEqual([]);
    expect(uuidsPerMessage.size, tag).toBe(acked.length);
    expect(
      [...uuidsPerMessage.values()].flatMap((s) => [...s]).filter((u) => storedPerUuid.get(u) !== 1),
      tag,
    ).toEqual([]);
    expect(
      attempts.filter((a) => a.outcome === 'refused'),
      tag,
    ).toEqual([]);
  });
});
