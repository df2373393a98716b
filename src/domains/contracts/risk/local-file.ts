import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { REGISTRATION_STATUSES, type Registration } from '../logic/risk.js';
import type { RiskProvider } from './provider.js';

const Entry = z.object({
  name: z.string(),
  creditCode: z.string().optional(),
  status: z.enum(REGISTRATION_STATUSES).default('unknown'),
  registeredCapitalYuan: z.number().nonnegative().optional(),
  legalRepresentative: z.string().max(100).optional(),
  abnormalOperation: z.boolean().optional(),
  judicialCases: z.number().int().nonnegative().optional(),
});
const FileShape = z.object({ companies: z.array(Entry) });

/**
 * Registration data from a JSON file (`{ "companies": [{ "name", "creditCode", "status", … }] }`),
 * e.g. an export from a registry service, read again when the file changes.
 */
export function localFileProvider(path: string): RiskProvider {
  let loaded: { mtime: string; companies: z.infer<typeof Entry>[] } | undefined;
  async function companies(): Promise<z.infer<typeof Entry>[]> {
    const { stat } = await import('node:fs/promises');
    const mtime = (await stat(path)).mtime.toISOString();
    if (loaded?.mtime !== mtime)
      loaded = { mtime, companies: FileShape.parse(JSON.parse(await readFile(path, 'utf8'))).companies };
    return loaded.companies;
  }
  return {
    name: 'file',
    async lookup(query): Promise<Registration> {
      const all = await companies();
      const hit = all.find((c) => (query.creditCode && c.creditCode === query.creditCode) || c.name === query.name);
      if (!hit)
        return {
          status: 'unknown',
          registeredCapitalFen: null,
          legalRepresentative: null,
          abnormalOperation: null,
          judicialCases: null,
          problem: '未收录 not in the file',
          source: 'file',
        };
      return {
        status: hit.status,
        registeredCapitalFen:
          hit.registeredCapitalYuan === undefined ? null : Math.round(hit.registeredCapitalYuan * 100),
        legalRepresentative: hit.legalRepresentative ?? null,
        abnormalOperation: hit.abnormalOperation ?? null,
        judicialCases: hit.judicialCases ?? null,
        source: 'file',
      };
    },
  };
}
