import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The console page's own module (plain browser ESM without types; no DOM needed for these helpers).
// @ts-expect-error -- untyped browser JavaScript
import * as ui from '../../src/sandbox/public/ui.js';
import { startTestSandbox, type TestSandbox } from './helpers.js';

const { setTimeZone, timeLabel } = ui as {
  setTimeZone(zone: string): void;
  timeLabel(ms: number, nowMs?: number): string;
};

// issue 17 §18: a chat timestamp in the console uses the business time zone, like the cards.
describe('console chat times', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ timeZone: 'Asia/Shanghai' });
  });
  afterAll(() => t.close());

  it('tells the page the business time zone', async () => {
    const res = await fetch(`${t.sandbox.consoleUrl}/api/bootstrap`);
    expect(((await res.json()) as { time_zone: string }).time_zone).toBe('Asia/Shanghai');
  });

  it('shows a message time in the business time zone whatever the viewing machine uses', () => {
    setTimeZone('Asia/Shanghai');
    // 2026-11-30 17:05 UTC is 01:05 on 12/1 in Shanghai; "now" is later that Shanghai day.
    const at = Date.UTC(2026, 10, 30, 17, 5);
    expect(timeLabel(at, Date.UTC(2026, 10, 30, 20, 0))).toBe('01:05');
    // Seen from the previous Shanghai day it carries its Shanghai date.
    expect(timeLabel(at, Date.UTC(2026, 10, 30, 10, 0))).toBe('12/1 01:05');
    setTimeZone('America/New_York');
    expect(timeLabel(at, Date.UTC(2026, 10, 30, 20, 0))).toBe('12:05');
  });
});
