import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('runs with no configuration at all: offline sandbox, embedded database', () => {
    const c = loadConfig({});
    expect(c.feishu).toBeNull();
    expect(c.database.url).toBeUndefined();
    expect(c.server).toEqual({ port: 3000, host: '127.0.0.1' });
    expect(c.timeZone).toBe('Asia/Shanghai');
    expect(c.intake.maxAgeSeconds).toBe(8 * 3600);
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ TZ_BUSINESS: 'Mars/Olympus' }, /^TZ_BUSINESS: is not an IANA time zone/],
    [{ DATABASE_URL: 'mysql://db' }, /^DATABASE_URL: must start with postgres/],
    [{ LARK_BASE_URL: 'open.feishu.cn' }, /^LARK_BASE_URL: /],
    [{ LARK_EVENT_MODE: 'poll' }, /^LARK_EVENT_MODE: /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ LARK_APP_ID: 'cli_x' }, /^LARK_APP_SECRET: required/],
    [{ LARK_APP_SECRET: 's' }, /^LARK_APP_ID: required/],
    [{ SESSION_SECRET: 'short' }, /^SESSION_SECRET: must be at least 16/],
    [
      { NODE_ENV: 'production', LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's', LARK_VERIFICATION_TOKEN: 't' },
      /^LARK_ENCRYPT_KEY: required in production/,
    ],
    [{ LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's' }, /^LARK_VERIFICATION_TOKEN: required/],
    // The SDK's WSClient never connects with another shape (it logs one line and gives up).
    [
      { LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's', LARK_EVENT_MODE: 'websocket' },
      /^LARK_APP_ID: must be cli_ followed by 16 hex digits/,
    ],
    [
      { LARK_APP_ID: 'cli_a1b2c3d4e5f6071', LARK_APP_SECRET: 's', LARK_EVENT_MODE: 'websocket' },
      /^LARK_APP_ID: must be cli_/,
    ],
    [{ TRUST_PROXY: 'true' }, /^TRUST_PROXY: must list IP addresses/],
    [{ TRUST_PROXY: '10.0.0.0/8, 10.0.0.1/33' }, /^TRUST_PROXY: must list IP addresses/],
    [{ SESSION_COOKIE_SAMESITE: 'none' }, /^SESSION_COOKIE_SAMESITE: none needs SESSION_COOKIE_SECURE=true/],
    [{ SESSION_COOKIE_SECURE: 'yes' }, /^SESSION_COOKIE_SECURE: /],
    [{ API_DOCS: 'public' }, /^API_DOCS: /],
  ])('stops on %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('accepts a Lark deployment in websocket mode without an encrypt key in production', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      LARK_APP_ID: 'cli_a1b2c3d4e5f60718',
      LARK_APP_SECRET: 's',
      LARK_EVENT_MODE: 'websocket',
      LARK_BASE_URL: 'https://open.larksuite.com/',
    });
    expect(c.feishu).toMatchObject({ baseUrl: 'https://open.larksuite.com', eventMode: 'websocket' });
  });

  it('trusts no proxy, serves /docs and sends a Lax cookie outside production by default', () => {
    const c = loadConfig({});
    expect(c.trustProxy).toEqual([]);
    expect(c.apiDocs).toBe(true);
    expect(c.sessionCookie).toEqual({ secure: false, sameSite: 'lax' });
  });

  it('hides /docs and sends a Secure; SameSite=None cookie in production by default', () => {
    const production = {
      NODE_ENV: 'production',
      LARK_APP_ID: 'cli_x',
      LARK_APP_SECRET: 's',
      LARK_ENCRYPT_KEY: 'k',
      SESSION_SECRET: 'a-production-secret-0123',
    };
    const c = loadConfig({ ...production, SESSION_COOKIE_SECURE: '', API_DOCS: '' });
    expect(c.apiDocs).toBe(false);
    expect(c.sessionCookie).toEqual({ secure: true, sameSite: 'none' });
    expect(loadConfig({ ...production, API_DOCS: 'on' }).apiDocs).toBe(true);
  });

  it('takes the trusted proxies as addresses, ranges and named ranges', () => {
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback' }).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('splits API tokens and ignores blanks', () => {
    expect(loadConfig({ API_TOKENS: ' a, b ,,c ' }).apiTokens).toEqual(['a', 'b', 'c']);
  });
});
