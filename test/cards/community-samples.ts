import type { Card, CardRenderer } from '../../src/core/cards/render.js';
import { md } from '../../src/core/cards/markdown.js';
import { communityCards } from '../../src/domains/community/cards.js';
import { alertText } from '../../src/domains/community/service/alert-text.js';

/** Every community card, rendered with `text` in every user-supplied variable (community names, codes). */
export function communitySamples(cards: CardRenderer, text: string): Record<string, Card> {
  const c = communityCards(cards);
  const line = (id: number, state: 'open' | 'acknowledged' | 'muted') => ({
    id,
    version: 1,
    state,
    text: alertText({
      communityName: text,
      platform: text.slice(0, 10) || 'x',
      metric: 'messages',
      kind: 'drop',
      value: 12,
      baseline: 310.4,
    }),
    status: state === 'open' ? '' : '已确认 · Acknowledged',
  });
  return {
    'community/alerts': c.alerts({
      day: '2026-11-29',
      intro: md`你运营的社群有 **3** 条预警 ${text}`,
      lines: [line(1, 'open'), line(2, 'acknowledged'), line(3, 'muted')],
      more: 2,
    }),
    'community/digest': c.digest({
      title: '社群日报 · Community digest',
      subtitle: text,
      overview: md`**净增长 Net growth** ${text}`,
      breakdown: md`- ${text}`,
      alerts: md`${text}`,
    }),
    'community/notice': c.notice(text, text, 'red'),
  };
}
