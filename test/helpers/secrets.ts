import type { Config } from '../../src/config.js';

/**
 * Every secret a test actually uses, so the log check (test/setup.ts) looks for the real values,
 * not only the fixed ones in baseEnv: the sandbox's random app secret, encrypt key and
 * verification token, API tokens, the session secret. Values shorter than 6 characters would
 * match ordinary words and are left to the patterns below.
 */
const watched = new Set<string>(['t-test-tenant-token', 't-old', 't-new']);

export function watchSecrets(...values: Array<string | undefined | null>): void {
  for (const v of values) if (v && v.length >= 6) watched.add(v);
}

/** The credentials and tokens a loaded config carries. */
export function watchConfig(config: Config): void {
  watchSecrets(
    config.feishu?.appSecret,
    config.feishu?.encryptKey,
    config.feishu?.verificationToken,
    config.sessionSecret,
    config.llm?.apiKey.reveal(),
    ...config.apiTokens,
  );
}

export function watchCredentials(
  c: { appSecret: string; encryptKey: string; verificationToken: string } | undefined,
): void {
  if (c) watchSecrets(c.appSecret, c.encryptKey, c.verificationToken);
}

/**
 * Shapes of secrets made at run time that no test holds: tenant access tokens the sandbox
 * issues (`t-` + 40 hex), a signed dashboard session cookie (`fo_session=<id>.<mac>`), a bearer
 * header with its token, an app secret field with its value.
 */
const PATTERNS: ReadonlyArray<[string, RegExp]> = [
  ['a tenant access token', /\bt-[0-9a-f]{40}\b/],
  ['a session cookie', /fo_session=[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
  ['a bearer token', /Bearer [A-Za-z0-9._~+/-]{8,}/],
  ['an app secret', /"app_?[sS]ecret"\s*:\s*"(?!\[redacted\])[^"]{6,}"/],
];

/** What in `line` is a secret, named (never the secret itself), or null. */
export function secretIn(line: string): string | null {
  for (const v of watched) if (line.includes(v)) return `a watched secret (${v.slice(0, 3)}…)`;
  for (const [name, pattern] of PATTERNS) if (pattern.test(line)) return name;
  return null;
}
