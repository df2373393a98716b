import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProcess, type CliProcess } from '../../helpers/cli-process.js';

// The real command, as an operator runs it (the same import behaviour as qa-conversations: shared kit).
describe('feishu-ops import community-metrics FILE', { timeout: 180_000 }, () => {
  let p: CliProcess;
  const cli = (...args: string[]) => p.cli(...args);

  beforeAll(async () => {
    p = await cliProcess('fo-community-cli-');
    await cli('migrate');
    const d = await p.db();
    await d.query(`insert into community_communities (code, name, platform)
                   values ('VIP01', '会员一群', 'wecom')`);
    await d.close();
  });
  afterAll(async () => p?.close());

  it('stores the good rows, writes refused lines and why to the rejected file, exits 2; rerun: no change', async () => {
    const file = join(p.dataDir, 'metrics.csv');
    await writeFile(
      file,
      [
        'community,date,membersTotal,membersJoined,membersLeft,activeMembers,messages,orders,gmvFen,refundsFen',
        'VIP01,2026-11-01,100,5,1,20,80,2,123450,0',
        'NOPE,2026-11-01,10,0,0,0,0,0,0,0',
        'VIP01,2026-11-02,abc,0,0,0,0,0,0,0',
      ].join('\n'),
    );
    const failed = await cli('import', 'community-metrics', file).catch(
      (e: Error & { code: number; stdout: string; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 2 });
    const { stdout, stderr } = failed as { stdout: string; stderr: string };
    expect(stdout).toContain(`3 rows: 1 new, 0 corrected, 0 unchanged, 2 rejected → ${file}.rejected.csv`);
    expect(stderr).toContain('100% · 3 rows 行');
    const rejected = (await readFile(`${file}.rejected.csv`, 'utf8')).split('\n');
    expect(rejected[0]).toBe('line,community,date,errors');
    expect(rejected[1]).toMatch(/^3,"NOPE","2026-11-01",".*unknown community code/);
    expect(rejected[2]).toMatch(/^4,"VIP01","2026-11-02",".*membersTotal.*must be a number/);

    const again = await cli('import', 'community-metrics', file).catch((e: { stdout: string }) => e);
    expect((again as { stdout: string }).stdout).toContain('3 rows: 0 new, 0 corrected, 1 unchanged, 2 rejected');
    const d = await p.db();
    const { rows } = await d.query<{ day: string; members_total: number; gmv_fen: string }>(
      `select to_char(day, 'YYYY-MM-DD') as day, members_total, gmv_fen::text from community_daily_metrics`,
    );
    await d.close();
    expect(rows).toEqual([{ day: '2026-11-01', members_total: 100, gmv_fen: '123450' }]);
  });
});
