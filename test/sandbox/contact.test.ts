import { afterEach, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { startTestSandbox, type TestSandbox } from './helpers.js';

describe('sandbox contact and chat lookups', () => {
  let t: TestSandbox;
  afterEach(async () => t?.close());

  it('gets a user by open_id / user_id and maps emails and mobiles to ids', async () => {
    t = await startTestSandbox();
    const lina = t.sandbox.state.users().find((u) => u.open_id === demoOpenId('lina'))!;
    const byOpen = await t.call('GET', `/open-apis/contact/v3/users/${lina.open_id}`);
    expect(byOpen.body).toMatchObject({
      code: 0,
      data: {
        user: {
          open_id: lina.open_id,
          user_id: lina.user_id,
          union_id: lina.union_id,
          name: '李娜',
          department_ids: ['d_cs_jd'],
        },
      },
    });
    const byUserId = await t.call('GET', `/open-apis/contact/v3/users/${lina.user_id}?user_id_type=user_id`);
    expect(byUserId.body.data!.user).toMatchObject({ open_id: lina.open_id });
    expect((await t.call('GET', '/open-apis/contact/v3/users/ou_nobody')).body.code).toBe(41050);
    const ids = await t.call('POST', '/open-apis/contact/v3/users/batch_get_id?user_id_type=open_id', {
      body: { emails: [lina.email, 'nobody@x.cn'], mobiles: [lina.mobile] },
    });
    expect(ids.body.data!.user_list).toMatchObject([
      { email: lina.email, user_id: lina.open_id },
      { email: 'nobody@x.cn' },
      { mobile: lina.mobile, user_id: lina.open_id },
    ]);
    expect((ids.body.data!.user_list as Array<Record<string, unknown>>)[1]!.user_id).toBeUndefined();
  });

  it('lists departments, their members, group chats and chat members', async () => {
    t = await startTestSandbox();
    const roots = await t.call('GET', '/open-apis/contact/v3/departments/0/children?page_size=50');
    expect((roots.body.data!.items as Array<{ name: string }>).map((d) => d.name)).toContain('客服中心');
    const all = await t.call('GET', '/open-apis/contact/v3/departments/0/children?page_size=50&fetch_child=true');
    expect((all.body.data!.items as unknown[]).length).toBe(13);
    const members = await t.call('GET', '/open-apis/contact/v3/users/find_by_department?department_id=d_qa');
    expect((members.body.data!.items as Array<{ name: string }>).map((u) => u.name)).toEqual([
      '郑雪',
      '徐静',
      '梁晨',
      '宋佳',
    ]);
    const chats = await t.call('GET', '/open-apis/im/v1/chats?page_size=5');
    expect(chats.body.data).toMatchObject({ has_more: true, page_token: expect.any(String) });
    const next = await t.call(
      'GET',
      `/open-apis/im/v1/chats?page_size=50&page_token=${chats.body.data!.page_token as string}`,
    );
    expect((chats.body.data!.items as unknown[]).length + (next.body.data!.items as unknown[]).length).toBe(11);
    const qa = t.sandbox.state.chats().find((c) => c.name === '质检组')!;
    const m = await t.call('GET', `/open-apis/im/v1/chats/${qa.chat_id}/members`);
    expect(m.body.data).toMatchObject({ member_total: qa.members.length });
    expect((m.body.data!.items as Array<{ member_id_type: string }>)[0]).toMatchObject({ member_id_type: 'open_id' });
  });
});
