import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { secretIn, watchSecrets } from '../helpers/secrets.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/helpers.js';

// The log check of every test file (test/setup.ts) must find the secrets tests really use.
describe('the log check for secrets', () => {
  let sandbox: TestSandbox;
  let t: TestApp;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await buildTestApp({
      env: { API_TOKENS: 'tok-log-check-123', SESSION_SECRET: 'session-secret-for-log-check' },
    });
  });
  afterAll(async () => {
    await t.close();
    await sandbox.close();
  });

  it("finds the sandbox's random credentials and a tenant token it issued", async () => {
    const { appSecret, encryptKey, verificationToken } = sandbox.sandbox.credentials;
    for (const v of [appSecret, encryptKey, verificationToken])
      expect(secretIn(`{"msg":"x","detail":"${v}"}`)).not.toBeNull();
    const res = await sandbox.call('GET', '/open-apis/contact/v3/users/ou_nobody');
    expect(res.status).toBeGreaterThan(0);
    const token = await sandbox.token();
    expect(secretIn(`{"msg":"calling feishu","token":"${token}"}`)).toBe('a tenant access token');
  });

  it("finds an app's API token and session secret, a signed session cookie, a bearer header", () => {
    expect(secretIn('{"auth":"tok-log-check-123"}')).not.toBeNull();
    expect(secretIn('{"k":"session-secret-for-log-check"}')).not.toBeNull();
    expect(secretIn('{"cookie":"fo_session=Zm9vYmFyYmF6cXV4.c2lnbmF0dXJlc2lnbmF0dXJl"}')).toBe('a session cookie');
    expect(secretIn('{"authorization":"Bearer abcdefgh12345678"}')).toBe('a bearer token');
    expect(secretIn('{"app_secret":"s3cr3t-value"}')).toBe('an app secret');
    watchSecrets('added-later-by-a-test');
    expect(secretIn('… added-later-by-a-test …')).not.toBeNull();
  });

  it('leaves redacted values and ordinary lines alone', () => {
    expect(secretIn('{"app_secret":"[redacted]","msg":"token refreshed"}')).toBeNull();
    expect(secretIn('{"authorization":"[redacted]","url":"/open-apis/im/v1/messages?[redacted]"}')).toBeNull();
    expect(secretIn('{"msg":"case EX000123 assigned to ou_4f0c","level":30}')).toBeNull();
  });

  it('an app at LOG_LEVEL=warn still logs at debug into the capture the check reads', async () => {
    const quiet = await buildTestApp({ env: { LOG_LEVEL: 'warn' } });
    try {
      quiet.log.debug('debug line for the check');
      expect(quiet.logs.messages()).toContain('debug line for the check');
    } finally {
      await quiet.close();
    }
  });
});
