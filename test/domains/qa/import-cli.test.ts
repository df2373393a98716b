import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { cliProcess, type CliProcess } from '../../helpers/cli-process.js';

// Each call starts a process that loads the whole app (tsx): allow a busy machine its time.
describe('feishu-ops import qa-conversations FILE', { timeout: 180_000 }, () => {
  let p: CliProcess;
  const cli = (...args: string[]) => p.cli(...args);

  beforeAll(async () => {
    p = await cliProcess('fo-qa-cli-');
    await cli('migrate');
    const d = await p.db();
    await createDirectory({ db: d.db }).upsertPeople([
      { openId: 'ou_agent_1', name: '小王', teams: [], roles: ['agent'] },
    ]);
    await d.close();
  });
  afterAll(async () => p?.close());

  it('imports good conversations, progress on stderr, refused lines and why, exit 2; re-run adds none', async () => {
    const file = join(p.dataDir, 'store-calls.csv');
    await writeFile(
      file,
      [
        'channel,external_id,shop,agent,time,role,text',
        'offline_store,CALL-1,上海店,小王,2026-11-20 10:00,customer,我想退货',
        'offline_store,CALL-1,,,2026-11-20 10:01,agent,您好，可以的',
        'offline_store,CALL-2,上海店,老张,2026-11-20 11:00,customer,你好',
        'offline_store,,上海店,小王,2026-11-20 12:00,customer,无编号',
      ].join('\n'),
    );
    const failed = await cli('import', 'qa-conversations', file).catch(
      (e: Error & { code: number; stdout: string; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 2 });
    const { stdout, stderr } = failed as { stdout: string; stderr: string };
    expect(stdout).toContain('4 messages in 2 conversations: 1 new, 0 already there, 2 rejected');
    expect(stdout).toMatch(/line 4 \(CALL-2\): agent: .*unknown agent 老张/);
    expect(stdout).toMatch(/line 5: .*external id are required/);
    expect(stderr).toContain('100% · 4 messages, 2 conversations, 2 rejected');
    const rejected = await readFile(`${file}.rejected.csv`, 'utf8');
    expect(rejected.split('\n')[0]).toBe('line,last_line,channel,external_id,errors');
    expect(rejected).toContain('4,4,"offline_store","CALL-2"');

    const again = await cli('import', 'qa-conversations', file).catch((e: { stdout: string }) => e);
    expect((again as { stdout: string }).stdout).toContain('1 already there');
    const d = await p.db();
    const { rows } = await d.query<{ external_id: string; message_count: number; source: string }>(
      'select external_id, message_count, source from qa_conversations',
    );
    await d.close();
    expect(rows).toEqual([{ external_id: 'CALL-1', message_count: 2, source: 'import' }]);
  });
});
