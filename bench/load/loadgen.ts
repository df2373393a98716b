// The load generator, run as its own process so it never shares the server's event loop.
// Receives one LoadJob over IPC, answers with LoadStats, exits.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import {
  cardEnvelope,
  caseActEnvelope,
  clickEnvelope,
  messageEnvelope,
  seal,
  type Click,
  type Credentials,
  type SealedBody,
} from './payloads.js';

export interface LoadJob {
  url: string;
  kind: 'event' | 'card' | 'baseline' | 'case-act' | 'click';
  mode: 'saturate' | 'rate';
  connections: number;
  durationMs: number;
  /** Requests per second, for mode `rate` (open loop: latency counts from the planned send time). */
  rate?: number;
  payloadBytes: number;
  credentials: Credentials;
  operators?: string[];
  tickets?: number;
  /** For `case-act`: open cases in in_progress or waiting_customer, clicked in turn (wait_customer ⇄ resume). */
  cases?: CaseTarget[];
  /** For `click`: workflow card clicks sent in this order, each once while there are more clicks than requests. */
  clicks?: Click[];
}

export interface CaseTarget {
  id: number;
  version: number;
  state: string;
}

export interface LoadStats {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  /** Latencies in ms; summarised by the parent. */
  latencies: number[];
  firstError?: string;
}

function makeBody(job: LoadJob, n: number): SealedBody {
  const eventId = `bench${randomUUID().replace(/-/g, '')}`;
  if (job.kind === 'case-act') {
    // Each click names the version the case is at after the previous click on it (a real card's
    // button); the cases are many more than the clicks in flight, so the previous one has landed.
    const c = job.cases![n % job.cases!.length]!;
    const verb = c.state === 'in_progress' ? 'wait_customer' : 'resume';
    const sealed = seal(
      caseActEnvelope(job.credentials, eventId, job.operators?.[0] ?? 'ou_bench_operator', c.id, c.version, verb),
      job.credentials,
    );
    c.version++;
    c.state = verb === 'resume' ? 'in_progress' : 'waiting_customer';
    return sealed;
  }
  if (job.kind === 'click')
    return seal(clickEnvelope(job.credentials, eventId, job.clicks![n % job.clicks!.length]!), job.credentials);
  if (job.kind === 'card') {
    const operators = job.operators ?? ['ou_bench_operator'];
    return seal(
      cardEnvelope(job.credentials, eventId, operators[n % operators.length]!, n % (job.tickets ?? 100)),
      job.credentials,
    );
  }
  return seal(messageEnvelope(job.credentials, eventId, job.payloadBytes), job.credentials);
}

function post(agent: http.Agent, url: URL, sealed: SealedBody): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...sealed.headers, 'content-length': Buffer.byteLength(sealed.body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(sealed.body);
  });
}

export async function runLoad(job: LoadJob): Promise<LoadStats> {
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const stats: LoadStats = { requests: 0, ok: 0, non2xx: 0, errors: 0, statuses: {}, elapsedMs: 0, latencies: [] };
  let n = 0;
  const one = async (plannedAt: number) => {
    const sealed = makeBody(job, n++);
    try {
      const status = await post(agent, url, sealed);
      stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) stats.ok++;
      else stats.non2xx++;
    } catch (err) {
      stats.errors++;
      stats.firstError ??= err instanceof Error ? err.message : String(err);
    }
    stats.requests++;
    stats.latencies.push(performance.now() - plannedAt);
  };
  const start = performance.now();
  const end = start + job.durationMs;
  if (job.mode === 'saturate') {
    // Closed loop: each connection sends its next request when the previous answer is in.
    await Promise.all(
      Array.from({ length: job.connections }, async () => {
        while (performance.now() < end) await one(performance.now());
      }),
    );
  } else {
    const interval = 1000 / (job.rate ?? 100);
    const inFlight = new Set<Promise<void>>();
    let sent = 0;
    while (performance.now() < end) {
      const due = Math.floor((performance.now() - start) / interval) + 1;
      for (; sent < due; sent++) {
        const p = one(start + sent * interval);
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      await new Promise((r) => setTimeout(r, Math.max(1, interval / 2)));
    }
    await Promise.all(inFlight);
  }
  stats.elapsedMs = performance.now() - start;
  agent.destroy();
  return stats;
}

if (process.send) {
  process.once('message', (job: LoadJob) => {
    runLoad(job).then(
      (stats) => process.send!({ type: 'done', stats }, () => process.exit(0)),
      (err: unknown) => process.send!({ type: 'failed', error: String(err) }, () => process.exit(1)),
    );
  });
}
