import { loadTemplates } from '../bitable/load-templates.js';
import type { EventContext } from '../core/contexts.js';
import { markSubscribed } from './bindings.js';
import { ChangeRegistry, type ChangeHandler } from './changes.js';
import { handleRecordChanged } from './events.js';
import { ensureMirrorTables, mirrorTableName } from './mirror-ddl.js';
import { MirrorContext, TEMPLATES_DIR, type MirrorDeps } from './mirror-context.js';
import { readRows, type MirrorRow } from './mirror-rows.js';
import { provision, type ProvisionOptions, type ProvisionReport } from './provision.js';
import { reconcile, type ReconcileOptions, type ReconcileReport } from './reconcile.js';
import { DeclaredTable } from './table-seam.js';
import type { TableSeam, TableSpec } from './table-spec.js';
import { deleteRecords, writeRecords, type WriteRow, type WrittenRow } from './writes.js';

/**
 * The Bitable mirror as the rest of the app sees it. Made once at the composition root and handed
 * to the modules that need it; `onChange` works from the start (domain setup), everything else
 * once the mirror module has attached the app's dependencies.
 */
export interface BitableMirror {
  /** Hear about people's changes to one template table (after the mirror has them). Returns an unsubscribe. */
  onChange(tableKey: string, handler: ChangeHandler): () => void;
  /**
   * Declare a template table once, in the setup of the module that owns its rows: the kit writes
   * them, applies field ownership and hands people's edits to `spec.onEdit` (docs/domain-kit.md).
   */
  table<T>(tableKey: string, spec: TableSpec<T>): TableSeam<T>;
  /** Write Bitable, then the mirror. Rows with `recordId` are updates; `key` makes retries create nothing twice. */
  writeRecords(tableKey: string, rows: readonly WriteRow[], options: { key: string }): Promise<WrittenRow[]>;
  deleteRecords(tableKey: string, recordIds: readonly string[]): Promise<void>;
  /** One mirrored record, or undefined. */
  read(tableKey: string, recordId: string): Promise<MirrorRow | undefined>;
  /** The Postgres table holding a template's rows (`bitable_<key>`), for reports and joins. */
  tableName(tableKey: string): string;
  reconcile(options?: ReconcileOptions): Promise<ReconcileReport>;
  provision(
    options?: Pick<
      ProvisionOptions,
      | 'appToken'
      | 'baseName'
      | 'folderToken'
      | 'onProgress'
      | 'pinnedAppToken'
      | 'shareWith'
      | 'sharePerm'
      | 'transferOwnerTo'
    >,
  ): Promise<ProvisionReport>;
  /** Drive subscription for the provisioned Base; false when nothing is provisioned yet. */
  subscribe(): Promise<boolean>;
  /** The record-changed event handler (registered by the mirror module). */
  handleRecordChanged(event: EventContext): Promise<void>;
  /** Gives the mirror the app's dependencies and makes its tables; called by the mirror module's setup. */
  attach(deps: MirrorDeps, options?: AttachOptions): Promise<void>;
}

export interface AttachOptions {
  templatesDir?: string;
  /** Pace of table/field/view creation (Feishu's limit is UNCONFIRMED; default 5/s). */
  schemaWritesPerSecond?: number;
}

export interface MirrorOptions {
  /**
   * A process that only repairs bot-owned columns (`feishu-ops sync`): people's edits are left to the running bot,
   * which puts a refused one back and tells its editor. The bot's mirror hears every declared table's edits, also
   * of a table whose module declares no `onEdit` / `onAdd` (an edit of a bot-owned column is still put back with a DM).
   */
  repairOnly?: boolean;
}

export function createBitableMirror(options: MirrorOptions = {}): BitableMirror {
  const changes = new ChangeRegistry();
  const seams = new Map<string, DeclaredTable<unknown>>();
  let ctx: MirrorContext | undefined;
  let provisioning: Promise<ProvisionReport> | undefined;
  const attached = () => {
    if (!ctx) throw new Error('the Bitable mirror is not attached yet: add mirrorModule(mirror) to the modules');
    return ctx;
  };

  return {
    onChange: (tableKey, handler) => changes.on(tableKey, handler),
    table(tableKey, spec) {
      if (seams.has(tableKey)) throw new Error(`bitable table ${tableKey} is declared twice`);
      const seam = new DeclaredTable(tableKey, spec, attached);
      if (ctx) seam.check(ctx.templates.table(tableKey));
      seams.set(tableKey, seam as DeclaredTable<unknown>);
      if (!options.repairOnly) changes.on(tableKey, (change) => seam.onChange(change));
      return seam;
    },
    writeRecords: (tableKey, rows, options) => writeRecords(attached(), tableKey, rows, options),
    deleteRecords: (tableKey, recordIds) => deleteRecords(attached(), tableKey, recordIds),
    async read(tableKey, recordId) {
      const c = attached();
      return (await readRows(c.deps.database, c.templates.table(tableKey), [recordId])).get(recordId);
    },
    tableName: (tableKey) => mirrorTableName(attached().templates.table(tableKey).key),
    reconcile: (options) => reconcile(attached(), options),
    provision(options = {}) {
      // A second caller while one runs (the start-up provision and a seed waiting for its tables) shares it.
      provisioning ??= (async () => {
        const c = attached();
        const report = await provision({
          ...options,
          api: c.api,
          database: c.deps.database,
          templates: c.templates.tables,
          timeZone: c.deps.timeZone,
          log: c.log,
          now: () => c.deps.clock.now(),
        });
        await c.bindings({ fresh: true });
        return report;
      })().finally(() => {
        provisioning = undefined;
      });
      return provisioning;
    },
    async subscribe() {
      const c = attached();
      const bindings = await c.bindings({ fresh: true });
      if (!bindings) return false;
      await c.api.subscribe(bindings.appToken);
      await markSubscribed(c.deps.database.db, c.deps.clock.now());
      return true;
    },
    handleRecordChanged: (event) => handleRecordChanged(attached(), event),
    async attach(deps, options = {}) {
      const templates = await loadTemplates(options.templatesDir ?? TEMPLATES_DIR);
      await ensureMirrorTables(deps.database, templates.tables, deps.log);
      for (const [key, seam] of seams) seam.check(templates.table(key));
      ctx = new MirrorContext(deps, templates, changes, seams, {
        schemaWritesPerSecond: options.schemaWritesPerSecond,
      });
    },
  };
}
