/**
 * Card markdown built from trusted parts (the bot's own words, `<at>` from directory ids) and user
 * parts (titles, descriptions, notes, anything typed by a person or read from Bitable / an API).
 * User parts are escaped when the card is rendered, so no user string can open a mention, a link,
 * an image, a colour tag or markdown syntax, or start a new line.
 *
 * Feishu rules (rich-text component, JSON 2.0, 特殊字符转义说明): characters that markdown uses
 * ("*、~、>、<" and the rest of the table) are shown literally when written as HTML entities
 * `&#实体编号;` (`&#60;` for `<`, `&#42;` for `*`, …). Source:
 * https://open.feishu.cn/document/feishu-cards/card-json-v2-components/content-components/rich-text
 * The tags Feishu interprets there: <at>, <a>, <link>, <font>, <text_tag>, <person>, <local_datetime>,
 * <number_tag>, <audio>, <raw>, <br>, <hr>; links `[x](y)`, images `![x](key)`, headings, lists,
 * quotes, code, tables, `:EMOJI:`.
 * UNCONFIRMED: whether Feishu turns bare URLs (`https://…`, `www.…`) or e-mail addresses into links.
 * We escape `:`, `/`, `.` and `@` as entities too, which defeats CommonMark/GFM autolinks as long as
 * Feishu recognises autolinks before it decodes entities (CommonMark order; not confirmed for Feishu).
 */
declare const brand: unique symbol;

type Part = { trusted: string } | { user: string };

/** Markdown whose structure the bot wrote. Only `md`, `mention` and `Markdown.trusted` make one. */
export interface Markdown {
  readonly [brand]: true;
  readonly parts: readonly Part[];
}

class MarkdownValue {
  constructor(readonly parts: readonly Part[]) {}
}

export function isMarkdown(value: unknown): value is Markdown {
  return value instanceof MarkdownValue;
}

const make = (parts: Part[]): Markdown => new MarkdownValue(parts) as unknown as Markdown;

type Interpolated = Markdown | string | number | null | undefined;

/**
 * Tagged template: the literal text is the bot's markdown, every `${value}` that is not already
 * Markdown is user text. `md`**备注 Note** ${note}`` is safe whatever `note` holds.
 */
export function md(strings: TemplateStringsArray, ...values: Interpolated[]): Markdown {
  const parts: Part[] = [];
  strings.forEach((literal, i) => {
    if (literal) parts.push({ trusted: literal });
    if (i < values.length) parts.push(...partsOf(values[i]));
  });
  return make(parts);
}

function partsOf(value: Interpolated): Part[] {
  if (value === null || value === undefined) return [];
  if (isMarkdown(value)) return [...value.parts];
  return [{ user: String(value) }];
}

/** Joins markdown pieces (bot-written separators). */
export function joinMarkdown(items: readonly Interpolated[], separator = '\n'): Markdown {
  const parts: Part[] = [];
  items.forEach((item, i) => {
    if (i > 0) parts.push({ trusted: separator });
    parts.push(...partsOf(item));
  });
  return make(parts);
}

/** Fixed bot markdown (no user text in it), e.g. `<font color='grey'>已结束</font>`. */
export function trusted(text: string): Markdown {
  return make([{ trusted: text }]);
}

// Directory ids: open_id `ou_…`, user_id, union_id `on_…`. Never "all" (an @everyone) and never
// anything with markup in it; an id that is not an id is shown as escaped text, not mentioned.
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The bot's own @mention of one person, built from a directory id. */
export function mention(id: string | null | undefined, fallback: Markdown | string = ''): Markdown {
  if (!id) return typeof fallback === 'string' ? md`${fallback}` : fallback;
  if (!ID.test(id) || id.toLowerCase() === 'all') return md`${id}`;
  return trusted(`<at id=${id}></at>`);
}

// Everything markdown or Feishu's tags could read as syntax, written as numeric entities.
const SPECIAL = /[&<>*~\-!/\\[\]()#:+"'`$_|.@]/g;
const LINE_BREAKS = /\r\n|[\n\r\u0085\u2028\u2029\v\f]/g;
// C0/C1 controls and bidirectional overrides can hide or reorder what a reader sees.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text cut to `max` characters (code points) with "…". */
export function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, Math.max(1, max - 1)).join('')}…` : text;
}

/**
 * The bot's own link: `text` shown as typed (escaped), `url` an https URL the bot built. A URL that
 * is not plain https (spaces, parentheses, another scheme) is dropped and only the text is shown.
 */
export function link(text: string, url: string): Markdown {
  if (!isSafeLink(url)) return md`${text}`;
  return trusted(`[${escapeMarkdown(text)}](${url})`);
}

/** An https URL with nothing that could end a markdown link or break out of it: the only links a card carries. */
export const isSafeLink = (url: string): boolean => /^https:\/\/[^\s()<>"']+$/.test(url);

/** One line of user text as card markdown that shows exactly as typed. */
export function escapeMarkdown(text: string, max = Infinity): string {
  const line = shorten(oneLine(text), max);
  return line.replace(SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}

/** User text for a plain_text element: one line, no invisible controls (plain_text is never parsed). */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(/\t/g, ' ').replace(INVISIBLE, '').trim();
}

/** Markdown source with user parts escaped and each cut to `maxUser` characters. */
export function toMarkdownSource(value: Markdown, maxUser = Infinity): string {
  return value.parts.map((p) => ('trusted' in p ? p.trusted : escapeMarkdown(p.user, maxUser))).join('');
}
