import { afterEach, describe, expect, it } from 'vitest';
import { sample, sameShape, startTestSandbox, type TestSandbox } from './helpers.js';

describe('sandbox tenant_access_token', () => {
  let t: TestSandbox;
  afterEach(async () => t?.close());

  it('answers the documented token body: code 0, msg ok, t- token, expire in seconds', async () => {
    t = await startTestSandbox();
    const res = await t.call('POST', '/open-apis/auth/v3/tenant_access_token/internal', {
      token: null,
      body: { app_id: t.sandbox.credentials.appId, app_secret: t.sandbox.credentials.appSecret },
    });
    const expected = sample('auth.tenant_access_token.internal.response.json');
    expect(res.status).toBe(200);
    expect(sameShape(res.body, expected)).toEqual([]);
    expect(res.body).toMatchObject({ code: 0, msg: 'ok', expire: 7200 });
    expect(res.body.tenant_access_token).toMatch(/^t-[0-9a-f]{40}$/);
    expect(t.sandbox.credentials.appId).toMatch(/^cli_[0-9a-f]{16}$/);
  });

  it('returns the same token while plenty of life remains, a new one in the last quarter', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    t = await startTestSandbox({ now: () => new Date(clock), tokenTtlSeconds: 400 });
    const first = await t.token();
    clock += 200_000;
    expect(await t.token()).toBe(first);
    clock += 150_000;
    const second = await t.token();
    expect(second).not.toBe(first);
    // the old token stays valid until it expires
    expect((await t.call('GET', '/open-apis/im/v1/chats', { token: first })).body.code).toBe(0);
    clock += 60_000;
    expect((await t.call('GET', '/open-apis/im/v1/chats', { token: first })).body.code).toBe(99991663);
    expect((await t.call('GET', '/open-apis/im/v1/chats', { token: second })).body.code).toBe(0);
  });

  it('rejects a wrong secret with 10014', async () => {
    t = await startTestSandbox();
    const res = await t.call('POST', '/open-apis/auth/v3/tenant_access_token/internal', {
      token: null,
      body: { app_id: t.sandbox.credentials.appId, app_secret: 'nope' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 10014 });
  });

  it('answers 99991661 without a token and 99991663 for an unknown or expired one (HTTP 400)', async () => {
    t = await startTestSandbox();
    const missing = await t.call('GET', '/open-apis/im/v1/chats', { token: null });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject(sample<{ body: object }>('error.missing_token.DERIVED.json').body);
    const invalid = await t.call('GET', '/open-apis/im/v1/chats', { token: 't-0000' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject(sample<{ body: object }>('error.invalid_tenant_token.DERIVED.json').body);
    const token = await t.token();
    t.sandbox.faults.expireTokens();
    expect((await t.call('GET', '/open-apis/im/v1/chats', { token })).body.code).toBe(99991663);
    const fresh = await t.token();
    expect(fresh).not.toBe(token);
    expect((await t.call('GET', '/open-apis/im/v1/chats', { token: fresh })).body.code).toBe(0);
  });
});
