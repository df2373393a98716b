import { describe, expect, it } from 'vitest';
import { sandboxRecordUrl } from '../../src/sandbox/api/bitable-records.js';
// @ts-expect-error the console's own browser module (plain JS, no types)
import { markdown } from '../../src/sandbox/public/markdown.js';

const hrefs = (html: string): string[] =>
  [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));

// A card's link to a Bitable row (batch_get's shared_url) points, in the sandbox, at the console's own
// Base view at that row; every other link is left as it is.
describe('sandbox console: record links in cards', () => {
  it('opens the console at the row for a sandbox record link', () => {
    const url = sandboxRecordUrl('bascnAPP', 'tblCASES', 'recABC');
    const [href] = hrefs(markdown(`全文见 [EX000001 这一行](${url})`));
    expect(href).toBe('/sandbox?base=bascnAPP&table=tblCASES&record=recABC');
  });

  it('leaves other https links alone and never turns other hosts or schemes into console links', () => {
    expect(hrefs(markdown('[doc](https://open.feishu.cn/document/x?a=1)'))).toEqual([
      'https://open.feishu.cn/document/x?a=1',
    ]);
    expect(hrefs(markdown('[x](http://sandbox.feishu.invalid/base/bascnAPP?table=t&record=r)'))).toEqual([
      'http://sandbox.feishu.invalid/base/bascnAPP?table=t&record=r',
    ]);
    expect(hrefs(markdown('[x](javascript:alert(1))'))).toEqual(['#']);
  });
});
