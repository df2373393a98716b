import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';

// The console's 邀请入群 / 有人退群 buttons on a group: the member changes and Feishu's member event is pushed
// (the bot's side of those events is community-chat.test.ts).
describe('the console’s join and leave buttons on a group', () => {
  let sandbox: SandboxHandle;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fo-console-members-'));
    sandbox = await startSandbox({ dataDir, port: 0 });
  });
  afterAll(async () => {
    await sandbox?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const press = (chatId: string, user: string, change: string) =>
    fetch(`${sandbox.url}/sandbox/api/chats/${chatId}/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, change }),
    });
  const deliveries = async () =>
    (await (await fetch(`${sandbox.url}/sandbox/api/deliveries`)).json()) as Array<{ event_type: string }>;

  it('invites someone not in the group, then the newest other member leaves: one event each', async () => {
    const group = sandbox.state.chats().find((c) => c.chat_type === 'group')!;
    const acting = group.members[0]!;
    const before = group.members.length;
    const joined = await press(group.chat_id, acting, 'added');
    expect(joined.status).toBe(200);
    const j = (await joined.json()) as { user: string; chat: { member_count: number } };
    expect(group.members).not.toContain(undefined);
    expect(j.chat.member_count).toBe(before + 2); // the bot counts too
    const left = (await (await press(group.chat_id, acting, 'deleted')).json()) as { user: string };
    expect(left.user).toBe(j.user);
    const types = (await deliveries()).map((d) => d.event_type);
    expect(types).toContain('im.chat.member.user.added_v1');
    expect(types).toContain('im.chat.member.user.deleted_v1');
    expect((await press(group.chat_id, acting, 'moved')).status).toBe(400);
    expect((await press('oc_nope', acting, 'added')).status).toBe(404);
  });
});
