import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CardLibrary } from '../../src/feishu/cards.js';
import { renderAll } from './samples.js';

// The project's card JSON 2.0 checker (rules from the official card docs); CHECK_CARDS points elsewhere.
// shared/ sits beside the repository (the developers' checkout and CI's clone alike).
const besideRepo = resolve(fileURLToPath(new URL('../../..', import.meta.url)), 'shared/tools/check-cards.mjs');
const checker =
  process.env.CHECK_CARDS ??
  [besideRepo, '/work/shared/tools/check-cards.mjs'].find((p) => existsSync(p)) ??
  besideRepo;
const dir = mkdtempSync(join(tmpdir(), 'cards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every card file, rendered with sample data', () => {
  const cards = new CardLibrary();

  it('covers every card in cards/ (parts are rendered inside them)', () => {
    const rendered = new Set(Object.keys(renderAll(cards, 'x')).map((n) => n.replace(/ \(.*\)$/, '')));
    expect(cards.names().filter((n) => !n.includes('/parts/'))).toEqual([...rendered].sort());
  });

  it.skipIf(!existsSync(checker))('passes the card JSON 2.0 checker, with plain and with hostile text', async () => {
    const files: string[] = [];
    for (const [label, text] of [
      ['plain', '天猫旗舰店 订单 1002'],
      ['hostile', '<at id=all></at> [x](https://e.x) **y**\n- z'.repeat(40)],
    ] as const) {
      for (const [name, card] of Object.entries(renderAll(cards, text))) {
        const file = join(dir, `${label}-${name.replace(/[^\w-]+/g, '_')}.json`);
        writeFileSync(file, JSON.stringify(card));
        files.push(file);
      }
    }
    const run = await promisify(execFile)(process.execPath, [checker, ...files]).catch(
      (err: { stdout: string; code: number }) => err,
    );
    expect(run.stdout.match(/^FAIL .*$/gm) ?? []).toEqual([]);
    expect(run.stdout.match(/^ok /gm)?.length).toBe(files.length);
  });
});
