import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, demoOpenId, seedSandbox } from '../../src/sandbox/index.js';
import { startTestSandbox, tempDataDir } from './helpers.js';

describe('sandbox state', () => {
  it('seeds the demo tenant on first start: departments, ~40 people with roles, team groups, p2p chats', async () => {
    const t = await startTestSandbox();
    try {
      const users = t.sandbox.state.users();
      expect(users.length).toBeGreaterThanOrEqual(38);
      const roles = new Set(users.map((u) => u.role));
      for (const role of [
        'cs_agent',
        'cs_team_lead',
        'qa_inspector',
        'qa_lead',
        'warehouse',
        'refund_dispute',
        'legal',
        'finance',
        'community_operator',
        'manager',
      ]) {
        expect(roles, role).toContain(role);
      }
      expect(new Set(users.filter((u) => u.role === 'cs_agent').map((u) => u.channel))).toEqual(
        new Set(['tmall', 'jd', 'douyin', 'store', 'private']),
      );
      for (const u of users) {
        expect(u.open_id).toMatch(/^ou_[0-9a-f]{32}$/);
        expect(u.union_id).toMatch(/^on_/);
        expect(u.name).toMatch(/^[\u4e00-\u9fa5]{2,3}$/);
      }
      const groups = t.sandbox.state.chats().filter((c) => c.chat_type === 'group');
      expect(groups.map((g) => g.name)).toEqual(
        expect.arrayContaining(['质检组', '仓库发货群', '售后纠纷处理群', '法务合同审批群', '财务群', '社群运营群']),
      );
      expect(users.every((u) => t.sandbox.state.p2pChatOf(u.open_id))).toBe(true);
      expect(demoOpenId(DEMO_PEOPLE[0]!.key)).toBe(users[0]!.open_id);
    } finally {
      await t.close();
    }
  });

  it('keeps credentials, messages, bases, subscriptions and dedup keys across restarts', async () => {
    const dir = await tempDataDir();
    try {
      const first = await startTestSandbox({}, dir);
      await first.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
        body: { receive_id: demoOpenId('lina'), msg_type: 'text', content: '{"text":"hi"}', uuid: 'keep-1' },
      });
      const app = await first.call('POST', '/open-apis/bitable/v1/apps', { body: { name: '持久化' } });
      const appToken = (app.body.data!.app as { app_token: string }).app_token;
      await first.call('POST', `/open-apis/drive/v1/files/${appToken}/subscribe?file_type=bitable`);
      const token = await first.token();
      const credentials = first.sandbox.credentials;
      await first.close();
      const file = JSON.parse(await readFile(join(dir, 'sandbox', 'state.json'), 'utf8')) as { version: number };
      expect(file.version).toBe(1);

      const second = await startTestSandbox({}, dir);
      expect(second.sandbox.credentials).toEqual(credentials);
      expect(second.sandbox.state.botMessages()).toHaveLength(1);
      expect(second.sandbox.state.subscriptions()).toEqual([appToken]);
      // the token issued before the restart still works, and the uuid still dedupes
      const again = await second.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
        token,
        body: { receive_id: demoOpenId('lina'), msg_type: 'text', content: '{"text":"hi"}', uuid: 'keep-1' },
      });
      expect(again.body.code).toBe(0);
      expect(second.sandbox.state.botMessages()).toHaveLength(1);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('seedSandbox creates the tenant once and reports whether it did', async () => {
    const dir = await tempDataDir();
    try {
      const first = await seedSandbox(dir);
      const second = await seedSandbox(dir);
      expect(first.created).toBe(true);
      expect(second).toEqual({ created: false, credentials: first.credentials });
      expect((await seedSandbox(dir, { force: true })).credentials.appId).not.toBe(first.credentials.appId);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
