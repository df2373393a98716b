import { fileURLToPath } from 'node:url';
import type { Clock } from '../core/contexts.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Database } from '../db/client.js';
import type { TemplateSet } from '../bitable/load-templates.js';
import { createSchemaApi, type SchemaApi } from '../bitable/schema-api.js';
import type { TableTemplate } from '../bitable/template-schema.js';
import type { Bitable, TableRef } from '../feishu/bitable.js';
import type { OpenApi } from '../feishu/index.js';
import type { Messages } from '../feishu/messages.js';
import type { DecodedRecord } from '../bitable/codec.js';
import { boundTemplate, loadBindings, type Bindings, type BoundTable } from './bindings.js';
import type { ChangeRegistry } from './changes.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../bitable-templates/', import.meta.url));

/** What the mirror needs from the app; the mirror module, the CLI and tests each build it their way. */
export interface MirrorDeps {
  database: Database;
  /** `messages` tells an editor why an edit was put back; without it the refusal is only logged. */
  feishu: { bitable: Bitable; api: OpenApi; messages?: Pick<Messages, 'send'> };
  log: Logger;
  clock: Clock;
  timeZone: string;
}

export interface MirrorTable {
  /** The template with each field under its name in Bitable. */
  template: TableTemplate;
  bound: BoundTable;
  ref: TableRef;
}

/** A declared table as reconcile sees it: rows as Bitable has them, bot-owned fields put right. */
export interface RowRepairer {
  repairRows(rows: ReadonlyArray<{ id: string; values: DecodedRecord }>): Promise<number>;
}

/** Shared by writes, events and reconcile: deps, templates, the stored ids (cached briefly). */
export class MirrorContext {
  readonly api: SchemaApi;
  private cache: { at: number; bindings: Bindings | undefined } | undefined;

  constructor(
    readonly deps: MirrorDeps,
    readonly templates: TemplateSet,
    readonly changes: ChangeRegistry,
    /** Declared tables (`mirror.table(key, spec)`) by template key. */
    readonly seams: ReadonlyMap<string, RowRepairer>,
    options: { schemaWritesPerSecond?: number | undefined } = {},
    /** How long stored ids are reused before reading them again (provision may run elsewhere). */
    private readonly bindingsTtlMs = 10_000,
  ) {
    this.api = createSchemaApi(deps.feishu.api, { schemaWritesPerSecond: options.schemaWritesPerSecond });
  }

  get log(): Logger {
    return this.deps.log;
  }

  async bindings(options: { fresh?: boolean } = {}): Promise<Bindings | undefined> {
    const now = Date.now();
    if (options.fresh || !this.cache || now - this.cache.at > this.bindingsTtlMs) {
      this.cache = { at: now, bindings: await loadBindings(this.deps.database.db) };
    }
    return this.cache.bindings;
  }

  async requireBindings(): Promise<Bindings> {
    const bindings = await this.bindings();
    if (!bindings) throw new NotProvisionedError();
    return bindings;
  }

  /** A template table with its ids; throws when the key is unknown or not provisioned. */
  async table(tableKey: string): Promise<MirrorTable> {
    const template = this.templates.table(tableKey);
    let bindings = await this.requireBindings();
    if (!bindings.tables.has(tableKey)) bindings = (await this.bindings({ fresh: true })) ?? bindings;
    const bound = bindings.tables.get(tableKey);
    if (!bound) throw new NotProvisionedError(tableKey);
    return {
      template: boundTemplate(template, bound),
      bound,
      ref: { appToken: bindings.appToken, tableId: bound.tableId },
    };
  }

  /** The table a record-changed event names, or undefined when it is not one of ours. */
  async tableById(appToken: string, tableId: string): Promise<MirrorTable | undefined> {
    for (const fresh of [false, true]) {
      const bindings = await this.bindings({ fresh });
      if (!bindings || bindings.appToken !== appToken) continue;
      const bound = [...bindings.tables.values()].find((t) => t.tableId === tableId);
      if (bound) return this.table(bound.tableKey);
    }
    return undefined;
  }
}

export class NotProvisionedError extends AppError {
  constructor(tableKey?: string) {
    super(
      'unavailable',
      tableKey
        ? `多维表格 ${tableKey} 尚未创建，请运行 feishu-ops provision · Bitable table ${tableKey} is not provisioned: run ` +
            `feishu-ops provision`
        : '多维表格尚未创建，请运行 feishu-ops provision · Bitable is not provisioned: run feishu-ops provision',
    );
  }
}
