import type { RiskPolicy } from '../logic/risk.js';
import { httpProvider } from './http.js';
import { localFileProvider } from './local-file.js';
import { noProvider, type RiskProvider } from './provider.js';

export { registrationChecker } from './check.js';
export type { RiskProvider, RiskQuery } from './provider.js';

/** The provider the `contracts.risk` setting names; the HTTP key comes from the environment variable it names. */
export function providerOf(policy: RiskPolicy, env: Readonly<Record<string, string | undefined>>): RiskProvider {
  const p = policy.provider;
  if (p.type === 'file') return localFileProvider(p.path);
  if (p.type === 'http') return httpProvider(p.http, env[p.http.apiKeyEnv]);
  return noProvider;
}
