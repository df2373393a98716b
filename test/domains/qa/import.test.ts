import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore, settingsHost } from '../../../src/core/settings.js';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { importConversationsFile } from '../../../src/domains/qa/import/file.js';
import { declareQaSettings } from '../../../src/domains/qa/settings/index.js';
import { qaApp, type QaTestApp } from './helpers.js';

let t: QaTestApp;
const dir = mkdtempSync(join(tmpdir(), 'qa-import-'));
beforeAll(async () => {
  t = await qaApp();
});
afterAll(async () => {
  await t?.close();
  nock.cleanAll();
  rmSync(dir, { recursive: true, force: true });
});

const run = (name: string, content: string, batchSize = 2) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  const progress: number[] = [];
  const deps = {
    database: t.database,
    directory: createDirectory({ db: t.deps.database.db }),
    settings: declareQaSettings(settingsHost(new SettingsStore({ database: t.database, log: t.log }), 'qa')),
    timeZone: 'Asia/Shanghai',
  };
  return importConversationsFile(deps, file, { batchSize, onProgress: (p) => progress.push(p.messages) }).then((r) => ({
    ...r,
    progress,
    reasons: Object.fromEntries(r.rejected.map((x) => [x.line, x.errors.join(' | ')])),
  }));
};

const stored = async (source = 'import') =>
  (
    await t.database.query<{ channel: string; external_id: string; agent_open_id: string; n: number; first: string }>(
      `select c.channel, c.external_id, c.agent_open_id, c.message_count as n, c.csat, c.order_ids, c.tags,
              (select to_char(m.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') from qa_messages m
                where m.conversation_id = c.id and m.seq = 1) as first,
              (select string_agg(m.role || ':' || m.text, ' / ' order by m.seq) from qa_messages m
                where m.conversation_id = c.id) as transcript
         from qa_conversations c where c.source = $1 order by c.channel, c.external_id`,
      [source],
    )
  ).rows;

describe('feishu-ops import qa-conversations (the file, streamed)', () => {
  it('reads a marketplace IM export (Chinese headers, local times): each once, bad lines by number', async () => {
    const csv = [
      '渠道,会话编号,店铺,客服,满意度,订单号,标签,时间,角色,内容', // line 1
      'tmall,TM-1,天猫旗舰店,小王,2,TM-9|TM-8,退款,2026-11-20 10:00:00,买家,"在吗，我要退款"', // 2
      'tmall,TM-1,,,,,,2026-11-20 10:00:30,客服,"您好，请稍等"', // 3
      'tmall,TM-1,,,,,,2026-11-20 10:01:00,客户,好', // 4
      'tmall,TM-2,天猫旗舰店,不存在的人,5,,,2026-11-20 11:00:00,客户,你好', // 5 unknown agent
      'nope,NP-1,店,小王,5,,,2026-11-20 11:00:00,客户,你好', // 6 unknown channel
      'jd,JD-1,京东店,ou_agent_2,4,,,2026-11-20 12:00:00,客户,在吗', // 7
      'jd,JD-1,,,,,,yesterday,客服,在的', // 8 bad time
      'jd,JD-2,京东店,ou_agent_2,4,,,2026-11-20 12:00:00,客户,你好,多了一格', // 9 a cell too many
      'jd,JD-3,京东店,ou_agent_2,4,,,2026-11-20 12:00:00,客户,你好', // 10
      'jd,JD-3,,,,,,2026-11-20 12:01:00,客服,在\u0000的', // 11 a NUL, which PostgreSQL text cannot hold
    ].join('\n');
    const r = await run('im.csv', csv);
    expect(r).toMatchObject({ messages: 9, conversations: 5, created: 1, existing: 0, rejectedCount: 5 });
    expect(r.reasons[5]).toContain('unknown agent');
    expect(r.reasons[6]).toContain('unknown channel');
    expect(r.reasons[8]).toMatch(/line 8: messages\.1\.at/);
    expect(r.reasons[9]).toContain('malformed CSV');
    expect(r.reasons[11]).toMatch(/line 11: messages\.1\.text: .*cannot be stored/);
    expect(r.progress.length).toBeGreaterThan(1);
    expect(await stored()).toEqual([
      expect.objectContaining({
        channel: 'tmall',
        external_id: 'TM-1',
        agent_open_id: 'ou_agent_1',
        n: 3,
        csat: 2,
        order_ids: ['TM-9', 'TM-8'],
        tags: ['退款'],
        first: '2026-11-20T02:00:00', // 10:00 in Shanghai
        transcript: 'customer:在吗，我要退款 / agent:您好，请稍等 / customer:好',
      }),
    ]);

    // The same file again stores nothing twice (channel + external id, as in the API).
    const again = await run('im.csv', csv);
    expect(again).toMatchObject({ created: 0, existing: 1, rejectedCount: 5 });
    expect(await stored()).toHaveLength(1);
  });

  it('reads JSON lines (API objects, flat messages); bad JSON, a split conversation, a bad CSAT reported', async () => {
    const conv = (id: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        channel: 'wecom',
        externalId: id,
        agent: 'ou_agent_3',
        messages: [
          { role: 'customer', at: '2026-11-21T02:00:00Z', text: '在吗' },
          { role: 'agent', at: '2026-11-21 10:00:20', text: '您好' },
        ],
        ...extra,
      });
    const flat = (id: string, at: string, role: string) =>
      JSON.stringify({
        channel: 'offline_store',
        external_id: id,
        agent: 'ou_agent_1',
        time: at,
        role,
        text: '电话',
      });
    const lines = [
      conv('WC-1'), // 1
      '{not json', // 2
      conv('WC-2', { csat: 9 }), // 3
      flat('ST-1', '2026-11-21 15:00', 'customer'), // 4
      flat('ST-1', '2026-11-21 15:02', 'agent'), // 5
      flat('ST-2', '2026-11-21 16:00', 'customer'), // 6
      flat('ST-1', '2026-11-21 15:09', 'agent'), // 7 ST-1 again, apart from its lines
      '', // 8 blank: skipped
      '[1,2]', // 9
      flat('ST-3', '2026-02-30 10:00', 'customer'), // 10 no such day
    ].join('\n');
    const r = await run('mixed.jsonl', lines, 1);
    expect(r).toMatchObject({ created: 3, rejectedCount: 5 });
    expect(r.reasons[2]).toContain('malformed JSON');
    expect(r.reasons[3]).toContain('csat');
    expect(r.reasons[7]).toContain('started at line 4');
    expect(r.reasons[9]).toContain('JSON object');
    expect(r.reasons[10]).toMatch(/line 10: messages\.0\.at/);
    const rows = (await stored()).filter((x) => x.channel !== 'tmall');
    expect(rows.map((x) => `${x.external_id}:${x.n}`)).toEqual(['ST-1:2', 'ST-2:1', 'WC-1:2']);
    expect(rows.find((x) => x.external_id === 'ST-1')!.first).toBe('2026-11-21T07:00:00');
  });

  it('refuses a conversation over the message limit without holding it, and goes on with the next', async () => {
    const head = 'channel,external_id,agent,at,role,text';
    const big = Array.from(
      { length: 2001 },
      (_, i) =>
        `jd,BIG-1,ou_agent_2,2026-11-22T02:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:00Z,customer,m${i}`,
    );
    const r = await run('big.csv', [head, ...big, 'jd,SMALL-1,ou_agent_2,2026-11-22T03:00:00Z,customer,hi'].join('\n'));
    expect(r).toMatchObject({ messages: 2002, created: 1, rejectedCount: 1 });
    expect(r.rejected[0]).toMatchObject({ line: 2, lastLine: 2002, externalId: 'BIG-1' });
    expect(r.rejected[0]!.errors[0]).toContain('2001 given');
    expect((await stored()).map((x) => x.external_id)).toContain('SMALL-1');
    expect((await stored()).map((x) => x.external_id)).not.toContain('BIG-1');
  });
});
