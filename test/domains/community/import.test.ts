import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMetricsFile } from '../../../src/domains/community/import-file.js';
import { addCommunities, communityApp, type CommunityTestApp } from './helpers.js';

let t: CommunityTestApp;
const dir = mkdtempSync(join(tmpdir(), 'community-import-'));
beforeAll(async () => {
  t = await communityApp({ workers: false });
  await addCommunities(t, [{ code: 'VIP01' }, { code: 'DY-07' }]);
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (name: string, content: string, batchSize = 2) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  const progress: number[] = [];
  return importMetricsFile({ database: t.database, timeZone: t.config.timeZone }, file, {
    batchSize,
    now: () => t.clock.now(),
    onProgress: (p) => progress.push(p.rows),
  }).then((r) => ({ ...r, progress }));
};

const stored = async () =>
  (
    await t.database.query<{ code: string; day: string; members_total: number; gmv_fen: string }>(
      `select c.code, to_char(m.day, 'YYYY-MM-DD') as day, m.members_total, m.gmv_fen::text from
        community_daily_metrics m join community_communities c on c.id = m.community_id order by 1, 2`,
    )
  ).rows;

describe('feishu-ops import community-metrics', () => {
  it('streams a CSV with the template’s column names in batches, yuan to fen; bad lines by line number', async () => {
    const csv = [
      '社群编码,日期,群成员数,新增成员,退群成员,活跃成员,消息数,成交订单数,成交金额',
      'VIP01,2026-11-01,100,5,1,20,80,2,"1,234.50"',
      'VIP01,2026-11-02,104,5,1,22,90,3,99',
      'NOPE,2026-11-02,10,0,0,0,0,0,0',
      'VIP01,2026-11-03,abc,0,0,0,0,0,0',
      'DY-07,2026-11-02,50,1,0,5,9,0,0',
      'DY-07,2026-11-02,50,1,0,5,9,0,0',
      'DY-07,2026-11-03,51,1,0,5,9,0',
      'VIP01,2026-11-04,"broken,1,1',
    ].join('\n');
    const r = await run('metrics.csv', csv);
    expect(r).toMatchObject({ created: 3, corrected: 0 });
    const reasons = Object.fromEntries(r.rejected.map((x) => [x.line, x.errors.join(' | ')]));
    expect(reasons[4]).toContain('unknown community code');
    expect(reasons[5]).toMatch(/membersTotal.*must be a number/);
    expect(reasons[7]).toContain('duplicate of row 6');
    expect(reasons[8]).toContain('malformed CSV'); // a cell short
    // A broken quote swallows the rest of the file into one bad record: reported, never thrown.
    expect(reasons[9] ?? reasons[10]).toContain('malformed CSV');
    expect(r.progress.length).toBeGreaterThan(1);
    expect(await stored()).toEqual(
      [
        { code: 'VIP01', day: '2026-11-01', members_total: 100, gmv_fen: '123450' },
        { code: 'VIP01', day: '2026-11-02', members_total: 104, gmv_fen: '9900' },
        expect.objectContaining({ code: 'DY-07' }),
      ].sort((a, b) => String(a.code).localeCompare(String(b.code))),
    );
  });

  it('takes JSON lines; a line that is not JSON is reported; importing the file again changes nothing', async () => {
    const lines = [
      JSON.stringify({ community: 'DY-07', date: '2026-11-10', membersTotal: 60, membersLeft: 2 }),
      '{not json',
      '',
      JSON.stringify({ community: 'DY-07', date: '2026-11-11', membersTotal: -1 }),
      JSON.stringify({ community: 'DY-07', date: '2026-11-12', membersTotal: 61 }),
    ].join('\n');
    const first = await run('metrics.jsonl', lines);
    expect(first).toMatchObject({ rows: 3, created: 2, rejectedCount: 2 });
    expect(first.rejected.map((x) => x.line)).toEqual([2, 4]);
    expect(first.rejected[1]!.errors.join()).toContain('must not be negative');
    const again = await run('metrics.jsonl', lines);
    expect(again).toMatchObject({ created: 0, unchanged: 2 });
  });
});
