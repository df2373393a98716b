import type { SandboxHandle } from '../../../src/sandbox/index.js';

/** Log lines that carry the app secret, encrypt key, verification token or any issued access token. */
export function linesWithSecrets(sandbox: SandboxHandle, lines: string[]): string[] {
  const c = sandbox.credentials;
  const secrets = [c.appSecret, c.encryptKey, c.verificationToken, ...Object.keys(sandbox.state.raw().tokens)].filter(
    (s) => s && s.length >= 8,
  );
  return lines.filter((line) => secrets.some((s) => line.includes(s))).map((l) => l.slice(0, 200));
}
