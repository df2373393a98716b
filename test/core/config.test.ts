import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('runs with no configuration at all: offline sandbox, embedded database', () => {
    const c = loadConfig({});
    expect(c.feishu).toBeNull();
    expect(c.database.url).toBeUndefined();
    expect(c.server).toEqual({ port: 3000, host: '0.0.0.0' });
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
    [{ NODE_ENV: 'production', LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's', LARK_VERIFICATION_TOKEN: 't' }, /^LARK_ENCRYPT_KEY: required in production/],
    [{ LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's' }, /^LARK_VERIFICATION_TOKEN: required/],
  ])('stops on %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('accepts a Lark deployment in websocket mode without an encrypt key in production', () => {
    const c = loadConfig({ NODE_ENV: 'production', LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's', LARK_EVENT_MODE: 'websocket', LARK_BASE_URL: 'https://open.larksuite.com/' });
    expect(c.feishu).toMatchObject({ baseUrl: 'https://open.larksuite.com', eventMode: 'websocket' });
  });

  it('splits API tokens and ignores blanks', () => {
    expect(loadConfig({ API_TOKENS: ' a, b ,,c ' }).apiTokens).toEqual(['a', 'b', 'c']);
  });
});
