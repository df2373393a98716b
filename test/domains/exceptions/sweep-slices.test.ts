import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExceptions, type Generated } from '../../../bench/exceptions/generate.js';
import { sweep } from '../../../src/domains/exceptions/jobs.js';
import { exceptionsApp, serviceOf, type ExceptionsTestApp } from './helpers.js';

// Nothing a sweep does may hold the event loop for long (issue 16): card callbacks and webhook acks
// are answered between its slices. Structural, not timed: the loop must turn at least once per 50
// open cases whose clock the sweep reads, however fast or slow the machine is.
describe('the 5-minute sweep over many open cases', () => {
  let t: ExceptionsTestApp;
  let g: Generated;
  beforeAll(async () => {
    t = await exceptionsApp({ start: '2026-11-27T16:20' });
    g = await generateExceptions(t.database, { cases: 1_000, now: t.clock.now(), batch: 250, openShare: 1 });
    // A first sweep stores results and sends what the generated history left due.
    await sweep(serviceOf(t), t.clock.now());
  }, 300_000);
  afterAll(async () => {
    await t.close();
  });

  it('lets the event loop turn at least once per 50 open cases while it reads every clock', async () => {
    expect(g.open).toBe(1_000);
    // A fresh service, as after a restart: every open case's clock is read again, and nothing is due.
    const svc = serviceOf(t);
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const done = await sweep(svc, t.clock.now());
    counting = false;
    expect(done).toEqual({ nudges: 0, escalations: 0 });
    expect(turns).toBeGreaterThanOrEqual(g.open / 50);
  });
});
