import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchCommand, messageText, suggestCommand } from '../../src/core/chat.js';
import type { CommandEntry } from '../../src/core/registry.js';

const entry = (module: string, names: string[]): CommandEntry => ({
  module,
  names,
  meta: { description: module },
  handler: async () => undefined,
});
const commands = [
  entry('core', ['help', '帮助']),
  entry('exceptions', ['exception', '异常件']),
  entry('exceptions-list', ['exceptions', '异常件列表']),
];
const text = (content: string, type = 'text') =>
  messageText({ message_id: 'om', chat_id: 'oc', chat_type: 'p2p', message_type: type, content });

describe('chat command parsing', () => {
  it.each([
    ['help', 'help', ''],
    ['/help', 'help', ''],
    ['HELP me', 'help', 'me'],
    ['帮助', '帮助', ''],
    ['／帮助', '帮助', ''],
    ['异常件 SF1234567890', '异常件', 'SF1234567890'],
    ['异常件SF1234567890', '异常件', 'SF1234567890'],
    ['异常件列表', '异常件列表', ''],
    ['exceptions open', 'exceptions', 'open'],
  ])('%s → %s (%s)', (input, command, args) => {
    expect(matchCommand(input, commands)).toMatchObject({ command, args });
  });

  it('needs a word boundary after an English command', () => {
    expect(matchCommand('helpful', commands)).toBeUndefined();
  });

  it('strips @mentions from text and post messages', () => {
    expect(text(JSON.stringify({ text: '@_user_1  帮助 ' }))).toBe('帮助');
    expect(
      text(
        JSON.stringify({
          title: 't',
          content: [
            [
              { tag: 'at', user_id: 'ou' },
              { tag: 'text', text: ' help' },
            ],
          ],
        }),
        'post',
      ),
    ).toBe('help');
    expect(text(JSON.stringify({ image_key: 'img' }), 'image')).toBeUndefined();
    expect(text('{not json')).toBeUndefined();
  });

  it('suggests the nearest command for a typo', () => {
    expect(suggestCommand('hlep', commands)).toBe('help');
    expect(suggestCommand('zzzzzzzz', commands)).toBeUndefined();
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (s) => {
        matchCommand(s, commands);
        suggestCommand(s, commands);
        text(JSON.stringify({ text: s }));
        text(s);
      }),
    );
  });
});
