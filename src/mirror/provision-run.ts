import type { ApiField, SchemaApi } from '../bitable/schema-api.js';
import type { TableTemplate } from '../bitable/template-schema.js';
import type { BoundTable } from './bindings.js';

export interface ProvisionProgress {
  done: number;
  total: number;
  step: string;
}

/** What one provision did; a re-run with nothing new has every `created` list empty. */
export interface ProvisionReport {
  appToken: string;
  url: string | null;
  baseCreated: boolean;
  created: { tables: string[]; fields: string[]; views: string[] };
  /** Template fields that cannot be made through the API (lookups), with why. */
  skipped: string[];
  /** Fields staff made under a template field's name with another type: left alone, not bound. */
  conflicts: string[];
  subscribed: boolean;
  /** Views whose template filter / hidden fields were set in this run. */
  filteredViews: string[];
  /** View settings the API cannot make (sort, grouping, "current user", rolling dates): for an admin. */
  manualViews: Array<{ view: string; settings: string[] }>;
  /** Who was given access to the Base in this run (open_id / chat_id → added or already there). */
  shared: Array<{ id: string; result: 'added' | 'already' }>;
  /** open_id that now owns the Base, when ownership was transferred. */
  owner: string | null;
  tables: Array<{
    key: string;
    name: string;
    tableId: string;
    fields: Record<string, string>;
    views: Record<string, string>;
  }>;
}

/** The state one provision run shares between its passes. */
export class ProvisionRun {
  private readonly fieldCache = new Map<string, ApiField[]>();
  private done = 0;

  constructor(
    readonly api: SchemaApi,
    readonly appToken: string,
    readonly templates: readonly TableTemplate[],
    readonly tables: Map<string, BoundTable>,
    readonly report: ProvisionReport,
    private readonly total: number,
    private readonly onProgress?: (p: ProvisionProgress) => void,
  ) {}

  table(key: string): BoundTable {
    const table = this.tables.get(key);
    if (!table) throw new Error(`table ${key} is not provisioned`);
    return table;
  }

  /** The table's fields in Bitable, listed once per run (and again after a two-way link changed them). */
  async fieldsOf(table: BoundTable): Promise<ApiField[]> {
    let fields = this.fieldCache.get(table.tableId);
    if (!fields) {
      fields = await this.api.listFields(this.appToken, table.tableId);
      this.fieldCache.set(table.tableId, fields);
    }
    return fields;
  }

  forgetFields(table: BoundTable): void {
    this.fieldCache.delete(table.tableId);
  }

  progress(step: string): void {
    this.done = Math.min(this.total, this.done + 1);
    this.onProgress?.({ done: this.done, total: this.total, step });
  }
}
