import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, md, mention, toMarkdownSource } from '../../src/core/cards/markdown.js';
import { cardBodyBytes, CARD_BODY_LIMIT, type Card } from '../../src/core/cards/render.js';
import { CardLibrary } from '../../src/feishu/cards.js';
import { PEOPLE, renderAll, sampleView } from './samples.js';
import { exceptionCards } from '../../src/domains/exceptions/cards.js';

const cards = new CardLibrary();

/** Every markdown source and every plain text on a card, with where it sits. */
function texts(card: unknown): { markdown: string[]; plain: string[] } {
  const out = { markdown: [] as string[], plain: [] as string[] };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.content === 'string')
      (o.tag === 'markdown' || o.tag === 'lark_md' ? out.markdown : out.plain).push(o.content);
    Object.values(o).forEach(walk);
  };
  walk(card);
  return out;
}

/** The card's structure: tags, keys and array lengths, without the text. */
function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (node && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'tag' ? v : shape(v)]));
  return typeof node;
}

// Markdown syntax a user string must never add: tags (<at>, <a>, <link>, <font>, …), links and
// images, emphasis, code, autolinks, emoji keys, and block syntax at a line start.
const SYNTAX: Record<string, RegExp> = {
  tag: /<\/?[A-Za-z_]/g,
  link: /\]\(/g,
  image: /!\[/g,
  emphasis: /\*|~~|__/g,
  code: /`/g,
  url: /https?:|www\.|mailto:|tel:/gi,
  emoji: /:[A-Z_]+:/g,
  block: /^\s*(?:#|>|[-+*] |\d+[.)]|\|)/gm,
  line: /\n/g,
};

function syntax(markdown: string[]): Record<string, number> {
  return Object.fromEntries(
    Object.entries(SYNTAX).map(([k, re]) => [k, markdown.reduce((n, s) => n + (s.match(re)?.length ?? 0), 0)]),
  );
}

const ATTACKS = [
  '<at user_id="all"></at>',
  '<at id=all></at>',
  "<at id='all'>",
  '<at ids=ou_a,ou_b></at>',
  '<at email=a@b.co></at>',
  '<AT ID=ALL></AT>',
  '[登录](https://evil.example/login)',
  '![x](img_v2_abc)',
  'https://evil.example',
  'www.evil.example',
  'a@evil.example',
  "<font color='red'>",
  '<a href="https://x">x</a>',
  "<link url='https://x'>x</link>",
  '<text_tag color=red>x</text_tag>',
  '<person id=ou_x></person>',
  '<hr>',
  '<br>',
  '\n**负责人 Owner** ',
  '\n# 标题',
  '\n- item',
  '\n> quote',
  '\n1. one',
  '\n---\n',
  '```',
  '`x`',
  '**',
  '~~',
  '__',
  ':OK:',
  '&#60;at id=all&#62;',
  '&lt;at id=all&gt;',
  '\\<at id=all>',
  '|a|b|\n|-|-|',
  '\u2028',
  '\r\n',
  '\u0000',
  '\u202e',
  '${title}',
  '    indented',
  '\t',
  '&',
  '&amp;',
];

const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(...ATTACKS),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

describe('user text in cards', () => {
  const baseline = renderAll(cards, 'x');
  const allowed = new Set(Object.values(PEOPLE).map((id) => `<at id=${id}></at>`));

  it('can never add a mention, a link, an image, markdown syntax, a line or an element to any card', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        fc.pre(text !== ''); // an empty field leaves its line out
        const rendered = renderAll(cards, text);
        for (const [name, card] of Object.entries(rendered)) {
          const base = baseline[name]!;
          expect(shape(card), name).toEqual(shape(base));
          const { markdown, plain } = texts(card);
          expect(syntax(markdown), name).toEqual(syntax(texts(base).markdown));
          for (const source of markdown)
            for (const at of source.match(/<at[^>]*>(?:<\/at>)?/gi) ?? [])
              expect(allowed.has(at), `${name}: ${at}`).toBe(true);
          for (const line of plain) expect(line, name).not.toMatch(/[\n\r\u2028\u2029]/);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('shows the text as typed: entities stand for exactly the characters the person wrote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        const decoded = escapeMarkdown(text).replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
        expect(decoded).toBe(
          text
            .replace(/\r\n|[\n\r\u0085\u2028\u2029\v\f\t]/g, ' ')
            // eslint-disable-next-line no-control-regex
            .replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
            .trim(),
        );
      }),
    );
  });

  it('mentions only directory ids: never @all, never an id with markup in it', () => {
    expect(toMarkdownSource(mention('ou_owner1'))).toBe('<at id=ou_owner1></at>');
    expect(toMarkdownSource(mention('all'))).toBe('all');
    expect(toMarkdownSource(mention('ALL'))).toBe('ALL');
    expect(toMarkdownSource(mention('ou_x></at><at id=all'))).not.toContain('<');
    expect(toMarkdownSource(mention(null, '未分派'))).toBe('未分派');
    expect(toMarkdownSource(md`**备注** ${'<at id=all></at>'}`)).toBe('**备注** &#60;at id=all&#62;&#60;&#47;at&#62;');
  });
});

describe("Feishu's 30 KB card limit", () => {
  const size = (card: Card) => cardBodyBytes(card);

  it('cuts long user text with "…" so every card still fits', () => {
    const long = '很长的描述 <at id=all></at> '.repeat(600); // ~12,000 characters, 36 KB and more once escaped
    for (const [name, card] of Object.entries(renderAll(cards, long))) {
      expect(size(card), name).toBeLessThanOrEqual(CARD_BODY_LIMIT);
      const all = [...texts(card).plain, ...texts(card).markdown].join('\n');
      const complete =
        all.includes(long.trim()) || all.includes(long.trim().replace(/[<>/]/g, (c) => `&#${c.charCodeAt(0)};`));
      if (!complete) expect(all, name).toContain('…'); // the text is complete, or cut with "…"
    }
  });

  it('cuts a long description on the case card and says where the full text is', () => {
    const card = renderAll(cards, '问'.repeat(12_000))['exceptions/case (waiting)']!;
    const facts = texts(card).markdown[0]!;
    expect(facts).toMatch(/\*\*描述 Description\*\* 问{299}…（已截断，全文见多维表格 · [^）]*EX000048 这一行/);
    expect(facts).not.toContain('](');
    expect(size(card)).toBeLessThanOrEqual(CARD_BODY_LIMIT);
  });

  it('links the cut description to the case row once Feishu gave its link (https only)', () => {
    const x = exceptionCards(cards);
    const long = '问'.repeat(12_000);
    const url = 'https://acme.feishu.cn/record/AbCdEf';
    const linked = texts(x.caseCard(sampleView(long, { rowUrl: url }))).markdown[0]!;
    expect(linked).toContain(`[EX000048 这一行 · row EX000048](${url})`);
    // A short description is not cut, so it carries no link.
    expect(texts(x.caseCard(sampleView('短', { rowUrl: url }))).markdown[0]!).not.toContain(url);
    // Anything but a plain https URL stays text.
    const plain = texts(x.caseCard(sampleView(long, { rowUrl: 'javascript:alert(1)' }))).markdown[0]!;
    expect(plain).not.toContain('javascript:');
    expect(plain).toContain('EX000048 这一行');
  });
});
