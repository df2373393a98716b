import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import type { Database } from '../db/client.js';
import type { Logger } from './logger.js';
import { watchSettings, type SettingsWatch } from './settings-watch.js';

/** One row of the table a setting is read from, as the module that carries that table hands it over. */
export interface SourceRow {
  recordId: string;
  modifiedAt: Date | null;
  values: Record<string, unknown>;
}

/** What a setting's `source.map` gets: the table's rows (oldest edit first) and a few helpers. */
export interface SourceInput {
  rows: readonly SourceRow[];
  now: Date;
  timeZone: string;
  /** A select option's stable key from its display name (or key), for this table's `field`. */
  optionKey(field: string, name: string | null | undefined): string | undefined;
  /** A row of another table that a link cell points at. */
  linked(table: string, recordId: string): Promise<SourceRow | undefined>;
  /**
   * Reports a row the setting cannot use: the row's previous usable version stays in force, never
   * a part of the row, and the person who edited it is told. `field` is the key of the cell at
   * fault, when the setting knows it.
   */
  problem(recordId: string, message: string, field?: string): void;
}

/** Where leads edit a setting: the rows of a table (e.g. a Bitable template) → the setting's value. */
export interface SettingSource<T> {
  table: string;
  /** undefined = the table says nothing about this setting (the defaults hold). */
  map(input: SourceInput): T | undefined | Promise<T | undefined>;
}

export interface SettingOptions<S extends z.ZodType> {
  source?: SettingSource<z.input<S>>;
}

/** A declared setting; `get` reads it through the cache. */
export interface Setting<T> {
  readonly key: string;
  get(): Promise<T>;
}

export interface SettingSpec {
  key: string;
  module: string;
  schema: z.ZodType;
  source?: SettingSource<unknown>;
}

/** Every stored setting at one version; values parsed on first use. */
export interface SettingsSnapshot {
  readonly version: number;
  get<T>(setting: Setting<T>): T;
  /** The stored value and who wrote it, unparsed. */
  raw(key: string): { value: unknown; updatedBy: string | null } | undefined;
}

export type SaveOutcome = 'saved' | 'unchanged';

/**
 * Rules as data: modules declare settings (`bot.settings(key, schema, { source })`), read them
 * through a cache, and whoever carries a source table in saves them here. The cache holds every
 * setting at one version; it is re-read when the settings trigger's NOTIFY arrives or, without a
 * live listener, when the one-row version counter moved — so several instances stay current.
 */
export class SettingsStore {
  private readonly specs = new Map<string, SettingSpec>();
  private readonly sourceListeners: Array<(spec: SettingSpec) => void> = [];
  private cached: Snapshot | undefined;
  private stale = true;
  private watch: SettingsWatch | undefined;
  private loading: Promise<Snapshot> | undefined;

  constructor(private readonly deps: { database: Database; log: Logger }) {}

  /** Declares `key` for `module`: its schema's defaults fill anything missing or invalid. */
  declare<S extends z.ZodType>(
    module: string,
    key: string,
    schema: S,
    options: SettingOptions<S> = {},
  ): Setting<z.infer<S>> {
    if (!key.startsWith(`${module}.`) && !key.startsWith('shared.'))
      throw new Error(`setting "${key}" of module ${module} must start with "${module}." or "shared."`);
    const earlier = this.specs.get(key);
    if (earlier && (earlier.source || options.source || earlier.module === module))
      throw new Error(`setting ${key} is declared twice`);
    if (!schema.safeParse(undefined).success && !schema.safeParse({}).success)
      throw new Error(`setting ${key} needs defaults in its schema`);
    const spec: SettingSpec = {
      key,
      module,
      schema,
      ...(options.source ? { source: options.source as SettingSource<unknown> } : {}),
    };
    if (!earlier || spec.source) this.specs.set(key, spec);
    if (spec.source) for (const listener of this.sourceListeners) listener(spec);
    const setting: Setting<z.infer<S>> = { key, get: async () => (await this.snapshot()).get(setting) };
    return setting;
  }

  /** Declared settings that name a source table; `onSource` also hears the ones declared later. */
  sources(onSource?: (spec: SettingSpec) => void): SettingSpec[] {
    if (onSource) this.sourceListeners.push(onSource);
    return [...this.specs.values()].filter((s) => s.source);
  }

  spec(key: string): SettingSpec | undefined {
    return this.specs.get(key);
  }

  /** Starts hearing changes (one connection on PostgreSQL); without it every read checks the version row. */
  async start(): Promise<void> {
    this.watch ??= await watchSettings(this.deps.database, this.deps.log, () => {
      this.stale = true;
    });
  }

  async close(): Promise<void> {
    await this.watch?.close();
    this.watch = undefined;
  }

  /** The current settings: no query while the listener is live and nothing changed, else at most two. */
  async snapshot(): Promise<SettingsSnapshot> {
    const cached = this.cached;
    if (cached && !this.stale && this.watch?.live) return cached;
    if (cached && !this.watch?.live) {
      const { rows } = await this.deps.database.query<{ version: string | number }>(
        'select version from core_settings_version where id = 1',
      );
      if (Number(rows[0]?.version ?? 0) === cached.version) return cached;
    }
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<Snapshot> {
    // Cleared before reading: a change announced while we read marks the result stale again.
    this.stale = false;
    // One statement, so the rows and the version belong to the same moment.
    const { rows } = await this.deps.database.query<{
      version: string | number;
      key: string | null;
      value: unknown;
      updated_by: string | null;
    }>(
      'select v.version, s.key, s.value, s.updated_by from core_settings_version v ' +
        'left join directory_settings s on true where v.id = 1',
    );
    const stored = new Map<string, { value: unknown; updatedBy: string | null }>();
    for (const r of rows) if (r.key !== null) stored.set(r.key, { value: r.value, updatedBy: r.updated_by });
    this.cached = new Snapshot(Number(rows[0]?.version ?? 0), stored, this.specs, this.deps.log);
    return this.cached;
  }

  /** Writes a setting (parsed by its declared schema), unless it already holds that value from `updatedBy`. */
  async save(key: string, value: unknown, updatedBy: string | null): Promise<SaveOutcome> {
    const spec = this.specs.get(key);
    const parsed: unknown = spec ? spec.schema.parse(value) : value;
    const current = (await this.snapshot()).raw(key);
    // Deep equality, not JSON text: jsonb hands keys back in its own order.
    if (current && current.updatedBy === updatedBy && isDeepStrictEqual(current.value, parsed)) return 'unchanged';
    await this.deps.database.query(
      `insert into directory_settings (key, value, updated_by) values ($1, $2::jsonb, $3)
       on conflict (key) do update set value = excluded.value, updated_by = excluded.updated_by, updated_at = now()`,
      [key, JSON.stringify(parsed), updatedBy],
    );
    this.stale = true;
    return 'saved';
  }

  /** Removes a stored setting (the defaults return); with `updatedBy`, only a value that writer saved. */
  async remove(key: string, updatedBy?: string): Promise<boolean> {
    const { rows } = await this.deps.database.query(
      'delete from directory_settings where key = $1 and ($2::text is null or updated_by = $2) returning key',
      [key, updatedBy ?? null],
    );
    this.stale = true;
    return rows.length > 0;
  }
}

class Snapshot implements SettingsSnapshot {
  private readonly parsed = new Map<string, unknown>();

  constructor(
    readonly version: number,
    private readonly stored: ReadonlyMap<string, { value: unknown; updatedBy: string | null }>,
    private readonly specs: ReadonlyMap<string, SettingSpec>,
    private readonly log: Logger,
  ) {}

  raw(key: string) {
    return this.stored.get(key);
  }

  get<T>(setting: Setting<T>): T {
    if (this.parsed.has(setting.key)) return this.parsed.get(setting.key) as T;
    const spec = this.specs.get(setting.key);
    if (!spec) throw new Error(`setting ${setting.key} was not declared`);
    const value = this.stored.get(setting.key)?.value;
    const result = spec.schema.safeParse(value ?? {});
    // A bad edit must not stop the workflows: the defaults hold until it is fixed.
    if (!result.success)
      this.log.warn(
        { key: setting.key, issue: result.error.issues[0]?.message },
        'stored setting is invalid; using the defaults',
      );
    const parsed = result.success ? result.data : spec.schema.parse({});
    this.parsed.set(setting.key, parsed);
    return parsed as T;
  }
}

/** A module's view of a store outside an app (a test, a demo script): what `bot` offers for settings. */
export function settingsHost(store: SettingsStore, module: string) {
  return {
    settings: <S extends z.ZodType>(key: string, schema: S, options?: SettingOptions<S>) =>
      store.declare(module, key, schema, options),
    settingsStore: store,
  };
}
