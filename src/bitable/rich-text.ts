import { fail } from './codec-errors.js';
import type { Mention } from './codec-values.js';

/**
 * Text cells are written as a string but read back as segments: `{type:"text",text}`,
 * `{type:"mention",text:"@张三",token,name,mentionType}`, `{type:"url",text,link}` (FEISHU.md §e,
 * search sample). The deprecated list API without text_field_as_array returns a plain string.
 */
export function readText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (Array.isArray(raw)) return raw.map(segmentText).join('');
  return fail('expected a string or an array of text segments');
}

export function readMentions(raw: unknown): Mention[] {
  if (!Array.isArray(raw)) return [];
  const mentions: Mention[] = [];
  for (const segment of raw) {
    if (!isRecord(segment) || segment.type !== 'mention') continue;
    mentions.push({
      mentionType: typeof segment.mentionType === 'string' ? segment.mentionType : 'User',
      token: typeof segment.token === 'string' ? segment.token : '',
      name: typeof segment.name === 'string' ? segment.name : '',
      text: typeof segment.text === 'string' ? segment.text : '',
    });
  }
  return mentions;
}

function segmentText(segment: unknown): string {
  if (typeof segment === 'string') return segment;
  if (isRecord(segment) && typeof segment.text === 'string') return segment.text;
  return fail('a text segment has no text');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
