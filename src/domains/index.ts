import type { AppModule } from '../deps.js';
import { createBitableMirror, mirrorModule, type MirrorModuleOptions } from '../mirror/index.js';
import { directoryModule } from './directory/index.js';
import type { BitableMirror } from '../mirror/index.js';
import type { Database } from '../db/client.js';
import type { Feishu } from '../feishu/index.js';
import { declareMetricsForSync, declareSummaryForSync, rollupsForSync } from './community/metrics-sync.js';
import { caseRows, claimTableSpec, exceptionsModule } from './exceptions/index.js';
import { declareExceptionSettings } from './exceptions/settings/index.js';
import { declareQaTables, qaModule } from './qa/index.js';
import { declareQaSettings } from './qa/settings/index.js';
import { contractRows, contractsModule, declareContractGrids } from './contracts/index.js';
import { declareContractSettings } from './contracts/settings/index.js';
import { settingsHost, type SettingsStore } from '../core/settings.js';
import { COMMUNITY_TABLE, communityModule, communityTableSpec, declareCommunitySettings } from './community/index.js';

/**
 * Every business workflow, in the order their commands appear in the help card — fresh per app,
 * so two apps in one process never share state. The Bitable mirror comes first (it attaches
 * before anyone writes); a module that reacts to people's edits takes it explicitly, e.g.
 * `exceptionsModule({ mirror })`, and calls `mirror.onChange(tableKey, …)` in its setup.
 */
export function createDomains(options: MirrorModuleOptions = {}): AppModule[] {
  const mirror = createBitableMirror();
  // The directory module reads the shared tables (people, teams, calendar, rules) the workflows route by.
  return [
    mirrorModule(mirror, options),
    directoryModule({ mirror }),
    exceptionsModule({ bitable: mirror }),
    communityModule({ bitable: mirror }),
    qaModule({ bitable: mirror }),
    contractsModule({ bitable: mirror }),
  ];
}

/**
 * Every workflow's tables, rows only, for `feishu-ops sync` (which repairs bot-owned columns); returns the
 * passes that write rows a workflow holds after the reconcile (the community rollups, 每日指标's window, 社群汇总's
 * weeks and months, 付款 rows of payments that have none yet).
 */
export function declareTablesForSync(
  mirror: BitableMirror,
  database: Database,
  timeZone = 'Asia/Shanghai',
  feishu?: Feishu,
): Array<() => Promise<string>> {
  const db = database.db;
  mirror.table('exceptions', caseRows(db));
  mirror.table('recovery_claims', claimTableSpec(db, { withEdits: false }));
  declareQaTables(mirror, db);
  mirror.table(COMMUNITY_TABLE, communityTableSpec(db, { withEdits: false }));
  mirror.table('contracts', contractRows(db, timeZone));
  const payments = declareContractGrids(mirror, db, timeZone);
  // The rollups first: 社群汇总 sums them.
  return [
    rollupsForSync(database),
    declareMetricsForSync(mirror, database, timeZone, feishu),
    declareSummaryForSync(mirror, database, timeZone),
    payments,
  ];
}

/**
 * Every module's settings declared on `store` without setting the modules up — for tools that
 * carry settings in outside the app (`feishu-ops sync`). A module with settings adds a line.
 */
export function declareDomainSettings(store: SettingsStore): void {
  declareExceptionSettings(settingsHost(store, 'exceptions'));
  declareCommunitySettings(settingsHost(store, 'community'));
  declareQaSettings(settingsHost(store, 'qa'));
  declareContractSettings(settingsHost(store, 'contracts'));
}
