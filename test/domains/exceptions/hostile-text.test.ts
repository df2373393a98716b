import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPost, cardText, exceptionsApp, say, settle, type ExceptionsTestApp } from './helpers.js';

const EVIL =
  '<at user_id="all"></at><at id=all></at> [登录](https://evil.example/login) ![x](img_v2_x) <font ' +
  "color='red'>急</font>\n**负责人 Owner** <at id=ou_boss></at>";

/** Markdown sources on a card, as sent to Feishu. */
function markdownOf(card: unknown): string[] {
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.tag === 'markdown' && typeof o.content === 'string') out.push(o.content);
    Object.values(o).forEach(walk);
  };
  walk(card);
  return out;
}

describe("user text on the bot's cards (issue 15 §2)", () => {
  let t: ExceptionsTestApp;
  beforeAll(async () => {
    t = await exceptionsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('API text trying to @everyone, link or forge a field: cards mention only whom the workflow chose', async () => {
    const res = await apiPost(t, '/api/exceptions', {
      source: 'oms',
      externalId: 'H1',
      kind: 'lost',
      orderNo: 'JD-H1',
      title: EVIL,
      description: EVIL,
    });
    expect(res.statusCode).toBe(201);
    await settle(t);
    const cards = t.feishu.sent.map((s) => s.card);
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) {
      const sources = markdownOf(card).join('\n');
      expect(sources).not.toMatch(/<at (?:user_)?id=["']?all/i);
      expect(sources).not.toContain('ou_boss');
      expect(sources).not.toMatch(/\]\(|!\[|<font color='red'>/);
      // Only the people the workflow chose: the owner and the warehouse it waits on.
      for (const at of sources.match(/<at [^>]*>/g) ?? [])
        expect(['<at id=ou_agent_1>', '<at id=ou_wh_1>']).toContain(at);
      expect(sources).not.toMatch(/\n\*\*负责人 Owner\*\* <at id=ou_boss>/);
    }
    // What a person reads: the text as typed, on one line.
    expect(cardText(cards[0])).toContain('[登录](https://evil.example/login)');
  });

  it('echoes unrecognised chat text in the hint card shortened and escaped', async () => {
    t.feishu.clear();
    await say(t, `${EVIL} ${'很长'.repeat(100)}`, 'ou_agent_1');
    const hint = t.feishu.sent.at(-1)!.card;
    const sources = markdownOf(hint).join('\n');
    expect(sources).not.toMatch(/<at|\]\(|<font color='red'>/);
    expect(cardText(hint)).toContain('<at user_id="all"></at>');
    expect(cardText(hint)).toContain('…');
    expect(cardText(hint)).not.toContain('很长'.repeat(100));
  });

  it('echoes an unknown kind typed in chat shortened and escaped in the refusal', async () => {
    t.feishu.clear();
    await say(t, `异常件 <at_id=all>${'x'.repeat(200)} JD-1`, 'ou_agent_1');
    const refusal = t.feishu.sent.at(-1)!.card;
    expect(markdownOf(refusal).join('\n')).not.toContain('<at'); // shown in plain_text, which Feishu never parses
    expect(cardText(refusal)).toContain('…');
    expect(cardText(refusal)).not.toContain('x'.repeat(60));
  });
});
