import { escapeMarkdown, isMarkdown, oneLine, shorten, toMarkdownSource } from './markdown.js';

/** A Feishu card JSON 2.0 object, ready to send. */
export type Card = Record<string, unknown>;

export type CardVars = Record<string, unknown>;

/** A repeated part of a card (a button, an input): a named partial file with its own variables. */
export interface CardPart {
  readonly partial: string;
  readonly vars: CardVars;
}

/** The port the core and the modules render cards through; src/feishu/cards.ts implements it over cards/**. */
export interface CardRenderer {
  /** The named card with its variables filled in, user text escaped, cut to fit Feishu's size limit. */
  render(name: string, vars?: CardVars): Card;
  /** A repeated part for an array variable of a card; expanded when the card is rendered. */
  part(name: string, vars?: CardVars): CardPart;
}

/**
 * Feishu refuses a card message over 30 KB (request body; FEISHU.md §c [S15], §b.3 [S12]). We measure
 * the body as sent (`{msg_type, content: JSON string}`) and keep 512 B for receive_id and uuid.
 */
export const CARD_BODY_LIMIT = 30 * 1024;
const BUDGET = CARD_BODY_LIMIT - 512;

export function cardBodyBytes(card: Card): number {
  return Buffer.byteLength(JSON.stringify({ msg_type: 'interactive', content: JSON.stringify(card) }));
}

class PartValue implements CardPart {
  constructor(
    readonly partial: string,
    readonly vars: CardVars,
  ) {}
}

export function cardPart(partial: string, vars: CardVars = {}): CardPart {
  return new PartValue(partial, vars);
}

const isPart = (v: unknown): v is CardPart => v instanceof PartValue;

type Templates = (name: string) => unknown;

interface Ctx {
  card: string;
  templates: Templates;
  vars: CardVars;
  /** Longest user value, in characters; lowered until the card fits. */
  maxUser: number;
  markdown: boolean;
  /** A `content` string: text even when the value is a number. */
  text?: boolean;
  /** Inside a markdown element's i18n_content: every locale's string is markdown. */
  i18n?: boolean;
}

// Longest user text per value, tried in turn until the card fits the limit.
const CAPS = [Infinity, 2000, 1000, 500, 250, 120, 60, 30];

/**
 * Fills a card template. Variables are `${name}` inside string values only, so a value can never
 * break the JSON. Inside a `markdown` / `lark_md` content, strings are user text and escaped;
 * Markdown values (built by `md`) keep the bot's syntax and escape their user parts. An array item
 * `"${name}"` holding parts or an array is spread into the array. Code-built elements are refused:
 * repeated parts are partial files.
 */
export function renderCard(templates: Templates, name: string, vars: CardVars = {}): Card {
  const template = templates(name);
  if (template === undefined) throw new Error(`unknown card template ${name}`);
  let bytes = 0;
  for (const maxUser of CAPS) {
    const card = substitute(template, { card: name, templates, vars, maxUser, markdown: false }) as Card;
    bytes = cardBodyBytes(card);
    if (bytes <= BUDGET) return card;
  }
  throw new Error(`card ${name} is ${bytes} B even with user text cut short; Feishu's limit is ${CARD_BODY_LIMIT} B`);
}

const WHOLE = /^\$\{([A-Za-z_][\w.]*)\}$/;
const PART = /\$\{([A-Za-z_][\w.]*)\}/g;

function lookup(ctx: Ctx, path: string): unknown {
  let value: unknown = ctx.vars;
  for (const key of path.split('.')) {
    value =
      value && typeof value === 'object' && Object.hasOwn(value, key)
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  if (value === undefined) throw new Error(`card ${ctx.card}: variable \${${path}} has no value`);
  return value;
}

function text(value: unknown, ctx: Ctx, path: string): string {
  if (isMarkdown(value)) {
    if (!ctx.markdown) throw new Error(`card ${ctx.card}: \${${path}} is markdown but sits in plain text`);
    return toMarkdownSource(value, ctx.maxUser);
  }
  if (typeof value === 'string')
    return ctx.markdown ? escapeMarkdown(value, ctx.maxUser) : shorten(oneLine(value), ctx.maxUser);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`card ${ctx.card}: \${${path}} is not text`);
}

function expand(value: unknown, ctx: Ctx, path: string): unknown {
  if (isPart(value)) {
    const template = ctx.templates(value.partial);
    if (template === undefined) throw new Error(`card ${ctx.card}: unknown partial ${value.partial}`);
    return substitute(template, {
      ...ctx,
      card: `${ctx.card} > ${value.partial}`,
      vars: value.vars,
      markdown: false,
      text: false,
      i18n: false,
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expand(v, ctx, `${path}[${i}]`));
  // A number stays a number where the JSON wants one (max_length, a callback value's id).
  if ((typeof value === 'number' || typeof value === 'boolean') && !ctx.text) return value;
  if (value && typeof value === 'object' && !isMarkdown(value)) {
    if ('tag' in value) throw new Error(`card ${ctx.card}: \${${path}} is a code-built element; make it a partial`);
    return value; // data such as a callback value: sent as is, never shown
  }
  return text(value, ctx, path);
}

function substitute(node: unknown, ctx: Ctx): unknown {
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    if (whole) return expand(lookup(ctx, whole[1]!), ctx, whole[1]!);
    return node.replace(PART, (_, path: string) => text(lookup(ctx, path), ctx, path));
  }
  if (Array.isArray(node)) {
    return node.flatMap((item) => {
      const whole = typeof item === 'string' ? WHOLE.exec(item) : null;
      if (!whole) return [substitute(item, { ...ctx, markdown: false })];
      const value = expand(lookup(ctx, whole[1]!), { ...ctx, markdown: false, text: false }, whole[1]!);
      return Array.isArray(value) ? value.flat(2) : [value];
    });
  }
  if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    const rich = obj.tag === 'markdown' || obj.tag === 'lark_md';
    const markdownKey = (k: string) => (rich && k === 'content') || (ctx.markdown && ctx.i18n);
    return Object.fromEntries(
      Object.entries(obj).map(([k, v]) => [
        k,
        substitute(v, {
          ...ctx,
          markdown: markdownKey(k) || (rich && k === 'i18n_content'),
          i18n: rich && k === 'i18n_content',
          text: k === 'content' || (ctx.i18n ?? false),
        }),
      ]),
    );
  }
  return node;
}
