import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every file the console and the dashboard serve from their own folders. */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

// Issue 17 §17: emoji show as empty boxes on machines without an emoji font, so the console's and the
// dashboard's navigation and markers are inline SVG icons (icons.js). Card text the bot sends is not
// checked here: Feishu renders that, and the console shows it as sent.
describe('console and dashboard pages use no emoji', () => {
  it('has no pictographic character in any page, script or style', () => {
    const found = ['src/sandbox/public', 'src/dashboard/public'].flatMap((dir) =>
      files(dir).flatMap((file) => {
        const chars = readFileSync(file, 'utf8').match(/\p{Extended_Pictographic}/gu) ?? [];
        return chars.length ? [`${file}: ${[...new Set(chars)].join(' ')}`] : [];
      }),
    );
    expect(found).toEqual([]);
  });

  it('finds an emoji where there is one (the scan itself works)', () => {
    expect('导航 💬 ✅ ☑'.match(/\p{Extended_Pictographic}/gu)).toEqual(['💬', '✅', '☑']);
    expect('异常件 EX000001 · 已创建'.match(/\p{Extended_Pictographic}/gu)).toBeNull();
  });
});
