import nock from 'nock';
import { expect } from 'vitest';
import { FEISHU_URL, type TestApp } from './app.js';

let codes = 0;

/**
 * Signs `openId` in to the dashboard through the workbench login (code exchange and user_info
 * answered by nock) and returns the session cookie. The person must be active in the directory.
 */
export async function signInAs(t: TestApp, openId: string): Promise<string> {
  const code = `login-code-${++codes}-${openId}`;
  nock(FEISHU_URL)
    .post('/open-apis/auth/v3/tenant_access_token/internal')
    .optionally()
    .reply(200, { code: 0, msg: 'ok', tenant_access_token: 't-test-tenant-token', expire: 7200 });
  nock(FEISHU_URL)
    .post('/open-apis/authen/v2/oauth/token', (b: { code?: string }) => b.code === code)
    .reply(200, { code: 0, access_token: `u-${code}`, token_type: 'Bearer', expires_in: 7200 });
  nock(FEISHU_URL)
    .get('/open-apis/authen/v1/user_info')
    .reply(200, { code: 0, msg: 'ok', data: { open_id: openId, name: 'Tester' } });
  const res = await t.app.inject({ method: 'POST', url: '/api/dashboard/session', payload: { code } });
  expect(res.statusCode, res.body).toBe(200);
  return String(res.headers['set-cookie']).split(';')[0]!;
}

/** GET a dashboard endpoint with a session cookie (or none). */
export function dashboardGet(t: TestApp, url: string, cookie: string | null) {
  return t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
}
