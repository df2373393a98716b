import type { BenchContext, RunningServer } from '../context.js';
import { summarise, target, type ScenarioResult } from '../results.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sent {
  messageId: string;
  at: number;
}

/** Users with a direct chat with the bot, to spread the load the way a company would. */
function p2pTargets(ctx: BenchContext): Array<{ userOpenId: string; chatId: string }> {
  return ctx.sandbox.state
    .chats()
    .filter((c) => c.chat_type === 'p2p' && c.p2p_user)
    .map((c) => ({ userOpenId: c.p2p_user!, chatId: c.chat_id }));
}

function point(ctx: BenchContext, server: RunningServer): void {
  ctx.sandbox.setBotEndpoints({ eventUrl: `${server.url}/webhook/event`, cardUrl: `${server.url}/webhook/card` });
}

/** Bot replies (create_time) by the message they answer. */
function repliesTo(ctx: BenchContext, ids: Set<string>): Map<string, number[]> {
  const replies = new Map<string, number[]>();
  for (const m of ctx.sandbox.state.botMessages()) {
    if (!m.parent_id || !ids.has(m.parent_id)) continue;
    replies.set(m.parent_id, [...(replies.get(m.parent_id) ?? []), m.create_time]);
  }
  return replies;
}

async function untilReplied(
  ctx: BenchContext,
  sent: Sent[],
  timeoutMs: number,
  pollMs: number,
): Promise<Map<string, number[]>> {
  const ids = new Set(sent.map((s) => s.messageId));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const replies = repliesTo(ctx, ids);
    if (replies.size >= ids.size || Date.now() > deadline) return replies;
    await sleep(pollMs);
  }
}

/**
 * Event-to-effect: people write to the bot through the Feishu stand-in at a steady rate; each
 * message is delivered (encrypted, signed), acked, queued, worked, and answered with a card.
 */
export async function eventToEffect(ctx: BenchContext): Promise<ScenarioResult> {
  const rate = 20;
  const durationMs = ctx.short ? 1500 : 15_000;
  ctx.print(`event-to-effect: ${rate} messages/s…`);
  const bot = await ctx.startBot({ workers: true });
  point(ctx, bot);
  const targets = p2pTargets(ctx);
  const sent: Sent[] = [];
  const start = Date.now();
  for (let i = 0; Date.now() - start < durationMs; i++) {
    const t = targets[i % targets.length]!;
    const m = ctx.sandbox.actions.sendUserMessage({ ...t, text: 'help' });
    sent.push({ messageId: m.message_id, at: m.create_time });
    await sleep(Math.max(0, start + ((i + 1) * 1000) / rate - Date.now()));
  }
  const replies = await untilReplied(ctx, sent, 30_000, 100);
  await ctx.stop(bot);
  const latencies = sent.flatMap((s) => (replies.get(s.messageId) ?? []).slice(0, 1).map((at) => at - s.at));
  const l = summarise(latencies);
  const doubled = [...replies.values()].filter((r) => r.length > 1).length;
  return {
    name: 'event-to-effect',
    description:
      `${rate} messages/s from ${targets.length} people through the stand-in; time from delivery ` +
      `(before the ack) to the reply stored at the stand-in`,
    metrics: {
      sent: sent.length,
      answered: replies.size,
      doubled,
      p50Ms: l.p50,
      p95Ms: l.p95,
      p99Ms: l.p99,
      maxMs: l.max,
    },
    targets: [
      target('p95 ms', '<', 500, l.p95),
      target('unanswered', '<=', 0, sent.length - replies.size),
      target('answered twice', '<=', 0, doubled),
    ],
    notes: [
      'latency starts when the stand-in sends the event, so it includes the ack round trip: an upper bound of ' +
        'ack → reply',
    ],
  };
}

/**
 * Backlog drain: N events are acked while no worker runs, then workers start; the bot may send
 * only `messagesPerSecond`, so the drain should take N ÷ that rate.
 */
export async function backlogDrain(ctx: BenchContext): Promise<ScenarioResult> {
  const events = ctx.short ? 100 : 10_000;
  const rate = ctx.messagesPerSecond;
  ctx.print(`backlog: storing ${events} events with no worker running…`);
  const intake = await ctx.startBot({ workers: false });
  point(ctx, intake);
  const targets = p2pTargets(ctx);
  const sent: Sent[] = [];
  for (let i = 0; i < events; i++) {
    const m = ctx.sandbox.actions.sendUserMessage({ ...targets[i % targets.length]!, text: 'help' });
    sent.push({ messageId: m.message_id, at: m.create_time });
    if (i % 100 === 99) await ctx.sandbox.state.idle();
  }
  await ctx.sandbox.state.idle();
  const queued = await intake.child.call<{ open: number }>('count');
  await ctx.stop(intake);

  const expectedS = events / rate;
  ctx.print(
    `backlog: draining ${queued.open} queued events at ${rate} messages/s (expected ${expectedS.toFixed(0)} s)…`,
  );
  const worker = await ctx.startBot({ workers: true });
  point(ctx, worker);
  const started = Date.now();
  const timeoutMs = Math.max(20_000, expectedS * 3000);
  const replies = await untilReplied(ctx, sent, timeoutMs, ctx.short ? 100 : 500);
  const last = Math.max(...[...replies.values()].map((r) => r[0]!), started);
  const drainS = Math.round((last - started) / 100) / 10;
  await ctx.stop(worker);
  const ratio = Math.round((drainS / expectedS) * 100) / 100;
  const notes =
    replies.size < events
      ? [`only ${replies.size} of ${events} answered before the timeout (${Math.round(timeoutMs / 1000)} s)`]
      : [];
  return {
    name: 'backlog.drain',
    description:
      `${events} acked events worked off from the queue at LARK_MESSAGES_PER_SECOND=${rate}` +
      `; clock starts when the workers are up`,
    metrics: {
      events,
      queued: queued.open,
      answered: replies.size,
      drainSeconds: drainS,
      expectedSeconds: expectedS,
      ratio,
      achievedPerSecond: Math.round((replies.size / Math.max(drainS, 0.001)) * 10) / 10,
    },
    targets: [target('drain time ÷ expected', 'within', [0.9, 1.1], replies.size === events ? ratio : null)],
    notes,
  };
}
