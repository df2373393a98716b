import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore, settingsHost } from '../../../src/core/settings.js';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { importConversationsFile } from '../../../src/domains/qa/import/file.js';
import { ingestConversations } from '../../../src/domains/qa/service/ingest.js';
import { declareQaSettings } from '../../../src/domains/qa/settings/index.js';
import { ConversationInput } from '../../../src/domains/qa/values.js';
import { qaApp, type QaTestApp } from './helpers.js';

let t: QaTestApp;
const dir = mkdtempSync(join(tmpdir(), 'qa-import-batch-'));
beforeAll(async () => {
  t = await qaApp();
});
afterAll(async () => {
  await t?.close();
  nock.cleanAll();
  rmSync(dir, { recursive: true, force: true });
});

const deps = () => ({
  database: t.database,
  directory: createDirectory({ db: t.deps.database.db }),
  settings: declareQaSettings(settingsHost(new SettingsStore({ database: t.database, log: t.log }), 'qa')),
  timeZone: 'Asia/Shanghai',
});

const AGENTS = ['ou_agent_1', 'ou_agent_2', '天猫组长'];
const OPEN_IDS: Record<string, string> = { ou_agent_1: 'ou_agent_1', ou_agent_2: 'ou_agent_2', 天猫组长: 'ou_lead_tm' };
const CHANNELS = ['tmall', 'jd', 'douyin'];
const base = Date.parse('2026-11-20T02:00:00Z');

interface Expected {
  channel: string;
  externalId: string;
  agent: string;
  csat: number;
  messages: Array<{ role: string; at: string; text: string }>;
}

/**
 * A CSV of `count` conversations of 3 messages (texts with commas, quotes and new lines), written
 * across several batches; bad lines at known places. Answers the file, what must be stored and the
 * lines that must be refused.
 */
function bigCsv(count: number) {
  const lines = ['channel,external_id,agent,csat,time,role,text'];
  const expected: Expected[] = [];
  const bad = new Map<number, RegExp>();
  // Physical line of the next CSV record (a quoted new line takes two).
  let line = 2;
  const push = (cells: string[], lineCount = 1) => {
    lines.push(cells.join(','));
    const at = line;
    line += lineCount;
    return at;
  };
  for (let c = 0; c < count; c++) {
    const channel = CHANNELS[c % 3]!;
    const externalId = `B-${c}`;
    const agent = AGENTS[c % 3]!;
    const messages = [0, 1, 2].map((m) => ({
      role: m % 2 === 0 ? 'customer' : 'agent',
      at: new Date(base + c * 60_000 + m * 7_000).toISOString(),
      text: m === 1 && c % 10 === 0 ? `第${c}条, 含 "引号"\n和换行` : `消息 ${c}-${m}`,
    }));
    if (c % 500 === 250) {
      // An unknown agent: the whole conversation is refused, reported at its first line.
      const first = push([channel, externalId, '不存在的客服', '3', messages[0]!.at, 'customer', 'x']);
      push([channel, externalId, '', '', messages[1]!.at, 'agent', 'y']);
      bad.set(first, /unknown agent/);
      continue;
    }
    if (c % 500 === 499) {
      // A time no calendar has, on the conversation's second line.
      push([channel, externalId, agent, '3', messages[0]!.at, 'customer', 'x']);
      bad.set(push([channel, externalId, '', '', '2026-13-01 10:00', 'agent', 'y']), /messages\.1\.at/);
      continue;
    }
    if (c % 700 === 350) {
      // A record with a cell too many (the parser skips it), between conversations.
      bad.set(push(['jd', 'BROKEN', 'ou_agent_2', '3', messages[0]!.at, 'customer', 'x', 'extra']), /malformed CSV/);
    }
    messages.forEach((m, i) => {
      const quoted = `"${m.text.replace(/"/g, '""')}"`;
      const cells =
        i === 0
          ? [channel, externalId, agent, String((c % 5) + 1), m.at, m.role, quoted]
          : [channel, externalId, '', '', m.at, m.role, quoted];
      push(cells, m.text.includes('\n') ? 2 : 1);
    });
    expected.push({ channel, externalId, agent: OPEN_IDS[agent]!, csat: (c % 5) + 1, messages });
  }
  return { csv: `${lines.join('\n')}\n`, expected, bad };
}

const storedRows = async () =>
  (
    await t.database.query<{ channel: string; external_id: string; agent_open_id: string; csat: number; n: number }>(
      `select channel, external_id, agent_open_id, csat, message_count as n from qa_conversations
        where source = 'import' order by channel, external_id`,
    )
  ).rows;
const storedMessages = async () =>
  (
    await t.database.query<{ k: string }>(
      `select c.channel || '|' || c.external_id || '|' || m.seq || '|' || m.role || '|' ||
              to_char(m.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '|' || m.text as k
         from qa_messages m join qa_conversations c on c.id = m.conversation_id
        where c.source = 'import' order by 1`,
    )
  ).rows.map((r) => r.k);

describe('import qa-conversations in batches (multi-row inserts)', () => {
  it('stores what a file of thousands of conversations says; bad lines by number; a rerun adds none', async () => {
    const { csv, expected, bad } = bigCsv(3000);
    const file = join(dir, 'big.csv');
    writeFileSync(file, csv);
    const progress: number[] = [];
    const r = await importConversationsFile(deps(), file, { onProgress: (p) => progress.push(p.conversations) });

    expect(r.created).toBe(expected.length);
    expect(r.existing).toBe(0);
    expect(r.rejectedCount).toBe(bad.size);
    expect(progress.length).toBeGreaterThan(2); // more than one batch
    const reasons = new Map(r.rejected.map((x) => [x.line, x.errors.join(' | ')]));
    expect([...reasons.keys()].sort((a, b) => a - b)).toEqual([...bad.keys()].sort((a, b) => a - b));
    for (const [line, why] of bad) expect(reasons.get(line), `line ${line}`).toMatch(why);

    const key = (e: { channel: string; externalId: string }) => `${e.channel}|${e.externalId}`;
    const sorted = [...expected].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    expect(await storedRows()).toEqual(
      sorted.map((e) => ({
        channel: e.channel,
        external_id: e.externalId,
        agent_open_id: e.agent,
        csat: e.csat,
        n: 3,
      })),
    );
    const want = expected
      .flatMap((e) => e.messages.map((m, i) => `${key(e)}|${i + 1}|${m.role}|${m.at}|${m.text}`))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const got = await storedMessages();
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);

    const maxId = async () =>
      (
        await t.database.query<{ c: string; m: string }>(
          `select max(id)::text as m, count(*)::text as c from qa_messages`,
        )
      ).rows[0];
    const before = await maxId();
    const again = await importConversationsFile(deps(), file);
    expect(again).toMatchObject({ created: 0, existing: expected.length, rejectedCount: bad.size });
    expect(await maxId()).toEqual(before);
    expect(await storedMessages()).toEqual(want);
  });

  it('a key twice in a batch is stored once; a conversation the database refuses is reported', async () => {
    const conv = (externalId: string, text = '你好') =>
      ConversationInput.parse({
        channel: 'wecom',
        externalId,
        agent: 'ou_agent_1',
        messages: [{ role: 'customer', at: '2026-11-21T02:00:00Z', text }],
      });
    const results = await ingestConversations(
      deps(),
      // A NUL is refused by PostgreSQL text (the API and the import check for it first; this is the last guard).
      [conv('DUP-1'), conv('DUP-1', '又来'), conv('NUL-1', 'a\u0000b'), conv('OK-2')],
      'api',
    );
    expect(results.map((r) => r.status)).toEqual(['created', 'existing', 'rejected', 'created']);
    expect(results[1]!.conversationId).toBe(results[0]!.conversationId);
    expect(results[2]!.error?.message).toContain('database refused');
    const { rows } = await t.database.query<{ external_id: string; texts: string }>(
      `select c.external_id, string_agg(m.text, '/') as texts from qa_conversations c
         join qa_messages m on m.conversation_id = c.id where c.channel = 'wecom' group by 1 order by 1`,
    );
    expect(rows).toEqual([
      { external_id: 'DUP-1', texts: '你好' },
      { external_id: 'OK-2', texts: '你好' },
    ]);
  });
});
