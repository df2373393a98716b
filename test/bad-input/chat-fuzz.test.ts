import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchCommand, messageText, suggestCommand, type MessageEvent } from '../../src/core/chat.js';
import type { CommandEntry } from '../../src/core/registry.js';

const entry = (module: string, names: string[]): CommandEntry => ({
  module,
  names,
  meta: { description: module },
  handler: async () => undefined,
});
const commands = [
  entry('core', ['help', '帮助', '?', '？']),
  entry('exceptions', ['异常件', 'exception', 'exceptions']),
  entry('tracking', ['单号', '退货单号', 'tracking']),
];
const names = commands.flatMap((c) => c.names);
const sqlish = fc.constantFrom(
  "'; drop table lark_events; --",
  '" or 1=1 --',
  '$1',
  '\\x00',
  '%s%s%s',
  '${7*7}',
  '<script>alert(1)</script>',
  '\u0000',
  '\u202e',
  '🙂',
  '　',
);
const text = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.array(fc.oneof(fc.constantFrom(...names), sqlish, fc.string()), { maxLength: 8 }).map((p) => p.join(' ')),
);

describe('fuzzing the chat command parser', () => {
  it('never throws; a match names a registered command and its args are the rest of the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(''), fc.constantFrom('/', '／', ' ')), text, (prefix, body) => {
        const input = prefix + body;
        const match = matchCommand(input, commands);
        if (match) {
          expect(match.entry.names.map((n) => n.toLowerCase())).toContain(match.command);
          expect(input.toLowerCase()).toContain(match.command);
          expect(input).toContain(match.args);
        }
        suggestCommand(input, commands);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds the command before SQL-like or huge arguments and passes them on untouched', () => {
    fc.assert(
      fc.property(fc.constantFrom('异常件', 'exception', 'tracking', '单号'), sqlish, (name, args) => {
        const match = matchCommand(`${name} ${args}`, commands);
        expect(match?.entry.names).toContain(name);
        expect(match?.args).toBe(args.trim());
      }),
    );
    const huge = `exception ${'x'.repeat(1_000_000)}`;
    const started = Date.now();
    expect(matchCommand(huge, commands)?.args).toHaveLength(1_000_000);
    expect(suggestCommand('x'.repeat(1_000_000), commands)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads text from any message content without throwing', () => {
    const message = (content: string, type: string): MessageEvent['message'] => ({
      message_id: 'om_1',
      chat_id: 'oc_1',
      chat_type: 'p2p',
      message_type: type,
      content,
    });
    const content = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ text: fc.jsonValue() }).map((v) => JSON.stringify(v)),
      fc.record({ title: fc.string(), content: fc.jsonValue() }).map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(content, fc.constantFrom('text', 'post', 'image', 'file', 'sticker'), (c, type) => {
        const result = messageText(message(c, type));
        if (result !== undefined) {
          expect(typeof result).toBe('string');
          expect(result).not.toMatch(/@_user_\d+/);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
