import { describe, expect, it } from 'vitest';
import { precheck, PrecheckPolicy, suggestedMarks, type Message } from '../../../../src/domains/qa/logic/prechecks.js';
import { DEFAULT_SCORECARD } from '../../../../src/domains/qa/logic/scorecard.js';

const t0 = Date.parse('2026-11-20T02:00:00Z');
const msg = (seq: number, role: Message['role'], seconds: number, text: string): Message => ({
  seq,
  role,
  at: new Date(t0 + seconds * 1000),
  text,
});
const policy = PrecheckPolicy.parse({ forbidden: ['亲自己看'] });
const criteria = DEFAULT_SCORECARD.criteria;

describe('pre-checks: each finding quotes its message and suggests a deduction', () => {
  it('a clean conversation has no findings', () => {
    const clean = [
      msg(1, 'customer', 0, '在吗'),
      msg(2, 'agent', 20, '您好，在的'),
      msg(3, 'customer', 40, '发货了吗'),
      msg(4, 'agent', 70, '已发货，感谢您的耐心'),
    ];
    expect(precheck(clean, criteria, policy)).toEqual([]);
  });

  it('slow first response, a long gap, missing greeting and closing, forbidden phrases', () => {
    const bad = [
      msg(1, 'customer', 0, '我的快递到哪了'),
      msg(2, 'agent', 400, '单号发我'),
      msg(3, 'customer', 420, '还没到'),
      msg(4, 'agent', 1500, '不知道，加我微信说'),
    ];
    const found = precheck(bad, criteria, policy);
    const by = (check: string) => found.filter((f) => f.check === check);
    expect(by('first_response')).toEqual([
      expect.objectContaining({ code: 'PRO-01', seq: 1, quote: '我的快递到哪了', points: 5 }),
    ]);
    expect(by('longest_gap')).toEqual([
      expect.objectContaining({ code: 'PRO-01', seq: 3, quote: '还没到', points: 2 }),
    ]);
    expect(by('missing_greeting')).toEqual([expect.objectContaining({ code: 'ATT-01', seq: 2, quote: '单号发我' })]);
    expect(by('missing_closing')).toEqual([expect.objectContaining({ code: 'COM-01', seq: 4 })]);
    // 不知道 is ATT-02's keyword, 加我微信 the red line's.
    expect(by('forbidden_phrase').map((f) => [f.code, f.seq])).toEqual([
      ['ATT-02', 4],
      ['RED-01', 4],
    ]);
    expect(suggestedMarks(found).get('PRO-01')).toBe(5); // the largest finding, not the sum
  });

  it('a customer left without any reply is the largest response deduction', () => {
    const found = precheck([msg(1, 'customer', 0, '人呢')], criteria, policy);
    expect(found).toEqual([
      expect.objectContaining({ check: 'first_response', code: 'PRO-01', points: 5, quote: '人呢' }),
    ]);
  });

  it("criteria not on the review's scorecard get no finding; long quotes are cut", () => {
    const long = 'x'.repeat(500);
    const found = precheck(
      [msg(1, 'agent', 0, long)],
      criteria.filter((c) => c.code !== 'ATT-01'),
      policy,
    );
    expect(found.map((f) => f.check)).toEqual(['missing_closing']);
    expect(found[0]!.quote.length).toBeLessThanOrEqual(121);
  });
});
