import { joinMarkdown, md, type Markdown } from '../../core/cards/markdown.js';
import type { Card, CardPart, CardRenderer } from '../../core/cards/render.js';
import { DEFINITIONS } from './logic/definitions.js';

/** One alert line on an operator's card, as the card shows it. */
export interface AlertLine {
  id: number;
  version: number;
  state: 'open' | 'acknowledged' | 'muted';
  text: Markdown;
  status: string;
}

/** The definitions, for the digest's panel and beside every report (the one text, from definitions.ts). */
export const definitionsText = (): Markdown =>
  joinMarkdown(DEFINITIONS.map((d) => md`**${d.name.zh} ${d.name.en}**：${d.text.zh}`));

/**
 * Typed render functions over cards/community/*.json. Strings are user text (escaped by the
 * renderer); Markdown values come from `md`.
 */
export function communityCards(cards: CardRenderer) {
  const button = (name: string, label: string, type: string, value: Record<string, unknown>): CardPart =>
    cards.part('community/parts/alert-button', { name, label, type, value });

  const item = (a: AlertLine): CardPart =>
    cards.part('community/parts/alert', {
      text: a.text,
      actions:
        a.state === 'open'
          ? [
              button(`ack_${a.id}`, '确认 Acknowledge', 'primary', {
                action: 'community.ack',
                alertId: a.id,
                version: a.version,
              }),
              button(`mute3_${a.id}`, '静默 3 天 Mute 3 d', 'default', {
                action: 'community.mute',
                alertId: a.id,
                version: a.version,
                days: 3,
              }),
              button(`mute7_${a.id}`, '静默 7 天 Mute 7 d', 'default', {
                action: 'community.mute',
                alertId: a.id,
                version: a.version,
                days: 7,
              }),
            ]
          : [cards.part('community/parts/alert-status', { status: a.status })],
    });

  return {
    /** One card per operator and day: every alert of their communities, with its numbers and baseline. */
    alerts: (v: { day: string; intro: Markdown; lines: AlertLine[]; more: number }): Card =>
      cards.render('community/alerts', {
        summary: `社群预警 ${v.day} · ${v.lines.length + v.more} alerts`,
        subtitle: v.day,
        intro: v.intro,
        items: v.lines.map(item),
        footer:
          v.more > 0
            ? md`另有 ${v.more} 条未列出，请在工作台「社群」看板查看 · ${v.more} more on the dashboard's Community tab`
            : md`
看板 Dashboard：工作台 → 社群 Community
              `,
      }),

    /** The daily digest, the weekly report and a community's own card share one layout. */
    digest: (v: { title: string; subtitle: string; overview: Markdown; breakdown: Markdown; alerts: Markdown }): Card =>
      cards.render('community/digest', { summary: v.title, ...v, definitions: definitionsText() }),

    /** `content` as a string is shown as typed (an error message); as Markdown it keeps the bot's formatting. */
    notice: (title: string, content: Markdown | string, color = 'blue'): Card =>
      cards.render('community/notice', { title, content, color }),
  };
}

export type CommunityCards = ReturnType<typeof communityCards>;
