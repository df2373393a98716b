import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { defineModule } from '../../src/core/module.js';
import { SettingsStore, settingsHost } from '../../src/core/settings.js';
import type { AppModule } from '../../src/deps.js';
import { buildContractService } from '../../src/domains/contracts/index.js';
import { declareContractSettings } from '../../src/domains/contracts/settings/index.js';

const RiskBody = z.object({ names: z.array(z.string().min(1)).min(1).max(10_000) });

/**
 * The contracts risk check as the contracts module wires it (src/domains/contracts/index.ts: the same settings, the
 * same registrationChecker with its memory and Postgres cache, the same service), reachable by the bench at
 * POST /bench/contracts/risk: each name is checked in turn through `riskOf` (counterparty by name, registration,
 * signing history, the stored level), and the time of each call is answered. Its settings store listens for changes
 * as the app's does, so a cached read costs no settings query. No Bitable writer: riskOf writes none.
 */
export function contractsProbeModule(): AppModule {
  return defineModule({
    name: 'bench-contracts',
    setup(bot, deps) {
      const store = new SettingsStore({ database: deps.database, log: deps.log });
      const settings = declareContractSettings(settingsHost(store, 'contracts'));
      const contracts = buildContractService(deps, settings);
      bot.routes('/bench/contracts', async (app) => {
        await store.start();
        app.addHook('onClose', async () => store.close());
        app.post('/risk', async (req) => {
          const { names } = RiskBody.parse(req.body);
          const out: Array<{ ms: number; level: string | null; status: string | null; problem: string | null }> = [];
          for (const name of names) {
            const t0 = performance.now();
            const r = await contracts.riskOf(name, deps.clock.now());
            out.push({
              ms: Math.round((performance.now() - t0) * 100) / 100,
              level: r?.level ?? null,
              status: r?.registration.status ?? null,
              problem: r?.registration.problem ?? null,
            });
          }
          return out;
        });
        // The machine's floor for the same pool: a bare `select 1` round trip, timed the same way.
        app.post('/floor', async () => {
          const out: number[] = [];
          for (let i = 0; i < 500; i++) {
            const t0 = performance.now();
            await deps.database.query('select 1');
            out.push(Math.round((performance.now() - t0) * 100) / 100);
          }
          return out;
        });
      });
    },
  });
}
