import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startSandbox, type SandboxHandle, type SandboxOptions } from '../../src/sandbox/index.js';
import { watchCredentials } from '../helpers/secrets.js';

export interface ApiResult {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { code: number; msg: string; data?: Record<string, unknown> };
}

export interface TestSandbox {
  sandbox: SandboxHandle;
  dataDir: string;
  token(): Promise<string>;
  call(method: string, path: string, options?: { body?: unknown; token?: string | null }): Promise<ApiResult>;
  close(): Promise<void>;
}

export async function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'feishu-sandbox-'));
}

/** A sandbox on a random port in a fresh DATA_DIR, plus a tiny raw HTTP client for contract checks. */
export async function startTestSandbox(options: Partial<SandboxOptions> = {}, dataDir?: string): Promise<TestSandbox> {
  const dir = dataDir ?? (await tempDataDir());
  const sandbox = await startSandbox({ dataDir: dir, port: 0, saveDebounceMs: 20, ...options });
  watchCredentials(sandbox.credentials);
  let cached: string | undefined;
  const token = async () => {
    const res = await fetch(`${sandbox.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: sandbox.credentials.appId, app_secret: sandbox.credentials.appSecret }),
    });
    cached = ((await res.json()) as { tenant_access_token: string }).tenant_access_token;
    return cached;
  };
  const call: TestSandbox['call'] = async (method, path, opts = {}) => {
    const auth = opts.token === null ? undefined : (opts.token ?? cached ?? (await token()));
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as ApiResult['body'] };
  };
  return {
    sandbox,
    dataDir: dir,
    token,
    call,
    async close() {
      await sandbox.close();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An official example payload from /work/shared/feishu-samples (copied into test/sandbox/samples when absent). */
export function sample<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./samples/${name}`, import.meta.url), 'utf8')) as T;
}

/** Every key of `expected` exists in `actual` with a value of the same JSON type, recursively (arrays: first item). */
export function sameShape(actual: unknown, expected: unknown, path = '$'): string[] {
  const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (kind(actual) !== kind(expected)) return [`${path}: expected ${kind(expected)}, got ${kind(actual)}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return expected.length > 0 && actual.length > 0 ? sameShape(actual[0], expected[0], `${path}[0]`) : [];
  }
  if (kind(expected) !== 'object') return [];
  const a = actual as Record<string, unknown>;
  return Object.entries(expected as Record<string, unknown>).flatMap(([k, v]) =>
    k in a ? sameShape(a[k], v, `${path}.${k}`) : [`${path}.${k}: missing`],
  );
}
