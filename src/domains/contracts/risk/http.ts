import type { HttpProviderConfig, Registration, RegistrationStatus } from '../logic/risk.js';
import { boolFrom, numberFrom, pick, textFrom, type RiskProvider } from './provider.js';

/**
 * A registry data service over HTTP (the common Chinese 企业信息 APIs answer a GET with the company
 * name or credit code and a key header): where each value sits in the answer is configured by
 * dotted paths, and the service's status words are mapped to ours. An answer without a readable
 * status is refused (the caller shows "unknown").
 */
export function httpProvider(config: HttpProviderConfig, apiKey: string | undefined): RiskProvider {
  return {
    name: 'http',
    async lookup(query, signal): Promise<Registration> {
      if (!apiKey) throw new Error(`${config.apiKeyEnv} is not set`);
      const url = new URL(config.url);
      url.searchParams.set(config.queryParam, query.creditCode ?? query.name);
      const res = await fetch(url, { headers: { [config.keyHeader]: apiKey, accept: 'application/json' }, signal });
      if (!res.ok) throw new Error(`http ${res.status}`);
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        throw new Error('unreadable answer');
      }
      const rawStatus = textFrom(pick(body, config.mapping.status), 40);
      const status: RegistrationStatus | undefined = rawStatus ? config.statusMap[rawStatus] : undefined;
      if (!status)
        throw new Error(rawStatus ? `unknown status "${rawStatus.slice(0, 20)}"` : 'no status in the answer');
      const capital = numberFrom(pick(body, config.mapping.registeredCapital));
      const cases = numberFrom(pick(body, config.mapping.judicialCases));
      return {
        status,
        registeredCapitalFen: capital === null || capital < 0 ? null : Math.round(capital * 100),
        legalRepresentative: textFrom(pick(body, config.mapping.legalRepresentative)),
        abnormalOperation: boolFrom(pick(body, config.mapping.abnormal)),
        judicialCases: cases === null || cases < 0 ? null : Math.floor(cases),
        source: 'http',
      };
    },
  };
}
